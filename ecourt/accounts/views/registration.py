"""Signing up with a mobile number, and resetting a forgotten password."""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ecourt.accounts.forms import (
    CodeForm,
    PasswordResetConfirmForm,
    PasswordResetRequestForm,
    RegistrationForm,
)
from ecourt.accounts.models import OneTimeCode, User
from ecourt.accounts.otp import CodeError, otp_send
from ecourt.accounts.rules import mask_mobile
from ecourt.accounts.services import registration_start, user_register, user_reset_password
from ecourt.accounts.views.auth import remember_language
from ecourt.core import context
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error

_SESSION_KEY = "ecourt_registration"
_RESET_KEY = "ecourt_password_reset"


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    initial = {"preferred_language": get_language()}
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration_start(mobile=data["mobile"], language=data["preferred_language"])
        except DomainError as exc:
            form.add_error("mobile", str(exc.message))
        else:
            request.session[_SESSION_KEY] = {
                "mobile": data["mobile"],
                "display_name": data["display_name"],
                "preferred_language": data["preferred_language"],
                "password_hash": make_password(data["password1"]),
            }
            return redirect("accounts:register_verify")
    return render(request, "accounts/register.html", {"form": form})


def register_verify(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(_SESSION_KEY)
    if not pending:
        messages.info(request, _("Start by entering your details."))
        return redirect("accounts:register")
    form = CodeForm()
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            otp_send(
                channel=OneTimeCode.Channel.SMS,
                destination=pending["mobile"],
                purpose="register",
                ip_hash=context.current().ip_hash,
                language=pending["preferred_language"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("A new code is on its way."))
        return redirect("accounts:register_verify")
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                user = user_register(
                    mobile=pending["mobile"],
                    display_name=pending["display_name"],
                    password_hash=pending["password_hash"],
                    preferred_language=pending["preferred_language"],
                    code=form.cleaned_data["code"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                del request.session[_SESSION_KEY]
                login(request, user, backend="ecourt.accounts.backends.MobileOrEmailBackend")
                messages.success(request, _("Your account is ready. Next, verify your identity."))
                return remember_language(redirect("accounts:identity"), user.preferred_language)
    return render(
        request,
        "accounts/register_verify.html",
        {"form": form, "masked_mobile": mask_mobile(pending["mobile"])},
    )


def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        if User.objects.filter(mobile=mobile, is_active=True).exists():
            # A throttled request gets the same answer: a refusal shown only for numbers that
            # have an account would reveal who has one. The code sent earlier still works.
            with suppress(DomainError):
                otp_send(
                    channel=OneTimeCode.Channel.SMS,
                    destination=mobile,
                    purpose="reset_password",
                    ip_hash=context.current().ip_hash,
                    language=get_language() or "zh-hans",
                )
        # Same answer whether or not the number has an account, so the page reveals nobody.
        request.session[_RESET_KEY] = mobile
        messages.info(request, _("If an account uses this number, a code is on its way to it."))
        return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    mobile = request.session.get(_RESET_KEY)
    if not mobile:
        return redirect("accounts:password_reset")
    form = PasswordResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_reset_password(
                mobile=mobile,
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["password1"],
            )
        except CodeError:
            # One answer for a wrong, expired or missing code: "no code is waiting" would
            # tell a stranger that this number has no account.
            form.add_error(
                "code", _("That code is not right or no longer valid. Ask for a new code.")
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            del request.session[_RESET_KEY]
            messages.success(request, _("Your password is changed. Sign in with it now."))
            return redirect("accounts:login")
    return render(
        request,
        "accounts/password_reset_confirm.html",
        {"form": form, "masked_mobile": mask_mobile(mobile)},
    )
