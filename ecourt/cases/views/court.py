"""Case pages: the list of the cases a person may see, the case page (parties, claims,
deadlines, the docket), the defendant's side (link with the association code, read the
complaint, answer or object, online litigation consent), the judge's moves and the staff's
record of service. Anybody outside a case gets a 404 whether it exists or not."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases import selectors, services
from ecourt.cases.forms_court import (
    JUDGE_ACTIONS,
    CaseActionForm,
    CaseLinkForm,
    CaseSearchForm,
    OnlineConsentForm,
    ResponseForm,
    ServiceRecordForm,
)
from ecourt.cases.models import (
    CASE_TRANSITIONS,
    CLOSING_MODES,
    Case,
    CaseStatus,
    ClosingMode,
    Party,
    PartySide,
)
from ecourt.cases.services.cases import RESPONSE_STATUSES
from ecourt.cases.views.display import (  # shared helpers
    PAGE_SIZE,
    deadline_rows,
    party_rows,
    request_actor,
)
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.core.selectors import court_today
from ecourt.delivery import selectors as delivery_selectors
from ecourt.delivery.http import is_prefetch, read_evidence

# --- Cases -------------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases a person may see: their own as party or agent, a judge's, or all for clerks."""
    form = CaseSearchForm(request.GET or None)
    status = query = ""
    if form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"]
    cases = selectors.cases_list_for(request_actor(request), status=status, query=query)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cases/court/case_list.html",
        {"form": form, "page": page, "query": params.urlencode()},
    )


