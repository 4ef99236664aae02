"""Writing a lawsuit application: the draft, its parties, agents, claims and evidence list, and
submission (Alice files against Beta Tech; Bob represents Beta Tech; Carol is a lawyer)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from ecourt.accounts.models import CompanyRepresentative, ReviewStatus
from ecourt.accounts.tests.factories import VerifiedUserFactory, image_upload, valid_ric
from ecourt.cases import services
from ecourt.cases.models import (
    Agent,
    AgentKind,
    Application,
    ApplicationStatus,
    AuthorityScope,
    CaseDeadline,
    Claim,
    FilingCapacity,
    PartyKind,
    PartySide,
)
from ecourt.cases.tests.factories import (
    BETA_USCC,
    DEFENDANT_MOBILE,
    company_for,
    consent,
    docketed_case,
    draft_application,
    pdf_upload,
    submitted_application,
)
from ecourt.core import sms
from ecourt.core.errors import DomainError
from ecourt.core.models import AuditEvent, CalendarDay

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = ApplicationStatus
FACTS = "The defendant published twelve of my photographs without permission."


@contextmanager
def refused(code: str, field: str | None = None) -> Iterator[None]:
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.code == code, (info.value.code, str(info.value))
    if field is not None:
        assert info.value.field == field


def events(code: str, application: Application) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(code=code, target_id=str(application.pk)))


def new_draft(user, **kwargs):
    consent(user)
    return services.application_create(actor=user, **kwargs)


def add_beta(user, application, **overrides):
    values = {
        "side": PartySide.DEFENDANT,
        "kind": PartyKind.COMPANY,
        "name": "Beta Tech Co., Ltd.",
        "id_number": BETA_USCC,
        "legal_representative": "Li Beta",
        "mobile": DEFENDANT_MOBILE,
    }
    values.update(overrides)
    return services.party_add(actor=user, application_id=application.pk, **values)


# --- Creating a draft ---------------------------------------------------------------------------


def test_it_needs_a_verified_identity(oscar):
    consent(oscar)
    with refused("identity_required"):
        services.application_create(actor=oscar)


def test_it_needs_consent_to_online_litigation(alice):
    with refused("consent_required"):
        services.application_create(actor=alice)


def test_it_makes_the_filer_the_plaintiff(alice):
    application = new_draft(alice)
    plaintiff = application.parties.get()
    identity = alice.identity_verifications.get()
    assert (application.status, application.created_by, application.capacity) == (
        S.DRAFT,
        alice,
        FilingCapacity.SELF,
    )
    assert (plaintiff.side, plaintiff.kind, plaintiff.user, plaintiff.name) == (
        PartySide.PLAINTIFF,
        PartyKind.PERSON,
        alice,
        identity.legal_name,
    )
    assert plaintiff.id_number == identity.document_number
    assert application.delivery_mobile == alice.mobile
    [event] = events("ecourt.filing.application.created", application)
    assert event.actor == alice
    assert event.new_values == {"capacity": "self", "company": None}


def test_a_company_is_filed_for_only_by_its_approved_representative(bob):
    company = company_for(bob)
    application = new_draft(bob, capacity=FilingCapacity.COMPANY, company_id=company.pk)
    plaintiff = application.parties.get()
    assert (plaintiff.kind, plaintiff.name, plaintiff.id_number, plaintiff.user) == (
        PartyKind.COMPANY,
        company.name,
        company.uscc,
        bob,
    )
    assert plaintiff.legal_representative == "Li Beta"


def test_a_stranger_cannot_file_for_a_company(alice, bob):
    company = company_for(bob)
    with refused("not_representative", "company"):
        new_draft(alice, capacity=FilingCapacity.COMPANY, company_id=company.pk)


def test_a_representative_still_under_review_cannot_file_for_the_company(alice, bob):
    company = company_for(bob)
    CompanyRepresentative.objects.create(
        company=company,
        user=alice,
        company_name=company.name,
        legal_representative="Li Beta",
        authorisation_letter=image_upload(),
        status=ReviewStatus.PENDING,
    )
    with refused("not_representative", "company"):
        new_draft(alice, capacity=FilingCapacity.COMPANY, company_id=company.pk)


def test_only_a_lawyer_files_for_a_client(alice, carol):
    with refused("not_lawyer", "capacity"):
        new_draft(alice, capacity=FilingCapacity.CLIENT)
    application = new_draft(carol, capacity=FilingCapacity.CLIENT)
    assert application.parties.count() == 0


def test_it_refuses_an_unknown_capacity(alice):
    with refused("capacity_invalid", "capacity"):
        new_draft(alice, capacity="friend")


def test_a_retried_create_with_the_same_key_returns_the_same_draft(alice, bob):
    first = new_draft(alice, client_key="app-retry-1")
    again = services.application_create(actor=alice, client_key=" app-retry-1 ")
    other_person = new_draft(bob, client_key="app-retry-1")
    assert again.pk == first.pk
    assert other_person.pk != first.pk
    assert Application.objects.filter(created_by=alice).count() == 1
    assert len(events("ecourt.filing.application.created", first)) == 1


def test_two_racing_creates_with_the_same_key_make_one_draft(alice, monkeypatch):
    """The other request inserted its draft between our look-up and our insert: the unique
    constraint refuses ours and we answer with theirs."""
    winner = new_draft(alice, client_key="app-race-1")
    manager = Application.objects
    real_filter = manager.filter
    looked_up: list[bool] = []

    def filter_before_the_winner_committed(*args, **kwargs):
        if not looked_up:
            looked_up.append(True)
            return manager.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(manager, "filter", filter_before_the_winner_committed)
    loser = services.application_create(actor=alice, client_key="app-race-1")
    monkeypatch.undo()
    assert looked_up
    assert loser.pk == winner.pk
    assert Application.objects.filter(created_by=alice).count() == 1
    assert len(events("ecourt.filing.application.created", winner)) == 1


# --- Case type ----------------------------------------------------------------------------------


def test_a_type_not_heard_here_is_refused_naming_the_competent_court(alice):
    application = new_draft(alice)
    with translation.override("en"), pytest.raises(DomainError) as info:
        services.application_set_case_type(
            actor=alice, application_id=application.pk, code="family"
        )
    assert (info.value.code, info.value.field) == ("not_heard", "case_type")
    assert "where the defendant lives (CPL Art. 22)" in str(info.value)
    with translation.override("zh-hans"), pytest.raises(DomainError) as info:
        services.application_set_case_type(
            actor=alice, application_id=application.pk, code="real_estate"
        )
    assert info.value.code == "not_heard"
    assert "不动产所在地人民法院" in str(info.value)
    application.refresh_from_db()
    assert application.case_type is None


def test_an_unknown_type_is_refused(alice):
    application = new_draft(alice)
    with refused("case_type_unknown", "case_type"):
        services.application_set_case_type(
            actor=alice, application_id=application.pk, code="piracy"
        )


def test_choosing_a_type_is_audited_with_old_and_new(alice):
    application = new_draft(alice)
    for code in ("online_shopping_contract", "domain_name"):
        services.application_set_case_type(actor=alice, application_id=application.pk, code=code)
    changes = [
        (e.old_values, e.new_values)
        for e in events("ecourt.filing.application.case_type", application)
    ]
    assert sorted(changes, key=str) == sorted(
        [
            ({"case_type": None}, {"case_type": "online_shopping_contract"}),
            ({"case_type": "online_shopping_contract"}, {"case_type": "domain_name"}),
        ],
        key=str,
    )


# --- Parties ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"side": "witness"}, "side_invalid", "side"),
        ({"kind": "robot"}, "kind_invalid", "kind"),
        ({"name": "   "}, "name_missing", "name"),
        ({"id_number": "91110108MA01BETA00"}, "uscc_checksum", "id_number"),
        ({"id_number": "12345"}, "uscc_length", "id_number"),
        (
            {"kind": PartyKind.PERSON, "id_number": "110101199003070013"},
            "ric_checksum",
            "id_number",
        ),
        ({"mobile": "", "email": ""}, "contact_missing", "mobile"),
        ({"mobile": "12345"}, "mobile_invalid", "mobile"),
        ({"legal_representative": " "}, "legal_representative_missing", "legal_representative"),
        ({"scope": "unlimited"}, "scope_invalid", "scope"),
    ],
)
def test_it_checks_a_new_party(alice, overrides, code, field):
    application = new_draft(alice)
    with refused(code, field):
        add_beta(alice, application, **overrides)
    assert application.parties.count() == 1


def test_a_defendant_reachable_by_email_only_is_fine(alice):
    application = new_draft(alice)
    party = add_beta(alice, application, mobile="", email=" Legal@Beta.cn ")
    assert (party.email, party.mobile, party.position) == ("legal@beta.cn", "", 1)


def test_the_same_person_cannot_be_on_both_sides(alice):
    application = new_draft(alice)
    own_id = application.parties.get().id_number
    with refused("party_on_both_sides", "name"):
        add_beta(alice, application, kind=PartyKind.PERSON, name="A. Zhang", id_number=own_id)


def test_the_same_party_cannot_be_added_twice(alice):
    application = new_draft(alice)
    add_beta(alice, application)
    with refused("party_duplicate", "name"):
        add_beta(alice, application, name="BETA TECH", id_number=BETA_USCC.lower())


def test_a_person_without_id_is_known_by_name_and_mobile(alice):
    application = new_draft(alice)
    add_beta(alice, application, kind=PartyKind.PERSON, name="Wang Fang", id_number="")
    with refused("party_duplicate"):
        add_beta(alice, application, kind=PartyKind.PERSON, name="wang fang", id_number="")
    second = add_beta(
        alice,
        application,
        kind=PartyKind.PERSON,
        name="Wang Fang",
        id_number="",
        mobile="+8613900000098",
    )
    assert second.position == 2


def test_a_lawyer_adds_the_client_with_its_power_of_attorney(carol, alice):
    application = new_draft(carol, capacity=FilingCapacity.CLIENT)
    client = {
        "side": PartySide.PLAINTIFF,
        "kind": PartyKind.PERSON,
        "name": "Alice Zhang",
        "id_number": valid_ric(),
    }
    with refused("power_of_attorney_missing", "power_of_attorney"):
        services.party_add(actor=carol, application_id=application.pk, **client)
    party = services.party_add(
        actor=carol,
        application_id=application.pk,
        power_of_attorney=pdf_upload(),
        scope=AuthorityScope.SPECIAL,
        **client,
    )
    agent = party.agents.get()
    assert (agent.user, agent.kind, agent.scope, agent.appointed_by) == (
        carol,
        AgentKind.LAWYER,
        AuthorityScope.SPECIAL,
        carol,
    )
    assert agent.power_of_attorney.name.startswith("private/power_of_attorney/")


def test_adding_a_party_is_audited_with_a_masked_id(alice):
    application = new_draft(alice)
    party = add_beta(alice, application)
    [event] = events("ecourt.filing.party.added", application)
    assert event.new_values["party"] == party.pk
    assert event.new_values["side"] == "defendant"
    assert BETA_USCC not in str(event.new_values)
    assert event.new_values["id_number"].startswith(BETA_USCC[:4])


def test_the_filer_cannot_remove_themselves_but_can_remove_a_defendant(alice):
    application = new_draft(alice)
    own = application.parties.get()
    beta = add_beta(alice, application)
    with refused("own_party"):
        services.party_remove(actor=alice, application_id=application.pk, party_id=own.pk)
    services.party_remove(actor=alice, application_id=application.pk, party_id=beta.pk)
    assert list(application.parties.all()) == [own]
    [event] = events("ecourt.filing.party.removed", application)
    assert event.old_values == {"party": beta.pk, "side": "defendant"}


# --- Agents -------------------------------------------------------------------------------------


def appoint(alice, application, user_or_mobile, *, kind=AgentKind.LAWYER, upload=True, **kw):
    mobile = user_or_mobile if isinstance(user_or_mobile, str) else user_or_mobile.mobile
    return services.agent_appoint(
        actor=alice,
        application_id=application.pk,
        party_id=kw.pop("party_id", None) or application.parties.get(user=alice).pk,
        agent_mobile=mobile,
        kind=kind,
        scope=kw.pop("scope", AuthorityScope.GENERAL),
        power_of_attorney=pdf_upload() if upload else None,
    )


def test_a_plaintiff_appoints_a_lawyer(alice, carol):
    application = new_draft(alice)
    agent = appoint(alice, application, carol)
    assert (agent.user, agent.kind, agent.party.user) == (carol, AgentKind.LAWYER, alice)
    [event] = events("ecourt.filing.agent.appointed", application)
    assert event.new_values == {
        "party": agent.party_id,
        "agent": carol.pk,
        "kind": "lawyer",
        "scope": "general",
    }


def test_an_agent_needs_an_account(alice):
    application = new_draft(alice)
    with refused("agent_unknown", "agent_mobile"):
        appoint(alice, application, "+8613700000000")


def test_an_agent_needs_a_verified_identity(alice, oscar):
    application = new_draft(alice)
    with refused("agent_not_verified", "agent_mobile"):
        appoint(alice, application, oscar, kind=AgentKind.CITIZEN)


def test_a_lawyer_agent_needs_the_lawyer_role(alice, bob):
    application = new_draft(alice)
    with refused("agent_not_lawyer", "agent_mobile"):
        appoint(alice, application, bob)
    assert appoint(alice, application, bob, kind=AgentKind.CITIZEN).user == bob


def test_nobody_appoints_themselves(alice):
    application = new_draft(alice)
    with refused("agent_self", "agent_mobile"):
        appoint(alice, application, alice, kind=AgentKind.CITIZEN)


def test_an_agent_needs_a_power_of_attorney(alice, carol):
    application = new_draft(alice)
    with refused("power_of_attorney_missing", "power_of_attorney"):
        appoint(alice, application, carol, upload=False)


def test_a_party_appoints_at_most_two_agents(alice, bob, carol):
    """CPL Art. 61: one or two persons as agents ad litem."""
    application = new_draft(alice)
    appoint(alice, application, carol)
    appoint(alice, application, bob, kind=AgentKind.CITIZEN)
    third = VerifiedUserFactory(display_name="Dora Deng")
    with refused("too_many_agents"):
        appoint(alice, application, third, kind=AgentKind.CITIZEN)
    assert Agent.objects.filter(party__application=application).count() == 2


def test_the_same_agent_is_appointed_once(alice, carol):
    application = new_draft(alice)
    appoint(alice, application, carol)
    with refused("agent_duplicate", "agent_mobile"):
        appoint(alice, application, carol, scope=AuthorityScope.SPECIAL)


def test_only_a_plaintiff_appoints_agents_here(alice, carol):
    application = new_draft(alice)
    beta = add_beta(alice, application)
    with refused("party_invalid", "party"):
        appoint(alice, application, carol, party_id=beta.pk)


def test_an_agent_is_removed_but_a_lawyer_cannot_remove_their_own_agency(alice, carol):
    application = new_draft(alice)
    agent = appoint(alice, application, carol)
    services.agent_remove(actor=alice, application_id=application.pk, agent_id=agent.pk)
    assert not Agent.objects.filter(pk=agent.pk).exists()

    filed_by_carol = new_draft(carol, capacity=FilingCapacity.CLIENT)
    client = services.party_add(
        actor=carol,
        application_id=filed_by_carol.pk,
        side=PartySide.PLAINTIFF,
        kind=PartyKind.PERSON,
        name="Alice Zhang",
        id_number=valid_ric(),
        power_of_attorney=pdf_upload(),
    )
    with refused("own_agency"):
        services.agent_remove(
            actor=carol, application_id=filed_by_carol.pk, agent_id=client.agents.get().pk
        )


# --- Claims, facts, evidence, delivery ----------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "amount_not_positive"),
        ("-100", "amount_not_positive"),
        ("1.234", "amount_too_precise"),
        ("abc", "amount_invalid"),
        ("NaN", "amount_invalid"),
        ("1000000000000", "amount_too_large"),
        ("1e30", "amount_too_large"),
        ("1" + "0" * 40, "amount_too_large"),
    ],
)
def test_it_checks_the_amount_claimed(alice, amount, code):
    application = new_draft(alice)
    with refused(code, "amount"):
        services.claim_add(
            actor=alice, application_id=application.pk, text="Pay me.", amount=amount
        )
    assert application.claims.count() == 0


@pytest.mark.parametrize(
    ("amount", "stored"),
    [("999999999999.99", "999999999999.99"), ("1,050.5", "1050.50"), (Decimal("3"), "3.00")],
)
def test_it_stores_the_amount_to_the_fen(alice, amount, stored):
    application = new_draft(alice)
    claim = services.claim_add(
        actor=alice, application_id=application.pk, text="Pay me.", amount=amount
    )
    claim.refresh_from_db()
    assert claim.amount == Decimal(stored)


def test_a_claim_needs_words_and_gets_the_next_position(alice):
    application = new_draft(alice)
    with refused("claim_missing", "text"):
        services.claim_add(actor=alice, application_id=application.pk, text="  ")
    first = services.claim_add(actor=alice, application_id=application.pk, text="Stop it.")
    second = services.claim_add(
        actor=alice, application_id=application.pk, text="Pay.", amount="10"
    )
    assert (first.position, first.amount, second.position) == (1, None, 2)
    services.claim_remove(actor=alice, application_id=application.pk, claim_id=first.pk)
    assert list(Claim.objects.filter(application=application)) == [second]
    with refused("not_found"):
        services.claim_remove(actor=alice, application_id=application.pk, claim_id=first.pk)


def test_the_facts_are_stored_and_checked(alice):
    application = new_draft(alice)
    with refused("control_characters", "facts"):
        services.application_set_facts(
            actor=alice, application_id=application.pk, facts="bad\x00text"
        )
    with refused("too_long", "facts"):
        services.application_set_facts(
            actor=alice, application_id=application.pk, facts="x" * 50_001
        )
    services.application_set_facts(
        actor=alice, application_id=application.pk, facts=f"  {FACTS}\nSecond line.  "
    )
    application.refresh_from_db()
    assert application.facts_and_reasons == f"{FACTS}\nSecond line."
    [event] = events("ecourt.filing.application.facts", application)
    assert event.new_values == {"length": len(application.facts_and_reasons)}


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"title": " "}, "title_missing", "title"),
        ({"form": "smell"}, "form_invalid", "form"),
        ({"purpose": ""}, "purpose_missing", "purpose"),
    ],
)
def test_an_evidence_item_needs_a_title_a_form_and_a_purpose(alice, values, code, field):
    application = new_draft(alice)
    item = {"title": "Screenshots", "form": "web_page", "purpose": "Shows the copying."}
    item.update(values)
    with refused(code, field):
        services.evidence_listing_add(actor=alice, application_id=application.pk, **item)


def test_evidence_items_are_listed_in_order_and_removed(alice):
    application = new_draft(alice)
    item = {"form": "picture", "purpose": "Shows the copying."}
    first = services.evidence_listing_add(
        actor=alice, application_id=application.pk, title="Photo 1", **item
    )
    second = services.evidence_listing_add(
        actor=alice, application_id=application.pk, title="Photo 2", **item
    )
    assert (first.position, second.position) == (1, 2)
    services.evidence_listing_remove(actor=alice, application_id=application.pk, item_id=first.pk)
    assert list(application.evidence_list.all()) == [second]
    [event] = events("ecourt.filing.evidence_listing.removed", application)
    assert event.old_values == {"item": first.pk}


def test_the_delivery_address_must_be_confirmed(alice):
    application = new_draft(alice)
    with refused("delivery_not_confirmed", "confirmed"):
        services.application_confirm_delivery(
            actor=alice, application_id=application.pk, mobile=alice.mobile
        )
    with refused("mobile_missing", "mobile"):
        services.application_confirm_delivery(
            actor=alice, application_id=application.pk, mobile=" ", confirmed=True
        )
    services.application_confirm_delivery(
        actor=alice,
        application_id=application.pk,
        mobile="13800000001",
        email=" Alice@Example.CN ",
        electronic_service_consent=True,
        confirmed=True,
    )
    application.refresh_from_db()
    assert application.delivery_confirmed_at is not None
    assert (application.delivery_mobile, application.delivery_email) == (
        "+8613800000001",
        "alice@example.cn",
    )
    assert application.electronic_service_consent
    [event] = events("ecourt.filing.application.delivery_confirmed", application)
    assert alice.mobile not in str(event.new_values)


def test_preferences_are_audited_with_old_and_new(alice):
    application = new_draft(alice)
    services.application_set_preferences(
        actor=alice, application_id=application.pk, adr_preference=True, simplified_procedure=True
    )
    [event] = events("ecourt.filing.application.preferences", application)
    assert event.old_values == {"adr": False, "simplified": False}
    assert event.new_values == {"adr": True, "simplified": True}


# --- Only the author edits, and only a draft ----------------------------------------------------

EDITS = {
    "case_type": lambda actor, pk: services.application_set_case_type(
        actor=actor, application_id=pk, code="domain_name"
    ),
    "party": lambda actor, pk: services.party_add(
        actor=actor,
        application_id=pk,
        side=PartySide.DEFENDANT,
        kind=PartyKind.PERSON,
        name="Gamma Gu",
        mobile="+8613900000097",
    ),
    "claim": lambda actor, pk: services.claim_add(actor=actor, application_id=pk, text="Pay."),
    "facts": lambda actor, pk: services.application_set_facts(
        actor=actor, application_id=pk, facts=FACTS
    ),
    "evidence": lambda actor, pk: services.evidence_listing_add(
        actor=actor, application_id=pk, title="Photo", form="picture", purpose="Copying."
    ),
    "delivery": lambda actor, pk: services.application_confirm_delivery(
        actor=actor, application_id=pk, mobile="+8613800000001", confirmed=True
    ),
    "preferences": lambda actor, pk: services.application_set_preferences(
        actor=actor, application_id=pk, adr_preference=True, simplified_procedure=False
    ),
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_only_the_author_edits_a_draft(alice, bob, clerk, edit):
    application = draft_application(alice)
    for other in (bob, clerk):
        with refused("not_found"):
            edit(other, application.pk)
    with refused("not_found"):
        services.application_submit(actor=bob, application_id=application.pk)
    with refused("not_found"):
        services.application_withdraw(actor=bob, application_id=application.pk)


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_a_submitted_application_cannot_be_edited(alice, edit):
    application = submitted_application(alice)
    with refused("not_editable"):
        edit(alice, application.pk)


def test_a_missing_application_is_not_found(alice):
    consent(alice)
    with refused("not_found"):
        services.application_set_facts(actor=alice, application_id=987654, facts=FACTS)


def test_the_wizard_step_is_remembered_for_the_author_only(alice, bob):
    application = new_draft(alice)
    services.application_set_step(actor=bob, application_id=application.pk, step="claims")
    application.refresh_from_db()
    assert application.step == "case_type"
    services.application_set_step(actor=alice, application_id=application.pk, step="claims")
    application.refresh_from_db()
    assert application.step == "claims"


# --- Submission ---------------------------------------------------------------------------------


def fill(user, application, *, upto: str, case_type: str = "online_copyright_infringement"):
    """Fill the wizard in order, stopping before step ``upto``."""
    steps = ["case_type", "defendants", "claims", "amount", "facts", "delivery"]
    pk = application.pk
    for step in steps[: steps.index(upto)] if upto in steps else steps:
        if step == "case_type":
            services.application_set_case_type(actor=user, application_id=pk, code=case_type)
        elif step == "defendants":
            add_beta(user, application)
        elif step == "claims":
            services.claim_add(actor=user, application_id=pk, text="Stop publishing them.")
        elif step == "amount":
            services.claim_add(actor=user, application_id=pk, text="Pay.", amount="50000")
        elif step == "facts":
            services.application_set_facts(actor=user, application_id=pk, facts=FACTS)
        elif step == "delivery":
            services.application_confirm_delivery(
                actor=user, application_id=pk, mobile=user.mobile, confirmed=True
            )
    return application


@pytest.mark.parametrize(
    ("upto", "code", "field"),
    [
        ("case_type", "incomplete_case_type", "case_type"),
        ("defendants", "incomplete_defendant", "defendants"),
        ("claims", "incomplete_claims", "claims"),
        ("amount", "incomplete_amount", "claims"),
        ("facts", "incomplete_facts", "facts"),
        ("delivery", "incomplete_delivery", "delivery"),
    ],
)
def test_submission_names_the_first_gap_and_its_step(alice, upto, code, field):
    application = fill(alice, new_draft(alice), upto=upto, case_type="online_shopping_contract")
    with refused(code, field):
        services.application_submit(actor=alice, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_a_lawyers_draft_without_a_client_lacks_a_plaintiff(carol):
    application = new_draft(carol, capacity=FilingCapacity.CLIENT)
    services.application_set_case_type(
        actor=carol, application_id=application.pk, code="domain_name"
    )
    with refused("incomplete_plaintiff", "plaintiffs"):
        services.application_submit(actor=carol, application_id=application.pk)


def test_facts_too_short_are_a_gap(alice):
    application = fill(alice, new_draft(alice), upto="facts")
    services.application_set_facts(actor=alice, application_id=application.pk, facts="Too short.")
    services.application_confirm_delivery(
        actor=alice, application_id=application.pk, mobile=alice.mobile, confirmed=True
    )
    with refused("incomplete_facts", "facts"):
        services.application_submit(actor=alice, application_id=application.pk)


def test_submission_stores_the_fee_and_starts_the_decision_period(alice, commit):
    application = draft_application(alice)
    with commit():
        application = services.application_submit(actor=alice, application_id=application.pk)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.fee_amount == Decimal("1050.00")  # IP with 50,000: 2.5% × A − 200
    assert "Art. 13(4)" in application.fee_basis
    assert application.submitted_at is not None
    deadline = application.deadlines.get()
    assert (deadline.code, deadline.start_date, deadline.start_event, deadline.basis) == (
        "filing_decision",
        application.received_on,
        "submission",
        "CPL Art. 126",
    )
    [event] = events("ecourt.filing.application.submitted", application)
    assert event.old_values == {"status": "draft"}
    assert event.new_values == {
        "status": "submitted",
        "fee": "1050.00",
        "received_on": application.received_on.isoformat(),
    }
    assert any("We received your lawsuit application" in m.body for m in sms.outbox)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        # Received Tuesday 10 February 2026; day 7 is the 17th, inside the Spring Festival
        # (16–23 February, with the weekend): the period ends on Tuesday the 24th.
        (datetime(2026, 2, 10, 9, 30, tzinfo=SHANGHAI), date(2026, 2, 24)),
        # Received Monday 28 September 2026; day 7 is 5 October, inside National Day
        # (1–7 October): the period ends on Thursday the 8th.
        (datetime(2026, 9, 28, 16, 0, tzinfo=SHANGHAI), date(2026, 10, 8)),
        # Received at 00:30 on 3 March in Shanghai, still 2 March in UTC: the court's date
        # counts.
        (datetime(2026, 3, 3, 0, 30, tzinfo=SHANGHAI), date(2026, 3, 10)),
    ],
)
def test_the_decision_period_skips_statutory_holidays(alice, time_machine, now, due):
    time_machine.move_to(now, tick=False)
    application = submitted_application(alice)
    deadline = application.deadlines.get(code="filing_decision")
    assert deadline.start_date == now.date()
    assert deadline.due_date == due


def test_the_decision_period_honours_a_court_closure(alice, admin, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False)
    CalendarDay.objects.create(
        day=date(2026, 3, 9), kind=CalendarDay.Kind.DAY_OFF, note="Closed", added_by=admin
    )
    application = submitted_application(alice)
    assert application.deadlines.get(code="filing_decision").due_date == date(2026, 3, 10)


def test_submitting_three_times_changes_the_status_once(alice):
    application = draft_application(alice)
    for _press in range(3):
        result = services.application_submit(actor=alice, application_id=application.pk)
        assert result.status == S.SUBMITTED
    assert len(events("ecourt.filing.application.submitted", application)) == 1
    assert application.deadlines.filter(code="filing_decision").count() == 1


def test_a_submission_under_review_is_not_repeated(alice, clerk):
    application = submitted_application(alice)
    services.filing_review_start(actor=clerk, application_id=application.pk)
    result = services.application_submit(actor=alice, application_id=application.pk)
    assert result.status == S.UNDER_REVIEW
    assert len(events("ecourt.filing.application.submitted", application)) == 1


def test_a_withdrawn_application_cannot_be_submitted(alice):
    draft = draft_application(alice)
    services.application_withdraw(actor=alice, application_id=draft.pk)
    with refused("illegal_transition"):
        services.application_submit(actor=alice, application_id=draft.pk)

    submitted = submitted_application(alice)
    services.application_withdraw(actor=alice, application_id=submitted.pk)
    with refused("illegal_transition"):
        services.application_submit(actor=alice, application_id=submitted.pk)


def test_a_resubmission_starts_a_new_decision_period(alice, clerk, time_machine):
    time_machine.move_to(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False)
    application = submitted_application(alice)
    first = application.deadlines.get(code="filing_decision")
    time_machine.move_to(datetime(2026, 3, 3, 10, tzinfo=SHANGHAI), tick=False)
    services.filing_request_corrections(
        actor=clerk,
        application_id=application.pk,
        items=["Attach the screenshots."],
        due=date(2026, 3, 13),
    )
    first.refresh_from_db()
    assert first.cancelled_at is not None
    time_machine.move_to(datetime(2026, 3, 5, 10, tzinfo=SHANGHAI), tick=False)
    services.evidence_listing_add(
        actor=alice,
        application_id=application.pk,
        title="Screenshots",
        form="web_page",
        purpose="Shows the copying.",
    )
    application = services.application_submit(actor=alice, application_id=application.pk)
    assert application.status == S.UNDER_REVIEW
    assert application.received_on == date(2026, 3, 5)
    first_submission = application.submitted_at.astimezone(SHANGHAI).date()
    assert first_submission == date(2026, 3, 2)
    open_decisions = CaseDeadline.objects.filter(
        application=application, code="filing_decision", cancelled_at__isnull=True
    )
    [second] = open_decisions
    assert (second.start_date, second.due_date, second.start_event) == (
        date(2026, 3, 5),
        date(2026, 3, 12),
        "resubmission after corrections",
    )
    correction = application.deadlines.get(code="correction")
    assert correction.met_at is not None
    [event] = events("ecourt.filing.application.resubmitted", application)
    assert (event.old_values, event.new_values["status"]) == (
        {"status": "corrections_requested"},
        "under_review",
    )


# --- Withdrawal ---------------------------------------------------------------------------------


def test_withdrawing_twice_withdraws_once(alice):
    application = submitted_application(alice)
    for _press in range(2):
        result = services.application_withdraw(actor=alice, application_id=application.pk)
        assert result.status == S.WITHDRAWN
    [event] = events("ecourt.filing.application.withdrawn", application)
    assert (event.old_values, event.new_values) == (
        {"status": "submitted"},
        {"status": "withdrawn"},
    )
    assert not application.deadlines.filter(cancelled_at__isnull=True, met_at__isnull=True).exists()


def test_a_docketed_application_cannot_be_withdrawn(alice, clerk, judge):
    case = docketed_case(alice, clerk)
    with refused("illegal_transition"):
        services.application_withdraw(actor=alice, application_id=case.application_id)
