"""Judgments and rulings: the judge drafts from a template, previews, and issues once.

Issuing renders and signs the PDF (slow, outside the transaction), then in one transaction
re-checks that nothing changed, decides the case and issues the document through
``document_issue``, which serves it on every party. Each party's appeal period then runs from
its own service (the delivery capability opens it). An issued document never changes; a
correction is a ruling that corrects it.

``decisions_settle`` (run by the worker) makes an undisputed decision effective and closes the
case once every party's appeal period has ended.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases.models import Appeal, Case, CaseDeadline, CaseStatus, Party, PaymentStatus
from ecourt.cases.services._common import docket_add, lock_case
from ecourt.cases.services.cases import (
    appeal_windows_pending,
    case_decided_by_document,
    case_settle_decided,
)
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.text import clean_text
from ecourt.documents.decision_slots import LANGUAGES, Filled, decision_fill, decision_fill_check
from ecourt.documents.models import CourtDocument, DecisionDraft, DocumentKind, DraftStatus
from ecourt.documents.services import document_issue
from ecourt.documents.sign import SealUnavailable
from ecourt.hearings.models import BUSY_STATUSES, AsyncTrial, AsyncTrialStatus, Hearing
from ecourt.hearings.services.common import require_case_judge

logger = logging.getLogger(__name__)
C = CaseStatus
DECISION_KINDS = (DocumentKind.JUDGMENT, DocumentKind.RULING)
#: Where a correcting ruling may be issued: after the decision it corrects.
CORRECTABLE_STATUSES = frozenset({C.DECIDED, C.EFFECTIVE, C.CLOSED, C.APPEALED})
#: ``DecisionDraft.fee_defendants`` is max_digits=14 with 2 decimals.
FEE_INTEGER_DIGITS = 12


class DraftConflict(DomainError):
    """The draft changed since the judge loaded it (409)."""

    status_code = 409


# --- Drafts ------------------------------------------------------------------------------------


def _lock_draft(draft_id: int) -> tuple[Case, DecisionDraft]:
    case_id = DecisionDraft.objects.filter(pk=draft_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise DomainError(_("No such draft."), code="not_found")
    case = lock_case(case_id)
    return case, DecisionDraft.objects.select_for_update().get(pk=draft_id)


def decision_draft_create(
    *,
    actor: User,
    case_id: int,
    kind: str,
    language: str = "zh-hans",
    corrects_id: int | None = None,
) -> DecisionDraft:
    """The case's judge starts a judgment or ruling. On the merits only once the case is
    heard; a ruling that corrects an issued judgment or ruling of the case only after it."""
    if kind not in DECISION_KINDS:
        raise DomainError(_("Choose judgment or ruling."), code="kind_invalid", field="kind")
    if language not in LANGUAGES:
        raise DomainError(
            _("Choose Chinese or English."), code="language_invalid", field="language"
        )
    with transaction.atomic():
        case = lock_case(case_id)
        require_case_judge(actor, case)
        corrects = None
        if corrects_id is not None:
            if kind != DocumentKind.RULING:
                raise DomainError(
                    _("A correction is made by a ruling."), code="kind_invalid", field="kind"
                )
            corrects = CourtDocument.objects.filter(
                pk=corrects_id, case=case, kind__in=DECISION_KINDS
            ).first()
            if corrects is None:
                raise DomainError(
                    _("Choose a judgment or ruling issued in this case."),
                    code="corrects_invalid",
                    field="corrects",
                )
            if case.status not in CORRECTABLE_STATUSES:
                raise DomainError(
                    _("A correcting ruling is made after the decision."),
                    code="illegal_transition",
                )
        elif case.status != C.HEARD:
            raise DomainError(
                _("A judgment or ruling on the merits is drafted once the case is heard."),
                code="illegal_transition",
            )
        draft = DecisionDraft.objects.create(
            case=case, kind=kind, language=language, corrects=corrects, created_by=actor
        )
        audit_record(
            code="ecourt.documents.draft.created",
            actor=actor,
            target=draft,
            new={"case": case.pk, "kind": kind, "language": language, "corrects": corrects_id},
        )
    return draft


def parse_fee(raw: str | Decimal | None) -> Decimal | None:
    """The defendants' share of the fee as typed: empty is "not decided yet"."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    bad = DomainError(
        _("Give the amount in yuan, with at most two decimals."),
        code="fee_invalid",
        field="fee_defendants",
    )
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
        # The field holds 14 digits, two of them decimals. Checked before quantizing: a huge
        # exponent ("1e30") or 40 digits would overflow the context's precision.
        if not value.is_finite() or value.adjusted() >= FEE_INTEGER_DIGITS:
            raise bad
        if value != value.quantize(Decimal("0.01")):
            raise bad
    except InvalidOperation:
        raise bad from None
    return value


