"""One-time codes: expiry, attempts, throttles and hourly limits, and that codes stay secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import translation

from ecourt.accounts.models import OneTimeCode
from ecourt.accounts.otp import CodeError, otp_send, otp_verify
from ecourt.conftest import code_sent_to
from ecourt.core import sms
from ecourt.core.context import hash_ip
from ecourt.core.errors import RateLimited
from ecourt.core.models import OutboundMessage

pytestmark = pytest.mark.django_db

MOBILE = "+8613800000009"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    """Frozen time at START; ``clock.shift(seconds)`` moves it on."""
    time_machine.move_to(START, tick=False)
    return time_machine


def _send(
    destination: str = MOBILE,
    *,
    purpose: str = "register",
    ip: str = "203.0.113.7",
    channel: str = "sms",
    language: str = "en",
) -> OneTimeCode:
    return otp_send(
        channel=channel,
        destination=destination,
        purpose=purpose,
        ip_hash=hash_ip(ip),
        language=language,
    )


def _send_and_read(commit, **kwargs) -> str:
    with commit():
        _send(**kwargs)
    return code_sent_to(kwargs.get("destination", MOBILE))


def _verify(code: str, destination: str = MOBILE, purpose: str = "register") -> OneTimeCode:
    return otp_verify(destination=destination, purpose=purpose, code=code)


def _refusal(code: str, **kwargs) -> CodeError:
    with pytest.raises(CodeError) as exc_info:
        _verify(code, **kwargs)
    return exc_info.value


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_it_sends_a_six_digit_code_in_the_persons_language(clock, commit):
    code = _send_and_read(commit)
    assert len(code) == 6 and code.isdigit()
    [message] = sms.outbox
    assert message.to == MOBILE
    assert "expires in 10 minutes" in message.body
    assert _verify(code).consumed_at == START


@pytest.mark.parametrize(("elapsed", "accepted"), [(599, True), (600, False), (3600, False)])
def test_it_expires_codes_after_ten_minutes(clock, commit, elapsed, accepted):
    code = _send_and_read(commit)
    clock.shift(timedelta(seconds=elapsed))
    if accepted:
        assert _verify(code).consumed_at is not None
    else:
        assert _refusal(code).code == "otp_expired"


def test_it_refuses_even_the_right_code_after_five_wrong_ones(clock, commit):
    code = _send_and_read(commit)
    codes = [_refusal(_wrong(code)).code for _ in range(5)]
    assert codes == ["otp_wrong"] * 4 + ["otp_too_many_attempts"]
    assert _refusal(code).code == "otp_too_many_attempts"
    assert OneTimeCode.objects.get().consumed_at is None


def test_it_says_how_many_tries_are_left(clock, commit):
    code = _send_and_read(commit)
    with translation.override("en"):
        assert "4 more tries" in str(_refusal(_wrong(code)).message)
        for _ in range(2):
            _refusal(_wrong(code))
        assert "1 more try." in str(_refusal(_wrong(code)).message)


def test_it_keeps_the_attempt_count_although_the_wrong_code_raised(clock, commit):
    # The test runs in a transaction; a raise inside otp_verify's atomic block would roll its
    # savepoint back and lose the count. Read the row fresh to see what was written.
    code = _send_and_read(commit)
    _refusal(_wrong(code))
    _refusal("abcdef")
    assert OneTimeCode.objects.get().attempts == 2


def test_it_does_not_take_a_used_code_twice(clock, commit):
    code = _send_and_read(commit)
    _verify(code)
    assert _refusal(code).code == "otp_missing"


def test_it_binds_a_code_to_its_number_and_purpose(clock, commit):
    code = _send_and_read(commit)
    assert _refusal(code, purpose="reset_password").code == "otp_missing"
    clock.shift(timedelta(seconds=1))
    _send("+8613800000010")
    assert _refusal(code, destination="+8613800000010").code == "otp_wrong"
    assert _verify(code).destination == MOBILE


def test_it_accepts_only_the_newest_code(clock, commit):
    old = _send_and_read(commit)
    clock.shift(timedelta(seconds=61))
    new = _send_and_read(commit)
    if old != new:
        assert _refusal(old).code == "otp_wrong"
    assert _verify(new).consumed_at is not None


def test_it_throttles_resending_for_sixty_seconds(clock, commit):
    _send()
    clock.shift(timedelta(seconds=15))
    with translation.override("en"), pytest.raises(RateLimited) as exc_info:
        _send()
    assert exc_info.value.code == "otp_resend_too_soon"
    assert exc_info.value.status_code == 429
    assert "in 45 seconds" in str(exc_info.value.message)

    clock.shift(timedelta(seconds=44))
    with translation.override("en"), pytest.raises(RateLimited) as exc_info:
        _send()
    assert "in 1 second." in str(exc_info.value.message)

    clock.shift(timedelta(seconds=1))
    _send()
    assert OneTimeCode.objects.count() == 2


def test_it_does_not_throttle_another_purpose(clock):
    _send(purpose="register")
    _send(purpose="reset_password")
    assert OneTimeCode.objects.count() == 2


def test_it_limits_codes_per_number_per_hour(clock):
    purposes = ["register", "reset_password", "register", "change_mobile", "register"]
    for purpose in purposes:
        _send(purpose=purpose, ip=f"198.51.100.{len(purpose)}")
        clock.shift(timedelta(seconds=61))
    with pytest.raises(RateLimited) as exc_info:
        _send(purpose="change_mobile", ip="192.0.2.99")
    assert exc_info.value.code == "otp_destination_limit"

    # Once the first code is more than an hour old, one slot is free again.
    clock.move_to(START + timedelta(hours=1, seconds=1), tick=False)
    _send(purpose="change_mobile")
    assert OneTimeCode.objects.filter(destination=MOBILE).count() == 6


def test_it_limits_codes_per_client_address_per_hour(clock):
    for n in range(20):
        _send(f"+86138000001{n:02d}", ip="203.0.113.50")
    with pytest.raises(RateLimited) as exc_info:
        _send("+8613800000199", ip="203.0.113.50")
    assert exc_info.value.code == "otp_ip_limit"

    # Another network is not affected, and the first one may send again an hour later.
    _send("+8613800000199", ip="203.0.113.51")
    clock.shift(timedelta(hours=1, seconds=1))
    _send("+8613800000198", ip="203.0.113.50")


def test_it_stores_only_a_keyed_hash_of_the_code(clock, commit):
    code = _send_and_read(commit)
    row = OneTimeCode.objects.values().get()
    assert len(row["code_hash"]) == 64
    assert all(code not in str(value) for value in row.values())
    assert row["expires_at"] == START + timedelta(minutes=10)


def test_it_blanks_the_text_once_the_code_is_sent(clock, commit):
    code = _send_and_read(commit)
    message = OutboundMessage.objects.get()
    assert message.status == OutboundMessage.Status.SENT
    assert message.sensitive is True
    assert message.body == ""
    assert code in sms.outbox[0].body


def test_it_sends_email_codes_by_mail(clock, commit):
    code = _send_and_read(commit, destination="alice@example.com", channel="email")
    [email] = mail.outbox
    assert email.to == ["alice@example.com"]
    assert email.subject == "Your verification code"
    assert _verify(code, destination="alice@example.com").channel == "email"
    assert sms.outbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_holds_the_resend_throttle_when_requests_arrive_together():
    """Eight parallel requests for one number send one code, not eight (PostgreSQL locks;
    SQLite serialises writers)."""
    import threading

    from django.db import connection

    from ecourt.accounts.otp import otp_send
    from ecourt.core.errors import RateLimited

    results: list[str] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        barrier.wait()
        try:
            otp_send(
                channel="sms",
                destination="+8613912349999",
                purpose="register",
                ip_hash="",
                language="en",
            )
            results.append("sent")
        except RateLimited:
            results.append("limited")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["limited"] * 7 + ["sent"]
