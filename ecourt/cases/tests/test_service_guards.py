"""Guards added after review: corrections asked once, email addresses checked, powers of
attorney stored only when they belong somewhere and removed with their agent, catalogue codes
and texts checked before they reach the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from ecourt.cases import services
from ecourt.cases.models import Agent, AgentKind, AuthorityScope, PartyKind, PartySide, Payment
from ecourt.cases.rules.jurisdiction import SPC_2018_LIST
from ecourt.cases.services._common import today
from ecourt.cases.tests.factories import draft_application, pdf_upload, submitted_application
from ecourt.core.errors import DomainError

pytestmark = pytest.mark.django_db


@contextmanager
def refused(code: str, field: str | None = None) -> Iterator[None]:
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.code == code, info.value.message
    if field is not None:
        assert info.value.field == field


def test_corrections_are_asked_for_once_and_in_full(alice, clerk):
    application = submitted_application(alice)
    due = today() + timedelta(days=10)
    services.filing_request_corrections(
        actor=clerk, application_id=application.pk, items=["Add the dates."], due=due
    )
    services.application_submit(actor=alice, application_id=application.pk)
    with refused("corrections_already_requested"):
        services.filing_request_corrections(
            actor=clerk, application_id=application.pk, items=["And more."], due=due
        )
    services.filing_refuse(
        actor=clerk, application_id=application.pk, reason="The dates are still missing."
    )


@pytest.mark.parametrize("email", ["abc", "a@", "@example.com", "a b@example.com"])
def test_it_refuses_an_email_address_that_cannot_be(alice, email):
    application = draft_application(alice, complete=False)
    with refused("email_invalid", "email"):
        services.party_add(
            actor=alice,
            application_id=application.pk,
            side=PartySide.DEFENDANT,
            kind=PartyKind.PERSON,
            name="Wang Wu",
            email=email,
        )
    with refused("email_invalid", "email"):
        services.application_confirm_delivery(
            actor=alice,
            application_id=application.pk,
            mobile=alice.mobile,
            email=email,
            confirmed=True,
        )


def test_it_keeps_no_power_of_attorney_a_plaintiff_does_not_need(alice, tmp_path, settings):
    application = draft_application(alice, complete=False)
    before = (
        set(default_storage.listdir("private/power_of_attorney")[1])
        if default_storage.exists("private/power_of_attorney")
        else set()
    )
    services.party_add(
        actor=alice,
        application_id=application.pk,
        side=PartySide.PLAINTIFF,
        kind=PartyKind.PERSON,
        name="Zhang San",
        mobile="+8613900000077",
        power_of_attorney=pdf_upload(),
    )
    after = (
        set(default_storage.listdir("private/power_of_attorney")[1])
        if default_storage.exists("private/power_of_attorney")
        else set()
    )
    assert after == before


def test_removing_an_agent_removes_its_power_of_attorney(alice, carol, commit):
    application = draft_application(alice)
    plaintiff = application.parties.get(side=PartySide.PLAINTIFF)
    agent = services.agent_appoint(
        actor=alice,
        application_id=application.pk,
        party_id=plaintiff.pk,
        agent_mobile=carol.mobile,
        kind=AgentKind.LAWYER,
        scope=AuthorityScope.GENERAL,
        power_of_attorney=pdf_upload(),
    )
    name = agent.power_of_attorney.name
    assert default_storage.exists(name)
    with commit():
        services.agent_remove(actor=alice, application_id=application.pk, agent_id=agent.pk)
    assert not Agent.objects.filter(pk=agent.pk).exists()
    assert not default_storage.exists(name)


@pytest.mark.parametrize("code", ["Not A Slug", "", "x" * 61, "代码"])
def test_a_catalogue_code_must_be_a_slug(admin, code):
    types = [
        SPC_2018_LIST[0],
        SPC_2018_LIST[1].__class__(**{**SPC_2018_LIST[1].__dict__, "code": code}),
    ]
    with refused("code_invalid"):
        services.catalogue_publish(
            actor=admin,
            effective_from=today() + timedelta(days=1),
            basis="Court decision",
            note="",
            types=types,
        )


def test_catalogue_texts_are_checked_like_any_other(admin):
    spec = SPC_2018_LIST[0].__class__(**{**SPC_2018_LIST[0].__dict__, "name_en": "x" * 201})
    with refused("too_long", "name_en"):
        services.catalogue_publish(
            actor=admin,
            effective_from=today() + timedelta(days=1),
            basis="Court decision",
            note="",
            types=[spec],
        )


def test_the_simplified_procedure_halves_the_fee_owed(alice, clerk, judge):
    """Measures 2007, Art. 15: half the acceptance fee; paying half is enough to docket."""
    application = submitted_application(alice)  # 50,000 yuan copyright claim: 1,050.00
    payment = services.payment_start(actor=alice, application_id=application.pk)
    Payment.objects.filter(pk=payment.pk).update(amount=Decimal("525.00"))
    services.payment_confirm(actor=clerk, payment_id=payment.pk, record="ICBC half")
    with refused("fee_unsettled"):
        services.filing_accept(actor=clerk, application_id=application.pk, judge_id=judge.pk)
    case = services.filing_accept(
        actor=clerk, application_id=application.pk, judge_id=judge.pk, procedure="simplified"
    )
    assert case.fee_amount == Decimal("525.00")
    assert "Acceptance fee: 525.00 yuan" in case.docket.get(number=2).text_en
    assert case.deadlines.filter(code="trial_simplified").exists()


def test_a_docket_sentence_ends_with_one_full_stop(alice, clerk, judge):
    from django.utils.translation import gettext_lazy

    from ecourt.cases.services._common import docket_add
    from ecourt.cases.tests.factories import docketed_case

    case = docketed_case(alice, clerk, judge=judge)
    entry = docket_add(
        case=case,
        code="test.entry",
        text=gettext_lazy("%(kind)s filed by %(party)s%(late)s."),
        params={"kind": "Answer", "party": "Beta Tech Co., Ltd.", "late": ""},
    )
    assert entry.text_en == "Answer filed by Beta Tech Co., Ltd."