def _case_for(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_for_user(request_actor(request), pk)
    if case is None:
        raise Http404
    return case


def _acts_for(user: User, party: Party) -> bool:
    return party.user_id == user.pk or any(agent.user_id == user.pk for agent in party.agents.all())


def _is_case_judge(user: User, case: Case) -> bool:
    return case.judge_id == user.pk and user.has_role(Role.JUDGE)


def _closing_modes(case: Case) -> list[str]:
    return [mode for mode in ClosingMode.values if case.status in CLOSING_MODES[mode]]


def _judge_actions(case: Case) -> list[str]:
    """The judge's moves from the case's status (CASE_TRANSITIONS, CLOSING_MODES)."""
    allowed = CASE_TRANSITIONS[case.status]
    actions = [
        code for code, (to, _label) in JUDGE_ACTIONS.items() if to in allowed and code != "close"
    ]
    if _closing_modes(case):
        actions.append("close")
    return actions


def _consent_choice(parties: list[Party]) -> str | None:
    """The online-litigation answer a defendant already gave, to show it selected."""
    answer = parties[0].online_litigation if parties else None
    return None if answer is None else ("yes" if answer else "no")


def _case_page(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    status = 400 if forms else 200  # shown again with a form's errors
    user = request_actor(request)
    today = court_today()
    parties = selectors.case_parties(case)
    mine = [party for party in parties if _acts_for(user, party)]
    my_defendants = [party for party in mine if party.side == PartySide.DEFENDANT]
    is_judge = _is_case_judge(user, case)
    is_clerk = user.has_role(Role.FILING_CLERK)
    unserved = [
        p for p in parties if p.side == PartySide.DEFENDANT and p.complaint_served_on is None
    ]
    filed_kinds = (
        set(case.responses.filter(party__in=my_defendants).values_list("kind", flat=True))
        if my_defendants
        else set()
    )
    action_form = forms.pop("action_form", None)
    if action_form is None:
        action_form = CaseActionForm()
    action_form.offer_modes(_closing_modes(case))
    context: dict[str, Any] = {
        "case": case,
        "parties": party_rows(parties),
        "claims": list(case.application.claims.all()),
        "deadlines": deadline_rows(selectors.case_deadlines(case), today),
        "docket": selectors.case_docket(case),
        "my_defendant": my_defendants[0] if my_defendants else None,
        "filed_kinds": filed_kinds,
        "takes_responses": case.status in RESPONSE_STATUSES,
        "judge_actions": [(code, JUDGE_ACTIONS[code][1]) for code in _judge_actions(case)]
        if is_judge
        else [],
        "can_record_service": (is_clerk or is_judge)
        and bool(unserved)
        and case.status in (CaseStatus.DOCKETED, CaseStatus.COMPLAINT_SERVED),
        "reissuable": [p for p in parties if p.side == PartySide.DEFENDANT and p.user_id is None]
        if is_clerk and case.is_open
        else [],
        "response_form": ResponseForm(),
        "online_form": OnlineConsentForm(initial={"consent": _consent_choice(my_defendants)}),
        "action_form": action_form,
        "service_form": ServiceRecordForm(
            defendants=[(p.pk, p.name) for p in unserved], initial={"served_on": today}
        ),
        # A party of an open case with no address confirmation yet is asked for one: until
        # then documents serve only when read (docs/delivery.md).
        "needs_addresses": case.is_open
        and any(delivery_selectors.confirmation_current(p) is None for p in mine),
    }
    confirmation = _confirmation_context(case, is_judge)
    if confirmation["can_rule"]:
        context["judge_actions"] = []  # the ruling below is the only move on this case
    context.update(confirmation)
    context.update(_trial_context(case, user))
    context.update(forms)
    return render(request, "cases/court/case_detail.html", context, status=status)


def _trial_context(case: Case, user: User) -> dict[str, Any]:
    """Hearings, records and issued decisions of the case, and the trial pages this person
    may open. Imported here: views are where cases and the trial apps meet."""
    from ecourt.documents.models import DocumentKind
    from ecourt.hearings.models import HearingStatus

    decisions = list(
        case.documents.filter(
            kind__in=[DocumentKind.JUDGMENT, DocumentKind.RULING, DocumentKind.MEDIATION_STATEMENT]
        ).order_by("issued_at", "pk")
    )
    return {
        "hearings": list(
            case.hearings.exclude(status=HearingStatus.CANCELLED).select_related("courtroom")
        ),
        "records": list(case.records.order_by("pk")),
        "decisions": decisions,
        "is_division_head": user.has_role(Role.DIVISION_HEAD),
        "may_appeal": case.status in (CaseStatus.DECIDED, CaseStatus.APPEALED)
        and bool(selectors.parties_acting_for(user, case=case)),
    }


def case_page(request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
    """The case page shown again with a bound form, for actions of other capabilities that
    post from it (the mediation app's ruling on judicial confirmation)."""
    return _case_page(request, case, **forms)


def _confirmation_context(case: Case, is_judge: bool) -> dict[str, Any]:
    """A 民特 case for judicial confirmation of a mediation settlement: the agreement and, for
    its judge while it is docketed, the ruling form. Imported here, not at the top: views are
    where cases and mediation meet, and cases must not depend on mediation."""
    from ecourt.cases.rules.case_numbers import CaseTypeCode
    from ecourt.mediation import selectors as mediation_selectors
    from ecourt.mediation.forms_court import ConfirmationRulingForm
    from ecourt.mediation.models import Mediation

    mediation = (
        Mediation.objects.filter(confirmation_case=case).first()
        if case.type_code == CaseTypeCode.SPECIAL_PROCEDURE.value
        else None
    )
    return {
        "confirmed_mediation": mediation,
        "settlement": mediation_selectors.current_agreement(mediation) if mediation else None,
        "can_rule": mediation is not None and is_judge and case.status == CaseStatus.DOCKETED,
        "confirmation_form": ConfirmationRulingForm(),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _case_for(request, pk))


@login_required
def case_link(request: HttpRequest) -> HttpResponse:
    """A defendant links their verified account to a case with the association code."""
    user = request_actor(request)
    form = CaseLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            party = services.case_link(
                actor=user,
                case_number=form.cleaned_data["case_number"],
                code=form.cleaned_data["code"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("You are linked to the case as %(party)s. Read the complaint first.")
                % {"party": party.name},
            )
            assert party.case_id is not None
            return redirect("cases:case_detail", pk=party.case_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/court/case_link.html", {"form": form}, status=status)


@login_required
@require_GET
def case_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    """The complaint: parties, claims, facts and reasons, the evidence list.

    When a linked defendant opens this page, that signed-in reading is service of the complaint
    (Online Litigation Rules 2021, Art. 31): ``complaint_open`` records it, puts it on the
    docket and starts the 15-day answer period (CPL Art. 128). Only the defendant's own
    account serves it; an agent's or a staff member's reading does not.
    """
    user = request_actor(request)
    case = _case_for(request, pk)
    served: Party | None = None
    # A browser's prefetch of the page is not the defendant reading it.
    if (
        not is_prefetch(request)
        and case.parties.filter(
            side=PartySide.DEFENDANT, user=user, complaint_served_on__isnull=True
        ).exists()
    ):
        served = services.complaint_open(
            actor=user, case_id=case.pk, evidence=read_evidence(request)
        )
    answer_due = None
    if served is not None:
        answer = case.deadlines.filter(party=served, code="answer").order_by("-pk").first()
        answer_due = answer.due_date if answer else None
    application = case.application
    return render(
        request,
        "cases/court/case_complaint.html",
        {
            "case": case,
            "application": application,
            "parties": party_rows(selectors.case_parties(case)),
            "claims": list(application.claims.all()),
            "evidence": list(application.evidence_list.all()),
            "served": served,
            "answer_due": answer_due,
        },
    )


def _require_defendant(user: User, case: Case) -> None:
    parties = selectors.parties_acting_for(user, case=case)
    if not any(party.side == PartySide.DEFENDANT for party in parties):
        raise PermissionDenied


@login_required
@require_POST
def case_respond(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_actor(request)
    case = _case_for(request, pk)
    _require_defendant(user, case)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            response = services.response_file(
                actor=user,
                case_id=case.pk,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Your %(kind)s is filed and on the docket.")
                % {"kind": response.get_kind_display()},
            )
            return redirect("cases:case_detail", pk=case.pk)
    return _case_page(request, case, response_form=form)


@login_required
@require_POST
def case_online_consent(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_actor(request)
    case = _case_for(request, pk)
    _require_defendant(user, case)
    form = OnlineConsentForm(request.POST)
    if form.is_valid():
        try:
            services.online_litigation_decide(
                actor=user, case_id=case.pk, consent=form.cleaned_data["consent"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your answer about online litigation is recorded."))
            return redirect("cases:case_detail", pk=case.pk)
    return _case_page(request, case, online_form=form)


def _judge_action_run(user: User, case: Case, form: CaseActionForm) -> Case | None:
    """Run the judge's chosen move; None (with the form's error) when a date is missing."""
    data = form.cleaned_data
    action = data["action"]
    if action == "open_evidence_exchange":
        return services.case_open_evidence_exchange(actor=user, case_id=case.pk)
    if action == "schedule_hearing":
        if data["on"] is None:
            form.add_error("on", _("Give the hearing date."))
            return None
        return services.case_schedule_hearing(actor=user, case_id=case.pk, on=data["on"])
    if action == "record_heard":
        return services.case_record_heard(actor=user, case_id=case.pk)
    if action == "decide":
        return services.case_decide(actor=user, case_id=case.pk, kind=data["kind"])
    if action == "make_effective":
        return services.case_make_effective(actor=user, case_id=case.pk)
    return services.case_close(actor=user, case_id=case.pk, mode=data["mode"])


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    """The assigned judge moves the case; an illegal move shows the service's reason."""
    user = request_actor(request)
    case = _case_for(request, pk)
    if not _is_case_judge(user, case):
        raise PermissionDenied
    form = CaseActionForm(request.POST)
    if form.is_valid():
        try:
            moved = _judge_action_run(user, case, form)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if moved is not None:
                messages.success(
                    request,
                    _("The case is now “%(status)s”.") % {"status": moved.get_status_display()},
                )
                return redirect("cases:case_detail", pk=case.pk)
    return _case_page(request, case, action_form=form)


@login_required
@require_POST
def case_service_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record service made another way (post, in person)."""
    user = request_actor(request)
    case = _case_for(request, pk)
    if not (user.has_role(Role.FILING_CLERK) or _is_case_judge(user, case)):
        raise PermissionDenied
    defendants = case.parties.filter(side=PartySide.DEFENDANT, complaint_served_on__isnull=True)
    form = ServiceRecordForm(request.POST, defendants=[(p.pk, p.name) for p in defendants])
    if form.is_valid():
        try:
            party = services.complaint_service_record(
                actor=user,
                case_id=case.pk,
                party_id=form.cleaned_data["party"],
                served_on=form.cleaned_data["served_on"],
                method=form.cleaned_data["method"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Service on %(party)s is recorded.") % {"party": party.name}
            )
            return redirect("cases:case_detail", pk=case.pk)
    return _case_page(request, case, service_form=form)


@login_required
@require_POST
def case_code_reissue(request: HttpRequest, pk: int, party_pk: int) -> HttpResponse:
    """A filing clerk sends a defendant a new association code."""
    user = request_actor(request)
    case = _case_for(request, pk)
    if not user.has_role(Role.FILING_CLERK):
        raise PermissionDenied
    party = case.parties.filter(pk=party_pk, side=PartySide.DEFENDANT).first()
    if party is None:
        raise Http404
    try:
        services.association_code_reissue(actor=user, case_id=case.pk, party_id=party.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("A new association code was sent to %(party)s.") % {"party": party.name}
        )
    return redirect("cases:case_detail", pk=case.pk)


urlpatterns: list[URLPattern] = [
    # Cases
    path("cases/", case_list, name="case_list"),
    path("cases/link/", case_link, name="case_link"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/complaint/", case_complaint, name="case_complaint"),
    path("cases/<int:pk>/respond/", case_respond, name="case_respond"),
    path("cases/<int:pk>/online-litigation/", case_online_consent, name="case_online_consent"),
    path("cases/<int:pk>/action/", case_action, name="case_action"),
    path("cases/<int:pk>/service/", case_service_record, name="case_service_record"),
    path(
        "cases/<int:pk>/defendants/<int:party_pk>/code/",
        case_code_reissue,
        name="case_code_reissue",
    ),
]
