"""A person signs up on a phone-sized screen in headless Chromium, as they would for real: the
code is read from the SMS outbox page by a court administrator in a second browser.

Browser tests fail (never skip) when CI=true and Chromium is missing: `make test` installs it.
"""

from __future__ import annotations

import re
import time

import pytest
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts.models import ReviewStatus, User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import PASSWORD, VerifiedUserFactory, valid_ric
from ecourt.conftest import totp_now

# serialized_rollback: the flush after each test would otherwise also remove the terms of
# online litigation that a data migration published.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _read_code_from_outbox_page(browser, live_server, mobile: str) -> str:
    """A court administrator opens the SMS outbox page in their own browser and reads the
    newest code sent to ``mobile``, as a person trying ecourt locally would."""
    admin = VerifiedUserFactory(display_name="Admin Zhao", roles=[Role.COURT_ADMIN])
    TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    context = browser.new_context(locale="en-US", base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Mobile number or email").fill(admin.mobile)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/otp/**")
    page.get_by_label("Code from your authenticator app").fill(totp_now(admin))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/accounts/")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        page.goto("/staff/sms-outbox/")
        for row in page.locator("tbody tr").all():
            cells = row.locator("td").all_inner_texts()
            if len(cells) == 3 and cells[1] == mobile:
                match = re.search(r"(?<!\d)(\d{6})(?!\d)", cells[2])
                if match:
                    context.close()
                    return match.group(1)
        time.sleep(0.2)
    context.close()
    raise AssertionError(f"no code for {mobile} on the outbox page")


def test_it_registers_verifies_signs_in_and_switches_to_chinese(
    browser, live_server, settings, tmp_path
):
    outbox = tmp_path / "sms-outbox.jsonl"
    settings.ECOURT_SMS_BACKEND = "file"
    settings.ECOURT_SMS_FILE_PATH = outbox
    settings.ECOURT_SMS_OUTBOX_PAGE = True
    context = browser.new_context(
        locale="en-US", viewport={"width": 360, "height": 740}, base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    password = "a-long-secret-2026"

    page.goto("/accounts/register/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Your name").fill("Mei Lin")
    page.get_by_label("Mobile number").fill("139 1234 5678")
    page.get_by_label("Language:").select_option("en")
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Send me a code").click()

    page.wait_for_url("**/accounts/register/verify/")
    code = _read_code_from_outbox_page(browser, live_server, "+8613912345678")
    page.get_by_label("6-digit code").fill(code)
    page.get_by_role("button", name="Create my account").click()

    page.wait_for_url("**/accounts/identity/")
    page.get_by_label("Full legal name").fill("林美")
    page.get_by_label("Document number").fill(valid_ric(serial=44))
    page.get_by_role("button", name="Verify").click()

    page.wait_for_url("**/accounts/terms/")
    page.get_by_label("I have read these terms").check()
    page.get_by_role("button", name="I agree").click()
    page.wait_for_url("**/accounts/")
    assert page.get_by_text("Identity verified").is_visible()

    user = User.objects.get(mobile="+8613912345678")
    assert user.is_identity_verified
    assert user.identity_verifications.get().status == ReviewStatus.VERIFIED
    assert user.consents.filter(withdrawn_at__isnull=True).exists()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/")
    page.goto("/accounts/login/")
    page.get_by_label("Mobile number or email").fill("13912345678")
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/")

    page.get_by_label("语言 / Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    with translation.override("zh-hans"):
        chinese_sign_out = translation.gettext("Sign out")
        chinese_heading = translation.gettext("Ready to litigate online?")
    assert chinese_sign_out != "Sign out", "the zh-hans catalog is not compiled"
    assert page.get_by_role("button", name=chinese_sign_out).is_visible()
    assert page.get_by_text(chinese_heading).is_visible()
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
    context.close()
