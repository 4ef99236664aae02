"""Evidence pages of an application or case: each party's list, adding an item (with the file
in chunks through ``evidence-upload.js``, or in one request without JavaScript), the item with
its file, hash, deposit and receipt, the other side's opinions and the judge's determination.

Anyone who may not see the evidence gets a 404, whether it exists or not; a draft is seen only
by its party's side (``selectors.item_for_user``). Actions are POST-only; a DomainError is
shown next to the field it names, or as a message for a bare button.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ecourt.accounts.models import User
from ecourt.cases import selectors as case_selectors
from ecourt.cases.models import Application, Case, Party, PartySide
from ecourt.cases.views.display import request_actor
from ecourt.core.errors import DomainError
from ecourt.core.errors import PermissionDenied as DomainPermissionDenied
from ecourt.core.forms import add_domain_error
from ecourt.evidence import rules, selectors
from ecourt.evidence.files import item_file_response
from ecourt.evidence.forms import DeterminationForm, EvidenceItemForm, OpinionForm
from ecourt.evidence.models import EvidenceItem, EvidenceOpinion, Upload, UploadStatus
from ecourt.evidence.selectors import acting_parties
from ecourt.evidence.services.items import (
    evidence_determination_record,
    evidence_item_add,
    evidence_item_remove,
    evidence_list_submit,
    evidence_opinion_record,
)
from ecourt.evidence.services.uploads import check_size, upload_from_file
from ecourt.evidence.upload_handlers import HashingUploadHandler


def _application_for(request: HttpRequest, pk: int) -> Application:
    application = selectors.application_visible(request_actor(request), pk)
    if application is None:
        raise Http404
    return application


def _item_for(request: HttpRequest, pk: int) -> EvidenceItem:
    item = selectors.item_for_user(request_actor(request), pk)
    if item is None:
        raise Http404
    return item


def _case_of(application: Application) -> Case | None:
    return Case.objects.filter(application=application).select_related("judge").first()


def _filing_open(application: Application, case: Case | None) -> bool:
    return rules.filing_open(
        application_status=application.status, case_status=case.status if case else None
    )


#: Plaintiffs first, as a complaint names them.
SIDE_ORDER: dict[str, int] = {
    PartySide.PLAINTIFF: 0,
    PartySide.DEFENDANT: 1,
    PartySide.THIRD_PARTY: 2,
}


# --- The list ----------------------------------------------------------------------------------


@dataclass
class PartyEvidence:
    """One party's part of the page: its items the person may see, and what they may do."""

    party: Party
    own: bool
    items: list[EvidenceItem] = field(default_factory=list)

    @property
    def drafts(self) -> int:
        return sum(1 for item in self.items if item.submitted_at is None)


@login_required
@require_GET
def evidence_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every party's evidence on an application or its case, as far as the person may see it."""
    user = request_actor(request)
    application = _application_for(request, pk)
    case = _case_of(application)
    own = {party.pk for party in acting_parties(user, application)}
    parties = sorted(
        case_selectors.application_parties(application),
        key=lambda party: (SIDE_ORDER.get(party.side, len(SIDE_ORDER)), party.position, party.pk),
    )
    groups = {party.pk: PartyEvidence(party, own=party.pk in own) for party in parties}
    for item in selectors.items_for(user, application):
        groups[item.party_id].items.append(item)
    return render(
        request,
        "evidence/list.html",
        {
            "application": application,
            "case": case,
            "groups": list(groups.values()),
            "filing_open": _filing_open(application, case),
        },
    )


@login_required
@require_GET
def case_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence of a case is its application's."""
    case = case_selectors.case_for_user(request_actor(request), pk)
    if case is None:
        raise Http404
    return redirect("evidence:list", pk=case.application_id)


@login_required
@require_POST
def list_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a party's drafts: the other parties and the court see them from now."""
    user = request_actor(request)
    application = _application_for(request, pk)
    party = _own_party(user, application, request.POST.get("party", ""))
    try:
        submitted = evidence_list_submit(actor=user, application=application, party=party)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d item submitted. The other parties and the court can see it now.",
                "%(n)d items submitted. The other parties and the court can see them now.",
                len(submitted),
            )
            % {"n": len(submitted)},
        )
    return redirect("evidence:list", pk=application.pk)


def _own_party(user: User, application: Application, raw: str) -> Party:
    """A party of ``application`` the person acts for, chosen by ``raw`` (its id), else 404."""
    parties = acting_parties(user, application)
    if not raw and len(parties) == 1:
        return parties[0]
    for party in parties:
        if raw.isascii() and raw.isdigit() and party.pk == int(raw):
            return party
    raise Http404


