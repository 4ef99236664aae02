"""The applicant's side of filing: starting an application, the step-by-step wizard, the list
of one's applications, and the application page with its fee and actions.

Every wizard POST saves through a service, so the draft is kept at every step; a service's
DomainError is shown next to the field it names, with what the person typed kept in the form.
Only the author opens the wizard; anyone else gets a 404, whether the application exists or not.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecourt.accounts import selectors as account_selectors
from ecourt.accounts.models import ReviewStatus, User
from ecourt.accounts.roles import Role
from ecourt.cases import selectors, services
from ecourt.cases.forms import (
    FeeReliefForm,
    StartForm,
)
from ecourt.cases.models import (
    APPLICATION_TRANSITIONS,
    PAYABLE_STATUSES,
    Application,
    ReliefStatus,
)
from ecourt.cases.payments import payment_provider

# Reads the submit service uses to decide completeness; the review page shows the same gaps.
from ecourt.cases.views.applicant_common import (
    FEE_STANDING_WORDS,
    NEXT_STEPS,
    S,
    detail_redirect,
    own_application,
    parse_pk,
    post_data,
    request_user,
    resume_url,
    summary_context,
    visible_application,
    yuan,
)
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error

# --- Start and list ---------------------------------------------------------------------------


@login_required
def application_start(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    companies = [
        link.company
        for link in account_selectors.company_links_for(user).filter(status=ReviewStatus.VERIFIED)
    ]
    form = StartForm(
        post_data(request),
        companies=companies,
        is_lawyer=user.has_role(Role.LAWYER),
        initial={"client_key": uuid.uuid4().hex},
    )
    needs_identity = not user.is_identity_verified
    needs_consent = account_selectors.consent_current(user) is None
    if request.method == "POST" and not (needs_identity or needs_consent) and form.is_valid():
        capacity, company_id = form.filer()
        try:
            # The key in the page makes a double click or a back-and-resubmit open the same
            # draft instead of a second one.
            application = services.application_create(
                actor=user,
                capacity=capacity,
                company_id=company_id,
                client_key=form.cleaned_data["client_key"],
            )
        except DomainError as exc:
            needs_identity = exc.code == "identity_required"
            needs_consent = exc.code == "consent_required"
            if exc.field == "company":
                exc.field = "capacity"
            if not (needs_identity or needs_consent):
                add_domain_error(form, exc)
        else:
            return redirect(resume_url(application))
    return render(
        request,
        "cases/applicant/start.html",
        {
            "form": form,
            "needs_identity": needs_identity,
            "needs_consent": needs_consent,
            "identity": account_selectors.identity_latest(user),
        },
    )


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    rows = [
        {
            "application": application,
            "case": getattr(application, "case", None),
            "can_continue": application.created_by_id == user.pk and application.is_editable,
            "continue_url": resume_url(application),
        }
        for application in selectors.applications_of(user)
    ]
    return render(request, "cases/applicant/list.html", {"rows": rows})


# --- The application page and its actions ----------------------------------------------------


def _detail_context(
    request: HttpRequest, application: Application, relief_form: FeeReliefForm | None = None
) -> dict[str, Any]:
    user = request_user(request)
    is_author = application.created_by_id == user.pk
    open_deadlines = {
        d.code: d for d in application.deadlines.filter(met_at=None, cancelled_at=None)
    }
    standing = (
        selectors.fee_standing_of(application) if application.fee_amount is not None else None
    )
    payment = selectors.payment_pending(application)
    instructions = (
        payment_provider(payment.provider).instructions(
            reference=payment.reference, amount=yuan(payment.amount)
        )
        if payment
        else None
    )
    reliefs = list(application.fee_relief_requests.all())
    relief_pending = any(r.status == ReliefStatus.PENDING for r in reliefs)
    owes = (
        is_author
        and application.status in PAYABLE_STATUSES
        and standing is not None
        and not standing.settled
    )
    return {
        "application": application,
        "is_author": is_author,
        "next_steps": NEXT_STEPS[application.status],
        "case": getattr(application, "case", None),
        "decision_due": open_deadlines.get("filing_decision"),
        "appeal_due": open_deadlines.get("appeal_ruling"),
        "standing": standing,
        "standing_words": FEE_STANDING_WORDS[standing.how] if standing else "",
        "outstanding": yuan(standing.outstanding) if standing else "",
        "fee": yuan(application.fee_amount),
        "payment": payment,
        "instructions": instructions,
        "reliefs": reliefs,
        "owes": owes,
        "can_pay": owes and payment is None,
        "can_ask_relief": owes and not relief_pending,
        "relief_form": relief_form or FeeReliefForm(),
        "can_withdraw": is_author and S.WITHDRAWN in APPLICATION_TRANSITIONS[application.status],
        "can_edit": is_author and application.is_editable,
        "continue_url": resume_url(application),
        **_mediation_context(user, application),
        **summary_context(application),
    }


def _mediation_context(user: User, application: Application) -> dict[str, Any]:
    """Pre-filing mediation on the application page: the clerk's open proposal for the person
    who filed, and the mediation once diverted. Imported here, not at the top: views are where
    filing and mediation meet, and cases must not depend on mediation."""
    from ecourt.mediation import selectors as mediation_selectors

    return {
        # Offered only while the application is in filing review (the selector checks it).
        "diversion_proposal": mediation_selectors.open_proposal_for(user, application.pk),
        "mediation": mediation_selectors.mediation_of_application(user, application.pk),
        "mediation_days": settings.ECOURT_MEDIATION_DAYS,
    }


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = visible_application(request, pk)
    return render(request, "cases/applicant/detail.html", _detail_context(request, application))


@login_required
@require_POST
def application_pay(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    try:
        payment = services.payment_start(actor=request_user(request), application_id=application.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Pay %(amount)s yuan as shown under “Paying the fee”.")
            % {"amount": yuan(payment.amount)},
        )
    return detail_redirect(application)


@login_required
@require_POST
def application_pay_sandbox(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    payment = application.payments.filter(pk=parse_pk(request.POST.get("payment", ""))).first()
    if payment is None:
        raise Http404
    try:
        services.payment_sandbox_complete(actor=request_user(request), payment_id=payment.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The fee is paid. Thank you."))
    return detail_redirect(application)


@login_required
@require_POST
def application_fee_relief(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    form = FeeReliefForm(request.POST)
    if form.is_valid():
        try:
            services.fee_relief_request(
                actor=request_user(request),
                application_id=application.pk,
                kind=form.cleaned_data["kind"],
                reasons=form.cleaned_data["reasons"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Your request was sent. The court will tell you its decision."),
            )
            return detail_redirect(application)
    return render(
        request, "cases/applicant/detail.html", _detail_context(request, application, form)
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    if request.POST.get("confirm") != "yes":
        return render(request, "cases/applicant/withdraw.html", {"application": application})
    try:
        services.application_withdraw(actor=request_user(request), application_id=application.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The application is withdrawn."))
    return detail_redirect(application)


urlpatterns: list[URLPattern] = [
    path("applications/", application_list, name="application_list"),
    path("applications/new/", application_start, name="application_start"),
    path("applications/<int:pk>/", application_detail, name="application_detail"),
    path("applications/<int:pk>/pay/", application_pay, name="application_pay"),
    path(
        "applications/<int:pk>/pay/practice/",
        application_pay_sandbox,
        name="application_pay_sandbox",
    ),
    path(
        "applications/<int:pk>/fee-relief/", application_fee_relief, name="application_fee_relief"
    ),
    path("applications/<int:pk>/withdraw/", application_withdraw, name="application_withdraw"),
]
