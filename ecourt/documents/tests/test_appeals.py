# ruff: noqa: F811  (pytest fixtures imported from test_decisions are parameters here)
"""Appeals: within the party's own period, not after it, not by an agent with general
authority; the first appeal marks the case appealed; before service is allowed."""

from __future__ import annotations

from datetime import date

import pytest

from ecourt.cases.models import Agent, CaseStatus
from ecourt.core.errors import PermissionDenied
from ecourt.delivery.tests.factories import confirm, defendant, plaintiff
from ecourt.documents.appeals import appeal_file
from ecourt.documents.tests.test_decisions import (  # noqa: F401  (fixtures)
    at,
    heard,
    issue,
    ready_draft,
    refused,
    seal,
)

REASONS = "The court misread the licence agreement between the parties."
REQUESTS = "Set aside the judgment."


@pytest.fixture
def decided(heard, alice, judge, commit, time_machine):
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))
    issue(judge, ready_draft(judge, heard), commit)
    return heard


def test_it_accepts_an_appeal_within_the_period(decided, alice, time_machine):
    at(time_machine, date(2026, 7, 28))  # the last day of Alice's 15 days
    appeal = appeal_file(
        actor=alice,
        case_id=decided.pk,
        party_id=plaintiff(decided).pk,
        reasons=REASONS,
        requests=REQUESTS,
    )
    decided.refresh_from_db()
    assert decided.status == CaseStatus.APPEALED
    assert appeal.export_sha256 == ""
    assert decided.docket.filter(code="case.appealed").exists()


def test_it_refuses_an_appeal_after_the_period(decided, alice, time_machine):
    at(time_machine, date(2026, 7, 29))
    with refused("appeal_period_ended"):
        appeal_file(
            actor=alice,
            case_id=decided.pk,
            party_id=plaintiff(decided).pk,
            reasons=REASONS,
            requests=REQUESTS,
        )


def test_a_party_not_served_yet_may_appeal(decided, bob, time_machine):
    at(time_machine, date(2026, 9, 1))
    appeal_file(
        actor=bob,
        case_id=decided.pk,
        party_id=defendant(decided).pk,
        reasons=REASONS,
        requests=REQUESTS,
    )


def test_an_agent_with_general_authority_cannot_appeal(decided, alice, carol):
    Agent.objects.create(
        party=plaintiff(decided),
        kind="lawyer",
        user=carol,
        scope="general",
        power_of_attorney="poa.pdf",
        appointed_by=alice,
    )
    with pytest.raises(PermissionDenied) as info:
        appeal_file(
            actor=carol,
            case_id=decided.pk,
            party_id=plaintiff(decided).pk,
            reasons=REASONS,
            requests=REQUESTS,
        )
    assert info.value.code == "authority_general"
    Agent.objects.filter(user=carol).update(scope="special")
    appeal_file(
        actor=carol,
        case_id=decided.pk,
        party_id=plaintiff(decided).pk,
        reasons=REASONS,
        requests=REQUESTS,
    )


def test_an_undecided_case_cannot_be_appealed(heard, alice):
    with refused("illegal_transition"):
        appeal_file(
            actor=alice,
            case_id=heard.pk,
            party_id=plaintiff(heard).pk,
            reasons=REASONS,
            requests=REQUESTS,
        )
