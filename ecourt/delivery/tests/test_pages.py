"""The delivery pages: the notification centre, the document page that is the read receipt,
the address confirmation, preferences and API tokens, the proof of service, a case's
deliveries with issuing a document, and the failed-service queue with its actions.

Personas: Alice sues Beta Tech, which Bob represents (linked to the case with the association
code); Judge Wang has the case; the clerk docketed it; Oscar is an outsider.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.cases.models import Case
from ecourt.core.selectors import court_today
from ecourt.delivery.models import (
    AddressConfirmation,
    Delivery,
    DeliveryStatus,
    FailureReason,
    InboxToken,
    ProofOfService,
)
from ecourt.delivery.tests.factories import (
    beta_case,
    confirm,
    defendant,
    delivery_to,
    issue,
    link_beta,
    plaintiff,
)
from ecourt.documents.models import CourtDocument

pytestmark = pytest.mark.django_db


def pdf(text: str = "proof of service") -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _text(response: Any) -> str:
    """The page's words without tags, spaces collapsed (for phrases split by markup)."""
    html = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    return text.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


@pytest.fixture
def case(alice: User, bob: User, clerk: User, judge: User, commit: Any) -> Case:
    with commit():
        found = beta_case(alice, bob, clerk, judge)
    link_beta(bob, found)
    return found


@pytest.fixture
def unreachable_case(alice: User, bob: User, clerk: User, judge: User, commit: Any) -> Case:
    """Beta Tech is not linked and the filer gave neither its mobile nor its email."""
    with commit():
        found = beta_case(alice, bob, clerk, judge)
    found.parties.filter(pk=defendant(found).pk).update(mobile="", email="")
    return found


def _summons_to_alice(clerk: User, case: Case, commit: Any, **kwargs: Any) -> Delivery:
    with commit():
        document = issue(clerk, case, recipients=[plaintiff(case)], **kwargs)
    return delivery_to(document, plaintiff(case))


def _open(delivery: Delivery) -> str:
    return reverse("delivery:open", args=[delivery.pk])


# --- The document page: who reads, and what counts as reading ---------------------------------


def test_it_sends_an_anonymous_reader_to_login_and_marks_nothing(
    case: Case, clerk: User, commit: Any, visitor: Any
) -> None:
    """A mail scanner following the link in an email must not count as reading."""
    delivery = _summons_to_alice(clerk, case, commit)
    response = visitor.get(_open(delivery))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    delivery.refresh_from_db()
    assert delivery.read_at is None
    assert delivery.served_at is None


