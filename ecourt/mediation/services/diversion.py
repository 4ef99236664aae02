"""Diversion into pre-filing mediation and assignment of a mediator.

A matter is in filing review or in mediation, never both: diverting moves the application to
DIVERTED (out of the clerk's queue) in the same transaction that numbers the mediation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases.models import Application, ApplicationStatus, Party, PartySide
from ecourt.cases.rules.case_numbers import CaseNumber, CaseTypeCode
from ecourt.cases.services._common import (
    deadline_open,
    deadlines_close,
    guard_application_move,
    lock_application,
    notify,
    today,
)
from ecourt.cases.services.cases import (
    linkable_defendants,
    party_link_by_code,
    typed_case_number,
)
from ecourt.cases.services.filing import association_code_issue, case_number_next
from ecourt.core.audit import audit_record
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError
from ecourt.core.models import OutboundMessage
from ecourt.core.selectors import court_calendar
from ecourt.core.services import message_queue
from ecourt.core.text import clean_text
from ecourt.mediation import rules
from ecourt.mediation.models import (
    OPEN_MEDIATION_STATUSES,
    DiversionProposal,
    DiversionRoute,
    Mediation,
    MediationStatus,
    Mediator,
)
from ecourt.mediation.services._common import (
    event_add,
    guard_move,
    lock_mediation,
    require_clerk,
    require_mediator,
)

S = ApplicationStatus
M = MediationStatus
MEDIATION_DEADLINE = "mediation"
#: Shown with the deadline (the column holds 100 characters).
MEDIATION_BASIS = "SPC Provisions on Specially Invited Mediation (2016); ECOURT_MEDIATION_DAYS"
EXTENSION_BASIS = "Extended once with every party's consent (SPC Invited Mediation 2016)"


# --- Diversion ---------------------------------------------------------------------------------


def _invite_defendant(mediation: Mediation, party: Party, code: str) -> None:
    """Send the association code to the contact the plaintiff gave, in both languages (the
    defendant's own language is not known). Sensitive: the body is blanked once sent."""
    court = get_court_profile()
    body = (
        f"[{court.name_zh}] 原告已申请与您进行诉前调解（{mediation.number}），调解免费。"
        f"请登录平台，输入调解编号和关联码 {code} 参加调解。"
        f" [{court.name_en}] A claimant has asked to mediate a dispute with you before going "
        f"to court ({mediation.number}); mediation is free. Sign in and enter the mediation "
        f"number and association code {code} to take part."
    )
    for channel, to in (
        (OutboundMessage.Channel.SMS, party.mobile),
        (OutboundMessage.Channel.EMAIL, party.email),
    ):
        if to:
            message_queue(
                channel=channel,
                to=to,
                body=body,
                subject=mediation.number,
                purpose="mediation.association_code",
                sensitive=True,
            )


def mediation_divert(*, actor: User | None, application: Application, route: str) -> Mediation:
    """Divert a locked application into mediation, inside the caller's transaction: number it,
    take it out of filing review, invite the defendants and assign a mediator."""
    guard_application_move(application, S.DIVERTED)
    if Mediation.objects.filter(application=application).exists():
        raise DomainError(
            _("This application has already been through mediation."), code="already_mediated"
        )
    now, on = timezone.now(), today()
    serial = case_number_next(year=on.year, type_code=CaseTypeCode.PRE_FILING_MEDIATION.value)
    number = CaseNumber(
        on.year, get_court_profile().code, CaseTypeCode.PRE_FILING_MEDIATION, serial
    )
    mediation = Mediation.objects.create(
        application=application,
        number=str(number),
        year=on.year,
        serial=serial,
        route=route,
        language=application.created_by.preferred_language,
        diverted_at=now,
        diverted_on=on,
    )
    old = application.status
    application.status = S.DIVERTED
    application.save(update_fields=["status", "updated_at"])
    # The 7-day filing decision is not running while the matter is in mediation; it starts
    # again, from the day mediation ends, if it fails.
    deadlines_close(how="cancelled", application=application, code="filing_decision")
    event_add(
        mediation=mediation,
        code="mediation.diverted",
        actor=actor,
        text=gettext_lazy(
            "Application no. %(id)s diverted to pre-filing mediation as %(number)s (%(route)s)."
        ),
        params={
            "id": application.pk,
            "number": mediation.number,
            "route": DiversionRoute(route).label,
        },
    )
    invites = [
        (party, association_code_issue(party))
        for party in application.parties.filter(side=PartySide.DEFENDANT, user__isnull=True)
    ]
    for party, code in invites:
        _invite_defendant(mediation, party, code)
    audit_record(
        code="ecourt.mediation.diverted",
        actor=actor,
        target=mediation,
        old={"application_status": old},
        new={"application_status": S.DIVERTED, "number": mediation.number, "route": route},
    )
    notify(
        application.created_by,
        gettext_lazy(
            "Your application no. %(id)s goes to free online mediation first, as %(number)s. "
            "We will tell you when a mediator takes it on."
        ),
        "mediation.diverted",
        id=str(application.pk),
        number=mediation.number,
    )
    _assign(mediation, actor=actor)
    return mediation


def on_application_submitted(
    sender: Any, *, application: Application, actor: User, **kwargs: Any
) -> None:
    """Honour the plaintiff's ADR preference at submission (same transaction)."""
    if application.adr_preference and application.status == S.SUBMITTED:
        mediation_divert(actor=actor, application=application, route=DiversionRoute.PREFERENCE)


def diversion_propose(*, actor: User, application_id: int, note: str = "") -> DiversionProposal:
    """A filing clerk proposes mediation; nothing moves until the plaintiff consents."""
    require_clerk(actor)
    note = clean_text(note, field="note", max_length=2000, required=False, multiline=True)
    with transaction.atomic():
        application = lock_application(application_id)
        if application.status not in (S.SUBMITTED, S.UNDER_REVIEW):
            raise DomainError(
                _("Mediation can be proposed only while the application is in filing review."),
                code="illegal_transition",
            )
        if Mediation.objects.filter(application=application).exists():
            raise DomainError(
                _("This application has already been through mediation."), code="already_mediated"
            )
        if DiversionProposal.objects.filter(
            application=application, accepted__isnull=True, lapsed_at__isnull=True
        ).exists():
            raise DomainError(
                _("Mediation has already been proposed; the plaintiff has not answered yet."),
                code="proposal_open",
            )
        proposal = DiversionProposal.objects.create(
            application=application, proposed_by=actor, proposed_at=timezone.now(), note=note
        )
        audit_record(
            code="ecourt.mediation.proposed",
            actor=actor,
            target=application,
            new={"proposal": proposal.pk},
        )
        notify(
            application.created_by,
            gettext_lazy(
                "The court suggests free online mediation for your application no. %(id)s. "
                "Sign in to accept or decline."
            ),
            "mediation.proposed",
            id=str(application.pk),
        )
    return proposal


def diversion_answer(*, actor: User, proposal_id: int, accept: bool) -> DiversionProposal:
    """The plaintiff's filer accepts (the matter is diverted) or declines (review goes on)."""
    with transaction.atomic():
        proposal = DiversionProposal.objects.select_for_update().filter(pk=proposal_id).first()
        if proposal is None or proposal.application.created_by_id != actor.pk:
            raise DomainError(_("No such proposal of mediation."), code="not_found")
        application = lock_application(proposal.application_id)
        if proposal.accepted is not None or proposal.lapsed_at is not None:
            raise DomainError(
                _("This proposal has already been answered."), code="proposal_answered"
            )
        now = timezone.now()
        if accept and application.status not in (S.SUBMITTED, S.UNDER_REVIEW):
            proposal.lapsed_at = now
            proposal.save(update_fields=["lapsed_at"])
            lapsed = True
        else:
            lapsed = False
            proposal.accepted = accept
            proposal.answered_by = actor
            proposal.answered_at = now
            proposal.save(update_fields=["accepted", "answered_by", "answered_at"])
            audit_record(
                code="ecourt.mediation.proposal.accepted"
                if accept
                else "ecourt.mediation.proposal.declined",
                actor=actor,
                target=application,
                new={"proposal": proposal.pk},
            )
            if accept:
                mediation_divert(
                    actor=actor, application=application, route=DiversionRoute.PROPOSAL
                )
    if lapsed:
        raise DomainError(
            _("The application is no longer in filing review, so it cannot go to mediation."),
            code="proposal_lapsed",
        )
    return proposal


# --- Assignment --------------------------------------------------------------------------------


def mediator_pool() -> list[rules.MediatorLoad]:
    """Every registered mediator with their open matters, locked so two assignments at once
    cannot both take a mediator's last free place."""
    # Plain values, one query: loading every mediator as a model twice per assignment was half
    # of all the work of diverting a case once the court had a thousand mediators.
    rows = list(
        Mediator.objects.select_for_update()
        .order_by("pk")
        .values_list("pk", "specialties", "capacity", "last_assigned_at", "languages", "active")
    )
    away = set(Mediator.objects.filter(user__is_active=False).values_list("pk", flat=True))
    # Count from the open matters (the status index), not by joining every mediation each
    # mediator ever had: that read the court's whole mediation history on every assignment.
    open_counts = dict(
        Mediation.objects.filter(status__in=OPEN_MEDIATION_STATUSES, mediator__isnull=False)
        .order_by()
        .values("mediator_id")
        .annotate(n=Count("pk"))
        .values_list("mediator_id", "n")
    )
    return [
        rules.MediatorLoad(
            mediator_id=pk,
            specialties=frozenset(specialties),
            capacity=capacity,
            open_matters=open_counts.get(pk, 0),
            last_assigned_at=last_assigned_at,
            languages=frozenset(languages),
            active=active and pk not in away,
        )
        for pk, specialties, capacity, last_assigned_at, languages, active in rows
    ]


def _start_period(mediation: Mediation) -> None:
    if mediation.period_started_on is not None:
        return
    start = today()
    mediation.period_started_on = start
    mediation.due_on = rules.mediation_due(
        start, days=settings.ECOURT_MEDIATION_DAYS, court_calendar=court_calendar()
    )
    deadline_open(
        application=mediation.application,
        code=MEDIATION_DEADLINE,
        start=start,
        start_event="assignment of a mediator",
        due=mediation.due_on,
        basis=MEDIATION_BASIS,
    )


def _give_to(mediation: Mediation, mediator: Mediator, *, actor: User | None, how: str) -> None:
    old = {"status": mediation.status, "mediator": mediation.mediator_id}
    guard_move(mediation, M.ASSIGNED)
    now = timezone.now()
    mediation.mediator = mediator
    mediation.status = M.ASSIGNED
    mediation.assigned_at = now
    mediation.accepted_at = None
    _start_period(mediation)
    mediation.save(
        update_fields=[
            "mediator",
            "status",
            "assigned_at",
            "accepted_at",
            "period_started_on",
            "due_on",
        ]
    )
    Mediator.objects.filter(pk=mediator.pk).update(last_assigned_at=now)
    event_add(
        mediation=mediation,
        code="mediation.assigned",
        actor=actor,
        text=gettext_lazy("Mediator %(mediator)s assigned (%(how)s). Mediation ends on %(due)s."),
        params={
            "mediator": mediator.user.display_name,
            "how": how,
            "due": mediation.due_on.isoformat() if mediation.due_on else "—",
        },
    )
    audit_record(
        code="ecourt.mediation.assigned",
        actor=actor,
        target=mediation,
        old=old,
        new={"status": M.ASSIGNED, "mediator": mediator.pk, "how": how},
    )
    notify(
        mediator.user,
        gettext_lazy("Mediation %(number)s was assigned to you. Sign in to accept or decline."),
        "mediation.assigned",
        number=mediation.number,
    )


def _assign(mediation: Mediation, *, actor: User | None) -> Mediator | None:
    """Give the matter to the least loaded eligible mediator, or leave it waiting for a clerk."""
    case_type = mediation.application.case_type
    assert case_type is not None
    picked = rules.mediator_pick(
        mediator_pool(),
        case_type=case_type.code,
        language=mediation.language,
        declined=mediation.declined_by,
    )
    if picked is None:
        if mediation.status != M.AWAITING_MEDIATOR:
            guard_move(mediation, M.AWAITING_MEDIATOR)
            mediation.status = M.AWAITING_MEDIATOR
            mediation.mediator = None
            mediation.save(update_fields=["status", "mediator"])
        event_add(
            mediation=mediation,
            code="mediation.waiting",
            text=gettext_lazy(
                "No mediator is free for this matter yet; the court will assign one."
            ),
        )
        return None
    mediator = Mediator.objects.select_related("user").get(pk=picked)
    _give_to(mediation, mediator, actor=actor, how=str(_("automatically")))
    return mediator


def mediation_accept(*, actor: User, mediation_id: int) -> Mediation:
    """The assigned mediator takes the matter on: the room opens."""
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_mediator(actor, mediation)
        if mediation.status == M.IN_PROGRESS:
            return mediation
        guard_move(mediation, M.IN_PROGRESS)
        mediation.status = M.IN_PROGRESS
        mediation.accepted_at = timezone.now()
        mediation.save(update_fields=["status", "accepted_at"])
        event_add(
            mediation=mediation,
            code="mediation.accepted",
            actor=actor,
            text=gettext_lazy("Mediator %(mediator)s took the matter on; the room is open."),
            params={"mediator": actor.display_name},
        )
        audit_record(
            code="ecourt.mediation.accepted",
            actor=actor,
            target=mediation,
            old={"status": M.ASSIGNED},
            new={"status": M.IN_PROGRESS},
        )
        notify(
            mediation.application.created_by,
            gettext_lazy("A mediator took on mediation %(number)s. Sign in to the room."),
            "mediation.accepted",
            number=mediation.number,
        )
    return mediation


def mediation_decline(*, actor: User, mediation_id: int, reason: str) -> Mediation:
    """The assigned mediator declines with a reason (a conflict of interest, no time); the
    matter goes to the next mediator in line and is never offered to this one again."""
    reason = clean_text(reason, field="reason", max_length=2000, required=False, multiline=True)
    if not reason:
        raise DomainError(
            _("Give the reason for declining."), code="reason_required", field="reason"
        )
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        require_mediator(actor, mediation)
        if mediation.status != M.ASSIGNED:
            raise DomainError(
                _("Only a matter not yet accepted can be declined."), code="illegal_transition"
            )
        declined = mediation.mediator
        assert declined is not None
        mediation.declined_by = sorted({*mediation.declined_by, declined.pk})
        mediation.save(update_fields=["declined_by"])
        event_add(
            mediation=mediation,
            code="mediation.declined",
            actor=actor,
            text=gettext_lazy("Mediator %(mediator)s declined the matter: %(reason)s"),
            params={"mediator": actor.display_name, "reason": reason},
        )
        audit_record(
            code="ecourt.mediation.declined",
            actor=actor,
            target=mediation,
            old={"mediator": declined.pk},
            new={"reason": reason},
        )
        _assign(mediation, actor=None)
    return mediation


def mediation_reassign(
    *, actor: User, mediation_id: int, mediator_id: int, reason: str = ""
) -> Mediation:
    """A filing clerk gives the matter to a mediator of their choice (also one whose load or
    specialties the automatic rule would not pick: the clerk answers for it)."""
    require_clerk(actor)
    reason = clean_text(reason, field="reason", max_length=2000, required=False, multiline=True)
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        mediator = (
            Mediator.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=mediator_id, active=True, user__is_active=True)
            .first()
        )
        if mediator is None:
            raise DomainError(
                _("Choose an active mediator."), code="mediator_invalid", field="mediator"
            )
        if mediation.mediator_id == mediator.pk:
            return mediation
        _give_to(mediation, mediator, actor=actor, how=str(_("by the court")))
        if reason:
            audit_record(
                code="ecourt.mediation.reassigned",
                actor=actor,
                target=mediation,
                new={"mediator": mediator.pk, "reason": reason},
            )
    return mediation


# --- Defendants join ---------------------------------------------------------------------------


def mediation_link(*, actor: User, number: str, code: str) -> Party:
    """A defendant joins the mediation with its number and the association code. Linked, they
    stay linked: if mediation fails and the case is docketed, they need no new code."""

    def candidates() -> tuple[Application | None, list[Party]]:
        mediation = (
            Mediation.objects.select_for_update()
            .filter(number=typed_case_number(number), status__in=OPEN_MEDIATION_STATUSES)
            .first()
        )
        if mediation is None:
            return None, []
        return mediation.application, linkable_defendants(mediation.application.parties.all())

    def linked(party: Party) -> None:
        mediation = Mediation.objects.get(application_id=party.application_id)
        event_add(
            mediation=mediation,
            code="mediation.defendant_linked",
            actor=actor,
            text=gettext_lazy("%(party)s joined the mediation online."),
            params={"party": party.name},
        )
        audit_record(
            code="ecourt.mediation.defendant.linked",
            actor=actor,
            target=mediation,
            new={"party": party.pk},
        )

    return party_link_by_code(
        actor=actor,
        candidates=candidates,
        code=code,
        wrong_message=_(
            "The mediation number or the association code is not right, or the code has expired."
        ),
        on_linked=linked,
    )
