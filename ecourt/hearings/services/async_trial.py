"""Asynchronous trial (SPC Online Litigation Rules 2021, Art. 20): with every party's
consent, the judge posts questions in rounds and each party answers within the round's
window, at a time of its choosing. Closing the trial turns the whole exchange into the court
record, frozen and hashed like a hearing's record.

Writes are ``async_<thing>_<verb>(*, actor, …)``; each locks the case row first, then the
trial (``common.lock_async_trial``), records a docket entry and an audit event, and sends
notices (which are queued on commit by ``notify``).

Who sees which answer (``rounds_for_viewer``): a party sees its own answers at once, and the
other parties' answers of a round only once that round's window has ended (its due time has
passed or the judge closed it). A party thus cannot copy the other side within a round, yet
can reply to it in the next round, as courts running asynchronous trial do. An answer given
late (after the due time) may have been written after seeing the others; it is marked late
in the record and on the pages so the judge weighs it accordingly. Court staff who see the
case see every answer at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from ecourt.accounts.models import User
from ecourt.cases.models import Case, CaseStatus, Party
from ecourt.cases.services._common import docket_add, guard_case_move, lock_case, notify
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.text import clean_text
from ecourt.hearings.models import (
    BUSY_STATUSES,
    AsyncAnswer,
    AsyncConsent,
    AsyncRound,
    AsyncTrial,
    AsyncTrialStatus,
    CourtRecord,
    Hearing,
)
from ecourt.hearings.services.common import (
    is_case_judge,
    lock_async_trial,
    parties_for,
    require_case_judge,
    require_case_open,
)
from ecourt.hearings.services.records import record_freeze

C = CaseStatus

#: The answer window of a round, in hours: at least a day, at most two weeks.
MIN_WINDOW_HOURS = 24
MAX_WINDOW_HOURS = 14 * 24
MAX_QUESTIONS_LENGTH = 20_000
MAX_ANSWER_LENGTH = 50_000

#: Case statuses in which the judge may open an asynchronous trial.
OPEN_FROM = (C.EVIDENCE_EXCHANGE, C.HEARING_SCHEDULED, C.HEARD)

TIME_FORMAT = "%Y-%m-%d %H:%M"


def court_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime(TIME_FORMAT)


def _names(parties: list[Party]) -> str:
    # The list separator is the language's own (“、” in Chinese).
    return pgettext("list separator", ", ").join(p.name for p in parties)


def _window(window_hours: int) -> timedelta:
    if not isinstance(window_hours, int) or not (
        MIN_WINDOW_HOURS <= window_hours <= MAX_WINDOW_HOURS
    ):
        raise DomainError(
            _("The answer window must be between %(min)d hours and %(max)d hours (14 days).")
            % {"min": MIN_WINDOW_HOURS, "max": MAX_WINDOW_HOURS},
            code="window_out_of_range",
            field="window_hours",
        )
    return timedelta(hours=window_hours)


def _questions(questions: str) -> str:
    return clean_text(questions, field="questions", max_length=MAX_QUESTIONS_LENGTH, multiline=True)


def _acting_party(actor: User, case: Case, party_id: int) -> Party:
    """The party ``party_id`` of ``case``, if ``actor`` is it or its agent."""
    party = next((p for p in parties_for(actor, case) if p.pk == party_id), None)
    if party is None:
        raise PermissionDenied(_("You do not act for this party."), code="not_your_party")
    return party


def _recipients(case: Case) -> list[User]:
    """Every party's linked account and every agent, once each."""
    seen: dict[int, User] = {}
    for party in case.parties.select_related("user").prefetch_related("agents__user"):
        for user in [party.user, *(agent.user for agent in party.agents.all())]:
            if user is not None:
                seen.setdefault(user.pk, user)
    return list(seen.values())


def _lock_round(round_id: int) -> tuple[Case, AsyncTrial, AsyncRound]:
    trial_id = AsyncRound.objects.filter(pk=round_id).values_list("trial_id", flat=True).first()
    if trial_id is None:
        raise DomainError(_("No such round."), code="not_found")
    case, trial = lock_async_trial(trial_id)
    return case, trial, AsyncRound.objects.select_for_update().get(pk=round_id)


