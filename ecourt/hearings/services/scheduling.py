"""Scheduling hearings: the judge sets a time, courtroom and clerk (double bookings refused,
weekends and holidays warned about), the summons is issued and served; parties confirm
attendance or ask to reschedule; the judge decides, moves or cancels; a division head
assigns the case's judge.

The summons PDF is rendered and signed before the transaction when it can be (it takes a
while and needs no lock); if what it says changed meanwhile it is rendered again inside."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import Agent, Case, CaseStatus, ClosingMode, Party
from ecourt.cases.services._common import docket_add, guard_case_move, lock_case, notify
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.selectors import court_calendar
from ecourt.core.text import clean_text
from ecourt.documents.models import CourtDocument, DocumentKind
from ecourt.documents.services import document_issue
from ecourt.documents.sign import SealUnavailable
from ecourt.hearings import rules
from ecourt.hearings.models import (
    BUSY_STATUSES,
    AsyncTrial,
    AsyncTrialStatus,
    Courtroom,
    Hearing,
    HearingParticipant,
    HearingStatus,
    ParticipantRole,
    RescheduleRequest,
    RescheduleStatus,
)
from ecourt.hearings.services.common import (
    lock_hearing,
    parties_for,
    require_case_judge,
    resource_locks,
)

logger = logging.getLogger(__name__)

C = CaseStatus

#: How far ahead a hearing may be scheduled (two years): a later start is surely a typo, and
#: the cap keeps absurd values (year 9999) from overflowing the end time's arithmetic.
MAX_AHEAD = timedelta(days=731)

#: A hearing may be scheduled while evidence is exchanged, beside another scheduled one, or
#: after one was held (a further hearing).
SCHEDULABLE_STATUSES = frozenset({C.EVIDENCE_EXCHANGE, C.HEARING_SCHEDULED, C.HEARD})

#: Once decided, the judge who decided stays on the case.
DECIDED_STATUSES = frozenset({C.DECIDED, C.EFFECTIVE, C.APPEALED, C.CLOSED})


def court_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- Checks ------------------------------------------------------------------------------------


def _check_time(starts_at: datetime, minutes: int) -> tuple[datetime, datetime]:
    """``(start, end)`` of ``[starts_at, starts_at + minutes)`` once the length, notice and
    horizon rules pass. The start comes back aware: a naive one means court time
    (settings.TIME_ZONE, Asia/Shanghai); callers use the returned value."""
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, timezone.get_default_timezone())
    if not rules.length_ok(minutes):
        raise DomainError(
            _("A hearing lasts from %(min)d to %(max)d minutes.")
            % {"min": rules.MIN_MINUTES, "max": rules.MAX_MINUTES},
            code="minutes_invalid",
            field="minutes",
        )
    now = timezone.now()
    if starts_at <= now:
        raise DomainError(
            _("The hearing cannot start in the past."), code="start_past", field="starts_at"
        )
    if not rules.notice_ok(starts_at, now):
        raise DomainError(
            _(
                "The parties must be summoned at least 3 days before the hearing "
                "(CPL Art. 139): choose a start after %(earliest)s."
            )
            % {"earliest": court_time(now + rules.MIN_NOTICE)},
            code="notice_too_short",
            field="starts_at",
        )
    if starts_at > now + MAX_AHEAD:
        raise DomainError(
            _(
                "A hearing can be scheduled at most two years ahead: choose a start before "
                "%(latest)s."
            )
            % {"latest": court_time(now + MAX_AHEAD)},
            code="start_too_far",
            field="starts_at",
        )
    return starts_at, rules.ends_at(starts_at, minutes)


def _clerk(clerk_id: int) -> User:
    clerk = User.objects.filter(pk=clerk_id, is_active=True).first()
    if clerk is None or not clerk.has_role(Role.JUDICIAL_ASSISTANT):
        raise DomainError(
            _("Choose a judicial assistant to keep the record."),
            code="clerk_invalid",
            field="clerk",
        )
    return clerk


def _courtroom(courtroom_id: int) -> Courtroom:
    room = Courtroom.objects.filter(pk=courtroom_id, is_active=True).first()
    if room is None:
        raise DomainError(_("Choose a courtroom."), code="courtroom_invalid", field="courtroom")
    return room


def _status_allows(case: Case) -> None:
    if case.status not in SCHEDULABLE_STATUSES:
        raise DomainError(
            _(
                "A hearing can be scheduled once evidence exchange is open, and until the case "
                "is decided; this case is “%(status)s”."
            )
            % {"status": case.get_status_display()},
            code="illegal_transition",
        )


def _conflict(
    busy: QuerySet[Hearing], who: str, field: str, *, show_case: bool = True
) -> DomainError | None:
    other = busy.select_related("case").first()
    if other is None:
        return None
    params = {"who": who, "start": court_time(other.starts_at), "end": court_time(other.ends_at)}
    if show_case:
        message = _(
            "%(who)s already has a hearing from %(start)s to %(end)s (case %(number)s)."
        ) % {**params, "number": other.case.number}
    else:
        message = _("%(who)s already has a hearing from %(start)s to %(end)s.") % params
    return DomainError(message, code="conflict", field=field)


def check_conflicts(
    *,
    case: Case,
    judge: User,
    clerk: User,
    room: Courtroom,
    starts_at: datetime,
    ends_at: datetime,
    exclude_id: int | None = None,
    show_case: bool = True,
) -> None:
    """Refuse a hearing over ``[starts_at, ends_at)`` that would double-book the judge, the
    clerk, the courtroom or an agent of a party of ``case`` (one query per resource). The
    message names the resource and the other hearing's time; ``show_case`` adds the other
    case's number (for the judge, never for parties). The caller's transaction holds a lock
    per resource from here on, so two schedulings of the same judge, clerk, courtroom or
    agent in different cases cannot both pass the check."""
    agent_ids = list(Agent.objects.filter(party__case=case).values_list("user_id", flat=True))
    resource_locks(
        [f"hearing:user:{pk}" for pk in {judge.pk, clerk.pk, *agent_ids}]
        + [f"hearing:room:{room.pk}"]
    )
    busy = Hearing.objects.filter(
        status__in=BUSY_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_id is not None:
        busy = busy.exclude(pk=exclude_id)
    checks = [
        (busy.filter(judge=judge), _("Judge %(name)s") % {"name": judge.display_name}, "starts_at"),
        (busy.filter(clerk=clerk), _("Clerk %(name)s") % {"name": clerk.display_name}, "clerk"),
        (busy.filter(courtroom=room), _("Courtroom %(name)s") % {"name": room.name}, "courtroom"),
    ]
    for query, who, field in checks:
        error = _conflict(query, who, field, show_case=show_case)
        if error is not None:
            raise error
    clash = (
        HearingParticipant.objects.filter(
            hearing__in=busy,
            user_id__in=agent_ids,
            role__in=(ParticipantRole.AGENT, ParticipantRole.PARTY),
        )
        .select_related("user")
        .order_by("hearing__starts_at", "pk")
        .first()
    )
    if clash is not None and clash.user is not None:
        who = _("Agent %(name)s") % {"name": clash.user.display_name}
        error = _conflict(busy.filter(pk=clash.hearing_id), who, "starts_at", show_case=show_case)
        assert error is not None
        raise error


# --- The summons -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummonsText:
    title: str
    body: str


def summons_text(
    *,
    case: Case,
    parties: list[Party],
    judge: User,
    clerk: User,
    room: Courtroom,
    starts_at: datetime,
    ends_at: datetime,
) -> SummonsText:
    """The summons, in the court's language (settings.LANGUAGE_CODE)."""
    with translation.override(settings.LANGUAGE_CODE):
        start = timezone.localtime(starts_at)
        lines = [
            _("Case: %(number)s, %(title)s.") % {"number": case.number, "title": case.title},
            _(
                "The court will hear this case on %(date)s from %(start)s to %(end)s "
                "(Beijing time) in %(courtroom)s."
            )
            % {
                "date": start.strftime("%Y-%m-%d"),
                "start": start.strftime("%H:%M"),
                "end": timezone.localtime(ends_at).strftime("%H:%M"),
                "courtroom": room.name,
            },
            _("Judge: %(judge)s. Clerk: %(clerk)s.")
            % {"judge": judge.display_name, "clerk": clerk.display_name},
            _("Summoned: %(parties)s.") % {"parties": ", ".join(p.name for p in parties)},
        ]
        online = [p.name for p in parties if p.online_litigation is not False]
        offline = [p.name for p in parties if p.online_litigation is False]
        if online:
            lines.append(
                _(
                    "%(parties)s: the hearing is held online. Sign in to the court's platform, "
                    "open this case's hearing and enter the hearing room before the start; your "
                    "identity is checked again with a one-time code sent to your mobile."
                )
                % {"parties": ", ".join(online)}
            )
        if offline:
            lines.append(
                _(
                    "%(parties)s: you did not agree to litigate online, so you attend the "
                    "hearing in person at the court, with your identity document, at the time "
                    "above."
                )
                % {"parties": ", ".join(offline)}
            )
        lines.append(
            _(
                "Confirm your attendance on the platform, or apply there with reasons to move "
                "the hearing. This summons is served at least 3 days before the hearing "
                "(CPL Art. 139)."
            )
        )
        return SummonsText(title=_("Summons"), body="\n\n".join(lines))


