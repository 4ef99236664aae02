"""The worker: passing failures back off and retry until the rounds run out, permanent ones
fail at once, secrets never reach the record, quiet hours hold texts (not the inbox or mail),
and a worker killed mid-send loses nothing.

Deliveries here go to Beta Tech, which Bob represents and which confirmed no address: the
platform inbox does not serve it, so only a channel (or Bob reading it) can.
"""

from __future__ import annotations

import smtplib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from ecourt.cases import services as case_services
from ecourt.cases.tests.test_api_cases import association_code
from ecourt.core import sms
from ecourt.core.sms import LocmemSmsBackend, SmsSendError
from ecourt.delivery import rules
from ecourt.delivery.models import (
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    FailureReason,
)
from ecourt.delivery.services.dispatch import (
    SWEEP_GRACE,
    deliveries_claim,
    deliveries_recover,
    deliveries_run,
    deliveries_sweep,
    delivery_dispatch,
)
from ecourt.delivery.tasks import delivery_dispatch as dispatch_task
from ecourt.delivery.tests.factories import beta_case, defendant, delivery_to, issue

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = DeliveryStatus
A = AttemptOutcome
BOB_EMAIL = "bob@beta-tech.example.com"


def step(rounds_done: int) -> timedelta:
    return min(rules.BACKOFF_CAP, rules.BACKOFF_BASE * 2 ** max(rounds_done - 1, 0))


@pytest.fixture
def now(time_machine) -> datetime:
    """Tuesday 1 December 2026, 10:00 in Beijing; the clock stands still unless moved."""
    moment = datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def case(now, alice, bob, clerk, judge, commit):
    with commit():
        case = beta_case(alice, bob, clerk, judge)
    case_services.case_link(actor=bob, case_number=case.number, code=association_code())
    sms.outbox.clear()
    mail.outbox.clear()
    return case


@pytest.fixture
def queued(case, clerk) -> Delivery:
    """A summons to Beta Tech, queued (its task not run: the tests play the worker)."""
    delivery = delivery_to(issue(clerk, case, recipients=[defendant(case)]), defendant(case))
    assert delivery.status == S.QUEUED
    assert [s["channel"] for s in delivery.plan] == ["inbox", "sms"]
    return delivery


def only_email(delivery: Delivery) -> Delivery:
    Delivery.objects.filter(pk=delivery.pk).update(
        plan=[
            {"channel": "inbox", "address": "", "confirmed": False},
            {"channel": "email", "address": BOB_EMAIL, "confirmed": False},
        ]
    )
    return delivery


def failing_sms(monkeypatch, message: str, *, permanent: bool = False) -> None:
    def send(self, outgoing):
        raise SmsSendError(message, permanent=permanent)

    monkeypatch.setattr(LocmemSmsBackend, "send", send)


def refusing_mail(monkeypatch, code: int, reply: bytes) -> None:
    def send(self, fail_silently=False):
        raise smtplib.SMTPRecipientsRefused({addr: (code, reply) for addr in self.to})

    monkeypatch.setattr(EmailMessage, "send", send)


def sms_tries(delivery: Delivery) -> list[DeliveryAttempt]:
    return list(delivery.tries.filter(channel=Channel.SMS).order_by("round", "pk"))


# --- Failures -------------------------------------------------------------------------------------


def test_a_passing_failure_backs_off_and_fails_after_the_last_round(
    queued, now, time_machine, monkeypatch
):
    failing_sms(monkeypatch, "busy")
    clock = now
    for round_no in range(1, rules.MAX_ROUNDS + 1):
        assert deliveries_run(worker="w1") == {
            ("retry" if round_no < rules.MAX_ROUNDS else "failed"): 1
        }
        queued.refresh_from_db()
        last = sms_tries(queued)[-1]
        assert (last.round, last.outcome, last.message) == (round_no, A.ERROR, "busy")
        assert queued.attempts == round_no
        if round_no == rules.MAX_ROUNDS:
            break
        assert queued.status == S.QUEUED
        wait = queued.next_attempt_at - clock
        assert step(round_no) / 2 <= wait <= step(round_no)
        # Not due a second before its time.
        time_machine.move_to(queued.next_attempt_at - timedelta(seconds=1), tick=False)
        assert deliveries_run(worker="w1") == {}
        clock = queued.next_attempt_at
        time_machine.move_to(clock, tick=False)
    assert (queued.status, queued.failure_reason) == (S.FAILED, FailureReason.ATTEMPTS_EXHAUSTED)
    assert queued.next_attempt_at is None and queued.served_at is None
    assert len(sms_tries(queued)) == rules.MAX_ROUNDS
    assert queued.events.filter(kind="failed").count() == 1
    assert deliveries_run(worker="w1") == {}


