"""Writes for a person's own account: sign-up, profile, contact details, passwords."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts import rules
from ecourt.accounts.models import (
    OneTimeCode,
    RoleGrant,
    User,
)
from ecourt.accounts.notices import text_person
from ecourt.accounts.otp import otp_send, otp_verify
from ecourt.accounts.roles import Role
from ecourt.accounts.signin import login_record
from ecourt.core import context
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.text import clean_text

# --- Security notices ------------------------------------------------------------------------


def _security_notice(
    user: User, *, to: str, text: Promise, params: dict[str, str] | None = None
) -> None:
    text_person(user, to=to, text=text, params=params, purpose="accounts.security")


# --- Registration and contact details ---------------------------------------------------------


def registration_start(*, mobile: str, language: str) -> None:
    """First step of sign-up: refuse a number that has an account, else text it a code."""
    if User.objects.filter(mobile=mobile).exists():
        raise DomainError(
            _("An account with this mobile number already exists. Sign in instead."),
            code="mobile_taken",
            field="mobile",
        )
    otp_send(
        channel=OneTimeCode.Channel.SMS,
        destination=mobile,
        purpose="register",
        ip_hash=context.current().ip_hash,
        language=language,
    )


def user_register(
    *,
    mobile: str,
    display_name: str,
    preferred_language: str,
    code: str,
    password_hash: str | None = None,
    password: str | None = None,
) -> User:
    """Create a litigant account once the mobile number's one-time code checks out.

    The web sign-up hashes the password before the code step so the plain password never sits
    in the session (``password_hash``); the API passes ``password``, hashed only after the code
    is right, so wrong codes cost no argon2 work. An email address is added later, from the
    profile, with its own code: only proven addresses are kept.
    """
    display_name = clean_text(display_name, field="display_name", max_length=100)
    otp_verify(destination=mobile, purpose="register", code=code)
    if password_hash is None:
        if password is None:
            raise ValueError("user_register needs password or password_hash")
        password_hash = make_password(password)
    now = timezone.now()
    try:
        with transaction.atomic():
            if User.objects.filter(mobile=mobile).exists():
                raise DomainError(
                    _("An account with this mobile number already exists. Sign in instead."),
                    code="mobile_taken",
                    field="mobile",
                )
            user = User(
                mobile=mobile,
                display_name=display_name,
                preferred_language=preferred_language,
                mobile_verified_at=now,
                password=password_hash,
            )
            user.save()
            RoleGrant.objects.create(user=user, role=Role.LITIGANT)
            audit_record(
                code="ecourt.accounts.user.registered",
                actor=user,
                target=user,
                new={"mobile": rules.mask_mobile(mobile), "roles": [Role.LITIGANT]},
            )
    except IntegrityError as exc:  # two sign-ups racing for one number
        raise DomainError(
            _("An account with this mobile number already exists. Sign in instead."),
            code="mobile_taken",
            field="mobile",
        ) from exc
    return user


def user_update_profile(
    *, actor: User, user: User, display_name: str, preferred_language: str
) -> User:
    display_name = clean_text(display_name, field="display_name", max_length=100)
    if preferred_language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."), code="language_unknown", field="language")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        old = {"display_name": locked.display_name, "preferred_language": locked.preferred_language}
        new = {"display_name": display_name, "preferred_language": preferred_language}
        if old == new:
            return locked
        locked.display_name = display_name
        locked.preferred_language = preferred_language
        locked.save(update_fields=["display_name", "preferred_language"])
        audit_record(
            code="ecourt.accounts.user.profile_changed",
            actor=actor,
            target=locked,
            old=old,
            new=new,
        )
    return locked


def user_set_language(*, actor: User, language: str) -> None:
    """Remember the language a signed-in person chose in the header switcher."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."), code="language_unknown")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        if locked.preferred_language == language:
            return
        old = locked.preferred_language
        locked.preferred_language = language
        locked.save(update_fields=["preferred_language"])
        audit_record(
            code="ecourt.accounts.user.language_changed",
            actor=actor,
            target=locked,
            old={"preferred_language": old},
            new={"preferred_language": language},
        )