def decision_draft_update(
    *,
    actor: User,
    draft_id: int,
    reasoning: str,
    decision: str,
    fee_defendants: Decimal | str | None,
    version: int,
) -> DecisionDraft:
    """The judge saves the reasoning, the decision and the defendants' share of the fee.
    ``version`` is the one the judge loaded: a save over someone else's is refused."""
    reasoning = clean_text(
        reasoning, field="reasoning", max_length=100_000, required=False, multiline=True
    )
    decision = clean_text(
        decision, field="decision", max_length=50_000, required=False, multiline=True
    )
    fee = parse_fee(fee_defendants)
    with transaction.atomic():
        case, draft = _lock_draft(draft_id)
        require_case_judge(actor, case)
        if draft.status != DraftStatus.DRAFT:
            raise DomainError(
                _("This document is issued; it can no longer change."), code="draft_issued"
            )
        if draft.version != version:
            raise DraftConflict(
                _("The draft was changed meanwhile (version %(current)s). Reload it.")
                % {"current": draft.version},
                code="stale_version",
                field="version",
            )
        if fee is not None and not Decimal(0) <= fee <= case.fee_amount:
            raise DomainError(
                _("The defendants' share must be between 0 and the fee, %(fee)s yuan.")
                % {"fee": case.fee_amount},
                code="fee_out_of_range",
                field="fee_defendants",
            )
        old = {
            "version": draft.version,
            "fee_defendants": draft.fee_defendants,
            "reasoning_length": len(draft.reasoning),
            "decision_length": len(draft.decision),
        }
        draft.reasoning = reasoning
        draft.decision = decision
        draft.fee_defendants = fee
        draft.version += 1
        draft.save(
            update_fields=["reasoning", "decision", "fee_defendants", "version", "updated_at"]
        )
        audit_record(
            code="ecourt.documents.draft.updated",
            actor=actor,
            target=draft,
            old=old,
            new={
                "version": draft.version,
                "fee_defendants": fee,
                "reasoning_length": len(reasoning),
                "decision_length": len(decision),
            },
        )
    return draft


def _judge_draft(actor: User, draft_id: int) -> DecisionDraft:
    draft = (
        DecisionDraft.objects.select_related("case", "case__judge", "case__application", "corrects")
        .filter(pk=draft_id)
        .first()
    )
    if draft is None:
        raise DomainError(_("No such draft."), code="not_found")
    require_case_judge(actor, draft.case)
    return draft


def decision_preview(*, actor: User, draft_id: int) -> str:
    """The draft's filled text as it would be issued today; the slot errors if any."""
    text = decision_fill(_judge_draft(actor, draft_id)).text
    assert text is not None
    return text


def decision_preview_check(*, actor: User, draft_id: int) -> Filled:
    """Like ``decision_preview``, with every slot's problem listed (for the draft page)."""
    return decision_fill_check(_judge_draft(actor, draft_id))


# --- Issuing -----------------------------------------------------------------------------------


