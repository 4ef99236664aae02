"""Delivery services: address confirmations, issuing documents to confirmed and unconfirmed
parties, decisions without consent, the complaint copy at docketing, recomputed periods when
a served date changes, and notices.

Alice sues Beta Tech, which Bob represents; the clerk issues documents; Judge Wang decides.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ecourt.cases import services as case_services
from ecourt.cases.models import CaseDeadline, CaseStatus
from ecourt.cases.tests.factories import DEFENDANT_MOBILE, docketed_case
from ecourt.cases.tests.test_api_cases import association_code
from ecourt.core import sms
from ecourt.core.errors import DomainError
from ecourt.delivery.models import (
    AddressConfirmation,
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryStatus,
    FailureReason,
    ProofOfService,
)
from ecourt.delivery.services.addresses import notification_preference_set
from ecourt.delivery.services.issue import notice_send
from ecourt.delivery.services.receipts import delivery_mark_read
from ecourt.delivery.services.staff import delivery_served_correct
from ecourt.delivery.tests.factories import (
    beta_case,
    confirm,
    defendant,
    delivery_to,
    issue,
    plaintiff,
)
from ecourt.documents.models import DocumentKind
from ecourt.evidence.models import Deposit
from ecourt.evidence.services.items import evidence_list_submit
from ecourt.evidence.tests.test_services_items import add as evidence_add

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = DeliveryStatus
ANSWER = "The photographs were licensed to us by the photographer's agency in 2025."


@contextmanager
def refused(code: str, field: str | None = None) -> Iterator[None]:
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.code == code, (info.value.code, str(info.value))
    if field is not None:
        assert info.value.field == field


def at(time_machine, day: date, hour: int = 10, minute: int = 0) -> None:
    time_machine.move_to(
        datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture
def case(alice, bob, clerk, judge, commit):
    """Alice v. Beta Tech, docketed; Bob has linked Beta Tech."""
    with commit():
        case = beta_case(alice, bob, clerk, judge)
    link_beta(bob, case)
    return case


def link_beta(bob, case):
    """Bob links Beta Tech with the association code texted to the defendant's mobile."""
    return case_services.case_link(actor=bob, case_number=case.number, code=association_code())


def served(delivery: Delivery) -> tuple[bool, str]:
    delivery.refresh_from_db()
    return delivery.served_at is not None, delivery.served_rule


# --- Address confirmations ------------------------------------------------------------------------


def test_a_new_confirmation_supersedes_the_last_and_applies_to_later_documents(case, alice, clerk):
    party = plaintiff(case)
    v1 = confirm(alice, case, party)
    assert (v1.version, v1.superseded_at, v1.channels) == (1, None, ["inbox", "sms"])
    before = issue(clerk, case, recipients=[party])
    v2 = confirm(alice, case, party, email="alice.zhang@example.com")
    v1.refresh_from_db()
    assert v2.version == 2 and v2.superseded_at is None
    assert v1.superseded_at == v2.confirmed_at
    assert v2.channels == ["inbox", "sms", "email"]
    # The same addresses again change nothing.
    assert confirm(alice, case, party, email="Alice.Zhang@Example.com").pk == v2.pk
    assert AddressConfirmation.objects.filter(party=party).count() == 2
    entries = case.docket.filter(code="delivery.address_confirmed").order_by("number")
    assert [e.text_en for e in entries] == [
        "Alice Zhang confirmed its addresses for electronic service (version 1).",
        "Alice Zhang confirmed its addresses for electronic service (version 2).",
    ]
    after = issue(clerk, case, recipients=[party], title="Second summons")
    assert delivery_to(before, party).confirmation == v1
    assert delivery_to(after, party).confirmation == v2
    assert [s["channel"] for s in delivery_to(before, party).plan] == ["inbox", "sms"]
    assert [s["channel"] for s in delivery_to(after, party).plan] == ["inbox", "sms", "email"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"mobile": "12345"}, "mobile_invalid", "mobile"),
        ({"mobile": "010-62345678"}, None, "mobile"),  # a landline cannot take texts
        ({"email": "alice@example.invalid"}, "email_unreachable", "email"),
        ({"email": "alice@mail.test"}, "email_unreachable", "email"),
        ({"email": "not an address"}, "email_invalid", "email"),
        ({"undertaking": False}, "undertaking_missing", "undertaking"),
        ({"institution_inbox": True}, "institution_not_company", "institution_inbox"),
    ],
)
def test_bad_addresses_are_refused_with_a_code_and_field(case, alice, overrides, code, field):
    with pytest.raises(DomainError) as info:
        confirm(alice, case, plaintiff(case), **overrides)
    if code is not None:
        assert info.value.code == code
    assert info.value.field == field
    assert not AddressConfirmation.objects.exists()


