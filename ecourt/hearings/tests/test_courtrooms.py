"""Courtrooms: the migration gives a fresh court one to schedule in; the court administrator
adds and changes courtrooms (names and codes unique, a checked meeting link, no deactivation
while hearings are to come) on the page and over the API; nobody else may."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.db import connection

from ecourt.cases.tests.test_api_filing import ok, problem, send
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent
from ecourt.hearings.models import Courtroom, HearingStatus
from ecourt.hearings.services.courtrooms import courtroom_create, courtroom_update
from ecourt.hearings.tests.factories import (
    case_ready_for_hearing,
    courtroom,
    ensure_seal,
    scheduled_hearing,
)

_migration = importlib.import_module("ecourt.hearings.migrations.0002_default_courtroom")


def _run_migration() -> None:
    _migration.add_default_courtroom(django_apps, SimpleNamespace(connection=connection))


SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)  # a Monday
TUESDAY = datetime(2026, 9, 22, 9, 30, tzinfo=SHANGHAI)
DEFAULT_NAME = "第一网上法庭 (Online Courtroom 1)"
MEET = "https://meet.example.cn/{room}"


@pytest.fixture(autouse=True)
def _monday(time_machine) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def _default_room(db) -> None:
    """The room migration 0002 makes. Put back when an earlier transactional test (a browser
    test) flushed the tables, which removes migrated rows."""
    if not Courtroom.objects.exists():
        _run_migration()


@contextmanager
def refused(code: str, *, field: str | None = None, says: str = "") -> Iterator[None]:
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.code == code, info.value.message
    if field is not None:
        assert info.value.field == field
    assert says in str(info.value.message)


def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def booked_room(alice, bob, clerk, judge) -> Courtroom:
    """A courtroom with one hearing next Tuesday."""
    ensure_seal()
    case = case_ready_for_hearing(alice, bob, clerk, judge)
    room = courtroom()
    scheduled_hearing(case, judge, room=room, starts_at=TUESDAY)
    return room


# --- The migration ------------------------------------------------------------------------------


def test_a_fresh_court_has_one_active_courtroom(db):
    Courtroom.objects.all().delete()
    _run_migration()
    _run_migration()  # once only
    room = Courtroom.objects.get()
    assert room.name == DEFAULT_NAME
    assert room.is_active
    assert room.meeting_url_template == ""


# --- Services -----------------------------------------------------------------------------------


def test_it_creates_a_courtroom_with_an_audit_event(admin):
    room = courtroom_create(
        actor=admin, name="  Online   Courtroom 2 ", code="Online-2", meeting_url_template=MEET
    )
    assert (room.name, room.code, room.meeting_url_template) == (
        "Online Courtroom 2",
        "online-2",
        MEET,
    )
    assert room.is_active
    event = AuditEvent.objects.get(code="ecourt.hearings.courtroom.created")
    assert event.actor == admin
    assert event.new_values["code"] == "online-2"


@pytest.mark.parametrize("role", ["judge", "clerk", "alice"])
def test_only_the_court_administrator_manages_courtrooms(request, role):
    user = request.getfixturevalue(role)
    room = Courtroom.objects.get(code="online-1")
    with pytest.raises(PermissionDenied):
        courtroom_create(actor=user, name="Room 9", code="room-9")
    with pytest.raises(PermissionDenied):
        courtroom_update(
            actor=user,
            courtroom_id=room.pk,
            name="Renamed",
            meeting_url_template="",
            is_active=True,
        )
    assert not Courtroom.objects.filter(code="room-9").exists()


def test_names_and_codes_are_unique(admin):
    with refused("name_taken", field="name"):
        courtroom_create(actor=admin, name=DEFAULT_NAME.upper(), code="online-9")
    with refused("code_taken", field="code"):
        courtroom_create(actor=admin, name="Another room", code="ONLINE-1")
    other = courtroom_create(actor=admin, name="Room 2", code="room-2")
    with refused("name_taken", field="name"):
        courtroom_update(
            actor=admin,
            courtroom_id=other.pk,
            name=DEFAULT_NAME,
            meeting_url_template="",
            is_active=True,
        )


@pytest.mark.parametrize("code", ["x", "a" * 41, "room 2", "房间", "room/2", "room.2"])
def test_the_code_is_a_slug_of_2_to_40_characters(admin, code):
    with pytest.raises(DomainError) as info:
        courtroom_create(actor=admin, name="Room 2", code=code)
    assert info.value.field == "code"
    assert info.value.code in ("code_invalid", "too_long")


def test_text_is_cleaned(admin):
    with refused("required", field="name"):
        courtroom_create(actor=admin, name="   ", code="room-2")
    with refused("control_characters", field="name"):
        courtroom_create(actor=admin, name="Room\x002", code="room-2")
    with refused("too_long", field="name"):
        courtroom_create(actor=admin, name="R" * 101, code="room-2")


@pytest.mark.parametrize(
    "template",
    [
        "https://meet.example.cn/fixed-room",  # no {room}
        "ftp://meet.example.cn/{room}",
        "meet.example.cn/{room}",
        "javascript:alert(1)//{room}",
        "https:///{room}",
        "https://meet.example.cn/{room} extra",
    ],
)
def test_the_meeting_link_is_an_http_url_with_room(admin, template):
    with refused("meeting_url_invalid", field="meeting_url_template", says="{room}"):
        courtroom_create(actor=admin, name="Room 2", code="room-2", meeting_url_template=template)


def test_it_updates_a_courtroom_and_audits_what_changed(admin):
    room = Courtroom.objects.get(code="online-1")
    room = courtroom_update(
        actor=admin,
        courtroom_id=room.pk,
        name="Online Courtroom One",
        meeting_url_template="http://jitsi.court.example/{room}?lang=zh",
        is_active=False,
    )
    room.refresh_from_db()
    assert room.name == "Online Courtroom One"
    assert room.meeting_url_template == "http://jitsi.court.example/{room}?lang=zh"
    assert not room.is_active
    assert room.code == "online-1"
    event = AuditEvent.objects.get(code="ecourt.hearings.courtroom.updated")
    assert event.old_values == {
        "name": DEFAULT_NAME,
        "meeting_url_template": "",
        "is_active": True,
    }
    assert event.new_values["is_active"] is False


def test_an_update_that_changes_nothing_is_not_audited(admin):
    room = Courtroom.objects.get(code="online-1")
    courtroom_update(
        actor=admin, courtroom_id=room.pk, name=room.name, meeting_url_template="", is_active=True
    )
    assert not AuditEvent.objects.filter(code="ecourt.hearings.courtroom.updated").exists()


def test_a_courtroom_with_hearings_to_come_cannot_be_deactivated(admin, booked_room):
    with refused("courtroom_in_use", field="is_active", says="1 hearing to come"):
        courtroom_update(
            actor=admin,
            courtroom_id=booked_room.pk,
            name=booked_room.name,
            meeting_url_template="",
            is_active=False,
        )
    booked_room.refresh_from_db()
    assert booked_room.is_active
    # Renaming it is fine.
    courtroom_update(
        actor=admin,
        courtroom_id=booked_room.pk,
        name="Courtroom One",
        meeting_url_template="",
        is_active=True,
    )


def test_once_its_hearings_are_over_or_cancelled_it_can_be_deactivated(
    admin, booked_room, time_machine
):
    hearing = booked_room.hearings.get()
    hearing.status = HearingStatus.CANCELLED  # cancelling is tested with scheduling
    hearing.save(update_fields=["status"])
    room = courtroom_update(
        actor=admin,
        courtroom_id=booked_room.pk,
        name=booked_room.name,
        meeting_url_template="",
        is_active=False,
    )
    assert not room.is_active


def test_a_hearing_in_the_past_does_not_block_deactivation(admin, booked_room, time_machine):
    time_machine.move_to(datetime(2026, 9, 23, 9, 0, tzinfo=SHANGHAI), tick=False)
    room = courtroom_update(
        actor=admin,
        courtroom_id=booked_room.pk,
        name=booked_room.name,
        meeting_url_template="",
        is_active=False,
    )
    assert not room.is_active


# --- The page -----------------------------------------------------------------------------------


def test_anyone_but_the_court_administrator_gets_404(login, judge, clerk, alice, oscar):
    room = Courtroom.objects.get(code="online-1")
    for user in (judge, clerk, alice, oscar):
        client = login(user)
        assert client.get("/courtrooms/").status_code == 404
        assert client.post("/courtrooms/add", {"name": "X", "code": "xx"}).status_code == 404
        response = client.post(f"/courtrooms/{room.pk}/", {"name": "X", "is_active": "on"})
        assert response.status_code == 404
    assert Courtroom.objects.count() == 1


def test_a_visitor_is_sent_to_sign_in(visitor):
    response = visitor.get("/courtrooms/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_administrator_lists_adds_and_edits_courtrooms(login, admin, booked_room):
    client = en(login(admin))
    page = client.get("/courtrooms/")
    assert page.status_code == 200
    text = page.content.decode()
    assert DEFAULT_NAME in text and "Courtroom 1" in text
    assert 'href="/courtrooms/"' in text  # the nav link

    response = client.post(
        "/courtrooms/add",
        {"name": "Online Courtroom 2", "code": "online-2", "meeting_url_template": MEET},
    )
    assert response.status_code == 302
    assert Courtroom.objects.get(code="online-2").meeting_url_template == MEET

    default = Courtroom.objects.get(code="online-1")
    response = client.post(
        f"/courtrooms/{default.pk}/", {"name": "Online Courtroom 1", "meeting_url_template": ""}
    )
    assert response.status_code == 302  # the box unticked: inactive
    default.refresh_from_db()
    assert (default.name, default.is_active) == ("Online Courtroom 1", False)
    assert "Inactive" in client.get("/courtrooms/").content.decode()


def test_errors_show_next_to_the_field(login, admin, booked_room):
    client = en(login(admin))
    response = client.post("/courtrooms/add", {"name": DEFAULT_NAME, "code": "online-2"})
    assert response.status_code == 400
    assert "A courtroom of this name exists already." in response.content.decode()

    response = client.post(
        "/courtrooms/add",
        {"name": "Room 2", "code": "room-2", "meeting_url_template": "https://x.example/"},
    )
    assert response.status_code == 400
    assert "{room}" in response.content.decode()

    response = client.post(f"/courtrooms/{booked_room.pk}/", {"name": booked_room.name})
    assert response.status_code == 400
    content = response.content.decode()
    assert "1 hearing to come is scheduled in this courtroom" in content
    assert "Check this row" in content
    booked_room.refresh_from_db()
    assert booked_room.is_active


def test_the_page_shows_hearings_to_come_in_a_fixed_number_of_queries(
    login, admin, booked_room, django_assert_max_num_queries
):
    client = en(login(admin))
    client.get("/courtrooms/")  # warm the session and caches
    for n in range(5):
        courtroom_create(actor=admin, name=f"Room {n}", code=f"room-{n}")
    with django_assert_max_num_queries(12):
        page = client.get("/courtrooms/")
    row = page.context["rows"][0]
    assert (row.room, row.upcoming) == (booked_room, 1)
    assert "Hearings to come" in page.content.decode()


def test_an_unknown_courtroom_is_404(login, admin):
    assert login(admin).post("/courtrooms/999999/", {"name": "X"}).status_code == 404


# --- The API ------------------------------------------------------------------------------------


def test_staff_list_the_active_courtrooms_and_the_administrator_all(login, admin, judge, alice):
    courtroom_create(actor=admin, name="Old room", code="old-room")
    old = Courtroom.objects.get(code="old-room")
    courtroom_update(
        actor=admin, courtroom_id=old.pk, name="Old room", meeting_url_template="", is_active=False
    )
    seen = ok(send(login(judge), "get", "/courtrooms"))
    assert [r["code"] for r in seen] == ["online-1"]
    assert seen[0] == {
        "id": Courtroom.objects.get(code="online-1").pk,
        "name": DEFAULT_NAME,
        "code": "online-1",
        "meeting_url_template": "",
        "is_active": True,
    }
    every = ok(send(login(admin), "get", "/courtrooms"))
    assert [r["code"] for r in every] == ["online-1", "old-room"]
    problem(send(login(alice), "get", "/courtrooms"), 403, "forbidden")


def test_the_administrator_adds_and_changes_courtrooms_over_the_api(login, admin):
    client = login(admin)
    body = ok(
        send(client, "post", "/courtrooms", {"name": "Room 2", "code": "room-2"}),
        201,
    )
    assert body["is_active"] and body["meeting_url_template"] == ""
    problem(
        send(client, "post", "/courtrooms", {"name": "Room 3", "code": "room-2"}), 400, "code_taken"
    )
    body = ok(send(client, "patch", f"/courtrooms/{body['id']}", {"meeting_url_template": MEET}))
    assert body["name"] == "Room 2" and body["meeting_url_template"] == MEET
    body = ok(send(client, "patch", f"/courtrooms/{body['id']}", {"is_active": False}))
    assert body["is_active"] is False and body["meeting_url_template"] == MEET
    bad = problem(
        send(client, "patch", f"/courtrooms/{body['id']}", {"meeting_url_template": "x"}),
        400,
        "meeting_url_invalid",
    )
    assert bad["field"] == "meeting_url_template"
    problem(send(client, "patch", "/courtrooms/999999", {"is_active": True}), 404)


def test_deactivation_over_the_api_says_how_many_hearings(login, admin, booked_room):
    body = problem(
        send(login(admin), "patch", f"/courtrooms/{booked_room.pk}", {"is_active": False}),
        400,
        "courtroom_in_use",
    )
    assert body["field"] == "is_active"


def test_other_staff_may_not_write(login, judge):
    client = login(judge)
    room = Courtroom.objects.get(code="online-1")
    problem(
        send(client, "post", "/courtrooms", {"name": "R", "code": "rr"}), 403, "not_court_admin"
    )
    problem(send(client, "patch", f"/courtrooms/{room.pk}", {"name": "R"}), 403, "not_court_admin")
    problem(send(client, "patch", "/courtrooms/999999", {"name": "R"}), 403, "not_court_admin")
