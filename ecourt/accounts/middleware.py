from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation


class UserLanguageMiddleware:
    """Signed-in people see pages in the language saved on their account.

    Anonymous visitors get the language cookie, then ``Accept-Language`` (LocaleMiddleware).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.preferred_language
            if language in dict(settings.LANGUAGES) and language != request.LANGUAGE_CODE:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


# Paths a staff member may open before the TOTP step is done.
_OTP_EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz", "/i18n/")


class StaffOtpRequiredMiddleware:
    """Court staff must finish the TOTP step (and enrol first) before any other page works."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_court_staff
            and not user.is_verified()
            and not request.path.startswith(_OTP_EXEMPT_PREFIXES)
        ):
            allowed = {
                reverse("accounts:otp_verify"),
                reverse("accounts:otp_setup"),
                reverse("accounts:logout"),
            }
            if request.path not in allowed:
                if request.path.startswith("/api/"):
                    from ecourt.core.problem import problem_response

                    return problem_response(
                        status=403,
                        code="totp_required",
                        detail="Court staff must complete the TOTP step in the web UI first.",
                    )
                return HttpResponseRedirect(reverse("accounts:otp_verify"))
        return self.get_response(request)