def test_only_someone_acting_for_the_party_confirms(case, alice, oscar):
    with refused("not_your_party"):
        confirm(oscar, case, plaintiff(case))
    with refused("not_your_party"):
        confirm(alice, case, defendant(case))


def test_a_company_may_pull_over_the_api(case, bob):
    confirmation = confirm(bob, case, defendant(case), institution_inbox=True)
    assert confirmation.channels == ["inbox", "sms", "institution"]


# --- Issuing --------------------------------------------------------------------------------------


def test_a_summons_to_a_confirmed_party_is_served_at_issue(case, alice, clerk, commit):
    party = plaintiff(case)
    confirm(alice, case, party)
    sms.outbox.clear()
    with commit():
        document = issue(clerk, case, recipients=[party])
    delivery = delivery_to(document, party)
    assert served(delivery) == (True, "confirmed.reached")
    # The platform inbox, written in the issuing transaction, is the first system it reached.
    assert delivery.served_at == delivery.delivered_at
    assert delivery.served_at - document.issued_at < timedelta(seconds=1)
    [proof] = ProofOfService.objects.filter(delivery=delivery)
    assert proof.sha256 == hashlib.sha256(proof.text.encode("utf-8")).hexdigest()
    assert proof.superseded_at is None
    assert proof.deposit is not None and proof.deposit.sha256 == proof.sha256
    assert Deposit.objects.filter(sha256=proof.sha256).count() == 1
    assert document.sha256 == hashlib.sha256(document.body.encode("utf-8")).hexdigest()
    assert Deposit.objects.get(pk=document.deposit_id).sha256 == document.sha256
    # The text still goes out, with a link, not the document.
    [text] = [m for m in sms.outbox if m.to == alice.mobile]
    assert document.body not in text.body
    assert f"/{delivery.pk}/" in text.body
    assert delivery.tries.filter(channel=Channel.SMS, outcome=AttemptOutcome.ACCEPTED).exists()


def test_an_unconfirmed_party_is_served_when_it_reads(case, bob, clerk, commit):
    party = defendant(case)
    with commit():
        document = issue(clerk, case, recipients=[party])
    delivery = delivery_to(document, party)
    assert served(delivery) == (False, "")
    assert delivery.plan[0] == {"channel": "inbox", "address": "", "confirmed": False}
    assert not ProofOfService.objects.filter(delivery=delivery).exists()
    delivery_mark_read(actor=bob, delivery_id=delivery.pk, evidence={"request_id": "r-1"})
    assert served(delivery) == (True, "unconfirmed.read")
    assert delivery.status == S.READ
    assert ProofOfService.objects.filter(delivery=delivery).count() == 1


def test_an_unconfirmed_party_is_served_when_it_answers(case, bob, clerk, time_machine):
    at(time_machine, timezone.localdate() + timedelta(days=1))
    case_services.complaint_open(actor=bob, case_id=case.pk)
    party = defendant(case)
    delivery = delivery_to(issue(clerk, case, recipients=[party]), party)
    assert served(delivery) == (False, "")
    time_machine.shift(timedelta(hours=2))
    case_services.response_file(actor=bob, case_id=case.pk, kind="answer", text=ANSWER)
    assert served(delivery) == (True, "unconfirmed.acted")
    assert delivery.acted_at == delivery.served_at
    assert delivery.read_at is None