def test_a_permanent_rejection_fails_at_once(queued, monkeypatch):
    failing_sms(monkeypatch, "provider answered HTTP 404", permanent=True)
    assert deliveries_run(worker="w1") == {"failed": 1}
    queued.refresh_from_db()
    assert (queued.status, queued.failure_reason) == (S.FAILED, FailureReason.SMS_REJECTED)
    [attempt] = sms_tries(queued)
    assert (attempt.outcome, attempt.message) == (A.REJECTED, "provider answered HTTP 404")
    assert queued.last_error == "provider answered HTTP 404"


def test_a_bounced_email_fails_as_bounced(queued, monkeypatch):
    only_email(queued)
    refusing_mail(monkeypatch, 550, b"no such user")
    assert deliveries_run(worker="w1") == {"failed": 1}
    queued.refresh_from_db()
    assert (queued.status, queued.failure_reason) == (S.FAILED, FailureReason.EMAIL_BOUNCED)
    [attempt] = queued.tries.filter(channel=Channel.EMAIL)
    assert attempt.outcome == A.REJECTED
    assert "550" in attempt.message and "no such user" in attempt.message
    assert attempt.address == BOB_EMAIL


def test_a_greylisted_email_is_tried_again(queued, monkeypatch):
    only_email(queued)
    refusing_mail(monkeypatch, 451, b"greylisted, try later")
    assert deliveries_run(worker="w1") == {"retry": 1}
    queued.refresh_from_db()
    assert queued.status == S.QUEUED
    assert queued.tries.get(channel=Channel.EMAIL).outcome == A.ERROR


def test_secrets_are_scrubbed_from_what_is_recorded(queued, monkeypatch, settings):
    settings.ECOURT_SMS_HTTP_TOKEN = "tok-5ecret-value"
    failing_sms(monkeypatch, "401 for Bearer tok-5ecret-value at gateway", permanent=True)
    deliveries_run(worker="w1")
    queued.refresh_from_db()
    [attempt] = sms_tries(queued)
    assert attempt.message == "401 for Bearer [secret] at gateway"
    assert "tok-5ecret-value" not in queued.last_error
    assert "[secret]" in queued.last_error


def test_a_backend_bug_is_a_passing_failure_not_a_stuck_claim(queued, monkeypatch):
    def send(self, outgoing):
        raise RuntimeError("backend bug")

    monkeypatch.setattr(LocmemSmsBackend, "send", send)
    assert deliveries_run(worker="w1") == {"retry": 1}
    queued.refresh_from_db()
    assert (queued.status, queued.claimed_at) == (S.QUEUED, None)
    assert "backend bug" in sms_tries(queued)[0].message


# --- Quiet hours ----------------------------------------------------------------------------------


def test_court_quiet_hours_hold_legal_texts_but_not_the_inbox_or_mail(
    case, clerk, time_machine, settings, commit
):
    settings.ECOURT_SMS_QUIET_HOURS = "22:00-08:00"
    time_machine.move_to(datetime(2026, 12, 1, 23, 0, tzinfo=SHANGHAI), tick=False)
    party = defendant(case)
    party.email = BOB_EMAIL
    party.save(update_fields=["email"])
    with commit():
        delivery = delivery_to(issue(clerk, case, recipients=[party]), party)
    delivery.refresh_from_db()
    assert [s["channel"] for s in delivery.plan] == ["inbox", "sms", "email"]
    assert delivery.tries.get(channel=Channel.INBOX).outcome == A.ACCEPTED
    assert [m.to for m in mail.outbox] == [[BOB_EMAIL]]
    assert not sms.outbox
    assert delivery.status == S.QUEUED
    assert delivery.next_attempt_at == datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI)
    assert not sms_tries(delivery)  # nothing was tried on the text channel
    # The sweeper leaves rows due less than SWEEP_GRACE ago to their own task.
    time_machine.move_to(datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI) + SWEEP_GRACE, tick=False)
    assert deliveries_sweep() == {"recovered": 0, "sent": 1}
    delivery.refresh_from_db()
    assert [m.to for m in sms.outbox] == [party.user.mobile]
    assert len(mail.outbox) == 1  # the email is not sent twice
    assert delivery.status in (S.SENT, S.DELIVERED)


