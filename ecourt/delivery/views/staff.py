"""What court staff see and do: every delivery of a case with its attempts and events,
issuing a document, and the failed-service queue with its actions (retry, another channel
or address, offline service with the scanned proof, a corrected served date).

Case staff are filing clerks and the case's judge (``is_case_staff``); everyone else,
parties included, gets a 404. Actions are POST-only; a DomainError becomes a message, and
the page the action came from (``next``, when it is on this site) is shown again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe

from ecourt.accounts.roles import Role
from ecourt.accounts.rules import mask_mobile
from ecourt.cases.models import Case
from ecourt.cases.views.display import request_actor
from ecourt.core.errors import DomainError
from ecourt.core.errors import PermissionDenied as DomainPermissionDenied
from ecourt.core.forms import add_domain_error
from ecourt.delivery import rules, selectors
from ecourt.delivery.forms import (
    CorrectForm,
    IssueForm,
    OfflineForm,
    OfflineProofForm,
    PaperSentForm,
    RedirectForm,
)
from ecourt.delivery.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryEvent,
    DeliveryStatus,
    FailureReason,
    ProofOfService,
)
from ecourt.delivery.services import staff as services
from ecourt.delivery.services.common import is_case_staff
from ecourt.documents.services import document_issue
from ecourt.evidence.models import Upload
from ecourt.evidence.services.uploads import check_size, upload_from_file
from ecourt.evidence.upload_handlers import HashingUploadHandler

S = DeliveryStatus


def _staff_case(request: HttpRequest, case_id: int) -> Case:
    case = Case.objects.select_related("judge").filter(pk=case_id).first()
    if case is None or not is_case_staff(request_actor(request), case):
        raise Http404
    return case


def _staff_delivery(request: HttpRequest, pk: int) -> Delivery:
    delivery = (
        Delivery.objects.select_related("case", "case__judge", "document")
        .filter(pk=pk, legal=True, case__isnull=False)
        .first()
    )
    if delivery is None or not is_case_staff(request_actor(request), delivery.case):  # type: ignore[arg-type]
        raise Http404
    return delivery


def _masked(channel: str, address: str) -> str:
    return mask_mobile(address) if channel == Channel.SMS and address else address


# --- What a row shows -------------------------------------------------------------------------


@dataclass
class DeliveryRow:
    """One delivery with what staff may do with it."""

    delivery: Delivery
    plan: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    events: list[tuple[DeliveryEvent, list[tuple[str, str]]]] = field(default_factory=list)
    proof: ProofOfService | None = None
    rule: rules.ServiceRule | None = None

    @property
    def can_retry(self) -> bool:
        return self.delivery.status == S.FAILED

    @property
    def can_redirect(self) -> bool:
        return (
            self.delivery.served_at is None
            and self.delivery.status in (S.FAILED, S.OFFLINE)
            and self.delivery.failure_reason != FailureReason.NEEDS_CONSENT
        )

    @property
    def can_go_offline(self) -> bool:
        return self.delivery.served_at is None and self.delivery.status in (
            S.QUEUED,
            S.SENT,
            S.DELIVERED,
            S.FAILED,
        )

    @property
    def can_record_offline(self) -> bool:
        return self.delivery.served_at is None and self.delivery.status == S.OFFLINE

    @property
    def can_correct(self) -> bool:
        return self.delivery.served_at is not None


def _row(delivery: Delivery, *, full: bool) -> DeliveryRow:
    row = DeliveryRow(
        delivery,
        plan=[
            {
                "channel": Channel(step["channel"]).label
                if step.get("channel") in Channel.values
                else step.get("channel", ""),
                "address": _masked(step.get("channel", ""), str(step.get("address", ""))),
                "confirmed": bool(step.get("confirmed")),
            }
            for step in delivery.plan
        ],
        rule=rules.RULES_BY_CODE.get(delivery.served_rule) if delivery.served_rule else None,
    )
    if full:
        row.attempts = list(delivery.tries.all())
        for attempt in row.attempts:  # shown, never saved: the row keeps the full number
            attempt.address = _masked(attempt.channel, attempt.address)
        row.events = [
            (
                event,
                [
                    (key, _masked(event.channel, str(value)) if key == "address" else str(value))
                    for key, value in sorted(event.detail.items())
                ],
            )
            for event in delivery.events.all()
        ]
        row.proof = next((p for p in delivery.proofs.all() if p.superseded_at is None), None)
    return row


# --- A case's deliveries ----------------------------------------------------------------------


def _case_page(
    request: HttpRequest, case: Case, *, form: IssueForm | None = None, status: int = 200
) -> HttpResponse:
    parties = list(case.parties.order_by("side", "position", "pk"))
    choices = [(p.pk, f"{p.name} ({p.get_side_display()})") for p in parties]
    return render(
        request,
        "delivery/case.html",
        {
            "case": case,
            "rows": [_row(d, full=True) for d in selectors.case_deliveries(case)],
            "form": form
            or IssueForm(parties=choices, initial={"recipients": [c for c, _ in choices]}),
            "here": reverse("delivery:case", args=[case.pk]),
        },
        status=status,
    )


@login_required
@require_safe
def case_deliveries(request: HttpRequest, case_id: int) -> HttpResponse:
    """Every delivery of a case, with its channels, attempts, events and proof."""
    return _case_page(request, _staff_case(request, case_id))


@login_required
@require_POST
def issue(request: HttpRequest, case_id: int) -> HttpResponse:
    """Issue a document in the case and serve it on the chosen parties."""
    case = _staff_case(request, case_id)
    choices = [
        (p.pk, f"{p.name} ({p.get_side_display()})")
        for p in case.parties.order_by("side", "position", "pk")
    ]
    form = IssueForm(request.POST, parties=choices)
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = document_issue(
                actor=request_actor(request),
                case_id=case.pk,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                recipient_ids=data["recipients"],
            )
        except DomainPermissionDenied:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("“%(title)s” is issued and on its way to its recipients.")
                % {"title": document.title},
            )
            return redirect("delivery:case", case_id=case.pk)
    return _case_page(request, case, form=form, status=400)


# --- The failed-service queue -----------------------------------------------------------------


@login_required
@require_safe
def failed(request: HttpRequest) -> HttpResponse:
    """Deliveries that need a person: failed, or waiting for offline service."""
    user = request_actor(request)
    if not user.has_role(Role.FILING_CLERK, Role.JUDGE):
        raise Http404
    return render(
        request,
        "delivery/failed.html",
        {
            "rows": [_row(d, full=False) for d in selectors.failed_queue(user)],
            "paper": selectors.paper_requests(user),
            "here": reverse("delivery:failed"),
        },
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = str(request.POST.get("next", ""))
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("delivery:failed")


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def _act(request: HttpRequest, call: Any, done: str) -> HttpResponse:
    """Run a staff service, then go back with its message."""
    try:
        call()
    except DomainPermissionDenied:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return _back(request)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    user = request_actor(request)
    return _act(
        request,
        lambda: services.delivery_retry(actor=user, delivery_id=delivery.pk),
        _("The delivery is queued again on the same channels."),
    )


@login_required
@require_POST
def redirect_to(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    user = request_actor(request)
    form = RedirectForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    data = form.cleaned_data
    return _act(
        request,
        lambda: services.delivery_redirect(
            actor=user, delivery_id=delivery.pk, channel=data["channel"], address=data["address"]
        ),
        _(
            "The delivery goes to the new address. It is served once the recipient reads it "
            "or acts on it."
        ),
    )


@login_required
@require_POST
def offline(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    user = request_actor(request)
    form = OfflineForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    return _act(
        request,
        lambda: services.delivery_offline(
            actor=user, delivery_id=delivery.pk, reason=form.cleaned_data["reason"]
        ),
        _("The delivery is switched to offline service. Record the service when it is made."),
    )


@login_required
@require_POST
def paper_sent(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    user = request_actor(request)
    form = PaperSentForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    return _act(
        request,
        lambda: services.paper_copy_sent(
            actor=user, delivery_id=delivery.pk, note=form.cleaned_data["note"]
        ),
        _("The paper copy is recorded as sent."),
    )


@csrf_exempt
@login_required
@require_POST
def offline_proof(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Record offline service with the scanned proof. The hashing upload handler must be in
    place before anything reads the body, and the CSRF check reads it: so this outer view is
    exempt, finds the delivery (404s from the URL alone), installs the handler and calls the
    inner view, which checks CSRF."""
    delivery = _staff_delivery(request, pk)
    request.upload_handlers = [HashingUploadHandler(request)]
    return _offline_proof(request, delivery)


