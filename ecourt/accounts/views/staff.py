"""Staff pages for accounts: the review queue, people and roles, sign-in lockouts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecourt.accounts import selectors
from ecourt.accounts.forms import ReviewDecisionForm, RoleForm, UserSearchForm
from ecourt.accounts.models import (
    CompanyRepresentative,
    IdentityVerification,
    LawyerProfile,
    User,
)
from ecourt.accounts.permissions import staff_required
from ecourt.accounts.roles import IDENTITY_REVIEWER_ROLES, STAFF_ROLES, Role
from ecourt.accounts.services import (
    account_unlock,
    company_representative_review,
    document_view_record,
    identity_review,
    lawyer_review,
    role_grant,
    role_revoke,
)
from ecourt.accounts.signin import totp_device_reset
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error

# kind in the URL → (model, file field, service, id keyword)
_REVIEW_KINDS: dict[str, tuple[Any, str, Any, str]] = {
    "identity": (IdentityVerification, "document_image", identity_review, "verification_id"),
    "company": (
        CompanyRepresentative,
        "authorisation_letter",
        company_representative_review,
        "link_id",
    ),
    "lawyer": (LawyerProfile, "licence_image", lawyer_review, "profile_id"),
}


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@staff_required(*IDENTITY_REVIEWER_ROLES)
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/staff/review_queue.html", selectors.reviews_pending())


@staff_required(*IDENTITY_REVIEWER_ROLES)
def review_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in _REVIEW_KINDS:
        raise Http404
    model, _field, service, id_kw = _REVIEW_KINDS[kind]
    submission = get_object_or_404(model.objects.select_related("user"), pk=pk)
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(
                actor=_actor(request),
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                **{id_kw: submission.pk},
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("accounts:review_queue")
    return render(
        request,
        "accounts/staff/review_detail.html",
        {"submission": submission, "kind": kind, "form": form},
    )


@staff_required(*IDENTITY_REVIEWER_ROLES)
def review_file(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """Uploaded identity documents are private: served only through this view, never by URL."""
    if kind not in _REVIEW_KINDS:
        raise Http404
    model, field, _service, _kw = _REVIEW_KINDS[kind]
    submission = get_object_or_404(model, pk=pk)
    file = getattr(submission, field)
    if not file or not default_storage.exists(file.name):
        raise Http404
    document_view_record(actor=_actor(request), submission=submission)
    response = FileResponse(default_storage.open(file.name, "rb"))
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


@staff_required(Role.COURT_ADMIN)
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "accounts/staff/user_list.html",
        {"form": form, "users": list(selectors.users_search(query))},
    )


@staff_required(Role.COURT_ADMIN)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.prefetch_related("role_grants"), pk=pk)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            if action == "revoke":
                changed = role_revoke(
                    actor=_actor(request), user_id=person.pk, role=form.cleaned_data["role"]
                )
            else:
                changed = role_grant(
                    actor=_actor(request), user_id=person.pk, role=form.cleaned_data["role"]
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if changed:
                messages.success(request, _("Roles updated."))
            else:
                messages.info(request, _("Nothing to change."))
            return redirect("accounts:user_detail", pk=person.pk)
    grants = sorted(person.role_grants.all(), key=lambda g: g.role)
    return render(
        request,
        "accounts/staff/user_detail.html",
        {
            "person": person,
            "form": form,
            "grants": grants,
            "staff_roles": STAFF_ROLES,
            "identity": selectors.identity_latest(person),
            "history": selectors.login_history(person, limit=10),
        },
    )


@staff_required(Role.COURT_ADMIN)
@require_POST
def user_totp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    totp_device_reset(actor=_actor(request), user_id=person.pk)
    messages.success(
        request,
        _("The authenticator was removed. The person enrols a new one at their next sign-in."),
    )
    return redirect("accounts:user_detail", pk=person.pk)


@staff_required(Role.COURT_ADMIN)
def lockouts(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/staff/lockouts.html", {"attempts": selectors.lockouts_current()}
    )


@staff_required(Role.COURT_ADMIN)
@require_POST
def lockout_clear(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "")
    if not username:
        raise Http404
    account_unlock(actor=_actor(request), username=username)
    messages.success(request, _("Sign-in is unlocked."))
    return redirect("accounts:lockouts")
