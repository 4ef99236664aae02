"""The court record (笔录): the clerk types it live, closes it after the hearing (the text is
frozen, hashed with SHA-256 and the hash deposited in the evidence log), and every online
participant signs that hash with a fresh one-time code. A closed record never changes; a
correction is a supplementary record that points to it.

Who keeps a record and who signs it follows its *root*: the hearing (or asynchronous trial)
of the record itself or of the record it supplements.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.accounts.otp import otp_send, otp_verify
from ecourt.cases.models import Party
from ecourt.cases.services._common import docket_add
from ecourt.core import context
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import OutboundMessage
from ecourt.core.text import clean_text
from ecourt.evidence.services.log import deposit_for_court
from ecourt.hearings.models import (
    AsyncTrialStatus,
    CourtRecord,
    HearingParticipant,
    HearingStatus,
    RecordSignature,
)
from ecourt.hearings.services.common import lock_record, participant_sync

SIGN_PURPOSE = "record.sign"
MAX_RECORD_CHARS = 500_000


class RecordConflict(DomainError):
    """Saved from a stale copy: someone saved a newer version in between (HTTP 409)."""

    status_code = 409


def root_of(record: CourtRecord) -> CourtRecord:
    """The record a chain of supplements started from (the one with a hearing or trial)."""
    seen = {record.pk}
    while record.supplements_id is not None:
        record = CourtRecord.objects.select_related("hearing", "async_trial", "supplements").get(
            pk=record.supplements_id
        )
        if record.pk in seen:  # pragma: no cover - a cycle cannot be created by the services
            break
        seen.add(record.pk)
    return record


def record_keepers(record: CourtRecord) -> set[int]:
    """Ids of who may write and close the record: the hearing's clerk and judge, or the
    asynchronous trial's judge."""
    root = root_of(record)
    if root.hearing_id is not None:
        hearing = root.hearing
        assert hearing is not None
        return {hearing.clerk_id, hearing.judge_id}
    if root.async_trial_id is not None:
        trial = root.async_trial
        assert trial is not None
        return {trial.judge_id}
    return {root.case.judge_id} if root.case.judge_id else set()


def is_record_keeper(user: User, record: CourtRecord) -> bool:
    return bool(user.is_authenticated and user.pk in record_keepers(record))


def _require_keeper(user: User, record: CourtRecord) -> None:
    if not is_record_keeper(user, record):
        raise PermissionDenied(
            _("Only the clerk of this hearing may write its record."), code="not_clerk"
        )


@dataclass(frozen=True)
class Signer:
    """Someone who signs a record: online participants with an account."""

    user_id: int
    name: str
    participant: HearingParticipant | None = None
    party: Party | None = None


def record_signers(record: CourtRecord) -> list[Signer]:
    """Who signs: for a hearing, its online participants with an account (judge, clerk,
    parties' linked accounts, agents); for an asynchronous trial, its judge and the parties'
    linked accounts and agents. A hearing's participant list is brought up to date first
    (``participant_sync``): a party that linked its account, or an agent appointed, after the
    hearing was scheduled signs too."""
    root = root_of(record)
    signers: dict[int, Signer] = {}
    if root.hearing_id is not None:
        assert root.hearing is not None
        participant_sync(root.hearing)
        rows = HearingParticipant.objects.filter(
            hearing_id=root.hearing_id, user__isnull=False, offline=False
        ).select_related("party")
        for row in rows:
            assert row.user_id is not None
            signers.setdefault(
                row.user_id,
                Signer(user_id=row.user_id, name=row.name, participant=row, party=row.party),
            )
        return list(signers.values())
    if root.async_trial_id is not None:
        trial = root.async_trial
        assert trial is not None
        signers[trial.judge_id] = Signer(
            user_id=trial.judge_id, name=trial.judge.display_name or str(trial.judge)
        )
    for party in root.case.parties.prefetch_related("agents__user").select_related("user"):
        if party.online_litigation is False:
            continue
        if party.user is not None:
            signers.setdefault(party.user.pk, Signer(party.user.pk, party.name, party=party))
        for agent in party.agents.all():
            signers.setdefault(
                agent.user.pk,
                Signer(agent.user.pk, agent.user.display_name or str(agent.user), party=party),
            )
    return list(signers.values())


