"""A whole trial online in headless Chromium, as the people involved click through it (the
acceptance test of issue 7), in the English interface:

Alice v. Beta Tech is ready for a hearing (Bob linked Beta Tech and answered; evidence
exchange is open) and Alice confirmed her addresses with consent to electronic service of
decisions. Judge Wang schedules a hearing on the case's hearings page; the summons goes to
both parties. On the day, the judge, the clerk (Assistant Sun), Alice and Bob each open the
hearing room: Alice and Bob pass the identity check with a code texted to them (the judge and
the clerk signed in with their authenticator and take none). The judge begins; what the clerk
types into the record appears on Alice's and Bob's pages without a reload; the judge ends the
hearing, the clerk closes the record and Alice signs it with a fresh code. The judge drafts,
previews and issues the judgment; Alice and Bob open it from their notifications and download
its signed PDF. Once every appeal period is over, the worker's sweep closes the case, and the
case page says so.

Time: the live server runs in this process, so time-machine moves its clock too (the browser
keeps the real one, which only its own timers use). Sessions last 12 hours, so people sign in
again after each jump in time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ecourt.accounts.models import User
from ecourt.accounts.tests.factories import PASSWORD
from ecourt.cases.models import CaseDeadline, CaseStatus
from ecourt.conftest import totp_now
from ecourt.core import sms
from ecourt.core.selectors import court_calendar
from ecourt.delivery.models import Delivery
from ecourt.delivery.tests.factories import confirm, defendant, plaintiff
from ecourt.documents.decisions import decisions_settle
from ecourt.documents.models import CourtDocument, DocumentKind
from ecourt.hearings.models import CourtRecord, Hearing, HearingStatus
from ecourt.hearings.tests.factories import (
    assistant,
    case_ready_for_hearing,
    courtroom,
    ensure_seal,
)

# serialized_rollback: the flush after each test would otherwise also remove the terms and the
# case-type catalogue that data migrations ship.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECORD_TEXT = "Judge: the hearing of Alice Zhang v. Beta Tech is open. Both parties are present."
REASONING = "the defendant used the plaintiff's photographs on its website without a licence."
DECISION = "The defendant shall pay the plaintiff 20,000 yuan within ten days."
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
#: How long a live page may take to show what someone else did (the room polls every 2 s and
#: the clerk's textarea autosaves 1.5 s after the last keystroke).
LIVE_MS = 6_000


# --- Helpers ----------------------------------------------------------------------------------


@pytest.fixture
def signed_in(browser: Any, live_server: Any) -> Iterator[Callable[[User], Any]]:
    """``signed_in(user)``: a page in a new browser context (its own cookies), in English,
    signed in as ``user``. Contexts still open at the end are closed before the live server
    and the database go away (their pages poll the server)."""
    contexts: list[Any] = []

    def _open(user: User) -> Any:
        context = browser.new_context(locale="en-US", base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return _sign_in(context.new_page(), user)

    yield _open
    for context in contexts:
        context.close()


def _sign_in(page: Any, user: User) -> Any:
    """Sign ``page`` in as ``user``; staff pass the authenticator step."""
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


def _texts_to(mobile: str) -> int:
    return sum(1 for message in sms.outbox if message.to == mobile)


def _code_texted(mobile: str, after: int) -> str:
    """The one-time code in the first text to ``mobile`` after the ``after`` texts it already
    had (the in-memory SMS outbox: the live server runs in this process)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in [m for m in sms.outbox if m.to == mobile][after:]:
            found = CODE.search(message.body)
            if found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no new code texted to {mobile}")


