"""Electronic service of a summons in headless Chromium, as the people involved click through it
(the issue's acceptance test):

Alice v. Beta Tech is docketed and Bob links Beta Tech to it, but never confirms an address for
service, so the court can only use his account's own mobile, unconfirmed. The clerk signs in
(password and authenticator code), opens the case's deliveries and issues a summons to Beta
Tech. The text message with the link appears on the SMS outbox page. The link opened without
signing in leads to the login page and reads nothing; Bob signs in from there, lands on the
summons and reads it. The clerk reloads the deliveries: the summons is served when Bob read it
(rule unconfirmed.read), and its proof of service shows the document's SHA-256 and that time.

Browser tests fail (never skip) when CI=true and Chromium is missing: `make test` installs it.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ecourt.accounts.models import User
from ecourt.accounts.tests.factories import PASSWORD
from ecourt.conftest import totp_now
from ecourt.delivery.models import AddressConfirmation, Delivery, DeliveryStatus
from ecourt.delivery.tests.factories import beta_case, defendant, link_beta
from ecourt.documents.models import CourtDocument

# serialized_rollback: the flush after each test would otherwise also remove the terms and the
# case-type catalogue that data migrations ship.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "Summons to the hearing"
LINK = re.compile(r"https?://\S+/deliveries/\d+/")
BODY = "You are summoned to the online hearing on 2026-12-15 at 09:30 in courtroom 3."


def _context(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    context.set_default_timeout(10_000)
    return context


def _sign_in_here(page: Any, user: User) -> None:
    """Fill the login page the browser is on (and the authenticator step for staff)."""
    page.get_by_label("Mobile number or email").fill(user.mobile)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if user.is_court_staff:
        page.wait_for_url("**/accounts/otp/**")
        page.get_by_label("Code from your authenticator app").fill(totp_now(user))
        page.get_by_role("button", name="Continue").click()


def _signed_in(browser: Any, live_server: Any, user: User) -> Any:
    page = _context(browser, live_server).new_page()
    page.goto("/accounts/login/")
    _sign_in_here(page, user)
    page.wait_for_url("**/accounts/")
    return page


def _text_on_outbox_page(page: Any, mobile: str) -> str:
    """The newest text with a delivery link sent to ``mobile``, as a court administrator reads
    it on the SMS outbox page (the dispatch runs after the issuing request's commit)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        page.goto("/staff/sms-outbox/")
        for row in page.locator("tbody tr").all():  # newest first
            cells = row.locator("td").all_inner_texts()
            if len(cells) == 3 and cells[1] == mobile and LINK.search(cells[2]):
                return cells[2]
        time.sleep(0.2)
    raise AssertionError(f"no delivery link texted to {mobile} on the outbox page")


def test_it_serves_a_summons_on_an_unconfirmed_address_when_the_recipient_reads_it(
    browser, live_server, settings, tmp_path, alice, bob, clerk, judge, admin
):
    # Docketed and linked in Python (the filing flow test clicks through those); the
    # association code is read from the in-memory outbox by link_beta.
    case = beta_case(alice, bob, clerk, judge)
    beta = link_beta(bob, case)
    assert not AddressConfirmation.objects.filter(party=beta).exists()
    # From here on texts go to the file the SMS outbox page reads, with links to this server.
    settings.ECOURT_SMS_BACKEND = "file"
    settings.ECOURT_SMS_FILE_PATH = tmp_path / "sms-outbox.jsonl"
    settings.ECOURT_SMS_OUTBOX_PAGE = True
    settings.ECOURT_PUBLIC_URL = live_server.url

    # --- The clerk issues a summons to Beta Tech ----------------------------------------------
    clerk_page = _signed_in(browser, live_server, clerk)
    deliveries_url = f"/cases/{case.pk}/deliveries/"
    clerk_page.goto(deliveries_url)
    expect(clerk_page.get_by_role("heading", name="Deliveries")).to_be_visible()
    issue_form = clerk_page.locator("form", has=clerk_page.get_by_label("Kind of document"))
    issue_form.get_by_label("Kind of document").select_option(label="Summons")
    issue_form.get_by_label("Title").fill(TITLE)
    issue_form.get_by_label("Text of the document").fill(BODY)
    issue_form.get_by_label("Alice Zhang (Plaintiff)").uncheck()
    issue_form.get_by_label("Beta Tech Co., Ltd. (Defendant)").check()
    issue_form.get_by_role("button", name="Issue and serve").click()
    clerk_page.wait_for_url(f"**{deliveries_url}")
    expect(clerk_page.get_by_text(f"“{TITLE}” is issued and on its way")).to_be_visible()

    document = CourtDocument.objects.get(case=case, title=TITLE)
    [delivery] = Delivery.objects.filter(document=document)
    assert delivery.party_id == defendant(case).pk == beta.pk
    assert delivery.user == bob
    assert [(s["channel"], s.get("address", ""), s["confirmed"]) for s in delivery.plan] == [
        ("inbox", "", False),
        ("sms", bob.mobile, False),
    ]
    summons = clerk_page.locator(f"#delivery-{delivery.pk}")
    expect(summons.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(summons).to_contain_text("Not confirmed by the recipient")
    expect(summons).to_contain_text("Not served yet")

    # The clerk may look at the document; a staff viewing is no read receipt.
    summons.get_by_role("link", name="The document").click()
    clerk_page.wait_for_url(f"**/deliveries/{delivery.pk}/")
    expect(clerk_page.get_by_text("You see this document as court staff")).to_be_visible()
    delivery.refresh_from_db()
    assert delivery.read_at is None

    # --- The text with the link, on the SMS outbox page ----------------------------------------
    admin_page = _signed_in(browser, live_server, admin)
    message = _text_on_outbox_page(admin_page, bob.mobile)
    assert f"A court document is waiting for you: Summons — {case.number}." in message
    found = LINK.search(message)
    assert found is not None
    link = found.group(0)
    assert link == f"{live_server.url}/deliveries/{delivery.pk}/"
    admin_page.context.close()
    delivery.refresh_from_db()
    # In the court inbox since it was issued, and texted: still not served, as nobody read it.
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.sent_at is not None
    assert delivery.served_at is None

    # --- The link opened without signing in: the login page, nothing read ----------------------
    bob_page = _context(browser, live_server).new_page()
    bob_page.goto(link)
    bob_page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    assert parse_qs(urlsplit(bob_page.url).query)["next"] == [f"/deliveries/{delivery.pk}/"]
    expect(bob_page.get_by_role("button", name="Sign in")).to_be_visible()
    delivery.refresh_from_db()
    assert delivery.read_at is None
    assert delivery.served_at is None

    # --- Bob signs in from there and reads the summons ----------------------------------------
    _sign_in_here(bob_page, bob)
    bob_page.wait_for_url(f"**/deliveries/{delivery.pk}/")
    expect(bob_page.get_by_role("heading", name=TITLE)).to_be_visible()
    text = bob_page.locator(
        "section", has=bob_page.get_by_role("heading", name="Text of the document")
    )
    expect(text).to_contain_text(BODY)
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    assert delivery.served_at == delivery.read_at
    assert delivery.served_rule == "unconfirmed.read"
    served = timezone.localtime(delivery.served_at)
    expect(bob_page.get_by_text(f"Served on {served:%Y-%m-%d %H:%M}")).to_be_visible()

    # --- The clerk sees it served and opens the proof of service -------------------------------
    clerk_page.goto(deliveries_url)
    summons = clerk_page.locator(f"#delivery-{delivery.pk}")
    expect(summons).to_contain_text(f"Served {served:%Y-%m-%d %H:%M}")
    expect(summons).to_contain_text(f"{served:%Y-%m-%d %H:%M:%S}")
    expect(summons).to_contain_text("served when the recipient read it")
    expect(summons).to_contain_text("unconfirmed.read")
    summons.get_by_role("link", name="Proof of service").click()
    clerk_page.wait_for_url(f"**/deliveries/{delivery.pk}/proof/")
    expect(clerk_page.get_by_role("heading", name="Proof of service")).to_be_visible()
    facts = clerk_page.locator(
        "section", has=clerk_page.get_by_role("heading", name="How and when")
    )
    expect(facts).to_contain_text(document.sha256)
    shown = facts.locator("dt", has_text=re.compile(r"^Served$")).locator("+ dd").inner_text()
    assert datetime.fromisoformat(shown.strip()) == delivery.served_at.replace(microsecond=0)
    expect(facts).to_contain_text("unconfirmed.read")
    expect(facts).to_contain_text("SPC Online Litigation Rules (2021) Art. 31")

    for viewer in (clerk_page, bob_page):
        viewer.context.close()