def signer_for(user: User, record: CourtRecord) -> Signer | None:
    if not user.is_authenticated:
        return None
    return next((s for s in record_signers(record) if s.user_id == user.pk), None)


def _record_text(text: str) -> str:
    """The text as typed: line ends normalised (a form posts CRLF, a script LF), checked for
    control characters and length, but not trimmed (the clerk is still typing)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    clean_text(text, field="text", max_length=MAX_RECORD_CHARS, required=False, multiline=True)
    return text


def _require_open(record: CourtRecord) -> None:
    if record.is_closed:
        raise DomainError(_("A closed record cannot change."), code="record_closed")


# --- Writing ----------------------------------------------------------------------------------


def record_save(*, actor: User, record_id: int, text: str, base_version: int) -> CourtRecord:
    """Save the clerk's text. ``base_version`` is the version the text was edited from: when
    someone saved in between (another tab), the save is refused (``version_conflict``) rather
    than overwriting their text."""
    text = _record_text(text)
    with transaction.atomic():
        _case, record = lock_record(record_id)
        _require_keeper(actor, record)
        _require_open(record)
        if base_version != record.version:
            raise RecordConflict(
                _(
                    "Someone saved the record after you loaded it (version %(version)s). "
                    "Copy your text, reload, and add it again."
                )
                % {"version": record.version},
                code="version_conflict",
                field="text",
            )
        if text == record.text:
            return record
        old_version = record.version
        record.text = text
        record.version += 1
        record.updated_at = timezone.now()
        record.updated_by = actor
        record.save(update_fields=["text", "version", "updated_at", "updated_by"])
        audit_record(
            code="ecourt.hearings.record.saved",
            actor=actor,
            target=record,
            old={"version": old_version},
            new={"version": record.version, "chars": len(text)},
        )
    return record


def record_freeze(*, record: CourtRecord, actor: User) -> CourtRecord:
    """Close ``record``: freeze its text, hash it (SHA-256 of the UTF-8 text) and deposit the
    hash in the evidence log, with a docket entry. The caller holds the case and record locks
    (``lock_record``) inside its transaction, and has checked who may close it."""
    _require_open(record)
    data = record.text.encode("utf-8")
    now = timezone.now()
    record.sha256 = hashlib.sha256(data).hexdigest()
    record.deposit = deposit_for_court(
        sha256=record.sha256, size=len(data), media_type="text/plain"
    )
    record.closed_at = now
    record.closed_by = actor
    record.save(update_fields=["sha256", "deposit", "closed_at", "closed_by"])
    docket_add(
        case=record.case,
        code="hearings.record_closed",
        actor=actor,
        text=gettext_lazy(
            "Court record closed for signature (SHA-256 %(sha256)s, deposit %(deposit)s)."
        ),
        params={"sha256": record.sha256, "deposit": record.deposit.deposit_no},
    )
    audit_record(
        code="ecourt.hearings.record.closed",
        actor=actor,
        target=record,
        new={
            "closed_at": now,
            "sha256": record.sha256,
            "deposit": record.deposit.deposit_no,
            "version": record.version,
        },
    )
    return record


def record_close(*, actor: User, record_id: int) -> CourtRecord:
    """The clerk (or the judge) closes the record once the hearing has ended."""
    with transaction.atomic():
        _case, record = lock_record(record_id)
        _require_keeper(actor, record)
        _require_open(record)
        root = root_of(record)
        if root.hearing is not None and root.hearing.status != HearingStatus.ENDED:
            raise DomainError(
                _("The record is closed after the hearing has ended."),
                code="hearing_not_ended",
            )
        if root.async_trial is not None and root.async_trial.status != AsyncTrialStatus.CLOSED:
            raise DomainError(
                _("The record is closed when the asynchronous trial closes."),
                code="trial_open",
            )
        return record_freeze(record=record, actor=actor)


def record_supplement(*, actor: User, record_id: int, text: str) -> CourtRecord:
    """A supplementary record correcting a closed one (the closed one never changes). It is
    written, closed and signed like any record."""
    text = _record_text(text)
    if not text.strip():
        raise DomainError(_("This field is required."), code="required", field="text")
    with transaction.atomic():
        case, record = lock_record(record_id)
        _require_keeper(actor, record)
        if not record.is_closed:
            raise DomainError(
                _("An open record is corrected by editing it, not by a supplement."),
                code="record_open",
            )
        now = timezone.now()
        supplement = CourtRecord.objects.create(
            case=case,
            supplements=record,
            text=text,
            version=1,
            updated_at=now,
            updated_by=actor,
        )
        docket_add(
            case=case,
            code="hearings.record_supplemented",
            actor=actor,
            text=gettext_lazy("Supplementary court record added to the record of %(date)s."),
            params={"date": timezone.localtime(record.closed_at).strftime("%Y-%m-%d")},
        )
        audit_record(
            code="ecourt.hearings.record.supplemented",
            actor=actor,
            target=supplement,
            new={"supplements": record.pk, "chars": len(text)},
        )
    return supplement


# --- Signing ----------------------------------------------------------------------------------


def _signable(actor: User, record_id: int) -> tuple[CourtRecord, Signer]:
    record = (
        CourtRecord.objects.select_related("case", "hearing", "async_trial")
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        raise DomainError(_("No such record."), code="not_found")
    signer = signer_for(actor, record)
    if signer is None:
        raise PermissionDenied(
            _("Only the participants of the hearing sign its record."), code="not_signer"
        )
    if not record.is_closed:
        raise DomainError(
            _("The record is signed once the clerk has closed it."), code="record_open"
        )
    if record.signatures.filter(user=actor).exists():
        raise DomainError(_("You have already signed this record."), code="already_signed")
    return record, signer


def record_sign_send(*, actor: User, record_id: int, language: str) -> None:
    """Text the signer a fresh one-time code to sign the closed record."""
    _signable(actor, record_id)
    if not actor.mobile:
        raise DomainError(
            _("Your account has no mobile number to send the code to."), code="no_mobile"
        )
    otp_send(
        channel=OutboundMessage.Channel.SMS,
        destination=actor.mobile,
        purpose=SIGN_PURPOSE,
        ip_hash=context.current().ip_hash,
        language=language,
        user=actor,
    )


def record_sign(*, actor: User, record_id: int, code: str, sha256: str) -> RecordSignature:
    """Sign the closed record as read (``sha256`` of the text on the signer's screen) with a
    fresh code. When every online participant with an account has signed, the record is
    complete."""
    record, _signer = _signable(actor, record_id)
    if (sha256 or "").strip().lower() != record.sha256:
        raise DomainError(
            _("The record changed since you read it. Read it again before you sign."),
            code="record_changed",
        )
    # Verified first and on its own: a wrong guess is counted even though signing fails.
    otp_verify(destination=actor.mobile, purpose=SIGN_PURPOSE, code=code)
    with transaction.atomic():
        case, record = lock_record(record_id)
        record, signer = _signable(actor, record.pk)
        now = timezone.now()
        signature = RecordSignature.objects.create(
            record=record,
            participant=signer.participant,
            party=signer.party,
            user=actor,
            name=signer.name,
            sha256=record.sha256,
            signed_at=now,
        )
        audit_record(
            code="ecourt.hearings.record.signed",
            actor=actor,
            target=record,
            new={"sha256": record.sha256, "method": "sms_code", "signature": signature.pk},
        )
        everyone = {s.user_id for s in record_signers(record)}
        signed = set(record.signatures.values_list("user_id", flat=True))
        if everyone <= signed and record.completed_at is None:
            record.completed_at = now
            record.save(update_fields=["completed_at"])
            docket_add(
                case=case,
                code="hearings.record_signed",
                actor=actor,
                text=gettext_lazy("Court record signed by all participants (SHA-256 %(sha256)s)."),
                params={"sha256": record.sha256},
            )
            audit_record(
                code="ecourt.hearings.record.completed",
                actor=actor,
                target=record,
                new={"completed_at": now, "signers": sorted(signed)},
            )
    return signature
