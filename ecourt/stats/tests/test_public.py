"""The public statistics page and its CSV downloads.

A small court built through the services: Alice files two copyright cases and one about online
shopping, Bob asks for mediation in a domain-name dispute (diverted), Carol's shopping case is
docketed by Clerk Deng and the other one is docketed and then withdrawn before Judge Wang
(closed). Everything happens today, so the default period (since launch) holds it all.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from ecourt.accounts.models import User
from ecourt.cases import services as case_services
from ecourt.cases.models import ClosingMode
from ecourt.cases.tests.factories import docketed_case, submitted_application
from ecourt.core.selectors import court_today
from ecourt.mediation.tests.factories import diverted_application
from ecourt.stats import charts, opendata, selectors
from ecourt.stats.models import VisitDay

pytestmark = pytest.mark.django_db

COPYRIGHT = "online_copyright_infringement"
SHOPPING = "online_shopping_contract"
DOMAIN = "domain_name"


@pytest.fixture
def court(alice: User, bob: User, carol: User, clerk: User, judge: User) -> dict[str, Any]:
    submitted_application(alice, case_type=COPYRIGHT)
    submitted_application(alice, case_type=COPYRIGHT)
    submitted_application(alice, case_type=SHOPPING)
    diverted_application(bob, case_type=DOMAIN)
    docketed_case(carol, clerk, judge=judge, case_type=SHOPPING)
    withdrawn = docketed_case(carol, clerk, judge=judge, case_type=COPYRIGHT)
    case_services.case_close(actor=judge, case_id=withdrawn.pk, mode=ClosingMode.WITHDRAWAL)
    VisitDay.objects.create(day=court_today(), page_group="home", views=1234)
    return {"today": court_today()}


def _text(response: Any) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _figure(response: Any, key: str) -> str:
    html = response.content.decode()
    found = re.search(rf'class="figure figure-{key}">\s*<dt>[^<]*</dt>\s*<dd>(.*?)</dd>', html)
    assert found, key
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


# --- The page -------------------------------------------------------------------------------


def test_it_shows_the_figures_in_english(visitor: Client, court: dict[str, Any]) -> None:
    with translation.override("en"):
        response = visitor.get(reverse("stats:public"))
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert _figure(response, "visits") == "1,234"
    assert _figure(response, "applications") == "6"
    assert _figure(response, "diverted_to_adr") == "1"
    assert _figure(response, "filed") == "2"
    assert _figure(response, "closed") == "1"
    assert _figure(response, "online_filing_rate") == "100.0%"
    text = _text(response)
    assert "Court statistics" in text
    # Case types in English, largest first, with shares; the charts and their tables.
    assert "Infringement of copyright or neighbouring rights" in text
    assert "3 (50.0%)" in response.content.decode()
    assert text.index("Infringement of copyright") < text.index("Contract for goods bought")
    html = response.content.decode()
    assert html.count('role="img"') == 3
    assert html.count("<caption") == 3
    assert "Applications per week" in text


def test_it_shows_the_figures_in_chinese(court: dict[str, Any]) -> None:
    client = Client(headers={"accept-language": "zh-hans"})
    response = client.get(reverse("stats:public"))
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert 'lang="zh-Hans"' in response.content.decode()
    # Chinese number format: no thousands separator (Django's zh_Hans formats).
    assert _figure(response, "visits") == "1234"
    assert _figure(response, "applications") == "6"
    text = _text(response)
    assert "在互联网上侵害在线发表或者传播作品的著作权或者邻接权而产生的纠纷" in text
    assert "Infringement of copyright or neighbouring rights" not in text


def test_it_shows_a_dash_for_the_rate_of_a_period_without_applications(
    visitor: Client, court: dict[str, Any]
) -> None:
    with translation.override("en"):
        response = visitor.get(
            reverse("stats:public"), {"from": "2020-01-01", "until": "2020-01-31"}
        )
    assert response.status_code == 200
    assert _figure(response, "applications") == "0"
    assert _figure(response, "online_filing_rate").startswith("—")
    assert "No applications in this period." in _text(response)


def test_it_shows_the_default_period_since_launch(visitor: Client, court: dict[str, Any]) -> None:
    today = court["today"]
    with translation.override("en"):
        response = visitor.get(reverse("stats:public"))
    html = response.content.decode()
    default = selectors.period_default()
    assert default.end == today
    assert f'name="from" value="{default.start.isoformat()}"' in html
    assert f'name="until" value="{today.isoformat()}"' in html
    with translation.override("en"):
        shown = f"Figures from {date_format(default.start)} to {date_format(today)}"
    assert shown in _text(response)


def test_it_uses_the_period_asked_for(visitor: Client, court: dict[str, Any]) -> None:
    today = court["today"]
    yesterday = today - timedelta(days=1)
    with translation.override("en"):
        response = visitor.get(
            reverse("stats:public"), {"from": yesterday.isoformat(), "until": yesterday.isoformat()}
        )
    assert response.status_code == 200
    assert _figure(response, "applications") == "0"
    html = response.content.decode()
    assert f'name="from" value="{yesterday.isoformat()}"' in html
    query = f"from={yesterday.isoformat()}&amp;until={yesterday.isoformat()}"
    for name in ("stats:summary_csv", "stats:case_types_csv", "stats:weekly_csv"):
        assert f'href="{reverse(name)}?{query}"' in html
    assert f'href="/api/v1/stats/summary?{query}"' in html


def test_it_explains_a_bad_date_next_to_its_field(visitor: Client, court: dict[str, Any]) -> None:
    with translation.override("en"):
        response = visitor.get(reverse("stats:public"), {"from": "2026-02-30", "until": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<p class="errorlist" id="period-from-error">Enter the date as YYYY-MM-DD, for example '
        "2018-10-31.</p>"
    ) in html
    assert 'aria-invalid="true" aria-describedby="period-from-error"' in html
    assert 'value="2026-02-30"' in html  # what was typed, to correct it
    assert "period-until-error" not in html
    # The rest of the page: the default period's figures.
    assert "the figures below are since launch to today" in _text(response)
    assert _figure(response, "applications") == "6"


def test_it_refuses_a_reversed_period(visitor: Client, court: dict[str, Any]) -> None:
    with translation.override("en"):
        response = visitor.get(
            reverse("stats:public"), {"from": "2026-03-01", "until": "2026-02-01"}
        )
    assert response.status_code == 200
    assert "The start date is after the end date." in _text(response)
    assert 'id="period-from-error"' in response.content.decode()


def test_it_refuses_dates_the_clock_cannot_count(visitor: Client, court: dict[str, Any]) -> None:
    with translation.override("en"):
        early = visitor.get(reverse("stats:public"), {"from": "0001-01-01", "until": "0001-01-31"})
        late = visitor.get(reverse("stats:public"), {"from": "9999-12-01", "until": "9999-12-31"})
    assert early.status_code == late.status_code == 200
    assert "Enter a date between 1900-01-01 and 9998-12-31." in _text(early)
    assert 'id="period-from-error"' in early.content.decode()
    assert "Enter a date between 1900-01-01 and 9998-12-31." in _text(late)


def test_it_shows_the_error_in_chinese_to_a_chinese_reader(court: dict[str, Any]) -> None:
    client = Client(headers={"accept-language": "zh-hans"})
    response = client.get(reverse("stats:public"), {"from": "nonsense"})
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.content.decode()
    with translation.override("zh-hans"):
        expected = translation.gettext("Enter the date as YYYY-MM-DD, for example 2018-10-31.")
    assert expected in _text(response)


def test_it_draws_months_for_a_period_over_two_years(
    visitor: Client, court: dict[str, Any]
) -> None:
    today = court["today"]
    with translation.override("en"):
        response = visitor.get(
            reverse("stats:public"), {"from": (today - timedelta(days=3 * 365)).isoformat()}
        )
    text = _text(response)
    assert "Applications per month" in text
    assert f"{today:%Y-%m} 6" in text  # this month's row in the data table


def test_visitors_need_no_account(visitor: Client, court: dict[str, Any]) -> None:
    assert visitor.get(reverse("stats:public")).status_code == 200
    for name in ("stats:summary_csv", "stats:case_types_csv", "stats:weekly_csv"):
        assert visitor.get(reverse(name)).status_code == 200


def test_the_footer_links_to_the_page(visitor: Client, login: Any, alice: User) -> None:
    link = f'href="{reverse("stats:public")}"'
    assert link in visitor.get(reverse("core:home")).content.decode()
    assert link in login(alice).get(reverse("accounts:dashboard")).content.decode()


def test_only_court_staff_see_the_link_to_the_staff_figures(
    visitor: Client, login: Any, alice: User, clerk: User
) -> None:
    staff_link = f'href="{reverse("stats:court")}"'
    assert staff_link not in visitor.get(reverse("stats:public")).content.decode()
    assert staff_link not in login(alice).get(reverse("stats:public")).content.decode()
    assert staff_link in login(clerk).get(reverse("stats:public")).content.decode()


def test_the_page_takes_the_same_queries_for_more_applications(
    visitor: Client, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    submitted_application(alice, case_type=COPYRIGHT)
    with django_assert_max_num_queries(15) as one:
        assert visitor.get(reverse("stats:public")).status_code == 200
    for case_type in (COPYRIGHT, SHOPPING, DOMAIN, SHOPPING):
        submitted_application(bob, case_type=case_type)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert visitor.get(reverse("stats:public")).status_code == 200


def test_the_svg_escapes_text(visitor: Client, alice: User, admin: User) -> None:
    from ecourt.cases.models import CaseType

    CaseType.objects.filter(code=COPYRIGHT).update(name_en='<script>alert("x")</script> & co')
    submitted_application(alice, case_type=COPYRIGHT)
    with translation.override("en"):
        html = visitor.get(reverse("stats:public")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html


# --- CSV ------------------------------------------------------------------------------------


def _csv_rows(response: Any) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *data = rows
    return [dict(zip(header, row, strict=True)) for row in data]


def _same(csv_value: str, json_value: Any) -> bool:
    if json_value is None:
        return csv_value == ""
    if isinstance(json_value, float):
        return abs(float(csv_value) - json_value) < 1e-9
    return csv_value == str(json_value)


def test_the_csv_files_equal_the_json(
    visitor: Client, court: dict[str, Any], time_machine: Any
) -> None:
    # Both answers are generated at the same instant (the clock stands still), so even
    # generated_at must match; a second boundary between the requests made it flaky.
    time_machine.move_to(timezone.now(), tick=False)
    params = {"from": "2025-01-01", "until": court["today"].isoformat()}
    data = visitor.get("/api/v1/stats/summary", params).json()

    summary = _as_dicts(_csv_rows(visitor.get(reverse("stats:summary_csv"), params)))
    assert len(summary) == 1
    assert set(summary[0]) == set(data) - {"case_types"}
    for key, value in summary[0].items():
        assert _same(value, data[key]), (key, value, data[key])

    case_types = _as_dicts(_csv_rows(visitor.get(reverse("stats:case_types_csv"), params)))
    assert len(case_types) == len(data["case_types"]) == 3
    for row, item in zip(case_types, data["case_types"], strict=True):
        assert set(row) == set(item)
        for key, value in row.items():
            assert _same(value, item[key]), (key, value, item[key])
    assert [row["code"] for row in case_types] == [COPYRIGHT, SHOPPING, DOMAIN]
    assert case_types[0]["share"] == "0.5000"
    assert case_types[0]["name_zh"].startswith("在互联网上侵害")

    weekly = _as_dicts(_csv_rows(visitor.get(reverse("stats:weekly_csv"), params)))
    weeks = visitor.get("/api/v1/stats/weekly", params).json()["weeks"]
    assert weekly == [
        {"week_start": w["week_start"], "applications": str(w["applications"])} for w in weeks
    ]
    assert sum(int(row["applications"]) for row in weekly) == data["applications"] == 6


def test_the_csv_files_are_attachments_named_by_period(
    visitor: Client, court: dict[str, Any]
) -> None:
    params = {"from": "2025-01-01", "until": "2025-12-31"}
    for name, filename in (
        ("stats:summary_csv", "summary_2025-01-01_2025-12-31.csv"),
        ("stats:case_types_csv", "case-types_2025-01-01_2025-12-31.csv"),
        ("stats:weekly_csv", "weekly_2025-01-01_2025-12-31.csv"),
    ):
        response = visitor.get(reverse(name), params)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_the_csv_headers_are_the_json_keys(visitor: Client, court: dict[str, Any]) -> None:
    assert _csv_rows(visitor.get(reverse("stats:summary_csv")))[0] == [
        "visits",
        "registered_users",
        "applications",
        "diverted_to_adr",
        "filed",
        "closed",
        "online_filing_rate",
        "from",
        "until",
        "generated_at",
    ]
    assert _csv_rows(visitor.get(reverse("stats:case_types_csv")))[0] == [
        "code",
        "name_en",
        "name_zh",
        "applications",
        "share",
    ]
    assert _csv_rows(visitor.get(reverse("stats:weekly_csv")))[0] == ["week_start", "applications"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "31/12/2025"}, "Enter the date as YYYY-MM-DD, for example 2018-10-31."),
        ({"until": "2025-13-01"}, "Enter the date as YYYY-MM-DD, for example 2018-10-31."),
        ({"from": "2025-02-01", "until": "2025-01-01"}, "The start date is after the end date."),
        ({"from": "1990-01-01", "until": "2025-01-01"}, "Choose a period of at most 20 years."),
        ({"from": "9999-12-31", "until": "9999-12-31"}, "Enter a date between 1900-01-01"),
    ],
)
@pytest.mark.parametrize("name", ["stats:summary_csv", "stats:case_types_csv", "stats:weekly_csv"])
def test_a_csv_with_a_bad_period_is_a_400_in_plain_text(
    visitor: Client, params: dict[str, str], message: str, name: str
) -> None:
    response = visitor.get(reverse(name), params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()


def test_an_empty_rate_is_an_empty_cell(visitor: Client, court: dict[str, Any]) -> None:
    rows = _as_dicts(
        _csv_rows(
            visitor.get(reverse("stats:summary_csv"), {"from": "2020-01-01", "until": "2020-01-31"})
        )
    )
    assert rows[0]["online_filing_rate"] == ""
    assert rows[0]["applications"] == "0"
    assert rows[0]["from"] == "2020-01-01" and rows[0]["until"] == "2020-01-31"


# --- The series ------------------------------------------------------------------------------


def test_the_weeks_are_those_of_the_selector(court: dict[str, Any]) -> None:
    today = court["today"]
    for period in (
        selectors.Period(today - timedelta(days=40), today),
        selectors.Period(today, today),
        selectors.Period(today - timedelta(days=today.weekday()), today + timedelta(days=9)),
    ):
        assert opendata.applications_weekly(period) == selectors.applications_by_week(period)


def test_months_cover_the_period_and_sum_to_its_applications(court: dict[str, Any]) -> None:
    today = court["today"]
    period = selectors.Period(date(today.year - 3, 12, 15), today)
    months = opendata.applications_monthly(period)
    assert months[0].month_start == date(today.year - 3, 12, 1)
    assert months[-1].month_start == today.replace(day=1)
    assert len(months) == (today.year - (today.year - 3)) * 12 + today.month - 12 + 1
    assert sum(m.applications for m in months) == selectors.summary(period).applications == 6
    assert opendata.is_weekly(selectors.Period(date(2024, 1, 1), date(2025, 12, 31)))
    assert not opendata.is_weekly(selectors.Period(date(2023, 1, 1), date(2025, 12, 31)))


# --- The charts ---------------------------------------------------------------------------------


def test_every_id_on_the_page_is_unique(visitor: Client, court: dict[str, Any]) -> None:
    html = visitor.get(reverse("stats:public")).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for chart in ("chart-case-types", "chart-applications", "chart-funnel"):
        assert f'aria-labelledby="{chart}-title" aria-describedby="{chart}-desc"' in html
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    assert html.count('width="100%"') >= 3 and html.count('viewBox="0 0 320 ') == 3
    assert " style=" not in html  # CSP: style-src 'self' refuses inline style attributes


@pytest.mark.parametrize(
    "label",
    [
        "通过电子商务平台购买的产品，因存在产品缺陷，侵害他人人身、财产权益而产生的产品责任纠纷",
        "Administrative dispute over internet information services, online commerce or online "
        "trading management",
        "x" * 120,
        "签订、履行行为均在互联网上完成的金融借款合同纠纷、小额借款合同纠纷",
    ],
)
def test_labels_wrap_within_the_width(label: str) -> None:
    lines = charts.wrap(label, 300)
    assert "".join(lines).replace(" ", "") == label.replace(" ", "")
    assert all(charts.text_width(line) <= 300 + charts.FONT for line in lines)
    assert not any(line[0] in "，、。" for line in lines)


def test_a_chart_refuses_an_id_that_is_not_a_slug() -> None:
    with pytest.raises(ValueError, match="chart_id"):
        charts.bar_chart([], chart_id='x" onload="alert(1)', title="t", desc="d", empty_text="e")
