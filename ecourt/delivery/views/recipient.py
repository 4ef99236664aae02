"""What a recipient sees: the notification centre, the document page (its signed-in GET is
the read receipt), the address confirmation of a case, notice preferences and API tokens,
and the proof of service (which case staff see too).

Only the recipient's own signed-in GET marks a delivery read. An anonymous request (a mail
scanner following the link in an email) is sent to the login page first, a browser's
prefetch is shown the page without a receipt, and a HEAD never reaches the service.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ecourt.accounts.models import ReviewStatus, User
from ecourt.cases import selectors as case_selectors
from ecourt.cases.models import Case, Party, PartyKind
from ecourt.cases.views.display import request_actor
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.delivery import rules, selectors
from ecourt.delivery.forms import AddressConfirmationForm, PreferenceForm
from ecourt.delivery.http import is_prefetch, read_evidence
from ecourt.delivery.models import Channel, Delivery, ProofOfService
from ecourt.delivery.render import proof_pdf, proof_pdf_name
from ecourt.delivery.services.addresses import (
    address_confirm,
    inbox_token_create,
    inbox_token_revoke,
    notification_preference_set,
)
from ecourt.delivery.services.common import is_case_staff
from ecourt.delivery.services.receipts import delivery_mark_read
from ecourt.delivery.services.staff import paper_copy_request
from ecourt.documents.sign import SealUnavailable

logger = logging.getLogger(__name__)

# --- The notification centre ------------------------------------------------------------------


@login_required
@require_safe
def centre(request: HttpRequest) -> HttpResponse:
    """Every delivery and notice of the person, unread first."""
    deliveries = selectors.notification_centre(request_actor(request))
    unread = sum(1 for delivery in deliveries if delivery.read_at is None)
    return render(request, "delivery/centre.html", {"deliveries": deliveries, "unread": unread})


# --- The document page (the read receipt) -----------------------------------------------------


@login_required
@require_safe
def delivery_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The document (or notice). The recipient's signed-in GET is the read receipt; case
    staff see the page without marking anything; everyone else gets a 404."""
    user = request_actor(request)
    delivery = selectors.delivery_for_recipient(user, pk)
    recipient = delivery is not None
    if delivery is None:
        delivery = selectors.delivery_for_viewer(user, pk)
        if delivery is None:
            raise Http404
    prefetch = is_prefetch(request)
    if recipient and request.method == "GET" and not prefetch and delivery.read_at is None:
        try:
            delivery_mark_read(actor=user, delivery_id=delivery.pk, evidence=read_evidence(request))
        except DomainError:
            raise Http404 from None
        delivery = selectors.delivery_for_recipient(user, pk) or delivery
    rule = rules.RULES_BY_CODE.get(delivery.served_rule) if delivery.served_rule else None
    response = render(
        request,
        "delivery/open.html",
        {
            "delivery": delivery,
            "document": delivery.document,
            "case": delivery.case,
            "rule": rule,
            "recipient": recipient,
            "prefetch": prefetch,
            "can_ask_paper": recipient and delivery.legal and delivery.party_id is not None,
            "has_proof": delivery.served_at is not None,
        },
    )
    # A court document is private to its recipient: no shared or browser cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    """The recipient asks for a paper copy as well."""
    user = request_actor(request)
    if selectors.delivery_for_recipient(user, pk) is None:
        raise Http404
    try:
        paper_copy_request(actor=user, delivery_id=pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _(
                "The court will send you a paper copy as well. The electronic service that "
                "already counts stays in force."
            ),
        )
    return redirect("delivery:open", pk=pk)


# --- Address confirmation ---------------------------------------------------------------------


def _case_and_parties(request: HttpRequest, case_id: int) -> tuple[Case, list[Party]]:
    """The case and the parties the person acts for in it; 404 for anyone who acts for none."""
    user = request_actor(request)
    case = case_selectors.case_for_user(user, case_id)
    if case is None:
        raise Http404
    parties = sorted(
        case_selectors.parties_acting_for(user, case=case),
        key=lambda party: (party.side, party.position, party.pk),
    )
    if not parties:
        raise Http404
    return case, parties


