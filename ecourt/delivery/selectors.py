"""Reads of electronic delivery. Every function that takes a user returns only what that user
may see: recipients (the party's account and its agents) their own deliveries; court staff of
the case (filing clerks, the case's judge) the case's deliveries. Everyone else: nothing."""

from __future__ import annotations

from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import Case, Party
from ecourt.delivery import rules
from ecourt.delivery.models import (
    AddressConfirmation,
    Delivery,
    DeliveryStatus,
    InboxToken,
    NotificationPreference,
    ProofOfService,
)
from ecourt.delivery.services.common import is_case_staff
from ecourt.documents.models import CourtDocument


def _recipient_condition(user: User) -> Q:
    return Q(party__user=user) | Q(party__agents__user=user) | Q(party__isnull=True, user=user)


def deliveries_received_by(user: User) -> QuerySet[Delivery]:
    """What ``user`` receives: documents to parties they act for, and their own notices."""
    if not user.is_authenticated:
        return Delivery.objects.none()
    return Delivery.objects.filter(
        pk__in=Delivery.objects.filter(_recipient_condition(user)).values("pk")
    )


def notification_centre(user: User, *, limit: int = 200) -> list[Delivery]:
    """Deliveries and notices of ``user``, unread first, newest first within each."""
    return list(
        deliveries_received_by(user)
        .select_related("document", "case", "party")
        .annotate(
            unread=When_(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("unread", "-created_at", "-pk")[:limit]
    )


def unread_count(user: User) -> int:
    return deliveries_received_by(user).filter(read_at__isnull=True).count()


def delivery_for_recipient(user: User, pk: int) -> Delivery | None:
    return (
        deliveries_received_by(user)
        .select_related("document", "document__case", "case", "party", "confirmation")
        .filter(pk=pk)
        .first()
    )


def delivery_for_viewer(user: User, pk: int) -> Delivery | None:
    """A delivery its recipient or the case's staff may see (None for anyone else)."""
    delivery = (
        Delivery.objects.select_related(
            "document", "document__case", "case", "party", "case__judge"
        )
        .filter(pk=pk)
        .first()
    )
    if delivery is None or not user.is_authenticated:
        return None
    if delivery.case is not None and is_case_staff(user, delivery.case):
        return delivery
    return delivery_for_recipient(user, pk)


def case_deliveries(case: Case) -> list[Delivery]:
    """A case's legal deliveries with their attempts and events, newest document first."""
    return list(
        Delivery.objects.filter(case=case, legal=True)
        .select_related("document", "party", "confirmation")
        .prefetch_related("tries", "events", "proofs")
        .order_by("-document__issued_at", "document_id", "party__side", "party__position")
    )


def failed_queue(user: User) -> list[Delivery]:
    """Deliveries that need a person, unserved: failed, waiting for offline service, or sent
    to an address nobody confirmed and unread for ``rules.UNREAD_AFTER``. A filing clerk sees
    all; a judge the ones of their cases."""
    if not user.is_authenticated:
        return []
    unread_since = timezone.now() - rules.UNREAD_AFTER
    found = Delivery.objects.filter(legal=True, served_at__isnull=True).filter(
        Q(status__in=[DeliveryStatus.FAILED, DeliveryStatus.OFFLINE])
        # Reached a phone or mailbox nobody confirmed, and still not read after a week.
        | Q(status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED], created_at__lt=unread_since)
    )
    if not user.has_role(Role.FILING_CLERK):
        if not user.has_role(Role.JUDGE):
            return []
        found = found.filter(case__judge=user)
    return list(found.select_related("document", "case", "party").order_by("created_at", "pk"))


def paper_requests(user: User) -> list[Delivery]:
    """Paper copies recipients asked for that have not gone out yet, for the same staff."""
    if not user.is_authenticated or not user.has_role(Role.FILING_CLERK, Role.JUDGE):
        return []
    found = Delivery.objects.filter(
        legal=True, paper_requested_at__isnull=False, paper_sent_at__isnull=True
    )
    if not user.has_role(Role.FILING_CLERK):
        found = found.filter(case__judge=user)
    return list(
        found.select_related("document", "case", "party").order_by("paper_requested_at", "pk")
    )


def proof_current(delivery: Delivery) -> ProofOfService | None:
    return (
        ProofOfService.objects.filter(delivery=delivery, superseded_at__isnull=True)
        .select_related("deposit", "scan")
        .first()
    )


def proofs_of(delivery: Delivery) -> list[ProofOfService]:
    return list(ProofOfService.objects.filter(delivery=delivery).select_related("deposit", "scan"))


def confirmation_current(party: Party) -> AddressConfirmation | None:
    return AddressConfirmation.objects.filter(party=party, superseded_at__isnull=True).first()


def confirmations_of(party: Party) -> list[AddressConfirmation]:
    return list(AddressConfirmation.objects.filter(party=party).order_by("-version"))


def documents_of_case(case: Case) -> list[CourtDocument]:
    return list(CourtDocument.objects.filter(case=case).select_related("issued_by", "deposit"))


def preference_of(user: User) -> NotificationPreference:
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def inbox_tokens_of(user: User) -> list[InboxToken]:
    return list(InboxToken.objects.filter(user=user).order_by("-created_at"))


def institution_pending(user: User) -> QuerySet[Delivery]:
    """Deliveries waiting for a company's system to pull and acknowledge them."""
    return (
        deliveries_received_by(user)
        .filter(legal=True, acked_at__isnull=True, via_institution=True)
        .select_related("document", "case", "party")
        .order_by("created_at", "pk")
    )