# --- A worker killed mid-send ---------------------------------------------------------------------


def test_a_worker_killed_mid_send_is_recovered_and_the_delivery_sent(
    queued, now, time_machine, monkeypatch
):
    assert deliveries_claim(worker="w-dead", ids=[queued.pk]) == [queued.pk]

    def die(self, outgoing):
        raise SystemExit("killed")

    with monkeypatch.context() as patched:
        patched.setattr(LocmemSmsBackend, "send", die)
        with pytest.raises(SystemExit):
            delivery_dispatch(delivery_id=queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.claimed_by) == (S.SENDING, "w-dead")
    [started] = sms_tries(queued)
    assert started.outcome == A.STARTED
    # Another worker's task for it finds it claimed and leaves it alone.
    assert dispatch_task.call(delivery_id=queued.pk) == "not-due"

    time_machine.move_to(now + timedelta(minutes=5), tick=False)
    assert deliveries_sweep()["recovered"] == 0  # the claim is still fresh
    time_machine.move_to(now + timedelta(minutes=11), tick=False)
    # One sweep records the interrupted attempt, requeues the delivery and sends it.
    assert deliveries_sweep() == {"recovered": 1, "sent": 1}
    queued.refresh_from_db()
    assert queued.attempts == 2
    interrupted, resent = sms_tries(queued)
    assert (interrupted.pk, interrupted.outcome) == (started.pk, A.INTERRUPTED)
    assert (resent.round, resent.outcome) == (2, A.ACCEPTED)
    assert queued.status == S.DELIVERED and queued.claimed_at is None
    assert [m.body for m in sms.outbox if m.to == queued.plan[1]["address"]] != []
    assert Delivery.objects.filter(status__in=[S.QUEUED, S.SENDING]).count() == 0


def test_one_sweep_recovers_and_sends(queued, now, time_machine):
    deliveries_claim(worker="w-dead", ids=[queued.pk])
    DeliveryAttempt.objects.create(
        delivery=queued,
        channel=Channel.SMS,
        address=queued.plan[1]["address"],
        round=1,
        started_at=now,
    )
    time_machine.move_to(now + timedelta(minutes=11), tick=False)
    assert deliveries_sweep() == {"recovered": 1, "sent": 1}


def test_a_second_task_run_for_a_sent_delivery_does_nothing(queued):
    assert dispatch_task.call(delivery_id=queued.pk) == "sent"
    assert len(sms.outbox) == 1
    assert dispatch_task.call(delivery_id=queued.pk) == "not-due"
    assert len(sms.outbox) == 1
    assert len(sms_tries(queued)) == 1


def test_a_delivery_the_recipient_read_meanwhile_is_not_sent(queued, bob):
    from ecourt.delivery.services.receipts import delivery_mark_read

    delivery_mark_read(actor=bob, delivery_id=queued.pk, evidence={})
    assert dispatch_task.call(delivery_id=queued.pk) == "not-due"
    assert not sms.outbox


def test_the_sweeper_sends_what_a_lost_task_left_queued(queued, now, time_machine):
    assert deliveries_sweep() == {"recovered": 0}  # fresh: its task is on the way
    time_machine.move_to(now + SWEEP_GRACE, tick=False)
    assert deliveries_sweep() == {"recovered": 0, "sent": 1}
    assert [m.reference for m in sms.outbox] == [f"dlv-{queued.pk}-{sms_tries(queued)[0].pk}"]


def test_quiet_hours_that_end_after_midnight(now):
    assert rules.quiet_until(
        datetime(2026, 12, 31, 23, 0, tzinfo=SHANGHAI),
        rules.parse_quiet_hours("22:00-08:00"),
    ) == datetime(2027, 1, 1, 8, 0, tzinfo=SHANGHAI)
    assert date(2026, 12, 1) == now.date()


