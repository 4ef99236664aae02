"""The mediation room pages: who may open them, caucus privacy, messages, proposals, signing,
the defendant's join page and the ways out.

Personas: Alice (plaintiff) mediates with Beta Tech (Bob, its representative); the mediator
has accepted the matter. Oscar and a second registered mediator are outsiders and get a 404;
a filing clerk sees the record, never the room.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.tests.factories import pdf_upload
from ecourt.conftest import _staff, code_sent_to
from ecourt.core.uploads import stored_upload
from ecourt.mediation import services
from ecourt.mediation.models import (
    AgreementSignature,
    Mediation,
    MediationEvent,
    MediationMessage,
    MediationSession,
    MediationStatus,
    ProposalResponse,
)
from ecourt.mediation.tests.factories import (
    defendant_joins,
    defendant_of,
    diverted_application,
    mediation_code_sent_to,
    mediation_of,
    registered_mediator,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TERMS = "Beta Tech pays Alice 20,000 yuan by 31 December."


@pytest.fixture
def assigned(alice, mediator, admin, commit) -> Mediation:
    """Diverted and assigned to the mediator, who has not accepted yet; Bob has not joined."""
    registered_mediator(mediator, admin)
    with commit():
        application = diverted_application(alice)
    return mediation_of(application)


@pytest.fixture
def matter(assigned, bob, mediator, commit) -> Mediation:
    """The mediator accepted; Bob joined for Beta Tech."""
    services.mediation_accept(actor=mediator, mediation_id=assigned.pk)
    with commit():
        defendant_joins(assigned, bob)
    return assigned


@pytest.fixture
def other_mediator(admin) -> User:
    user = _staff(Role.MEDIATOR, "Mediator Qian")
    registered_mediator(user, admin)
    return user


def _room(mediation: Mediation) -> str:
    return reverse("mediation:room", args=[mediation.pk])


def _action_urls(mediation: Mediation, message_pk: int = 1) -> dict[str, str]:
    pk = mediation.pk
    return {
        name: reverse(f"mediation:{name}", args=args)
        for name, args in {
            "room_message_post": [pk],
            "room_attachment": [pk, message_pk],
            "room_proposal_answer": [pk, 1],
            "room_agreement_code": [pk],
            "room_agreement_sign": [pk],
            "room_facts_agree": [pk],
            "room_extension_consent": [pk],
            "room_refuse": [pk],
            "room_withdraw": [pk],
            "room_confirmation_apply": [pk],
            "room_session_schedule": [pk],
            "room_session_cancel": [pk, 1],
            "room_proposal_make": [pk],
            "room_agreement_draft": [pk],
            "room_facts_record": [pk],
            "room_end": [pk],
            "accept": [pk],
            "decline": [pk],
        }.items()
    }


def _caucus_with_beta(matter: Mediation, mediator: User) -> MediationMessage:
    defendant = defendant_of(matter)
    with stored_upload("mediation", pdf_upload("offer.pdf")) as name:
        return services.message_post(
            actor=mediator,
            mediation_id=matter.pk,
            body="Between us: Beta could go to 15,000.",
            thread_party_id=defendant.pk,
            attachment=name,
            attachment_name="offer.pdf",
        )


# --- Who may open what -------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_sign_in(matter):
    client = Client()
    login_url = reverse("accounts:login")
    for url in (_room(matter), reverse("mediation:link")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(login_url), url
    for name, url in _action_urls(matter).items():
        response = client.post(url)
        assert response.status_code == 302 and response.url.startswith(login_url), name


@pytest.mark.parametrize("persona", ["oscar", "other_mediator"])
def test_it_answers_404_to_everyone_outside_the_mediation(request, login, matter, persona):
    message = _caucus_with_beta(matter, matter.mediator.user)
    client = login(request.getfixturevalue(persona))
    assert client.get(_room(matter)).status_code == 404
    assert client.get(reverse("mediation:room", args=[99999])).status_code == 404
    for name, url in _action_urls(matter, message.pk).items():
        if name == "room_attachment":
            assert client.get(url).status_code == 404, name
        else:
            data = {"confirm": "yes", "body": "Hi", "reason": "No.", "terms": TERMS}
            assert client.post(url, data).status_code == 404, name
    matter.refresh_from_db()
    assert matter.status == MediationStatus.IN_PROGRESS
    assert MediationMessage.objects.filter(mediation=matter).count() == 1


@pytest.mark.parametrize("persona", ["alice", "bob", "mediator"])
def test_it_opens_the_room_to_the_parties_and_the_mediator(request, login, matter, persona):
    html = login(request.getfixturevalue(persona)).get(_room(matter)).content.decode()
    assert escape(matter.number) in html
    assert "Mediation in progress" in html
    assert "Mediator Zhou" in html
    assert "days left" in html
    assert 'id="thread-joint"' in html
    assert "Mediator Zhou took the matter on; the room is open." in html  # the timeline


def test_it_shows_a_clerk_the_record_but_not_the_room(login, matter, clerk):
    services.message_post(actor=matter.mediator.user, mediation_id=matter.pk, body="Welcome all.")
    response = login(clerk).get(_room(matter))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(matter.number) in html and "Timeline" in html
    assert "Welcome all." not in html
    assert 'id="messages"' not in html
    assert (
        login(clerk)
        .post(reverse("mediation:room_message_post", args=[matter.pk]), {"body": "A clerk writes."})
        .status_code
        == 404
    )


def test_it_shows_the_timeline_in_the_persons_language(login, matter, alice):
    alice.preferred_language = "zh-hans"
    alice.save(update_fields=["preferred_language"])
    client = login(alice)
    event = matter.events.order_by("number").first()
    # The Chinese wording comes from the translations; set one here so the two differ.
    MediationEvent.objects.filter(pk=event.pk).update(text_zh="申请转入诉前调解。")
    html = client.get(_room(matter)).content.decode()
    assert "申请转入诉前调解。" in html
    assert escape(event.text_en) not in html


# --- Caucus privacy ----------------------------------------------------------------------------


def test_it_keeps_a_caucus_with_the_defendant_from_alice(login, matter, alice, bob):
    message = _caucus_with_beta(matter, matter.mediator.user)
    attachment = reverse("mediation:room_attachment", args=[matter.pk, message.pk])
    alice_client = login(alice)
    html = alice_client.get(_room(matter)).content.decode()
    assert "Beta could go to 15,000" not in html
    assert attachment not in html
    assert f'id="thread-{defendant_of(matter).pk}"' not in html
    assert alice_client.get(attachment).status_code == 404

    bob_client = login(bob)
    html = bob_client.get(_room(matter)).content.decode()
    assert "Beta could go to 15,000" in html
    assert attachment in html
    response = bob_client.get(attachment)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_it_lets_the_defendant_answer_in_its_caucus_but_not_write_in_alices(login, matter, bob):
    _caucus_with_beta(matter, matter.mediator.user)
    plaintiff = matter.application.parties.get(side="plaintiff")
    client = login(bob)
    url = reverse("mediation:room_message_post", args=[matter.pk])
    response = client.post(url, {"body": "We agree to 15,000.", "thread": defendant_of(matter).pk})
    assert response.status_code == 302
    response = client.post(url, {"body": "Sneaking in.", "thread": plaintiff.pk}, follow=True)
    assert "Choose a party of this mediation." in response.content.decode()
    assert not MediationMessage.objects.filter(body="Sneaking in.").exists()


# --- Messages ----------------------------------------------------------------------------------


def test_it_posts_a_message_with_an_attachment_and_a_correction(login, matter, alice, bob):
    client = login(alice)
    url = reverse("mediation:room_message_post", args=[matter.pk])
    response = client.post(url, {"body": "", "thread": ""})
    assert response.status_code == 400
    assert "Write a message." in response.content.decode()

    response = client.post(
        url, {"body": "My invoice is attached.", "thread": "", "attachment": pdf_upload("inv.pdf")}
    )
    assert response.status_code == 302
    assert response.url == _room(matter) + "#thread-joint"
    message = MediationMessage.objects.get(body="My invoice is attached.")
    assert message.thread_party is None and message.attachment_name == "inv.pdf"
    assert (
        login(bob)
        .get(reverse("mediation:room_attachment", args=[matter.pk, message.pk]))
        .status_code
        == 200
    )

    html = client.get(_room(matter) + f"?correct={message.pk}").content.decode()
    assert f'name="corrects" value="{message.pk}"' in html
    assert "Send the correction" in html
    client.post(url, {"body": "The invoice is of May.", "thread": "", "corrects": message.pk})
    correction = MediationMessage.objects.get(body="The invoice is of May.")
    assert correction.corrects == message
    html = client.get(_room(matter)).content.decode()
    assert "My invoice is attached." in html and "Corrected by a later message." in html


def test_it_refuses_a_file_that_is_no_pdf_or_picture(login, matter, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(alice).post(
        reverse("mediation:room_message_post", args=[matter.pk]),
        {"body": "Here.", "attachment": SimpleUploadedFile("x.pdf", b"MZ not a pdf")},
    )
    assert response.status_code == 400
    assert "Attach a PDF or a photo" in response.content.decode()
    assert not MediationMessage.objects.filter(mediation=matter).exists()


# --- Sessions and proposals --------------------------------------------------------------------


def test_the_mediator_schedules_a_session_in_court_time(login, matter, mediator, alice):
    with time_machine.travel(datetime(2026, 5, 4, 9, 0, tzinfo=SHANGHAI), tick=False):
        matter.due_on = date(2026, 7, 1)
        matter.save(update_fields=["due_on"])
        client = login(mediator)
        response = client.post(
            reverse("mediation:room_session_schedule", args=[matter.pk]),
            {"starts_at": "2026-05-06T10:30", "duration": "60", "thread": ""},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        session = MediationSession.objects.get(mediation=matter)
        assert session.starts_at == datetime(2026, 5, 6, 10, 30, tzinfo=SHANGHAI)
        html = login(alice).get(_room(matter)).content.decode()
        assert "2026-05-06 10:30" in html and session.meeting_url in html
        response = client.post(
            reverse("mediation:room_session_schedule", args=[matter.pk]),
            {"starts_at": "2026-05-06T10:30", "duration": "5", "thread": ""},
        )
        assert response.status_code == 400
        assert "A session lasts 15 to 480 minutes." in response.content.decode()
        client.post(reverse("mediation:room_session_cancel", args=[matter.pk, session.pk]))
        session.refresh_from_db()
        assert session.cancelled_at is not None


def test_a_party_answers_a_proposal(login, matter, mediator, alice):
    login(mediator).post(
        reverse("mediation:room_proposal_make", args=[matter.pk]), {"terms": TERMS}
    )
    proposal = matter.proposals.get()
    client = login(alice)
    assert escape(TERMS) in client.get(_room(matter)).content.decode()
    url = reverse("mediation:room_proposal_answer", args=[matter.pk, proposal.pk])
    response = client.post(url, {"answer": "counter", "counter_terms": ""})
    assert response.status_code == 400
    assert "Write the terms (at least 10 characters)." in response.content.decode()
    response = client.post(url, {"answer": "counter", "counter_terms": "Beta pays 25,000 yuan."})
    assert response.status_code == 302
    response = ProposalResponse.objects.get(proposal=proposal)
    assert response.answer == "counter" and response.counter_terms == "Beta pays 25,000 yuan."
    html = client.get(_room(matter)).content.decode()
    assert "Counter-propose" in html and "Beta pays 25,000 yuan." in html
    assert url not in html  # answered once, never again


def test_a_party_cannot_use_the_mediators_moves(login, matter, alice):
    client = login(alice)
    response = client.post(
        reverse("mediation:room_proposal_make", args=[matter.pk]), {"terms": TERMS}
    )
    assert response.status_code == 403
    assert not matter.proposals.exists()


# --- Signing -----------------------------------------------------------------------------------


def test_signing_needs_the_right_code(login, matter, mediator, alice, commit):
    agreement = services.agreement_draft(actor=mediator, mediation_id=matter.pk, terms=TERMS)
    client = login(alice)
    html = client.get(_room(matter)).content.decode()
    assert agreement.text_sha256 in html and "Send me a code" in html
    with commit():
        response = client.post(
            reverse("mediation:room_agreement_code", args=[matter.pk]), {"agreement": agreement.pk}
        )
    assert response.status_code == 302
    html = client.get(_room(matter)).content.decode()
    assert "We sent a code to" in html and "Sign with this code" in html
    code = code_sent_to(alice.mobile)
    sign = reverse("mediation:room_agreement_sign", args=[matter.pk])
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(
        sign, {"agreement": agreement.pk, "text_sha256": agreement.text_sha256, "code": wrong}
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not AgreementSignature.objects.exists()
    response = client.post(
        sign, {"agreement": agreement.pk, "text_sha256": agreement.text_sha256, "code": code}
    )
    assert response.status_code == 302
    signature = AgreementSignature.objects.get()
    assert signature.signed_by == alice and signature.text_sha256 == agreement.text_sha256
    html = client.get(_room(matter)).content.decode()
    assert "signed by Alice Zhang" in html and "Sign with this code" not in html


def test_signing_a_changed_text_is_refused(login, matter, mediator, alice, commit):
    agreement = services.agreement_draft(actor=mediator, mediation_id=matter.pk, terms=TERMS)
    client = login(alice)
    with commit():
        client.post(
            reverse("mediation:room_agreement_code", args=[matter.pk]), {"agreement": agreement.pk}
        )
    response = client.post(
        reverse("mediation:room_agreement_sign", args=[matter.pk]),
        {"agreement": agreement.pk, "text_sha256": "0" * 64, "code": code_sent_to(alice.mobile)},
        follow=True,
    )
    assert "The agreement changed after you read it." in response.content.decode()
    assert not AgreementSignature.objects.exists()


# --- Consents and the ways out -----------------------------------------------------------------


def test_a_party_agrees_to_the_recorded_facts(login, matter, mediator, alice):
    login(mediator).post(
        reverse("mediation:room_facts_record", args=[matter.pk]),
        {"text": "Beta Tech used twelve photographs."},
    )
    client = login(alice)
    html = client.get(_room(matter)).content.decode()
    assert "I agree to these facts as written" in html
    client.post(reverse("mediation:room_facts_agree", args=[matter.pk]), {"text_sha256": "x"})
    assert not matter.consents.exists()
    from ecourt.mediation import rules

    digest = rules.text_sha256("Beta Tech used twelve photographs.")
    client.post(reverse("mediation:room_facts_agree", args=[matter.pk]), {"text_sha256": digest})
    assert matter.consents.filter(kind="facts", subject_sha256=digest).count() == 1


def test_refusing_asks_to_confirm_first(login, matter, alice):
    client = login(alice)
    url = reverse("mediation:room_refuse", args=[matter.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert "Yes, end the mediation" in response.content.decode()
    matter.refresh_from_db()
    assert matter.status == MediationStatus.IN_PROGRESS
    response = client.post(url, {"confirm": "yes", "reason": "We will go to court."})
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.status == MediationStatus.FAILED


def test_only_the_plaintiff_side_withdraws(login, matter, alice, bob):
    url = reverse("mediation:room_withdraw", args=[matter.pk])
    assert "Withdraw the application" not in login(bob).get(_room(matter)).content.decode()
    assert login(bob).post(url, {"confirm": "yes"}).status_code == 403
    client = login(alice)
    assert "Yes, withdraw it" in client.post(url).content.decode()
    client.post(url, {"confirm": "yes"})
    matter.refresh_from_db()
    assert matter.status == MediationStatus.WITHDRAWN


def test_extension_consent_is_recorded(login, matter, alice):
    login(alice).post(reverse("mediation:room_extension_consent", args=[matter.pk]))
    assert matter.consents.filter(kind="extension").count() == 1


def test_settled_parties_apply_for_confirmation(login, matter, mediator, alice, bob, commit):
    agreement = services.agreement_draft(actor=mediator, mediation_id=matter.pk, terms=TERMS)
    for person in (alice, bob):
        with commit():
            services.agreement_code_send(actor=person, agreement_id=agreement.pk)
        services.agreement_sign(
            actor=person,
            agreement_id=agreement.pk,
            text_sha256=agreement.text_sha256,
            code=code_sent_to(person.mobile),
        )
    for person in (alice, bob):
        client = login(person)
        assert "Apply for judicial confirmation" in client.get(_room(matter)).content.decode()
        client.post(reverse("mediation:room_confirmation_apply", args=[matter.pk]))
    matter.refresh_from_db()
    case = matter.confirmation_case
    assert case is not None
    html = login(alice).get(_room(matter)).content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) in html


# --- Joining as the defendant ------------------------------------------------------------------


def test_the_defendant_joins_with_number_and_code(login, assigned, bob, mediator):
    from ecourt.cases.tests.factories import company_for

    services.mediation_accept(actor=mediator, mediation_id=assigned.pk)
    company_for(bob)
    client = login(bob)
    url = reverse("mediation:link")
    assert client.get(url).status_code == 200
    response = client.post(url, {"number": assigned.number, "code": "WRONG234"})
    assert response.status_code == 400
    assert "is not right" in response.content.decode()
    response = client.post(url, {"number": assigned.number, "code": mediation_code_sent_to()})
    assert response.status_code == 302 and response.url == _room(assigned)
    assert defendant_of(assigned).user == bob
    assert client.get(_room(assigned)).status_code == 200


def test_a_party_waits_for_the_mediator_to_accept(login, assigned, alice):
    html = login(alice).get(_room(assigned)).content.decode()
    assert "The room opens when a mediator takes the matter on." in html
    assert 'name="body"' not in html