def _render(case: Case, text: SummonsText, judge: User, clerk: User) -> bytes:
    """The signed summons PDF. Without the court's seal the judge gets a clear refusal (not a
    500); the configuration problem is logged for the administrator."""
    from ecourt.documents.render import render_document_pdf

    try:
        return render_document_pdf(
            case=case,
            kind=DocumentKind.SUMMONS,
            title=text.title,
            body=text.body,
            language=settings.LANGUAGE_CODE,
            judge=judge,
            clerk=clerk,
        )
    except SealUnavailable as exc:
        logger.error("Summons for case %s not signed: %s", case.pk, exc, exc_info=exc)
        raise DomainError(
            _(
                "The court's seal is not configured, so the summons cannot be signed. Ask the "
                "court administrator."
            ),
            code="seal_unavailable",
        ) from exc


def _case_parties(case: Case) -> list[Party]:
    return list(case.parties.select_related("user").order_by("side", "position", "pk"))


#: A summons text and the signed PDF rendered from it before the lock.
_PreparedSummons = tuple[SummonsText, bytes]


def _summons_prepare(
    *,
    case: Case,
    judge: User,
    clerk: User,
    room: Courtroom,
    starts_at: datetime,
    ends_at: datetime,
) -> _PreparedSummons:
    """The summons of a hearing to be set and its signed PDF, made before the transaction:
    rendering is slow and needs no lock. ``_summons_issue`` checks it still holds."""
    text = summons_text(
        case=case,
        parties=_case_parties(case),
        judge=judge,
        clerk=clerk,
        room=room,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    return text, _render(case, text, judge, clerk)


def _summons_issue(
    *,
    actor: User,
    case: Case,
    hearing: Hearing,
    parties: list[Party],
    prepared: _PreparedSummons,
) -> CourtDocument:
    """Issue (and serve on every party) the summons of ``hearing`` as it now stands, under the
    lock. The PDF ``prepared`` before the lock is used only when its text still matches (a
    party may have joined meanwhile, say); else the summons is rendered again."""
    text = summons_text(
        case=case,
        parties=parties,
        judge=hearing.judge,
        clerk=hearing.clerk,
        room=hearing.courtroom,
        starts_at=hearing.starts_at,
        ends_at=hearing.ends_at,
    )
    rendered, pdf = prepared
    if rendered != text:
        pdf = _render(case, text, hearing.judge, hearing.clerk)
    document = document_issue(
        actor=actor,
        case_id=case.pk,
        kind=DocumentKind.SUMMONS,
        title=text.title,
        body=text.body,
        check_staff=False,
        pdf=pdf,
    )
    hearing.summons = document
    hearing.save(update_fields=["summons"])
    return document


# --- Scheduling --------------------------------------------------------------------------------


def _add_participants(hearing: Hearing, parties: list[Party]) -> None:
    seen: set[int] = set()

    def add(role: str, name: str, user: User | None, party: Party | None, offline: bool) -> None:
        if user is not None and user.pk in seen:
            user = None  # one row per account: a person acting twice is listed once with it
        if user is not None:
            seen.add(user.pk)
        HearingParticipant.objects.create(
            hearing=hearing, role=role, name=name, user=user, party=party, offline=offline
        )

    add(ParticipantRole.JUDGE, hearing.judge.display_name, hearing.judge, None, False)
    add(ParticipantRole.CLERK, hearing.clerk.display_name, hearing.clerk, None, False)
    for party in parties:
        offline = party.online_litigation is False
        add(ParticipantRole.PARTY, party.name, party.user, party, offline)
    for agent in Agent.objects.filter(party__in=parties).select_related("user", "party"):
        if agent.user_id in seen:
            continue
        offline = agent.party.online_litigation is False
        add(ParticipantRole.AGENT, agent.user.display_name, agent.user, agent.party, offline)


def _warnings(starts_at: datetime) -> list[str]:
    return rules.calendar_warnings(timezone.localtime(starts_at), court_calendar())


def _notify_parties(case: Case, text: Promise, purpose: str, **params: object) -> None:
    users = {p.user for p in case.parties.select_related("user") if p.user is not None}
    users |= {a.user for a in Agent.objects.filter(party__case=case).select_related("user")}
    for user in sorted(users, key=lambda u: u.pk):
        notify(user, text, purpose, **params)


def _announce(
    case: Case, hearing: Hearing, text: Promise, purpose: str, *, clerk_text: Promise | None = None
) -> None:
    """Tell the hearing's clerk (``clerk_text`` when they are told something else) and every
    party and agent about ``hearing``; the texts get the case number and the start."""
    params = {"number": case.number, "start": court_time(hearing.starts_at)}
    notify(hearing.clerk, clerk_text if clerk_text is not None else text, purpose, **params)
    _notify_parties(case, text, purpose, **params)


def hearing_schedule(
    *,
    actor: User,
    case_id: int,
    starts_at: datetime,
    minutes: int,
    courtroom_id: int,
    clerk_id: int,
) -> Hearing:
    """The case's judge schedules a hearing over ``[starts_at, starts_at + minutes)``.

    Refused: a start in the past or with less than the statutory notice (CPL Art. 139), a
    double booking of the judge, clerk, courtroom or an agent of a party. Warned (stored in
    ``Hearing.warnings``): a weekend or holiday. Creates the participants, moves the case to
    hearing_scheduled and issues the summons (a signed PDF, served on every party). Without
    the court's seal: ``seal_unavailable``."""
    starts_at, ends_at = _check_time(starts_at, minutes)
    clerk = _clerk(clerk_id)
    if clerk.pk == actor.pk:
        raise DomainError(
            _("The clerk keeps the record: choose someone other than the judge."),
            code="clerk_invalid",
            field="clerk",
        )
    room = _courtroom(courtroom_id)
    case = Case.objects.select_related("judge").filter(pk=case_id).first()
    if case is None:
        raise DomainError(_("No such case."), code="not_found")
    require_case_judge(actor, case)
    _status_allows(case)
    prepared = _summons_prepare(
        case=case, judge=actor, clerk=clerk, room=room, starts_at=starts_at, ends_at=ends_at
    )
    with transaction.atomic():
        case = lock_case(case_id)
        require_case_judge(actor, case)
        _status_allows(case)
        check_conflicts(
            case=case, judge=actor, clerk=clerk, room=room, starts_at=starts_at, ends_at=ends_at
        )
        warnings = _warnings(starts_at)
        now = timezone.now()
        hearing = Hearing.objects.create(
            case=case,
            courtroom=room,
            judge=actor,
            clerk=clerk,
            starts_at=starts_at,
            ends_at=ends_at,
            room=secrets.token_urlsafe(24),
            warnings=warnings,
            scheduled_by=actor,
            scheduled_at=now,
        )
        parties = _case_parties(case)
        _add_participants(hearing, parties)
        if case.status != C.HEARING_SCHEDULED:
            guard_case_move(case, C.HEARING_SCHEDULED)
            old = case.status
            case.status = C.HEARING_SCHEDULED
            case.save(update_fields=["status"])
            audit_record(
                code="ecourt.cases.hearing_scheduled",
                actor=actor,
                target=case,
                old={"status": old},
                new={"status": case.status},
            )
        docket_add(
            case=case,
            code="hearings.scheduled",
            actor=actor,
            text=gettext_lazy("Hearing scheduled for %(start)s (%(minutes)s minutes) in %(room)s."),
            params={"start": court_time(starts_at), "minutes": minutes, "room": room.name},
        )
        _summons_issue(actor=actor, case=case, hearing=hearing, parties=parties, prepared=prepared)
        audit_record(
            code="ecourt.hearings.scheduled",
            actor=actor,
            target=hearing,
            new={
                "case": case.pk,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "courtroom": room.pk,
                "clerk": clerk.pk,
                "warnings": warnings,
            },
        )
        _announce(
            case,
            hearing,
            gettext_lazy("Hearing in case %(number)s on %(start)s: the summons is in your inbox."),
            "hearing.scheduled",
            clerk_text=gettext_lazy(
                "You keep the record of a hearing in case %(number)s on %(start)s."
            ),
        )
    return hearing


def _judge_hearing(actor: User, hearing_id: int) -> tuple[Case, Hearing]:
    case, hearing = lock_hearing(hearing_id)
    require_case_judge(actor, case)
    return case, hearing


def _status_after_cancel(case: Case) -> str:
    """Where a case goes when its last hearing to come is cancelled: it stays
    hearing_scheduled while an asynchronous trial is open; it is heard when a hearing was
    already held or an asynchronous trial closed; else back to evidence exchange."""
    trials = AsyncTrial.objects.filter(case=case)
    if trials.filter(status=AsyncTrialStatus.OPEN).exists():
        return C.HEARING_SCHEDULED
    held = Hearing.objects.filter(case=case, status=HearingStatus.ENDED).exists()
    if held or trials.filter(status=AsyncTrialStatus.CLOSED).exists():
        return C.HEARD
    return C.EVIDENCE_EXCHANGE


def hearing_cancel(*, actor: User, hearing_id: int, reason: str) -> Hearing:
    """The judge cancels a scheduled hearing, with a reason told to the parties. Pending
    requests to reschedule it are refused. A case left with no hearing to come goes where
    its trial stands (``_status_after_cancel``)."""
    reason = clean_text(reason, field="reason", max_length=500, required=False)
    if len(reason) < 5:
        raise DomainError(
            _("Say why the hearing is cancelled."), code="reason_missing", field="reason"
        )
    with transaction.atomic():
        case, hearing = _judge_hearing(actor, hearing_id)
        if hearing.status != HearingStatus.SCHEDULED:
            raise DomainError(
                _("Only a hearing that has not started can be cancelled."),
                code="hearing_not_scheduled",
            )
        now = timezone.now()
        hearing.status = HearingStatus.CANCELLED
        hearing.cancelled_reason = reason
        hearing.save(update_fields=["status", "cancelled_reason"])
        hearing.reschedules.filter(status=RescheduleStatus.PENDING).update(
            status=RescheduleStatus.REFUSED,
            decided_by=actor,
            decided_at=now,
            decision_note=_("The hearing was cancelled."),
        )
        docket_add(
            case=case,
            code="hearings.cancelled",
            actor=actor,
            text=gettext_lazy("Hearing of %(start)s cancelled: %(reason)s"),
            params={"start": court_time(hearing.starts_at), "reason": reason},
        )
        others = Hearing.objects.filter(case=case, status__in=BUSY_STATUSES).exists()
        if case.status == C.HEARING_SCHEDULED and not others:
            target = _status_after_cancel(case)
            if target != case.status:
                guard_case_move(case, target)
                case.status = target
                case.save(update_fields=["status"])
                if target == C.HEARD:
                    docket_add(
                        case=case,
                        code="cases.heard",
                        actor=actor,
                        text=gettext_lazy("The case has been heard."),
                    )
                audit_record(
                    code="ecourt.cases.status",
                    actor=actor,
                    target=case,
                    old={"status": C.HEARING_SCHEDULED},
                    new={"status": case.status},
                )
        audit_record(
            code="ecourt.hearings.cancelled",
            actor=actor,
            target=hearing,
            old={"status": HearingStatus.SCHEDULED},
            new={"status": hearing.status, "reason": reason},
        )
        _announce(
            case,
            hearing,
            gettext_lazy("The hearing in case %(number)s on %(start)s is cancelled."),
            "hearing.cancelled",
        )
    return hearing


# --- Parties: attendance and rescheduling -----------------------------------------------------


def _acting_party(actor: User, case: Case, party_id: int | None) -> Party:
    parties = parties_for(actor, case)
    if party_id is not None:
        parties = [p for p in parties if p.pk == party_id]
    if not parties:
        raise PermissionDenied(
            _("Only a party to this case or its agent may do this."), code="not_party"
        )
    return parties[0]


def attendance_confirm(*, actor: User, hearing_id: int) -> list[HearingParticipant]:
    """A party or its agent confirms it will attend: its own participant row and the rows of
    the parties it acts for. Confirming twice changes nothing."""
    with transaction.atomic():
        case, hearing = lock_hearing(hearing_id)
        parties = parties_for(actor, case)
        if not parties:
            raise PermissionDenied(
                _("Only a party to this case or its agent may do this."), code="not_party"
            )
        if hearing.status != HearingStatus.SCHEDULED:
            raise DomainError(
                _("This hearing is no longer waiting for confirmations."),
                code="hearing_not_scheduled",
            )
        rows = list(
            hearing.participants.select_for_update().filter(
                Q(user=actor, role__in=(ParticipantRole.PARTY, ParticipantRole.AGENT))
                | Q(role=ParticipantRole.PARTY, party__in=parties)
            )
        )
        pending = [row for row in rows if row.confirmed_at is None]
        if not pending:
            return rows
        now = timezone.now()
        for row in pending:
            row.confirmed_at = now
            row.save(update_fields=["confirmed_at"])
        audit_record(
            code="ecourt.hearings.attendance_confirmed",
            actor=actor,
            target=hearing,
            new={"participants": [row.pk for row in pending]},
        )
        docket_add(
            case=case,
            code="hearings.attendance_confirmed",
            actor=actor,
            party=parties[0],
            text=gettext_lazy("%(names)s confirmed attendance at the hearing of %(start)s."),
            params={
                "names": ", ".join(row.name for row in pending),
                "start": court_time(hearing.starts_at),
            },
        )
    return rows


def reschedule_request(
    *, actor: User, hearing_id: int, reasons: str, party_id: int | None = None
) -> RescheduleRequest:
    """A party (or its agent) asks the judge, with reasons, to move a hearing that has not
    started. One pending request per party."""
    reasons = clean_text(reasons, field="reasons", max_length=5000, required=False, multiline=True)
    if len(reasons) < 10:
        raise DomainError(
            _("Give your reasons (at least 10 characters)."),
            code="reasons_missing",
            field="reasons",
        )
    with transaction.atomic():
        case, hearing = lock_hearing(hearing_id)
        party = _acting_party(actor, case, party_id)
        if hearing.status != HearingStatus.SCHEDULED or hearing.starts_at <= timezone.now():
            raise DomainError(
                _("A hearing that has started can no longer be moved."), code="hearing_started"
            )
        if hearing.reschedules.filter(party=party, status=RescheduleStatus.PENDING).exists():
            raise DomainError(
                _("%(party)s already asked to move this hearing; wait for the judge's decision.")
                % {"party": party.name},
                code="reschedule_pending",
                field="reasons",
            )
        request = RescheduleRequest.objects.create(
            hearing=hearing,
            party=party,
            requested_by=actor,
            requested_at=timezone.now(),
            reasons=reasons,
        )
        docket_add(
            case=case,
            code="hearings.reschedule_requested",
            actor=actor,
            party=party,
            document_text=reasons,
            text=gettext_lazy("%(party)s applied to move the hearing of %(start)s."),
            params={"party": party.name, "start": court_time(hearing.starts_at)},
        )
        audit_record(
            code="ecourt.hearings.reschedule.requested",
            actor=actor,
            target=hearing,
            new={"request": request.pk, "party": party.pk},
        )
        notify(
            hearing.judge,
            gettext_lazy("A party in case %(number)s asks to move the hearing of %(start)s."),
            "hearing.reschedule",
            number=case.number,
            start=court_time(hearing.starts_at),
        )
    return request


def reschedule_decide(
    *,
    actor: User,
    request_id: int,
    grant: bool,
    note: str = "",
    starts_at: datetime | None = None,
    minutes: int | None = None,
) -> RescheduleRequest:
    """The judge grants a request to reschedule (moving the hearing to ``starts_at``, every
    conflict checked again, confirmations reset, a new summons issued) or refuses it (with a
    note that the party sees)."""
    note = clean_text(note, field="note", max_length=500, required=False)
    hearing_id = (
        RescheduleRequest.objects.filter(pk=request_id).values_list("hearing_id", flat=True).first()
    )
    if hearing_id is None:
        raise DomainError(_("No such request."), code="not_found")
    if not grant and len(note) < 5:
        raise DomainError(_("Say why the request is refused."), code="note_missing", field="note")
    prepared: _PreparedSummons | None = None
    if grant:
        if starts_at is None:
            raise DomainError(
                _("Choose the new time of the hearing."), code="start_missing", field="starts_at"
            )
        hearing = Hearing.objects.select_related("case", "judge", "clerk", "courtroom").get(
            pk=hearing_id
        )
        require_case_judge(actor, hearing.case)
        length = minutes if minutes is not None else hearing.minutes
        starts_at, ends_at = _check_time(starts_at, length)
        prepared = _summons_prepare(
            case=hearing.case,
            judge=hearing.judge,
            clerk=hearing.clerk,
            room=hearing.courtroom,
            starts_at=starts_at,
            ends_at=ends_at,
        )
    with transaction.atomic():
        case, hearing = _judge_hearing(actor, hearing_id)
        request = RescheduleRequest.objects.select_for_update().get(pk=request_id)
        if request.status != RescheduleStatus.PENDING:
            raise DomainError(_("This request was already decided."), code="already_decided")
        now = timezone.now()
        request.decided_by = actor
        request.decided_at = now
        request.decision_note = note
        request.old_starts_at = hearing.starts_at
        decided = ["status", "decided_by", "decided_at", "decision_note", "old_starts_at"]
        if not grant:
            request.status = RescheduleStatus.REFUSED
            request.save(update_fields=decided)
            docket_add(
                case=case,
                code="hearings.reschedule_refused",
                actor=actor,
                party=request.party,
                text=gettext_lazy(
                    "Application by %(party)s to move the hearing of %(start)s refused: %(note)s"
                ),
                params={
                    "party": request.party.name,
                    "start": court_time(hearing.starts_at),
                    "note": note,
                },
            )
            audit_record(
                code="ecourt.hearings.reschedule.refused",
                actor=actor,
                target=hearing,
                new={"request": request.pk, "note": note},
            )
            _notify_parties(
                case,
                gettext_lazy("The hearing in case %(number)s stays on %(start)s."),
                "hearing.reschedule",
                number=case.number,
                start=court_time(hearing.starts_at),
            )
            return request
        assert starts_at is not None and prepared is not None
        if hearing.status != HearingStatus.SCHEDULED:
            raise DomainError(
                _("A hearing that has started can no longer be moved."), code="hearing_started"
            )
        length = minutes if minutes is not None else hearing.minutes
        starts_at, ends_at = _check_time(starts_at, length)
        check_conflicts(
            case=case,
            judge=hearing.judge,
            clerk=hearing.clerk,
            room=hearing.courtroom,
            starts_at=starts_at,
            ends_at=ends_at,
            exclude_id=hearing.pk,
        )
        old_start, old_end = hearing.starts_at, hearing.ends_at
        hearing.starts_at, hearing.ends_at = starts_at, ends_at
        hearing.warnings = _warnings(starts_at)
        hearing.save(update_fields=["starts_at", "ends_at", "warnings"])
        hearing.participants.update(confirmed_at=None)
        request.status = RescheduleStatus.GRANTED
        request.new_starts_at = starts_at
        request.save(update_fields=[*decided, "new_starts_at"])
        docket_add(
            case=case,
            code="hearings.rescheduled",
            actor=actor,
            party=request.party,
            text=gettext_lazy(
                "On the application of %(party)s, the hearing of %(old)s is moved to %(new)s."
            ),
            params={
                "party": request.party.name,
                "old": court_time(old_start),
                "new": court_time(starts_at),
            },
        )
        _summons_issue(
            actor=actor,
            case=case,
            hearing=hearing,
            parties=_case_parties(case),
            prepared=prepared,
        )
        audit_record(
            code="ecourt.hearings.reschedule.granted",
            actor=actor,
            target=hearing,
            old={"starts_at": old_start, "ends_at": old_end},
            new={"request": request.pk, "starts_at": starts_at, "ends_at": ends_at},
        )
        _announce(
            case,
            hearing,
            gettext_lazy("The hearing in case %(number)s is moved to %(start)s."),
            "hearing.reschedule",
        )
    return request


# --- Judge assignment --------------------------------------------------------------------------


def case_judge_assign(*, actor: User, case_id: int, judge_id: int | None = None) -> Case:
    """A division head assigns the case's judge, or with ``judge_id`` None lets the system
    pick the judge with the fewest open cases (``cases.selectors.judges_by_load``). Not once
    the case is decided. Hearings still to come move to the new judge (conflicts checked)."""
    from ecourt.cases.selectors import judges_by_load

    if not actor.has_role(Role.DIVISION_HEAD):
        raise PermissionDenied(
            _("Only a division head may assign the judge."), code="not_division_head"
        )
    with transaction.atomic():
        case = lock_case(case_id)
        if case.status in DECIDED_STATUSES:
            raise DomainError(_("The judge of a decided case cannot change."), code="case_decided")
        if judge_id is None:
            candidates = [j for j in judges_by_load() if j.pk != case.judge_id]
            if not candidates:
                raise DomainError(
                    _("No other active judge can take the case."), code="no_judge", field="judge"
                )
            judge = candidates[0]
            how = "load"
        else:
            found = User.objects.filter(pk=judge_id, is_active=True).first()
            if found is None or not found.has_role(Role.JUDGE):
                raise DomainError(_("Choose an active judge."), code="judge_invalid", field="judge")
            judge = found
            how = "division_head"
        if case.judge_id == judge.pk:
            return case
        old_judge = case.judge
        for hearing in Hearing.objects.select_for_update().filter(
            case=case, status__in=BUSY_STATUSES
        ):
            check_conflicts(
                case=case,
                judge=judge,
                clerk=hearing.clerk,
                room=hearing.courtroom,
                starts_at=hearing.starts_at,
                ends_at=hearing.ends_at,
                exclude_id=hearing.pk,
            )
            hearing.judge = judge
            hearing.save(update_fields=["judge"])
            hearing.participants.filter(role=ParticipantRole.JUDGE).update(
                user=judge, name=judge.display_name
            )
        case.judge = judge
        case.save(update_fields=["judge"])
        docket_add(
            case=case,
            code="cases.judge_assigned",
            actor=actor,
            text=gettext_lazy("Judge %(judge)s assigned to the case."),
            params={"judge": judge.display_name},
        )
        audit_record(
            code="ecourt.cases.judge_assigned",
            actor=actor,
            target=case,
            old={"judge": old_judge.pk if old_judge else None},
            new={"judge": judge.pk, "how": how},
        )
        notify(
            judge,
            gettext_lazy("You are the judge of case %(number)s."),
            "case.judge_assigned",
            number=case.number,
        )
    return case


# --- A closed case ------------------------------------------------------------------------------


def case_trial_stop(case: Case, *, actor: User, mode: str) -> None:
    """A case closed (``cases.services.case_close``: withdrawal, mediation, dismissal,
    transfer, a decision in effect) is tried no more: its hearings still to come or under way
    are cancelled, which frees the judge, clerk, courtroom and agents and keeps anyone from
    starting them, and an open asynchronous trial closes with its open rounds. The caller
    holds the case row lock."""
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Case closed: %(mode)s.") % {"mode": ClosingMode(mode).label}
    for hearing in Hearing.objects.select_for_update().filter(case=case, status__in=BUSY_STATUSES):
        old = hearing.status
        hearing.status = HearingStatus.CANCELLED
        hearing.cancelled_reason = reason
        hearing.save(update_fields=["status", "cancelled_reason"])
        hearing.reschedules.filter(status=RescheduleStatus.PENDING).update(
            status=RescheduleStatus.REFUSED, decided_by=actor, decided_at=now, decision_note=reason
        )
        docket_add(
            case=case,
            code="hearings.cancelled",
            actor=actor,
            text=gettext_lazy("Hearing of %(start)s cancelled: %(reason)s"),
            params={"start": court_time(hearing.starts_at), "reason": reason},
        )
        audit_record(
            code="ecourt.hearings.cancelled",
            actor=actor,
            target=hearing,
            old={"status": old},
            new={"status": hearing.status, "reason": reason},
        )
        notify(
            hearing.clerk,
            gettext_lazy("The hearing in case %(number)s on %(start)s is cancelled."),
            "hearing.cancelled",
            number=case.number,
            start=court_time(hearing.starts_at),
        )
    for trial in AsyncTrial.objects.select_for_update().filter(
        case=case, status=AsyncTrialStatus.OPEN
    ):
        rounds_closed = trial.rounds.filter(closed_at__isnull=True).update(closed_at=now)
        trial.status = AsyncTrialStatus.CLOSED
        trial.closed_at = now
        trial.save(update_fields=["status", "closed_at"])
        docket_add(
            case=case,
            code="hearings.async_closed",
            actor=actor,
            text=gettext_lazy("Asynchronous trial closed after %(rounds)s round(s)."),
            params={"rounds": trial.rounds.count()},
        )
        audit_record(
            code="ecourt.hearings.async_trial.closed",
            actor=actor,
            target=trial,
            old={"status": AsyncTrialStatus.OPEN},
            new={"status": trial.status, "reason": reason, "rounds_closed": rounds_closed},
        )