def decision_issue(*, actor: User, draft_id: int, version: int) -> CourtDocument:
    """Issue the draft: fill (slot errors first), render and sign the PDF, then in one
    transaction re-check the judge, the case status and the draft version, decide the case
    (a correcting ruling does not), issue the document and serve it. Issued once."""
    from ecourt.documents.render import render_document_pdf

    draft = _judge_draft(actor, draft_id)
    if draft.status != DraftStatus.DRAFT:
        raise DomainError(_("This document is issued already."), code="draft_issued")
    if draft.version != version:
        raise DraftConflict(
            _("The draft was changed meanwhile (version %(current)s). Reload it.")
            % {"current": draft.version},
            code="stale_version",
            field="version",
        )
    _check_status(draft)
    issued_at = timezone.now()
    on = timezone.localdate(issued_at)
    filled = decision_fill(draft, on=on)
    title, body = filled.title, filled.text or ""
    # Rendering and signing take a while: done before the transaction so the case row is not
    # locked meanwhile; the transaction then checks that what was rendered is still current.
    try:
        pdf = render_document_pdf(
            case=draft.case,
            kind=draft.kind,
            title=title,
            body=filled.pdf_body,
            language=draft.language,
            issued_at=issued_at,
            judge=draft.case.judge,
            clerk=filled.clerk,
        )
    except SealUnavailable:
        logger.exception("The court seal cannot sign draft %s.", draft.pk)
        raise DomainError(
            _(
                "The court's seal is not configured, so the document cannot be signed. "
                "Ask the court administrator."
            ),
            code="seal_unavailable",
        ) from None
    with transaction.atomic():
        case, locked = _lock_draft(draft_id)
        require_case_judge(actor, case)
        if locked.status != DraftStatus.DRAFT:
            raise DomainError(_("This document is issued already."), code="draft_issued")
        if locked.version != version:
            raise DraftConflict(
                _("The draft was changed while it was being rendered. Issue it again."),
                code="stale_version",
                field="version",
            )
        locked.case = case
        _check_status(locked)
        if decision_fill(locked, on=on) != filled:
            raise DraftConflict(
                _("The case changed while the document was being rendered. Issue it again."),
                code="case_changed",
            )
        if locked.corrects_id is None:
            case_decided_by_document(case=case, kind=locked.kind, actor=actor)
        document = document_issue(
            actor=actor,
            case_id=case.pk,
            kind=locked.kind,
            title=title,
            body=body,
            pdf=pdf,
            check_staff=False,
            corrects=locked.corrects,
        )
        locked.status = DraftStatus.ISSUED
        locked.document = document
        locked.save(update_fields=["status", "document", "updated_at"])
        audit_record(
            code="ecourt.documents.decision.issued",
            actor=actor,
            target=locked,
            old={"status": DraftStatus.DRAFT},
            new={
                "status": DraftStatus.ISSUED,
                "document": document.pk,
                "sha256": document.sha256,
                "corrects": locked.corrects_id,
            },
        )
    return document


def _check_status(draft: DecisionDraft) -> None:
    case = draft.case
    if draft.corrects_id is not None:
        if case.status not in CORRECTABLE_STATUSES:
            raise DomainError(
                _("A correcting ruling is made after the decision."), code="illegal_transition"
            )
    elif case.status != C.HEARD:
        raise DomainError(
            _("Only a heard case can be decided; this one is “%(status)s”.")
            % {"status": case.get_status_display()},
            code="illegal_transition",
        )
    else:
        _check_trial_over(case)


def _check_trial_over(case: Case) -> None:
    """No decision on the merits while the trial goes on: a hearing scheduled or in progress,
    or an asynchronous trial still open."""
    if Hearing.objects.filter(case=case, status__in=BUSY_STATUSES).exists():
        raise DomainError(
            _(
                "A hearing of this case is scheduled or in progress: end or cancel it before "
                "deciding the case."
            ),
            code="trial_in_progress",
        )
    if AsyncTrial.objects.filter(case=case, status=AsyncTrialStatus.OPEN).exists():
        raise DomainError(
            _(
                "The asynchronous trial of this case is still open: close it before deciding "
                "the case."
            ),
            code="trial_in_progress",
        )


