"""Messages whose task was lost (crash between commit and enqueue, or mid-send) are re-sent."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ecourt.core import sms
from ecourt.core.models import OutboundMessage
from ecourt.core.services import messages_sweep


@pytest.mark.django_db
def test_it_resends_a_queued_message_whose_task_never_ran():
    message = OutboundMessage.objects.create(
        channel="sms", to="+8613800000001", body="hi", purpose="test"
    )
    assert messages_sweep() == 0, "fresh rows still have their task coming"
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert messages_sweep() == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert [m.to for m in sms.outbox] == ["+8613800000001"]


@pytest.mark.django_db
def test_it_requeues_a_message_stuck_in_sending_after_a_worker_died():
    message = OutboundMessage.objects.create(
        channel="sms", to="+8613800000002", body="hi", purpose="test", status="sending"
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert messages_sweep() == 0, "a send in progress for 5 minutes is left alone"
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert messages_sweep() == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT


@pytest.mark.django_db
def test_it_leaves_sent_and_failed_messages_alone():
    for status in ("sent", "failed"):
        OutboundMessage.objects.create(
            channel="sms", to="+8613800000003", body="x", purpose="test", status=status
        )
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert messages_sweep() == 0
    assert sms.outbox == []


class _FlakyBackend:
    def __init__(self, failures: int) -> None:
        self.failures = failures

    def send(self, message):
        from ecourt.core.sms import SmsSendError

        if self.failures:
            self.failures -= 1
            raise SmsSendError("provider answered HTTP 503")
        sms.outbox.append(message)
        return "p-1"


@pytest.mark.django_db
def test_it_retries_a_notice_with_backoff_until_the_provider_takes_it(monkeypatch):
    from ecourt.core.tasks import message_send

    backend = _FlakyBackend(failures=2)
    monkeypatch.setattr("ecourt.core.tasks.get_backend", lambda: backend)
    message = OutboundMessage.objects.create(
        channel="sms", to="+8613800000004", body="Your licence is approved.", purpose="notice"
    )
    start = timezone.now()
    assert message_send.call(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 1
    assert message.next_attempt_at >= start + timedelta(minutes=2)
    assert message_send.call(message_id=message.pk) == "not-due", "not before its time"
    with time_machine.travel(start + timedelta(minutes=3)):
        assert message_send.call(message_id=message.pk) == "retry"
    with time_machine.travel(start + timedelta(minutes=20)):
        assert messages_sweep() == 1  # overdue and nobody enqueued it: the sweeper does
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 3
    assert [m.body for m in sms.outbox] == ["Your licence is approved."]


@pytest.mark.django_db
def test_it_gives_up_on_a_code_at_once_and_on_a_notice_after_five_tries(monkeypatch):
    from ecourt.core.tasks import MAX_ATTEMPTS, message_send

    monkeypatch.setattr("ecourt.core.tasks.get_backend", lambda: _FlakyBackend(failures=99))
    code = OutboundMessage.objects.create(
        channel="sms", to="+8613800000005", body="code 123456", purpose="otp", sensitive=True
    )
    assert message_send.call(message_id=code.pk) == "failed"
    code.refresh_from_db()
    assert code.status == "failed" and code.body == ""
    notice = OutboundMessage.objects.create(
        channel="sms",
        to="+8613800000005",
        body="notice",
        purpose="notice",
        attempts=MAX_ATTEMPTS - 1,
    )
    assert message_send.call(message_id=notice.pk) == "failed"
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.next_attempt_at is None


@pytest.mark.django_db
def test_it_counts_an_interrupted_send_and_never_resends_a_code():
    OutboundMessage.objects.create(
        channel="sms",
        to="+8613800000006",
        body="code 111111",
        purpose="otp",
        sensitive=True,
        status="sending",
    )
    notice = OutboundMessage.objects.create(
        channel="sms", to="+8613800000006", body="notice", purpose="notice", status="sending"
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert messages_sweep() == 1
    code = OutboundMessage.objects.get(purpose="otp")
    assert (code.status, code.body, code.attempts) == ("failed", "", 1)
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_it_treats_a_dropped_connection_as_a_passing_failure(monkeypatch):
    import http.client

    from ecourt.core.tasks import message_send

    class Dropping:
        def send(self, message):
            raise http.client.RemoteDisconnected("closed")

    monkeypatch.setattr("ecourt.core.tasks.get_backend", lambda: Dropping())
    message = OutboundMessage.objects.create(
        channel="sms", to="+8613800000007", body="n", purpose="notice"
    )
    assert message_send.call(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 1)


def test_it_retries_greylisted_mail_and_gives_up_on_unknown_mailboxes(monkeypatch):
    import smtplib

    from ecourt.core.sms import SmsSendError
    from ecourt.core.tasks import _deliver

    for code, permanent in ((451, False), (550, True)):

        def refuse(*args, code=code, **kwargs):
            raise smtplib.SMTPRecipientsRefused({"a@example.com": (code, b"no")})

        monkeypatch.setattr("ecourt.core.tasks.send_mail", refuse)
        message = OutboundMessage(channel="email", to="a@example.com", subject="s", body="b")
        with pytest.raises(SmsSendError) as raised:
            _deliver(message)
        assert raised.value.permanent is permanent