def test_an_unconfirmed_party_is_served_when_it_submits_evidence(case, alice, clerk):
    party = plaintiff(case)
    delivery = delivery_to(issue(clerk, case, recipients=[party]), party)
    assert served(delivery) == (False, "")
    evidence_add(alice, case.application, party)
    assert served(delivery) == (False, "")  # a draft is not yet filed
    evidence_list_submit(actor=alice, application=case.application, party=party)
    assert served(delivery) == (True, "unconfirmed.acted")


@pytest.mark.parametrize("kind", [DocumentKind.JUDGMENT, DocumentKind.RULING])
def test_a_decision_without_consent_is_served_offline_until_read(case, alice, clerk, kind):
    party = plaintiff(case)
    confirm(alice, case, party, consents_to_decisions=False)
    sms.outbox.clear()
    delivery = delivery_to(issue(clerk, case, kind=kind, recipients=[party]), party)
    assert (delivery.status, delivery.failure_reason) == (S.OFFLINE, FailureReason.NEEDS_CONSENT)
    assert served(delivery) == (False, "")
    assert delivery.next_attempt_at is None and not sms.outbox
    delivery_mark_read(actor=alice, delivery_id=delivery.pk, evidence={})
    assert served(delivery) == (True, "unconfirmed.read")
    assert delivery.status == S.READ


def test_a_summons_needs_no_consent(case, alice, clerk):
    party = plaintiff(case)
    confirm(alice, case, party, consents_to_decisions=False)
    delivery = delivery_to(issue(clerk, case, recipients=[party]), party)
    assert served(delivery) == (True, "confirmed.reached")


# --- The complaint copy at docketing --------------------------------------------------------------


def test_the_complaint_copy_waits_for_the_invited_defendant_to_read_it(
    alice, bob, clerk, judge, commit, time_machine
):
    at(time_machine, date(2026, 9, 22))
    with commit():
        case = beta_case(alice, bob, clerk, judge)
    texts = [m for m in sms.outbox if m.to == DEFENDANT_MOBILE]
    assert len(texts) == 1 and "association code" in texts[0].body
    party = defendant(case)
    delivery = Delivery.objects.get(party=party, document__kind="complaint_copy")
    assert [s["channel"] for s in delivery.plan] == ["inbox"]
    assert (delivery.status, delivery.served_at) == (S.SENT, None)
    assert delivery.events.get(kind="issued").detail["notified_by"] == (
        "association code invitation"
    )
    at(time_machine, date(2026, 9, 24), hour=15)
    link_beta(bob, case)
    assert served(delivery) == (False, "")
    case_services.complaint_open(actor=bob, case_id=case.pk)
    assert served(delivery) == (True, "unconfirmed.read")
    party.refresh_from_db()
    assert party.complaint_served_on == date(2026, 9, 24)
    answer = case.deadlines.get(code="answer", party=party)
    assert answer.start_date == date(2026, 9, 24)
    assert len([m for m in sms.outbox if m.to == DEFENDANT_MOBILE]) == 1


# --- A changed served date recomputes the appeal period -------------------------------------------


