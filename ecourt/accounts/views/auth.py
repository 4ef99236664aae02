"""Signing in and out, and the TOTP step for court staff."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts.backends import user_for_login
from ecourt.accounts.forms import LoginForm, TotpForm
from ecourt.accounts.models import User
from ecourt.accounts.selectors import password_failures_recent
from ecourt.accounts.signin import login_record, totp_device_confirm, totp_device_start
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )
    return response


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("accounts:dashboard")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agent = request.headers.get("User-Agent", "")
        known = user_for_login(form.cleaned_data["username"])
        paused = (
            known is not None
            and password_failures_recent(known) >= settings.ECOURT_ACCOUNT_FAILURE_LIMIT
        )
        # Authenticate even while paused, so the answer takes as long and passes through the
        # same lockout as any other: the pause must not be observable from outside.
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request, None)
        if paused and user is not None:
            # The right password during a pause: refused like a wrong one, but recorded as
            # what it was (the owner sees it in their history; it does not extend the pause).
            login_record(user=known, succeeded=False, method="paused", user_agent=agent)
            user = None
        elif user is None:
            login_record(user=known, succeeded=False, method="password", user_agent=agent)
        if user is None:
            form.add_error(
                None,
                _(
                    "The mobile number, email or password is not right. After %(limit)d failed "
                    "tries, signing in is paused."
                )
                % {"limit": settings.AXES_FAILURE_LIMIT},
            )
        else:
            login(request, user)
            login_record(user=user, succeeded=True, method="password", user_agent=agent)
            assert isinstance(user, User)
            if user.is_court_staff:
                target = "accounts:otp_verify"
                if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                    target = "accounts:otp_setup"
                url = reverse(target)
                next_url = safe_next(request, "")
                # Encoded, or a next address with its own query (&) would be cut short.
                query = urlencode({"next": next_url})
                response = HttpResponseRedirect(f"{url}?{query}" if next_url else url)
            else:
                response = HttpResponseRedirect(safe_next(request, reverse("accounts:dashboard")))
            return remember_language(response, user.preferred_language)
    return render(request, "accounts/login.html", {"form": form, "next": safe_next(request, "")})


def locked_out(request: HttpRequest, credentials: Any, *args: Any, **kwargs: Any) -> HttpResponse:
    """Shown by django-axes when a login is paused after too many failures."""
    minutes = None
    if settings.AXES_COOLOFF_TIME:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    logout(request)
    messages.success(request, _("You have signed out."))
    return remember_language(redirect("core:home"), language)


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not user.is_court_staff or user.is_verified():  # type: ignore[attr-defined]
        return redirect(safe_next(request, reverse("accounts:dashboard")))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_setup")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            form.add_error(
                None, _("Too many wrong codes. Wait a minute, then try the newest code.")
            )
        elif device.verify_token(form.cleaned_data["token"].strip()):
            otp_login(request, device)
            login_record(
                user=user,
                succeeded=True,
                method="totp",
                user_agent=request.headers.get("User-Agent", ""),
            )
            return redirect(safe_next(request, reverse("accounts:dashboard")))
        else:
            login_record(
                user=user,
                succeeded=False,
                method="totp",
                user_agent=request.headers.get("User-Agent", ""),
            )
            form.add_error("token", _("That code is not right. Use the newest code in the app."))
    return render(
        request, "accounts/otp_verify.html", {"form": form, "next": safe_next(request, "")}
    )


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not user.is_court_staff:
        return redirect("accounts:dashboard")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        # Re-enrolment needs an administrator's reset: a stolen password must not be enough.
        return redirect("accounts:otp_verify")
    device = totp_device_start(actor=user)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_device_confirm(
                actor=user, device_id=device.pk, token=form.cleaned_data["token"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(safe_next(request, reverse("accounts:dashboard")))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "secret": secret, "qr": qr, "next": safe_next(request, "")},
    )
