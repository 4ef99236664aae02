"""A person's own account pages: dashboard, real-name verification, consent, company, lawyer."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecourt.accounts import selectors
from ecourt.accounts.forms import CompanyForm, IdentityForm, LawyerForm
from ecourt.accounts.models import ReviewStatus, User
from ecourt.accounts.services import (
    company_register,
    consent_accept,
    consent_withdraw,
    identity_submit,
    lawyer_apply,
)
from ecourt.cases import selectors as cases_selectors
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.core.selectors import court_today


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


#: What each open period asks of the person, for the deadline reminder on the dashboard.
DEADLINE_WORDS = {
    "correction": gettext_lazy("Correct your lawsuit application"),
    "answer": gettext_lazy("File your answer"),
    "appeal_ruling": gettext_lazy("Appeal the ruling, if you disagree"),
    "appeal_judgment": gettext_lazy("Appeal the judgment, if you disagree"),
}
#: A deadline this close (in days) is highlighted.
DEADLINE_URGENT_DAYS = 3


def _deadline_reminders(user: User) -> list[dict[str, object]]:
    """The in-app reminder: open periods in the person's applications and cases, with the
    days left counted in the court's time zone."""
    today = court_today()
    reminders: list[dict[str, object]] = []
    for deadline in cases_selectors.deadlines_open_for(user):
        days_left = (deadline.due_date - today).days
        reminders.append(
            {
                "deadline": deadline,
                "what": DEADLINE_WORDS.get(deadline.code, deadline.code.replace("_", " ")),
                "days_left": days_left,
                "urgent": days_left <= DEADLINE_URGENT_DAYS,
                "url": reverse("cases:case_detail", args=[deadline.case_id])
                if deadline.case_id
                else reverse("cases:application_detail", args=[deadline.application_id]),
            }
        )
    return reminders


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "identity": selectors.identity_latest(user),
            "consent": selectors.consent_current(user),
            "terms": selectors.terms_current(),
            "company_links": list(selectors.company_links_for(user)),
            "lawyer": selectors.lawyer_latest(user),
            "roles": sorted(user.role_grants.all(), key=lambda g: g.role),
            "reminders": _deadline_reminders(user),
        },
    )


@login_required
def identity(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    latest = selectors.identity_latest(user)
    if user.is_identity_verified:
        return render(request, "accounts/identity_done.html", {"identity": latest})
    staff_review_all = settings.ECOURT_IDENTITY_REVIEW == "all"
    form = IdentityForm(
        request.POST or None, request.FILES or None, staff_review_all=staff_review_all
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            verification = identity_submit(
                actor=user,
                document_type=data["document_type"],
                legal_name=data["legal_name"],
                document_number=data["document_number"],
                birth_date=data.get("birth_date"),
                document_image=data.get("document_image"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if verification.status == ReviewStatus.VERIFIED:
                messages.success(request, _("Your identity is verified."))
            else:
                messages.info(
                    request,
                    _(
                        "Your document was sent to court staff. We will tell you the result, "
                        "usually within one working day."
                    ),
                )
            if selectors.consent_current(user) is None:
                return redirect("accounts:terms")
            return redirect("accounts:dashboard")
    return render(
        request,
        "accounts/identity.html",
        {"form": form, "latest": latest, "staff_review_all": staff_review_all},
    )


@login_required
def terms(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    current = selectors.terms_current()
    consent = selectors.consent_current(user)
    if request.method == "POST" and current is not None:
        if request.POST.get("accept") != "yes":
            messages.error(request, _("Tick the box to accept the terms, or leave this page."))
        else:
            consent_accept(actor=user, terms_id=current.pk)
            messages.success(request, _("Thank you. You have agreed to litigate online."))
            return redirect("accounts:dashboard")
    return render(request, "accounts/terms.html", {"terms": current, "consent": consent})


@login_required
@require_POST
def terms_withdraw(request: HttpRequest) -> HttpResponse:
    if consent_withdraw(actor=_user(request)):
        messages.success(
            request,
            _(
                "You have withdrawn your consent. From now on the court handles your cases "
                "offline. You can agree again at any time on this page."
            ),
        )
    return redirect("accounts:terms")


@login_required
def company(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = CompanyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            company_register(
                actor=user,
                name=data["name"],
                uscc=data["uscc"],
                legal_representative=data["legal_representative"],
                position=data["position"],
                authorisation_letter=data["authorisation_letter"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your authorisation was sent to court staff for review."))
            return redirect("accounts:company")
    return render(
        request,
        "accounts/company.html",
        {"form": form, "links": list(selectors.company_links_for(user))},
    )


@login_required
def lawyer(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = LawyerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lawyer_apply(
                actor=user,
                licence_number=data["licence_number"],
                law_firm=data["law_firm"],
                licence_image=data["licence_image"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your licence was sent to court staff. You can act as an agent once it is "
                    "approved."
                ),
            )
            return redirect("accounts:lawyer")
    return render(
        request, "accounts/lawyer.html", {"form": form, "latest": selectors.lawyer_latest(user)}
    )
