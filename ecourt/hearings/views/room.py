"""The online hearing room and the court record pages.

- ``room``: the identity re-check (send a code, enter it) until the participant is verified;
  then the link to the video conference (a new tab), the live record (the clerk's textarea,
  read-only for everyone else), the evidence shown and the judge's buttons.
- ``record_json``: the record as the room's script polls it every 2 s (204 when nothing
  changed); ``record_save``: the clerk's save (a plain form post, or the script's autosave,
  which asks for JSON).
- ``record_page``: a record with its hash, signatures, the signing form and the clerk's
  close button.

Every page works without JavaScript: ``hearing-room.js`` only polls and autosaves. Whoever is
neither a participant nor the hearing's judge or clerk gets a 404 on the room; the record page
follows who may see the case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ecourt.accounts.models import User
from ecourt.accounts.rules import mask_mobile
from ecourt.cases import selectors as case_selectors
from ecourt.cases.views.display import request_actor
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.evidence.models import EvidenceItem
from ecourt.hearings.meeting import meeting_url
from ecourt.hearings.models import (
    CourtRecord,
    Hearing,
    HearingParticipant,
    HearingStatus,
)
from ecourt.hearings.services import records as record_services
from ecourt.hearings.services import room as room_services
from ecourt.hearings.services.common import (
    is_hearing_staff,
    is_past_identity_check,
    participant_sync,
)

# --- Forms ------------------------------------------------------------------------------------


class IdentityCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class RecordTextForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Court record"),
        required=False,
        strip=False,
        max_length=record_services.MAX_RECORD_CHARS,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "true"}),
    )
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class SignForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)


class EvidenceShowForm(forms.Form):
    item = forms.TypedChoiceField(label=gettext_lazy("Evidence item"), coerce=int)

    def __init__(self, *args: Any, items: list[EvidenceItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [  # type: ignore[attr-defined]
            (item.pk, f"{item.party.name} {item.number}. {item.title}") for item in items
        ]


class SupplementForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Supplementary record (the correction)"),
        max_length=record_services.MAX_RECORD_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


# --- Who may enter ----------------------------------------------------------------------------


def _room_or_404(request: HttpRequest, pk: int) -> tuple[Hearing, HearingParticipant | None]:
    """The hearing and the caller's participant row, for participants and the hearing's
    judge and clerk; 404 for everyone else."""
    user = request_actor(request)
    hearing = (
        Hearing.objects.select_related("case", "courtroom", "judge", "clerk").filter(pk=pk).first()
    )
    if hearing is None:
        raise Http404
    participant_sync(hearing)  # a party linked, or an agent appointed, since scheduling
    participant = hearing.participants.filter(user=user).first()
    if participant is None and not is_hearing_staff(user, hearing):
        raise Http404
    return hearing, participant


def _record_of(hearing: Hearing) -> CourtRecord | None:
    return CourtRecord.objects.filter(hearing=hearing).first()


def _verified(hearing: Hearing, participant: HearingParticipant | None, user: User) -> bool:
    """Past the identity check: a party or agent verified with a texted code, or the
    hearing's judge or clerk (they signed in with their authenticator)."""
    return is_past_identity_check(user, hearing, participant)


def _evidence_items(hearing: Hearing) -> list[EvidenceItem]:
    return list(
        EvidenceItem.objects.filter(
            application_id=hearing.case.application_id, submitted_at__isnull=False
        )
        .select_related("party")
        .order_by("party__side", "party__position", "party_id", "number")
    )


def _stamp(hearing: Hearing, record: CourtRecord | None, shown: int) -> str:
    """What the poll compares: anything the room shows that may change."""
    version = record.version if record is not None else 0
    closed = int(bool(record and record.is_closed))
    return f"{version}.{shown}.{hearing.status}.{closed}"


def _service_call(request: HttpRequest, call: Callable[[], object]) -> bool:
    """Run the service ``call`` behind a button. A domain error becomes an error message (the
    view redirects all the same); True when the call succeeded, for the view's own message."""
    try:
        call()
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return False
    return True


