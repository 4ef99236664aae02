"""Who may open which page. Views call these first."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from ecourt.accounts.roles import STAFF_ROLES

View = Callable[..., HttpResponseBase]


def otp_verified(user: Any) -> bool:
    """True when this session passed the TOTP step (set by django-otp's middleware)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def staff_required(*roles: str) -> Callable[[View], View]:
    """Staff pages: sign-in, one of ``roles`` (any staff role when empty) and a TOTP-verified
    session. People without the role get 403: staff pages show no case data."""
    wanted = frozenset(roles) or STAFF_ROLES

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_role(*wanted):
                raise PermissionDenied
            if not otp_verified(user):
                # StaffOtpRequiredMiddleware normally redirects first; this is the backstop.
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def require_roles(user: Any, *roles: str) -> None:
    """For the API: raise a 403 problem unless the signed-in person holds one of ``roles``.

    Staff sessions reach the API only after the TOTP step (StaffOtpRequiredMiddleware).
    """
    from django.utils.translation import gettext as _

    from ecourt.core.errors import PermissionDenied as DomainPermissionDenied

    if not getattr(user, "is_authenticated", False) or not user.has_role(*roles):
        raise DomainPermissionDenied(_("You do not have permission to do this."), code="forbidden")