def test_serving_a_judgment_restarts_the_appeal_period_and_a_correction_moves_it(
    alice, clerk, judge, time_machine, commit
):
    at(time_machine, date(2026, 6, 1))
    case = docketed_case(alice, clerk, judge=judge)
    case_services.complaint_service_record(
        actor=clerk,
        case_id=case.pk,
        party_id=defendant(case).pk,
        served_on=date(2026, 6, 1),
        method="EMS post",
    )
    at(time_machine, date(2026, 6, 30))
    case_services.case_open_evidence_exchange(actor=judge, case_id=case.pk)
    case_services.case_schedule_hearing(actor=judge, case_id=case.pk, on=date(2026, 7, 10))
    at(time_machine, date(2026, 7, 10))
    case_services.case_record_heard(actor=judge, case_id=case.pk)
    case = case_services.case_decide(actor=judge, case_id=case.pk, kind="judgment")
    assert case.status == CaseStatus.DECIDED
    party = plaintiff(case)
    [on_decision] = CaseDeadline.objects.filter(case=case, party=party, code="appeal_judgment")
    assert on_decision.start_date == date(2026, 7, 10)

    at(time_machine, date(2026, 7, 13))
    confirm(alice, case, party)
    with commit():
        document = issue(
            clerk,
            case,
            kind=DocumentKind.JUDGMENT,
            recipients=[party],
            title="Judgment",
            body="The defendant shall pay the plaintiff 20,000 yuan.",
        )
    delivery = delivery_to(document, party)
    assert served(delivery) == (True, "confirmed.reached")
    on_decision.refresh_from_db()
    assert on_decision.cancelled_at is not None
    [on_service] = CaseDeadline.objects.filter(
        case=case, party=party, code="appeal_judgment", cancelled_at__isnull=True
    )
    # Monday 13 July + 15 days = Tuesday 28 July.
    assert (on_service.start_date, on_service.due_date) == (date(2026, 7, 13), date(2026, 7, 28))
    first_proof = ProofOfService.objects.get(delivery=delivery)

    at(time_machine, date(2026, 7, 15))
    delivery_served_correct(
        actor=clerk,
        delivery_id=delivery.pk,
        served_on=date(2026, 7, 14),
        reason="The provider's report came late",
    )
    on_service.refresh_from_db()
    assert on_service.cancelled_at is not None
    [corrected] = CaseDeadline.objects.filter(
        case=case, party=party, code="appeal_judgment", cancelled_at__isnull=True
    )
    assert (corrected.start_date, corrected.met_at) == (date(2026, 7, 14), None)
    assert corrected.due_date == date(2026, 7, 29)
    entry = case.docket.order_by("-number").first()
    assert "The provider's report came late" in entry.text_en
    assert "2026-07-13" in entry.text_en and "2026-07-14" in entry.text_en
    proofs = list(ProofOfService.objects.filter(delivery=delivery).order_by("pk"))
    assert len(proofs) == 2 and proofs[0].pk == first_proof.pk
    assert proofs[0].superseded_at is not None and proofs[1].superseded_at is None
    assert proofs[1].sha256 != proofs[0].sha256
    # The other party's period, started by the decision, is untouched.
    other = CaseDeadline.objects.get(case=case, party=defendant(case), code="appeal_judgment")
    assert (other.start_date, other.cancelled_at) == (date(2026, 7, 10), None)
    with refused("unchanged", "served_on"):
        delivery_served_correct(
            actor=clerk, delivery_id=delivery.pk, served_on=date(2026, 7, 14), reason="again"
        )


# --- Notices --------------------------------------------------------------------------------------

REMINDER = gettext_lazy("Your hearing is tomorrow at 09:30.")


def test_a_notice_goes_to_the_inbox_and_by_text(alice, commit):
    with commit():
        notice = notice_send(user=alice, text=REMINDER, purpose="hearing_reminder")
    notice.refresh_from_db()
    assert not notice.legal and notice.served_at is None
    assert notice.tries.get(channel=Channel.INBOX).outcome == AttemptOutcome.ACCEPTED
    assert notice.delivered_at is not None
    [text] = sms.outbox
    assert text.to == alice.mobile and "Your hearing is tomorrow at 09:30." in text.body
    assert notice.status == S.DELIVERED


def test_a_person_who_turned_texts_off_gets_none(alice, commit):
    notification_preference_set(
        actor=alice, sms=False, email=False, quiet_start=None, quiet_end=None
    )
    with commit():
        notice = notice_send(user=alice, text=REMINDER, purpose="hearing_reminder")
    assert notice.plan == [{"channel": "inbox", "address": "", "confirmed": True}]
    assert notice.status == S.DELIVERED
    assert not sms.outbox


