"""The filing clerk's queue and an application's review page with the decisions (start
review, accept, ask for corrections, refuse, confirm a bank transfer, decide a fee relief
request). Each decision is a POST-only URL; a DomainError shows the page again with the
message next to the field. Drafts are never shown (404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ecourt.accounts.models import User
from ecourt.accounts.permissions import staff_required
from ecourt.accounts.roles import Role
from ecourt.accounts.rules import mask_mobile
from ecourt.cases import selectors, services
from ecourt.cases.forms_court import (
    AcceptForm,
    CorrectionsForm,
    FeeReliefDecisionForm,
    PaymentConfirmForm,
    RefuseForm,
)
from ecourt.cases.models import (
    APPLICATION_TRANSITIONS,
    OPEN_REVIEW_STATUSES,
    Application,
    CaseType,
    Party,
    PartySide,
    Procedure,
    ReliefStatus,
)
from ecourt.cases.rules.fees import half_fee
from ecourt.cases.views.display import (  # shared helpers
    FEE_STANDING_WORDS,
    PAGE_SIZE,
    S,
    days_left_words,
    deadline_rows,
    party_rows,
    request_actor,
)
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.core.selectors import court_today

# --- Filing clerk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    application: Application
    plaintiffs: str
    due: date | None
    days_left: int | None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def days_words(self) -> str:
        return days_left_words(self.days_left) if self.days_left is not None else ""


@staff_required(Role.FILING_CLERK)
def filing_queue(request: HttpRequest) -> HttpResponse:
    """Open applications, the oldest receipt first; late decisions are marked "Overdue"."""
    applications = selectors.filing_queue().prefetch_related(
        Prefetch(
            "parties",
            queryset=Party.objects.filter(side=PartySide.PLAINTIFF).order_by("position", "pk"),
            to_attr="plaintiff_list",
        )
    )
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    today = court_today()
    rows = []
    for application in page:
        deadlines = getattr(application, "open_decision_deadlines", [])
        due = min((d.due_date for d in deadlines), default=None)
        plaintiffs = getattr(application, "plaintiff_list", [])
        rows.append(
            QueueRow(
                application=application,
                plaintiffs="、".join(p.name for p in plaintiffs),
                due=due,
                days_left=(due - today).days if due else None,
            )
        )
    return render(
        request, "cases/court/filing_queue.html", {"page": page, "rows": rows, "today": today}
    )


def _application_for_clerk(request: HttpRequest, pk: int) -> Application:
    """The application, for a filing clerk; drafts are the applicant's alone (404)."""
    application = selectors.application_for_user(request_actor(request), pk)
    if application is None or application.status == S.DRAFT:
        raise Http404
    return application


def _review_moves(application: Application) -> frozenset[str]:
    """Where a decision may take the application now. Any decision on a submitted application
    takes it under review first, so its moves are those of an application under review."""
    if application.status not in OPEN_REVIEW_STATUSES:
        return frozenset()
    status = S.UNDER_REVIEW if application.status == S.SUBMITTED else application.status
    return APPLICATION_TRANSITIONS[status]


def _judge_choices() -> list[tuple[int, str]]:
    choices = []
    for judge in selectors.judges_by_load():
        load = getattr(judge, "open_cases", 0)
        label = ngettext("%(name)s (%(n)d open case)", "%(name)s (%(n)d open cases)", load) % {
            "name": judge.display_name,
            "n": load,
        }
        choices.append((judge.pk, label))
    return choices


