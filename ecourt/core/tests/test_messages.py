"""Outbound texts and emails: a durable row first, sent once after commit, codes blanked."""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from contextlib import suppress

import pytest
from django.core import mail
from django.db import transaction

from ecourt.core import sms
from ecourt.core.models import OutboundMessage
from ecourt.core.services import message_queue
from ecourt.core.sms import FileSmsBackend, HttpSmsBackend, OutgoingSms, SmsSendError
from ecourt.core.tasks import message_send

pytestmark = pytest.mark.django_db

MOBILE = "+8613800000001"


def _queue(**overrides: object) -> OutboundMessage:
    fields: dict[str, object] = {
        "channel": OutboundMessage.Channel.SMS,
        "to": MOBILE,
        "body": "Your hearing is on 3 March at 09:30.",
        "purpose": "notice.hearing",
    }
    fields.update(overrides)
    return message_queue(**fields)


def _row(message: OutboundMessage) -> OutboundMessage:
    return OutboundMessage.objects.get(pk=message.pk)


def test_it_sends_a_text_only_after_commit(commit):
    with commit():
        message = _queue()
        assert sms.outbox == [], "nothing leaves before the transaction commits"
        assert _row(message).status == OutboundMessage.Status.QUEUED

    assert sms.outbox == [
        OutgoingSms(
            to=MOBILE, body="Your hearing is on 3 March at 09:30.", reference=f"msg-{message.pk}"
        )
    ]
    row = _row(message)
    assert row.status == OutboundMessage.Status.SENT
    assert row.attempts == 1
    assert row.provider_id == f"msg-{message.pk}"
    assert row.sent_at is not None
    assert row.body == "Your hearing is on 3 March at 09:30."  # not sensitive: kept


def test_it_sends_nothing_when_the_transaction_rolls_back(commit):
    with commit(), suppress(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the change that caused the message failed")
    assert not OutboundMessage.objects.exists()
    assert sms.outbox == []


def test_it_sends_once_when_the_task_runs_twice(commit):
    with commit():
        message = _queue()
    assert message_send.call(message_id=message.pk) == "not-due"
    assert message_send.enqueue(message_id=message.pk).return_value == "not-due"
    assert len(sms.outbox) == 1
    assert _row(message).attempts == 1


def test_it_ignores_a_message_that_does_not_exist():
    assert message_send.call(message_id=999_999) == "not-due"
    assert sms.outbox == []


def test_it_keeps_a_refused_notice_for_a_later_try_with_the_reason(commit, monkeypatch):
    def refuse(self, message):
        raise SmsSendError("provider answered HTTP 503")

    monkeypatch.setattr(sms.LocmemSmsBackend, "send", refuse)
    with commit():
        message = _queue()
    row = _row(message)
    assert row.status == OutboundMessage.Status.QUEUED
    assert row.next_attempt_at is not None
    assert row.last_error == "provider answered HTTP 503"
    assert row.attempts == 1
    assert row.sent_at is None
    assert row.body == "Your hearing is on 3 March at 09:30."
    assert sms.outbox == []
    # Not claimed again before its retry time.
    assert message_send.call(message_id=message.pk) == "not-due"


def test_it_blanks_a_sensitive_body_when_sending_fails_too(commit, monkeypatch):
    # A code is never retried, so one left in a failed row would stay readable for good.
    def refuse(self, message):
        raise SmsSendError("provider unreachable: timed out")

    monkeypatch.setattr(sms.LocmemSmsBackend, "send", refuse)
    with commit():
        message = _queue(body="Your code is 123456.", purpose="otp.register", sensitive=True)
    row = _row(message)
    assert row.status == OutboundMessage.Status.FAILED
    assert row.body == ""


def test_it_blanks_sensitive_bodies_once_sent(commit):
    with commit():
        message = _queue(body="Your code is 123456.", purpose="otp.register", sensitive=True)
    assert sms.outbox[0].body == "Your code is 123456."
    row = _row(message)
    assert row.status == OutboundMessage.Status.SENT
    assert row.body == ""


def test_it_sends_email_through_django_mail(commit):
    with commit():
        message = _queue(
            channel=OutboundMessage.Channel.EMAIL,
            to="alice@example.com",
            subject="Hearing notice",
            body="Your hearing is on 3 March.",
        )
    [email] = mail.outbox
    assert (email.to, email.subject, email.body) == (
        ["alice@example.com"],
        "Hearing notice",
        "Your hearing is on 3 March.",
    )
    assert sms.outbox == []
    assert _row(message).status == OutboundMessage.Status.SENT


def test_it_marks_an_email_failed_when_the_mail_server_refuses(commit, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"alice@example.com": (550, b"no such user")})

    monkeypatch.setattr("ecourt.core.tasks.send_mail", refuse)
    with commit():
        message = _queue(channel=OutboundMessage.Channel.EMAIL, to="alice@example.com")
    row = _row(message)
    assert row.status == OutboundMessage.Status.FAILED
    assert row.last_error.startswith("mail server:")