def test_a_persons_quiet_hours_hold_the_text(alice, commit, time_machine):
    notification_preference_set(
        actor=alice, sms=True, email=False, quiet_start=time(21, 0), quiet_end=time(7, 30)
    )
    at(time_machine, date(2026, 12, 1), hour=22, minute=15)
    with commit():
        notice = notice_send(user=alice, text=REMINDER, purpose="hearing_reminder")
    notice.refresh_from_db()
    assert not sms.outbox
    assert notice.status == S.QUEUED
    assert notice.next_attempt_at == datetime(2026, 12, 2, 7, 30, tzinfo=SHANGHAI)
    assert notice.tries.get(channel=Channel.INBOX).outcome == AttemptOutcome.ACCEPTED


# --- Review findings ------------------------------------------------------------------------------


def _decided(alice, clerk, judge, time_machine, kind="judgment"):
    at(time_machine, date(2026, 6, 1))
    case = docketed_case(alice, clerk, judge=judge)
    case_services.complaint_service_record(
        actor=clerk,
        case_id=case.pk,
        party_id=defendant(case).pk,
        served_on=date(2026, 6, 1),
        method="EMS post",
    )
    at(time_machine, date(2026, 6, 30))
    case_services.case_open_evidence_exchange(actor=judge, case_id=case.pk)
    case_services.case_schedule_hearing(actor=judge, case_id=case.pk, on=date(2026, 7, 10))
    at(time_machine, date(2026, 7, 10))
    case_services.case_record_heard(actor=judge, case_id=case.pk)
    return case_services.case_decide(actor=judge, case_id=case.pk, kind=kind)


def test_a_later_ruling_in_a_case_decided_by_judgment_opens_no_appeal_period(
    alice, clerk, judge, time_machine, commit
):
    case = _decided(alice, clerk, judge, time_machine)
    party = plaintiff(case)
    at(time_machine, date(2026, 7, 13))
    confirm(alice, case, party)
    with commit():
        document = issue(
            clerk,
            case,
            kind=DocumentKind.RULING,
            recipients=[party],
            title="Ruling correcting a clerical error",
            body="The amount in the judgment reads 20,000 yuan, not 2,000 yuan.",
        )
    assert served(delivery_to(document, party)) == (True, "confirmed.reached")
    assert not CaseDeadline.objects.filter(case=case, code="appeal_ruling").exists()
    [judgment_period] = CaseDeadline.objects.filter(case=case, party=party, code="appeal_judgment")
    assert judgment_period.cancelled_at is None  # the judgment's own period is untouched


def test_correcting_the_complaint_date_after_the_answer_keeps_the_answer_period_met(
    case, bob, clerk, time_machine
):
    complaint = Delivery.objects.get(party=defendant(case), document__kind="complaint_copy")
    case_services.complaint_open(actor=bob, case_id=case.pk)
    case_services.response_file(actor=bob, case_id=case.pk, kind="answer", text=ANSWER)
    [answered] = CaseDeadline.objects.filter(case=case, party=defendant(case), code="answer")
    assert answered.met_at is not None
    time_machine.move_to(timezone.now() + timedelta(days=2), tick=False)
    delivery_served_correct(
        actor=clerk,
        delivery_id=complaint.pk,
        served_on=timezone.localdate() - timedelta(days=1),
        reason="Read the day after issue, by the platform's log",
    )
    [current] = CaseDeadline.objects.filter(
        case=case, party=defendant(case), code="answer", cancelled_at__isnull=True
    )
    assert current.pk != answered.pk
    assert current.met_at == answered.met_at


def test_an_unread_document_to_an_unconfirmed_address_reaches_the_staff_queue_after_a_week(
    case, bob, clerk, time_machine, commit
):
    from ecourt.delivery.selectors import failed_queue

    with commit():
        document = issue(clerk, case, recipients=[defendant(case)])
    with_sms = delivery_to(document, defendant(case))
    assert with_sms.status == S.DELIVERED
    assert with_sms.served_at is None
    assert with_sms not in failed_queue(clerk)
    time_machine.move_to(timezone.now() + timedelta(days=8), tick=False)
    assert with_sms in failed_queue(clerk)
    delivery_mark_read(actor=bob, delivery_id=with_sms.pk, evidence={})
    assert with_sms not in failed_queue(clerk)
