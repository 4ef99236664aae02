"""Service tests of the mediation room: messages (joint, caucus, corrections), sessions,
proposals, and agents acting in the room."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from ecourt.cases import services as case_services
from ecourt.cases.models import (
    AgentKind,
    ApplicationStatus,
    AuthorityScope,
    PartySide,
)
from ecourt.cases.tests.factories import (
    draft_application,
    pdf_upload,
)
from ecourt.core import sms
from ecourt.core.errors import DomainError
from ecourt.mediation import selectors, services
from ecourt.mediation.models import (
    MediationMessage,
    MediationStatus,
    ProposalAnswer,
)
from ecourt.mediation.tests.factories import (
    defendant_of,
    mediation_of,
    plaintiff_party,
    registered_mediator,
)
from ecourt.mediation.tests.helpers import (
    TERMS,
    another_mediator,
    denied,
    divert,
    events,
    fresh,
    refused,
    room,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = ApplicationStatus
M = MediationStatus


# --- The room: messages --------------------------------------------------------------------------


def test_it_keeps_messages_immutable_and_links_corrections(alice, bob, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    assert [name for name in services.__all__ if name.startswith("message_")] == ["message_post"]
    first = services.message_post(
        actor=alice, mediation_id=mediation.pk, body="We ask for 50,000 yuan."
    )
    assert (first.author, first.author_party, first.thread_party) == (
        alice,
        plaintiff_party(mediation),
        None,
    )
    fix = services.message_post(
        actor=alice, mediation_id=mediation.pk, body="We ask for 40,000 yuan.", corrects_id=first.pk
    )
    first.refresh_from_db()
    assert first.body == "We ask for 50,000 yuan."
    assert (fix.corrects, list(first.corrections.all())) == (first, [fix])
    with refused("corrects_invalid", "corrects"):
        services.message_post(
            actor=bob, mediation_id=mediation.pk, body="Alice said 60,000.", corrects_id=first.pk
        )
    [event, _] = events("ecourt.mediation.message.sent", mediation)
    # The trail records that a message was sent, never what it said.
    assert event.new_values == {"message": first.pk, "caucus": False}


@pytest.mark.parametrize(("body", "code"), [("   ", "body_required"), ("x" * 10_001, None)])
def test_it_refuses_an_empty_or_overlong_message(alice, bob, mediator, admin, commit, body, code):
    mediation = room(alice, bob, mediator, admin, commit)
    with pytest.raises(DomainError) as info:
        services.message_post(actor=alice, mediation_id=mediation.pk, body=body)
    assert info.value.field == "body"
    if code:
        assert info.value.code == code
    assert not MediationMessage.objects.exists()


def test_it_opens_the_room_only_once_the_mediator_accepted(alice, mediator, admin, commit):
    registered_mediator(mediator, admin)
    mediation = divert(alice, commit)
    with refused("illegal_transition"):
        services.message_post(actor=alice, mediation_id=mediation.pk, body="Hello?")
    with refused("illegal_transition"):
        services.proposal_make(actor=mediator, mediation_id=mediation.pk, terms=TERMS)


def test_it_keeps_a_caucus_closed_until_the_mediator_opens_it(alice, bob, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    mine = plaintiff_party(mediation)
    with refused("caucus_closed", "thread"):
        services.message_post(
            actor=alice, mediation_id=mediation.pk, body="Privately:", thread_party_id=mine.pk
        )
    services.message_post(
        actor=mediator, mediation_id=mediation.pk, body="Alice, a word.", thread_party_id=mine.pk
    )
    reply = services.message_post(
        actor=alice, mediation_id=mediation.pk, body="Privately: 30,000.", thread_party_id=mine.pk
    )
    assert (reply.thread_party, reply.author_party) == (mine, mine)


def test_it_refuses_a_post_in_another_partys_caucus(alice, bob, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    beta = defendant_of(mediation)
    services.message_post(
        actor=mediator, mediation_id=mediation.pk, body="Bob, a word.", thread_party_id=beta.pk
    )
    with refused("party_invalid", "thread"):
        services.message_post(
            actor=alice, mediation_id=mediation.pk, body="Let me in.", thread_party_id=beta.pk
        )
    with refused("party_invalid", "thread"):
        services.message_post(
            actor=mediator, mediation_id=mediation.pk, body="Hm.", thread_party_id=987654
        )


def test_it_never_shows_a_caucus_to_the_other_party(
    alice, bob, oscar, clerk, mediator, admin, commit
):
    mediation = room(alice, bob, mediator, admin, commit)
    beta, mine = defendant_of(mediation), plaintiff_party(mediation)
    joint = services.message_post(actor=alice, mediation_id=mediation.pk, body="Hello all.")
    to_bob = services.message_post(
        actor=mediator, mediation_id=mediation.pk, body="Bob: 25,000?", thread_party_id=beta.pk
    )
    from_bob = services.message_post(
        actor=bob, mediation_id=mediation.pk, body="At most 22,000.", thread_party_id=beta.pk
    )
    to_alice = services.message_post(
        actor=mediator, mediation_id=mediation.pk, body="Alice: 30,000?", thread_party_id=mine.pk
    )
    start = timezone.now() + timedelta(days=1)
    joint_session = services.session_schedule(
        actor=mediator, mediation_id=mediation.pk, starts_at=start, duration_minutes=60
    )
    bob_session = services.session_schedule(
        actor=mediator,
        mediation_id=mediation.pk,
        starts_at=start + timedelta(hours=2),
        duration_minutes=30,
        thread_party_id=beta.pk,
    )
    assert selectors.messages_for(alice, mediation) == [joint, to_alice]
    assert selectors.messages_for(bob, mediation) == [joint, to_bob, from_bob]
    assert selectors.messages_for(mediator, mediation) == [joint, to_bob, from_bob, to_alice]
    assert selectors.message_for(alice, mediation, from_bob.pk) is None
    assert selectors.message_for(alice, mediation, to_bob.pk) is None
    assert selectors.message_for(bob, mediation, from_bob.pk) == from_bob
    assert selectors.sessions_for(alice, mediation) == [joint_session]
    assert selectors.sessions_for(bob, mediation) == [joint_session, bob_session]
    assert selectors.sessions_for(mediator, mediation) == [joint_session, bob_session]
    # Nor to outsiders, the court's staff or a mediator of another matter.
    for person in (oscar, clerk, another_mediator(admin).user):
        assert selectors.messages_for(person, mediation) == []
        assert selectors.sessions_for(person, mediation) == []
    # A private session is not on the timeline every party reads.
    codes = [e.code for e in selectors.timeline(mediation)]
    assert codes.count("mediation.session.scheduled") == 1


@pytest.mark.parametrize("who", ["oscar", "clerk", "judge", "other_mediator"])
def test_it_refuses_outsiders_and_other_mediators_in_the_room(
    request, alice, bob, mediator, admin, commit, who
):
    mediation = room(alice, bob, mediator, admin, commit)
    actor = (
        another_mediator(admin).user if who == "other_mediator" else request.getfixturevalue(who)
    )
    proposal = services.proposal_make(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    session = services.session_schedule(
        actor=mediator,
        mediation_id=mediation.pk,
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=60,
    )
    with refused("not_party"):
        services.message_post(actor=actor, mediation_id=mediation.pk, body="Hello.")
    with refused("not_party"):
        services.proposal_respond(actor=actor, proposal_id=proposal.pk, answer="accept")
    with refused("not_party"):
        services.mediation_refuse(actor=actor, mediation_id=mediation.pk)
    with refused("not_party"):
        services.extension_consent(actor=actor, mediation_id=mediation.pk)
    with denied("not_mediator"):
        services.proposal_make(actor=actor, mediation_id=mediation.pk, terms=TERMS)
    with denied("not_mediator"):
        services.session_schedule(
            actor=actor,
            mediation_id=mediation.pk,
            starts_at=timezone.now() + timedelta(days=1),
            duration_minutes=60,
        )
    with denied("not_mediator"):
        services.session_cancel(actor=actor, session_id=session.pk)
    with denied("not_mediator"):
        services.agreement_draft(actor=actor, mediation_id=mediation.pk, terms=TERMS)
    with denied("not_mediator"):
        services.mediation_end_without_agreement(
            actor=actor, mediation_id=mediation.pk, reason="Pointless."
        )
    with denied("not_mediator"):
        services.facts_record(
            actor=actor, mediation_id=mediation.pk, text="The photographs are Alice's."
        )
    # Clerks see every mediation's record, never its room.
    visible = selectors.mediation_for_user(actor, mediation.pk)
    assert (visible is not None) == (who == "clerk")
    assert selectors.messages_for(actor, mediation) == []
    assert fresh(mediation).status == M.IN_PROGRESS


# --- The room: sessions --------------------------------------------------------------------------


@override_settings(ECOURT_MEETING_URL_TEMPLATE="https://video.example.org/r/{room}?lang=zh")
def test_it_schedules_a_session_with_an_unguessable_meeting_link(
    alice, bob, mediator, admin, commit
):
    mediation = room(alice, bob, mediator, admin, commit)
    start = timezone.now() + timedelta(days=2)
    with commit():
        first = services.session_schedule(
            actor=mediator, mediation_id=mediation.pk, starts_at=start, duration_minutes=90
        )
    second = services.session_schedule(
        actor=mediator, mediation_id=mediation.pk, starts_at=start, duration_minutes=15
    )
    assert first.meeting_url == f"https://video.example.org/r/{first.room}?lang=zh"
    assert first.room != second.room
    for session in (first, second):
        token = session.room.removeprefix("ecourt-")
        assert len(token) >= 24 and token.isalnum()
    assert (first.scheduled_by, first.duration_minutes, first.cancelled_at) == (mediator, 90, None)
    # Every party is told; the link itself stays in the room.
    texts = [m for m in sms.outbox if mediation.number in m.body and "session" in m.body]
    assert {m.to for m in texts} >= {alice.mobile, bob.mobile}
    assert all(first.room not in m.body for m in sms.outbox)
    services.session_cancel(actor=mediator, session_id=first.pk)
    first.refresh_from_db()
    assert first.cancelled_at is not None
    assert selectors.timeline(mediation)[-1].code == "mediation.session.cancelled"


@pytest.mark.parametrize(
    ("minutes_from_now", "duration", "code"),
    [
        (-60, 60, "start_past"),
        (3, 60, "start_past"),
        (60 * 24, 14, "duration_invalid"),
        (60 * 24, 481, "duration_invalid"),
    ],
)
def test_it_schedules_only_future_sessions_of_a_sensible_length(
    alice, bob, mediator, admin, commit, minutes_from_now, duration, code
):
    mediation = room(alice, bob, mediator, admin, commit)
    with refused(code):
        services.session_schedule(
            actor=mediator,
            mediation_id=mediation.pk,
            starts_at=timezone.now() + timedelta(minutes=minutes_from_now),
            duration_minutes=duration,
        )
    with refused("naive_time"):
        services.session_schedule(
            actor=mediator,
            mediation_id=mediation.pk,
            starts_at=datetime(2030, 1, 1, 10),
            duration_minutes=60,
        )


def test_it_schedules_no_session_after_the_period(alice, bob, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    last_day = datetime.combine(mediation.due_on, datetime.min.time(), tzinfo=SHANGHAI)
    services.session_schedule(
        actor=mediator,
        mediation_id=mediation.pk,
        starts_at=last_day + timedelta(hours=20),
        duration_minutes=60,
    )
    with refused("after_period", "starts_at"):
        services.session_schedule(
            actor=mediator,
            mediation_id=mediation.pk,
            starts_at=last_day + timedelta(days=1, hours=9),
            duration_minutes=60,
        )


# --- The room: proposals -------------------------------------------------------------------------


def test_it_records_one_answer_per_party(alice, bob, mediator, admin, commit):
    mediation = room(alice, bob, mediator, admin, commit)
    proposal = services.proposal_make(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    assert proposal.number == 1
    [accepted] = services.proposal_respond(actor=alice, proposal_id=proposal.pk, answer="accept")
    assert (accepted.party, accepted.answer) == (plaintiff_party(mediation), ProposalAnswer.ACCEPT)
    with refused("already_answered"):
        services.proposal_respond(actor=alice, proposal_id=proposal.pk, answer="reject")
    [countered] = services.proposal_respond(
        actor=bob,
        proposal_id=proposal.pk,
        answer="counter",
        counter_terms="Beta Tech pays 15,000 yuan in three instalments.",
    )
    assert countered.counter_terms == "Beta Tech pays 15,000 yuan in three instalments."
    codes = [e.code for e in selectors.timeline(mediation)][-3:]
    assert codes == [
        "mediation.proposal",
        "mediation.proposal.accept",
        "mediation.proposal.counter",
    ]
    second = services.proposal_make(actor=mediator, mediation_id=mediation.pk, terms=TERMS + " ")
    assert second.number == 2
    [answer] = selectors.proposals_with_answers(mediation)[0].responses.all()[:1]
    assert answer.answer == "accept"


def test_it_needs_terms_for_a_counter_proposal_and_a_known_answer(
    alice, bob, mediator, admin, commit
):
    mediation = room(alice, bob, mediator, admin, commit)
    proposal = services.proposal_make(actor=mediator, mediation_id=mediation.pk, terms=TERMS)
    with refused("terms_required", "counter_terms"):
        services.proposal_respond(
            actor=bob, proposal_id=proposal.pk, answer="counter", counter_terms="Less."
        )
    with refused("answer_invalid", "answer"):
        services.proposal_respond(actor=bob, proposal_id=proposal.pk, answer="maybe")
    with refused("not_found"):
        services.proposal_respond(actor=bob, proposal_id=987654, answer="accept")
    with refused("terms_required", "terms"):
        services.proposal_make(actor=mediator, mediation_id=mediation.pk, terms="Pay.")
    assert not proposal.responses.exists()
    # The rejection is still possible afterwards: failed attempts recorded nothing.
    services.proposal_respond(actor=bob, proposal_id=proposal.pk, answer="reject")


# --- Agents --------------------------------------------------------------------------------------


def test_it_lets_the_plaintiffs_agent_act_in_the_room(alice, bob, carol, mediator, admin, commit):
    registered_mediator(mediator, admin)
    application = draft_application(alice)
    case_services.agent_appoint(
        actor=alice,
        application_id=application.pk,
        party_id=application.parties.get(side=PartySide.PLAINTIFF).pk,
        agent_mobile=carol.mobile,
        kind=AgentKind.LAWYER,
        scope=AuthorityScope.GENERAL,
        power_of_attorney=pdf_upload(),
    )
    case_services.application_set_preferences(
        actor=alice, application_id=application.pk, adr_preference=True, simplified_procedure=False
    )
    with commit():
        case_services.application_submit(actor=alice, application_id=application.pk)
    mediation = mediation_of(application)
    services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    message = services.message_post(actor=carol, mediation_id=mediation.pk, body="For Alice.")
    assert (message.author, message.author_party) == (carol, plaintiff_party(mediation))
    assert mediation in selectors.mediations_visible_to(carol)
