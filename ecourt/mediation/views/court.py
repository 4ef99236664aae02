"""Mediation pages of the court and the actions that the filing, application and case pages
post to: the clerk proposes mediation and the plaintiff answers; the clerk's workload of open
matters with reassignment; the court administrator's registry of organisations and mediators;
the judge's ruling on an application for judicial confirmation (a 民特 case).

Each action is a POST-only URL. A DomainError shows the page again with the message next to
the field, or as a message when the action is a bare button. Anyone outside an application, a
case or a proposal gets a 404, whether it exists or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecourt.accounts.models import User
from ecourt.accounts.permissions import staff_required
from ecourt.accounts.roles import Role
from ecourt.cases import selectors as case_selectors
from ecourt.cases.models import Application, ApplicationStatus, Case
from ecourt.cases.rules.case_numbers import CaseTypeCode
from ecourt.cases.views import court as case_views
from ecourt.cases.views import review as review_views
from ecourt.cases.views.display import days_left_words, request_actor
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.forms import add_domain_error
from ecourt.core.selectors import court_today
from ecourt.mediation import selectors, services
from ecourt.mediation.forms_court import (
    AnswerForm,
    ConfirmationRulingForm,
    FiguresForm,
    MediatorForm,
    OrganisationForm,
    ProposeForm,
    ReassignForm,
)
from ecourt.mediation.models import (
    OPEN_MEDIATION_STATUSES,
    DiversionProposal,
    Mediation,
    MediationOrganisation,
    MediationStatus,
    Mediator,
)

# --- Proposal and answer -----------------------------------------------------------------------


def _application_for_clerk(user: User, pk: int) -> Application:
    """As on the filing review page: drafts are the applicant's alone (404)."""
    application = case_selectors.application_for_user(user, pk)
    if application is None or application.status == ApplicationStatus.DRAFT:
        raise Http404
    return application


@staff_required(Role.FILING_CLERK)
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk proposes mediation from the filing review page."""
    user = request_actor(request)
    application = _application_for_clerk(user, pk)
    form = ProposeForm(request.POST)
    if form.is_valid():
        try:
            services.diversion_propose(
                actor=user, application_id=application.pk, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Mediation is proposed. The plaintiff is asked to accept or decline it."),
            )
            return redirect("cases:filing_application", pk=application.pk)
    return review_views.filing_application_page(request, application, propose_form=form)


def _proposal_of_filer(user: User, pk: int) -> DiversionProposal:
    """A proposal on an application ``user`` filed; anyone else gets a 404."""
    # Only the person who filed answers (diversion_answer checks it again); a selector
    # ``proposal_for(user, pk)`` in ecourt.mediation.selectors would be the better home.
    proposal = DiversionProposal.objects.filter(pk=pk, application__created_by=user).first()
    if proposal is None:
        raise Http404
    return proposal


@login_required
@require_POST
def proposal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The plaintiff's filer accepts (the matter goes to mediation) or declines."""
    user = request_actor(request)
    proposal = _proposal_of_filer(user, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or decline mediation."))
    else:
        accept: bool = form.cleaned_data["accept"]
        try:
            services.diversion_answer(actor=user, proposal_id=proposal.pk, accept=accept)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("You accepted mediation. We will tell you when a mediator takes it on.")
                if accept
                else _("You declined mediation. The court goes on reviewing your application."),
            )
    return redirect("cases:application_detail", pk=proposal.application_id)


# --- The clerk's workload ----------------------------------------------------------------------


@dataclass(frozen=True)
class MatterRow:
    line: selectors.MatterLine
    form: ReassignForm

    @property
    def waiting(self) -> bool:
        return self.line.mediation.status == MediationStatus.AWAITING_MEDIATOR

    @property
    def days_words(self) -> str:
        days = self.line.days_left
        return days_left_words(days) if days is not None else ""


def _mediator_choices(lines: list[selectors.MediatorLine]) -> list[tuple[int, str]]:
    return [
        (
            line.mediator.pk,
            _("%(name)s (%(open)d of %(capacity)d open)")
            % {
                "name": line.mediator.user.display_name,
                "open": line.open_matters,
                "capacity": line.mediator.capacity,
            },
        )
        for line in lines
        if line.mediator.active and line.mediator.user.is_active
    ]


