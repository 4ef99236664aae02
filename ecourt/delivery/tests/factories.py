"""Helpers for delivery tests: a docketed case (Alice v. Beta Tech, Bob represents Beta Tech),
linking, address confirmation and issuing a document."""

from __future__ import annotations

from typing import Any

from ecourt.accounts.models import User
from ecourt.cases import services as case_services
from ecourt.cases.models import Case, Party, PartySide
from ecourt.cases.tests.factories import DEFENDANT_MOBILE, company_for, docketed_case
from ecourt.cases.tests.test_api_cases import association_code
from ecourt.delivery.models import AddressConfirmation, Delivery
from ecourt.delivery.services.addresses import address_confirm
from ecourt.documents.models import CourtDocument
from ecourt.documents.services import document_issue


def beta_case(alice: User, bob: User, clerk: User, judge: User | None = None) -> Case:
    """Alice v. Beta Tech, docketed (the caller runs this inside ``commit()`` so the
    association code is texted). Bob is Beta Tech's approved representative, not linked."""
    company_for(bob)
    return docketed_case(alice, clerk, judge=judge)


def link_beta(bob: User, case: Case) -> Party:
    """Bob links Beta Tech to the case with the code texted to the defendant's mobile."""
    return case_services.case_link(
        actor=bob, case_number=case.number, code=association_code(DEFENDANT_MOBILE)
    )


def plaintiff(case: Case) -> Party:
    return case.parties.get(side=PartySide.PLAINTIFF)


def defendant(case: Case) -> Party:
    return case.parties.get(side=PartySide.DEFENDANT)


def confirm(user: User, case: Case, party: Party, **overrides: Any) -> AddressConfirmation:
    values: dict[str, Any] = {
        "mobile": user.mobile,
        "email": "",
        "institution_inbox": False,
        "consents_to_decisions": True,
        "undertaking": True,
    }
    values.update(overrides)
    return address_confirm(actor=user, case_id=case.pk, party_id=party.pk, **values)


def issue(
    actor: User,
    case: Case,
    *,
    kind: str = "summons",
    recipients: list[Party] | None = None,
    title: str = "Summons to the hearing",
    body: str = "You are summoned to the online hearing on 2026-12-15 at 09:30.",
) -> CourtDocument:
    return document_issue(
        actor=actor,
        case_id=case.pk,
        kind=kind,
        title=title,
        body=body,
        recipient_ids=[p.pk for p in recipients] if recipients is not None else None,
    )


def delivery_to(document: CourtDocument, party: Party) -> Delivery:
    return Delivery.objects.get(document=document, party=party)