@csrf_protect
def _offline_proof(request: HttpRequest, delivery: Delivery) -> HttpResponse:
    user = request_actor(request)
    form = OfflineProofForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    try:
        scan = _received_scan(request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(request)
    data = form.cleaned_data
    return _act(
        request,
        lambda: services.delivery_offline_proof(
            actor=user,
            delivery_id=delivery.pk,
            served_on=data["served_on"],
            method=data["method"],
            scan=scan,
        ),
        _("Offline service is recorded with its scanned proof."),
    )


def _received_scan(request: HttpRequest) -> Upload:
    """The scan received in this request, stored as an evidence upload (its type is checked
    from its content), or a DomainError saying what is wrong."""
    handler = next(
        (h for h in request.upload_handlers if isinstance(h, HashingUploadHandler)), None
    )
    if handler is not None and handler.too_large:
        check_size(handler.received)
    uploaded = request.FILES.get("scan")
    if uploaded is None:
        raise DomainError(_("Upload the scanned proof of service."), code="scan_missing")
    path = getattr(uploaded, "temporary_file_path", None)
    if path is None:  # only the hashing handler's temporary files are accepted
        raise DomainError(_("The file did not arrive whole; choose it again."), code="partial")
    return upload_from_file(
        actor=request_actor(request),
        path=Path(path()),
        filename=uploaded.name or "scan",
        sha256=getattr(uploaded, "sha256", None),
    )


@login_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = _staff_delivery(request, pk)
    user = request_actor(request)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    data = form.cleaned_data
    return _act(
        request,
        lambda: services.delivery_served_correct(
            actor=user, delivery_id=delivery.pk, served_on=data["served_on"], reason=data["reason"]
        ),
        _("The served date is corrected; the periods it starts are recomputed."),
    )