def test_the_recipients_signed_in_get_is_the_read_receipt_and_serves_it(
    case: Case, alice: User, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    assert delivery.confirmation is None  # Alice has not confirmed her addresses
    response = login(alice).get(_open(delivery), headers={"user-agent": "Phone browser"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    text = _text(response)
    assert "Summons to the hearing" in text
    assert "You are summoned to the online hearing on 2026-12-15 at 09:30." in text
    assert delivery.document is not None and delivery.document.sha256 in text
    assert "Request a paper copy" in text
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    assert delivery.status == DeliveryStatus.READ
    assert delivery.served_rule == "unconfirmed.read"
    assert delivery.served_at == delivery.read_at
    read = delivery.events.get(kind="read")
    assert len(read.detail["ua_sha256"]) == 64
    assert read.detail["request_id"] == response["X-Request-ID"]


@pytest.mark.parametrize("header", ["Sec-Purpose", "Purpose"])
def test_a_browser_prefetch_by_the_recipient_does_not_mark_it_read(
    header: str, case: Case, alice: User, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    response = login(alice).get(_open(delivery), headers={header: "prefetch"})
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.read_at is None


def test_a_head_request_does_not_mark_it_read(
    case: Case, alice: User, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    assert login(alice).head(_open(delivery)).status_code == 200
    delivery.refresh_from_db()
    assert delivery.read_at is None


def test_case_staff_see_the_document_without_marking_it_read(
    case: Case, clerk: User, judge: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    for person in (clerk, judge):
        response = login(person).get(_open(delivery))
        assert response.status_code == 200
        assert "not the recipient's read receipt" in _text(response)
    delivery.refresh_from_db()
    assert delivery.read_at is None


def test_outsiders_and_the_other_side_get_404_on_the_document_and_its_proof(
    case: Case, alice: User, bob: User, oscar: User, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    login(alice).get(_open(delivery))  # served, so it has a proof
    for person in (oscar, bob):
        client = login(person)
        assert client.get(_open(delivery)).status_code == 404
        assert client.get(reverse("delivery:proof", args=[delivery.pk])).status_code == 404
        assert client.post(reverse("delivery:paper", args=[delivery.pk])).status_code == 404
    delivery.refresh_from_db()
    assert delivery.paper_requested_at is None


def test_it_shows_a_notice_as_its_text(alice: User, login: Any) -> None:
    from ecourt.delivery.services.issue import notice_send

    notice = notice_send(user=alice, text="Your hearing moved to room 3.", purpose="hearing")
    response = login(alice).get(_open(notice))
    assert response.status_code == 200
    assert "Your hearing moved to room 3." in _text(response)
    assert "Request a paper copy" not in _text(response)


def test_the_recipient_asks_for_a_paper_copy(
    case: Case, alice: User, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    client = login(alice)
    response = client.post(reverse("delivery:paper", args=[delivery.pk]))
    assert response.status_code == 302
    assert response["Location"] == _open(delivery)
    delivery.refresh_from_db()
    assert delivery.paper_requested_at is not None
    assert "You asked for a paper copy" in _text(client.get(_open(delivery)))

    staff = login(clerk)
    queue = _text(staff.get(reverse("delivery:failed")))
    assert "Paper copies requested" in queue and delivery.document.title in queue
    response = staff.post(
        reverse("delivery:paper_sent", args=[delivery.pk]), {"note": "EMS 1234 5678"}
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.paper_sent_at is not None
    assert delivery.events.filter(kind="paper_sent", detail__note="EMS 1234 5678").exists()
    assert "No paper copy is waiting to be sent." in _text(staff.get(reverse("delivery:failed")))
    assert login(alice).post(reverse("delivery:paper_sent", args=[delivery.pk])).status_code == 404


# --- The notification centre ------------------------------------------------------------------


def test_the_centre_lists_unread_first(
    case: Case, alice: User, clerk: User, commit: Any, login: Any
) -> None:
    older = _summons_to_alice(clerk, case, commit, title="First summons")
    newer = _summons_to_alice(clerk, case, commit, title="Second summons")
    client = login(alice)
    client.get(_open(newer))  # the newest is read: it goes below the unread ones
    response = client.get(reverse("delivery:centre"))
    assert response.status_code == 200
    html = response.content.decode()
    unread = html.index(f'id="delivery-{older.pk}"')
    read = html.index(f'id="delivery-{newer.pk}"')
    assert unread < read
    assert case.number in _text(response)
    assert "Unread" in _text(response)


def test_the_centre_needs_a_signed_in_person(visitor: Any) -> None:
    response = visitor.get(reverse("delivery:centre"))
    assert response.status_code == 302


def test_the_centre_takes_a_fixed_number_of_queries(
    case: Case,
    alice: User,
    clerk: User,
    commit: Any,
    login: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(6):
        _summons_to_alice(clerk, case, commit, title=f"Summons {n}")
    client = login(alice)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("delivery:centre"))
    assert response.status_code == 200
    assert "Summons 5" not in _text(response)  # the subject is the kind and case number
    assert _text(response).count(case.number) >= 7


# --- Address confirmation ---------------------------------------------------------------------


def _addresses(case: Case) -> str:
    return reverse("delivery:addresses", args=[case.pk])


def _confirmation_post(**overrides: str) -> dict[str, str]:
    values = {"mobile": "13800000001", "email": "", "undertaking": "on"}
    values.update(overrides)
    return values


def test_a_party_sees_the_confirmation_form_prefilled_with_their_own_mobile(
    case: Case, alice: User, login: Any
) -> None:
    response = login(alice).get(_addresses(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="+8613800000001"' in html
    assert "institution_inbox" not in html  # a person, not a company
    assert "Not confirmed yet" in _text(response)


def test_a_company_representative_is_offered_the_api_inbox(
    case: Case, bob: User, login: Any
) -> None:
    response = login(bob).get(_addresses(case))
    assert response.status_code == 200
    assert "institution_inbox" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"mobile": "010 6552 9988"},
            "This is a landline number. Enter a mobile number that can receive text messages.",
        ),
        ({"mobile": "12345"}, "This mobile number does not exist. Check the digits."),
        (
            {"email": "alice@example.invalid"},
            "Mail cannot reach example.invalid: give an address that receives mail.",
        ),
    ],
)
def test_the_confirmation_refuses_an_unreachable_address_with_its_reason(
    fields: dict[str, str], message: str, case: Case, alice: User, login: Any
) -> None:
    response = login(alice).post(_addresses(case), _confirmation_post(**fields))
    assert response.status_code == 400
    assert message in _text(response)
    assert not AddressConfirmation.objects.exists()


def test_the_confirmation_needs_the_undertaking(case: Case, alice: User, login: Any) -> None:
    data = _confirmation_post()
    del data["undertaking"]
    response = login(alice).post(_addresses(case), data)
    assert response.status_code == 400
    assert "keep these addresses reachable" in _text(response)
    assert not AddressConfirmation.objects.exists()


def test_a_party_confirms_and_changes_its_addresses_with_versions(
    case: Case, alice: User, login: Any
) -> None:
    client = login(alice)
    response = client.post(_addresses(case), _confirmation_post(consents_to_decisions="on"))
    assert response.status_code == 302
    response = client.post(_addresses(case), _confirmation_post(email="alice@zhang.cn"))
    assert response.status_code == 302
    versions = list(AddressConfirmation.objects.filter(party=plaintiff(case)).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].email == "alice@zhang.cn"
    assert versions[1].consents_to_decisions is False
    page = client.get(_addresses(case))
    assert "Version 2 confirmed on" in _text(page)
    assert "alice@zhang.cn" in _text(page)
    assert "Replaced" in _text(page)


def test_outsiders_staff_and_strangers_get_404_on_the_confirmation(
    case: Case, oscar: User, clerk: User, login: Any
) -> None:
    for person in (oscar, clerk):
        client = login(person)
        assert client.get(_addresses(case)).status_code == 404
        assert client.post(_addresses(case), _confirmation_post()).status_code == 404


# --- Preferences and tokens -------------------------------------------------------------------


def test_a_person_sets_notice_preferences(alice: User, login: Any) -> None:
    client = login(alice)
    assert client.get(reverse("delivery:preferences")).status_code == 200
    response = client.post(reverse("delivery:preferences"), {"sms": "on", "quiet_start": "22:00"})
    assert response.status_code == 400
    assert "Give both the start and the end of your quiet hours" in _text(response)
    response = client.post(
        reverse("delivery:preferences"),
        {"sms": "on", "quiet_start": "22:00", "quiet_end": "08:00"},
    )
    assert response.status_code == 302
    preference = alice.notification_preference
    assert preference.sms is True
    assert preference.quiet_start is not None and preference.quiet_start.hour == 22


def test_a_company_representative_creates_a_token_seen_once_and_revokes_it(
    case: Case, bob: User, login: Any
) -> None:
    client = login(bob)
    assert "Create a token" in _text(client.get(reverse("delivery:preferences")))
    response = client.post(reverse("delivery:preferences"), {"action": "token_create"})
    assert response.status_code == 200
    found = re.search(r'value="(eci_[A-Za-z0-9_-]+)"', response.content.decode())
    assert found
    row = InboxToken.objects.get(user=bob)
    assert found.group(1) not in client.get(reverse("delivery:preferences")).content.decode()
    response = client.post(
        reverse("delivery:preferences"), {"action": "token_revoke", "token": str(row.pk)}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None


def test_a_person_who_represents_no_company_is_not_offered_a_token(
    alice: User, oscar: User, bob: User, case: Case, login: Any
) -> None:
    client = login(alice)
    assert "Create a token" not in _text(client.get(reverse("delivery:preferences")))
    client.post(reverse("delivery:preferences"), {"action": "token_create"})
    assert not InboxToken.objects.exists()
    # Someone else's token cannot be revoked
    login(bob).post(reverse("delivery:preferences"), {"action": "token_create"})
    row = InboxToken.objects.get(user=bob)
    response = login(oscar).post(
        reverse("delivery:preferences"), {"action": "token_revoke", "token": str(row.pk)}
    )
    assert response.status_code == 404


# --- The proof of service ---------------------------------------------------------------------


def test_the_proof_shows_every_field_and_its_deposit(
    case: Case, alice: User, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    login(alice).get(_open(delivery))
    proof = ProofOfService.objects.get(delivery=delivery)
    for person in (alice, clerk):
        response = login(person).get(reverse("delivery:proof", args=[delivery.pk]))
        assert response.status_code == 200
        text = _text(response)
        assert proof.sha256 in text
        assert case.number in text
        assert "Summons to the hearing" in text
        assert "Alice Zhang" in text
        assert "SPC Online Litigation Rules (2021) Art. 31" in text
        assert proof.deposit is not None and proof.deposit.deposit_no in text
        assert reverse("evidence:verify") + f"?deposit_no={proof.deposit.deposit_no}" in (
            response.content.decode()
        )


def test_there_is_no_proof_before_service(case: Case, clerk: User, commit: Any, login: Any) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    response = login(clerk).get(reverse("delivery:proof", args=[delivery.pk]))
    assert response.status_code == 404


# --- A case's deliveries and issuing ----------------------------------------------------------


def test_case_staff_see_every_delivery_with_masked_mobiles(
    case: Case, alice: User, clerk: User, judge: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    for person in (clerk, judge):
        response = login(person).get(reverse("delivery:case", args=[case.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'id="delivery-{delivery.pk}"' in html
        assert "+86 138****0001" in html
        assert "+8613800000001" not in html
        assert "Attempts to reach Alice Zhang" in _text(response)
        assert "Issue a document" in _text(response)


def test_parties_and_outsiders_get_404_on_the_staff_pages(
    case: Case, alice: User, bob: User, oscar: User, login: Any
) -> None:
    for person in (alice, bob, oscar):
        client = login(person)
        assert client.get(reverse("delivery:case", args=[case.pk])).status_code == 404
        assert client.get(reverse("delivery:failed")).status_code == 404
        response = client.post(
            reverse("delivery:issue", args=[case.pk]),
            {"kind": "summons", "title": "Fake", "body": "A fake summons text.", "recipients": []},
        )
        assert response.status_code == 404


def test_staff_issue_a_document_from_the_case_page(
    case: Case, clerk: User, commit: Any, login: Any
) -> None:
    client = login(clerk)
    with commit():
        response = client.post(
            reverse("delivery:issue", args=[case.pk]),
            {
                "kind": "evidence_notice",
                "title": "Notice on evidence",
                "body": "Submit your evidence by 2026-12-20.",
                "recipients": [str(plaintiff(case).pk), str(defendant(case).pk)],
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:case", args=[case.pk])
    document = CourtDocument.objects.get(title="Notice on evidence")
    assert document.deliveries.count() == 2


def test_issuing_refuses_a_text_too_short(case: Case, clerk: User, login: Any) -> None:
    response = login(clerk).post(
        reverse("delivery:issue", args=[case.pk]),
        {
            "kind": "summons",
            "title": "Summons",
            "body": "Come.",
            "recipients": [plaintiff(case).pk],
        },
    )
    assert response.status_code == 400
    assert "at least 10 characters" in _text(response)
    assert not CourtDocument.objects.filter(title="Summons").exists()


# --- The failed-service queue -----------------------------------------------------------------


def _summons_to_beta(clerk: User, case: Case, commit: Any) -> Delivery:
    with commit():
        document = issue(clerk, case, recipients=[defendant(case)])
    return delivery_to(document, defendant(case))


def test_a_party_with_no_address_fails_into_the_queue_and_staff_redirect_it_to_email(
    unreachable_case: Case, clerk: User, judge: User, commit: Any, login: Any
) -> None:
    case = unreachable_case
    delivery = _summons_to_beta(clerk, case, commit)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.failure_reason == FailureReason.NO_ADDRESS
    client = login(clerk)
    response = client.get(reverse("delivery:failed"))
    assert response.status_code == 200
    assert f'id="delivery-{delivery.pk}"' in response.content.decode()
    assert "No address to reach the recipient" in _text(response)
    assert login(judge).get(reverse("delivery:failed")).status_code == 200

    # Retrying the same (empty) plan cannot help: the service says so
    response = client.post(
        reverse("delivery:retry", args=[delivery.pk]), {"next": reverse("delivery:failed")}
    )
    assert response.status_code == 302
    assert "There is no address to try again" in _text(client.get(reverse("delivery:failed")))

    mail.outbox.clear()
    with commit():
        response = client.post(
            reverse("delivery:redirect", args=[delivery.pk]),
            {
                "channel": "email",
                "address": "legal@betatech.cn",
                "next": reverse("delivery:failed"),
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:failed")
    delivery.refresh_from_db()
    assert delivery.status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
    assert delivery.sent_at is not None
    assert delivery.served_at is None  # an address nobody confirmed: only reading serves
    assert [m.to for m in mail.outbox] == [["legal@betatech.cn"]]
    assert (
        f'id="delivery-{delivery.pk}"'
        not in client.get(reverse("delivery:failed")).content.decode()
    )


def test_a_malformed_redirect_address_is_refused_with_a_message(
    unreachable_case: Case, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_beta(clerk, unreachable_case, commit)
    client = login(clerk)
    client.post(
        reverse("delivery:redirect", args=[delivery.pk]), {"channel": "sms", "address": "12345"}
    )
    assert "This mobile number does not exist" in _text(client.get(reverse("delivery:failed")))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_staff_serve_offline_with_an_uploaded_scan(
    unreachable_case: Case, alice: User, clerk: User, commit: Any, login: Any
) -> None:
    case = unreachable_case
    delivery = _summons_to_beta(clerk, case, commit)
    client = login(clerk)
    here = reverse("delivery:case", args=[case.pk])
    response = client.post(
        reverse("delivery:offline", args=[delivery.pk]),
        {"reason": "Served by post to the registered office", "next": here},
    )
    assert response["Location"] == here
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.OFFLINE

    # The scan is required
    client.post(
        reverse("delivery:offline_proof", args=[delivery.pk]),
        {"served_on": court_today().isoformat(), "method": "By post"},
    )
    assert "Upload the scanned proof of service" in _text(client.get(reverse("delivery:failed")))

    scan = SimpleUploadedFile("proof.pdf", pdf(), content_type="application/pdf")
    response = client.post(
        reverse("delivery:offline_proof", args=[delivery.pk]),
        {"served_on": court_today().isoformat(), "method": "By post", "scan": scan},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.served_rule == "offline.proof"
    assert delivery.served_at is not None
    proof = ProofOfService.objects.get(delivery=delivery, superseded_at__isnull=True)
    assert proof.scan is not None

    page = client.get(reverse("delivery:proof", args=[delivery.pk]))
    assert page.status_code == 200
    assert proof.scan.sha256 in _text(page)
    download = client.get(reverse("delivery:proof_scan", args=[delivery.pk, proof.pk]))
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == pdf()  # type: ignore[attr-defined]
    # A party of the other side never sees Beta Tech's proof
    assert login(alice).get(reverse("delivery:proof", args=[delivery.pk])).status_code == 404
    assert (
        login(alice).get(reverse("delivery:proof_scan", args=[delivery.pk, proof.pk])).status_code
        == 404
    )


def test_staff_correct_a_served_date_and_the_old_proof_stays_as_superseded(
    unreachable_case: Case, clerk: User, commit: Any, login: Any
) -> None:
    case = unreachable_case
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False):
        delivery = _summons_to_beta(clerk, case, commit)
    client = login(clerk)
    client.post(reverse("delivery:offline", args=[delivery.pk]), {"reason": "By post"})
    two_days_ago = court_today() - timedelta(days=2)
    client.post(
        reverse("delivery:offline_proof", args=[delivery.pk]),
        {
            "served_on": two_days_ago.isoformat(),
            "method": "By post",
            "scan": SimpleUploadedFile("proof.pdf", pdf(), content_type="application/pdf"),
        },
    )
    here = reverse("delivery:case", args=[case.pk])
    page = client.get(here)
    assert "Correct the served date" in _text(page)
    response = client.post(
        reverse("delivery:correct", args=[delivery.pk]),
        {
            "served_on": (two_days_ago + timedelta(days=1)).isoformat(),
            "reason": "The post office stamp reads one day later",
            "next": here,
        },
    )
    assert response["Location"] == here
    delivery.refresh_from_db()
    assert timezone.localtime(delivery.served_at).date() == two_days_ago + timedelta(days=1)
    proof = client.get(reverse("delivery:proof", args=[delivery.pk]))
    assert "Earlier proofs (superseded)" in _text(proof)


def test_an_unsafe_next_is_ignored(
    unreachable_case: Case, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_beta(clerk, unreachable_case, commit)
    response = login(clerk).post(
        reverse("delivery:offline", args=[delivery.pk]),
        {"reason": "By post", "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("delivery:failed")


def test_outsiders_cannot_act_on_a_delivery(
    unreachable_case: Case, alice: User, oscar: User, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_beta(clerk, unreachable_case, commit)
    for person in (alice, oscar):
        client = login(person)
        for name, data in [
            ("retry", {}),
            ("redirect", {"channel": "email", "address": "x@betatech.cn"}),
            ("offline", {"reason": "By post"}),
            ("correct", {"served_on": court_today().isoformat(), "reason": "x"}),
            ("offline_proof", {"served_on": court_today().isoformat(), "method": "x"}),
        ]:
            response = client.post(reverse(f"delivery:{name}", args=[delivery.pk]), data)
            assert response.status_code == 404, name
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_the_case_page_asks_a_party_to_confirm_its_addresses_until_it_does(
    case: Case, alice: User, clerk: User, login: Any
) -> None:
    client = login(alice)
    page = reverse("cases:case_detail", args=[case.pk])
    assert "Confirm your addresses for service" in _text(client.get(page))
    confirm(alice, case, plaintiff(case))
    assert "Confirm your addresses for service" not in _text(client.get(page))
    assert "Confirm your addresses for service" not in _text(login(clerk).get(page))


def test_a_corrected_offline_date_keeps_the_scan_and_today_is_not_in_the_future(
    unreachable_case: Case, clerk: User, commit: Any, login: Any
) -> None:
    case = unreachable_case
    with time_machine.travel(timezone.now() - timedelta(days=3), tick=False):
        delivery = _summons_to_beta(clerk, case, commit)
    client = login(clerk)
    client.post(reverse("delivery:offline", args=[delivery.pk]), {"reason": "By post"})
    scan = SimpleUploadedFile("proof.pdf", pdf(), content_type="application/pdf")
    client.post(
        reverse("delivery:offline_proof", args=[delivery.pk]),
        {"served_on": court_today().isoformat(), "method": "EMS 1234", "scan": scan},
    )
    delivery.refresh_from_db()
    assert delivery.served_at is not None and delivery.served_at <= timezone.now()
    first = ProofOfService.objects.get(delivery=delivery)
    yesterday = court_today() - timedelta(days=1)
    client.post(
        reverse("delivery:correct", args=[delivery.pk]),
        {"served_on": yesterday.isoformat(), "reason": "The receipt says the day before"},
    )
    current = ProofOfService.objects.get(delivery=delivery, superseded_at__isnull=True)
    assert current.pk != first.pk
    assert current.scan_id == first.scan_id
    assert json.loads(current.text)["offline"]["scan_sha256"] == first.scan.sha256  # type: ignore[union-attr]


def test_the_proof_downloads_as_the_bytes_that_were_deposited(
    case: Case, alice: User, bob: User, oscar: User, clerk: User, commit: Any, login: Any
) -> None:
    delivery = _summons_to_alice(clerk, case, commit)
    login(alice).get(_open(delivery))
    proof = ProofOfService.objects.get(delivery=delivery)
    url = reverse("delivery:proof_download", args=[delivery.pk, proof.pk])
    assert url in login(alice).get(reverse("delivery:proof", args=[delivery.pk])).content.decode()
    for person in (alice, clerk):
        response = login(person).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response["Content-Disposition"].startswith("attachment")
        data = response.content
        assert hashlib.sha256(data).hexdigest() == proof.sha256
        assert proof.deposit is not None
        assert (proof.deposit.sha256, proof.deposit.size) == (proof.sha256, len(data))
    for person in (bob, oscar):
        assert login(person).get(url).status_code == 404
    assert login(alice).get(url.replace(f"/{proof.pk}.json", "/999999.json")).status_code == 404