def _overview_page(
    request: HttpRequest, bound: ReassignForm | None = None, bound_for: int | None = None
) -> HttpResponse:
    mediators = selectors.mediators_with_load()
    choices = _mediator_choices(mediators)
    # Waiting matters first (the selector's order), marked in words on the page too.
    lines = selectors.open_mediations()
    rows = [
        MatterRow(
            line,
            bound
            if bound is not None and line.mediation.pk == bound_for
            else ReassignForm(mediators=choices, mediation_id=line.mediation.pk),
        )
        for line in lines
    ]
    period = FiguresForm(request.GET or None)
    since = until = None
    if period.is_valid():
        since, until = period.cleaned_data["since"], period.cleaned_data["until"]
    figures = selectors.mediation_figures(since=since, until=until)
    return render(
        request,
        "mediation/court/overview.html",
        {
            "rows": rows,
            "waiting": sum(1 for row in rows if row.waiting),
            "mediators": mediators,
            "figures": figures,
            "success_percent": round(figures.success_rate * 100)
            if figures.success_rate is not None
            else None,
            "period": period,
            "today": court_today(),
        },
        status=400 if bound is not None else 200,
    )


@staff_required(Role.FILING_CLERK)
def court_overview(request: HttpRequest) -> HttpResponse:
    """Open mediations (those waiting for a mediator first), the mediators' loads, figures."""
    return _overview_page(request)


@staff_required(Role.FILING_CLERK)
@require_POST
def reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an open matter to a mediator the clerk chooses."""
    mediation = Mediation.objects.filter(pk=pk, status__in=OPEN_MEDIATION_STATUSES).first()
    if mediation is None:
        raise Http404
    form = ReassignForm(
        request.POST,
        mediators=_mediator_choices(selectors.mediators_with_load()),
        mediation_id=mediation.pk,
    )
    if form.is_valid():
        try:
            moved = services.mediation_reassign(
                actor=request_actor(request),
                mediation_id=mediation.pk,
                mediator_id=form.cleaned_data["mediator"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            assert moved.mediator is not None
            messages.success(
                request,
                _("%(number)s is assigned to %(mediator)s.")
                % {"number": moved.number, "mediator": moved.mediator.user.display_name},
            )
            return redirect("mediation:court_overview")
    return _overview_page(request, bound=form, bound_for=mediation.pk)


# --- The court administrator's registry --------------------------------------------------------


def _people_to_register() -> list[tuple[int, str]]:
    """Active people holding the mediator role who are not registered yet."""
    people = (
        User.objects.filter(
            is_active=True, role_grants__role=Role.MEDIATOR, mediator_profile__isnull=True
        )
        .distinct()
        .order_by("display_name", "pk")
    )
    return [(person.pk, f"{person.display_name} ({person.mobile})") for person in people]


def _organisation_choices(current: MediationOrganisation | None = None) -> list[tuple[int, str]]:
    organisations = list(MediationOrganisation.objects.filter(active=True))
    choices = [(o.pk, o.name_zh) for o in organisations]
    if current is not None and not current.active:
        # Kept selectable so the edit form shows it; the service refuses it with its reason.
        choices.append((current.pk, _("%(name)s (inactive)") % {"name": current.name_zh}))
    return choices


def _case_type_choices(extra: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Case types the court hears under the catalogue in force today; codes a mediator
    already holds stay listed (by code) so editing does not drop them unseen."""
    types = case_selectors.case_types_on(court_today(), accepted=True)
    choices = [(t.code, t.name) for t in types]
    known = {code for code, _name in choices}
    return choices + [(code, code) for code in extra if code not in known]


def _mediator_form(data: Any = None, *, mediator: Mediator | None = None) -> MediatorForm:
    if mediator is None:
        return MediatorForm(
            data,
            people=_people_to_register(),
            organisations=_organisation_choices(),
            case_types=_case_type_choices(),
        )
    return MediatorForm(
        data,
        people=None,
        organisations=_organisation_choices(mediator.organisation),
        case_types=_case_type_choices(list(mediator.specialties)),
        initial={
            "organisation": mediator.organisation_id,
            "specialties": mediator.specialties,
            "languages": mediator.languages,
            "capacity": mediator.capacity,
            "active": mediator.active,
        },
    )


@dataclass(frozen=True)
class RegistryRow:
    line: selectors.MediatorLine
    specialties: list[str]  # case-type names in the page's language


def _registry_page(request: HttpRequest, **forms: Any) -> HttpResponse:
    names = dict(_case_type_choices())
    context: dict[str, Any] = {
        "organisations": list(MediationOrganisation.objects.all()),
        "mediators": [
            RegistryRow(line, [names.get(code, code) for code in line.mediator.specialties])
            for line in selectors.mediators_with_load()
        ],
        "organisation_form": OrganisationForm(),
        "mediator_form": _mediator_form(),
    }
    context.update(forms)
    return render(request, "mediation/court/registry.html", context, status=400 if forms else 200)