def _application_page(request: HttpRequest, application: Application, **forms: Any) -> HttpResponse:
    user = request_actor(request)
    today = court_today()
    judges = _judge_choices()
    standing = selectors.fee_standing_of(application)
    # Measures 2007, Art. 15: half the fee is enough when the clerk applies the simplified
    # procedure (filing_accept checks it again).
    half = half_fee(application.fee_amount or Decimal(0))
    half_settled = not standing.settled and selectors.fee_standing_of(application, fee=half).settled
    submitted_on = (
        timezone.localdate(application.submitted_at) if application.submitted_at else None
    )
    case_type: CaseType | None = application.case_type
    in_force = (
        selectors.case_type_on(case_type.code, submitted_on) if case_type and submitted_on else None
    )
    deadlines = list(application.deadlines.select_related("party").order_by("start_date", "pk"))
    decision_due = next((d for d in deadlines if d.code == "filing_decision" and d.is_open), None)
    moves = _review_moves(application)
    context: dict[str, Any] = {
        "application": application,
        "parties": party_rows(selectors.application_parties(application)),
        "claims": list(application.claims.all()),
        "evidence": list(application.evidence_list.all()),
        "delivery_mobile": mask_mobile(application.delivery_mobile),
        "standing": standing,
        "half_settled": half_settled,
        "standing_words": FEE_STANDING_WORDS.get(standing.how, standing.how),
        "payments": list(application.payments.select_related("confirmed_by")),
        "payment_pending": selectors.payment_pending(application),
        "relief_requests": list(application.fee_relief_requests.select_related("decided_by")),
        "relief_pending": application.fee_relief_requests.filter(
            status=ReliefStatus.PENDING
        ).first(),
        "submitted_on": submitted_on,
        "catalogue_version": selectors.catalogue_version_on(submitted_on) if submitted_on else None,
        "type_in_force": in_force,
        "deadlines": deadline_rows(deadlines, today),
        "decision_due": decision_due,
        "decision_days_left": (decision_due.due_date - today).days if decision_due else None,
        "review_open": application.status in OPEN_REVIEW_STATUSES,
        "can_start": application.status == S.SUBMITTED
        or (application.status == S.UNDER_REVIEW and application.reviewer_id != user.pk),
        "can_accept": S.DOCKETED in moves,
        "can_correct": S.CORRECTIONS_REQUESTED in moves,
        "can_refuse": S.REFUSED in moves,
        "accept_form": AcceptForm(
            judges=judges,
            initial={
                "judge": judges[0][0] if judges else None,
                "procedure": Procedure.SIMPLIFIED
                if application.simplified_procedure_requested
                else Procedure.ORDINARY,
            },
        ),
        "corrections_form": CorrectionsForm(initial={"due": today + timedelta(days=15)}),
        "refuse_form": RefuseForm(),
        "payment_form": PaymentConfirmForm(),
        "relief_form": FeeReliefDecisionForm(),
    }
    context.update(_mediation_context(user, application))
    context.update(forms)
    return render(
        request, "cases/court/filing_application.html", context, status=400 if forms else 200
    )


def filing_application_page(
    request: HttpRequest, application: Application, **forms: Any
) -> HttpResponse:
    """The review page shown again with a bound form, for actions of other capabilities that
    post from it (the mediation app's "Propose mediation")."""
    return _application_page(request, application, **forms)


def _mediation_context(user: User, application: Application) -> dict[str, Any]:
    """Pre-filing mediation on the review page: the latest proposal, the mediation if the
    matter was diverted, and whether the clerk may propose it now. Imported here, not at the
    top: views are where filing and mediation meet, and cases must not depend on mediation."""
    from ecourt.mediation import selectors as mediation_selectors
    from ecourt.mediation.forms_court import ProposeForm

    mediation = mediation_selectors.mediation_of_application(user, application.pk)
    proposal = application.diversion_proposals.select_related("proposed_by", "answered_by").first()
    in_review = application.status in (S.SUBMITTED, S.UNDER_REVIEW)
    # An unanswered proposal lapses only when answered; out of review it is no longer open.
    proposal_open = (
        in_review
        and proposal is not None
        and proposal.accepted is None
        and proposal.lapsed_at is None
    )
    return {
        "mediation": mediation,
        "diversion_proposal": proposal,
        "diversion_proposal_open": proposal_open,
        "can_propose": in_review and mediation is None and not proposal_open,
        "propose_form": ProposeForm(),
    }


