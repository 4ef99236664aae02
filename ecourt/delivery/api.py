"""Electronic delivery over the API: what a party receives, the address confirmation, notice
preferences, and the court staff's side of service.

- Recipients: ``GET /deliveries`` (``?status=pending``: what a company's system has not
  acknowledged yet), ``GET /deliveries/{id}``, ``GET /deliveries/{id}/document`` (reading it
  signed in is the read receipt), ``POST /deliveries/{id}/ack`` (a company's system: it
  reached us), ``POST /deliveries/{id}/paper``, ``GET /deliveries/{id}/proof``.
- ``GET``/``PUT /notifications/preferences``; ``GET``/``POST /cases/{id}/addresses``.
- Court staff (filing clerks, the case's judge): ``GET /cases/{id}/deliveries``,
  ``POST /cases/{id}/documents``, ``GET /deliveries/failed``, and on a delivery ``retry``,
  ``redirect``, ``offline``, ``correct`` and ``paper-sent``. Recording offline service with
  the scanned proof of service is on the web pages only (it takes an upload of the scan).

Authentication: the session (cookie, and the CSRF header on writes), or, for a company's
system, ``Authorization: Bearer eci_…`` (an inbox token its representative created). The
token only reads deliveries, their documents and proofs, and acknowledges them; reading a
document with it is not a read receipt: the ack is what counts for the company.

Every route with a delivery or case id answers 404 to whoever may not see it, then 403 to
those who see it but may not act.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.security import HttpBearer, django_auth

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases import selectors as case_selectors
from ecourt.cases.api_common import (
    SIGNED_IN,
    NotFoundProblem,
    PathId,
    missing_is_404,
    problems,
)
from ecourt.cases.models import Case, Party
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.delivery import selectors
from ecourt.delivery.api_schemas import (
    AddressConfirmationIn,
    AddressConfirmationOut,
    CourtDocumentIn,
    DeliveryDetailOut,
    DeliveryPageOut,
    DeliveryRedirectIn,
    DocumentIssuedOut,
    DocumentTextOut,
    NotificationPreferenceIn,
    NotificationPreferenceOut,
    OfflineIn,
    PaperSentIn,
    ServedCorrectIn,
    ServiceProofOut,
    address_out,
    delivery_out,
    document_out,
    parse_clock,
    preference_out,
    proof_out,
)
from ecourt.delivery.models import Delivery, InboxToken
from ecourt.delivery.services import addresses, receipts, staff
from ecourt.delivery.services.addresses import token_digest
from ecourt.delivery.services.common import is_case_staff, is_recipient
from ecourt.documents.services import document_issue


class NotAuthenticated(DomainError):
    status_code = 401


class InboxBearer(HttpBearer):
    """``Authorization: Bearer eci_…``: a company's system, as the representative who created
    the token. An unknown or revoked token is refused outright (401), not tried as a session."""

    def authenticate(self, request: HttpRequest, token: str) -> InboxToken:
        row = (
            InboxToken.objects.select_related("user")
            .filter(token_sha256=token_digest(token.strip()))
            .first()
        )
        if row is None or row.revoked_at is not None or not row.user.is_active:
            raise NotAuthenticated(
                _("This API token is unknown or has been revoked."), code="token_invalid"
            )
        row.last_used_at = timezone.now()
        InboxToken.objects.filter(pk=row.pk).update(last_used_at=row.last_used_at)
        return row


router = Router(tags=["delivery"], auth=django_auth)

#: Routes a company's system may call with its inbox token.
MACHINE = [InboxBearer(), django_auth]
ON_RECORD = problems(400, 404, *SIGNED_IN)
READ = problems(404, *SIGNED_IN)

# --- Who is asking ------------------------------------------------------------------------------


def _caller(request: HttpRequest) -> tuple[User, bool]:
    """The person asking, and whether through an inbox token (a machine, not a person
    reading)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, InboxToken):
        return auth.user, True
    assert isinstance(auth, User)
    return auth, False


def _user(request: HttpRequest) -> User:
    return _caller(request)[0]


def _viewable_or_404(request: HttpRequest, delivery_id: int) -> Delivery:
    delivery = selectors.delivery_for_viewer(_user(request), delivery_id)
    if delivery is None:
        raise Http404
    return delivery


def _received_or_404(request: HttpRequest, delivery_id: int) -> Delivery:
    delivery = selectors.delivery_for_recipient(_user(request), delivery_id)
    if delivery is None:
        raise Http404
    return delivery


def _is_staff_of(user: User, delivery: Delivery) -> bool:
    return delivery.case is not None and is_case_staff(user, delivery.case)


def _out(user: User, delivery_id: int) -> DeliveryDetailOut:
    """A delivery as ``user`` sees it now (fresh from the database after a write)."""
    delivery = selectors.delivery_for_viewer(user, delivery_id)
    if delivery is None:
        raise Http404
    return delivery_out(delivery, staff=_is_staff_of(user, delivery))


