"""GET /api/v1/stats/summary and /api/v1/stats/weekly: open data, for anyone.

Alice files two copyright cases and one about online shopping; Bob asks for mediation in a
domain-name dispute (so it is diverted); Clerk Deng dockets Carol's shopping case.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.cases.tests.factories import docketed_case, submitted_application
from ecourt.core.problem import PROBLEM_CONTENT_TYPE
from ecourt.core.selectors import court_today
from ecourt.mediation.tests.factories import diverted_application
from ecourt.stats import selectors
from ecourt.stats.models import VisitDay

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/stats/summary"
WEEKLY = "/api/v1/stats/weekly"
KEYS = {
    "visits",
    "registered_users",
    "applications",
    "diverted_to_adr",
    "filed",
    "closed",
    "online_filing_rate",
    "case_types",
    "from",
    "until",
    "generated_at",
}


@pytest.fixture
def court(alice: User, bob: User, carol: User, clerk: User, judge: User) -> None:
    submitted_application(alice, case_type="online_copyright_infringement")
    submitted_application(alice, case_type="online_copyright_infringement")
    submitted_application(alice, case_type="online_shopping_contract")
    diverted_application(bob, case_type="domain_name")
    docketed_case(carol, clerk, judge=judge, case_type="online_shopping_contract")
    VisitDay.objects.create(day=court_today(), page_group="home", views=40)


def test_it_answers_exactly_the_documented_keys(visitor: Client, court: None) -> None:
    response = visitor.get(SUMMARY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    assert set(data) == KEYS
    for item in data["case_types"]:
        assert set(item) == {"code", "name_en", "name_zh", "applications", "share"}


def test_it_counts_the_figures(visitor: Client, court: None) -> None:
    data = visitor.get(SUMMARY).json()
    assert data["visits"] == 40
    assert data["applications"] == 5
    assert data["diverted_to_adr"] == 1
    assert data["filed"] == 1
    assert data["closed"] == 0
    assert data["online_filing_rate"] == 1.0
    assert [(t["code"], t["applications"], t["share"]) for t in data["case_types"]] == [
        ("online_copyright_infringement", 2, 0.4),
        ("online_shopping_contract", 2, 0.4),
        ("domain_name", 1, 0.2),
    ]
    assert data["case_types"][2]["name_en"].startswith("Ownership, infringement or contract")
    assert data["case_types"][2]["name_zh"] == "互联网域名权属、侵权及合同纠纷"
    assert sum(t["applications"] for t in data["case_types"]) == data["applications"]


def test_shares_have_four_decimals(visitor: Client, alice: User) -> None:
    for case_type in ("online_copyright_infringement", "domain_name", "domain_name"):
        submitted_application(alice, case_type=case_type)
    data = visitor.get(SUMMARY).json()
    shares = {t["code"]: t["share"] for t in data["case_types"]}
    assert shares == {"domain_name": 0.6667, "online_copyright_infringement": 0.3333}
    assert '"share": 0.6667' in visitor.get(SUMMARY).content.decode()


def test_it_reports_the_period_and_when_it_was_computed(visitor: Client, court: None) -> None:
    before = timezone.now().replace(microsecond=0)
    data = visitor.get(SUMMARY, {"from": "2025-01-01", "until": "2025-12-31"}).json()
    assert data["from"] == "2025-01-01"
    assert data["until"] == "2025-12-31"
    generated = datetime.fromisoformat(data["generated_at"])
    assert generated.tzinfo is not None
    assert before <= generated <= timezone.now()
    # Nothing happened in 2025 (the court above is today's).
    assert data["applications"] == 0
    assert data["online_filing_rate"] is None
    assert data["case_types"] == []


def test_it_defaults_to_since_launch_until_today(visitor: Client, court: None) -> None:
    data = visitor.get(SUMMARY).json()
    default = selectors.period_default()
    assert data["from"] == default.start.isoformat()
    assert data["until"] == court_today().isoformat()


def test_it_needs_no_sign_in_and_ignores_one(
    visitor: Client, login: Any, court: None, oscar: User
) -> None:
    assert visitor.get(SUMMARY).status_code == 200
    assert visitor.get(WEEKLY).status_code == 200
    assert login(oscar).get(SUMMARY).json()["applications"] == 5


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"from": "yesterday"}, "date_invalid", "from"),
        ({"until": "2025-02-30"}, "date_invalid", "until"),
        ({"from": "2025-01-01\x00"}, "date_invalid", "from"),
        ({"from": "2025-03-01", "until": "2025-02-01"}, "period_reversed", "from"),
        ({"from": "1990-01-01", "until": "2025-01-01"}, "period_too_long", "from"),
        ({"from": "0001-01-01", "until": "0001-01-02"}, "date_out_of_range", "from"),
        ({"from": "9999-12-30", "until": "9999-12-31"}, "date_out_of_range", "from"),
    ],
)
@pytest.mark.parametrize("url", [SUMMARY, WEEKLY])
def test_a_bad_period_is_a_problem(
    visitor: Client, params: dict[str, str], code: str, field: str, url: str
) -> None:
    response = visitor.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    problem = response.json()
    assert problem["code"] == code
    assert problem["field"] == field
    assert problem["status"] == 400
    assert problem["type"] == f"urn:ecourt:problem:{code}"
    assert problem["detail"]


def test_a_problem_speaks_the_readers_language(db: None) -> None:
    english = Client(headers={"accept-language": "en"}).get(SUMMARY, {"from": "x"}).json()
    assert english["detail"] == "Enter the date as YYYY-MM-DD, for example 2018-10-31."


def test_the_weeks_cover_the_period(visitor: Client, court: None) -> None:
    today = court_today()
    start = today - timedelta(days=20)
    data = visitor.get(WEEKLY, {"from": start.isoformat(), "until": today.isoformat()}).json()
    assert set(data) == {"from", "until", "weeks"}
    assert data["from"] == start.isoformat() and data["until"] == today.isoformat()
    weeks = [date.fromisoformat(w["week_start"]) for w in data["weeks"]]
    assert weeks[0] == start - timedelta(days=start.weekday())
    assert all(w.weekday() == 0 for w in weeks)
    assert weeks == [weeks[0] + timedelta(days=7 * i) for i in range(len(weeks))]
    assert weeks[-1] <= today < weeks[-1] + timedelta(days=7)
    assert sum(w["applications"] for w in data["weeks"]) == 5


def test_the_schema_documents_from_and_until(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"][SUMMARY]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "until"}
    assert "security" not in operation
    assert "400" in operation["responses"]
    out = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    properties = schema["components"]["schemas"][out.rsplit("/", 1)[1]]["properties"]
    assert set(properties) == KEYS
