"""The mediation room (调解室) and the parties' moves in it, plus the defendant's join page.

The room is for the parties (and their agents) and the assigned mediator; anybody else gets a
404 whether the mediation exists or not. Filing clerks may open the page but see only the
record (number, status, period, mediator, timeline), never messages, sessions, proposals or the
agreement. What each person may read of the room comes from the selectors (caucus privacy
lives there); every move is a POST to its own URL that calls one service. The mediator's moves
are in ``views/mediator.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ecourt.accounts.rules import mask_mobile
from ecourt.cases import selectors as case_selectors
from ecourt.cases.models import Party, PartySide
from ecourt.cases.views.applicant_common import parse_pk
from ecourt.cases.views.display import days_left_words, request_actor
from ecourt.core import context
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.core.selectors import court_today
from ecourt.core.uploads import stored_upload
from ecourt.mediation import rules, selectors, services
from ecourt.mediation.forms import (
    AgreementDraftForm,
    AnswerForm,
    DeclineForm,
    EndForm,
    FactsForm,
    MediationLinkForm,
    MessageForm,
    ProposalForm,
    RefuseForm,
    SessionForm,
    SignForm,
)
from ecourt.mediation.models import (
    ConsentKind,
    Mediation,
    MediationMessage,
    MediationStatus,
    SettlementAgreement,
)

M = MediationStatus

# --- Access ------------------------------------------------------------------------------------


def _visible_mediation(request: HttpRequest, pk: int) -> Mediation:
    mediation = selectors.mediation_for_user(request_actor(request), pk)
    if mediation is None:
        raise Http404
    return mediation


def participant_mediation(request: HttpRequest, pk: int) -> Mediation:
    """The mediation if this person is its mediator or acts for one of its parties, else 404
    (a clerk reads the record on the room page but takes no part in the room)."""
    user = request_actor(request)
    mediation = _visible_mediation(request, pk)
    if not (selectors.is_mediator(user, mediation) or selectors.parties_of(user, mediation)):
        raise Http404
    return mediation


def _party_mediation(request: HttpRequest, pk: int) -> tuple[Mediation, list[Party]]:
    """The mediation and the parties this person acts for; 403 for the mediator."""
    mediation = participant_mediation(request, pk)
    parties = selectors.parties_of(request_actor(request), mediation)
    if not parties:
        raise PermissionDenied
    return mediation, parties


def room_redirect(mediation: Mediation, anchor: str = "") -> HttpResponse:
    url = reverse("mediation:room", args=[mediation.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def form_error(form: Any, exc: DomainError) -> None:
    """A service's error next to its field; on top of the form when the field is hidden."""
    visible = {field.name for field in form.visible_fields()}
    if exc.field not in visible:
        exc.field = None
    add_domain_error(form, exc)


def _agreement_of(mediation: Mediation, agreement_id: int) -> SettlementAgreement:
    agreement = mediation.agreements.filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404
    return agreement


def _code_sent_key(agreement_id: int) -> str:
    return f"mediation-sign-code-{agreement_id}"


# --- The room page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Thread:
    key: str  # "joint", or the caucus party's id
    party: Party | None
    messages: list[MediationMessage]
    form: MessageForm | None  # None: this person cannot write here now

    @property
    def anchor(self) -> str:
        return f"thread-{self.key}"