# --- Claims that changed hands (review findings) --------------------------------------------------


def test_a_worker_whose_claim_was_taken_over_neither_sends_nor_settles(queued, now, time_machine):
    """Worker 1 claimed a batch long ago; the sweep gave this row to worker 2. Worker 1
    reaching the row must not send it again, nor settle worker 2's round."""
    assert deliveries_claim(worker="w1", ids=[queued.pk]) == [queued.pk]
    time_machine.move_to(now + timedelta(minutes=11), tick=False)
    Delivery.objects.filter(pk=queued.pk).update(claimed_by="w2", claimed_at=timezone.now())
    assert delivery_dispatch(delivery_id=queued.pk, worker="w1") == "not-claimed"
    assert sms_tries(queued) == []
    assert delivery_dispatch(delivery_id=queued.pk, worker="w2") == "sent"
    assert len(sms_tries(queued)) == 1


def test_a_row_dispatched_late_in_its_batch_is_not_taken_for_abandoned(
    queued, now, time_machine, monkeypatch
):
    """The claim is stamped again when the row's turn comes, so a sweep in the meantime
    leaves it alone, and the outcome of a round settled by someone else is not overwritten."""
    assert deliveries_claim(worker="w1", ids=[queued.pk]) == [queued.pk]
    time_machine.move_to(now + timedelta(minutes=11), tick=False)

    def sweep_during_send(self, outgoing):
        # The row was stamped when its turn came: the sweep finds nothing to recover.
        assert deliveries_recover() == 0
        return "provider-1"

    monkeypatch.setattr(LocmemSmsBackend, "send", sweep_during_send)
    assert delivery_dispatch(delivery_id=queued.pk, worker="w1") == "sent"
    [attempt] = sms_tries(queued)
    assert (attempt.outcome, attempt.provider_id) == (A.ACCEPTED, "provider-1")


def test_recovery_after_an_accepted_text_in_the_last_round_does_not_fail_it(
    queued, now, time_machine
):
    Delivery.objects.filter(pk=queued.pk).update(
        status=S.SENDING,
        claimed_by="w-dead",
        claimed_at=timezone.now(),
        attempts=rules.MAX_ROUNDS - 1,
        delivered_at=None,
    )
    DeliveryAttempt.objects.create(
        delivery=queued,
        channel=Channel.SMS,
        address=queued.plan[1]["address"],
        round=rules.MAX_ROUNDS - 1,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        outcome=A.ACCEPTED,
    )
    time_machine.move_to(now + timedelta(minutes=11), tick=False)
    assert deliveries_recover() == 1
    queued.refresh_from_db()
    assert queued.status == S.SENT and queued.failure_reason == ""


def test_the_document_text_goes_only_to_a_confirmed_email(queued, settings):
    settings.ECOURT_DELIVERY_EMAIL_TEXT = True
    Delivery.objects.filter(pk=queued.pk).update(
        plan=[
            {"channel": "inbox", "address": "", "confirmed": False},
            {"channel": "email", "address": BOB_EMAIL, "confirmed": False},
            {"channel": "email", "address": "legal@beta-tech.example.com", "confirmed": True},
        ]
    )
    deliveries_claim(worker="w", ids=[queued.pk])
    assert delivery_dispatch(delivery_id=queued.pk) == "sent"
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "online hearing" not in bodies[BOB_EMAIL]
    assert "online hearing" in bodies["legal@beta-tech.example.com"]


def test_both_channels_refusing_is_said_as_such(queued, monkeypatch):
    Delivery.objects.filter(pk=queued.pk).update(
        plan=[*queued.plan, {"channel": "email", "address": BOB_EMAIL, "confirmed": False}]
    )
    failing_sms(monkeypatch, "no such number", permanent=True)
    refusing_mail(monkeypatch, 550, b"no such user")
    deliveries_claim(worker="w", ids=[queued.pk])
    assert delivery_dispatch(delivery_id=queued.pk) == "failed"
    queued.refresh_from_db()
    assert queued.failure_reason == FailureReason.ALL_REJECTED