def _hearing_day() -> date:
    """The first working day at least four days away (the summons needs three days' notice;
    a weekend or holiday would only add a warning, which this test does not look at)."""
    calendar = court_calendar()
    day = timezone.localdate() + timedelta(days=4)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def _join(page: Any, user: User, hearing: Hearing) -> None:
    """Open the hearing room and pass the identity check with the code texted to ``user``."""
    page.goto(f"/hearings/{hearing.pk}/room/")
    expect(page.get_by_role("heading", name="Check your identity to join")).to_be_visible()
    before = _texts_to(user.mobile)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_text("We sent a code to")).to_be_visible()
    page.get_by_label("Code from the text message").fill(_code_texted(user.mobile, before))
    page.get_by_role("button", name="Join the hearing").click()
    expect(
        page.get_by_text("Your identity is checked: you have joined the hearing.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Court record")).to_be_visible()


def _open_judgment_and_download_pdf(page: Any, delivery: Delivery, document: CourtDocument) -> None:
    """From the notification centre to the judgment (the read receipt), then its signed PDF."""
    page.goto("/notifications/")
    page.locator(f"#delivery-{delivery.pk}").get_by_role("link").click()
    page.wait_for_url(f"**/deliveries/{delivery.pk}/")
    expect(page.get_by_role("heading", name=document.title)).to_be_visible()
    text = page.locator("section", has=page.get_by_role("heading", name="Text of the document"))
    expect(text).to_contain_text(REASONING)
    expect(text).to_contain_text(DECISION)
    link = page.get_by_role("link", name="Download the signed PDF")
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    with open(path, "rb") as downloaded:
        assert downloaded.read(5) == b"%PDF-"
    response = page.context.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"


# --- The trial --------------------------------------------------------------------------------


