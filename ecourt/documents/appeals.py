"""Appeals filed online against a judgment or ruling, within the appellant's own period.

The case file export for the appellate court (``documents.export``) is not produced here yet:
``Appeal.export_sha256`` stays empty until the export is wired in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases.models import (
    Appeal,
    AuthorityScope,
    Case,
    CaseDeadline,
    CaseStatus,
    ClosingMode,
    Party,
)
from ecourt.cases.services._common import (
    deadlines_close,
    docket_add,
    guard_case_move,
    lock_case,
    notify,
    today,
)
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.text import clean_text

C = CaseStatus


def appeal_code(case: Case) -> str:
    return "appeal_judgment" if case.decision_kind == ClosingMode.JUDGMENT else "appeal_ruling"


@dataclass(frozen=True)
class AppealWindow:
    """One party's appeal period as it stands: served (from) and due, or not served yet."""

    party: Party
    served_on: date | None
    due_date: date | None
    appeal: Appeal | None

    @property
    def is_open(self) -> bool:
        return self.appeal is None and (self.due_date is None or self.due_date >= today())


def appeal_windows(case: Case, parties: list[Party]) -> list[AppealWindow]:
    """The appeal window of each of ``parties`` (the parties a person acts for)."""
    periods = {
        period.party_id: period
        for period in CaseDeadline.objects.filter(
            case=case,
            code=appeal_code(case),
            cancelled_at__isnull=True,
            party__in=parties,
        )
    }
    appeals = {appeal.party_id: appeal for appeal in case.appeals.filter(party__in=parties)}
    windows = []
    for party in parties:
        period = periods.get(party.pk)
        windows.append(
            AppealWindow(
                party=party,
                served_on=period.start_date if period else None,
                due_date=period.due_date if period else None,
                appeal=appeals.get(party.pk),
            )
        )
    return windows


def may_appeal_for(user: User, party: Party) -> bool:
    """The party itself, or its agent with special authority (CPL Art. 62: appealing needs
    the party's special authorisation)."""
    if party.user_id == user.pk:
        return True
    return party.agents.filter(user=user, scope=AuthorityScope.SPECIAL).exists()


def appeal_file(*, actor: User, case_id: int, party_id: int, reasons: str, requests: str) -> Appeal:
    """A party appeals the judgment or ruling, within its own appeal period (CPL Art. 171:
    15 days from service for a judgment, 10 for a ruling, in court time).

    A party may appeal as soon as the decision is issued, before it is served on it: the
    period only sets when the right ends, not when it begins, so an appeal before service is
    accepted. The first appeal moves the case to APPEALED; another party may still appeal
    within its own period."""
    reasons = clean_text(
        reasons, field="reasons", max_length=50_000, required=False, multiline=True
    )
    requests = clean_text(
        requests, field="requests", max_length=10_000, required=False, multiline=True
    )
    if len(requests) < 5:
        raise DomainError(
            _("Say what you ask the appellate court to do."),
            code="requests_missing",
            field="requests",
        )
    if len(reasons) < 10:
        raise DomainError(
            _("Give the reasons for the appeal (at least 10 characters)."),
            code="reasons_missing",
            field="reasons",
        )
    with transaction.atomic():
        case = lock_case(case_id)
        party = case.parties.filter(pk=party_id).first()
        if party is None:
            raise DomainError(_("No such party."), code="not_found", field="party")
        if not may_appeal_for(actor, party):
            if party.agents.filter(user=actor).exists():
                raise PermissionDenied(
                    _(
                        "An agent with general authority cannot appeal; the party must appeal "
                        "or give you special authority (CPL Art. 62)."
                    ),
                    code="authority_general",
                )
            raise PermissionDenied(_("You do not act for this party."), code="not_party")
        if case.status not in (C.DECIDED, C.APPEALED):
            raise DomainError(
                _("There is no decision to appeal in this case."), code="illegal_transition"
            )
        if case.appeals.filter(party=party).exists():
            raise DomainError(
                _("This party has already appealed."), code="appeal_exists", field="party"
            )
        period = CaseDeadline.objects.filter(
            case=case, party=party, code=appeal_code(case), cancelled_at__isnull=True
        ).first()
        if period is not None and period.due_date < today():
            raise DomainError(
                _("The appeal period of %(party)s ended on %(due)s.")
                % {"party": party.name, "due": period.due_date.isoformat()},
                code="appeal_period_ended",
            )
        appeal = Appeal.objects.create(
            case=case,
            party=party,
            filed_by=actor,
            filed_at=timezone.now(),
            reasons=reasons,
            requests=requests,
        )
        deadlines_close(how="met", case=case, party=party, code=appeal_code(case))
        docket_add(
            case=case,
            code="case.appealed",
            actor=actor,
            party=party,
            document_text=f"{requests}\n\n{reasons}",
            text=gettext_lazy("%(party)s appealed against the %(kind)s."),
            params={
                "party": party.name,
                "kind": (
                    ("judgment", "判决")
                    if case.decision_kind == ClosingMode.JUDGMENT
                    else ("ruling", "裁定")
                ),
            },
        )
        old = case.status
        if case.status == C.DECIDED:
            guard_case_move(case, C.APPEALED)
            case.status = C.APPEALED
            case.save(update_fields=["status"])
            audit_record(
                code="ecourt.cases.appealed",
                actor=actor,
                target=case,
                old={"status": old},
                new={"status": case.status},
            )
        audit_record(
            code="ecourt.cases.appeal.filed",
            actor=actor,
            target=appeal,
            new={
                "case": case.pk,
                "party": party.pk,
                "period_due": period.due_date if period else None,
            },
        )
        others = (
            User.objects.filter(Q(party_roles__case=case) | Q(agencies__party__case=case))
            .exclude(Q(party_roles=party) | Q(agencies__party=party))
            .exclude(pk=actor.pk)
            .distinct()
        )
        for user in [*others, case.judge]:
            notify(
                user,
                gettext_lazy("An appeal was filed in case %(number)s."),
                "case.appealed",
                number=case.number,
            )
    return appeal
