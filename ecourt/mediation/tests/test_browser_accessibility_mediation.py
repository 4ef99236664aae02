"""axe-core on every mediation page, on a phone-sized screen, in both languages: the room as a
party and as the mediator (with messages in the joint and a private conversation, a session, a
proposal with an answer, undisputed facts and an agreement up for signature, then the signing
form with and without an error), the room of a matter waiting for the mediator to accept, the
room as the filing clerk sees it, the join page (also with an error), the mediator's matters,
the clerk's workload, the administrator's registry, and the applicant's application pages (one
in mediation, one with the clerk's proposal to mediate). The same checks as the core pages get
(ecourt/core/tests/test_browser_accessibility.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ecourt.cases.tests.factories import submitted_application
from ecourt.core.tests.test_browser_accessibility import AXE, _axe_violations, _sign_in
from ecourt.mediation import services
from ecourt.mediation.tests.factories import (
    defendant_joins,
    defendant_of,
    diverted_application,
    mediation_of,
    registered_mediator,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

#: A URL to check, or a name and a function that brings the page into the state to check.
Check = str | tuple[str, Callable[[Any], None]]


def _violations(browser, live_server, user, checks: list[Check], *, staff: bool = False) -> dict:
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
    for check in checks:
        if isinstance(check, str):
            name = check
            response = page.goto(check)
            assert response is not None and response.status == 200, (
                check,
                response and response.status,
            )
        else:
            name, act = check
            act(page)
            page.wait_for_load_state()
        violations = _axe_violations(page)
        if violations:
            found[name] = violations
    context.close()
    return found


def _ask_for_a_code(room: str, code_form: str) -> Callable[[Any], None]:
    """Press "Send me a code" (found by its form's action: the button's text is translated)."""

    def act(page: Any) -> None:
        page.goto(room)
        page.locator(code_form).locator("button[type=submit]").click()
        page.wait_for_selector("#sign_code")

    return act


def _sign_with_a_wrong_code(room: str) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        page.goto(room)
        page.fill("#sign_code", "000000")
        page.locator("#sign_code").locator("xpath=ancestor::form").locator("button").click()
        page.wait_for_selector("#sign_code[aria-invalid=true]")

    return act


def _join_with_a_wrong_code(number: str) -> Callable[[Any], None]:
    def act(page: Any) -> None:
        page.goto(reverse("mediation:link"))
        page.fill("#link_number", number)
        page.fill("#link_code", "WRONG234")
        page.locator("main form button[type=submit]").click()
        page.wait_for_selector("#link_code[aria-invalid=true]")

    return act


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_passes_axe_on_the_mediation_pages(
    browser, live_server, language, alice, bob, clerk, mediator, admin
):
    for person in (alice, bob, clerk, mediator, admin):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    registered_mediator(mediator, admin)

    # A mediation in progress with something in every part of the room.
    application = diverted_application(alice)
    mediation = mediation_of(application)
    services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    defendant_joins(mediation, bob)
    defendant = defendant_of(mediation)
    services.message_post(actor=alice, mediation_id=mediation.pk, body="Hello everyone.")
    services.message_post(
        actor=mediator,
        mediation_id=mediation.pk,
        body="Could Beta Tech go up to 20,000 yuan?",
        thread_party_id=defendant.pk,
    )
    services.message_post(
        actor=bob, mediation_id=mediation.pk, body="Perhaps.", thread_party_id=defendant.pk
    )
    services.session_schedule(
        actor=mediator,
        mediation_id=mediation.pk,
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=60,
    )
    proposal = services.proposal_make(
        actor=mediator, mediation_id=mediation.pk, terms="Beta pays 20,000 yuan by 31 December."
    )
    services.proposal_respond(actor=bob, proposal_id=proposal.pk, answer="accept")
    services.facts_record(
        actor=mediator,
        mediation_id=mediation.pk,
        text="Beta Tech published twelve of Alice Zhang's photographs on 2026-03-01.",
    )
    services.agreement_draft(
        actor=mediator, mediation_id=mediation.pk, terms="Beta pays 20,000 yuan by 31 December."
    )

    # A second matter, waiting for the mediator to accept; a third application with the
    # clerk's proposal to mediate, waiting for Alice's answer.
    waiting = mediation_of(diverted_application(alice))
    proposed = submitted_application(alice)
    services.diversion_propose(
        actor=clerk, application_id=proposed.pk, note="A quick settlement looks possible."
    )

    room = reverse("mediation:room", args=[mediation.pk])
    code_form = f"form[action='{reverse('mediation:room_agreement_code', args=[mediation.pk])}']"
    found = _violations(
        browser,
        live_server,
        alice,
        [
            room,
            ("room: a code was sent", _ask_for_a_code(room, code_form)),
            ("room: a wrong code", _sign_with_a_wrong_code(room)),
            reverse("mediation:room", args=[waiting.pk]),
            reverse("cases:application_detail", args=[application.pk]),
            reverse("cases:application_detail", args=[proposed.pk]),
        ],
    )
    found |= _violations(
        browser,
        live_server,
        bob,
        [
            room,
            reverse("mediation:link"),
            ("join: a wrong code", _join_with_a_wrong_code(mediation.number)),
        ],
    )
    found |= _violations(
        browser,
        live_server,
        mediator,
        [
            reverse("mediation:my_matters"),
            room,
            reverse("mediation:room", args=[waiting.pk]),
        ],
        staff=True,
    )
    found |= _violations(
        browser,
        live_server,
        clerk,
        [reverse("mediation:court_overview"), room],
        staff=True,
    )
    found |= _violations(browser, live_server, admin, [reverse("mediation:registry")], staff=True)
    assert not found, json.dumps(found, indent=1)