def _require_open(trial: AsyncTrial) -> None:
    if trial.status != AsyncTrialStatus.OPEN:
        raise DomainError(_("This asynchronous trial is closed."), code="async_trial_closed")


# --- Consent ------------------------------------------------------------------------------------


def async_consent_record(
    *, actor: User, case_id: int, party_id: int, consent: bool
) -> AsyncConsent:
    """A party (its linked account or an agent) consents to asynchronous trial in the case, or
    refuses it. One answer per party, which it may change until a trial opens."""
    with transaction.atomic():
        case = lock_case(case_id)
        party = _acting_party(actor, case, party_id)
        if AsyncTrial.objects.filter(case=case, status=AsyncTrialStatus.OPEN).exists():
            raise DomainError(
                _("An asynchronous trial is under way; the answer can no longer change."),
                code="async_trial_open",
            )
        current = AsyncConsent.objects.filter(case=case, party=party).first()
        old = None if current is None else current.consent
        if current is not None and current.consent == consent:
            return current
        now = timezone.now()
        if current is None:
            current = AsyncConsent.objects.create(
                case=case, party=party, consent=consent, recorded_by=actor, recorded_at=now
            )
        else:
            current.consent = consent
            current.recorded_by = actor
            current.recorded_at = now
            current.save(update_fields=["consent", "recorded_by", "recorded_at"])
        docket_add(
            case=case,
            code="hearings.async_consent",
            actor=actor,
            party=party,
            text=gettext_lazy("%(party)s consented to asynchronous trial.")
            if consent
            else gettext_lazy("%(party)s refused asynchronous trial."),
            params={"party": party.name},
        )
        audit_record(
            code="ecourt.hearings.async_consent.recorded",
            actor=actor,
            target=case,
            old={"party": party.pk, "consent": old},
            new={"party": party.pk, "consent": consent},
        )
    return current


# --- Opening and rounds -------------------------------------------------------------------------


def _check_consents(case: Case) -> None:
    parties = list(case.parties.order_by("side", "position", "pk"))
    answers = {row.party_id: row.consent for row in AsyncConsent.objects.filter(case=case)}
    offline = [p for p in parties if p.online_litigation is False]
    if offline:
        raise DomainError(
            _(
                "Asynchronous trial is online only, and these parties refused online "
                "litigation: %(parties)s"
            )
            % {"parties": _names(offline)},
            code="online_litigation_refused",
        )
    refused = [p for p in parties if answers.get(p.pk) is False]
    if refused:
        raise DomainError(
            _("These parties refused asynchronous trial: %(parties)s")
            % {"parties": _names(refused)},
            code="async_consent_refused",
        )
    missing = [p for p in parties if p.pk not in answers]
    if missing:
        raise DomainError(
            _(
                "These parties have not answered whether they consent to asynchronous trial: "
                "%(parties)s"
            )
            % {"parties": _names(missing)},
            code="async_consent_missing",
        )


def _round_create(
    *, trial: AsyncTrial, number: int, questions: str, window: timedelta
) -> AsyncRound:
    now = timezone.now()
    return AsyncRound.objects.create(
        trial=trial, number=number, questions=questions, opened_at=now, due_at=now + window
    )


def _notify_round(case: Case, round_: AsyncRound) -> None:
    for user in _recipients(case):
        notify(
            user,
            gettext_lazy(
                "Case %(number)s: the judge asked questions in round %(round)s of the "
                "asynchronous trial. Answer by %(due)s."
            ),
            "hearings.async_round",
            number=case.number,
            round=round_.number,
            due=court_time(round_.due_at),
        )


