"""Writes for roles and sign-in lockouts: court administrators only, every change audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ecourt.accounts import rules
from ecourt.accounts.backends import user_for_login
from ecourt.accounts.models import (
    RoleGrant,
    User,
)
from ecourt.accounts.roles import PUBLIC_ROLES, STAFF_ROLES, Role
from ecourt.accounts.signin import login_record
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied

# --- Roles ----------------------------------------------------------------------------------


def grant_role_from_review(*, actor: User | None, user_id: int, role: str) -> bool:
    """Grant a role that follows from an approved review (lawyer, company representative)."""
    return _grant(actor=actor, user_id=user_id, role=role)


def _grant(*, actor: User | None, user_id: int, role: str) -> bool:
    grant, created = RoleGrant.objects.get_or_create(
        user_id=user_id, role=role, defaults={"granted_by": actor}
    )
    if created:
        audit_record(
            code="ecourt.accounts.role.granted",
            actor=actor,
            target=grant.user,
            new={"role": role},
        )
    return created


def role_grant(*, actor: User, user_id: int, role: str) -> bool:
    """A court administrator grants a staff role. Returns False when the person already has it."""
    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(_("Only a court administrator may grant roles."), code="not_admin")
    if role not in STAFF_ROLES:
        raise DomainError(
            _("This role follows from the person's own registration and cannot be granted."),
            code="role_not_grantable",
            field="role",
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        created = _grant(actor=actor, user_id=user.pk, role=role)
        if role == Role.COURT_ADMIN and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    return created


def role_revoke(*, actor: User, user_id: int, role: str) -> bool:
    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(_("Only a court administrator may revoke roles."), code="not_admin")
    if role in PUBLIC_ROLES:
        raise DomainError(
            _("This role follows from the person's own registration and cannot be revoked here."),
            code="role_not_grantable",
            field="role",
        )
    if role == Role.COURT_ADMIN and user_id == actor.pk:
        raise DomainError(
            _("You cannot remove your own administrator role; ask another administrator."),
            code="own_admin_role",
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user_id)
        deleted, _count = RoleGrant.objects.filter(user=user, role=role).delete()
        if not deleted:
            return False
        if role == Role.COURT_ADMIN and user.is_staff:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
        audit_record(
            code="ecourt.accounts.role.revoked", actor=actor, target=user, old={"role": role}
        )
    return True


def account_unlock(*, actor: User, username: str) -> int:
    """Lift a sign-in lockout (django-axes) for a login name; returns attempts cleared."""
    from axes.utils import reset

    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(
            _("Only a court administrator may unlock accounts."), code="not_admin"
        )
    with transaction.atomic():
        # Clear every login name of the account (mobile and email count apart), and end a
        # per-account pause with a good event.
        user = user_for_login(username)
        names = {username}
        if user is not None:
            names |= {login for login in (user.mobile, user.email) if login}
            login_record(user=user, succeeded=True, method="unlock", user_agent="")
        cleared = sum(int(reset(username=name) or 0) for name in names)
        audit_record(
            code="ecourt.accounts.user.unlocked",
            actor=actor,
            target=user,
            new={"username": rules.mask_mobile(username), "attempts_cleared": cleared},
        )
    return cleared
