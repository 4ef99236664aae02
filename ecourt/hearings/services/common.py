"""Helpers the hearing services share: locking, who may do what, the participant list."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import Agent, Case, Party
from ecourt.cases.services._common import lock_case
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.hearings.models import (
    AsyncTrial,
    CourtRecord,
    Hearing,
    HearingParticipant,
    HearingStatus,
    ParticipantRole,
)


def resource_locks(keys: Iterable[str]) -> None:
    """Transaction-scoped locks on ``keys``, taken in sorted order (no deadlock between two
    callers). PostgreSQL: advisory locks. SQLite needs none: its transactions start IMMEDIATE
    (settings), so writers already run one at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def lock_hearing(hearing_id: int) -> tuple[Case, Hearing]:
    """Lock the case, then the hearing (the order every trial service uses)."""
    case_id = Hearing.objects.filter(pk=hearing_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise DomainError(_("No such hearing."), code="not_found")
    case = lock_case(case_id)
    return case, Hearing.objects.select_for_update().get(pk=hearing_id)


def lock_record(record_id: int) -> tuple[Case, CourtRecord]:
    case_id = CourtRecord.objects.filter(pk=record_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise DomainError(_("No such record."), code="not_found")
    case = lock_case(case_id)
    return case, CourtRecord.objects.select_for_update().get(pk=record_id)


def lock_async_trial(trial_id: int) -> tuple[Case, AsyncTrial]:
    case_id = AsyncTrial.objects.filter(pk=trial_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise DomainError(_("No such asynchronous trial."), code="not_found")
    case = lock_case(case_id)
    return case, AsyncTrial.objects.select_for_update().get(pk=trial_id)


def is_case_judge(user: User, case: Case) -> bool:
    return bool(user.is_authenticated and case.judge_id == user.pk and user.has_role(Role.JUDGE))


def require_case_judge(user: User, case: Case) -> None:
    """Only the judge assigned to the case (CPL Art. 44: the judge who tries it decides)."""
    if not is_case_judge(user, case):
        raise PermissionDenied(_("Only the judge of this case may do this."), code="not_judge")


def parties_for(user: User, case: Case) -> list[Party]:
    """The parties of ``case`` that ``user`` is, or is an agent for."""
    if not user.is_authenticated:
        return []
    return list(case.parties.filter(Q(user=user) | Q(agents__user=user)).distinct().order_by("pk"))


def participant_for(user: User, hearing: Hearing) -> HearingParticipant | None:
    if not user.is_authenticated:
        return None
    return hearing.participants.filter(user=user).first()


def require_case_open(case: Case) -> None:
    """Nothing more happens in the trial of a closed (or appealed) case."""
    if not case.is_open:
        raise DomainError(
            _("This case is “%(status)s”: nothing more happens in its trial.")
            % {"status": case.get_status_display()},
            code="case_closed",
        )


def participant_sync(hearing: Hearing) -> list[HearingParticipant]:
    """Bring the participant list up to date with the case: the list is copied when the
    hearing is scheduled, but a party may link its account, or appoint an agent, later.
    Fills ``user`` on party rows from the party's linked account and adds a row for each
    agent appointed since. An account already listed is not listed again (one row per
    account, as at scheduling). Idempotent and safe to run concurrently (each write is its
    own savepoint; a clash on the one-row-per-account constraint means someone else wrote it
    first). Nothing changes on a cancelled hearing or once its record is complete.
    Returns the rows changed or added."""
    if hearing.status == HearingStatus.CANCELLED:
        return []
    if CourtRecord.objects.filter(hearing=hearing, completed_at__isnull=False).exists():
        return []
    rows = list(hearing.participants.select_related("party"))
    present = {row.user_id for row in rows if row.user_id is not None}
    parties = {row.party_id: row for row in rows if row.role == ParticipantRole.PARTY and row.party}
    changed: list[HearingParticipant] = []
    for row in parties.values():
        assert row.party is not None
        user_id = row.party.user_id
        if row.user_id is not None or user_id is None or user_id in present:
            continue
        try:
            with transaction.atomic():
                updated = HearingParticipant.objects.filter(pk=row.pk, user__isnull=True).update(
                    user_id=user_id
                )
        except IntegrityError:  # listed meanwhile by a concurrent sync
            continue
        if updated:
            row.user_id = user_id
            present.add(user_id)
            changed.append(row)
    agents = (
        Agent.objects.filter(party_id__in=list(parties))
        .exclude(user_id__in=present)
        .select_related("user", "party")
        .order_by("appointed_at", "pk")
    )
    for agent in agents:
        if agent.user_id in present:
            continue
        offline = parties[agent.party_id].offline or agent.party.online_litigation is False
        try:
            with transaction.atomic():
                added = HearingParticipant.objects.create(
                    hearing=hearing,
                    role=ParticipantRole.AGENT,
                    party=agent.party,
                    user=agent.user,
                    name=agent.user.display_name,
                    offline=offline,
                )
        except IntegrityError:  # listed meanwhile by a concurrent sync
            continue
        present.add(agent.user_id)
        changed.append(added)
    return changed


def is_hearing_staff(user: User, hearing: Hearing) -> bool:
    """The hearing's judge and clerk."""
    return bool(user.is_authenticated and user.pk in (hearing.judge_id, hearing.clerk_id))


def require_clerk(user: User, hearing: Hearing) -> None:
    """The record is written by the hearing's clerk (the judge may stand in)."""
    if not is_hearing_staff(user, hearing):
        raise PermissionDenied(
            _("Only the clerk of this hearing may write its record."), code="not_clerk"
        )


def is_past_identity_check(
    user: User, hearing: Hearing, participant: HearingParticipant | None
) -> bool:
    """Whether ``user`` is inside the room (sees the live record, the evidence shown and the
    video link; the judge starts and ends, the clerk types). Parties and agents must pass the
    fresh texted code (``verified_at``). The hearing's judge and clerk need not: court staff
    sign in with a password and an authenticator code (two factors) every time, so their
    identity is already checked; they act as soon as they open the room."""
    if is_hearing_staff(user, hearing) and (
        participant is None or participant.role in (ParticipantRole.JUDGE, ParticipantRole.CLERK)
    ):
        return True
    return participant is not None and participant.verified_at is not None