def async_trial_open(*, actor: User, case_id: int, questions: str, window_hours: int) -> AsyncTrial:
    """The case's judge opens an asynchronous trial with its first round of questions. Every
    party must have consented (and none refused online litigation); the case must be in
    evidence exchange, with a hearing scheduled, or heard. A case in evidence exchange or
    heard goes (back) to hearing_scheduled: it is being tried, so no judgment is issued
    until the trial closes (which hears it again)."""
    questions = _questions(questions)
    window = _window(window_hours)
    with transaction.atomic():
        case = lock_case(case_id)
        require_case_judge(actor, case)
        if case.status not in OPEN_FROM:
            raise DomainError(
                _("An asynchronous trial cannot be opened while the case is “%(status)s”.")
                % {"status": case.get_status_display()},
                code="illegal_transition",
            )
        _check_consents(case)
        now = timezone.now()
        try:
            with transaction.atomic():
                trial = AsyncTrial.objects.create(case=case, judge=actor, opened_at=now)
        except IntegrityError:
            raise DomainError(
                _("An asynchronous trial is already under way in this case."),
                code="async_trial_open",
            ) from None
        round_ = _round_create(trial=trial, number=1, questions=questions, window=window)
        old_status = case.status
        if case.status in (C.EVIDENCE_EXCHANGE, C.HEARD):
            guard_case_move(case, C.HEARING_SCHEDULED)
            case.status = C.HEARING_SCHEDULED
            case.save(update_fields=["status"])
        docket_add(
            case=case,
            code="hearings.async_opened",
            actor=actor,
            text=gettext_lazy(
                "Asynchronous trial opened; round 1 questions posted, answers due by %(due)s."
            ),
            params={"due": court_time(round_.due_at)},
            document_text=questions,
        )
        audit_record(
            code="ecourt.hearings.async_trial.opened",
            actor=actor,
            target=trial,
            old={"case_status": old_status},
            new={
                "case": case.pk,
                "case_status": case.status,
                "round": 1,
                "due_at": round_.due_at,
            },
        )
        _notify_round(case, round_)
    return trial


def _close_round(round_: AsyncRound, *, actor: User, now: datetime) -> None:
    round_.closed_at = now
    round_.save(update_fields=["closed_at"])
    audit_record(
        code="ecourt.hearings.async_round.closed",
        actor=actor,
        target=round_,
        old={"closed_at": None},
        new={"closed_at": now, "trial": round_.trial_id, "number": round_.number},
    )


def async_round_add(*, actor: User, trial_id: int, questions: str, window_hours: int) -> AsyncRound:
    """The judge posts the next round of questions; the current round closes if still open."""
    questions = _questions(questions)
    window = _window(window_hours)
    with transaction.atomic():
        case, trial = lock_async_trial(trial_id)
        require_case_judge(actor, case)
        require_case_open(case)
        _require_open(trial)
        now = timezone.now()
        last = trial.rounds.select_for_update().order_by("-number").first()
        if last is not None and last.closed_at is None:
            _close_round(last, actor=actor, now=now)
        number = (last.number if last is not None else 0) + 1
        round_ = _round_create(trial=trial, number=number, questions=questions, window=window)
        docket_add(
            case=case,
            code="hearings.async_round",
            actor=actor,
            text=gettext_lazy(
                "Asynchronous trial: round %(round)s questions posted, answers due by %(due)s."
            ),
            params={"round": number, "due": court_time(round_.due_at)},
            document_text=questions,
        )
        audit_record(
            code="ecourt.hearings.async_round.added",
            actor=actor,
            target=round_,
            new={"trial": trial.pk, "number": number, "due_at": round_.due_at},
        )
        _notify_round(case, round_)
    return round_


def async_round_close(*, actor: User, round_id: int) -> AsyncRound:
    """The judge closes a round: no more answers, and every party sees the others'."""
    with transaction.atomic():
        case, trial, round_ = _lock_round(round_id)
        require_case_judge(actor, case)
        _require_open(trial)
        if round_.closed_at is not None:
            raise DomainError(_("This round is already closed."), code="round_closed")
        _close_round(round_, actor=actor, now=timezone.now())
        docket_add(
            case=case,
            code="hearings.async_round_closed",
            actor=actor,
            text=gettext_lazy("Asynchronous trial: round %(round)s closed."),
            params={"round": round_.number},
        )
    return round_


# --- Answers ------------------------------------------------------------------------------------


