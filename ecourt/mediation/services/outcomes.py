"""How a mediation ends: a signed settlement (then, if the parties apply, judicial
confirmation), withdrawal, or failure, which sends the application back to filing review.
Also the one extension of the period and the undisputed facts carried over on failure.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.accounts.otp import otp_send, otp_verify
from ecourt.cases.models import (
    ApplicationStatus,
    PartySide,
)
from ecourt.cases.services._common import (
    deadline_open,
    deadlines_close,
    guard_application_move,
    lock_application,
    notify,
    today,
)
from ecourt.core.audit import audit_record
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import OutboundMessage
from ecourt.core.selectors import court_calendar
from ecourt.core.text import clean_text
from ecourt.mediation import rules
from ecourt.mediation.models import (
    OPEN_MEDIATION_STATUSES,
    AgreementSignature,
    ConsentKind,
    FailureReason,
    Mediation,
    MediationConsent,
    MediationStatus,
    SettlementAgreement,
)
from ecourt.mediation.services._common import (
    acting_parties,
    event_add,
    guard_move,
    lock_mediation,
    mediation_parties,
    require_mediator,
    require_open,
    require_party,
)
from ecourt.mediation.services.diversion import (
    MEDIATION_DEADLINE,
)
from ecourt.mediation.services.room import _terms

S = ApplicationStatus
M = MediationStatus
SIDE_ORDER: dict[str, int] = {PartySide.PLAINTIFF: 0, PartySide.DEFENDANT: 1}
SIDE_ZH = {PartySide.PLAINTIFF: "申请人", PartySide.DEFENDANT: "被申请人", "third_party": "第三人"}
CONFIRMATION_DEADLINE = "judicial_confirmation"
CONFIRMATION_BASIS = "CPL (2023) Art. 205: joint application within 30 days of the agreement"
#: SPC Provisions on Judicial Confirmation Procedures (2011): the court decides within 15 days
#: of accepting the application [article number unverified].
CONFIRMATION_DECISION_DAYS = 15


def _notify_parties(mediation: Mediation, text: object, purpose: str, **params: str) -> None:
    people: set[User] = {mediation.application.created_by}
    for party in mediation_parties(mediation):
        people |= {party.user, *(a.user for a in party.agents.all())} - {None}  # type: ignore[arg-type]
    for person in people:
        notify(person, text, purpose, **params)  # type: ignore[arg-type]


# --- The settlement agreement ------------------------------------------------------------------


def current_agreement(mediation: Mediation) -> SettlementAgreement | None:
    return (
        SettlementAgreement.objects.filter(mediation=mediation, superseded_at__isnull=True)
        .order_by("-version")
        .first()
    )


def agreement_draft(*, actor: User, mediation_id: int, terms: str) -> SettlementAgreement:
    """The mediator drafts (or redrafts) the agreement from the court's template. A redraft
    supersedes the previous version; signatures on it do not carry over."""
    terms = _terms(terms)
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_mediator(actor, mediation)
        require_open(mediation)
        application = mediation.application
        assert mediation.mediator is not None and application.case_type is not None
        organisation = mediation.mediator.organisation
        court = get_court_profile()
        text = rules.agreement_text(
            court_name_zh=court.name_zh,
            number=mediation.number,
            parties=[
                rules.AgreementParty(side_zh=SIDE_ZH.get(p.side, "当事人"), name=p.name)
                for p in sorted(
                    mediation_parties(mediation),
                    key=lambda p: (SIDE_ORDER.get(p.side, 9), p.position, p.pk),
                )
            ],
            mediator_name=actor.display_name,
            organisation_name=organisation.name_zh if organisation else "",
            dispute_zh=application.case_type.name_zh,
            terms=terms,
            drafted_on=today(),
        )
        now = timezone.now()
        SettlementAgreement.objects.filter(mediation=mediation, superseded_at__isnull=True).update(
            superseded_at=now
        )
        last = (
            SettlementAgreement.objects.filter(mediation=mediation).aggregate(n=Max("version"))["n"]
            or 0
        )
        agreement = SettlementAgreement.objects.create(
            mediation=mediation,
            version=last + 1,
            terms=terms,
            text=text,
            text_sha256=rules.text_sha256(text),
            drafted_by=actor,
            drafted_at=now,
        )
        event_add(
            mediation=mediation,
            code="mediation.agreement.drafted",
            actor=actor,
            text=gettext_lazy(
                "The mediator drafted settlement agreement version %(version)s for signature "
                "(SHA-256 %(hash)s)."
            ),
            params={"version": agreement.version, "hash": agreement.text_sha256[:16]},
        )
        audit_record(
            code="ecourt.mediation.agreement.drafted",
            actor=actor,
            target=mediation,
            new={"agreement": agreement.pk, "version": agreement.version},
        )
        _notify_parties(
            mediation,
            gettext_lazy("A settlement agreement for %(number)s is ready for you to sign."),
            "mediation.agreement",
            number=mediation.number,
        )
    return agreement


def _unsigned_parties(actor: User, agreement: SettlementAgreement, party_id: int | None) -> list:
    parties = require_party(actor, agreement.mediation, party_id)
    signed = set(agreement.signatures.values_list("party_id", flat=True))
    return [p for p in parties if p.pk not in signed]


def _signing_purpose(agreement: SettlementAgreement) -> str:
    return f"agreement:{agreement.pk}"


def _agreement_for_signing(actor: User, agreement_id: int) -> SettlementAgreement:
    agreement = (
        SettlementAgreement.objects.select_related("mediation", "mediation__application")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None or not acting_parties(actor, agreement.mediation):
        raise DomainError(_("No such agreement."), code="not_found")
    if agreement.superseded_at is not None:
        raise DomainError(
            _("This version of the agreement was replaced. Read the new version and sign it."),
            code="agreement_changed",
        )
    if agreement.mediation.status != M.IN_PROGRESS:
        raise DomainError(
            _("This cannot be done while the mediation is “%(status)s”.")
            % {"status": agreement.mediation.get_status_display()},
            code="illegal_transition",
        )
    return agreement


def agreement_code_send(
    *, actor: User, agreement_id: int, ip_hash: str = "", language: str = "zh-hans"
) -> None:
    """Text the signer a fresh one-time code for this agreement."""
    agreement = _agreement_for_signing(actor, agreement_id)
    if not _unsigned_parties(actor, agreement, None):
        raise DomainError(_("You have already signed this agreement."), code="already_signed")
    otp_send(
        channel=OutboundMessage.Channel.SMS,
        destination=actor.mobile,
        purpose=_signing_purpose(agreement),
        ip_hash=ip_hash,
        language=language,
        user=actor,
    )


def agreement_sign(
    *,
    actor: User,
    agreement_id: int,
    text_sha256: str,
    code: str,
    party_id: int | None = None,
) -> list[AgreementSignature]:
    """Sign the exact text read (its SHA-256) with a fresh one-time code, for every party the
    actor acts for that has not signed (or ``party_id`` only). A wrong, expired or used code,
    or a text that changed since it was read, leaves the agreement unsigned. When the last
    party signs, the agreement takes effect and the dispute is settled."""
    agreement = _agreement_for_signing(actor, agreement_id)
    if (text_sha256 or "").strip().lower() != agreement.text_sha256:
        raise DomainError(
            _("The agreement changed after you read it. Read it again before you sign."),
            code="agreement_changed",
        )
    if not _unsigned_parties(actor, agreement, party_id):
        raise DomainError(_("You have already signed this agreement."), code="already_signed")
    # Verified first and on its own: a wrong guess is counted even though signing fails.
    otp_verify(destination=actor.mobile, purpose=_signing_purpose(agreement), code=code)
    with transaction.atomic():
        mediation = lock_mediation(agreement.mediation_id)
        agreement = SettlementAgreement.objects.select_for_update().get(pk=agreement.pk)
        if agreement.superseded_at is not None or mediation.status != M.IN_PROGRESS:
            raise DomainError(
                _("This version of the agreement was replaced. Read the new version and sign it."),
                code="agreement_changed",
            )
        todo = _unsigned_parties(actor, agreement, party_id)
        if not todo:
            raise DomainError(_("You have already signed this agreement."), code="already_signed")
        now = timezone.now()
        signatures = [
            AgreementSignature.objects.create(
                agreement=agreement,
                party=party,
                signed_by=actor,
                signed_at=now,
                method="sms_code",
                text_sha256=agreement.text_sha256,
            )
            for party in todo
        ]
        for party in todo:
            event_add(
                mediation=mediation,
                code="mediation.agreement.signed",
                actor=actor,
                text=gettext_lazy(
                    "%(party)s signed settlement agreement version %(version)s "
                    "(confirmed with a one-time code)."
                ),
                params={"party": party.name, "version": agreement.version},
            )
        audit_record(
            code="ecourt.mediation.agreement.signed",
            actor=actor,
            target=mediation,
            new={
                "agreement": agreement.pk,
                "parties": [p.pk for p in todo],
                "sha256": agreement.text_sha256,
                "method": "sms_code",
            },
        )
        everyone = {p.pk for p in mediation_parties(mediation)}
        signed = set(agreement.signatures.values_list("party_id", flat=True))
        if everyone <= signed:
            _settle(mediation, agreement)
    return signatures


def _settle(mediation: Mediation, agreement: SettlementAgreement) -> None:
    guard_move(mediation, M.SETTLED)
    application = lock_application(mediation.application_id)
    guard_application_move(application, S.SETTLED)
    now, on = timezone.now(), today()
    agreement.completed_at = now
    agreement.save(update_fields=["completed_at"])
    mediation.status = M.SETTLED
    mediation.ended_at, mediation.ended_on = now, on
    mediation.save(update_fields=["status", "ended_at", "ended_on"])
    application.status = S.SETTLED
    application.decided_at = now
    application.save(update_fields=["status", "decided_at", "updated_at"])
    deadlines_close(how="met", application=application, code=MEDIATION_DEADLINE)
    deadline_open(
        application=application,
        code=CONFIRMATION_DEADLINE,
        start=on,
        start_event="settlement agreement in effect",
        due=rules.confirmation_window_end(on, court_calendar=court_calendar()),
        basis=CONFIRMATION_BASIS,
    )
    event_add(
        mediation=mediation,
        code="mediation.settled",
        text=gettext_lazy(
            "Every party signed: the settlement agreement is in effect and the dispute is "
            "settled. The parties may jointly apply for judicial confirmation until %(due)s."
        ),
        params={"due": rules.confirmation_window_end(on, court_calendar=court_calendar())},
    )
    audit_record(
        code="ecourt.mediation.settled",
        actor=None,
        target=mediation,
        old={"status": M.IN_PROGRESS},
        new={"status": M.SETTLED, "agreement": agreement.pk},
    )
    _notify_parties(
        mediation,
        gettext_lazy("Mediation %(number)s ended in a settlement signed by every party."),
        "mediation.settled",
        number=mediation.number,
    )


# --- Ending without settlement -----------------------------------------------------------------


def mediation_withdraw(*, actor: User, mediation_id: int) -> Mediation:
    """The plaintiff withdraws: mediation ends and the application is withdrawn with it."""
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        mine = require_party(actor, mediation)
        if not any(p.side == PartySide.PLAINTIFF for p in mine):
            raise PermissionDenied(
                _("Only the plaintiff can withdraw the application."), code="not_plaintiff"
            )
        guard_move(mediation, M.WITHDRAWN)
        application = lock_application(mediation.application_id)
        guard_application_move(application, S.WITHDRAWN)
        now = timezone.now()
        old = mediation.status
        mediation.status = M.WITHDRAWN
        mediation.ended_at, mediation.ended_on = now, today()
        mediation.save(update_fields=["status", "ended_at", "ended_on"])
        application.status = S.WITHDRAWN
        application.decided_at = now
        application.save(update_fields=["status", "decided_at", "updated_at"])
        deadlines_close(how="cancelled", application=application)
        event_add(
            mediation=mediation,
            code="mediation.withdrawn",
            actor=actor,
            text=gettext_lazy("The plaintiff withdrew the application; mediation ended."),
        )
        audit_record(
            code="ecourt.mediation.withdrawn",
            actor=actor,
            target=mediation,
            old={"status": old},
            new={"status": M.WITHDRAWN, "application_status": S.WITHDRAWN},
        )
        _notify_parties(
            mediation,
            gettext_lazy("Mediation %(number)s ended: the plaintiff withdrew the application."),
            "mediation.withdrawn",
            number=mediation.number,
        )
    return mediation


def _facts_agreed(mediation: Mediation) -> bool:
    if not mediation.undisputed_facts:
        return False
    digest = rules.text_sha256(mediation.undisputed_facts)
    agreed = set(
        MediationConsent.objects.filter(
            mediation=mediation, kind=ConsentKind.FACTS, subject_sha256=digest
        ).values_list("party_id", flat=True)
    )
    return {p.pk for p in mediation_parties(mediation)} <= agreed


def _fail(mediation: Mediation, *, reason: str, actor: User | None, detail: str = "") -> None:
    """End without settlement: the application goes back to filing review, and the 7-day
    filing decision counts from today (the day mediation ended)."""
    guard_move(mediation, M.FAILED)
    application = lock_application(mediation.application_id)
    guard_application_move(application, S.UNDER_REVIEW)
    now, on = timezone.now(), today()
    old = mediation.status
    mediation.status = M.FAILED
    mediation.failure_reason = reason
    mediation.ended_at, mediation.ended_on = now, on
    mediation.save(update_fields=["status", "failure_reason", "ended_at", "ended_on"])
    application.status = S.UNDER_REVIEW
    application.received_on = on
    application.save(update_fields=["status", "received_on", "updated_at"])
    deadlines_close(how="cancelled", application=application, code=MEDIATION_DEADLINE)
    deadline_open(
        application=application,
        code="filing_decision",
        start=on,
        start_event="end of pre-filing mediation without settlement",
    )
    carried = _facts_agreed(mediation)
    event_add(
        mediation=mediation,
        code="mediation.failed",
        actor=actor,
        text=gettext_lazy(
            "Mediation ended without settlement (%(reason)s). The application returns to "
            "filing review; the court decides on docketing within 7 days from today."
        ),
        params={"reason": FailureReason(reason).label},
    )
    audit_record(
        code="ecourt.mediation.failed",
        actor=actor,
        target=mediation,
        old={"status": old},
        new={
            "status": M.FAILED,
            "reason": reason,
            "detail": detail,
            "undisputed_facts_carried": carried,
        },
    )
    _notify_parties(
        mediation,
        gettext_lazy(
            "Mediation %(number)s ended without settlement. The application returns to the "
            "court for the filing decision."
        ),
        "mediation.failed",
        number=mediation.number,
    )


def mediation_refuse(*, actor: User, mediation_id: int, reason: str = "") -> Mediation:
    """A party refuses to continue: mediation is voluntary, so it fails at once."""
    reason = clean_text(reason, field="reason", max_length=2000, required=False, multiline=True)
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_party(actor, mediation)
        _fail(mediation, reason=FailureReason.REFUSED, actor=actor, detail=reason)
    return mediation


def mediation_end_without_agreement(*, actor: User, mediation_id: int, reason: str) -> Mediation:
    """The mediator finds no agreement possible and ends the mediation."""
    reason = clean_text(reason, field="reason", max_length=2000, required=False, multiline=True)
    if not reason:
        raise DomainError(_("Give the reason."), code="reason_required", field="reason")
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_mediator(actor, mediation)
        _fail(mediation, reason=FailureReason.NO_AGREEMENT, actor=actor, detail=reason)
    return mediation


def mediations_expire(*, on: date | None = None) -> int:
    """End every mediation whose period ended before ``on`` (default: today) without
    settlement. Run by the worker; idempotent: a mediation already ended is skipped."""
    on = on or today()
    ended = 0
    due = Mediation.objects.filter(status__in=OPEN_MEDIATION_STATUSES, due_on__lt=on).values_list(
        "pk", flat=True
    )
    for mediation_id in list(due):
        with transaction.atomic():
            mediation = lock_mediation(mediation_id)
            if not mediation.is_open or mediation.due_on is None or mediation.due_on >= on:
                continue
            _fail(mediation, reason=FailureReason.PERIOD_ENDED, actor=None)
            ended += 1
    return ended
