"""Scheduling over the API: an outsider gets 404 on every route; the judge schedules (a
conflict is a 400 naming the resource), a party confirms and applies to reschedule, the
judge decides and cancels, a division head assigns the judge."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases.tests.test_api_filing import ok, problem, send
from ecourt.delivery.tests.factories import defendant, plaintiff
from ecourt.hearings.services.scheduling import reschedule_request
from ecourt.hearings.tests.factories import (
    assistant,
    case_ready_for_hearing,
    courtroom,
    ensure_seal,
    scheduled_hearing,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)  # a Monday
TUESDAY = datetime(2026, 9, 22, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _monday(time_machine) -> None:
    ensure_seal()
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def case(alice, bob, clerk, judge):
    return case_ready_for_hearing(alice, bob, clerk, judge)


@pytest.fixture
def hearing(case, judge):
    return scheduled_hearing(case, judge, starts_at=TUESDAY)


def test_every_route_answers_an_outsider_404(login, oscar, hearing, bob):
    request = reschedule_request(actor=bob, hearing_id=hearing.pk, reasons="Our lawyer is away.")
    client = login(oscar)
    routes = [
        ("get", "/cases/{c}/hearings", None),
        (
            "post",
            "/cases/{c}/hearings",
            {
                "starts_at": "2026-09-24T09:30:00+08:00",
                "minutes": 60,
                "courtroom_id": 1,
                "clerk_id": 1,
            },
        ),
        ("get", "/hearings/{h}", None),
        ("post", "/hearings/{h}/confirm", None),
        ("post", "/hearings/{h}/reschedule-requests", {"reasons": "We are busy that day."}),
        ("post", "/reschedule-requests/{r}/decision", {"grant": False, "note": "No reason"}),
        ("post", "/hearings/{h}/cancel", {"reason": "Because I say so"}),
        ("post", "/cases/{c}/judge", {"judge_id": None}),
    ]
    for method, path, payload in routes:
        url = path.format(c=hearing.case_id, h=hearing.pk, r=request.pk)
        problem(send(client, method, url, payload), 404, "not_found")


def test_the_judge_schedules_and_a_conflict_names_the_courtroom(login, judge, case, carol, clerk):
    sun = assistant()
    client = login(judge)
    body = ok(
        send(
            client,
            "post",
            f"/cases/{case.pk}/hearings",
            {
                "starts_at": "2026-10-01T09:30:00+08:00",
                "minutes": 60,
                "courtroom_id": courtroom().pk,
                "clerk_id": sun.pk,
            },
        ),
        201,
    )
    assert body["warnings"] == ["holiday"]
    assert {p["role"] for p in body["participants"]} == {"judge", "clerk", "party"}
    assert body["summons_id"]
    listed = ok(send(client, "get", f"/cases/{case.pk}/hearings"))
    assert [h["id"] for h in listed] == [body["id"]]
    clash = send(
        client,
        "post",
        f"/cases/{case.pk}/hearings",
        {
            "starts_at": "2026-10-01T10:00:00+08:00",
            "minutes": 30,
            "courtroom_id": courtroom().pk,
            "clerk_id": assistant("Assistant Ma").pk,
        },
    )
    assert "Judge Wang" in problem(clash, 400, "conflict")["detail"]


def test_a_party_confirms_and_asks_and_the_judge_decides_and_cancels(login, bob, judge, hearing):
    party = login(bob)
    confirmed = ok(send(party, "post", f"/hearings/{hearing.pk}/confirm"))
    beta = defendant(hearing.case).pk
    assert {
        p["party_id"]: p["confirmed_at"] is not None
        for p in confirmed["participants"]
        if p["role"] == "party"
    } == {beta: True, plaintiff(hearing.case).pk: False}
    asked = ok(
        send(
            party,
            "post",
            f"/hearings/{hearing.pk}/reschedule-requests",
            {"reasons": "Our director is in hospital."},
        ),
        201,
    )
    problem(
        send(
            party,
            "post",
            f"/reschedule-requests/{asked['id']}/decision",
            {"grant": False, "note": "no no"},
        ),
        403,
        "not_judge",
    )
    staff = login(judge)
    decided = ok(
        send(
            staff,
            "post",
            f"/reschedule-requests/{asked['id']}/decision",
            {"grant": False, "note": "Another director can attend."},
        )
    )
    assert decided["status"] == "refused"
    cancelled = ok(
        send(staff, "post", f"/hearings/{hearing.pk}/cancel", {"reason": "The case settled."})
    )
    assert cancelled["status"] == "cancelled"


def test_a_division_head_assigns_the_judge_by_load(login, case, judge):
    head = VerifiedUserFactory(display_name="Head Gao", roles=[Role.DIVISION_HEAD])
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=head, name="test", confirmed=True)
    idle = VerifiedUserFactory(display_name="Judge Idle", roles=[Role.JUDGE])
    problem(send(login(judge), "post", f"/cases/{case.pk}/judge", {}), 403, "not_division_head")
    body = ok(send(login(head), "post", f"/cases/{case.pk}/judge", {}))
    assert body["judge_id"] == idle.pk


def test_a_naive_start_means_court_time(login, judge, bob, case, hearing):
    client = login(judge)
    body = ok(
        send(
            client,
            "post",
            f"/cases/{case.pk}/hearings",
            {
                "starts_at": "2026-12-24T09:30:00",  # no offset: Beijing time
                "minutes": 60,
                "courtroom_id": courtroom("Room 2", "room-2").pk,
                "clerk_id": assistant("Assistant Ma").pk,
            },
        ),
        201,
    )
    assert datetime.fromisoformat(body["starts_at"]) == datetime(
        2026, 12, 24, 9, 30, tzinfo=SHANGHAI
    )
    asked = reschedule_request(actor=bob, hearing_id=hearing.pk, reasons="Our lawyer is away.")
    decided = ok(
        send(
            client,
            "post",
            f"/reschedule-requests/{asked.pk}/decision",
            {"grant": True, "starts_at": "2026-09-25T14:00:00"},
        )
    )
    assert datetime.fromisoformat(decided["new_starts_at"]) == datetime(
        2026, 9, 25, 14, 0, tzinfo=SHANGHAI
    )


def test_a_start_more_than_two_years_ahead_is_refused(login, judge, bob, case, hearing):
    client = login(judge)
    for starts_at in ("9999-12-31T23:59:00", "9999-12-31T23:00:00+08:00", "2028-10-01T09:30:00"):
        refused = send(
            client,
            "post",
            f"/cases/{case.pk}/hearings",
            {
                "starts_at": starts_at,
                "minutes": 480,
                "courtroom_id": courtroom().pk,
                "clerk_id": assistant("Assistant Ma").pk,
            },
        )
        assert "two years" in problem(refused, 400, "start_too_far")["detail"]
    asked = reschedule_request(actor=bob, hearing_id=hearing.pk, reasons="Our lawyer is away.")
    problem(
        send(
            client,
            "post",
            f"/reschedule-requests/{asked.pk}/decision",
            {"grant": True, "starts_at": "9999-12-31T23:59:00"},
        ),
        400,
        "start_too_far",
    )
