"""The whole filing flow in headless Chromium, as the people involved click through it:

a self-represented plaintiff (Alice, on a phone) files a copyright case through the wizard; the
filing clerk asks for a correction; Alice fixes it and resubmits; she pays (practice payment);
the clerk accepts; the defendant's representative (Bob for Beta Tech) links to the case with
the association code texted to him, reads the complaint and answers; both see the docket.

Browser tests fail (never skip) when CI=true and Chromium is missing: `make test` installs it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ecourt.accounts.models import User
from ecourt.accounts.tests.factories import PASSWORD
from ecourt.cases.models import Application, ApplicationStatus, Case, PartySide
from ecourt.cases.services.filing import ASSOCIATION_ALPHABET
from ecourt.cases.tests.factories import BETA_USCC, company_for, consent
from ecourt.conftest import totp_now
from ecourt.core import sms

# serialized_rollback: the flush after each test would otherwise also remove the terms and the
# case-type catalogue that data migrations ship.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 740}


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


def _continue(page: Any) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def _association_code(mobile: str) -> str:
    pattern = re.compile(rf"\b([{ASSOCIATION_ALPHABET}]{{8}})\b")
    for message in reversed(sms.outbox):
        if message.to == mobile:
            found = pattern.search(message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no association code was texted to {mobile}")


def test_it_files_corrects_dockets_links_and_answers_a_copyright_case(
    browser, live_server, settings, alice, bob, clerk, judge
):
    settings.ECOURT_PAYMENT_PROVIDER = "sandbox"
    consent(alice)
    company_for(bob)

    # --- Alice files on her phone -------------------------------------------------------------
    page = _signed_in(browser, live_server, alice, phone=True)
    page.goto("/applications/new/")
    page.get_by_label("For myself").check()
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/step/case_type/")

    page.get_by_label("A contract signed or performed offline").check()
    _continue(page)
    assert page.get_by_text("This court cannot hear your dispute").is_visible()
    assert page.get_by_text("CPL Art. 24").is_visible()
    page.get_by_label(
        "Infringement of copyright or neighbouring rights in works published or spread online"
    ).check()
    _continue(page)
    page.wait_for_url("**/step/jurisdiction/")
    _continue(page)
    page.wait_for_url("**/step/plaintiffs/")
    assert page.get_by_text(alice.identity_verifications.get().legal_name).first.is_visible()
    _continue(page)

    page.wait_for_url("**/step/defendants/")
    page.get_by_label("Company or organisation").check()
    page.get_by_label("Full legal name").fill("Beta Tech Co., Ltd.")
    page.get_by_label("ID number").fill(BETA_USCC)
    page.get_by_label("Legal representative (companies only)").fill("Li Beta")
    page.get_by_label("Mobile number").fill(bob.mobile)
    _continue(page)

    page.wait_for_url("**/step/agents/")
    _continue(page)
    page.wait_for_url("**/step/claims/")
    page.get_by_label("Amount in yuan, if this claim asks for money").fill("1.234")
    page.get_by_label("What do you ask the court to order?").fill(
        "Pay damages for copying my photographs."
    )
    _continue(page)
    assert page.get_by_text("at most two decimal places").is_visible()
    page.get_by_label("Amount in yuan, if this claim asks for money").fill("50000")
    _continue(page)

    page.wait_for_url("**/step/facts/")
    page.get_by_label("Facts and reasons").fill(
        "Beta Tech published twelve of my photographs on its website without permission."
    )
    _continue(page)
    page.wait_for_url("**/step/evidence/")
    page.get_by_label("Title").fill("Screenshots of the website")
    page.get_by_label("What kind of evidence is it?").select_option("web_page")
    page.get_by_label("What does it prove?").fill("The photographs were published.")
    _continue(page)

    page.wait_for_url("**/step/delivery/")
    page.get_by_label(
        "These details are right, and I will keep them reachable while the case lasts"
    ).check()
    _continue(page)
    page.wait_for_url("**/step/fees/")
    assert page.get_by_text("1,050.00").first.is_visible()
    _continue(page)

    page.wait_for_url("**/step/review/")
    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_url(re.compile(r".*/applications/\d+/$"))
    application = Application.objects.get(created_by=alice)
    assert application.status == ApplicationStatus.SUBMITTED

    # --- The clerk asks for a correction --------------------------------------------------------
    clerk_page = _signed_in(browser, live_server, clerk)
    clerk_page.goto("/filing/")
    clerk_page.get_by_role("link", name=str(application.pk), exact=True).first.click()
    clerk_page.get_by_role("button", name="Start review").click()
    clerk_page.get_by_label("What to correct").fill("Give the date each photograph was taken.")
    clerk_page.get_by_role("button", name="Send the request for corrections").click()
    clerk_page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTIONS_REQUESTED

    # --- Alice corrects, resubmits and pays -----------------------------------------------------
    page.goto(f"/applications/{application.pk}/")
    assert page.get_by_text("Give the date each photograph was taken.").is_visible()
    page.get_by_role("link", name="Make the corrections").click()
    page.goto(f"/applications/{application.pk}/step/facts/")
    page.get_by_label("Facts and reasons").fill(
        "Beta Tech published twelve of my photographs, taken on 2026-02-14, on its website "
        "without permission."
    )
    _continue(page)
    page.goto(f"/applications/{application.pk}/step/review/")
    page.get_by_role("button", name="Submit the corrected application").click()
    page.wait_for_url(f"**/applications/{application.pk}/")
    page.get_by_role("button", name="Pay the fee").click()
    page.get_by_role("button", name="Pay now (practice payment)").click()
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW

    # --- The clerk accepts --------------------------------------------------------------------
    clerk_page.goto(f"/filing/{application.pk}/")
    clerk_page.get_by_role("button", name="Accept and docket the case").click()
    clerk_page.wait_for_load_state()
    case = Case.objects.get(application=application)
    assert re.fullmatch(r"\(\d{4}\)京0491民初1号", case.number)

    # --- Bob links for Beta Tech and answers ----------------------------------------------------
    code = _association_code(bob.mobile)
    bob_page = _signed_in(browser, live_server, bob, phone=True)
    bob_page.goto("/cases/link/")
    bob_page.get_by_label("Case number").fill(case.number)
    bob_page.get_by_label("Association code").fill("WRONG123")
    bob_page.get_by_role("button", name="Link the case").click()
    assert bob_page.get_by_text("is not right").is_visible()
    bob_page.get_by_label("Association code").fill(code)
    bob_page.get_by_role("button", name="Link the case").click()
    bob_page.wait_for_url(f"**/cases/{case.pk}/")
    bob_page.get_by_role("link", name="Read the complaint").first.click()
    assert bob_page.get_by_text("twelve of my photographs").first.is_visible()
    bob_page.goto(f"/cases/{case.pk}/")
    bob_page.get_by_label("Answer (答辩状)").check()
    bob_page.get_by_label("Text").fill("Beta Tech removed the photographs the day it was told.")
    bob_page.get_by_role("button", name="File", exact=True).click()
    bob_page.wait_for_load_state()

    defendant = case.parties.get(side=PartySide.DEFENDANT)
    assert defendant.user == bob
    assert defendant.responses.get().kind == "answer"

    # --- Both see the docket --------------------------------------------------------------------
    for viewer in (page, bob_page):
        viewer.goto(f"/cases/{case.pk}/")
        assert viewer.get_by_role("heading", name="Docket").is_visible()
        text = viewer.locator("main").inner_text()
        assert "Complaint filed online by Alice Zhang" in text
        assert "Case docketed as" in text
        assert "Defendant Beta Tech Co., Ltd. linked to the case online" in text
        assert "Complaint served on Beta Tech Co., Ltd." in text
        assert "filed by Beta Tech Co., Ltd." in text
    for viewer in (page, clerk_page, bob_page):
        viewer.context.close()
