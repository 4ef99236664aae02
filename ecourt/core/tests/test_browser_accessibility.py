"""Automated WCAG 2.2 AA checks (axe-core) of every page, in both languages, at phone width.

axe-core comes from the npm registry (package.json; `make test` runs npm ci). It catches what
machines can: missing labels and names, contrast, landmarks, duplicate ids, language of the
page. It does not replace trying the pages with a screen reader.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import PASSWORD, UserFactory, VerifiedUserFactory
from ecourt.conftest import totp_now

AXE = Path(__file__).resolve().parents[3] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# serialized_rollback: the flush after each test would otherwise also remove the terms of
# online litigation that a data migration published.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PUBLIC = [
    "core:home",
    "accounts:login",
    "accounts:register",
    "accounts:password_reset",
    "stats:public",
]
PERSONAL = [
    "accounts:dashboard",
    "accounts:identity",
    "accounts:terms",
    "accounts:company",
    "accounts:lawyer",
    "accounts:profile",
]
STAFF = [
    "accounts:review_queue",
    "accounts:user_list",
    "accounts:lockouts",
    "core:audit_search",
    "stats:court",
]


def _axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def _sign_in(page, user, *, staff: bool = False) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.mobile)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    if staff:
        page.wait_for_url("**/accounts/otp/**")
        page.fill("#id_token", totp_now(user))
        page.locator("main button[type=submit]").click()
    page.wait_for_url("**/accounts/")


@pytest.fixture
def check_pages(browser, live_server):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it runs npm ci)")

    def check(names: list[str], *, locale: str, user=None, staff: bool = False) -> dict:
        # bypass_csp: axe is injected as an inline script, which our CSP rightly forbids.
        context = browser.new_context(
            locale=locale,
            viewport={"width": 360, "height": 740},
            base_url=live_server.url,
            bypass_csp=True,
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        if user is not None:
            _sign_in(page, user, staff=staff)
        found = {}
        for name in names:
            page.goto(reverse(name))
            violations = _axe_violations(page)
            if violations:
                found[name] = violations
        context.close()
        return found

    return check


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_it_passes_axe_on_public_pages(check_pages, locale):
    found = check_pages(PUBLIC, locale=locale)
    assert not found, json.dumps(found, indent=1)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_passes_axe_on_a_litigants_pages(check_pages, language):
    person = UserFactory(display_name="Mei Lin", preferred_language=language)
    found = check_pages(PERSONAL, locale="en-US", user=person)
    assert not found, json.dumps(found, indent=1)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_passes_axe_on_staff_pages(check_pages, language):
    admin = VerifiedUserFactory(
        display_name="Admin Zhao", roles=[Role.COURT_ADMIN], preferred_language=language
    )
    TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    found = check_pages(STAFF, locale="en-US", user=admin, staff=True)
    assert not found, json.dumps(found, indent=1)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_it_passes_axe_on_a_form_with_errors_and_on_the_404_page(
    browser, live_server, check_pages, locale
):
    context = browser.new_context(
        locale=locale,
        viewport={"width": 360, "height": 740},
        base_url=live_server.url,
        bypass_csp=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(reverse("accounts:register"))
    page.fill("#id_mobile", "123")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 1
    errors = {"register (with errors)": _axe_violations(page)}
    page.goto("/no-such-page/")
    errors["404"] = _axe_violations(page)
    context.close()
    found = {name: v for name, v in errors.items() if v}
    assert not found, json.dumps(found, indent=1)