def _initial(user: User, party: Party) -> dict[str, Any]:
    current = selectors.confirmation_current(party)
    if current is not None:
        return {
            "party": party.pk,
            "mobile": current.mobile,
            "email": current.email,
            "institution_inbox": current.institution_inbox,
            "consents_to_decisions": current.consents_to_decisions,
        }
    return {"party": party.pk, "mobile": user.mobile, "email": user.email or ""}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def addresses(request: HttpRequest, case_id: int) -> HttpResponse:
    """送达地址确认书: the party's addresses for electronic service in this case, versioned."""
    user = request_actor(request)
    case, parties = _case_and_parties(request, case_id)
    by_pk = {party.pk: party for party in parties}
    raw = request.POST.get("party") if request.method == "POST" else request.GET.get("party")
    party = parties[0]
    if raw and raw.isascii() and raw.isdigit() and int(raw) in by_pk:
        party = by_pk[int(raw)]
    choices = [(p.pk, f"{p.name} ({p.get_side_display()})") for p in parties]
    company = party.kind == PartyKind.COMPANY
    status = 200
    if request.method == "POST":
        form = AddressConfirmationForm(request.POST, parties=choices, company=company)
        if form.is_valid():
            data = form.cleaned_data
            try:
                confirmation = address_confirm(
                    actor=user,
                    case_id=case.pk,
                    party_id=party.pk,
                    mobile=data["mobile"],
                    email=data["email"],
                    institution_inbox=bool(data.get("institution_inbox")),
                    consents_to_decisions=data["consents_to_decisions"],
                    undertaking=data["undertaking"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Your addresses for %(party)s are confirmed (version %(version)s). "
                        "They apply to documents the court issues from now on."
                    )
                    % {"party": party.name, "version": confirmation.version},
                )
                return redirect(
                    f"{request.path}?party={party.pk}" if len(parties) > 1 else request.path
                )
        status = 400
    else:
        form = AddressConfirmationForm(
            initial=_initial(user, party), parties=choices, company=company
        )
    return render(
        request,
        "delivery/addresses.html",
        {
            "case": case,
            "party": party,
            "parties": parties,
            "form": form,
            "current": selectors.confirmation_current(party),
            "history": selectors.confirmations_of(party),
        },
        status=status,
    )


# --- Preferences and API tokens ---------------------------------------------------------------


def _is_company_representative(user: User) -> bool:
    return user.company_links.filter(status=ReviewStatus.VERIFIED).exists()