def test_a_case_is_heard_online_decided_and_closed(
    signed_in, time_machine, alice, bob, clerk, judge
):
    ensure_seal()
    case = case_ready_for_hearing(alice, bob, clerk, judge)
    sun = assistant()
    room = courtroom()
    confirm(alice, case, plaintiff(case))
    assert case.status == CaseStatus.EVIDENCE_EXCHANGE

    # --- The judge schedules the hearing ---------------------------------------------------------
    day = _hearing_day()
    starts = timezone.make_aware(datetime.combine(day, clock(9, 30)))
    judge_page = signed_in(judge)
    judge_page.goto(f"/cases/{case.pk}/")
    judge_page.get_by_role("link", name="Hearings", exact=True).click()
    judge_page.wait_for_url(f"**/cases/{case.pk}/hearings/")
    expect(judge_page.get_by_text("No hearing has been scheduled in this case.")).to_be_visible()
    form = judge_page.locator("form", has=judge_page.get_by_label("Starts at (Beijing time)"))
    form.get_by_label("Starts at (Beijing time)").fill(f"{day:%Y-%m-%d}T09:30")
    form.get_by_label("Length in minutes").fill("60")
    form.get_by_label("Courtroom").select_option(label=room.name)
    form.get_by_label("Clerk keeping the record").select_option(label=sun.display_name)
    form.get_by_role("button", name="Schedule and issue the summons").click()
    judge_page.wait_for_url(f"**/cases/{case.pk}/hearings/")
    expect(
        judge_page.get_by_text("Hearing scheduled; the summons is being served.")
    ).to_be_visible()
    listed = judge_page.get_by_role("row", name=re.compile(f"{day:%Y-%m-%d} 09:30–10:30"))
    expect(listed).to_contain_text(room.name)
    expect(listed).to_contain_text("Scheduled")

    hearing = Hearing.objects.get(case=case)
    assert (hearing.starts_at, hearing.clerk, hearing.courtroom) == (starts, sun, room)
    assert hearing.status == HearingStatus.SCHEDULED
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARING_SCHEDULED
    summons = Delivery.objects.filter(document_id=hearing.summons_id)
    assert {(d.party_id, d.user_id) for d in summons} == {
        (plaintiff(case).pk, alice.pk),
        (defendant(case).pk, bob.pk),
    }
    # Alice confirmed her mobile: the text reaching it served her. Bob confirmed nothing: the
    # summons waits in his court inbox until he reads it.
    assert summons.get(user=alice).served_at is not None
    assert summons.get(user=bob).delivered_at is not None
    judge_page.context.close()

    # --- The hearing: everyone joins, the record is live -----------------------------------------
    time_machine.move_to(starts - timedelta(minutes=10), tick=True)
    judge_page = signed_in(judge)
    clerk_page = signed_in(sun)
    alice_page = signed_in(alice)
    bob_page = signed_in(bob)
    # The judge and the clerk signed in with their authenticator: no texted code for them.
    for page in (judge_page, clerk_page):
        page.goto(f"/hearings/{hearing.pk}/room/")
        expect(page.get_by_role("heading", name="Court record")).to_be_visible()
        expect(page.get_by_role("heading", name="Check your identity to join")).to_have_count(0)
    # The parties' people pass the identity check with a code texted to them.
    for page, user in ((alice_page, alice), (bob_page, bob)):
        _join(page, user, hearing)
    for page in (clerk_page, alice_page, bob_page):
        expect(
            page.get_by_text("The record opens when the judge begins the hearing.")
        ).to_be_visible()

    judge_page.get_by_role("button", name="Begin the hearing").click()
    expect(judge_page.get_by_text("The hearing has begun.")).to_be_visible()
    expect(judge_page.get_by_role("button", name="End the hearing")).to_be_visible()
    # The others' pages notice the new status on their next poll and reload themselves.
    record_box = clerk_page.get_by_role("textbox", name="Court record")
    expect(record_box).to_be_editable(timeout=LIVE_MS)
    viewers = (alice_page, bob_page)
    for page in viewers:
        expect(page.locator("[data-record-text]")).to_be_attached(timeout=LIVE_MS)
        expect(page.locator("[data-room-status]")).to_have_text("In progress")
        # A mark that a reload would wipe out.
        page.evaluate("window.__stillTheSamePage = true")

    record_box.press_sequentially(RECORD_TEXT, delay=5)
    for page in viewers:
        expect(page.locator("[data-record-text]")).to_have_text(RECORD_TEXT, timeout=LIVE_MS)
        assert page.evaluate("window.__stillTheSamePage === true")
    expect(clerk_page.locator("[data-record-status]")).to_have_text(re.compile(r"^Saved"))
    record = CourtRecord.objects.get(hearing=hearing)
    assert record.text == RECORD_TEXT

    judge_page.get_by_role("button", name="End the hearing").click()
    expect(
        judge_page.get_by_text("The hearing has ended. The clerk now closes the record")
    ).to_be_visible()
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.ENDED
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD

    # The clerk's room reloads on the status change and links to the record page.
    record_link = clerk_page.get_by_role("link", name="The record page: hash, signatures")
    record_link.click(timeout=LIVE_MS)
    clerk_page.wait_for_url(f"**/records/{record.pk}/")
    clerk_page.get_by_role("button", name="Close the record for signature").click()
    expect(clerk_page.get_by_text("The record is closed: its text is frozen")).to_be_visible()
    record.refresh_from_db()
    assert record.is_closed and record.sha256
    expect(clerk_page.locator("[data-record-sha256]")).to_have_text(record.sha256)

    alice_page.get_by_role("link", name="The record page: hash, signatures").click(timeout=LIVE_MS)
    alice_page.wait_for_url(f"**/records/{record.pk}/")
    expect(alice_page.locator("pre.document-text")).to_have_text(RECORD_TEXT)
    before = _texts_to(alice.mobile)
    alice_page.get_by_role("button", name="Send me a code").click()
    expect(alice_page.get_by_text("Enter it below to sign.")).to_be_visible()
    sign = alice_page.locator("#sign")
    sign.get_by_label("Code from the text message").fill(_code_texted(alice.mobile, before))
    sign.get_by_role("button", name="Sign with this code").click()
    expect(alice_page.get_by_text("You signed the record.")).to_be_visible()
    signatures = alice_page.locator("#signatures")
    expect(signatures).to_contain_text("Alice Zhang: signed on")
    assert record.signatures.filter(user=alice).exists()
    for page in (clerk_page, bob_page):
        page.context.close()

    # --- The judgment ----------------------------------------------------------------------------
    judge_page.goto(f"/cases/{case.pk}/")
    judge_page.get_by_role("link", name="Judgments and rulings").click()
    judge_page.wait_for_url(f"**/cases/{case.pk}/decisions/")
    judge_page.get_by_label("Kind").select_option(label="Judgment")
    judge_page.get_by_label("Language of the document").select_option(label="English")
    judge_page.get_by_role("button", name="Start the draft").click()
    judge_page.wait_for_url(re.compile(r"/drafts/\d+/$"))
    expect(judge_page.get_by_text("The document cannot be issued yet:")).to_be_visible()
    judge_page.get_by_label("Reasoning").fill(REASONING)
    judge_page.get_by_label("Decision").fill(DECISION)
    judge_page.get_by_label("Part of the court fee the defendants bear (yuan)").fill(
        str(case.fee_amount)
    )
    judge_page.get_by_role("button", name="Save the draft").click()
    expect(judge_page.get_by_text("Draft saved.")).to_be_visible()
    preview = judge_page.locator("section", has=judge_page.get_by_role("heading", name="Preview"))
    expect(preview.locator("pre")).to_contain_text(f"The court holds: {REASONING}")
    expect(preview.locator("pre")).to_contain_text(DECISION)
    expect(preview.locator("pre")).to_contain_text("Clerk: Assistant Sun")
    # Rendering and sealing the PDF takes a few seconds.
    preview.get_by_role("button", name="Issue and serve").click(timeout=60_000)
    expect(judge_page.get_by_text("issued and sent for service to every party.")).to_be_visible(
        timeout=60_000
    )
    expect(judge_page.get_by_role("link", name="Download the signed PDF")).to_be_visible()

    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    judgment = CourtDocument.objects.get(case=case, kind=DocumentKind.JUDGMENT)
    assert judgment.pdf_id is not None
    deliveries = {d.user_id: d for d in Delivery.objects.filter(document=judgment)}
    assert set(deliveries) == {alice.pk, bob.pk}
    bob_page = signed_in(bob)  # his browser was closed after the hearing
    for page, user in ((alice_page, alice), (bob_page, bob)):
        _open_judgment_and_download_pdf(page, deliveries[user.pk], judgment)
    for delivery in deliveries.values():
        delivery.refresh_from_db()
    # Alice consented to electronic service of decisions: served when it reached her. Bob
    # confirmed no address: served when he read it on the platform.
    assert deliveries[alice.pk].served_rule.startswith("confirmed."), deliveries[alice.pk].plan
    assert deliveries[bob.pk].served_rule == "unconfirmed.read"
    for page in (judge_page, alice_page, bob_page):
        page.context.close()

    # --- Nobody appeals: the case closes by judgment ---------------------------------------------
    periods = CaseDeadline.objects.filter(case=case, code="appeal_judgment")
    assert periods.count() == 2
    last_due = max(period.due_date for period in periods)
    time_machine.move_to(
        timezone.make_aware(datetime.combine(last_due + timedelta(days=1), clock(10))), tick=True
    )
    assert decisions_settle() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED

    judge_page = signed_in(judge)
    judge_page.goto(f"/cases/{case.pk}/")
    facts = judge_page.locator("dl.facts").first
    expect(facts.locator("dt", has_text=re.compile(r"^Status$")).locator("+ dd")).to_have_text(
        "Closed"
    )
    expect(facts.locator("dt", has_text=re.compile(r"^Closed$")).locator("+ dd")).to_have_text(
        f"Judgment, {timezone.localdate():%Y-%m-%d}"
    )
    judge_page.context.close()