# --- Adding an item ----------------------------------------------------------------------------


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def item_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Add an item to a party's list (``?party=<id>``). The hashing upload handler must be in
    place before anything reads the body, and the CSRF check reads it: so this outer view is
    exempt, finds the application and the party (404s, from the URL alone), installs the
    handler and calls the inner view, which checks CSRF."""
    user = request_actor(request)
    application = _application_for(request, pk)
    party = _own_party(user, application, request.GET.get("party", ""))
    if request.method == "POST":
        request.upload_handlers = [HashingUploadHandler(request)]
    return _item_add(request, application, party)


@csrf_protect
def _item_add(request: HttpRequest, application: Application, party: Party) -> HttpResponse:
    user = request_actor(request)
    case = _case_of(application)
    if request.method != "POST":
        return _add_page(request, application, party, case, EvidenceItemForm())
    form = EvidenceItemForm(request.POST, request.FILES)
    form.is_valid()  # every field's errors at once, the file's included
    upload = _received_upload(request, user, form)
    if upload is not None and not form.errors:
        data = form.cleaned_data
        try:
            item = evidence_item_add(
                actor=user,
                application=application,
                party=party,
                upload=upload,
                title=data["title"],
                purpose=data["purpose"],
                form=data["form"],
                kind=data["kind"],
                description=data["description"],
                source=data["source"],
                claimed_deposit_no=data["deposit_no"],
            )
        except DomainPermissionDenied:
            raise Http404 from None
        except DomainError as exc:
            if exc.field == "upload":
                exc.field = "file"
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Item %(number)s, “%(title)s”, is on the list of %(party)s as a draft. "
                    "Only your side sees it until you submit the list."
                )
                % {"number": item.number, "title": item.title, "party": party.name},
            )
            return redirect("evidence:list", pk=application.pk)
    return _add_page(request, application, party, case, form, kept=upload, status=400)


def _received_upload(request: HttpRequest, user: User, form: EvidenceItemForm) -> Upload | None:
    """The stored upload the form refers to: the file just received in this request, or the
    token of one uploaded in chunks (or kept from an earlier try of the form). Problems are
    added to the form's ``file`` field."""
    handler = next(
        (h for h in request.upload_handlers if isinstance(h, HashingUploadHandler)), None
    )
    if handler is not None and handler.too_large:
        try:
            check_size(handler.received)
        except DomainError as exc:
            add_domain_error(form, exc)
        return None
    uploaded = request.FILES.get("file")
    if uploaded is not None and "file" not in form.errors:
        path = getattr(uploaded, "temporary_file_path", None)
        if path is None:  # only the hashing handler's temporary files are accepted
            form.add_error("file", _("The file did not arrive whole; choose it again."))
            return None
        try:
            return upload_from_file(
                actor=user,
                path=Path(path()),
                filename=uploaded.name or "file",
                sha256=getattr(uploaded, "sha256", None),
            )
        except DomainError as exc:
            exc.field = "file"
            add_domain_error(form, exc)
            return None
    token = str(request.POST.get("upload") or "").strip()
    if uploaded is None and token:
        upload = Upload.objects.filter(token=token[:64], owner=user).first()
        if upload is None:
            form.add_error("file", _("The uploaded file was not found; choose it again."))
        return upload
    if "file" not in form.errors:
        form.add_error("file", _("Choose the file."))
    return None


def _add_page(
    request: HttpRequest,
    application: Application,
    party: Party,
    case: Case | None,
    form: EvidenceItemForm,
    *,
    kept: Upload | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "evidence/add.html",
        {
            "application": application,
            "party": party,
            "case": case,
            "form": form,
            # A file already stored is kept when other fields need correcting.
            "kept": kept if kept is not None and kept.status == UploadStatus.COMPLETE else None,
            "max_bytes": settings.ECOURT_EVIDENCE_MAX_BYTES,
            "filing_open": _filing_open(application, case),
            "action": reverse("evidence:item_add", args=[application.pk]) + f"?party={party.pk}",
        },
        status=status,
    )


# --- One item ----------------------------------------------------------------------------------


def _opinion_parties(
    user: User, item: EvidenceItem, opinions: list[EvidenceOpinion]
) -> list[Party]:
    """The parties of the other side the person acts for that have not given an opinion."""
    given = {opinion.party_id for opinion in opinions}
    return [
        party
        for party in acting_parties(user, item.application)
        if party.side != item.party.side and party.pk not in given
    ]