def _threads(
    request: HttpRequest,
    mediation: Mediation,
    *,
    is_mediator: bool,
    bound: tuple[str, MessageForm] | None,
) -> tuple[list[Thread], MediationMessage | None]:
    """The threads this person reads, each with its messages and a form to write in it.

    A party sees its caucus once the mediator has written in it; the mediator sees them all.
    ``?correct=<id>`` prefills the form of that message's thread to correct it (own messages
    only)."""
    user = request_actor(request)
    visible = selectors.messages_for(user, mediation)
    correcting = next(
        (
            m
            for m in visible
            if m.pk == parse_pk(request.GET.get("correct", "")) and m.author_id == user.pk
        ),
        None,
    )
    writable = mediation.status == M.IN_PROGRESS
    threads = []
    for party in selectors.threads_for(user, mediation):
        key = "joint" if party is None else str(party.pk)
        in_thread = [m for m in visible if m.thread_party_id == (party.pk if party else None)]
        if party is not None and not is_mediator and not in_thread:
            continue  # the mediator has not opened this caucus yet
        form: MessageForm | None = None
        if bound is not None and bound[0] == key:
            form = bound[1]
        elif writable:
            initial: dict[str, Any] = {"thread": "" if party is None else party.pk}
            if correcting is not None and correcting.thread_party_id == (party and party.pk):
                initial.update(body=correcting.body, corrects=correcting.pk)
            form = MessageForm(initial=initial, auto_id=f"msg-{key}_%s")
        threads.append(Thread(key, party, in_thread, form))
    return threads, correcting


def _unanswered(parties: list[Party], proposal: Any) -> list[Party]:
    answered = {response.party_id for response in proposal.responses.all()}
    return [party for party in parties if party.pk not in answered]