@staff_required(Role.COURT_ADMIN)
def registry(request: HttpRequest) -> HttpResponse:
    """Organisations and mediators invited by the court, with the forms to register them."""
    return _registry_page(request)


@staff_required(Role.COURT_ADMIN)
@require_POST
def organisation_register(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST)
    if form.is_valid():
        try:
            organisation = services.organisation_register(
                actor=request_actor(request),
                name_zh=form.cleaned_data["name_zh"],
                name_en=form.cleaned_data["name_en"],
                kind=form.cleaned_data["kind"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": organisation.name_zh})
            return redirect("mediation:registry")
    return _registry_page(request, organisation_form=form)


@staff_required(Role.COURT_ADMIN)
@require_POST
def organisation_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (no new mediators join it) or activate an organisation again."""
    if not MediationOrganisation.objects.filter(pk=pk).exists():
        raise Http404
    active = request.POST.get("active") == "1"
    try:
        organisation = services.organisation_set_active(
            actor=request_actor(request), organisation_id=pk, active=active
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            (_("%(name)s is active.") if active else _("%(name)s is inactive."))
            % {"name": organisation.name_zh},
        )
    return redirect("mediation:registry")


@staff_required(Role.COURT_ADMIN)
@require_POST
def mediator_register(request: HttpRequest) -> HttpResponse:
    form = _mediator_form(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            mediator = services.mediator_register(
                actor=request_actor(request),
                user_id=data["user"],
                specialties=data["specialties"],
                capacity=data["capacity"],
                languages=data["languages"],
                organisation_id=data["organisation"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is registered as a mediator.") % {"name": mediator.user.display_name},
            )
            return redirect("mediation:registry")
    return _registry_page(request, mediator_form=form)


@staff_required(Role.COURT_ADMIN)
def mediator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change what a mediator takes on, or deactivate them (their matters stay with them)."""
    mediator = Mediator.objects.select_related("user", "organisation").filter(pk=pk).first()
    if mediator is None:
        raise Http404
    form = _mediator_form(request.POST or None, mediator=mediator)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mediator_update(
                actor=request_actor(request),
                mediator_id=mediator.pk,
                specialties=data["specialties"],
                capacity=data["capacity"],
                languages=data["languages"],
                organisation_id=data["organisation"],
                active=data["active"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("%(name)s is updated.") % {"name": mediator.user.display_name}
            )
            return redirect("mediation:registry")
    return render(
        request,
        "mediation/court/mediator_edit.html",
        {"mediator": mediator, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- The judge's ruling on judicial confirmation -----------------------------------------------


def _confirmation_case_for(user: User, pk: int) -> Case:
    """A 民特 case for judicial confirmation that ``user`` may see, else 404."""
    case = case_selectors.case_for_user(user, pk)
    if (
        case is None
        or case.type_code != CaseTypeCode.SPECIAL_PROCEDURE.value
        or not Mediation.objects.filter(confirmation_case=case).exists()
    ):
        raise Http404
    return case


@login_required
@require_POST
def confirmation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The case judge confirms the settlement agreement as valid or rejects the application."""
    user = request_actor(request)
    case = _confirmation_case_for(user, pk)
    form = ConfirmationRulingForm(request.POST)
    if form.is_valid():
        try:
            ruled = services.confirmation_decide(
                actor=user,
                case_id=case.pk,
                confirm=form.cleaned_data["decision"] == "confirm",
                reasons=form.cleaned_data["reasons"],
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc.message))
            return redirect("cases:case_detail", pk=case.pk)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The ruling is made and on the docket. %(number)s is closed.")
                % {"number": ruled.number},
            )
            return redirect("cases:case_detail", pk=case.pk)
    return case_views.case_page(request, case, confirmation_form=form)


urlpatterns: list[URLPattern] = [
    # Filing clerk and plaintiff
    path("applications/<int:pk>/propose/", propose, name="propose"),
    path("proposals/<int:pk>/answer/", proposal_answer, name="proposal_answer"),
    # Filing clerk
    path("court/", court_overview, name="court_overview"),
    path("court/<int:pk>/reassign/", reassign, name="reassign"),
    # Court administrator
    path("registry/", registry, name="registry"),
    path("registry/organisations/", organisation_register, name="organisation_register"),
    path(
        "registry/organisations/<int:pk>/active/",
        organisation_set_active,
        name="organisation_set_active",
    ),
    path("registry/mediators/", mediator_register, name="mediator_register"),
    path("registry/mediators/<int:pk>/", mediator_edit, name="mediator_edit"),
    # Judge
    path("confirmations/<int:pk>/decide/", confirmation_decide, name="confirmation_decide"),
]
