"""Helpers for trial tests, built through the services as people would build them.

- ``courtroom()``: an active virtual courtroom.
- ``assistant()``: a judicial assistant (书记员 / 法官助理) who may clerk a hearing.
- ``case_ready_for_hearing(alice, bob, clerk, judge)``: Alice v. Beta Tech, Bob has linked
  Beta Tech, read the complaint and answered; the judge opened evidence exchange.
- ``scheduled_hearing(case, judge)``: a hearing scheduled by the judge through
  ``hearing_schedule`` (summons issued), a week from now at 09:30 court time.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import count

from django.test import TestCase
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases import services as case_services
from ecourt.cases.models import Case
from ecourt.delivery.tests.factories import beta_case, link_beta
from ecourt.hearings.models import Courtroom, Hearing

ANSWER = "The photographs were licensed to us by the photographer's agency in 2025."

_numbers = count(1)


def courtroom(name: str = "Courtroom 1", code: str = "courtroom-1") -> Courtroom:
    """An active virtual courtroom (the same one when called twice with the same code)."""
    room, _ = Courtroom.objects.get_or_create(code=code, defaults={"name": name})
    return room


def assistant(name: str = "Assistant Sun") -> User:
    """Court staff holding Role.JUDICIAL_ASSISTANT, with an enrolled authenticator (as the
    ``clerk`` and ``judge`` personas in ecourt/conftest.py)."""
    user = VerifiedUserFactory(display_name=name, roles=[Role.JUDICIAL_ASSISTANT])
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def case_ready_for_hearing(alice: User, bob: User, clerk: User, judge: User) -> Case:
    """Alice v. Beta Tech with Judge ``judge``: Bob linked Beta Tech, read the complaint (that
    serves it), answered (that ends the answer period), and the judge opened evidence
    exchange. ``clerk`` is the filing clerk who docketed it."""
    # The association code is texted on commit; tests run in a transaction never committed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        case = beta_case(alice, bob, clerk, judge)
    link_beta(bob, case)
    case_services.complaint_open(actor=bob, case_id=case.pk)
    case_services.response_file(actor=bob, case_id=case.pk, kind="answer", text=ANSWER)
    case_services.case_open_evidence_exchange(actor=judge, case_id=case.pk)
    case.refresh_from_db()
    return case


def next_slot(days: int = 7, at: time = time(9, 30)) -> datetime:
    """``days`` from today at ``at``, court time (aware)."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, at))


def scheduled_hearing(
    case: Case,
    judge: User,
    *,
    clerk: User | None = None,
    room: Courtroom | None = None,
    starts_at: datetime | None = None,
    minutes: int = 60,
) -> Hearing:
    """The judge schedules a hearing of ``case`` through ``hearing_schedule`` (participants
    created, case moved to hearing_scheduled, summons issued and served).

    ``clerk`` defaults to a new ``assistant()``; a user passed without Role.JUDICIAL_ASSISTANT
    (e.g. the filing-clerk persona) is granted it. ``starts_at`` defaults to a week from today
    at 09:30 court time."""
    from ecourt.hearings.services.scheduling import hearing_schedule

    if clerk is None:
        clerk = assistant(f"Assistant {next(_numbers)}")
    elif not clerk.has_role(Role.JUDICIAL_ASSISTANT):
        clerk.role_grants.get_or_create(role=Role.JUDICIAL_ASSISTANT)
        clerk = User.objects.get(pk=clerk.pk)  # drop any cached roles
    return hearing_schedule(
        actor=judge,
        case_id=case.pk,
        starts_at=starts_at or next_slot(),
        minutes=minutes,
        courtroom_id=(room or courtroom()).pk,
        clerk_id=clerk.pk,
    )


def ensure_seal() -> None:
    """Make the court seal's demo key pair where the settings look for it, once per run (the
    test settings may already have)."""
    from ecourt.documents.sign import seal_generate, seal_paths

    key_path, cert_path = seal_paths()
    if not key_path.exists() and not cert_path.exists():
        seal_generate(key_path, cert_path, common_name="Test Internet Court")
