"""Shared fixtures: the personas every test speaks of.

- alice: a verified litigant (plaintiff)
- bob: representative of the company Beta Tech
- carol: a lawyer
- clerk, judge, mediator: court staff with an enrolled authenticator
- admin: a court administrator
- oscar: an outsider with an account and nothing else

Plus ``visitor`` (an anonymous browser that prefers English), ``commit`` (run the on-commit
hooks that send texts and mail) and ``code_sent_to`` (the newest one-time code a person got).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import PASSWORD, UserFactory, VerifiedUserFactory
from ecourt.core import sms


@pytest.fixture(autouse=True)
def _clean_outbox() -> Iterator[None]:
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def alice(db: None) -> User:
    return VerifiedUserFactory(display_name="Alice Zhang", mobile="+8613800000001")


@pytest.fixture
def bob(db: None) -> User:
    return VerifiedUserFactory(
        display_name="Bob Li", roles=[Role.LITIGANT, Role.COMPANY_REPRESENTATIVE]
    )


@pytest.fixture
def carol(db: None) -> User:
    return VerifiedUserFactory(display_name="Carol Chen", roles=[Role.LITIGANT, Role.LAWYER])


@pytest.fixture
def oscar(db: None) -> User:
    return UserFactory(display_name="Oscar Outsider")


def _staff(role: str, name: str) -> User:
    user = VerifiedUserFactory(display_name=name, roles=[role])
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


@pytest.fixture
def clerk(db: None) -> User:
    return _staff(Role.FILING_CLERK, "Clerk Deng")


@pytest.fixture
def judge(db: None) -> User:
    return _staff(Role.JUDGE, "Judge Wang")


@pytest.fixture
def mediator(db: None) -> User:
    return _staff(Role.MEDIATOR, "Mediator Zhou")


@pytest.fixture
def admin(db: None) -> User:
    user = _staff(Role.COURT_ADMIN, "Admin Zhao")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def totp_now(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    # django-otp refuses a code twice in one 30-second step; tests sign in more often than that.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


@pytest.fixture
def login() -> Callable[[User], Client]:
    """A client signed in as ``user``; staff also pass the TOTP step, as in real life."""

    def _login(user: User, *, otp: bool = True) -> Client:
        client = Client()
        response = client.post("/accounts/login/", {"username": user.mobile, "password": PASSWORD})
        assert response.status_code == 302, response.content[:500]
        if user.is_court_staff and otp:
            response = client.post("/accounts/otp/", {"token": totp_now(user)})
            assert response.status_code == 302, response.content[:500]
        return client

    return _login


@pytest.fixture
def visitor() -> Client:
    """An anonymous browser whose Accept-Language asks for English.

    Without it pages come in the default language (zh-hans), whose wording is not under test.
    """
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """``with commit(): ...`` runs the on-commit hooks registered inside the block when it ends.

    Tests run inside a transaction that is never committed, so queued texts and mails would
    otherwise never be handed to the (immediate) task backend.
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)


_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def code_sent_to(destination: str) -> str:
    """The 6-digit code in the newest text message or email sent to ``destination``."""
    bodies = [m.body for m in sms.outbox if m.to == destination]
    bodies += [m.body for m in mail.outbox if destination in m.to]
    assert bodies, f"nothing was sent to {destination}"
    found = _CODE.search(bodies[-1])
    assert found, bodies[-1]
    return found.group(1)


# --- Data migrations' rows in transactional tests -------------------------------------------

_SERIALIZED: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """Keep the test database's serialized contents (the rows data migrations wrote: terms,
    the case-type catalogue) for the ``browser`` fixture below."""
    from django.db import connection

    _SERIALIZED["default"] = getattr(connection, "_test_serialized_contents", "") or ""
    yield


# --- Headless Chromium ------------------------------------------------------------------------

CHROMIUM = Path(os.environ.get("ECOURT_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright. Fails (never skips) when CI=true and it is
    missing: `make test` installs it."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}; run `make test` to install it."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself stay synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        _keep_serialized_rollback_working()
        yield chromium
        chromium.close()


def _keep_serialized_rollback_working() -> None:
    """Once Playwright runs its event loop in this thread, Django hands out a different
    (context-local) connection object, which lacks the serialized rows that
    ``serialized_rollback`` restores after a flush. Without them, every transactional test
    after the first browser test found no terms of litigation and no case-type catalogue."""
    from django.db import connections

    connection = connections["default"]
    if _SERIALIZED.get("default") and not getattr(connection, "_test_serialized_contents", ""):
        connection._test_serialized_contents = _SERIALIZED["default"]  # type: ignore[attr-defined]
