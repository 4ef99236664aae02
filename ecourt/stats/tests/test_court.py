"""The court staff's statistics page and its JSON twin: who may read them, what they show,
what a bad date or filter answers, and that their queries do not grow with the court."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases.tests.factories import docketed_case, submitted_application
from ecourt.cases.tests.test_applicant_pages import duplicate_ids
from ecourt.mediation.tests.factories import diverted_application
from ecourt.stats import selectors_court
from ecourt.stats.selectors import Period

URL = "/stats/court/"
API = "/api/v1/stats/court"
PROBLEM = "application/problem+json"
SHOPPING = "online_shopping_contract"


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:800]
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["detail"]
    return body


@pytest.fixture
def judge_li(db: None) -> User:
    return VerifiedUserFactory(display_name="Judge Li", roles=[Role.JUDGE])


@pytest.fixture
def today() -> str:
    return timezone.localdate().isoformat()


# --- Who may read them -------------------------------------------------------------------------


def test_the_url_is_the_named_route():
    assert reverse("stats:court") == URL


def test_it_sends_anonymous_visitors_to_sign_in(visitor: Client):
    response = visitor.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/stats/court/" in response["Location"]


def test_it_keeps_people_without_a_staff_role_out(login, alice, carol):
    for person in (alice, carol):
        response = login(person).get(URL)
        assert response.status_code == 403
        assert b"<table" not in response.content


def test_staff_finish_the_totp_step_first(login, clerk):
    client = login(clerk, otp=False)
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_verify")
    problem(client.get(API), 403, "totp_required")


@pytest.mark.parametrize("persona", ["clerk", "judge", "mediator", "admin"])
def test_any_court_staff_reads_them(request, login, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 200
    assert client.get(API).status_code == 200


def test_the_api_answers_401_to_anonymous_and_403_to_non_staff(client, login, alice):
    problem(client.get(API), 401, "not_authenticated")
    problem(login(alice).get(API), 403, "forbidden")


# --- What the page shows -----------------------------------------------------------------------


@pytest.fixture
def court(alice, clerk, judge, judge_li):
    """Today: a copyright case of Judge Wang, a shopping case of Judge Li, an application
    waiting for review and one diverted to mediation."""
    docketed_case(alice, clerk, judge=judge)
    docketed_case(alice, clerk, judge=judge_li, case_type=SHOPPING)
    submitted_application(alice)
    diverted_application(alice)


def test_it_shows_every_figure_in_captioned_tables(login, mediator, court, today):
    response = login(mediator).get(URL, {"from": today, "until": today})
    assert response.status_code == 200
    html = response.content.decode()
    figures = response.context["figures"]
    assert figures.period == Period(timezone.localdate(), timezone.localdate())
    assert figures.applications_total == 4 and figures.cases_total == 2
    assert figures.mediation.diverted == 1 and figures.filing_review.decided == 2
    for caption in [
        "Applications first submitted in the period, by their status today",
        "Lawsuits docketed in the period, by their stage today",
        "Mediations diverted in the period, by their status today",
        "Filing decisions made in the period, against the 7-day limit (CPL Art. 126)",
        "Documents sent in the period, by the channel that served them",
        "Deposits accepted in the period, and the log as of now",
        "Hearings set to start in the period, by status today",
        "Lawsuits closed in the period, by how they ended",
    ]:
        assert caption in html, caption
    assert html.count("<caption") == html.count("<table")
    assert '<th scope="row">In pre-filing mediation</th><td>1</td>' in html
    assert "Decided within the limit</th><td>2 (100.0%)</td>" in html
    assert "Page views and visitors in the period" in html
    # Every input has its label; no id twice.
    for name in ("from", "until", "case_type", "judge"):
        assert f'<label for="id_{name}"' in html
    assert duplicate_ids(html) == []
    assert "The judge filter applies only" not in html  # no filter chosen


def test_it_narrows_the_figures_by_case_type_and_judge(login, clerk, judge_li, court, today):
    client = login(clerk)
    response = client.get(URL, {"from": today, "case_type": SHOPPING, "judge": judge_li.pk})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.cases_total == 1 and figures.applications_total == 1
    html = response.content.decode()
    assert "Judge: Judge Li." in html
    assert "Case type: Contract for goods bought on an e-commerce platform." in html
    assert "The judge filter applies only to figures made of cases" in html
    assert f'<option value="{judge_li.pk}" selected>Judge Li</option>' in html

    # The judge alone leaves applications as they are, and narrows the cases.
    figures = client.get(URL, {"judge": judge_li.pk}).context["figures"]
    assert (figures.applications_total, figures.cases_total) == (4, 1)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "2026-13-01"}, "from", "Enter the date as YYYY-MM-DD, for example 2018-10-31."),
        ({"until": "yesterday"}, "until", "Enter the date as YYYY-MM-DD, for example 2018-10-31."),
        (
            {"from": "2026-06-30", "until": "2026-06-01"},
            "from",
            "The start date is after the end date.",
        ),
        ({"from": "1990-01-01", "until": "2026-06-01"}, "from", "at most 20 years"),
        ({"judge": "abc"}, "judge", "Select a valid choice."),
        ({"case_type": "nothing"}, "case_type", "Select a valid choice."),
    ],
)
def test_it_says_what_is_wrong_with_a_bad_date_or_filter(login, clerk, query, field, message):
    response = login(clerk).get(URL, query)
    assert response.status_code == 400
    assert response.context["figures"] is None
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert message.split(",")[0] in response.content.decode()


def test_it_refuses_a_judge_filter_on_staff_who_are_not_judges(login, clerk):
    response = login(clerk).get(URL, {"judge": clerk.pk})
    assert response.status_code == 400
    assert "judge" in response.context["form"].errors


# --- The JSON API ------------------------------------------------------------------------------


def test_the_api_gives_the_same_figures_with_labels_and_the_filters(
    login, judge, judge_li, court, today
):
    client = login(judge)
    body = client.get(API, {"from": today, "until": today, "case_type": SHOPPING}).json()
    assert set(body) == {
        "from",
        "until",
        "filters",
        "visits",
        "applications",
        "cases",
        "mediation",
        "filing_review",
        "deliveries",
        "evidence",
        "hearings",
        "closing",
        "generated_at",
    }
    assert (body["from"], body["until"]) == (today, today)
    assert body["filters"]["case_type"] == SHOPPING and body["filters"]["judge"] is None
    assert body["filters"]["applies_to"]["applications"] == ["case_type"]
    assert body["filters"]["applies_to"]["cases"] == ["case_type", "judge"]
    assert body["filters"]["applies_to"]["evidence"] == []
    assert {"code": "docketed", "label": "Docketed", "count": 1} in body["cases"]
    assert body["filing_review"]["within_limit_share"] == 1.0

    body = client.get(API, {"judge": judge_li.pk}).json()
    assert sum(line["count"] for line in body["cases"]) == 1
    assert sum(line["count"] for line in body["applications"]) == 4
    expected = selectors_court.court_figures(
        Period(timezone.localdate(), timezone.localdate()),
        selectors_court.CourtFilter(judge_id=judge_li.pk),
    )
    assert body["deliveries"]["total"] == expected.deliveries.total
    assert body["hearings"]["by_status"][0] == {
        "code": "scheduled",
        "label": "Scheduled",
        "hearings": 0,
        "fully_online": 0,
        "with_someone_in_person": 0,
    }


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"from": "2026-13-01"}, 400, "date_invalid"),
        ({"until": "31/12/2026"}, 400, "date_invalid"),
        ({"from": "2026-06-30", "until": "2026-06-01"}, 400, "period_reversed"),
        ({"case_type": "nothing"}, 400, "case_type_invalid"),
        ({"judge": "abc"}, 400, "judge_invalid"),
        ({"from": "2026-06-01" * 3}, 422, "invalid_request"),
        ({"case_type": "a\x00b"}, 422, "invalid_request"),
    ],
)
def test_the_api_says_what_is_wrong(login, clerk, query, status, code):
    problem(login(clerk).get(API, query), status, code)


def test_the_api_names_the_field_at_fault(login, clerk):
    body = problem(login(clerk).get(API, {"until": "soon"}), 400, "date_invalid")
    assert body["field"] == "until"


# --- Queries -----------------------------------------------------------------------------------


def test_the_queries_do_not_grow_with_the_number_of_cases(
    login, alice, clerk, judge, judge_li, django_assert_max_num_queries
):
    client = login(clerk)
    docketed_case(alice, clerk, judge=judge)
    diverted_application(alice)
    with django_assert_max_num_queries(40) as page_few:
        assert client.get(URL, {"judge": judge.pk}).status_code == 200
    with django_assert_max_num_queries(40) as api_few:
        assert client.get(API, {"judge": judge.pk}).status_code == 200
    for case_type in (SHOPPING, "online_copyright_infringement", "domain_name"):
        docketed_case(alice, clerk, judge=judge, case_type=case_type)
        diverted_application(alice)
        submitted_application(alice)
    with django_assert_max_num_queries(len(page_few.captured_queries)):
        response = client.get(URL, {"judge": judge.pk})
    assert response.context["figures"].cases_total == 4
    with django_assert_max_num_queries(len(api_few.captured_queries)):
        assert client.get(API, {"judge": judge.pk}).status_code == 200
