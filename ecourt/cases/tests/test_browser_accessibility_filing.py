"""axe-core on every filing page, on a phone-sized screen, in both languages: the wizard's
steps, the application and case pages, the clerk's queue and review page, and the
administrator's catalogue and calendar. The same checks as the core pages get
(ecourt/core/tests/test_browser_accessibility.py).
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ecourt.cases.tests.factories import docketed_case, draft_application, submitted_application
from ecourt.core.tests.test_browser_accessibility import AXE, _axe_violations, _sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STEPS = [
    "case_type",
    "jurisdiction",
    "plaintiffs",
    "defendants",
    "agents",
    "claims",
    "facts",
    "evidence",
    "delivery",
    "fees",
    "review",
]


def _violations(browser, live_server, user, urls: list[str], *, staff: bool = False) -> dict:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it runs npm ci)")
    context = browser.new_context(
        locale="en-US",
        viewport={"width": 360, "height": 740},
        base_url=live_server.url,
        bypass_csp=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    _sign_in(page, user, staff=staff)
    found = {}
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        violations = _axe_violations(page)
        if violations:
            found[url] = violations
    context.close()
    return found


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_passes_axe_on_the_filing_pages(
    browser, live_server, language, alice, clerk, judge, admin
):
    for person in (alice, clerk, admin):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    case = docketed_case(alice, clerk, judge=judge)
    draft = draft_application(alice, amount="3000")
    waiting = submitted_application(alice)
    litigant = [
        reverse("cases:application_list"),
        reverse("cases:application_start"),
        *[reverse("cases:wizard_step", args=[draft.pk, step]) for step in STEPS],
        reverse("cases:application_detail", args=[waiting.pk]),
        reverse("cases:case_list"),
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:case_complaint", args=[case.pk]),
        reverse("cases:case_link"),
        reverse("accounts:dashboard"),
    ]
    found = _violations(browser, live_server, alice, litigant)
    found |= _violations(
        browser,
        live_server,
        clerk,
        [
            reverse("cases:filing_queue"),
            reverse("cases:filing_application", args=[waiting.pk]),
            reverse("cases:case_detail", args=[case.pk]),
        ],
        staff=True,
    )
    found |= _violations(
        browser,
        live_server,
        admin,
        [
            reverse("cases:catalogue"),
            reverse("cases:catalogue_publish"),
            reverse("cases:calendar_days"),
        ],
        staff=True,
    )
    assert not found, json.dumps(found, indent=1)
