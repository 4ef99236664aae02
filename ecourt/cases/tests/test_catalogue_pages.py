"""The court administrator's pages: the case-type catalogue and the court calendar, with the
calendar service behind the latter.

Personas: the court administrator; Oscar (no role) and the clerk (staff, another role) get
403 from these staff-only pages.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ecourt.cases.models import CatalogueVersion
from ecourt.cases.rules.jurisdiction import SPC_2018_LIST
from ecourt.cases.tests.factories import submitted_application
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent, CalendarDay
from ecourt.core.selectors import court_today
from ecourt.core.services_calendar import calendar_day_add

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGES = ["cases:catalogue", "cases:catalogue_publish", "cases:calendar_days"]
_ID = re.compile(r'\sid="([^"]+)"')


def _duplicate_ids(html: str) -> list[str]:
    return [name for name, n in Counter(_ID.findall(html)).items() if n > 1]


# --- Who may open what -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(name):
    client = Client()
    for response in (client.get(reverse(name)), client.post(reverse(name))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["oscar", "alice", "clerk", "judge"])
def test_it_refuses_the_pages_to_everyone_but_administrators(request, login, persona):
    client = login(request.getfixturevalue(persona))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
        assert client.post(reverse(name), {"day": "2027-01-01"}).status_code == 403, name
    assert not CalendarDay.objects.exists()
    assert CatalogueVersion.objects.count() == 1


@pytest.mark.parametrize("name", PAGES)
def test_it_gives_each_field_its_own_id(login, admin, name):
    response = login(admin).get(reverse(name))
    assert response.status_code == 200
    assert _duplicate_ids(response.content.decode()) == []


# --- The catalogue -----------------------------------------------------------------------------


def test_it_shows_the_versions_and_the_types_in_force(login, admin):
    html = login(admin).get(reverse("cases:catalogue")).content.decode()
    assert "2018-09-07" in html
    assert "In force" in html
    assert "Shipped with ecourt" in html
    assert "Contract for goods bought on an e-commerce platform" in html
    assert "online_shopping_contract" in html
    assert "Report it to the public security organ" in html  # a refused type names the court


def _publish_data(response: Any) -> dict[str, str]:
    """What the browser sends back for the pre-filled publish page, unchanged."""
    data: dict[str, str] = {}
    formset = response.context["formset"]
    for key, value in formset.management_form.initial.items():
        data[f"{formset.prefix}-{key}"] = str(value)
    for form in formset.forms:
        for field in form:
            value = field.value()
            if field.name == "accepted":
                if value:
                    data[field.html_name] = "on"
            elif field.name != "DELETE":
                data[field.html_name] = "" if value is None else str(value)
    return data


def test_it_prefills_the_new_version_with_the_current_types(login, admin):
    response = login(admin).get(reverse("cases:catalogue_publish"))
    formset = response.context["formset"]
    assert len(formset.forms) == len(SPC_2018_LIST) + 3
    assert formset.forms[0]["code"].value() == SPC_2018_LIST[0].code
    assert formset.forms[0]["accepted"].value() is True
    assert formset.forms[-1]["code"].value() in (None, "")


def test_it_refuses_a_catalogue_taking_effect_in_the_past(login, admin):
    client = login(admin)
    page = client.get(reverse("cases:catalogue_publish"))
    for day in (court_today() - timedelta(days=1), court_today()):
        response = client.post(
            reverse("cases:catalogue_publish"),
            _publish_data(page) | {"effective_from": str(day), "basis": "SPC notice"},
        )
        assert response.status_code == 400
        assert response.context["form"].errors["effective_from"] == [
            "A new catalogue can take effect tomorrow at the earliest."
        ]
    assert CatalogueVersion.objects.count() == 1


def test_it_publishes_a_version_with_changed_added_and_dropped_types(login, admin, alice):
    client = login(admin)
    page = client.get(reverse("cases:catalogue_publish"))
    new_row = len(SPC_2018_LIST)
    effective = court_today() + timedelta(days=30)
    data = _publish_data(page) | {
        "effective_from": str(effective),
        "basis": "SPC Provisions (2027 amendment), Art. 2",
        "note": "Adds data-trading disputes; drops domain names.",
        "types-5-DELETE": "on",  # domain_name
        "types-0-name_en": "Online shopping contract",
        f"types-{new_row}-code": "data_trading",
        f"types-{new_row}-name_en": "Data trading contract",
        f"types-{new_row}-name_zh": "数据交易合同纠纷",
        f"types-{new_row}-accepted": "on",
        f"types-{new_row}-procedure_family": "civil",
        f"types-{new_row}-fee_category": "property",
        f"types-{new_row}-number_type": "民初",
    }
    assert data["types-5-code"] == "domain_name"
    response = client.post(reverse("cases:catalogue_publish"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == reverse("cases:catalogue")
    version = CatalogueVersion.objects.get(effective_from=effective)
    codes = list(version.case_types.values_list("code", flat=True))
    assert "data_trading" in codes
    assert "domain_name" not in codes
    assert len(codes) == len(SPC_2018_LIST)
    assert version.case_types.get(code="online_shopping_contract").name_en == (
        "Online shopping contract"
    )
    assert version.published_by == admin
    # An application submitted today is still judged by the version in force today.
    application = submitted_application(alice, case_type="domain_name", amount=None)
    assert application.case_type is not None
    assert application.case_type.version.effective_from == date(2018, 9, 7)
    html = client.get(reverse("cases:catalogue")).content.decode()
    assert "Upcoming" in html


def test_it_shows_a_bad_row_next_to_its_fields(login, admin):
    client = login(admin)
    page = client.get(reverse("cases:catalogue_publish"))
    new_row = len(SPC_2018_LIST)
    data = _publish_data(page) | {
        "effective_from": str(court_today() + timedelta(days=3)),
        "basis": "SPC notice",
        f"types-{new_row}-code": "not a slug!",
        f"types-{new_row}-name_en": "Something",
    }
    response = client.post(reverse("cases:catalogue_publish"), data)
    assert response.status_code == 400
    row = response.context["formset"].forms[new_row]
    assert "code" in row.errors
    assert "name_zh" in row.errors
    assert "Check this row" in response.content.decode()
    assert CatalogueVersion.objects.count() == 1


def test_it_reports_a_type_the_service_refuses(login, admin):
    client = login(admin)
    page = client.get(reverse("cases:catalogue_publish"))
    data = _publish_data(page) | {
        "effective_from": str(court_today() + timedelta(days=3)),
        "basis": "SPC notice",
        "types-0-fee_category": "",
    }
    response = client.post(reverse("cases:catalogue_publish"), data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "“online_shopping_contract”: a case type the court hears needs a fee category and a "
        "case-number type."
    ]


# --- The calendar ------------------------------------------------------------------------------


def test_it_adds_a_calendar_day_from_the_page(login, admin):
    client = login(admin)
    response = client.post(
        reverse("cases:calendar_days"),
        {"day": "2027-02-08", "kind": "day_off", "note": "State Council notice 2027 No. 1"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert (day.day, day.kind, day.added_by) == (date(2027, 2, 8), "day_off", admin)
    html = client.get(reverse("cases:calendar_days")).content.decode()
    assert "2027-02-08" in html
    assert "State Council notice 2027 No. 1" in html

    response = client.post(
        reverse("cases:calendar_days"),
        {"day": "2027-02-08", "kind": "working_day", "note": "Another notice"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["day"] == [
        "2027-02-08 is already in the court calendar."
    ]
    assert CalendarDay.objects.count() == 1


def test_it_adds_a_day_only_for_an_administrator(clerk):
    with pytest.raises(PermissionDenied):
        calendar_day_add(actor=clerk, day=date(2027, 2, 8), kind="day_off", note="Notice")
    assert not CalendarDay.objects.exists()


def test_it_records_the_day_in_the_audit_trail(admin):
    entry = calendar_day_add(
        actor=admin, day=date(2027, 2, 8), kind="day_off", note="  State Council   notice "
    )
    assert entry.note == "State Council notice"
    event = AuditEvent.objects.get(code="ecourt.core.calendar_day.added")
    assert event.actor == admin
    assert event.new_values == {"day": "2027-02-08", "kind": "day_off", "note": entry.note}


@pytest.mark.parametrize(
    ("kind", "note", "code"),
    [("holiday", "Notice", "kind_invalid"), ("day_off", "   ", "note_missing")],
)
def test_it_refuses_an_incomplete_day(admin, kind, note, code):
    with pytest.raises(DomainError) as caught:
        calendar_day_add(actor=admin, day=date(2027, 2, 8), kind=kind, note=note)
    assert caught.value.code == code


def test_it_refuses_a_day_twice(admin):
    calendar_day_add(actor=admin, day=date(2027, 2, 8), kind="day_off", note="Notice")
    with pytest.raises(DomainError) as caught:
        calendar_day_add(actor=admin, day=date(2027, 2, 8), kind="working_day", note="Other")
    assert caught.value.code == "day_exists"
    assert caught.value.field == "day"


def test_it_moves_periods_counted_afterwards(admin, alice):
    # Friday 2027-01-08 + 7 days = Friday 15 January; closed that day, the period runs on to
    # Monday 18 January.
    calendar_day_add(actor=admin, day=date(2027, 1, 15), kind="day_off", note="Court closure")
    with time_machine.travel(datetime(2027, 1, 8, 10, tzinfo=SHANGHAI), tick=False):
        application = submitted_application(alice)
    assert application.deadlines.get(code="filing_decision").due_date == date(2027, 1, 18)
