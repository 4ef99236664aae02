"""The mediation room: messages (joint or caucus), online sessions, proposals and answers.

Everything here is inserted once and never edited: a correction is a new message that points
to the one it corrects. Caucus messages and sessions involve the mediator and one party only.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases.models import Party
from ecourt.cases.services._common import notify
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.text import clean_text
from ecourt.mediation.models import (
    Mediation,
    MediationMessage,
    MediationSession,
    Proposal,
    ProposalAnswer,
    ProposalResponse,
)
from ecourt.mediation.services._common import (
    event_add,
    is_mediator_of,
    lock_mediation,
    mediation_parties,
    require_mediator,
    require_open,
    require_party,
)

MAX_MESSAGE_CHARS = 10_000
MAX_TERMS_CHARS = 20_000
MIN_SESSION_MINUTES, MAX_SESSION_MINUTES = 15, 480


def meeting_url(room: str) -> str:
    """The link to a session's video room, from the court's provider template."""
    return settings.ECOURT_MEETING_URL_TEMPLATE.replace("{room}", room)


def _thread(mediation: Mediation, thread_party_id: int | None) -> Party | None:
    if thread_party_id is None:
        return None
    party = next((p for p in mediation_parties(mediation) if p.pk == thread_party_id), None)
    if party is None:
        raise DomainError(
            _("Choose a party of this mediation."), code="party_invalid", field="thread"
        )
    return party


def message_post(
    *,
    actor: User,
    mediation_id: int,
    body: str,
    thread_party_id: int | None = None,
    as_party_id: int | None = None,
    corrects_id: int | None = None,
    attachment: str = "",
    attachment_name: str = "",
) -> MediationMessage:
    """Post a message to the joint thread (``thread_party_id`` None) or to a caucus thread.

    The mediator may write in any thread and so opens a caucus; a party writes in the joint
    thread or in its own caucus once the mediator has opened it. ``attachment`` is a storage
    name already saved by the caller (``ecourt.core.uploads.stored_upload``)."""
    body = clean_text(
        body, field="body", max_length=MAX_MESSAGE_CHARS, required=False, multiline=True
    )
    if not body:
        raise DomainError(_("Write a message."), code="body_required", field="body")
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_open(mediation)
        corrects = None
        if corrects_id is not None:
            corrects = MediationMessage.objects.filter(
                pk=corrects_id, mediation=mediation, author=actor
            ).first()
            if corrects is None:
                raise DomainError(
                    _("You can only correct your own message."),
                    code="corrects_invalid",
                    field="corrects",
                )
            # A correction stays in the thread, and for the party, of what it corrects.
            thread_party_id = corrects.thread_party_id
            as_party_id = corrects.author_party_id
        thread = _thread(mediation, thread_party_id)
        author_party: Party | None = None
        if not is_mediator_of(actor, mediation):
            mine = require_party(actor, mediation)
            if thread is not None:
                if thread.pk not in {p.pk for p in mine}:
                    # Someone else's caucus: answer as if it did not exist.
                    raise DomainError(
                        _("Choose a party of this mediation."),
                        code="party_invalid",
                        field="thread",
                    )
                if not MediationMessage.objects.filter(
                    mediation=mediation, thread_party=thread, author_party__isnull=True
                ).exists():
                    raise DomainError(
                        _("The mediator has not opened a private conversation with you."),
                        code="caucus_closed",
                        field="thread",
                    )
                author_party = thread
            elif as_party_id is not None:
                author_party = next((p for p in mine if p.pk == as_party_id), None)
                if author_party is None:
                    raise DomainError(
                        _("You do not act for that party."), code="not_party", field="as_party"
                    )
            else:
                author_party = mine[0]
        message = MediationMessage.objects.create(
            mediation=mediation,
            thread_party=thread,
            author=actor,
            author_party=author_party,
            body=body,
            attachment=attachment,
            attachment_name=attachment_name[:200],
            corrects=corrects,
            sent_at=timezone.now(),
        )
        # The content is confidential to the room; the trail records that it was sent.
        audit_record(
            code="ecourt.mediation.message.sent",
            actor=actor,
            target=mediation,
            new={"message": message.pk, "caucus": thread is not None},
        )
    return message


def session_schedule(
    *,
    actor: User,
    mediation_id: int,
    starts_at: datetime,
    duration_minutes: int,
    thread_party_id: int | None = None,
) -> MediationSession:
    """The mediator schedules an online session (joint, or private with one party)."""
    if timezone.is_naive(starts_at):
        raise DomainError(_("Give the time with its time zone."), code="naive_time")
    if starts_at <= timezone.now() + timedelta(minutes=5):
        raise DomainError(
            _("A session must start in the future."), code="start_past", field="starts_at"
        )
    if not MIN_SESSION_MINUTES <= duration_minutes <= MAX_SESSION_MINUTES:
        raise DomainError(
            _("A session lasts %(low)d to %(high)d minutes.")
            % {"low": MIN_SESSION_MINUTES, "high": MAX_SESSION_MINUTES},
            code="duration_invalid",
            field="duration",
        )
    if starts_at > timezone.now() + timedelta(days=366):
        raise DomainError(
            _("A session can be scheduled at most a year ahead."),
            code="start_too_far",
            field="starts_at",
        )
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_mediator(actor, mediation)
        require_open(mediation)
        if mediation.due_on and timezone.localdate(starts_at) > mediation.due_on:
            raise DomainError(
                _("The session would be after the mediation period ends (%(due)s).")
                % {"due": mediation.due_on.isoformat()},
                code="after_period",
                field="starts_at",
            )
        thread = _thread(mediation, thread_party_id)
        room = f"ecourt-{secrets.token_urlsafe(18).replace('_', 'x').replace('-', 'y')}"
        session = MediationSession.objects.create(
            mediation=mediation,
            thread_party=thread,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            room=room,
            meeting_url=meeting_url(room),
            scheduled_by=actor,
            scheduled_at=timezone.now(),
        )
        local = timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M")
        if thread is None:
            event_add(
                mediation=mediation,
                code="mediation.session.scheduled",
                actor=actor,
                text=gettext_lazy("Online session scheduled for %(when)s (%(minutes)s minutes)."),
                params={"when": local, "minutes": duration_minutes},
            )
        audit_record(
            code="ecourt.mediation.session.scheduled",
            actor=actor,
            target=mediation,
            new={"session": session.pk, "starts_at": starts_at, "caucus": thread is not None},
        )
        invited = [thread] if thread is not None else mediation_parties(mediation)
        for party in invited:
            for person in {party.user, *(a.user for a in party.agents.all())} - {None}:
                notify(
                    person,
                    gettext_lazy(
                        "An online mediation session for %(number)s is set for %(when)s. "
                        "The link is in the mediation room."
                    ),
                    "mediation.session",
                    number=mediation.number,
                    when=local,
                )
    return session


def session_cancel(*, actor: User, session_id: int) -> MediationSession:
    with transaction.atomic():
        session = MediationSession.objects.select_for_update().filter(pk=session_id).first()
        if session is None:
            raise DomainError(_("No such session."), code="not_found")
        mediation = lock_mediation(session.mediation_id)
        require_mediator(actor, mediation)
        if session.cancelled_at is not None:
            return session
        require_open(mediation)
        session.cancelled_at = timezone.now()
        session.save(update_fields=["cancelled_at"])
        if session.thread_party_id is None:
            event_add(
                mediation=mediation,
                code="mediation.session.cancelled",
                actor=actor,
                text=gettext_lazy("The online session of %(when)s was cancelled."),
                params={"when": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")},
            )
        audit_record(
            code="ecourt.mediation.session.cancelled",
            actor=actor,
            target=mediation,
            new={"session": session.pk},
        )
    return session


def _terms(text: str, field: str = "terms") -> str:
    terms = clean_text(
        text, field=field, max_length=MAX_TERMS_CHARS, required=False, multiline=True
    )
    if len(terms) < 10:
        raise DomainError(
            _("Write the terms (at least 10 characters)."), code="terms_required", field=field
        )
    if len(terms) > MAX_TERMS_CHARS:
        raise DomainError(
            _("The terms can be at most %(n)d characters.") % {"n": MAX_TERMS_CHARS},
            code="terms_too_long",
            field=field,
        )
    return terms


def proposal_make(*, actor: User, mediation_id: int, terms: str) -> Proposal:
    """The mediator puts settlement terms to every party."""
    terms = _terms(terms)
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_mediator(actor, mediation)
        require_open(mediation)
        last = Proposal.objects.filter(mediation=mediation).aggregate(n=Max("number"))["n"] or 0
        proposal = Proposal.objects.create(
            mediation=mediation,
            number=last + 1,
            terms=terms,
            made_by=actor,
            made_at=timezone.now(),
        )
        event_add(
            mediation=mediation,
            code="mediation.proposal",
            actor=actor,
            text=gettext_lazy("The mediator made proposal no. %(n)s."),
            params={"n": proposal.number},
        )
        audit_record(
            code="ecourt.mediation.proposal.made",
            actor=actor,
            target=mediation,
            new={"proposal": proposal.pk, "number": proposal.number},
        )
    return proposal


def proposal_respond(
    *,
    actor: User,
    proposal_id: int,
    answer: str,
    counter_terms: str = "",
    party_id: int | None = None,
) -> list[ProposalResponse]:
    """A party accepts, rejects or counters a proposal, once. Answers for every party the
    actor acts for that has not answered (or for ``party_id`` only)."""
    if answer not in ProposalAnswer.values:
        raise DomainError(
            _("Choose accept, reject or counter."), code="answer_invalid", field="answer"
        )
    counter = _terms(counter_terms, "counter_terms") if answer == ProposalAnswer.COUNTER else ""
    with transaction.atomic():
        proposal = Proposal.objects.filter(pk=proposal_id).first()
        if proposal is None:
            raise DomainError(_("No such proposal."), code="not_found")
        mediation = lock_mediation(proposal.mediation_id)
        parties = require_party(actor, mediation, party_id)
        require_open(mediation)
        answered = set(
            ProposalResponse.objects.filter(proposal=proposal).values_list("party_id", flat=True)
        )
        todo = [p for p in parties if p.pk not in answered]
        if not todo:
            raise DomainError(
                _("You have already answered this proposal."), code="already_answered"
            )
        now = timezone.now()
        responses = [
            ProposalResponse.objects.create(
                proposal=proposal,
                party=party,
                answer=answer,
                counter_terms=counter,
                answered_by=actor,
                answered_at=now,
            )
            for party in todo
        ]
        for party in todo:
            event_add(
                mediation=mediation,
                code=f"mediation.proposal.{answer}",
                actor=actor,
                text={
                    ProposalAnswer.ACCEPT: gettext_lazy("%(party)s accepted proposal no. %(n)s."),
                    ProposalAnswer.REJECT: gettext_lazy("%(party)s rejected proposal no. %(n)s."),
                    ProposalAnswer.COUNTER: gettext_lazy(
                        "%(party)s answered proposal no. %(n)s with a counter-proposal."
                    ),
                }[ProposalAnswer(answer)],
                params={"party": party.name, "n": proposal.number},
            )
        audit_record(
            code="ecourt.mediation.proposal.answered",
            actor=actor,
            target=mediation,
            new={"proposal": proposal.pk, "answer": answer, "parties": [p.pk for p in todo]},
        )
        if mediation.mediator is not None:
            notify(
                mediation.mediator.user,
                gettext_lazy("A party answered proposal no. %(n)s in %(number)s."),
                "mediation.proposal.answered",
                n=str(proposal.number),
                number=mediation.number,
            )
    return responses