def async_answer_submit(*, actor: User, round_id: int, party_id: int, text: str) -> AsyncAnswer:
    """A party (or its agent) answers a round's questions, once. After the due time the answer
    is still accepted, marked late; once the round or the trial is closed it is refused."""
    text = clean_text(text, field="text", max_length=MAX_ANSWER_LENGTH, multiline=True)
    with transaction.atomic():
        case, trial, round_ = _lock_round(round_id)
        party = _acting_party(actor, case, party_id)
        require_case_open(case)
        _require_open(trial)
        if round_.closed_at is not None:
            raise DomainError(
                _("This round is closed; answers are no longer accepted."), code="round_closed"
            )
        now = timezone.now()
        late = now > round_.due_at
        try:
            with transaction.atomic():
                answer = AsyncAnswer.objects.create(
                    round=round_, party=party, author=actor, text=text, answered_at=now, late=late
                )
        except IntegrityError:
            raise DomainError(
                _("%(party)s has already answered this round.") % {"party": party.name},
                code="already_answered",
            ) from None
        docket_add(
            case=case,
            code="hearings.async_answer",
            actor=actor,
            party=party,
            text=gettext_lazy(
                "%(party)s answered round %(round)s of the asynchronous trial (late)."
            )
            if late
            else gettext_lazy("%(party)s answered round %(round)s of the asynchronous trial."),
            params={"party": party.name, "round": round_.number},
        )
        audit_record(
            code="ecourt.hearings.async_answer.submitted",
            actor=actor,
            target=answer,
            new={"round": round_.pk, "party": party.pk, "late": late, "chars": len(text)},
        )
        if case.judge is not None:
            notify(
                case.judge,
                gettext_lazy("Case %(number)s: %(party)s answered round %(round)s."),
                "hearings.async_answer",
                number=case.number,
                party=party.name,
                round=round_.number,
            )
    return answer


# --- Closing: the record ------------------------------------------------------------------------


def record_text(case: Case, trial: AsyncTrial) -> str:
    """The whole exchange as the court record, in the court's language: a header with the case
    number and the trial's dates, then per round the questions, each party's answer with its
    time (and "(late)"), and the parties that did not answer."""
    parties = list(case.parties.order_by("side", "position", "pk"))
    rounds = list(trial.rounds.prefetch_related("answers__party").order_by("number"))
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            _("Record of asynchronous trial"),
            _("Case number: %(number)s") % {"number": case.number},
            _("Case: %(title)s") % {"title": case.title},
            _("Judge: %(judge)s") % {"judge": trial.judge.display_name or trial.judge},
            _("Opened: %(opened)s") % {"opened": court_time(trial.opened_at)},
            _("Closed: %(closed)s") % {"closed": court_time(trial.closed_at or timezone.now())},
            _("Parties: %(parties)s") % {"parties": _names(parties)},
            "",
        ]
        for round_ in rounds:
            lines += [
                _("Round %(round)s") % {"round": round_.number},
                _("Questions posted %(opened)s, answers due %(due)s, closed %(closed)s:")
                % {
                    "opened": court_time(round_.opened_at),
                    "due": court_time(round_.due_at),
                    "closed": court_time(round_.closed_at) if round_.closed_at else "—",
                },
                round_.questions,
                "",
            ]
            answered = {answer.party_id for answer in round_.answers.all()}
            for answer in round_.answers.all():
                heading = _("Answer of %(party)s, %(when)s") % {
                    "party": answer.party.name,
                    "when": court_time(answer.answered_at),
                }
                if answer.late:
                    heading += " " + _("(late)")
                lines += [heading + ":", answer.text, ""]
            silent = [p for p in parties if p.pk not in answered]
            if silent:
                lines += [
                    _("Did not answer: %(parties)s") % {"parties": _names(silent)},
                    "",
                ]
    return "\n".join(lines).rstrip() + "\n"


