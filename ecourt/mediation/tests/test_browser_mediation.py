"""A diverted copyright dispute is mediated to a signed settlement, in headless Chromium, as
the people involved click through it:

Alice (on a phone) submits a copyright application asking to try mediation first, so it is
diverted; the mediator accepts it from "My mediations"; Bob joins for Beta Tech with the
mediation number and the association code texted to the defendant; the mediator writes in the
joint conversation and privately to Beta Tech (Alice must not see that); a proposal, which
both accept; the mediator drafts the agreement; Alice and Bob each sign with a texted code;
both see the dispute settled, apply for judicial confirmation and see the 民特 case number.

Browser tests fail (never skip) when CI=true and Chromium is missing: `make test` installs it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from ecourt.accounts.models import User
from ecourt.accounts.tests.factories import PASSWORD
from ecourt.cases.models import ApplicationStatus
from ecourt.cases.tests.factories import company_for, draft_application
from ecourt.conftest import code_sent_to, totp_now
from ecourt.mediation.models import MediationStatus
from ecourt.mediation.tests.factories import (
    defendant_of,
    mediation_code_sent_to,
    mediation_of,
    registered_mediator,
)

# serialized_rollback: the flush after each test would otherwise also remove the terms and the
# case-type catalogue that data migrations ship.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 740}
TERMS = "Beta Tech pays Alice Zhang 20,000 yuan by 31 December and removes the photographs."
JOINT = "Welcome, both of you. Let us look for a fair way to settle."
CAUCUS = "Between us: could Beta Tech go up to 20,000 yuan?"


def _signed_in(browser: Any, live_server: Any, user: User, *, phone: bool = False) -> Any:
    context = browser.new_context(
        locale="en-US", base_url=live_server.url, viewport=PHONE if phone else None
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Mobile number or email").fill(user.mobile)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if user.is_court_staff:
        page.wait_for_url("**/accounts/otp/**")
        page.get_by_label("Code from your authenticator app").fill(totp_now(user))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/")
    return page


def _main(page: Any) -> str:
    return page.locator("main").inner_text()


def _answer_proposal(page: Any, room_url: str) -> None:
    page.goto(room_url)
    proposal = page.locator("#proposal-1")
    assert TERMS in proposal.inner_text()
    proposal.get_by_label("Accept", exact=True).check()
    proposal.get_by_role("button", name="Send my answer").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your answer is recorded.")).to_be_visible()


def _sign(page: Any, room_url: str, person: User) -> None:
    page.goto(room_url)
    agreement = page.locator("#agreement")
    assert TERMS in agreement.locator("pre").inner_text()
    agreement.get_by_role("button", name="Send me a code").click()
    page.wait_for_load_state()
    expect(page.get_by_text("We sent a code to")).to_be_visible()
    # The code is texted to the signer's own mobile (the console SMS backend's outbox).
    page.get_by_label("Code from the text message").fill(code_sent_to(person.mobile))
    page.get_by_role("button", name="Sign with this code").click()
    page.wait_for_load_state()


def test_it_mediates_a_diverted_copyright_dispute_to_a_signed_settlement(
    browser, live_server, alice, bob, mediator, admin, judge
):
    registered_mediator(mediator, admin)
    company_for(bob)
    # The draft comes from the factory (the wizard itself is covered by the filing flow test);
    # the ADR preference and the submission go through the wizard's fees and review pages.
    application = draft_application(alice)

    # --- Alice asks to try mediation first and submits, on her phone ---------------------------
    page = _signed_in(browser, live_server, alice, phone=True)
    page.goto(f"/applications/{application.pk}/step/fees/")
    page.get_by_label("Try online mediation first").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/step/review/")
    expect(page.get_by_text("Try online mediation first: yes")).to_be_visible()
    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_url(f"**/applications/{application.pk}/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DIVERTED
    mediation = mediation_of(application)
    mediation_section = page.locator("section", has=page.locator("#mediation-h"))
    assert mediation.number in mediation_section.inner_text()
    assert "Assigned, waiting for the mediator to accept" in mediation_section.inner_text()
    page.get_by_role("link", name="Go to the mediation room").click()
    page.wait_for_url(f"**/mediation/{mediation.pk}/")
    room_url = page.url
    expect(page.get_by_text("The room opens when a mediator takes the matter on.")).to_be_visible()

    # --- The mediator accepts from "My mediations" ---------------------------------------------
    mediator_page = _signed_in(browser, live_server, mediator)
    mediator_page.get_by_role("link", name="My mediations").click()
    mediator_page.wait_for_url("**/mediation/mine/")
    expect(mediator_page.get_by_role("link", name=mediation.number)).to_be_visible()
    mediator_page.get_by_role("button", name=f"Take on {mediation.number}").click()
    mediator_page.wait_for_url(f"**/mediation/{mediation.pk}/")
    expect(mediator_page.get_by_text("You took the matter on.")).to_be_visible()
    assert "Mediation in progress" in mediator_page.locator("#summary").inner_text()
    assert (
        "took the matter on; the room is open." in mediator_page.locator("#timeline").inner_text()
    )

    # --- Bob joins for Beta Tech with the texted association code ------------------------------
    bob_page = _signed_in(browser, live_server, bob, phone=True)
    bob_page.goto("/mediation/link/")
    bob_page.get_by_label("Mediation number").fill(mediation.number)
    bob_page.get_by_label("Association code").fill("WRONG234")
    bob_page.get_by_role("button", name="Join the mediation").click()
    bob_page.wait_for_load_state()
    expect(bob_page.get_by_text("the association code is not right")).to_be_visible()
    bob_page.get_by_label("Association code").fill(mediation_code_sent_to())
    bob_page.get_by_role("button", name="Join the mediation").click()
    bob_page.wait_for_url(f"**/mediation/{mediation.pk}/")
    expect(bob_page.get_by_text("You joined the mediation as Beta Tech Co., Ltd.")).to_be_visible()
    assert "Beta Tech Co., Ltd. joined the mediation online." in _main(bob_page)
    defendant = defendant_of(mediation)
    assert defendant.user == bob

    # --- The mediator writes jointly and privately to Beta Tech --------------------------------
    mediator_page.goto(room_url)
    joint_form = mediator_page.locator("#thread-joint-form")
    joint_form.get_by_label("Message").fill(JOINT)
    joint_form.get_by_role("button", name="Send").click()
    mediator_page.wait_for_load_state()
    expect(mediator_page.get_by_text("Your message is posted.")).to_be_visible()
    caucus = mediator_page.locator(f"#thread-{defendant.pk}")
    assert "Private conversation with Beta Tech Co., Ltd." in caucus.inner_text()
    caucus.get_by_label("Message").fill(CAUCUS)
    caucus.get_by_role("button", name="Send").click()
    expect(mediator_page.locator(f"#thread-{defendant.pk} ol")).to_contain_text(CAUCUS)

    page.goto(room_url)
    assert JOINT in page.locator("#thread-joint").inner_text()
    assert CAUCUS not in _main(page)
    assert "Private conversation" not in _main(page)
    bob_page.goto(room_url)
    assert JOINT in bob_page.locator("#thread-joint").inner_text()
    assert CAUCUS in bob_page.locator(f"#thread-{defendant.pk}").inner_text()
    assert "Private conversation of Beta Tech Co., Ltd. with the mediator" in _main(bob_page)

    # --- A proposal, which both accept ---------------------------------------------------------
    mediator_page.goto(room_url)
    mediator_page.get_by_label("Proposed terms").fill(TERMS)
    mediator_page.get_by_role("button", name="Put it to the parties").click()
    mediator_page.wait_for_load_state()
    expect(mediator_page.get_by_text("Proposal no. 1 is put to the parties.")).to_be_visible()
    _answer_proposal(page, room_url)
    _answer_proposal(bob_page, room_url)
    mediator_page.goto(room_url)
    answers = mediator_page.locator("#proposal-1").inner_text()
    assert "Alice Zhang: Accept" in answers
    assert "Beta Tech Co., Ltd.: Accept" in answers

    # --- The mediator drafts the agreement (the accepted terms are prefilled) ------------------
    assert mediator_page.get_by_label("Agreed terms").input_value() == TERMS
    mediator_page.get_by_role("button", name="Put the agreement up for signature").click()
    mediator_page.wait_for_load_state()
    expect(mediator_page.get_by_text("Agreement version 1 is ready")).to_be_visible()

    # --- Alice and Bob sign with texted codes --------------------------------------------------
    _sign(page, room_url, alice)
    expect(
        page.get_by_text("You signed. The agreement takes effect when every party has signed.")
    ).to_be_visible()
    assert "Beta Tech Co., Ltd.: not signed yet" in page.locator("#agreement").inner_text()
    _sign(bob_page, room_url, bob)
    expect(
        bob_page.get_by_text("You signed. Every party has signed: the agreement is in effect.")
    ).to_be_visible()

    # --- Both see it settled -------------------------------------------------------------------
    for viewer in (page, bob_page):
        viewer.goto(room_url)
        assert "Settled" in viewer.locator("#summary").inner_text()
        assert "every party signed." in viewer.locator("#agreement").inner_text()
        timeline = viewer.locator("#timeline").inner_text()
        assert "Alice Zhang signed settlement agreement version 1" in timeline
        assert "Beta Tech Co., Ltd. signed settlement agreement version 1" in timeline
        assert "Every party signed: the settlement agreement is in effect" in timeline
    assert CAUCUS not in _main(page)
    page.goto(f"/applications/{application.pk}/")
    assert "Settled" in page.locator("section", has=page.locator("#mediation-h")).inner_text()
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.SETTLED

    # --- Both apply for judicial confirmation --------------------------------------------------
    page.goto(room_url)
    page.get_by_role("button", name="Apply for judicial confirmation").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your application is recorded.")).to_be_visible()
    bob_page.goto(room_url)
    bob_page.get_by_role("button", name="Apply for judicial confirmation").click()
    bob_page.wait_for_load_state()
    expect(bob_page.get_by_text("The court docketed case")).to_be_visible()
    mediation.refresh_from_db()
    assert mediation.confirmation_case is not None
    number = mediation.confirmation_case.number
    assert re.fullmatch(r"\(\d{4}\)京0491民特\d+号", number)
    for viewer in (page, bob_page):
        viewer.goto(room_url)
        expect(viewer.get_by_role("link", name=f"Follow case {number}")).to_be_visible()
        assert (
            f"judicial confirmation docketed as {number}"
            in viewer.locator("#timeline").inner_text()
        )

    for viewer in (page, mediator_page, bob_page):
        viewer.context.close()
