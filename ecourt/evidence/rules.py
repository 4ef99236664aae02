"""When evidence may be filed, answered and determined. Data and pure functions only; the
legal basis of each rule is in docs/evidence.md."""

from __future__ import annotations

from ecourt.cases.models import ApplicationStatus as S
from ecourt.cases.models import CaseStatus as C

#: An application still before the court (filing, review, corrections, mediation).
APPLICATION_OPEN = frozenset(
    {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.CORRECTIONS_REQUESTED, S.DIVERTED}
)
#: A case before its hearing: evidence may be filed (CPL Art. 68, the evidence period).
CASE_EVIDENCE_OPEN = frozenset(
    {C.DOCKETED, C.COMPLAINT_SERVED, C.ANSWER_PERIOD, C.EVIDENCE_EXCHANGE, C.HEARING_SCHEDULED}
)
#: Opinions and determinations continue through the hearing (CPL Art. 71: evidence is
#: examined by the parties; the court determines it before deciding).
CASE_EXAMINATION_OPEN = CASE_EVIDENCE_OPEN | {C.HEARD}

QUALITIES = ("authenticity", "legality", "relevance")


def filing_open(*, application_status: str, case_status: str | None) -> bool:
    """Whether a party may still add, remove and submit evidence (the pages offer the
    buttons only then; the services decide)."""
    if case_status is not None:
        return case_status in CASE_EVIDENCE_OPEN
    return application_status in APPLICATION_OPEN


def examination_open(case_status: str | None) -> bool:
    """Whether opinions and determinations are still recorded (only in a case)."""
    return case_status is not None and case_status in CASE_EXAMINATION_OPEN