def room_page(
    request: HttpRequest, mediation: Mediation, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The room as this person may see it. ``forms`` are bound forms shown again with their
    errors (``message_form`` and ``answer_form`` as (key, form) pairs)."""
    user = request_actor(request)
    is_mediator = selectors.is_mediator(user, mediation)
    mine = selectors.parties_of(user, mediation)
    in_room = is_mediator or bool(mine)
    in_progress = mediation.status == M.IN_PROGRESS
    zh = (get_language() or "").startswith("zh")
    days_left = (mediation.due_on - court_today()).days if mediation.due_on else None
    ctx: dict[str, Any] = {
        "mediation": mediation,
        "application": mediation.application,
        "in_room": in_room,
        "is_mediator": is_mediator,
        "mine": mine,
        "days_left": days_left,
        "days_words": days_left_words(days_left) if days_left is not None else "",
        "events": [
            (event, event.text_zh if zh else event.text_en)
            for event in selectors.timeline(mediation)
        ],
    }
    if not in_room:
        return render(request, "mediation/room/room.html", ctx, status=status)

    # Plaintiffs first, as the agreement and the complaint name them.
    parties = sorted(
        case_selectors.application_parties(mediation.application),
        key=lambda party: (party.side != PartySide.PLAINTIFF, party.side, party.position, party.pk),
    )
    mine_ids = {party.pk for party in mine}
    threads, correcting = _threads(
        request, mediation, is_mediator=is_mediator, bound=forms.get("message_form")
    )
    bound_answer = forms.get("answer_form")
    proposals = [
        (
            proposal,
            (
                bound_answer[1]
                if bound_answer and bound_answer[0] == proposal.pk
                else AnswerForm(auto_id=f"answer-{proposal.pk}_%s")
            )
            if in_progress and _unanswered(mine, proposal)
            else None,
        )
        for proposal in selectors.proposals_with_answers(mediation)
    ]
    agreement = selectors.current_agreement(mediation)
    signatures = selectors.signatures_of(agreement) if agreement else []
    signed_ids = {signature.party_id for signature in signatures}
    can_sign = bool(agreement and in_progress and mine_ids - signed_ids)
    facts_sha256 = (
        rules.text_sha256(mediation.undisputed_facts) if mediation.undisputed_facts else ""
    )
    facts_agreed = selectors.facts_agreed_by(mediation)
    extension = selectors.consents(mediation, ConsentKind.EXTENSION)
    confirmation = selectors.consents(mediation, ConsentKind.CONFIRMATION)
    latest_terms = proposals[-1][0].terms if proposals else ""
    ctx.update(
        {
            "parties": parties,
            "in_progress": in_progress,
            "threads": threads,
            "corrected_ids": {m.corrects_id for t in threads for m in t.messages if m.corrects_id},
            "correcting": correcting,
            "sessions": selectors.sessions_for(user, mediation),
            "proposals": proposals,
            "agreement": agreement,
            "signature_rows": [
                (party, next((s for s in signatures if s.party_id == party.pk), None))
                for party in parties
            ],
            "can_sign": can_sign,
            "code_sent": bool(agreement and request.session.get(_code_sent_key(agreement.pk))),
            "sign_form": forms.get("sign_form")
            or SignForm(
                initial={
                    "agreement": agreement.pk if agreement else None,
                    "text_sha256": agreement.text_sha256 if agreement else "",
                }
            ),
            "facts_sha256": facts_sha256,
            "facts_agreed_names": [p.name for p in parties if p.pk in facts_agreed],
            "can_agree_facts": bool(facts_sha256 and in_progress and mine_ids - facts_agreed),
            "extension_names": [consent.party.name for consent in extension],
            "can_consent_extension": bool(
                mine
                and in_progress
                and mediation.due_on
                and not mediation.extended
                and mine_ids - {consent.party_id for consent in extension}
            ),
            "can_refuse": bool(mine) and mediation.is_open,
            "can_withdraw": mediation.is_open
            and any(party.side == PartySide.PLAINTIFF for party in mine),
            "confirmation_names": [consent.party.name for consent in confirmation],
            "can_apply_confirmation": bool(
                mine
                and mediation.status == M.SETTLED
                and mediation.confirmation_case_id is None
                and mine_ids - {consent.party_id for consent in confirmation}
            ),
            # The mediator's forms
            "session_form": forms.get("session_form")
            or SessionForm(parties=[(p.pk, p.name) for p in parties], initial={"duration": 60}),
            "proposal_form": forms.get("proposal_form") or ProposalForm(),
            "draft_form": forms.get("draft_form")
            or AgreementDraftForm(
                initial={"terms": agreement.terms if agreement else latest_terms}
            ),
            "facts_form": forms.get("facts_form")
            or FactsForm(initial={"text": mediation.undisputed_facts}),
            "end_form": forms.get("end_form") or EndForm(),
            "decline_form": forms.get("decline_form") or DeclineForm(),
        }
    )
    return render(request, "mediation/room/room.html", ctx, status=status)


@login_required
@require_GET
def room(request: HttpRequest, pk: int) -> HttpResponse:
    return room_page(request, _visible_mediation(request, pk))


# --- Messages ----------------------------------------------------------------------------------


@login_required
@require_POST
def room_message_post(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_actor(request)
    mediation = participant_mediation(request, pk)
    raw = request.POST.get("thread", "")
    key = raw if parse_pk(raw) else "joint"
    form = MessageForm(request.POST, request.FILES, auto_id=f"msg-{key}_%s")
    if form.is_valid():
        upload = form.cleaned_data["attachment"]
        try:
            # The file is written before the service's transaction and removed if it fails.
            with stored_upload("mediation", upload) as name:
                services.message_post(
                    actor=user,
                    mediation_id=mediation.pk,
                    body=form.cleaned_data["body"],
                    thread_party_id=form.thread_party_id(),
                    corrects_id=form.cleaned_data["corrects"],
                    attachment=name,
                    attachment_name=getattr(upload, "original_name", "") if upload else "",
                )
        except DomainError as exc:
            if exc.field == "thread":
                # A thread this person cannot write in has no form on the page to show it.
                messages.error(request, str(exc.message))
                return room_redirect(mediation, "messages")
            form_error(form, exc)
        else:
            messages.success(request, _("Your message is posted."))
            return room_redirect(mediation, f"thread-{key}")
    return room_page(request, mediation, status=400, message_form=(key, form))


@login_required
@require_GET
def room_attachment(request: HttpRequest, pk: int, message_pk: int) -> FileResponse:
    """A message's attachment, only for someone who may read that message (caucus privacy)."""
    mediation = participant_mediation(request, pk)
    message = selectors.message_for(request_actor(request), mediation, message_pk)
    if message is None or not message.attachment or not default_storage.exists(message.attachment):
        raise Http404
    response = FileResponse(
        default_storage.open(message.attachment, "rb"),
        as_attachment=True,
        filename=message.attachment_name or PurePath(message.attachment).name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Proposals ---------------------------------------------------------------------------------


@login_required
@require_POST
def room_proposal_answer(request: HttpRequest, pk: int, proposal_pk: int) -> HttpResponse:
    mediation, _parties = _party_mediation(request, pk)
    proposal = mediation.proposals.filter(pk=proposal_pk).first()
    if proposal is None:
        raise Http404
    form = AnswerForm(request.POST, auto_id=f"answer-{proposal.pk}_%s")
    if form.is_valid():
        try:
            services.proposal_respond(
                actor=request_actor(request),
                proposal_id=proposal.pk,
                answer=form.cleaned_data["answer"],
                counter_terms=form.cleaned_data["counter_terms"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Your answer is recorded."))
            return room_redirect(mediation, f"proposal-{proposal.number}")
    return room_page(request, mediation, status=400, answer_form=(proposal.pk, form))


# --- Signing the agreement ---------------------------------------------------------------------


@login_required
@require_POST
def room_agreement_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Text the signer a one-time code for the version on the page."""
    user = request_actor(request)
    mediation, _parties = _party_mediation(request, pk)
    agreement = _agreement_of(mediation, parse_pk(request.POST.get("agreement", "")))
    try:
        services.agreement_code_send(
            actor=user,
            agreement_id=agreement.pk,
            ip_hash=context.current().ip_hash,
            language=user.preferred_language,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        request.session[_code_sent_key(agreement.pk)] = True
        messages.info(
            request,
            _("We sent a code to %(mobile)s. Enter it below to sign.")
            % {"mobile": mask_mobile(user.mobile)},
        )
    return room_redirect(mediation, "agreement")


@login_required
@require_POST
def room_agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    mediation, _parties = _party_mediation(request, pk)
    form = SignForm(request.POST)
    if form.is_valid():
        agreement = _agreement_of(mediation, form.cleaned_data["agreement"])
        try:
            services.agreement_sign(
                actor=request_actor(request),
                agreement_id=agreement.pk,
                text_sha256=form.cleaned_data["text_sha256"],
                code=form.cleaned_data["code"],
            )
        except DomainError as exc:
            if exc.code == "agreement_changed":
                # Show the text as it is now; the form on this page holds the old hash.
                messages.error(request, str(exc.message))
                return room_redirect(mediation, "agreement")
            form_error(form, exc)
        else:
            request.session.pop(_code_sent_key(agreement.pk), None)
            mediation.refresh_from_db(fields=["status"])
            messages.success(
                request,
                _("You signed. Every party has signed: the agreement is in effect.")
                if mediation.status == M.SETTLED
                else _("You signed. The agreement takes effect when every party has signed."),
            )
            return room_redirect(mediation, "agreement")
    return room_page(request, mediation, status=400, sign_form=form)


# --- Consents and ending -----------------------------------------------------------------------


@login_required
@require_POST
def room_facts_agree(request: HttpRequest, pk: int) -> HttpResponse:
    mediation, _parties = _party_mediation(request, pk)
    try:
        services.facts_agree(
            actor=request_actor(request),
            mediation_id=mediation.pk,
            text_sha256=request.POST.get("text_sha256", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your agreement to the undisputed facts is recorded."))
    return room_redirect(mediation, "facts")


@login_required
@require_POST
def room_extension_consent(request: HttpRequest, pk: int) -> HttpResponse:
    mediation, _parties = _party_mediation(request, pk)
    try:
        mediation = services.extension_consent(
            actor=request_actor(request), mediation_id=mediation.pk
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if mediation.extended:
            messages.success(
                request,
                _("Every party consented: the mediation period is extended to %(due)s.")
                % {"due": mediation.due_on.isoformat() if mediation.due_on else ""},
            )
        else:
            messages.success(
                request,
                _("Your consent is recorded. The period is extended when every party consents."),
            )
    return room_redirect(mediation, "summary")


@login_required
@require_POST
def room_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """A party refuses to continue; the first POST asks to confirm, with an optional reason."""
    mediation, _parties = _party_mediation(request, pk)
    confirmed = request.POST.get("confirm") == "yes"
    form = RefuseForm(request.POST if confirmed else None)
    if not (confirmed and form.is_valid()):
        return render(request, "mediation/room/refuse.html", {"mediation": mediation, "form": form})
    try:
        services.mediation_refuse(
            actor=request_actor(request),
            mediation_id=mediation.pk,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Mediation has ended. The court goes on reviewing the application for filing."),
        )
    return room_redirect(mediation)


@login_required
@require_POST
def room_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The plaintiff withdraws the application (and so ends mediation), after confirming."""
    mediation, parties = _party_mediation(request, pk)
    if not any(party.side == PartySide.PLAINTIFF for party in parties):
        raise PermissionDenied
    if request.POST.get("confirm") != "yes":
        return render(request, "mediation/room/withdraw.html", {"mediation": mediation})
    try:
        services.mediation_withdraw(actor=request_actor(request), mediation_id=mediation.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The application is withdrawn and mediation has ended."))
    return room_redirect(mediation)


@login_required
@require_POST
def room_confirmation_apply(request: HttpRequest, pk: int) -> HttpResponse:
    mediation, _parties = _party_mediation(request, pk)
    try:
        mediation = services.confirmation_apply(
            actor=request_actor(request), mediation_id=mediation.pk
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        case = mediation.confirmation_case
        if case is not None:
            messages.success(
                request,
                _("Every party applied. The court docketed case %(number)s for confirmation.")
                % {"number": case.number},
            )
        else:
            messages.success(
                request,
                _(
                    "Your application is recorded. The court dockets it when every party has "
                    "applied."
                ),
            )
    return room_redirect(mediation, "confirmation")


# --- Joining as the defendant ------------------------------------------------------------------


@login_required
def mediation_link(request: HttpRequest) -> HttpResponse:
    """A defendant joins the mediation with its number and the association code."""
    user = request_actor(request)
    form = MediationLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            party = services.mediation_link(
                actor=user, number=form.cleaned_data["number"], code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("You joined the mediation as %(party)s.") % {"party": party.name},
            )
            mediation = Mediation.objects.get(application_id=party.application_id)
            return redirect("mediation:room", pk=mediation.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "mediation/room/link.html", {"form": form}, status=status)


urlpatterns: list[URLPattern] = [
    path("link/", mediation_link, name="link"),
    path("<int:pk>/", room, name="room"),
    path("<int:pk>/messages/", room_message_post, name="room_message_post"),
    path(
        "<int:pk>/messages/<int:message_pk>/attachment/",
        room_attachment,
        name="room_attachment",
    ),
    path(
        "<int:pk>/proposals/<int:proposal_pk>/answer/",
        room_proposal_answer,
        name="room_proposal_answer",
    ),
    path("<int:pk>/agreement/code/", room_agreement_code, name="room_agreement_code"),
    path("<int:pk>/agreement/sign/", room_agreement_sign, name="room_agreement_sign"),
    path("<int:pk>/facts/agree/", room_facts_agree, name="room_facts_agree"),
    path("<int:pk>/extension/", room_extension_consent, name="room_extension_consent"),
    path("<int:pk>/refuse/", room_refuse, name="room_refuse"),
    path("<int:pk>/withdraw/", room_withdraw, name="room_withdraw"),
    path("<int:pk>/confirmation/", room_confirmation_apply, name="room_confirmation_apply"),
]
