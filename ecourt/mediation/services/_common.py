"""What the mediation services share: locking, the guard, the timeline, who acts for whom."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import Party
from ecourt.cases.services._common import render_in
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.mediation.models import (
    MEDIATION_TRANSITIONS,
    Mediation,
    MediationEvent,
    MediationStatus,
)

M = MediationStatus


def lock_mediation(mediation_id: int) -> Mediation:
    try:
        # of=self: the mediator is an outer join, which PostgreSQL will not lock.
        return (
            Mediation.objects.select_for_update(of=("self",))
            .select_related("application", "mediator")
            .get(pk=mediation_id)
        )
    except Mediation.DoesNotExist:
        raise DomainError(_("No such mediation."), code="not_found") from None


def guard_move(mediation: Mediation, to: str) -> None:
    if to not in MEDIATION_TRANSITIONS[mediation.status]:
        raise DomainError(
            _("This cannot be done while the mediation is “%(status)s”.")
            % {"status": mediation.get_status_display()},
            code="illegal_transition",
        )


def require_open(mediation: Mediation, *, in_progress: bool = True) -> None:
    """The room is open once the mediator has accepted, until the mediation ends."""
    wanted = {M.IN_PROGRESS} if in_progress else {M.AWAITING_MEDIATOR, M.ASSIGNED, M.IN_PROGRESS}
    if mediation.status not in wanted:
        raise DomainError(
            _("This cannot be done while the mediation is “%(status)s”.")
            % {"status": mediation.get_status_display()},
            code="illegal_transition",
        )


def event_add(
    *,
    mediation: Mediation,
    code: str,
    text: str | Promise,
    params: Mapping[str, Any] | None = None,
    actor: User | None = None,
) -> MediationEvent:
    """Append a line to the timeline the parties see. The caller holds the mediation lock."""
    last = MediationEvent.objects.filter(mediation=mediation).aggregate(n=Max("number"))["n"] or 0
    return MediationEvent.objects.create(
        mediation=mediation,
        number=last + 1,
        code=code,
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        text_en=render_in(text, params, "en"),
        text_zh=render_in(text, params, "zh-hans"),
    )


def mediation_parties(mediation: Mediation) -> list[Party]:
    """Every party of the dispute: all of them sign, consent and may be written to."""
    return list(Party.objects.filter(application_id=mediation.application_id))


def acting_parties(actor: User, mediation: Mediation) -> list[Party]:
    """The parties ``actor`` acts as or for: a linked account, an appointed agent, or the
    person who filed (for the plaintiffs)."""
    condition = Q(user=actor) | Q(agents__user=actor)
    if mediation.application.created_by_id == actor.pk:
        condition |= Q(side="plaintiff")
    return list(
        Party.objects.filter(application_id=mediation.application_id).filter(condition).distinct()
    )


def require_party(actor: User, mediation: Mediation, party_id: int | None = None) -> list[Party]:
    """The parties ``actor`` acts for (only ``party_id`` when given), or a 404-like error."""
    parties = acting_parties(actor, mediation)
    if party_id is not None:
        parties = [p for p in parties if p.pk == party_id]
    if not parties:
        raise PermissionDenied(_("You are not a party to this mediation."), code="not_party")
    return parties


def is_mediator_of(actor: User, mediation: Mediation) -> bool:
    return mediation.mediator is not None and mediation.mediator.user_id == actor.pk


def require_mediator(actor: User, mediation: Mediation) -> None:
    if not is_mediator_of(actor, mediation):
        raise PermissionDenied(
            _("Only the mediator of this matter can do this."), code="not_mediator"
        )


def require_clerk(actor: User) -> None:
    if not actor.has_role(Role.FILING_CLERK):
        raise PermissionDenied(_("Only a filing clerk can do this."), code="not_clerk")


def require_admin(actor: User) -> None:
    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(_("Only a court administrator can do this."), code="not_court_admin")