def _preferences_page(
    request: HttpRequest, form: PreferenceForm, *, token: str = "", status: int = 200
) -> HttpResponse:
    user = request_actor(request)
    return render(
        request,
        "delivery/preferences.html",
        {
            "form": form,
            "tokens": selectors.inbox_tokens_of(user),
            "can_create_token": _is_company_representative(user),
            "new_token": token,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """How notices reach the person, and the company's API tokens."""
    user = request_actor(request)
    if request.method != "POST":
        preference = selectors.preference_of(user)
        form = PreferenceForm(
            initial={
                "sms": preference.sms,
                "email": preference.email,
                "quiet_start": preference.quiet_start,
                "quiet_end": preference.quiet_end,
            }
        )
        return _preferences_page(request, form)
    action = request.POST.get("action", "")
    if action == "token_create":
        try:
            _row, token = inbox_token_create(actor=user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("delivery:preferences")
        # Shown once, on this response only: nothing keeps the token but its hash.
        response = _preferences_page(request, PreferenceForm(), token=token)
        response["Cache-Control"] = "private, no-store"
        return response
    if action == "token_revoke":
        raw = request.POST.get("token", "")
        if not (raw.isascii() and raw.isdigit()):
            raise Http404
        try:
            inbox_token_revoke(actor=user, token_id=int(raw))
        except DomainError:
            raise Http404 from None
        messages.success(request, _("The token is revoked: it no longer works."))
        return redirect("delivery:preferences")
    form = PreferenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            notification_preference_set(
                actor=user,
                sms=data["sms"],
                email=data["email"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your notice preferences are saved."))
            return redirect("delivery:preferences")
    return _preferences_page(request, form, status=400)


# --- The proof of service ---------------------------------------------------------------------


def _viewable(request: HttpRequest, pk: int) -> Delivery:
    delivery = selectors.delivery_for_viewer(request_actor(request), pk)
    if delivery is None:
        raise Http404
    return delivery


def _proof_fields(proof: ProofOfService) -> dict[str, Any]:
    try:
        record = json.loads(proof.text)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


@login_required
@require_safe
def proof(request: HttpRequest, pk: int) -> HttpResponse:
    """送达回证: the current proof of service, its hash and deposit, earlier proofs."""
    user = request_actor(request)
    delivery = _viewable(request, pk)
    current = selectors.proof_current(delivery) if delivery.served_at else None
    if current is None:
        raise Http404
    earlier = [p for p in selectors.proofs_of(delivery) if p.pk != current.pk]
    record = _proof_fields(current)
    rule = rules.RULES_BY_CODE.get(str(record.get("rule", "")))
    channel = str(record.get("channel", ""))
    return render(
        request,
        "delivery/proof.html",
        {
            "delivery": delivery,
            "proof": current,
            "record": record,
            "rule": rule,
            "channel_label": Channel(channel).label if channel in Channel.values else channel,
            "earlier": earlier,
            "staff": delivery.case is not None and is_case_staff(user, delivery.case),
        },
    )


@login_required
@require_safe
def proof_scan(request: HttpRequest, pk: int, proof_pk: int) -> FileResponse:
    """The scanned paper proof of an offline service, always as a download."""
    delivery = _viewable(request, pk)
    found = (
        ProofOfService.objects.filter(pk=proof_pk, delivery=delivery, scan__isnull=False)
        .select_related("scan")
        .first()
    )
    if found is None or found.scan is None:
        raise Http404
    blob = found.scan
    extension = mimetypes.guess_extension(blob.media_type) or ""
    response = FileResponse(
        default_storage.open(blob.storage_name, "rb"),
        as_attachment=True,
        filename=f"proof-of-service-{delivery.pk}-{found.pk}{extension}",
        content_type=blob.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def proof_download(request: HttpRequest, pk: int, proof_pk: int) -> HttpResponse:
    """A proof of service as the exact bytes that were hashed and deposited: drop the file on
    the public verification page (or give it to ``ecourt-verify``) to check it was not
    changed since the court recorded it."""
    delivery = _viewable(request, pk)
    found = ProofOfService.objects.filter(pk=proof_pk, delivery=delivery).first()
    if found is None:
        raise Http404
    response = HttpResponse(found.text.encode("utf-8"), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="proof-of-service-{delivery.pk}-{found.pk}.json"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def proof_pdf_download(request: HttpRequest, pk: int, proof_pk: int) -> HttpResponse:
    """A proof of service as a readable PDF under the court's seal, drawn from its JSON in
    the reader's language. The hash that was deposited stays the JSON's (printed in it)."""
    delivery = _viewable(request, pk)
    found = (
        ProofOfService.objects.filter(pk=proof_pk, delivery=delivery)
        .select_related("delivery", "delivery__document", "delivery__party", "deposit")
        .first()
    )
    if found is None:
        raise Http404
    try:
        data = proof_pdf(found, language=get_language() or "zh-hans")
    except SealUnavailable:
        logger.exception("Proof of service %s not sealed", found.pk)
        messages.error(
            request,
            _(
                "The court's seal is not configured, so the proof cannot be drawn as a PDF. "
                "Download it as JSON, or ask the court administrator."
            ),
        )
        return redirect("delivery:proof", pk=delivery.pk)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{proof_pdf_name(found)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
