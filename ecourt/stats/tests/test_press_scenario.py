"""The press-2018 scenario: built through the services, it shows the reference court's figures.

Building it runs every applicant's, clerk's, mediator's and judge's steps through the service
functions (5,497 applications): this module takes minutes, not seconds, and runs in CI on both
databases because it is the check that the statistics reproduce the press figures.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ecourt.cases.models import Application, Case
from ecourt.core import scenario_press
from ecourt.core.models import OutboundMessage
from ecourt.delivery.models import Delivery, DeliveryStatus
from ecourt.mediation.models import Mediation
from ecourt.stats import selectors
from ecourt.stats.selectors import Period

PRESS_PERIOD = Period(start=date(2018, 9, 9), end=date(2018, 10, 31))


@given(
    total=st.integers(0, 10**9),
    weights=st.lists(st.integers(1, 1000), min_size=1, max_size=60),
)
def test_apportion_splits_a_total_exactly(total: int, weights: list[int]) -> None:
    parts = scenario_press._apportion(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    assert all(p >= 0 for p in parts)


def test_the_plan_adds_up_to_the_press_figures() -> None:
    for scale in (1, 3):
        plan = scenario_press.plan(scale=scale, seed=7)
        submitted = [a for a in plan.applications if a.fate != "draft"]
        assert len(submitted) == 5_497 * scale
        diverted = [a for a in submitted if a.fate.startswith("adr_")]
        assert len(diverted) == 1_938 * scale
        docketed = [a for a in submitted if a.fate in ("docketed", "adr_failed_docketed")]
        assert len(docketed) == 777 * scale
        assert sum(1 for a in docketed if a.closing) == 373 * scale
        copyright_ = [a for a in submitted if a.case_type == "online_copyright_infringement"]
        assert len(copyright_) == 2_980 * scale
        assert all(
            scenario_press.START <= a.submitted_at.date() <= scenario_press.END
            for a in plan.applications
        )
        assert len({a.applicant for a in plan.applications}) == scenario_press.APPLICANTS * scale
    assert scenario_press.plan(scale=1, seed=7) == scenario_press.plan(scale=1, seed=7)


@pytest.mark.django_db
def test_the_press_scenario_at_scale_1() -> None:
    """One test, one build (about five minutes), inside the test's transaction: every check
    reads the same court, and nothing is left behind for the tests after it."""
    with translation.override("zh-hans"):
        scenario_press.build(scale=1, out=io.StringIO())
    _the_figures_are_the_press_figures()
    _the_api_page_and_csv_show_the_same()
    _the_records_are_what_a_real_flow_leaves()
    _a_second_build_is_refused()


def _the_figures_are_the_press_figures() -> None:
    summary = selectors.summary(PRESS_PERIOD)
    assert summary.visits == 3_810_000
    assert summary.registered_users == 2_880
    assert summary.applications == 5_497
    assert summary.diverted_to_adr == 1_938
    assert summary.filed == 777
    assert summary.closed == 373
    assert summary.online_filing_rate == 1
    copyright_ = next(s for s in summary.case_types if s.code == "online_copyright_infringement")
    assert copyright_.applications == 2_980
    assert str(copyright_.share) == "0.5421"  # the press: 54%
    assert summary.case_types[0] == copyright_


def _the_api_page_and_csv_show_the_same() -> None:
    client = Client()
    query = {"from": "2018-09-09", "until": "2018-10-31"}
    body = client.get(reverse("api:stats_summary"), query).json()
    assert {k: body[k] for k in ("visits", "registered_users", "applications")} == {
        "visits": 3_810_000,
        "registered_users": 2_880,
        "applications": 5_497,
    }
    assert (body["diverted_to_adr"], body["filed"], body["closed"]) == (1_938, 777, 373)
    assert body["online_filing_rate"] == 1
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("stats:summary_csv"), query).content.decode("utf-8-sig"))
        )
    )
    assert int(rows[0]["applications"]) == 5_497 and int(rows[0]["closed"]) == 373
    with translation.override("en"):
        page = client.get(reverse("stats:public"), query, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    for figure in ("3,810,000", "2,880", "5,497", "1,938", "777", "373"):
        assert figure in page.content.decode()


def _the_records_are_what_a_real_flow_leaves() -> None:
    # Every figure comes from the rows the services wrote: states that only a real flow reaches.
    assert Application.objects.filter(status="draft").count() == 250
    assert Application.objects.filter(status="refused").count() == 780
    assert Application.objects.filter(status="corrections_requested").count() == 1_200
    assert Mediation.objects.filter(status="settled").count() == 620
    assert Case.objects.filter(status="closed", closing_mode="mediation").count() == 150
    assert Case.objects.filter(docketed_on__gt=date(2018, 10, 31)).count() == 0
    for type_code in ("民初", "行初"):
        rows = list(
            Case.objects.filter(type_code=type_code)
            .order_by("serial")
            .values_list("serial", "docketed_at")
        )
        assert [serial for serial, _at in rows] == list(range(1, len(rows) + 1))  # gap-free
        times = [at for _serial, at in rows]
        assert times == sorted(times)  # numbered in docketing order, as the calendar ran
    # Nothing the historical court queued is sent now.
    assert not OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED).exists()
    assert Delivery.objects.exists()
    assert not Delivery.objects.filter(status=DeliveryStatus.QUEUED).exists()


def _a_second_build_is_refused() -> None:
    assert scenario_press.is_loaded()
    with pytest.raises(CommandError, match="already"):
        call_command("demo", "--scenario", "press-2018", "--i-know-this-is-not-production")


@pytest.mark.django_db
def test_the_scenario_leaves_the_worker_no_tasks_to_run() -> None:
    """Its texts and deliveries are marked failed as they are made: a task for each would sit
    in front of the real court's work (24,000 per unit of scale). The court's own backend is
    back once the build is over."""
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from ecourt.core.tasks import message_send

    court_backend = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with override_settings(TASKS=court_backend):
        message_send.enqueue(message_id=1)
        assert DBTaskResult.objects.count() == 1, "the court's backend queues"
        with scenario_press._tasks_not_queued() as forget:
            message_send.enqueue(message_id=2)
            message_send.enqueue(message_id=3)
            assert DBTaskResult.objects.count() == 1, "nothing queued during the build"
            forget()
        message_send.enqueue(message_id=4)
        assert DBTaskResult.objects.count() == 2, "queued again after the build"