def _room_redirect(hearing: Hearing, anchor: str = "") -> HttpResponse:
    url = reverse("hearings:room", args=[hearing.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def room_page(
    request: HttpRequest,
    hearing: Hearing,
    participant: HearingParticipant | None,
    *,
    status: int = 200,
    code_form: IdentityCodeForm | None = None,
    record_form: RecordTextForm | None = None,
    evidence_form: EvidenceShowForm | None = None,
) -> HttpResponse:
    user = request_actor(request)
    record = _record_of(hearing)
    verified = _verified(hearing, participant, user)
    judge = room_services.is_hearing_judge(user, hearing)
    keeper = is_hearing_staff(user, hearing)
    shown = room_services.evidence_shown_in(hearing) if verified else []
    items = (
        _evidence_items(hearing) if judge and hearing.status == HearingStatus.IN_PROGRESS else []
    )
    if record_form is None and record is not None and keeper:
        record_form = RecordTextForm(initial={"text": record.text, "base_version": record.version})
    context = {
        "hearing": hearing,
        "case": hearing.case,
        "participant": participant,
        "offline": participant is not None and participant.offline,
        "verified": verified,
        "room_open": room_services.room_is_open(hearing),
        "opens_at": hearing.starts_at - room_services.ROOM_OPENS_BEFORE,
        "code_form": code_form or IdentityCodeForm(),
        "masked_mobile": mask_mobile(user.mobile) if user.mobile else "",
        "meeting_url": meeting_url(hearing, user)
        if verified
        and not (participant and participant.offline)
        and hearing.status in (HearingStatus.SCHEDULED, HearingStatus.IN_PROGRESS)
        else "",
        "record": record,
        "keeper": keeper,
        "judge": judge,
        "record_form": record_form,
        "shown": shown,
        "evidence_form": evidence_form or (EvidenceShowForm(items=items) if items else None),
        "stamp": _stamp(hearing, record, len(shown)),
        "in_progress": hearing.status == HearingStatus.IN_PROGRESS,
        "can_start": judge and hearing.status == HearingStatus.SCHEDULED,
        "can_end": judge and hearing.status == HearingStatus.IN_PROGRESS,
        "record_editable": keeper and record is not None and not record.is_closed,
    }
    response = render(request, "hearings/room.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


# --- The room ---------------------------------------------------------------------------------


@login_required
@require_safe
def room(request: HttpRequest, pk: int) -> HttpResponse:
    hearing, participant = _room_or_404(request, pk)
    return room_page(request, hearing, participant)


@login_required
@require_POST
def room_identity_code(request: HttpRequest, pk: int) -> HttpResponse:
    """Text the participant a fresh code to check who is joining."""
    user = request_actor(request)
    hearing, _participant = _room_or_404(request, pk)
    if _service_call(
        request,
        lambda: room_services.hearing_identity_send(
            actor=user, hearing_id=hearing.pk, language=get_language() or "zh-hans"
        ),
    ):
        messages.info(
            request,
            _("We sent a code to %(mobile)s. Enter it below to join the hearing.")
            % {"mobile": mask_mobile(user.mobile)},
        )
    return _room_redirect(hearing, "identity")


@login_required
@require_POST
def room_identity(request: HttpRequest, pk: int) -> HttpResponse:
    hearing, participant = _room_or_404(request, pk)
    form = IdentityCodeForm(request.POST)
    if form.is_valid():
        try:
            room_services.hearing_identity_verify(
                actor=request_actor(request), hearing_id=hearing.pk, code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your identity is checked: you have joined the hearing."))
            return _room_redirect(hearing)
    return room_page(request, hearing, participant, status=400, code_form=form)


@login_required
@require_POST
def room_start(request: HttpRequest, pk: int) -> HttpResponse:
    hearing, _participant = _room_or_404(request, pk)
    if _service_call(
        request,
        lambda: room_services.hearing_start(actor=request_actor(request), hearing_id=hearing.pk),
    ):
        messages.success(request, _("The hearing has begun."))
    return _room_redirect(hearing)


@login_required
@require_POST
def room_end(request: HttpRequest, pk: int) -> HttpResponse:
    hearing, _participant = _room_or_404(request, pk)
    if _service_call(
        request,
        lambda: room_services.hearing_end(actor=request_actor(request), hearing_id=hearing.pk),
    ):
        messages.success(
            request, _("The hearing has ended. The clerk now closes the record for signature.")
        )
    return _room_redirect(hearing)


@login_required
@require_POST
def room_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    hearing, participant = _room_or_404(request, pk)
    form = EvidenceShowForm(request.POST, items=_evidence_items(hearing))
    if form.is_valid():
        try:
            room_services.evidence_show(
                actor=request_actor(request),
                hearing_id=hearing.pk,
                item_id=form.cleaned_data["item"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _room_redirect(hearing, "evidence")
    return room_page(request, hearing, participant, status=400, evidence_form=form)


# --- The live record --------------------------------------------------------------------------


def record_state(request: HttpRequest, hearing: Hearing) -> dict[str, Any]:
    """The record as the room shows it (also the API's ``GET /hearings/{id}/record``)."""
    record = _record_of(hearing)
    shown = room_services.evidence_shown_in(hearing)
    return {
        "version": record.version if record else 0,
        "text": record.text if record else "",
        "closed": bool(record and record.is_closed),
        "sha256": record.sha256 if record else "",
        "status": hearing.status,
        "record_url": reverse("hearings:record", args=[record.pk]) if record else None,
        "evidence_shown": [
            {
                "item_id": entry.item_id,
                "label": entry.label,
                "shown_at": entry.shown_at.isoformat(),
                "url": reverse("evidence:item_detail", args=[entry.item_id]),
            }
            for entry in shown
        ],
        "stamp": _stamp(hearing, record, len(shown)),
    }


@login_required
@require_safe
def record_json(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled every 2 s by the room's script. ``?since=<version>`` (and ``stamp``, which the
    script sends back from the previous answer): 204 when nothing changed."""
    hearing, participant = _room_or_404(request, pk)
    if not _verified(hearing, participant, request_actor(request)):
        # The identity check comes first; until then the room shows nothing of the hearing.
        raise Http404
    state = record_state(request, hearing)
    since, stamp = request.GET.get("since", ""), request.GET.get("stamp", "")
    unchanged = stamp == state["stamp"] if stamp else since == str(state["version"])
    response = HttpResponse(status=204) if unchanged else JsonResponse(state)
    response["Cache-Control"] = "private, no-store"
    return response


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def record_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk saves the record: a form post, or the script's autosave (JSON answer, 409 on
    a version conflict)."""
    hearing, participant = _room_or_404(request, pk)
    record = _record_of(hearing)
    if record is None or not _verified(hearing, participant, request_actor(request)):
        raise Http404
    form = RecordTextForm(request.POST)
    if form.is_valid():
        try:
            record = record_services.record_save(
                actor=request_actor(request),
                record_id=record.pk,
                text=form.cleaned_data["text"],
                base_version=form.cleaned_data["base_version"],
            )
        except DomainError as exc:
            if _wants_json(request):
                return JsonResponse(
                    {"code": exc.code, "detail": str(exc.message), "version": record.version},
                    status=exc.status_code,
                )
            add_domain_error(form, exc)
            status = exc.status_code
        else:
            if _wants_json(request):
                return JsonResponse({"version": record.version, "saved": True})
            messages.success(
                request,
                _("The record is saved (version %(version)s).") % {"version": record.version},
            )
            return _room_redirect(hearing, "record")
    else:
        status = 400
        if _wants_json(request):
            return JsonResponse(
                {"code": "invalid", "detail": _("The record could not be saved.")}, status=400
            )
    return room_page(request, hearing, participant, status=status, record_form=form)


# --- The record page --------------------------------------------------------------------------


def _record_or_404(request: HttpRequest, pk: int) -> CourtRecord:
    record = (
        CourtRecord.objects.select_related(
            "case", "hearing", "async_trial", "supplements", "deposit", "closed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if (
        record is None
        or case_selectors.case_for_user(request_actor(request), record.case_id) is None
    ):
        raise Http404
    return record


def _record_redirect(record: CourtRecord, anchor: str = "") -> HttpResponse:
    url = reverse("hearings:record", args=[record.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def record_view(
    request: HttpRequest,
    record: CourtRecord,
    *,
    status: int = 200,
    sign_form: SignForm | None = None,
    supplement_form: SupplementForm | None = None,
) -> HttpResponse:
    user = request_actor(request)
    root = record_services.root_of(record)
    signers = record_services.record_signers(record)
    signatures = {s.user_id: s for s in record.signatures.all()}
    me = next((s for s in signers if s.user_id == user.pk), None)
    keeper = record_services.is_record_keeper(user, record)
    hearing = root.hearing
    in_room = hearing is not None and (
        is_hearing_staff(user, hearing) or hearing.participants.filter(user=user).exists()
    )
    context = {
        "record": record,
        "case": record.case,
        "hearing": hearing,
        "in_room": in_room,
        "signature_rows": [(s, signatures.get(s.user_id)) for s in signers],
        "can_sign": me is not None and record.is_closed and user.pk not in signatures,
        "sign_form": sign_form or SignForm(initial={"sha256": record.sha256}),
        "can_close": keeper
        and not record.is_closed
        and (hearing is None or hearing.status == HearingStatus.ENDED),
        "can_supplement": keeper and record.is_closed,
        "supplement_form": supplement_form or SupplementForm(),
        # A supplementary record has no room: it is edited on this page.
        "edit_form": RecordTextForm(initial={"text": record.text, "base_version": record.version})
        if keeper and not record.is_closed and record.supplements_id is not None
        else None,
        "supplements": list(record.supplementary.order_by("pk")),
        "masked_mobile": mask_mobile(user.mobile) if user.mobile else "",
    }
    response = render(request, "hearings/record.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    return record_view(request, _record_or_404(request, pk))


@login_required
@require_POST
def record_close(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_404(request, pk)
    if _service_call(
        request,
        lambda: record_services.record_close(actor=request_actor(request), record_id=record.pk),
    ):
        messages.success(
            request,
            _("The record is closed: its text is frozen and each participant now signs it."),
        )
    return _record_redirect(record)


@login_required
@require_POST
def record_sign_code(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_actor(request)
    record = _record_or_404(request, pk)
    if _service_call(
        request,
        lambda: record_services.record_sign_send(
            actor=user, record_id=record.pk, language=get_language() or "zh-hans"
        ),
    ):
        messages.info(
            request,
            _("We sent a code to %(mobile)s. Enter it below to sign.")
            % {"mobile": mask_mobile(user.mobile)},
        )
    return _record_redirect(record, "sign")


@login_required
@require_POST
def record_sign(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_404(request, pk)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            record_services.record_sign(
                actor=request_actor(request),
                record_id=record.pk,
                code=form.cleaned_data["code"],
                sha256=form.cleaned_data["sha256"],
            )
        except DomainError as exc:
            if exc.code == "record_changed":
                messages.error(request, str(exc.message))
                return _record_redirect(record)
            add_domain_error(form, exc)
        else:
            record.refresh_from_db(fields=["completed_at"])
            messages.success(
                request,
                _("You signed the record. Every participant has signed.")
                if record.completed_at
                else _("You signed the record."),
            )
            return _record_redirect(record)
    return record_view(request, record, status=400, sign_form=form)


@login_required
@require_POST
def record_supplement(request: HttpRequest, pk: int) -> HttpResponse:
    record = _record_or_404(request, pk)
    form = SupplementForm(request.POST)
    if form.is_valid():
        try:
            supplement = record_services.record_supplement(
                actor=request_actor(request), record_id=record.pk, text=form.cleaned_data["text"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The supplementary record is added. Close it for signature when it is final."),
            )
            return _record_redirect(supplement)
    return record_view(request, record, status=400, supplement_form=form)


@login_required
@require_POST
def supplement_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an open record from its own page (a supplementary record has no room)."""
    record = _record_or_404(request, pk)
    form = RecordTextForm(request.POST)
    if form.is_valid() and _service_call(
        request,
        lambda: record_services.record_save(
            actor=request_actor(request),
            record_id=record.pk,
            text=form.cleaned_data["text"],
            base_version=form.cleaned_data["base_version"],
        ),
    ):
        messages.success(request, _("The record is saved."))
    return _record_redirect(record)
