"""Sign in with a mobile number or an email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from ecourt.accounts.models import User
from ecourt.accounts.rules import IdentityRuleError, normalise_mobile


def canonical_login(identifier: str) -> str:
    """The identifier as stored: lower-case email, or E.164 mobile; unchanged when unparseable."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return identifier.lower()
    try:
        return normalise_mobile(identifier)
    except IdentityRuleError:
        return identifier


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Lockouts count per canonical login, so +86 138… and 138… are the same name. An email
    counts apart from its mobile: linking them would let a stranger test which email belongs
    to which number by locking one and trying the other."""
    raw = ""
    if credentials:
        raw = str(credentials.get("username", ""))
    elif request is not None and hasattr(request, "POST"):
        raw = str(request.POST.get("username", ""))
    return canonical_login(raw)


def user_for_login(identifier: str) -> User | None:
    login = canonical_login(identifier)
    if "@" in login:
        # Only an address the person proved is theirs may be used to sign in.
        return User.objects.filter(email=login, email_verified_at__isnull=False).first()
    return User.objects.filter(mobile=login).first()


class MobileOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = user_for_login(username)
        if user is None:
            # Run the hasher anyway so response time does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
