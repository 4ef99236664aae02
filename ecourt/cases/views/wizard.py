"""The filing wizard: one page per step, each saving the draft through the services, and
submission. Only the author opens it; anyone else gets a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecourt.cases import selectors, services
from ecourt.cases.forms import (
    AgentForm,
    BlankAwareForm,
    CaseTypeForm,
    ClaimForm,
    DeliveryForm,
    EvidenceListingForm,
    FactsForm,
    PartyForm,
    PreferencesForm,
)
from ecourt.cases.models import (
    Application,
    AuthorityScope,
    FilingCapacity,
    Party,
    PartySide,
)
from ecourt.cases.rules.filing import STEP_OF_GAP, application_gaps

# Reads the submit service uses to decide completeness; the review page shows the same gaps.
from ecourt.cases.services.applications import GAP_MESSAGES, application_facts
from ecourt.cases.views.applicant_common import (
    STEP_NAMES,
    STEPS,
    NotEditable,
    S,
    claim_rows,
    detail_redirect,
    fee_context,
    form_error,
    own_application,
    parse_pk,
    post_data,
    request_user,
    step_url,
    summary_context,
)
from ecourt.core.errors import DomainError
from ecourt.core.selectors import court_today

# --- The wizard -------------------------------------------------------------------------------


@login_required
def wizard_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    application = own_application(request, pk)
    if not application.is_editable:
        return detail_redirect(application)
    try:
        return _HANDLERS[step](request, application, step)
    except NotEditable:
        messages.error(request, _("This application can no longer be changed."))
        return detail_redirect(application)


def _render_step(
    request: HttpRequest, application: Application, step: str, context: dict[str, Any]
) -> HttpResponse:
    index = STEP_NAMES.index(step)
    progress = [
        {"slug": slug, "title": title, "url": step_url(application, slug)}
        for slug, title in STEPS.items()
    ]
    back = (
        step_url(application, STEP_NAMES[index - 1]) if index else reverse("cases:application_list")
    )
    return render(
        request,
        f"cases/applicant/step_{step}.html",
        {
            "application": application,
            "step": step,
            "step_title": STEPS[step],
            "step_number": index + 1,
            "step_count": len(STEPS),
            "progress": progress,
            "back_url": back,
            "step_url": step_url(application, step),
            **context,
        },
    )


def _advance(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    """Go to the next step, remembering the furthest step reached for "continue" links."""
    following = STEP_NAMES[min(STEP_NAMES.index(step) + 1, len(STEP_NAMES) - 1)]
    reached = max(
        STEP_NAMES.index(application.step) if application.step in STEPS else 0,
        STEP_NAMES.index(following),
    )
    services.application_set_step(
        actor=request_user(request), application_id=application.pk, step=STEP_NAMES[reached]
    )
    return redirect(step_url(application, following))


def _list_step(
    request: HttpRequest,
    application: Application,
    step: str,
    *,
    form: BlankAwareForm,
    add: Callable[[dict[str, Any]], object],
    remove: Callable[[int], None],
    added: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A step that lists things (parties, claims…) with Remove buttons and an add form whose
    "Save and continue" also adds what is typed."""
    if request.method == "POST":
        action = request.POST.get("action", "add")
        if action == "remove":
            try:
                remove(parse_pk(request.POST.get("item", "")))
            except DomainError as exc:
                if exc.code == "not_editable":
                    raise NotEditable from exc
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Removed."))
            return redirect(step_url(application, step))
        if form.is_valid():
            if action == "continue" and form.is_blank():
                return _advance(request, application, step)
            try:
                add(form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, added)
                if action == "continue":
                    return _advance(request, application, step)
                return redirect(step_url(application, step))
    return _render_step(request, application, step, {"form": form, **context})


