"""The mediator's pages: the list of their matters, taking a matter on or declining it, and
their moves in the room (sessions, proposals, the agreement, the undisputed facts, ending
without agreement).

Only the mediator assigned now may act on a matter: anyone else gets a 404 (a party of the
matter, who sees the room, gets a 403 for the mediator's moves). The room page itself is in
``views/room.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecourt.accounts.permissions import staff_required
from ecourt.accounts.roles import Role
from ecourt.cases.views.display import days_left_words, request_actor
from ecourt.core.errors import DomainError
from ecourt.mediation import selectors, services
from ecourt.mediation.forms import (
    AgreementDraftForm,
    DeclineForm,
    EndForm,
    FactsForm,
    ProposalForm,
    SessionForm,
)
from ecourt.mediation.models import Mediation, MediationStatus
from ecourt.mediation.views.room import (
    form_error,
    participant_mediation,
    room_page,
    room_redirect,
)

M = MediationStatus

# --- The mediator's matters --------------------------------------------------------------------


@staff_required(Role.MEDIATOR)
def my_matters(request: HttpRequest) -> HttpResponse:
    """The signed-in mediator's open matters (soonest due first) and how the others ended."""
    mediator = selectors.mediator_of(request_actor(request))
    rows: list[dict[str, object]] = []
    outcomes: list[tuple[str, int]] = []
    if mediator is not None:
        workload = selectors.workload_of(mediator)
        lines, counts = workload["open"], workload["outcomes"]
        assert isinstance(lines, list) and isinstance(counts, dict)
        rows = [
            {
                "mediation": line.mediation,
                "days_left": line.days_left,
                "days_words": "" if line.days_left is None else days_left_words(line.days_left),
            }
            for line in lines
        ]
        outcomes = [
            (str(status.label), counts.get(status.value, 0))
            for status in (M.SETTLED, M.FAILED, M.WITHDRAWN)
        ]
    return render(
        request,
        "mediation/mediator/my_matters.html",
        {"mediator": mediator, "rows": rows, "outcomes": outcomes},
    )


def _mediator_mediation(request: HttpRequest, pk: int, *, outsiders_404: bool = False) -> Mediation:
    """The mediation if this person is its mediator now. A party gets 403 (they see the
    room, not the mediator's moves); ``outsiders_404`` answers 404 to them too."""
    mediation = participant_mediation(request, pk)
    if not selectors.is_mediator(request_actor(request), mediation):
        if outsiders_404:
            raise Http404
        raise PermissionDenied
    return mediation


@login_required
@require_POST
def mediation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _mediator_mediation(request, pk, outsiders_404=True)
    try:
        services.mediation_accept(actor=request_actor(request), mediation_id=mediation.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("You took the matter on. The room is open to the parties."))
    return room_redirect(mediation)


@login_required
@require_POST
def mediation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _mediator_mediation(request, pk, outsiders_404=True)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.mediation_decline(
                actor=request_actor(request),
                mediation_id=mediation.pk,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("You declined %(number)s. It goes to another mediator.")
                % {"number": mediation.number},
            )
            return redirect("mediation:my_matters")
    return room_page(request, mediation, status=400, decline_form=form)


# --- The mediator's moves in the room ----------------------------------------------------------


@login_required
@require_POST
def room_session_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _mediator_mediation(request, pk)
    parties = [(p.pk, p.name) for p in mediation.application.parties.all()]
    form = SessionForm(request.POST, parties=parties)
    if form.is_valid():
        try:
            services.session_schedule(
                actor=request_actor(request),
                mediation_id=mediation.pk,
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration"],
                thread_party_id=form.cleaned_data["thread"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The session is scheduled; the parties were told."))
            return room_redirect(mediation, "sessions")
    return room_page(request, mediation, status=400, session_form=form)


@login_required
@require_POST
def room_session_cancel(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    mediation = _mediator_mediation(request, pk)
    session = mediation.sessions.filter(pk=session_pk).first()
    if session is None:
        raise Http404
    try:
        services.session_cancel(actor=request_actor(request), session_id=session.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The session is cancelled."))
    return room_redirect(mediation, "sessions")


@login_required
@require_POST
def room_proposal_make(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _mediator_mediation(request, pk)
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            proposal = services.proposal_make(
                actor=request_actor(request),
                mediation_id=mediation.pk,
                terms=form.cleaned_data["terms"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Proposal no. %(n)s is put to the parties.") % {"n": proposal.number},
            )
            return room_redirect(mediation, "proposals")
    return room_page(request, mediation, status=400, proposal_form=form)


@login_required
@require_POST
def room_agreement_draft(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _mediator_mediation(request, pk)
    form = AgreementDraftForm(request.POST)
    if form.is_valid():
        try:
            agreement = services.agreement_draft(
                actor=request_actor(request),
                mediation_id=mediation.pk,
                terms=form.cleaned_data["terms"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Agreement version %(version)s is ready for the parties to sign.")
                % {"version": agreement.version},
            )
            return room_redirect(mediation, "agreement")
    return room_page(request, mediation, status=400, draft_form=form)


@login_required
@require_POST
def room_facts_record(request: HttpRequest, pk: int) -> HttpResponse:
    mediation = _mediator_mediation(request, pk)
    form = FactsForm(request.POST)
    if form.is_valid():
        try:
            services.facts_record(
                actor=request_actor(request),
                mediation_id=mediation.pk,
                text=form.cleaned_data["text"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("The undisputed facts are recorded for the parties."))
            return room_redirect(mediation, "facts")
    return room_page(request, mediation, status=400, facts_form=form)


@login_required
@require_POST
def room_end(request: HttpRequest, pk: int) -> HttpResponse:
    """The mediator ends the mediation without agreement, giving the reason."""
    mediation = _mediator_mediation(request, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.mediation_end_without_agreement(
                actor=request_actor(request),
                mediation_id=mediation.pk,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("Mediation ended without agreement. The application goes back to filing review."),
            )
            return room_redirect(mediation)
    return room_page(request, mediation, status=400, end_form=form)


urlpatterns: list[URLPattern] = [
    path("mine/", my_matters, name="my_matters"),
    path("<int:pk>/accept/", mediation_accept, name="accept"),
    path("<int:pk>/decline/", mediation_decline, name="decline"),
    path("<int:pk>/sessions/", room_session_schedule, name="room_session_schedule"),
    path(
        "<int:pk>/sessions/<int:session_pk>/cancel/",
        room_session_cancel,
        name="room_session_cancel",
    ),
    path("<int:pk>/proposals/", room_proposal_make, name="room_proposal_make"),
    path("<int:pk>/agreement/", room_agreement_draft, name="room_agreement_draft"),
    path("<int:pk>/facts/", room_facts_record, name="room_facts_record"),
    path("<int:pk>/end/", room_end, name="room_end"),
]
