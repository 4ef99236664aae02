"""What the court-side pages show: rows and words shared by the review, case and
catalogue pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ecourt.accounts.models import User
from ecourt.accounts.rules import mask_identifier, mask_mobile
from ecourt.cases.models import (
    ApplicationStatus,
    CaseDeadline,
    Party,
    PartySide,
)

S = ApplicationStatus
PAGE_SIZE = 50


def request_actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- What the pages show -----------------------------------------------------------------------

DEADLINE_LABELS = {
    "filing_decision": gettext_lazy("Filing decision"),
    "correction": gettext_lazy("Corrections"),
    "complaint_service": gettext_lazy("Service of the complaint"),
    "answer": gettext_lazy("Answer"),
    "appeal_judgment": gettext_lazy("Appeal against the judgment"),
    "appeal_ruling": gettext_lazy("Appeal against the ruling"),
    "trial_ordinary": gettext_lazy("Trial (ordinary procedure)"),
    "trial_simplified": gettext_lazy("Trial (simplified procedure)"),
}

FEE_STANDING_WORDS = {
    "no_fee": gettext_lazy("No fee is due."),
    "paid": gettext_lazy("Paid in full."),
    "deferred": gettext_lazy("Deferred by decision."),
    "waived": gettext_lazy("Waived by decision."),
    "reduced_paid": gettext_lazy("Reduced by decision, and the reduced fee is paid."),
    "unpaid": gettext_lazy("Not paid."),
}


def days_left_words(days: int) -> str:
    """A period's distance from its due date in words: left, due today, or missed."""
    if days > 0:
        return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    if days == 0:
        return _("Due today")
    return ngettext("Missed by %(n)d day", "Missed by %(n)d days", -days) % {"n": -days}


@dataclass(frozen=True)
class PartyRow:
    party: Party
    masked_id: str
    masked_mobile: str


_SIDE_ORDER: dict[str, int] = {
    PartySide.PLAINTIFF: 0,
    PartySide.DEFENDANT: 1,
    PartySide.THIRD_PARTY: 2,
}


def party_rows(parties: list[Party]) -> list[PartyRow]:
    """Plaintiffs first, as a complaint names them; identity numbers and mobiles masked."""
    ordered = sorted(parties, key=lambda p: (_SIDE_ORDER.get(p.side, 9), p.position, p.pk))
    return [
        PartyRow(party, mask_identifier(party.id_number), mask_mobile(party.mobile))
        for party in ordered
    ]


@dataclass(frozen=True)
class DeadlineRow:
    deadline: CaseDeadline
    label: str
    state: str
    days_left: int | None

    @property
    def missed(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def deadline_rows(deadlines: list[CaseDeadline], today: date) -> list[DeadlineRow]:
    rows = []
    for item in deadlines:
        days: int | None = None
        if item.met_at is not None:
            state = _("Met on %(date)s") % {"date": timezone.localdate(item.met_at).isoformat()}
        elif item.cancelled_at is not None:
            state = _("Ended on %(date)s (no longer running)") % {
                "date": timezone.localdate(item.cancelled_at).isoformat()
            }
        else:
            days = (item.due_date - today).days
            state = days_left_words(days)
        label = str(DEADLINE_LABELS.get(item.code, item.code))
        if item.party is not None:
            label = f"{label} · {item.party.name}"
        rows.append(DeadlineRow(item, label, state, days))
    return rows