def _step_case_type(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    today = court_today()
    heard = selectors.case_types_on(today, accepted=True)
    elsewhere = selectors.case_types_on(today, accepted=False)
    form = CaseTypeForm(
        post_data(request),
        case_types=[*heard, *elsewhere],
        initial={"case_type": application.case_type.code if application.case_type else None},
    )
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.application_set_case_type(
                actor=request_user(request),
                application_id=application.pk,
                code=form.cleaned_data["case_type"],
            )
        except DomainError as exc:
            form_error(form, exc)
            if exc.code == "not_heard":
                refusal = str(exc.message)
        else:
            return _advance(request, application, step)
    return _render_step(
        request,
        application,
        step,
        {
            "form": form,
            "heard": heard,
            "elsewhere": elsewhere,
            "selected": form["case_type"].value() or "",
            "refusal": refusal,
        },
    )


def _step_jurisdiction(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    today = court_today()
    chosen = application.case_type
    # Checked again against the list in force today: a new list may have been published.
    current = selectors.case_type_on(chosen.code, today) if chosen else None
    heard = current is not None and current.accepted
    if request.method == "POST":
        if heard:
            return _advance(request, application, step)
        messages.error(request, _("Choose a type of dispute this court hears."))
        return redirect(step_url(application, "case_type"))
    return _render_step(
        request,
        application,
        step,
        {
            "case_type": current or chosen,
            "heard": heard,
            "version": selectors.catalogue_version_on(today),
            "today": today,
        },
    )


def _step_parties(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    user = request_user(request)
    side = PartySide.PLAINTIFF if step == "plaintiffs" else PartySide.DEFENDANT
    for_client = side == PartySide.PLAINTIFF and application.capacity == FilingCapacity.CLIENT
    form = PartyForm(
        post_data(request),
        request.FILES or None,
        defendant=side == PartySide.DEFENDANT,
        for_client=for_client,
    )

    def add(data: dict[str, Any]) -> Party:
        return services.party_add(
            actor=user,
            application_id=application.pk,
            side=side,
            kind=data["kind"],
            name=data["name"],
            id_number=data["id_number"],
            legal_representative=data["legal_representative"],
            mobile=data["mobile"],
            email=data["email"],
            address=data["address"],
            power_of_attorney=data.get("power_of_attorney"),
            scope=data.get("scope") or AuthorityScope.GENERAL,
        )

    def remove(party_id: int) -> None:
        services.party_remove(actor=user, application_id=application.pk, party_id=party_id)

    parties = [p for p in selectors.application_parties(application) if p.side == side]
    return _list_step(
        request,
        application,
        step,
        form=form,
        add=add,
        remove=remove,
        added=_("Plaintiff added.") if side == PartySide.PLAINTIFF else _("Defendant added."),
        context={"parties": parties, "for_client": for_client},
    )


def _step_agents(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    user = request_user(request)
    plaintiffs = [
        p for p in selectors.application_parties(application) if p.side == PartySide.PLAINTIFF
    ]
    form = AgentForm(post_data(request), request.FILES or None, plaintiffs=plaintiffs)

    def add(data: dict[str, Any]) -> object:
        party = data["party"]
        return services.agent_appoint(
            actor=user,
            application_id=application.pk,
            party_id=int(party) if party else 0,
            agent_mobile=data["agent_mobile"],
            kind=data["kind"],
            scope=data["scope"],
            power_of_attorney=data.get("power_of_attorney"),
        )

    def remove(agent_id: int) -> None:
        services.agent_remove(actor=user, application_id=application.pk, agent_id=agent_id)

    return _list_step(
        request,
        application,
        step,
        form=form,
        add=add,
        remove=remove,
        added=_("Agent appointed."),
        context={"plaintiffs": plaintiffs},
    )


def _step_claims(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    user = request_user(request)

    def add(data: dict[str, Any]) -> object:
        return services.claim_add(
            actor=user,
            application_id=application.pk,
            text=data["text"],
            amount=data["amount"] or None,
        )

    def remove(claim_id: int) -> None:
        services.claim_remove(actor=user, application_id=application.pk, claim_id=claim_id)

    return _list_step(
        request,
        application,
        step,
        form=ClaimForm(post_data(request)),
        add=add,
        remove=remove,
        added=_("Claim added."),
        context={"claims": claim_rows(application)},
    )


def _step_facts(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    form = FactsForm(post_data(request), initial={"facts": application.facts_and_reasons})
    if request.method == "POST" and form.is_valid():
        try:
            services.application_set_facts(
                actor=request_user(request),
                application_id=application.pk,
                facts=form.cleaned_data["facts"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return _advance(request, application, step)
    return _render_step(request, application, step, {"form": form})


def _step_evidence(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    user = request_user(request)

    def add(data: dict[str, Any]) -> object:
        return services.evidence_listing_add(
            actor=user,
            application_id=application.pk,
            title=data["title"],
            form=data["form"],
            purpose=data["purpose"],
            description=data["description"],
        )

    def remove(item_id: int) -> None:
        services.evidence_listing_remove(actor=user, application_id=application.pk, item_id=item_id)

    return _list_step(
        request,
        application,
        step,
        form=EvidenceListingForm(post_data(request)),
        add=add,
        remove=remove,
        added=_("Evidence added to the list."),
        context={"items": list(application.evidence_list.all())},
    )


def _step_delivery(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    form = DeliveryForm(
        post_data(request),
        initial={
            "mobile": application.delivery_mobile,
            "email": application.delivery_email,
            "postal_address": application.delivery_postal_address,
            "electronic_service_consent": application.electronic_service_consent,
            "confirmed": application.delivery_confirmed_at is not None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_confirm_delivery(
                actor=request_user(request),
                application_id=application.pk,
                mobile=data["mobile"],
                email=data["email"],
                postal_address=data["postal_address"],
                electronic_service_consent=data["electronic_service_consent"],
                confirmed=data["confirmed"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return _advance(request, application, step)
    return _render_step(request, application, step, {"form": form})


def _step_fees(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    form = PreferencesForm(
        post_data(request),
        initial={
            "adr_preference": application.adr_preference,
            "simplified_procedure": application.simplified_procedure_requested,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_set_preferences(
                actor=request_user(request),
                application_id=application.pk,
                adr_preference=form.cleaned_data["adr_preference"],
                simplified_procedure=form.cleaned_data["simplified_procedure"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return _advance(request, application, step)
    return _render_step(request, application, step, {"form": form, **fee_context(application)})


def _step_review(request: HttpRequest, application: Application, step: str) -> HttpResponse:
    gaps = [
        {"message": GAP_MESSAGES[gap], "url": step_url(application, STEP_OF_GAP[gap])}
        for gap in application_gaps(application_facts(application))
    ]
    return _render_step(
        request,
        application,
        step,
        {"gaps": gaps, "change_links": True, **summary_context(application)},
    )


_HANDLERS: dict[str, Callable[[HttpRequest, Application, str], HttpResponse]] = {
    "case_type": _step_case_type,
    "jurisdiction": _step_jurisdiction,
    "plaintiffs": _step_parties,
    "defendants": _step_parties,
    "agents": _step_agents,
    "claims": _step_claims,
    "facts": _step_facts,
    "evidence": _step_evidence,
    "delivery": _step_delivery,
    "fees": _step_fees,
    "review": _step_review,
}


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = own_application(request, pk)
    # The service returns a submitted application unchanged (idempotent); say so.
    already = not application.is_editable
    resubmission = application.status == S.CORRECTIONS_REQUESTED
    try:
        submitted = services.application_submit(
            actor=request_user(request), application_id=application.pk
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        if exc.field in STEPS:
            return redirect(step_url(application, str(exc.field)))
        return detail_redirect(application)
    if already:
        messages.info(
            request, _("This application was already sent to the court. Nothing changed.")
        )
    elif resubmission:
        messages.success(request, _("Your corrected application was sent to the court."))
    elif submitted.status == S.DIVERTED:
        messages.success(
            request,
            _(
                "Your application was submitted. As you asked, it goes to free online "
                "mediation first; the court reviews it for filing only if mediation fails."
            ),
        )
    else:
        messages.success(
            request,
            _(
                "Your application was submitted. The court decides within 7 days whether to "
                "accept the case."
            ),
        )
    return detail_redirect(application)


urlpatterns: list[URLPattern] = [
    path("applications/<int:pk>/step/<slug:step>/", wizard_step, name="wizard_step"),
    path("applications/<int:pk>/submit/", application_submit, name="application_submit"),
]
