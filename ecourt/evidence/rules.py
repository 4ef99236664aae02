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