def _staff_case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = Case.objects.select_related("judge").filter(pk=case_id).first()
    if case is None or not is_case_staff(_user(request), case):
        raise Http404
    return case


def _own_parties_or_404(request: HttpRequest, case_id: int) -> tuple[Case, list[Party]]:
    """The case and the parties the caller acts for in it; 404 when none."""
    case = Case.objects.filter(pk=case_id).first()
    parties = (
        case_selectors.parties_acting_for(_user(request), case=case) if case is not None else []
    )
    if case is None or not parties:
        raise Http404
    return case, sorted(parties, key=lambda p: (p.side, p.position, p.pk))


# --- Recipients ---------------------------------------------------------------------------------


@router.get(
    "/deliveries",
    response=DeliveryPageOut,
    auth=MACHINE,
    summary="Your deliveries and notices, oldest first (status=pending: not yet acknowledged "
    "by your company's system)",
    description="Page with `limit` and `after` (the `next_after` of the previous page).",
    openapi_extra=problems(*SIGNED_IN),
)
def deliveries_list(
    request: HttpRequest,
    status: Literal["pending", "all"] = "all",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> DeliveryPageOut:
    user = _user(request)
    found = (
        selectors.institution_pending(user)
        if status == "pending"
        else selectors.deliveries_received_by(user).select_related("document", "case", "party")
    )
    page = list(found.filter(pk__gt=after).order_by("pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return DeliveryPageOut(
        deliveries=[delivery_out(d) for d in page],
        next_after=page[-1].pk if more else None,
    )


@router.get(
    "/deliveries/failed",
    response=list[DeliveryDetailOut],
    summary="The failed-service queue: failed or offline, not served (court staff)",
    description="Filing clerks see every case's; a judge those of their cases. Others: 403.",
    openapi_extra=problems(*SIGNED_IN),
)
def deliveries_failed(request: HttpRequest) -> list[DeliveryDetailOut]:
    user = _user(request)
    if not user.has_role(Role.FILING_CLERK) and not user.has_role(Role.JUDGE):
        raise PermissionDenied(_("Only court staff may do this."), code="not_case_staff")
    found = selectors.failed_queue(user)
    prefetch_related_objects(found, "tries", "events")
    return [delivery_out(d, staff=True) for d in found]


@router.get(
    "/deliveries/{delivery_id}",
    response=DeliveryDetailOut,
    auth=MACHINE,
    summary="One delivery (court staff also see its attempts and events)",
    openapi_extra=READ,
)
def delivery_get(request: HttpRequest, delivery_id: PathId) -> DeliveryDetailOut:
    delivery = _viewable_or_404(request, delivery_id)
    return delivery_out(delivery, staff=_is_staff_of(_user(request), delivery))


@router.get(
    "/deliveries/{delivery_id}/document",
    response=DocumentTextOut,
    auth=MACHINE,
    url_name="delivery_document",
    summary="The document's text (the recipient reading it signed in is the read receipt)",
    description="Read by the recipient with the session, this records the read receipt. "
    "With an inbox token it does not: acknowledge with POST …/ack. Court staff reading it "
    "leave no receipt.",
    openapi_extra=READ,
)
def delivery_document(request: HttpRequest, delivery_id: PathId) -> DocumentTextOut:
    user, machine = _caller(request)
    delivery = _viewable_or_404(request, delivery_id)
    if not machine and is_recipient(user, delivery):
        with missing_is_404():
            receipts.delivery_mark_read(
                actor=user, delivery_id=delivery.pk, evidence={"via": "api"}
            )
    document = delivery.document
    if document is None:
        return DocumentTextOut(
            title=delivery.subject, kind="notice", body=delivery.notice, sha256=None
        )
    return DocumentTextOut(
        title=document.title, kind=document.kind, body=document.body, sha256=document.sha256
    )


@router.post(
    "/deliveries/{delivery_id}/ack",
    response=DeliveryDetailOut,
    auth=MACHINE,
    summary="Your company's system received the delivery (institution API inbox)",
    description="Counts as reaching the company's system. A second ack changes nothing and "
    "answers the same. Only for deliveries sent to an institution inbox; others: 404.",
    openapi_extra=READ,
)
def delivery_ack(request: HttpRequest, delivery_id: PathId) -> DeliveryDetailOut:
    user = _user(request)
    delivery = _received_or_404(request, delivery_id)
    if not delivery.via_institution:
        raise Http404
    with missing_is_404():
        receipts.delivery_ack(actor=user, delivery_id=delivery.pk)
    return _out(user, delivery.pk)


@router.post(
    "/deliveries/{delivery_id}/paper",
    response=DeliveryDetailOut,
    summary="Ask for a paper copy as well (always allowed; asking twice changes nothing)",
    openapi_extra=READ,
)
def delivery_paper(request: HttpRequest, delivery_id: PathId) -> DeliveryDetailOut:
    user = _user(request)
    delivery = _received_or_404(request, delivery_id)
    with missing_is_404():
        staff.paper_copy_request(actor=user, delivery_id=delivery.pk)
    return _out(user, delivery.pk)


@router.get(
    "/deliveries/{delivery_id}/proof",
    response=ServiceProofOut,
    auth=MACHINE,
    summary="The current proof of service (送达回证) of a served delivery",
    description="Its SHA-256 is deposited in the evidence log (`deposit_no`); a changed "
    "served time supersedes it with a new proof. Not served yet: 404 `not_served`.",
    openapi_extra=READ,
)
def delivery_proof(request: HttpRequest, delivery_id: PathId) -> ServiceProofOut:
    delivery = _viewable_or_404(request, delivery_id)
    proof = selectors.proof_current(delivery)
    if proof is None:
        raise NotFoundProblem(_("This delivery is not served yet."), code="not_served")
    superseded = [p for p in selectors.proofs_of(delivery) if p.superseded_at is not None]
    return proof_out(proof, superseded)


# --- Preferences and addresses ------------------------------------------------------------------


@router.get(
    "/notifications/preferences",
    response=NotificationPreferenceOut,
    summary="How notices (not legal service) reach you",
    openapi_extra=problems(*SIGNED_IN),
)
def preferences_get(request: HttpRequest) -> NotificationPreferenceOut:
    return preference_out(selectors.preference_of(_user(request)))


@router.put(
    "/notifications/preferences",
    response=NotificationPreferenceOut,
    summary="Set how notices reach you, and your quiet hours (court time)",
    description="Legal service ignores these. Only one end of the quiet hours: 400 "
    "`quiet_hours_incomplete`; email without an address on the account: 400 `no_email`.",
    openapi_extra=problems(400, *SIGNED_IN),
)
def preferences_put(
    request: HttpRequest, payload: NotificationPreferenceIn
) -> NotificationPreferenceOut:
    preference = addresses.notification_preference_set(
        actor=_user(request),
        sms=payload.sms,
        email=payload.email,
        quiet_start=parse_clock(payload.quiet_start),
        quiet_end=parse_clock(payload.quiet_end),
    )
    return preference_out(preference)


@router.get(
    "/cases/{case_id}/addresses",
    response=list[AddressConfirmationOut],
    summary="The address confirmations of the parties you act for in a case, newest first",
    openapi_extra=READ,
)
def addresses_list(request: HttpRequest, case_id: PathId) -> list[AddressConfirmationOut]:
    _case, parties = _own_parties_or_404(request, case_id)
    found = []
    for party in parties:
        for confirmation in selectors.confirmations_of(party):
            confirmation.party = party
            found.append(address_out(confirmation))
    return found


@router.post(
    "/cases/{case_id}/addresses",
    response={201: AddressConfirmationOut, 200: AddressConfirmationOut},
    summary="Confirm (or change) where the court serves a party you act for",
    description="A new version applies to documents issued from now on; the same addresses "
    "again answer 200 with the version in force. Bad addresses: 400 `mobile_invalid`, "
    "`email_invalid`, `email_unreachable` (with `field`); `undertaking` false: 400 "
    "`undertaking_missing`; an institution inbox for a person: 400 "
    "`institution_not_company`. A party you do not act for: 403 `not_your_party`.",
    openapi_extra=ON_RECORD,
)
def addresses_confirm(
    request: HttpRequest, case_id: PathId, payload: AddressConfirmationIn
) -> Status:
    user = _user(request)
    case, parties = _own_parties_or_404(request, case_id)
    party = next((p for p in parties if p.pk == payload.party_id), None)
    if party is None:
        raise PermissionDenied(_("You do not act for this party."), code="not_your_party")
    before = selectors.confirmation_current(party)
    confirmation = addresses.address_confirm(
        actor=user,
        case_id=case.pk,
        party_id=party.pk,
        mobile=payload.mobile,
        email=payload.email,
        institution_inbox=payload.institution_inbox,
        consents_to_decisions=payload.consents_to_decisions,
        undertaking=payload.undertaking,
    )
    confirmation.party = party
    created = before is None or before.pk != confirmation.pk
    return Status(201 if created else 200, address_out(confirmation))


# --- Court staff --------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/deliveries",
    response=list[DeliveryDetailOut],
    summary="A case's deliveries with their attempts and events (court staff of the case)",
    openapi_extra=READ,
)
def case_deliveries(request: HttpRequest, case_id: PathId) -> list[DeliveryDetailOut]:
    case = _staff_case_or_404(request, case_id)
    return [delivery_out(d, staff=True) for d in selectors.case_deliveries(case)]


@router.post(
    "/cases/{case_id}/documents",
    response={201: DocumentIssuedOut},
    summary="Issue a document in a case and serve it on its parties (court staff of the case)",
    description="One delivery per recipient is created with the document; its hash is "
    "deposited in the evidence log. 400 `kind_invalid`, `title_missing`, `body_missing`, "
    "`recipients_invalid`.",
    openapi_extra=ON_RECORD,
)
def documents_issue(request: HttpRequest, case_id: PathId, payload: CourtDocumentIn) -> Status:
    case = _staff_case_or_404(request, case_id)
    document = document_issue(
        actor=_user(request),
        case_id=case.pk,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        recipient_ids=payload.recipient_ids,
    )
    ids = list(
        Delivery.objects.filter(document=document).order_by("pk").values_list("pk", flat=True)
    )
    return Status(201, DocumentIssuedOut(document=document_out(document), delivery_ids=ids))


@router.post(
    "/deliveries/{delivery_id}/retry",
    response=DeliveryDetailOut,
    summary="Try a failed delivery's channels again from the first round (court staff)",
    description="Not failed: 400 `not_failed`; no SMS or email to try: 400 `no_address`.",
    openapi_extra=ON_RECORD,
)
def delivery_retry(request: HttpRequest, delivery_id: PathId) -> DeliveryDetailOut:
    user = _user(request)
    delivery = _viewable_or_404(request, delivery_id)
    with missing_is_404():
        staff.delivery_retry(actor=user, delivery_id=delivery.pk)
    return _out(user, delivery.pk)


@router.post(
    "/deliveries/{delivery_id}/redirect",
    response=DeliveryDetailOut,
    summary="Send a failed or offline delivery through another channel or address (court staff)",
    description="The new address is not one the recipient confirmed: it serves only once "
    "read or acted on. 400 `channel_invalid`, `mobile_invalid`, `email_invalid` (field "
    "`address`), `not_failed`, `needs_consent`.",
    openapi_extra=ON_RECORD,
)
def delivery_redirect(
    request: HttpRequest, delivery_id: PathId, payload: DeliveryRedirectIn
) -> DeliveryDetailOut:
    user = _user(request)
    delivery = _viewable_or_404(request, delivery_id)
    with missing_is_404():
        staff.delivery_redirect(
            actor=user, delivery_id=delivery.pk, channel=payload.channel, address=payload.address
        )
    return _out(user, delivery.pk)


@router.post(
    "/deliveries/{delivery_id}/offline",
    response=DeliveryDetailOut,
    summary="Switch a delivery to offline service (court staff)",
    description="Then record the scanned proof of service on the delivery's page (web "
    "only). 400 `reason_missing`, `already_served`.",
    openapi_extra=ON_RECORD,
)
def delivery_offline(
    request: HttpRequest, delivery_id: PathId, payload: OfflineIn
) -> DeliveryDetailOut:
    user = _user(request)
    delivery = _viewable_or_404(request, delivery_id)
    with missing_is_404():
        staff.delivery_offline(actor=user, delivery_id=delivery.pk, reason=payload.reason)
    return _out(user, delivery.pk)


@router.post(
    "/deliveries/{delivery_id}/correct",
    response=DeliveryDetailOut,
    summary="Correct a served delivery's served date (court staff)",
    description="The periods service started are recomputed, with the reason on the "
    "docket, and a new proof of service supersedes the old. 400 `reason_missing`, "
    "`date_future`, `not_served`, `unchanged`.",
    openapi_extra=ON_RECORD,
)
def delivery_correct(
    request: HttpRequest, delivery_id: PathId, payload: ServedCorrectIn
) -> DeliveryDetailOut:
    user = _user(request)
    delivery = _viewable_or_404(request, delivery_id)
    with missing_is_404():
        staff.delivery_served_correct(
            actor=user,
            delivery_id=delivery.pk,
            served_on=payload.served_on,
            reason=payload.reason,
        )
    return _out(user, delivery.pk)


@router.post(
    "/deliveries/{delivery_id}/paper-sent",
    response=DeliveryDetailOut,
    summary="Record that a requested paper copy went out (court staff)",
    description="400 `note_missing`, `not_requested`, `already_sent`.",
    openapi_extra=ON_RECORD,
)
def delivery_paper_sent(
    request: HttpRequest, delivery_id: PathId, payload: PaperSentIn
) -> DeliveryDetailOut:
    user = _user(request)
    delivery = _viewable_or_404(request, delivery_id)
    with missing_is_404():
        staff.paper_copy_sent(actor=user, delivery_id=delivery.pk, note=payload.note)
    return _out(user, delivery.pk)


__all__ = ["router"]
