"""Paying the acceptance fee, and asking for it to be deferred, reduced or waived."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import (
    PAYABLE_STATUSES,
    Application,
    ApplicationStatus,
    FeeRelief,
    FeeReliefRequest,
    Payment,
    PaymentStatus,
    ReliefStatus,
)
from ecourt.cases.payments import payment_provider
from ecourt.cases.rules.fees import parse_amount
from ecourt.cases.services._common import lock_application, notify
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.text import clean_text

S = ApplicationStatus


def _own_payable(actor: User, application_id: int) -> Application:
    application = lock_application(application_id)
    if application.created_by_id != actor.pk:
        raise DomainError(_("No such application."), code="not_found")
    if application.status not in PAYABLE_STATUSES:
        raise DomainError(
            _("The fee is paid after submitting and before the filing decision."),
            code="not_payable",
        )
    return application


def payment_start(*, actor: User, application_id: int) -> Payment:
    """Open a payment for the fee still owed (one open payment per application; a second
    call returns it)."""
    from ecourt.cases.selectors import fee_standing_of

    with transaction.atomic():
        application = _own_payable(actor, application_id)
        pending = application.payments.filter(status=PaymentStatus.PENDING).first()
        if pending is not None:
            return pending
        standing = fee_standing_of(application)
        if standing.settled:
            raise DomainError(_("Nothing is owed for this application."), code="nothing_owed")
        provider = payment_provider()
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    payment = Payment.objects.create(
                        application=application,
                        provider=provider.code,
                        amount=standing.outstanding,
                        reference=provider.new_reference(),
                    )
                break
            except IntegrityError:
                continue  # a reference collision (1 in 10^12); draw again
        else:  # pragma: no cover - practically unreachable
            raise DomainError(_("Please try again."), code="reference_collision")
        audit_record(
            code="ecourt.filing.payment.started",
            actor=actor,
            target=application,
            new={"payment": payment.pk, "amount": payment.amount, "provider": provider.code},
        )
    return payment


def _mark_paid(payment: Payment, *, actor: User, record: str) -> Payment:
    payment.status = PaymentStatus.PAID
    payment.paid_at = timezone.now()
    payment.provider_record = record[:200]
    payment.confirmed_by = actor
    payment.save(update_fields=["status", "paid_at", "provider_record", "confirmed_by"])
    audit_record(
        code="ecourt.filing.payment.paid",
        actor=actor,
        target=payment.application,
        new={"payment": payment.pk, "amount": payment.amount, "record": record[:200]},
    )
    notify(
        payment.application.created_by,
        gettext_lazy("We received %(amount)s yuan for application no. %(id)s."),
        "filing.paid",
        amount=str(payment.amount),
        id=str(payment.application_id),
    )
    return payment


def payment_confirm(*, actor: User, payment_id: int, record: str) -> Payment:
    """A filing clerk confirms a bank transfer from the statement line quoting the reference."""
    if not actor.has_role(Role.FILING_CLERK):
        raise PermissionDenied(_("Only a filing clerk may confirm payments."), code="not_clerk")
    record = clean_text(record, field="record", max_length=200, required=False)
    if not record:
        raise DomainError(
            _("Copy the bank statement line that shows the transfer."),
            code="record_missing",
            field="record",
        )
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None:
            raise DomainError(_("No such payment."), code="not_found")
        if payment.status != PaymentStatus.PENDING:
            raise DomainError(
                _("This payment is not waiting for confirmation."), code="payment_not_pending"
            )
        return _mark_paid(payment, actor=actor, record=record)


def payment_sandbox_complete(*, actor: User, payment_id: int) -> Payment:
    """The payer completes a sandbox payment (practice only)."""
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(pk=payment_id, application__created_by=actor)
            .first()
        )
        if payment is None:
            raise DomainError(_("No such payment."), code="not_found")
        if (
            payment.provider != "sandbox"
            or not payment_provider(payment.provider)
            .instructions(reference=payment.reference, amount=str(payment.amount))
            .payer_completes
        ):
            raise DomainError(_("This payment is confirmed by the court."), code="not_sandbox")
        if payment.status == PaymentStatus.PAID:
            return payment
        if payment.status != PaymentStatus.PENDING:
            raise DomainError(_("This payment was cancelled."), code="payment_not_pending")
        return _mark_paid(payment, actor=actor, record="sandbox")


def fee_relief_request(
    *, actor: User, application_id: int, kind: str, reasons: str
) -> FeeReliefRequest:
    """Ask for the fee to be deferred, reduced or waived (Measures 2007, Arts. 44–51)."""
    if kind not in FeeRelief.values:
        raise DomainError(
            _("Choose deferral, reduction or waiver."), code="relief_kind_invalid", field="kind"
        )
    reasons = clean_text(reasons, field="reasons", max_length=5000, required=False, multiline=True)
    if len(reasons) < 10:
        raise DomainError(
            _("Explain why you cannot pay the fee in full now (at least 10 characters)."),
            code="reasons_missing",
            field="reasons",
        )
    with transaction.atomic():
        application = _own_payable(actor, application_id)
        if application.fee_relief_requests.filter(status=ReliefStatus.PENDING).exists():
            raise DomainError(
                _("You already have a request waiting for a decision."), code="relief_pending"
            )
        request = FeeReliefRequest.objects.create(
            application=application, kind=kind, reasons=reasons
        )
        audit_record(
            code="ecourt.filing.fee_relief.requested",
            actor=actor,
            target=application,
            new={"request": request.pk, "kind": kind},
        )
    return request


def fee_relief_decide(
    *,
    actor: User,
    request_id: int,
    grant: bool,
    reason: str = "",
    reduced_fee: str | Decimal | None = None,
) -> FeeReliefRequest:
    if not actor.has_role(Role.FILING_CLERK):
        raise PermissionDenied(_("Only a filing clerk may decide fee requests."), code="not_clerk")
    reason = clean_text(reason, field="reason", max_length=5000, required=False, multiline=True)
    if not grant and not reason:
        raise DomainError(_("Give the reason for refusing."), code="reason_missing", field="reason")
    with transaction.atomic():
        request = (
            FeeReliefRequest.objects.select_for_update()
            .select_related("application")
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            raise DomainError(_("No such request."), code="not_found")
        if request.status != ReliefStatus.PENDING:
            raise DomainError(_("This request was already decided."), code="relief_decided")
        reduced: Decimal | None = None
        if grant and request.kind == FeeRelief.REDUCTION:
            try:
                reduced = parse_amount(reduced_fee if reduced_fee is not None else "")
            except ValueError:  # FeeRuleError, whatever the reason
                raise DomainError(
                    _("Give the reduced fee in yuan, more than zero."),
                    code="reduced_fee_invalid",
                    field="reduced_fee",
                ) from None
            if reduced >= (request.application.fee_amount or Decimal(0)):
                raise DomainError(
                    _("A reduced fee must be less than the full fee."),
                    code="reduced_fee_invalid",
                    field="reduced_fee",
                )
        request.status = ReliefStatus.GRANTED if grant else ReliefStatus.REFUSED
        request.reduced_fee = reduced
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_reason = reason
        request.save(
            update_fields=[
                "status",
                "reduced_fee",
                "decided_by",
                "decided_at",
                "decision_reason",
            ]
        )
        audit_record(
            code="ecourt.filing.fee_relief.decided",
            actor=actor,
            target=request.application,
            old={"status": ReliefStatus.PENDING},
            new={"request": request.pk, "status": request.status, "reduced_fee": reduced},
        )
        notify(
            request.application.created_by,
            gettext_lazy("Your fee request for application no. %(id)s was decided: %(result)s."),
            "filing.fee_relief",
            id=str(request.application_id),
            result=ReliefStatus(request.status).label,  # lazy: rendered in their language
        )
    return request