# --- Effect and closing ------------------------------------------------------------------------


def _decision_documents() -> Q:
    return Q(
        Exists(
            CourtDocument.objects.filter(
                case=OuterRef("pk"),
                kind=OuterRef("decision_kind"),
                corrects__isnull=True,
                draft__isnull=False,
            )
        )
    )


def decisions_settle(*, now: datetime | None = None) -> int:
    """Make undisputed decisions effective and close their cases (the system, every minute):
    a case DECIDED by an issued judgment or ruling, every party served, every party's appeal
    period ended and no appeal filed. Settles the court fee on the record. Returns how many
    cases closed. One query finds the candidates; each is re-checked under its lock."""
    on = timezone.localdate(now or timezone.now())
    running = CaseDeadline.objects.filter(
        case=OuterRef("pk"),
        code__startswith="appeal_",
        cancelled_at__isnull=True,
        met_at__isnull=True,
        due_date__gte=on,
    )
    # A party not served yet has no appeal period of the decision's code: such a case cannot
    # settle, so it is not a candidate (else it would be locked every minute for nothing).
    served = CaseDeadline.objects.filter(
        party=OuterRef("pk"),
        code=Concat(Value("appeal_"), OuterRef(OuterRef("decision_kind"))),
        cancelled_at__isnull=True,
    )
    unserved = Party.objects.filter(case=OuterRef("pk")).exclude(Exists(served))
    candidates = list(
        Case.objects.filter(status=C.DECIDED)
        .filter(_decision_documents())
        .exclude(Exists(running))
        .exclude(Exists(unserved))
        .exclude(Exists(Appeal.objects.filter(case=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    closed = 0
    for case_id in candidates:
        try:
            with transaction.atomic():
                case = lock_case(case_id)
                if case.status != C.DECIDED or appeal_windows_pending(case, on=on) is not None:
                    continue
                case_settle_decided(case=case)
                _fees_settle(case)
                closed += 1
        except Exception:
            # One broken case must not keep every other case from settling.
            logger.exception("Settling the decision of case %s failed.", case_id)
    return closed


def _fees_settle(case: Case) -> None:
    """Record who bears the court fee under the decision, and any refund due to the payer
    (what was paid beyond the fee, e.g. a fee halved under the simplified procedure). No
    money moves here: refunds are paid by the court's finance office."""
    document = (
        CourtDocument.objects.filter(
            case=case, kind=case.decision_kind, corrects__isnull=True, draft__isnull=False
        )
        .select_related("draft")
        .order_by("-issued_at")
        .first()
    )
    assert document is not None
    fee = case.fee_amount
    draft = document.draft
    on_defendants = draft.fee_defendants if draft.fee_defendants is not None else Decimal(0)
    on_plaintiffs = fee - on_defendants
    paid = case.application.payments.filter(status=PaymentStatus.PAID).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    refund = max(paid - fee, Decimal(0))
    docket_add(
        case=case,
        code="cases.fees_settled",
        actor=None,
        text=gettext_lazy(
            "Court fee settled: %(fee)s yuan, of which the plaintiffs bear %(plaintiffs)s and "
            "the defendants %(defendants)s; %(paid)s yuan was paid; refund due: %(refund)s yuan."
        ),
        params={
            "fee": fee,
            "plaintiffs": on_plaintiffs,
            "defendants": on_defendants,
            "paid": paid,
            "refund": refund,
        },
    )
    audit_record(
        code="ecourt.cases.fees.settled",
        actor=None,
        target=case,
        new={
            "fee": fee,
            "plaintiffs": on_plaintiffs,
            "defendants": on_defendants,
            "paid": paid,
            "refund_due": refund,
            "document": document.pk,
        },
    )