def user_change_mobile(*, actor: User, new_mobile: str, code: str) -> User:
    otp_verify(destination=new_mobile, purpose="change_mobile", code=code)
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=actor.pk)
            if User.objects.filter(mobile=new_mobile).exclude(pk=locked.pk).exists():
                raise DomainError(
                    _("Another account already uses this mobile number."),
                    code="mobile_taken",
                    field="mobile",
                )
            old = locked.mobile
            locked.mobile = new_mobile
            locked.mobile_verified_at = timezone.now()
            locked.save(update_fields=["mobile", "mobile_verified_at"])
            audit_record(
                code="ecourt.accounts.user.mobile_changed",
                actor=actor,
                target=locked,
                old={"mobile": rules.mask_mobile(old)},
                new={"mobile": rules.mask_mobile(new_mobile)},
            )
            # Tell the old number: if this was not its owner, they learn at once.
            _security_notice(
                locked,
                to=old,
                text=gettext_lazy(
                    "The mobile number of your account was changed to %(new)s. If you did not do "
                    "this, contact the court's support desk now."
                ),
                params={"new": rules.mask_mobile(new_mobile)},
            )
    except IntegrityError as exc:  # another account took it at the same moment
        raise DomainError(
            _("Another account already uses this mobile number."),
            code="mobile_taken",
            field="mobile",
        ) from exc
    return locked


def user_change_email(*, actor: User, new_email: str, code: str) -> User:
    new_email = new_email.strip().lower()
    otp_verify(destination=new_email, purpose="change_email", code=code)
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=actor.pk)
            if User.objects.filter(email=new_email).exclude(pk=locked.pk).exists():
                raise DomainError(
                    _("Another account already uses this email address."),
                    code="email_taken",
                    field="email",
                )
            old = locked.email or ""
            locked.email = new_email
            locked.email_verified_at = timezone.now()
            locked.save(update_fields=["email", "email_verified_at"])
            audit_record(
                code="ecourt.accounts.user.email_changed",
                actor=actor,
                target=locked,
                old={"email": old},
                new={"email": new_email},
            )
            _security_notice(
                locked,
                to=locked.mobile,
                text=gettext_lazy(
                    "The email address of your account was changed to %(new)s. If you did not do "
                    "this, contact the court's support desk now."
                ),
                params={"new": new_email},
            )
    except IntegrityError as exc:  # another account took it at the same moment
        raise DomainError(
            _("Another account already uses this email address."), code="email_taken", field="email"
        ) from exc
    return locked


def user_change_password(*, actor: User, new_password: str) -> None:
    """Set a new password (the form has checked the old one and the validators)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=actor.pk)
        locked.set_password(new_password)
        locked.save(update_fields=["password"])
        audit_record(code="ecourt.accounts.user.password_changed", actor=actor, target=locked)
        _security_notice(
            locked,
            to=locked.mobile,
            text=gettext_lazy(
                "The password of your account was changed. If you did not do this, reset it "
                "now and contact the court's support desk."
            ),
        )


def user_reset_password(*, mobile: str, code: str, new_password: str) -> User:
    """Forgotten password: proven by a code sent to the account's mobile number."""
    from axes.utils import reset

    otp_verify(destination=mobile, purpose="reset_password", code=code)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(mobile=mobile, is_active=True).first()
        if user is None:
            raise DomainError(_("No active account uses this mobile number."), code="user_missing")
        user.set_password(new_password)
        user.save(update_fields=["password"])
        # The paused sign-in page offers this reset as the way out: the guesses counted
        # against the old password no longer matter once the person proved the number.
        cleared = sum(
            int(reset(username=login) or 0) for login in (user.mobile, user.email) if login
        )
        # A good event ends the per-account pause too (selectors.password_failures_recent).
        login_record(user=user, succeeded=True, method="password_reset", user_agent="")
        audit_record(
            code="ecourt.accounts.user.password_reset",
            actor=None,
            target=user,
            new={"sign_in_attempts_cleared": cleared},
        )
    return user