@staff_required(Role.FILING_CLERK)
def filing_application(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, _application_for_clerk(request, pk))


def _back_to_application(pk: int) -> HttpResponse:
    return redirect("cases:filing_application", pk=pk)


@staff_required(Role.FILING_CLERK)
@require_POST
def filing_review_start(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_for_clerk(request, pk)
    try:
        services.filing_review_start(actor=request_actor(request), application_id=application.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You are reviewing this application."))
    return _back_to_application(application.pk)


@staff_required(Role.FILING_CLERK)
@require_POST
def filing_accept(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_for_clerk(request, pk)
    form = AcceptForm(request.POST, judges=_judge_choices())
    if form.is_valid():
        try:
            case = services.filing_accept(
                actor=request_actor(request),
                application_id=application.pk,
                judge_id=form.cleaned_data["judge"],
                procedure=form.cleaned_data["procedure"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The case is docketed as %(number)s; the defendants are invited.")
                % {"number": case.number},
            )
            return redirect("cases:case_detail", pk=case.pk)
    return _application_page(request, application, accept_form=form)


@staff_required(Role.FILING_CLERK)
@require_POST
def filing_request_corrections(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_for_clerk(request, pk)
    form = CorrectionsForm(request.POST)
    if form.is_valid():
        try:
            services.filing_request_corrections(
                actor=request_actor(request),
                application_id=application.pk,
                items=form.item_list(),
                due=form.cleaned_data["due"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The applicant is asked to correct the application."))
            return _back_to_application(application.pk)
    return _application_page(request, application, corrections_form=form)


@staff_required(Role.FILING_CLERK)
@require_POST
def filing_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_for_clerk(request, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            services.filing_refuse(
                actor=request_actor(request),
                application_id=application.pk,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The application is not accepted; the ruling is served."))
            return _back_to_application(application.pk)
    return _application_page(request, application, refuse_form=form)


@staff_required(Role.FILING_CLERK)
@require_POST
def filing_payment_confirm(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    application = _application_for_clerk(request, pk)
    if not application.payments.filter(pk=payment_pk).exists():
        raise Http404
    form = PaymentConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.payment_confirm(
                actor=request_actor(request),
                payment_id=payment_pk,
                record=form.cleaned_data["record"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The payment is confirmed."))
            return _back_to_application(application.pk)
    return _application_page(request, application, payment_form=form)


@staff_required(Role.FILING_CLERK)
@require_POST
def filing_fee_relief_decide(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    application = _application_for_clerk(request, pk)
    if not application.fee_relief_requests.filter(pk=request_pk).exists():
        raise Http404
    form = FeeReliefDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.fee_relief_decide(
                actor=request_actor(request),
                request_id=request_pk,
                grant=form.cleaned_data["decision"] == "grant",
                reason=form.cleaned_data["reason"],
                reduced_fee=form.cleaned_data["reduced_fee"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The fee request is decided."))
            return _back_to_application(application.pk)
    return _application_page(request, application, relief_form=form)


urlpatterns: list[URLPattern] = [
    # Filing clerk
    path("filing/", filing_queue, name="filing_queue"),
    path("filing/<int:pk>/", filing_application, name="filing_application"),
    path("filing/<int:pk>/review/", filing_review_start, name="filing_review_start"),
    path("filing/<int:pk>/accept/", filing_accept, name="filing_accept"),
    path(
        "filing/<int:pk>/corrections/",
        filing_request_corrections,
        name="filing_request_corrections",
    ),
    path("filing/<int:pk>/refuse/", filing_refuse, name="filing_refuse"),
    path(
        "filing/<int:pk>/payments/<int:payment_pk>/confirm/",
        filing_payment_confirm,
        name="filing_payment_confirm",
    ),
    path(
        "filing/<int:pk>/fee-relief/<int:request_pk>/decide/",
        filing_fee_relief_decide,
        name="filing_fee_relief_decide",
    ),
]
