"""The online hearing room: the identity re-check at the start (a fresh one-time code), the
judge starting and ending the hearing, and the evidence the judge shows.

A party or agent who attends online passes a fresh code texted to their own mobile, from 30
minutes before the start until the hearing ends; that is their attendance (``joined_at``).
The hearing's judge and clerk take no texted code: court staff sign in with a password and an
authenticator code (two factors), so they start, end and type the record as soon as they open
the room (``common.is_past_identity_check``). Ending the hearing records on the docket who
was absent and, when no other hearing of the case is still to come and no asynchronous trial
is open, moves the case to "heard". Nothing happens in the room of a closed case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.accounts.otp import otp_send, otp_verify
from ecourt.accounts.roles import Role
from ecourt.cases.models import Case, CaseStatus
from ecourt.cases.services._common import docket_add, guard_case_move
from ecourt.core import context
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent, OutboundMessage
from ecourt.evidence.models import EvidenceItem
from ecourt.hearings.models import (
    BUSY_STATUSES,
    AsyncTrial,
    AsyncTrialStatus,
    CourtRecord,
    Hearing,
    HearingParticipant,
    HearingStatus,
)
from ecourt.hearings.services.common import lock_hearing, participant_sync, require_case_open

#: The room opens (identity checks, starting) this long before the planned start.
ROOM_OPENS_BEFORE = timedelta(minutes=30)
IDENTITY_PURPOSE = "hearing.identity"
EVIDENCE_SHOWN_EVENT = "ecourt.hearings.evidence_shown"


def _clock(moment: datetime) -> str:
    """HH:MM in the court's time zone."""
    return timezone.localtime(moment).strftime("%H:%M")


def is_hearing_judge(user: User, hearing: Hearing) -> bool:
    return bool(user.is_authenticated and user.pk == hearing.judge_id and user.has_role(Role.JUDGE))


def _require_hearing_judge(user: User, hearing: Hearing) -> None:
    if not is_hearing_judge(user, hearing):
        raise PermissionDenied(_("Only the judge of this hearing may do this."), code="not_judge")


def room_is_open(hearing: Hearing, now: datetime | None = None) -> bool:
    """From 30 minutes before the start until the hearing ends (a hearing the judge never
    started closes at its planned end)."""
    now = now or timezone.now()
    if now < hearing.starts_at - ROOM_OPENS_BEFORE:
        return False
    if hearing.status == HearingStatus.IN_PROGRESS:
        return True
    return hearing.status == HearingStatus.SCHEDULED and now < hearing.ends_at


def _require_room_open(hearing: Hearing) -> None:
    now = timezone.now()
    if hearing.status in (HearingStatus.ENDED, HearingStatus.CANCELLED):
        raise DomainError(
            _("This hearing is “%(status)s”.") % {"status": hearing.get_status_display()},
            code="hearing_closed",
        )
    if now < hearing.starts_at - ROOM_OPENS_BEFORE:
        raise DomainError(
            _("The hearing room opens at %(time)s, 30 minutes before the start.")
            % {
                "time": timezone.localtime(hearing.starts_at - ROOM_OPENS_BEFORE).strftime(
                    "%Y-%m-%d %H:%M"
                )
            },
            code="room_not_open",
        )
    if not room_is_open(hearing, now):
        raise DomainError(
            _("The time of this hearing is over. The judge will schedule it again."),
            code="hearing_time_over",
        )


def _online_participant(actor: User, hearing: Hearing) -> HearingParticipant:
    participant_sync(hearing)  # a party linked, or an agent appointed, since scheduling
    participant = hearing.participants.filter(user=actor).first() if actor.pk else None
    if participant is None:
        raise DomainError(_("No such hearing."), code="not_found")
    if participant.offline:
        raise DomainError(
            _(
                "You attend this hearing in person: you did not agree to litigate online. "
                "Come to the court at the time in the summons."
            ),
            code="attends_offline",
        )
    return participant


# --- Identity re-check ------------------------------------------------------------------------


def hearing_identity_send(*, actor: User, hearing_id: int, language: str) -> None:
    """Text a fresh one-time code to the participant's own mobile, to check who is joining."""
    hearing = Hearing.objects.select_related("case").filter(pk=hearing_id).first()
    if hearing is None:
        raise DomainError(_("No such hearing."), code="not_found")
    _online_participant(actor, hearing)
    require_case_open(hearing.case)
    _require_room_open(hearing)
    if not actor.mobile:
        raise DomainError(
            _("Your account has no mobile number to send the code to."), code="no_mobile"
        )
    otp_send(
        channel=OutboundMessage.Channel.SMS,
        destination=actor.mobile,
        purpose=IDENTITY_PURPOSE,
        ip_hash=context.current().ip_hash,
        language=language,
        user=actor,
    )


