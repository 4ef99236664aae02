"""Helpers the delivery services share: locking, guarded status moves, events, who is who."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import Case, Party
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.delivery.models import DELIVERY_TRANSITIONS, Delivery, DeliveryEvent


def lock_delivery(delivery_id: int) -> Delivery:
    try:
        return Delivery.objects.select_for_update().get(pk=delivery_id)
    except Delivery.DoesNotExist:
        raise DomainError(_("No such delivery."), code="not_found") from None


def move(delivery: Delivery, to: str) -> None:
    """Set the status if the table allows it (a no-op when it is already there)."""
    if delivery.status == to:
        return
    if to not in DELIVERY_TRANSITIONS[delivery.status]:
        raise DomainError(
            _("This cannot be done while the delivery is “%(status)s”.")
            % {"status": delivery.get_status_display()},
            code="illegal_transition",
        )
    delivery.status = to


def event_add(
    delivery: Delivery,
    kind: str,
    *,
    channel: str = "",
    actor: User | None = None,
    at: Any = None,
    **detail: Any,
) -> DeliveryEvent:
    return DeliveryEvent.objects.create(
        delivery=delivery,
        kind=kind,
        channel=channel,
        at=at or timezone.now(),
        actor=actor,
        detail={k: v for k, v in detail.items() if v not in (None, "")},
    )


def acts_for(user: User, party: Party) -> bool:
    """Whether ``user`` is the party (its linked account) or one of its agents."""
    if not user.is_authenticated:
        return False
    if party.user_id == user.pk:
        return True
    return party.agents.filter(user=user).exists()


def is_recipient(user: User, delivery: Delivery) -> bool:
    if not user.is_authenticated:
        return False
    if delivery.party_id is not None:
        return acts_for(user, delivery.party)  # type: ignore[arg-type]
    return delivery.user_id == user.pk


def is_case_staff(user: User, case: Case) -> bool:
    """Court staff who handle a case's service: filing clerks and the case's judge."""
    if not user.is_authenticated:
        return False
    return user.has_role(Role.FILING_CLERK) or (
        case.judge_id == user.pk and user.has_role(Role.JUDGE)
    )


def require_case_staff(user: User, case: Case) -> None:
    if not is_case_staff(user, case):
        raise PermissionDenied(
            _("Only court staff of this case may do this."), code="not_case_staff"
        )
