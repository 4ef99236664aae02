"""The public statistics page in headless Chromium on a 360 px phone, in English and Chinese:
three charts with accessible names, a period chosen with the form, nothing wider than the
screen, nothing the content security policy blocks.

Alice files copyright and shopping cases and one about a defective product (the case type
with the longest Chinese name, which must wrap inside its chart); Bob asks for mediation.

Browser tests fail (never skip) when CI=true and Chromium is missing: `make test` installs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ecourt.accounts.models import User
from ecourt.cases.tests.factories import submitted_application
from ecourt.core.selectors import court_today
from ecourt.mediation.tests.factories import diverted_application

# serialized_rollback: the flush after each test would otherwise also remove the terms and the
# case-type catalogue that data migrations ship.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 740}
PRODUCT_LIABILITY_ZH = (
    "通过电子商务平台购买的产品，因存在产品缺陷，侵害他人人身、财产权益而产生的产品责任纠纷"
)


@pytest.fixture
def court(alice: User, bob: User) -> None:
    submitted_application(alice, case_type="online_copyright_infringement")
    submitted_application(alice, case_type="online_copyright_infringement")
    submitted_application(alice, case_type="online_shopping_contract")
    submitted_application(alice, case_type="online_product_liability")
    diverted_application(bob, case_type="domain_name")


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """``phone(locale)``: a page on a 360 px wide screen; it records what CSP refused."""
    contexts: list[Any] = []

    def _open(locale: str) -> Any:
        context = browser.new_context(locale=locale, viewport=PHONE, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.csp_refusals = []
        page.on(
            "console",
            lambda message: (
                page.csp_refusals.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield _open
    for context in contexts:
        context.close()


def _chart_names(page: Any) -> list[str]:
    """Each chart's accessible name and description, "name | description", read from the
    elements its aria-labelledby and aria-describedby point at."""
    return page.eval_on_selector_all(
        "svg[role=img]",
        """svgs => svgs.map(svg => [svg.getAttribute('aria-labelledby') || '',
                                   svg.getAttribute('aria-describedby') || ''].join(' ')
            .split(/\\s+/).filter(Boolean)
            .map(id => { const el = document.getElementById(id);
                         return el && svg.contains(el) ? el.textContent.trim() : ''; })
            .join(' | '))""",
    )


def _fits(page: Any) -> None:
    """No horizontal scrolling, and every chart inside the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways: {width}px wide"
    for svg in page.locator("svg[role=img]").all():
        box = svg.bounding_box()
        assert box is not None and box["x"] >= 0
        assert box["x"] + box["width"] <= PHONE["width"] + 1
    # Text inside the charts stays inside them (long case-type names wrap).
    overflow = page.eval_on_selector_all(
        "svg[role=img]",
        """svgs => svgs.flatMap(svg => {
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text')]
              .filter(t => { const r = t.getBoundingClientRect();
                             return r.left < box.left - 1 || r.right > box.right + 1; })
              .map(t => t.textContent);
        })""",
    )
    assert overflow == []


def test_it_shows_three_named_charts_that_fit_a_phone(phone: Any, court: None) -> None:
    page = phone("en-US")
    page.goto("/stats/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("svg[role=img]").count() == 3
    for name in ("Applications by case type", "Applications per week", "From application"):
        chart = page.get_by_role("img", name=name)
        assert chart.count() == 1, name
        assert chart.evaluate("svg => svg.tagName.toLowerCase()") == "svg"
    names = _chart_names(page)
    assert len(names) == 3
    for name in names:
        title, desc = name.split(" | ")
        assert title and desc
    assert "The most common is “Infringement of copyright" in names[0]
    # The headline figures and the case types' table.
    assert page.locator(".figure-applications dd").inner_text() == "5"
    assert page.locator(".figure-diverted_to_adr dd").inner_text() == "1"
    table = page.get_by_role("table", name="Applications by case type")
    assert table.locator("tbody tr").count() == 4
    _fits(page)
    assert page.csp_refusals == []


def test_the_form_changes_the_period(phone: Any, court: None) -> None:
    page = phone("en-US")
    page.goto("/stats/")
    today = court_today()
    assert page.get_by_label("Until", exact=True).input_value() == today.isoformat()

    page.get_by_label("From", exact=True).fill("2024-01-01")
    page.get_by_label("Until", exact=True).fill("2024-03-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/stats/?from=2024-01-01&until=2024-03-31")
    assert page.get_by_label("From", exact=True).input_value() == "2024-01-01"
    assert "Figures from Jan. 1, 2024 to March 31, 2024" in page.locator("main").inner_text()
    assert page.locator(".figure-applications dd").inner_text() == "0"
    assert page.get_by_role("img", name="Applications per week").count() == 1
    href = page.get_by_role("link", name="Headline figures (summary.csv)").get_attribute("href")
    assert href == "/stats/summary.csv?from=2024-01-01&until=2024-03-31"

    # A reversed period: the message next to "From", the default period's figures below.
    page.get_by_label("From", exact=True).fill("2024-05-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/stats/?from=2024-05-01&until=2024-03-31")
    error = page.locator("#period-from-error")
    assert error.inner_text() == "The start date is after the end date."
    assert (
        page.get_by_label("From", exact=True).get_attribute("aria-describedby")
        == "period-from-error"
    )
    assert page.locator(".figure-applications dd").inner_text() == "5"
    assert page.locator("svg[role=img]").count() == 3
    _fits(page)
    assert page.csp_refusals == []


def test_it_fits_a_phone_in_chinese_with_long_case_type_names(phone: Any, court: None) -> None:
    page = phone("zh-CN")
    page.goto("/stats/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("svg[role=img]").count() == 3
    assert all(" | " in name for name in _chart_names(page))
    bars = page.locator("#chart-case-types")
    # The longest name is drawn in several lines, every part of it inside the chart.
    drawn = "".join(bars.locator("text").all_text_contents())
    assert PRODUCT_LIABILITY_ZH in drawn
    _fits(page)
    assert page.csp_refusals == []