def async_trial_close(*, actor: User, trial_id: int) -> CourtRecord:
    """The judge closes the trial: open rounds close, the exchange becomes the court record,
    which is frozen, hashed and deposited (``records.record_freeze``), and the case is heard
    when no online hearing is still scheduled."""
    with transaction.atomic():
        case, trial = lock_async_trial(trial_id)
        require_case_judge(actor, case)
        _require_open(trial)
        now = timezone.now()
        for round_ in trial.rounds.select_for_update().filter(closed_at__isnull=True):
            _close_round(round_, actor=actor, now=now)
        trial.status = AsyncTrialStatus.CLOSED
        trial.closed_at = now
        trial.save(update_fields=["status", "closed_at"])
        record = CourtRecord.objects.create(
            case=case,
            async_trial=trial,
            text=record_text(case, trial),
            version=1,
            updated_at=now,
            updated_by=actor,
        )
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
            new={"status": AsyncTrialStatus.CLOSED, "record": record.pk},
        )
        record = record_freeze(record=record, actor=actor)
        still_scheduled = Hearing.objects.filter(case=case, status__in=BUSY_STATUSES).exists()
        if case.status == C.HEARING_SCHEDULED and not still_scheduled:
            guard_case_move(case, C.HEARD)
            case.status = C.HEARD
            case.save(update_fields=["status"])
            docket_add(
                case=case,
                code="cases.heard",
                actor=actor,
                text=gettext_lazy("The case has been heard (asynchronous trial)."),
            )
            audit_record(
                code="ecourt.cases.heard",
                actor=actor,
                target=case,
                old={"status": C.HEARING_SCHEDULED},
                new={"status": C.HEARD},
            )
        for user in _recipients(case):
            notify(
                user,
                gettext_lazy(
                    "Case %(number)s: the asynchronous trial is closed; its record is on the "
                    "docket."
                ),
                "hearings.async_closed",
                number=case.number,
            )
    return record


# --- Reading ------------------------------------------------------------------------------------


@dataclass
class RoundView:
    """A round as one viewer sees it: the answers they may read, and the parties they may
    still answer for."""

    round: AsyncRound
    answers: list[AsyncAnswer]
    hidden: int
    answerable: list[Party] = field(default_factory=list)
    answered_by_me: list[AsyncAnswer] = field(default_factory=list)
    window_over: bool = False
    overdue: bool = False


def is_window_over(round_: AsyncRound, now: datetime | None = None) -> bool:
    return round_.closed_at is not None or (now or timezone.now()) >= round_.due_at


def rounds_for_viewer(user: User, trial: AsyncTrial) -> list[RoundView]:
    """The trial's rounds with the answers ``user`` may read (see the module docstring): the
    caller has already checked that ``user`` sees the case."""
    case = trial.case
    own = parties_for(user, case)
    own_ids = {p.pk for p in own}
    staff = not own_ids
    now = timezone.now()
    views = []
    open_trial = trial.status == AsyncTrialStatus.OPEN
    for round_ in trial.rounds.prefetch_related("answers__party", "answers__author").order_by(
        "number"
    ):
        answers = list(round_.answers.all())
        over = is_window_over(round_, now)
        shown = [a for a in answers if staff or over or a.party_id in own_ids]
        answered = {a.party_id for a in answers}
        views.append(
            RoundView(
                round=round_,
                answers=shown,
                hidden=len(answers) - len(shown),
                answerable=[p for p in own if p.pk not in answered]
                if open_trial and round_.closed_at is None
                else [],
                answered_by_me=[a for a in answers if a.party_id in own_ids],
                window_over=over,
                overdue=round_.closed_at is None and now > round_.due_at,
            )
        )
    return views


def consents_of(case: Case) -> list[tuple[Party, AsyncConsent | None]]:
    """Each party of the case with its recorded answer (None: not answered)."""
    rows = {row.party_id: row for row in AsyncConsent.objects.filter(case=case)}
    return [(p, rows.get(p.pk)) for p in case.parties.order_by("side", "position", "pk")]


def open_trial_of(case: Case) -> AsyncTrial | None:
    return AsyncTrial.objects.filter(case=case, status=AsyncTrialStatus.OPEN).first()


def may_open(user: User, case: Case) -> bool:
    """Whether to show the judge the form that opens a trial (the service re-checks)."""
    if not is_case_judge(user, case) or case.status not in OPEN_FROM:
        return False
    if open_trial_of(case) is not None:
        return False
    consents = consents_of(case)
    return all(
        row is not None and row.consent and party.online_litigation is not False
        for party, row in consents
    )