def test_it_cuts_a_long_failure_reason_to_fit(commit, monkeypatch):
    def refuse(self, message):
        raise SmsSendError("x" * 1000)

    monkeypatch.setattr(sms.LocmemSmsBackend, "send", refuse)
    with commit():
        message = _queue()
    assert _row(message).last_error == "x" * 300


class _GatewayResponse:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self) -> bytes:
        return self.body

    def __enter__(self) -> _GatewayResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def test_it_posts_texts_to_an_http_gateway(settings, monkeypatch):
    settings.ECOURT_SMS_HTTP_URL = "https://sms.example.cn/send"
    settings.ECOURT_SMS_HTTP_TOKEN = "gateway-token"
    seen = {}

    def urlopen(request, timeout):
        seen.update(url=request.full_url, headers=dict(request.header_items()), timeout=timeout)
        seen["payload"] = json.loads(request.data)
        return _GatewayResponse(b'{"id": "gw-42"}')

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    provider_id = HttpSmsBackend().send(OutgoingSms(to=MOBILE, body="hi", reference="msg-7"))
    assert provider_id == "gw-42"
    assert seen["url"] == "https://sms.example.cn/send"
    assert seen["headers"]["Authorization"] == "Bearer gateway-token"
    assert seen["payload"] == {"to": MOBILE, "body": "hi", "sender": "ecourt", "reference": "msg-7"}
    assert seen["timeout"] == 10


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            urllib.error.HTTPError("https://sms.example.cn/send", 500, "Server Error", None, None),
            "provider answered HTTP 500",
        ),
        (urllib.error.URLError("connection refused"), "provider unreachable"),
        (TimeoutError("timed out"), "provider unreachable"),
    ],
)
def test_it_turns_gateway_errors_into_a_failure_reason(settings, monkeypatch, error, reason):
    settings.ECOURT_SMS_HTTP_URL = "https://sms.example.cn/send"

    def urlopen(request, timeout):
        raise error

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    with pytest.raises(SmsSendError, match=reason):
        HttpSmsBackend().send(OutgoingSms(to=MOBILE, body="hi", reference="msg-7"))


def test_it_writes_texts_to_a_file_for_local_trials(tmp_path, settings):
    settings.ECOURT_SMS_FILE_PATH = tmp_path / "outbox.jsonl"
    backend = FileSmsBackend()
    backend.send(OutgoingSms(to=MOBILE, body="第一条", reference="msg-1"))
    backend.send(OutgoingSms(to=MOBILE, body="second", reference="msg-2"))
    newest, oldest = sms.read_file_outbox()
    assert (newest["body"], newest["reference"]) == ("second", "msg-2")
    assert (oldest["to"], oldest["body"]) == (MOBILE, "第一条")


def test_it_shows_the_file_outbox_to_administrators_only_when_enabled(
    login, admin, clerk, oscar, settings, tmp_path
):
    settings.ECOURT_SMS_BACKEND = "file"
    settings.ECOURT_SMS_OUTBOX_PAGE = True
    settings.ECOURT_SMS_FILE_PATH = tmp_path / "outbox.jsonl"
    FileSmsBackend().send(OutgoingSms(to=MOBILE, body="Your code is 654321.", reference="msg-9"))

    page = login(admin).get("/staff/sms-outbox/")
    assert page.status_code == 200
    assert "Your code is 654321." in page.content.decode()
    # Everyone's codes are on it: other staff may not read them.
    assert login(clerk).get("/staff/sms-outbox/").status_code == 403
    assert login(oscar).get("/staff/sms-outbox/").status_code == 403

    settings.ECOURT_SMS_OUTBOX_PAGE = False
    assert login(admin).get("/staff/sms-outbox/").status_code == 404