def hearing_identity_verify(*, actor: User, hearing_id: int, code: str) -> HearingParticipant:
    """Check the code: the participant's identity is re-checked and their attendance
    recorded (the first time, on the docket)."""
    hearing = Hearing.objects.select_related("case").filter(pk=hearing_id).first()
    if hearing is None:
        raise DomainError(_("No such hearing."), code="not_found")
    _online_participant(actor, hearing)
    require_case_open(hearing.case)
    _require_room_open(hearing)
    # Verified on its own first: a wrong guess is counted even though joining fails.
    otp_verify(destination=actor.mobile, purpose=IDENTITY_PURPOSE, code=code)
    with transaction.atomic():
        case, hearing = lock_hearing(hearing_id)
        participant = _online_participant(actor, hearing)
        require_case_open(case)
        _require_room_open(hearing)
        participant = HearingParticipant.objects.select_for_update().get(pk=participant.pk)
        now = timezone.now()
        first = participant.joined_at is None
        old = {"verified_at": participant.verified_at, "joined_at": participant.joined_at}
        participant.verified_at = now
        fields = ["verified_at"]
        if first:
            participant.joined_at = now
            fields.append("joined_at")
        if participant.left_at is not None:
            participant.left_at = None
            fields.append("left_at")
        participant.save(update_fields=fields)
        audit_record(
            code="ecourt.hearings.identity_verified",
            actor=actor,
            target=participant,
            old=old,
            new={"verified_at": now, "joined_at": participant.joined_at, "hearing": hearing.pk},
        )
        if first:
            docket_add(
                case=case,
                code="hearings.attended",
                actor=actor,
                party=participant.party,
                text=gettext_lazy("%(name)s attended (identity checked at %(time)s)."),
                params={"name": participant.name, "time": _clock(now)},
            )
    return participant


# --- Start and end ----------------------------------------------------------------------------


def hearing_start(*, actor: User, hearing_id: int) -> Hearing:
    """The judge opens the hearing: from 30 minutes before its start, not in a closed case.
    Its court record is created now (the clerk types into it). The judge takes no texted
    code (see the module docstring)."""
    with transaction.atomic():
        case, hearing = lock_hearing(hearing_id)
        _require_hearing_judge(actor, hearing)
        require_case_open(case)
        if hearing.status != HearingStatus.SCHEDULED:
            raise DomainError(
                _("This hearing is “%(status)s”.") % {"status": hearing.get_status_display()},
                code="illegal_transition",
            )
        _require_room_open(hearing)
        now = timezone.now()
        hearing.status = HearingStatus.IN_PROGRESS
        hearing.started_at = now
        hearing.save(update_fields=["status", "started_at"])
        record, _created = CourtRecord.objects.get_or_create(
            hearing=hearing, defaults={"case": case}
        )
        docket_add(
            case=case,
            code="hearings.started",
            actor=actor,
            text=gettext_lazy("The online hearing began at %(time)s in %(courtroom)s."),
            params={"time": _clock(now), "courtroom": hearing.courtroom.name},
        )
        audit_record(
            code="ecourt.hearings.started",
            actor=actor,
            target=hearing,
            old={"status": HearingStatus.SCHEDULED},
            new={"status": hearing.status, "started_at": now, "record": record.pk},
        )
    return hearing


def _absent_party_names(hearing: Hearing) -> list[str]:
    """Parties attending online of whom neither the party nor an agent joined."""
    rows = list(hearing.participants.filter(party__isnull=False).select_related("party"))
    present = {p.party_id for p in rows if p.joined_at is not None}
    names: dict[int, str] = {}
    for row in rows:
        assert row.party is not None
        if row.party_id not in present and not row.offline:
            names.setdefault(row.party.pk, row.party.name)
    return list(names.values())


