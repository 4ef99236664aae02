"""The public verification page: is this file (or hash, or deposit number) in the court's
evidence log, since when, and does its receipt verify against the current checkpoint?

Anyone may use it, signed in or not. A chosen file is hashed in the browser
(``sha256.js``, reading it in slices) and never uploaded: the form sends only the hex digest,
by GET, so a result can be linked to. Each integrated deposit's receipt is built and checked
here with the same code as the offline verifier, ``ecourt-verify``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ecourt.evidence import selectors
from ecourt.evidence.forms import VerifyForm
from ecourt.evidence.keys import log_verifier
from ecourt.evidence.models import Deposit
from ecourt.evidence.tlog import note
from ecourt.evidence.tlog.verify import CheckFailed, verify_receipt

#: A hash deposited by more depositors than this shows the first ones only.
MAX_SHOWN = 20


@dataclass
class DepositCheckResult:
    """What the page says about one deposit."""

    deposit: Deposit
    receipt_url: str
    integrated: bool = False
    pending_reason: str = ""  # "sequencing" or "awaiting_witnesses" while there is no receipt
    tree_size: int | None = None
    verified: bool = False
    failure: str = ""
    cosigned: int = 0

    @property
    def depositor(self) -> str:
        if self.deposit.institution_id is not None and self.deposit.institution is not None:
            return self.deposit.institution.name
        return _("A person using the court's platform")


def _trusted() -> list[note.Verifier]:
    keys = []
    for witness in selectors.trusted_witnesses():
        try:
            keys.append(note.parse_verifier(witness.verifier_key))
        except note.NoteError:
            continue  # witness_add checked it; a bad row must not break the public page
    return keys


def _check(deposit: Deposit, witnesses: list[note.Verifier], quorum: int) -> DepositCheckResult:
    result = DepositCheckResult(
        deposit=deposit,
        receipt_url=reverse("api:receipt_get", kwargs={"deposit_no": deposit.deposit_no}),
        integrated=deposit.leaf_index is not None,
    )
    try:
        receipt = selectors.receipt_for(deposit)
        log_key = str(log_verifier())
    except ImproperlyConfigured:
        result.failure = _("The court's log key is not configured, so nothing can be verified.")
        return result
    if isinstance(receipt, selectors.ReceiptPending):
        result.pending_reason = receipt.reason
        return result
    result.tree_size = int(receipt["tree_size"])
    result.cosigned = len(note.cosigned_by(receipt["checkpoint"], witnesses))
    try:
        verify_receipt(
            receipt,
            log_key=log_key,
            witness_keys=[str(w) for w in witnesses],
            min_witnesses=quorum,
        )
    except CheckFailed as failed:
        result.failure = f"{failed.check}: {failed.reason}"
    else:
        result.verified = True
    return result


@require_GET
def verify_page(request: HttpRequest) -> HttpResponse:
    """The form, and with ``sha256`` and/or ``deposit_no`` in the query, what the log holds."""
    bound = "sha256" in request.GET or "deposit_no" in request.GET
    form = VerifyForm(request.GET if bound else None)
    context: dict[str, object] = {"form": form, "searched": False}
    if bound and form.is_valid():
        sha256: str = form.cleaned_data["sha256"]
        number: str = form.cleaned_data["deposit_no"]
        deposits: list[Deposit] = []
        number_problem = ""
        if number:
            by_number = selectors.deposit_by_number(number)
            if by_number is None:
                number_problem = _("No deposit has the number %(number)s.") % {"number": number}
            elif sha256 and by_number.sha256 != sha256:
                number_problem = _(
                    "Deposit %(number)s is of another file (its SHA-256 is %(hash)s)."
                ) % {"number": by_number.deposit_no, "hash": by_number.sha256}
            else:
                deposits = [by_number]
        if sha256 and not deposits:
            deposits = selectors.deposits_by_hash(sha256)
        witnesses = _trusted()
        quorum = settings.ECOURT_LOG_WITNESS_QUORUM
        shown = [_check(deposit, witnesses, quorum) for deposit in deposits[:MAX_SHOWN]]
        context.update(
            {
                "searched": True,
                "sha256": sha256 or (deposits[0].sha256 if deposits else ""),
                "number": number,
                "number_problem": number_problem,
                "results": shown,
                "more": max(0, len(deposits) - MAX_SHOWN),
                "quorum": quorum,
                "witness_count": len(witnesses),
                "log_size": selectors.log_size(),
            }
        )
    context["log_key_url"] = request.build_absolute_uri(reverse("log:key"))
    context["witnesses_url"] = request.build_absolute_uri(reverse("log:witnesses"))
    try:
        context["log_key"] = str(log_verifier())
    except ImproperlyConfigured:
        context["log_key"] = ""
    return render(request, "evidence/verify.html", context, status=400 if form.errors else 200)
