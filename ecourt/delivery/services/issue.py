"""Creating deliveries: one per recipient of an issued document (in the issuing transaction),
and notices that are not legal service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from ecourt.accounts.models import User
from ecourt.cases.models import Party
from ecourt.cases.services._common import render_in
from ecourt.delivery import rules
from ecourt.delivery.models import (
    PUSH_CHANNELS,
    AddressConfirmation,
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    EventKind,
    FailureReason,
    NotificationPreference,
)
from ecourt.delivery.services.common import event_add
from ecourt.delivery.services.receipts import serve_if_due

S = DeliveryStatus


def current_confirmation(party: Party) -> AddressConfirmation | None:
    return AddressConfirmation.objects.filter(party=party, superseded_at__isnull=True).first()


def plan_for(party: Party, confirmation: AddressConfirmation | None) -> list[dict[str, Any]]:
    """The channels and addresses a document to ``party`` goes through, fixed at issue."""
    if confirmation is not None:
        steps = [{"channel": Channel.INBOX.value, "address": "", "confirmed": True}]
        if confirmation.mobile:
            steps.append({"channel": "sms", "address": confirmation.mobile, "confirmed": True})
        if confirmation.email:
            steps.append({"channel": "email", "address": confirmation.email, "confirmed": True})
        if confirmation.institution_inbox:
            steps.append({"channel": "institution", "address": "", "confirmed": True})
        return steps
    steps = [{"channel": Channel.INBOX.value, "address": "", "confirmed": False}]
    # Not confirmed for this case: the account's own contacts, else those the filer gave.
    user = party.user
    mobile = (user.mobile if user else "") or party.mobile
    email = ((user.email or "") if user else "") or party.email
    if mobile:
        steps.append({"channel": "sms", "address": mobile, "confirmed": False})
    if email:
        steps.append({"channel": "email", "address": email, "confirmed": False})
    return steps


def _enqueue_on_commit(delivery: Delivery) -> None:
    from ecourt.delivery.tasks import delivery_dispatch

    transaction.on_commit(lambda: delivery_dispatch.enqueue(delivery_id=delivery.pk))


def _write_inbox(delivery: Delivery, now: Any) -> None:
    """The platform inbox is written at issue: it is the court's own system."""
    DeliveryAttempt.objects.create(
        delivery=delivery,
        channel=Channel.INBOX,
        round=0,
        started_at=now,
        finished_at=now,
        outcome=AttemptOutcome.ACCEPTED,
    )
    delivery.delivered_at = now
    event_add(delivery, EventKind.INBOX, channel=Channel.INBOX, at=now)


def deliveries_for_document(
    *,
    document: Any,
    recipients: Iterable[Party],
    actor: User,
    notified_otherwise: Mapping[int, str] | None = None,
) -> list[Delivery]:
    """One delivery per recipient of ``document``, in the caller's transaction (which holds
    the case lock). ``notified_otherwise`` maps party ids to how they were told another way
    (the association-code invitation to a defendant who has no account yet): no second text
    goes to them, and the delivery waits for them to sign in and read it."""
    now = timezone.now()
    made = []
    for party in recipients:
        confirmation = current_confirmation(party)
        plan = plan_for(party, confirmation)
        otherwise = (notified_otherwise or {}).get(party.pk, "")
        if otherwise:
            plan = [step for step in plan if step["channel"] not in PUSH_CHANNELS]
        delivery = Delivery.objects.create(
            document=document,
            case=document.case,
            party=party,
            user=party.user,
            legal=True,
            subject_en=render_in(document.get_kind_display(), None, "en")
            + f" — {document.case.number}",
            subject_zh=render_in(document.get_kind_display(), None, "zh-hans")
            + f" — {document.case.number}",
            confirmation=confirmation,
            plan=plan,
            via_institution=any(s["channel"] == Channel.INSTITUTION for s in plan),
            created_at=now,
        )
        event_add(delivery, EventKind.ISSUED, actor=actor, at=now, notified_by=otherwise)
        _write_inbox(delivery, now)
        pushes = [s for s in plan if s["channel"] in PUSH_CHANNELS]
        consent = confirmation is not None and confirmation.consents_to_decisions
        if rules.needs_consent(document.kind) and not consent:
            # CPL Art. 90: no electronic service of a decision without consent. The copy in
            # the inbox stays readable (reading it accepts electronic service, Online
            # Litigation Rules Art. 29), and the court serves it offline meanwhile.
            delivery.status = S.OFFLINE
            delivery.failure_reason = FailureReason.NEEDS_CONSENT
            pushes = []
        elif pushes:
            delivery.status = S.QUEUED
            delivery.next_attempt_at = now
            _enqueue_on_commit(delivery)
        elif delivery.via_institution or otherwise:
            delivery.status = S.SENT
            delivery.sent_at = now
        elif confirmation is None:
            delivery.status = S.FAILED
            delivery.failure_reason = FailureReason.NO_ADDRESS
            event_add(delivery, EventKind.FAILED, at=now, reason=FailureReason.NO_ADDRESS.value)
        else:
            delivery.status = S.DELIVERED
        delivery.save()
        serve_if_due(delivery, actor=None)
        made.append(delivery)
    return made


def notice_send(
    *,
    user: User,
    text: str | Promise,
    params: Mapping[str, Any] | None = None,
    purpose: str,
    case: Any = None,
) -> Delivery:
    """A notice that is not legal service (a reminder, a status change): the inbox at once,
    then a text message when the person's preferences allow it, outside quiet hours."""
    now = timezone.now()
    preference = NotificationPreference.objects.filter(user=user).first()
    wants_sms = preference.sms if preference else True
    wants_email = preference.email if preference else False
    plan: list[dict[str, Any]] = [{"channel": "inbox", "address": "", "confirmed": True}]
    if wants_sms and user.mobile:
        plan.append({"channel": "sms", "address": user.mobile, "confirmed": True})
    if wants_email and user.email:
        plan.append({"channel": "email", "address": user.email, "confirmed": True})
    notice_en = render_in(text, params, "en")
    notice_zh = render_in(text, params, "zh-hans")
    delivery = Delivery.objects.create(
        case=case,
        user=user,
        legal=False,
        subject_en=notice_en[:300],
        subject_zh=notice_zh[:300],
        notice_en=notice_en,
        notice_zh=notice_zh,
        plan=plan,
        created_at=now,
        status=S.QUEUED if len(plan) > 1 else S.DELIVERED,
        next_attempt_at=now if len(plan) > 1 else None,
        purpose=purpose[:50],
    )
    _write_inbox(delivery, now)
    delivery.save(update_fields=["delivered_at"])
    if len(plan) > 1:
        _enqueue_on_commit(delivery)
    return delivery
