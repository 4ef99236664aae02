"""What court staff do with a delivery that did not reach its recipient (the failed-service
queue), and a recipient's request for a paper copy."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.accounts.rules import normalise_mobile
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.selectors import court_today
from ecourt.core.text import clean_text
from ecourt.delivery import rules
from ecourt.delivery.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    EventKind,
    FailureReason,
)
from ecourt.delivery.services.addresses import clean_email
from ecourt.delivery.services.common import acts_for, event_add, move, require_case_staff
from ecourt.delivery.services.issue import _enqueue_on_commit
from ecourt.delivery.services.receipts import _lock_pair, served_time_change
from ecourt.evidence.models import Upload, UploadStatus

S = DeliveryStatus


def _staff_delivery(actor: User, delivery_id: int) -> Delivery:
    case, delivery = _lock_pair(delivery_id)
    if case is None or not delivery.legal:
        raise DomainError(_("No such delivery."), code="not_found")
    require_case_staff(actor, case)
    return delivery


def _requeue(delivery: Delivery) -> None:
    move(delivery, S.QUEUED)
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.failure_reason = ""
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "failure_reason"])
    _enqueue_on_commit(delivery)


def delivery_retry(*, actor: User, delivery_id: int) -> Delivery:
    """Try the same channels again from the first round."""
    with transaction.atomic():
        delivery = _staff_delivery(actor, delivery_id)
        if delivery.status != S.FAILED:
            raise DomainError(_("Only a failed delivery can be retried."), code="not_failed")
        if not any(s["channel"] in (Channel.SMS, Channel.EMAIL) for s in delivery.plan):
            raise DomainError(
                _("There is no address to try again: add another address or serve offline."),
                code="no_address",
            )
        _requeue(delivery)
        event_add(delivery, EventKind.RETRIED, actor=actor)
        audit_record(code="ecourt.delivery.retried", actor=actor, target=delivery)
    return delivery


def clean_address(channel: str, address: str) -> str:
    """A mobile number in E.164 or an email address, refused with a specific message."""
    address = clean_text(address, field="address", max_length=254, required=False)
    if channel == Channel.SMS:
        try:
            return normalise_mobile(address)
        except DomainError as exc:
            raise DomainError(exc.message, code=exc.code, field="address") from None
    if channel == Channel.EMAIL:
        email = clean_email(address, field="address")
        if not email:
            raise DomainError(_("Enter an email address."), code="email_missing", field="address")
        return email
    raise DomainError(_("Choose text message or email."), code="channel_invalid", field="channel")


def delivery_redirect(*, actor: User, delivery_id: int, channel: str, address: str) -> Delivery:
    """Send a failed (or offline) delivery through another channel or address. The new
    address is not one the recipient confirmed, so it serves only once read or acted on."""
    address = clean_address(channel, address)
    with transaction.atomic():
        delivery = _staff_delivery(actor, delivery_id)
        if delivery.status not in (S.FAILED, S.OFFLINE):
            raise DomainError(
                _("Only a failed or offline delivery can be redirected."), code="not_failed"
            )
        if delivery.failure_reason == FailureReason.NEEDS_CONSENT:
            raise DomainError(
                _(
                    "This decision may not be served electronically without the recipient's "
                    "consent: serve it offline."
                ),
                code="needs_consent",
            )
        step = {"channel": channel, "address": address, "confirmed": False}
        if step not in delivery.plan:
            delivery.plan = [*delivery.plan, step]
            delivery.save(update_fields=["plan"])
        _requeue(delivery)
        event_add(delivery, EventKind.REDIRECTED, channel=channel, actor=actor, address=address)
        audit_record(
            code="ecourt.delivery.redirected",
            actor=actor,
            target=delivery,
            new={"channel": channel},
        )
    return delivery


def delivery_offline(*, actor: User, delivery_id: int, reason: str) -> Delivery:
    """Staff switch a delivery to offline service (post, in person)."""
    reason = clean_text(reason, field="reason", max_length=300, required=False)
    if not reason:
        raise DomainError(
            _("Say why the document is served offline."), code="reason_missing", field="reason"
        )
    with transaction.atomic():
        delivery = _staff_delivery(actor, delivery_id)
        if delivery.served_at is not None:
            raise DomainError(_("This delivery is already served."), code="already_served")
        move(delivery, S.OFFLINE)
        delivery.failure_reason = FailureReason.STAFF_OFFLINE
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "failure_reason", "next_attempt_at"])
        event_add(delivery, EventKind.OFFLINE, actor=actor, reason=reason)
        audit_record(
            code="ecourt.delivery.offline", actor=actor, target=delivery, new={"reason": reason}
        )
    return delivery


def _served_moment(served_on: date) -> datetime:
    """A date the law counts from, as a moment: noon court time (not midnight, which reads
    as the day before in UTC), or now when that noon has not come yet."""
    return min(timezone.make_aware(datetime.combine(served_on, time(12, 0))), timezone.now())


def delivery_offline_proof(
    *, actor: User, delivery_id: int, served_on: date, method: str, scan: Upload
) -> Delivery:
    """Record offline service with the scanned paper proof of service (送达回证): the served
    date is the one on the paper, and the periods it starts run from it."""
    method = clean_text(method, field="method", max_length=100, required=False)
    if not method:
        raise DomainError(
            _("Say how the document was served (in person, by post…)."),
            code="method_missing",
            field="method",
        )
    if served_on > court_today():
        raise DomainError(
            _("The service date cannot be in the future."), code="date_future", field="served_on"
        )
    with transaction.atomic():
        delivery = _staff_delivery(actor, delivery_id)
        if delivery.status != S.OFFLINE:
            raise DomainError(
                _("Switch the delivery to offline service first."), code="not_offline"
            )
        if delivery.served_at is not None:
            raise DomainError(_("This delivery is already served."), code="already_served")
        document = delivery.document
        assert document is not None
        if served_on < timezone.localtime(document.issued_at).date():
            raise DomainError(
                _("The service date cannot be before the document was issued."),
                code="date_before_issue",
                field="served_on",
            )
        upload = Upload.objects.select_for_update().filter(pk=scan.pk).first()
        if (
            upload is None
            or upload.owner_id != actor.pk
            or upload.status != UploadStatus.COMPLETE
            or upload.blob_id is None
        ):
            raise DomainError(
                _("Upload the scanned proof of service."), code="scan_missing", field="scan"
            )
        upload.status = UploadStatus.USED
        upload.save(update_fields=["status", "updated_at"])
        served_time_change(
            delivery,
            served_at=_served_moment(served_on),
            rule_code=rules.OFFLINE_RULE.code,
            reason=method,
            actor=actor,
            scan=upload.blob,
            note=method,
        )
    return delivery


def delivery_served_correct(
    *, actor: User, delivery_id: int, served_on: date, reason: str
) -> Delivery:
    """Correct the served date of a served delivery (a wrong date on a paper proof, a
    provider report that came late). The periods it started are recomputed, and why is on
    the docket."""
    reason = clean_text(reason, field="reason", max_length=300, required=False)
    if not reason:
        raise DomainError(
            _("Say why the served date changes."), code="reason_missing", field="reason"
        )
    if served_on > court_today():
        raise DomainError(
            _("The service date cannot be in the future."), code="date_future", field="served_on"
        )
    with transaction.atomic():
        delivery = _staff_delivery(actor, delivery_id)
        if delivery.served_at is None:
            raise DomainError(_("This delivery is not served yet."), code="not_served")
        document = delivery.document
        assert document is not None
        if served_on < timezone.localtime(document.issued_at).date():
            raise DomainError(
                _("The service date cannot be before the document was issued."),
                code="date_before_issue",
                field="served_on",
            )
        if timezone.localtime(delivery.served_at).date() == served_on:
            raise DomainError(
                _("That is already the served date."), code="unchanged", field="served_on"
            )
        served_time_change(
            delivery,
            served_at=_served_moment(served_on),
            rule_code=delivery.served_rule,
            reason=reason,
            actor=actor,
        )
    return delivery


def paper_copy_request(*, actor: User, delivery_id: int) -> Delivery:
    """The recipient asks for a paper copy as well (always allowed; it does not undo an
    electronic service that already counts)."""
    with transaction.atomic():
        _case, delivery = _lock_pair(delivery_id)
        if delivery.party is None or not acts_for(actor, delivery.party):
            raise DomainError(_("No such delivery."), code="not_found")
        if delivery.paper_requested_at is not None:
            return delivery
        delivery.paper_requested_at = timezone.now()
        delivery.save(update_fields=["paper_requested_at"])
        event_add(delivery, EventKind.PAPER, actor=actor)
        audit_record(code="ecourt.delivery.paper_requested", actor=actor, target=delivery)
    return delivery


def paper_copy_sent(*, actor: User, delivery_id: int, note: str) -> Delivery:
    """Staff record that the paper copy a recipient asked for went out (how: post, counter)."""
    note = clean_text(note, field="note", max_length=200, required=False)
    if not note:
        raise DomainError(
            _("Say how the paper copy was sent (post with tracking number, at the counter…)."),
            code="note_missing",
            field="note",
        )
    with transaction.atomic():
        delivery = _staff_delivery(actor, delivery_id)
        if delivery.paper_requested_at is None:
            raise DomainError(_("No paper copy was requested."), code="not_requested")
        if delivery.paper_sent_at is not None:
            raise DomainError(_("The paper copy is already recorded as sent."), code="already_sent")
        delivery.paper_sent_at = timezone.now()
        delivery.save(update_fields=["paper_sent_at"])
        event_add(delivery, EventKind.PAPER_SENT, actor=actor, note=note)
        audit_record(
            code="ecourt.delivery.paper_sent", actor=actor, target=delivery, new={"note": note}
        )
    return delivery