def hearing_end(*, actor: User, hearing_id: int) -> Hearing:
    """The judge ends the hearing. Absent parties go on the docket; with no other hearing of
    the case still to come, the case is heard."""
    with transaction.atomic():
        case, hearing = lock_hearing(hearing_id)
        _require_hearing_judge(actor, hearing)
        if hearing.status != HearingStatus.IN_PROGRESS:
            raise DomainError(
                _("Only a hearing in progress can be ended."), code="illegal_transition"
            )
        now = timezone.now()
        hearing.status = HearingStatus.ENDED
        hearing.ended_at = now
        hearing.save(update_fields=["status", "ended_at"])
        hearing.participants.filter(joined_at__isnull=False, left_at__isnull=True).update(
            left_at=now
        )
        docket_add(
            case=case,
            code="hearings.ended",
            actor=actor,
            text=gettext_lazy("The online hearing ended at %(time)s."),
            params={"time": _clock(now)},
        )
        absent = _absent_party_names(hearing)
        if absent:
            docket_add(
                case=case,
                code="hearings.absent",
                actor=actor,
                text=gettext_lazy("Absent from the hearing: %(names)s."),
                params={"names": ("; ".join(absent), "；".join(absent))},
            )
        audit_record(
            code="ecourt.hearings.ended",
            actor=actor,
            target=hearing,
            old={"status": HearingStatus.IN_PROGRESS},
            new={"status": hearing.status, "ended_at": now, "absent": absent},
        )
        _case_heard(case, hearing, actor)
    return hearing


def _case_heard(case: Case, hearing: Hearing, actor: User) -> None:
    """The case is heard once its last hearing ended, unless an asynchronous trial is still
    open (closing it hears the case)."""
    still_to_come = (
        Hearing.objects.filter(case=case, status__in=BUSY_STATUSES).exclude(pk=hearing.pk).exists()
    )
    trial_open = AsyncTrial.objects.filter(case=case, status=AsyncTrialStatus.OPEN).exists()
    if still_to_come or trial_open or case.status != CaseStatus.HEARING_SCHEDULED:
        return
    guard_case_move(case, CaseStatus.HEARD)
    old = case.status
    case.status = CaseStatus.HEARD
    case.save(update_fields=["status"])
    docket_add(case=case, code="cases.heard", actor=actor, text=gettext_lazy("Hearing held."))
    audit_record(
        code="ecourt.cases.heard",
        actor=actor,
        target=case,
        old={"status": old},
        new={"status": case.status, "hearing": hearing.pk},
    )


# --- Evidence shown ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceShown:
    item_id: int
    label: str
    shown_at: datetime


def evidence_show(*, actor: User, hearing_id: int, item_id: int) -> EvidenceShown:
    """The judge shows an evidence item of the case in the hearing: on the docket and in the
    room's list (each participant opens it under the evidence pages' own access rules)."""
    with transaction.atomic():
        case, hearing = lock_hearing(hearing_id)
        _require_hearing_judge(actor, hearing)
        if hearing.status != HearingStatus.IN_PROGRESS:
            raise DomainError(
                _("Evidence is shown while the hearing is in progress."),
                code="hearing_not_in_progress",
            )
        item = (
            EvidenceItem.objects.select_related("party")
            .filter(pk=item_id, application_id=case.application_id, submitted_at__isnull=False)
            .first()
        )
        if item is None:
            raise DomainError(
                _("Choose a submitted evidence item of this case."),
                code="evidence_invalid",
                field="item",
            )
        label = f"{item.party.name} {item.number}. {item.title}"
        now = timezone.now()
        docket_add(
            case=case,
            code="hearings.evidence_shown",
            actor=actor,
            party=item.party,
            text=gettext_lazy("Evidence shown in the hearing at %(time)s: %(item)s."),
            params={"time": _clock(now), "item": label},
        )
        audit_record(
            code=EVIDENCE_SHOWN_EVENT,
            actor=actor,
            target=hearing,
            new={"item": item.pk, "label": label, "shown_at": now},
        )
    return EvidenceShown(item_id=item.pk, label=label, shown_at=now)


def evidence_shown_in(hearing: Hearing) -> list[EvidenceShown]:
    """What the judge showed in ``hearing``, in order (read from its audit events, which
    are append-only)."""
    events = AuditEvent.objects.filter(
        code=EVIDENCE_SHOWN_EVENT,
        target_type=ContentType.objects.get_for_model(Hearing),
        target_id=str(hearing.pk),
    ).order_by("created_at", "pk")
    shown = []
    for event in events:
        values = event.new_values
        shown.append(
            EvidenceShown(
                item_id=int(values["item"]),
                label=str(values.get("label", "")),
                shown_at=event.created_at,
            )
        )
    return shown