def _item_page(request: HttpRequest, item: EvidenceItem, **forms: Any) -> HttpResponse:
    user = request_actor(request)
    application = item.application
    case = _case_of(application)
    opinions = list(item.opinions.select_related("party"))
    determination = getattr(item, "determination", None)
    submitted = item.submitted_at is not None
    examining = submitted and rules.examination_open(case.status if case else None)
    opinion_parties = _opinion_parties(user, item, opinions) if examining else []
    mine = {party.pk for party in acting_parties(user, application)}
    context: dict[str, Any] = {
        "item": item,
        "application": application,
        "case": case,
        "blob": item.blob,
        "deposit": item.deposit,
        "opinions": opinions,
        "determination": determination,
        "can_remove": not submitted and item.party_id in mine and _filing_open(application, case),
        "opinion_form": OpinionForm(parties=[(p.pk, p.name) for p in opinion_parties])
        if opinion_parties
        else None,
        "determination_form": DeterminationForm()
        if examining and case is not None and case.judge_id == user.pk and determination is None
        else None,
    }
    context.update(forms)
    return render(request, "evidence/item.html", context, status=400 if forms else 200)


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, _item_for(request, pk))


@login_required
@require_GET
def item_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The stored file, always as a download."""
    return item_file_response(_item_for(request, pk))


@login_required
@require_GET
def item_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt of the item's deposit, to verify offline with ``ecourt-verify``."""
    item = _item_for(request, pk)
    receipt = selectors.receipt_for(item.deposit)
    if isinstance(receipt, selectors.ReceiptPending):
        if receipt.reason == "sequencing":
            text = _(
                "The receipt will be ready shortly: the file's hash is being added to the "
                "evidence log. Try again in a few seconds."
            )
        else:
            text = _(
                "The receipt will be ready shortly: the evidence log is waiting for its "
                "witnesses to cosign. Try again in a minute."
            )
        messages.info(request, text)
        return redirect("evidence:item_detail", pk=item.pk)
    response = HttpResponse(
        json.dumps(receipt, indent=2, ensure_ascii=False) + "\n",
        content_type="application/json",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="receipt-{item.deposit.deposit_no}.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_for(request, pk)
    try:
        evidence_item_remove(actor=request_actor(request), item=item)
    except DomainPermissionDenied:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("evidence:item_detail", pk=item.pk)
    messages.success(
        request,
        _("Item %(number)s, “%(title)s”, is taken off the list.")
        % {"number": item.number, "title": item.title},
    )
    return redirect("evidence:list", pk=item.application_id)


@login_required
@require_POST
def item_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """An opposing party's opinion on authenticity, legality and relevance (质证)."""
    user = request_actor(request)
    item = _item_for(request, pk)
    parties = {party.pk: party for party in acting_parties(user, item.application)}
    if not parties:
        raise PermissionDenied  # opinions come from parties; the court determines
    form = OpinionForm(request.POST, parties=[(p.pk, p.name) for p in parties.values()])
    if form.is_valid():
        data = form.cleaned_data
        try:
            evidence_opinion_record(
                actor=user,
                item=item,
                party=parties[data["party"]],
                authenticity=data["authenticity"],
                legality=data["legality"],
                relevance=data["relevance"],
                reasons=data["reasons"],
            )
        except DomainPermissionDenied:
            raise PermissionDenied from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The opinion is on the record and on the docket."))
            return redirect("evidence:item_detail", pk=item.pk)
    return _item_page(request, item, opinion_form=form)


@login_required
@require_POST
def item_determination(request: HttpRequest, pk: int) -> HttpResponse:
    """The judge's determination on the item (认证)."""
    user = request_actor(request)
    item = _item_for(request, pk)
    case = _case_of(item.application)
    if case is None or case.judge_id != user.pk:
        raise PermissionDenied  # the service says the same; no form to show them
    form = DeterminationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            evidence_determination_record(
                actor=user,
                item=item,
                authenticity=data["authenticity"],
                legality=data["legality"],
                relevance=data["relevance"],
                admitted=data["admitted"],
                reasons=data["reasons"],
            )
        except DomainPermissionDenied:
            raise PermissionDenied from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The determination is on the record and on the docket."))
            return redirect("evidence:item_detail", pk=item.pk)
    return _item_page(request, item, determination_form=form)
