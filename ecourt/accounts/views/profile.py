"""The profile page: name, language, contact details (re-verified), password, login history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecourt.accounts import selectors
from ecourt.accounts.forms import (
    ChangeEmailForm,
    ChangeMobileForm,
    CodeForm,
    PasswordChangeForm,
    ProfileForm,
)
from ecourt.accounts.models import OneTimeCode, User
from ecourt.accounts.otp import otp_send
from ecourt.accounts.rules import mask_mobile
from ecourt.accounts.services import (
    user_change_email,
    user_change_mobile,
    user_change_password,
    user_update_profile,
)
from ecourt.accounts.views.auth import remember_language
from ecourt.core import context
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error

_PENDING = "ecourt_contact_change"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _page(request: HttpRequest, **forms: object) -> HttpResponse:
    user = _user(request)
    context_data: dict[str, object] = {
        "profile_form": ProfileForm(
            initial={
                "display_name": user.display_name,
                "preferred_language": user.preferred_language,
            }
        ),
        "mobile_form": ChangeMobileForm(),
        "email_form": ChangeEmailForm(),
        "password_form": PasswordChangeForm(user),
        "pending": request.session.get(_PENDING),
        "code_form": CodeForm(),
        "history": selectors.login_history(user),
        "masked_mobile": mask_mobile(user.mobile),
    }
    context_data.update(forms)
    status = 400 if forms else 200
    return render(request, "accounts/profile.html", context_data, status=status)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def profile_update(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user = user_update_profile(
                actor=user,
                user=user,
                display_name=form.cleaned_data["display_name"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return remember_language(redirect("accounts:profile"), user.preferred_language)
    return _page(request, profile_form=form)


@login_required
@require_POST
def contact_change_start(request: HttpRequest) -> HttpResponse:
    """Send a code to the new mobile number or email; the change waits for that code."""
    user = _user(request)
    kind = request.POST.get("kind")
    form: ChangeMobileForm | ChangeEmailForm
    if kind == "mobile":
        form = ChangeMobileForm(request.POST, user=user, request=request)
        form_key = "mobile_form"
    else:
        form = ChangeEmailForm(request.POST, user=user, request=request)
        form_key = "email_form"
    if not form.is_valid():
        return _page(request, **{form_key: form})
    destination = form.cleaned_data["mobile" if kind == "mobile" else "email"].lower()
    try:
        otp_send(
            channel=OneTimeCode.Channel.SMS if kind == "mobile" else OneTimeCode.Channel.EMAIL,
            destination=destination,
            purpose="change_mobile" if kind == "mobile" else "change_email",
            ip_hash=context.current().ip_hash,
            language=user.preferred_language,
            user=user,
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return _page(request, **{form_key: form})
    request.session[_PENDING] = {"kind": kind, "destination": destination}
    messages.info(
        request,
        _("We sent a code to %(destination)s. Enter it below.")
        % {"destination": destination if kind == "email" else mask_mobile(destination)},
    )
    return redirect("accounts:profile")


@login_required
@require_POST
def contact_change_confirm(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    pending = request.session.get(_PENDING)
    if not pending:
        return redirect("accounts:profile")
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            if pending["kind"] == "mobile":
                user_change_mobile(
                    actor=user, new_mobile=pending["destination"], code=form.cleaned_data["code"]
                )
            else:
                user_change_email(
                    actor=user, new_email=pending["destination"], code=form.cleaned_data["code"]
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            del request.session[_PENDING]
            messages.success(request, _("Your contact details are changed."))
            return redirect("accounts:profile")
    return _page(request, code_form=form)


@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(user, request.POST, request=request)
    if form.is_valid():
        user_change_password(actor=user, new_password=form.cleaned_data["password1"])
        user.refresh_from_db()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed."))
        return redirect("accounts:profile")
    return _page(request, password_form=form)
