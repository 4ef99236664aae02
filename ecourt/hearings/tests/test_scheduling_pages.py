"""Scheduling pages: the judge schedules through the form (warnings shown, errors next to
the field), a party confirms and applies to reschedule, the judge decides, a division head
assigns the judge; an outsider gets 404 on every page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.hearings.models import Hearing, RescheduleRequest, RescheduleStatus
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


def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_an_outsider_gets_404_on_every_page(login, oscar, hearing, bob):
    request = reschedule_request(actor=bob, hearing_id=hearing.pk, reasons="Our lawyer is away.")
    client = login(oscar)
    case_pk = hearing.case_id
    for url in (
        f"/cases/{case_pk}/hearings/",
        f"/cases/{case_pk}/judge/",
        f"/hearings/{hearing.pk}/",
        f"/hearings/{hearing.pk}/reschedule/",
        f"/reschedule-requests/{request.pk}/decision/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/cases/{case_pk}/hearings/",
        f"/hearings/{hearing.pk}/confirm/",
        f"/hearings/{hearing.pk}/cancel/",
        f"/hearings/{hearing.pk}/reschedule/",
    ):
        assert client.post(url, {"reason": "x" * 10, "reasons": "x" * 20}).status_code == 404, url
    assert b"You have no hearings" in en(client).get("/hearings/mine/").content


def test_the_judge_schedules_through_the_form_and_sees_the_warning(login, judge, case):
    sun = assistant()
    room = courtroom()
    client = en(login(judge))
    page = client.get(f"/cases/{case.pk}/hearings/")
    assert page.status_code == 200 and b"Schedule a hearing" in page.content

    too_soon = client.post(
        f"/cases/{case.pk}/hearings/",
        {"starts_at": "2026-09-15T09:30", "minutes": 60, "courtroom": room.pk, "clerk": sun.pk},
    )
    assert too_soon.status_code == 400
    assert b"at least 3 days" in too_soon.content

    done = client.post(
        f"/cases/{case.pk}/hearings/",
        {"starts_at": "2026-09-26T09:30", "minutes": 60, "courtroom": room.pk, "clerk": sun.pk},
        follow=True,
    )
    assert b"The hearing falls on a weekend." in done.content
    hearing = Hearing.objects.get(case=case)
    assert hearing.warnings == ["weekend"]
    detail = client.get(f"/hearings/{hearing.pk}/")
    assert b"Enter the hearing room" in detail.content
    assert f"/hearings/{hearing.pk}/room/".encode() in detail.content
    assert b"Cancel the hearing" in detail.content


def test_a_party_confirms_and_applies_to_reschedule_and_the_judge_grants(
    login, bob, judge, hearing
):
    party = en(login(bob))
    detail = party.get(f"/hearings/{hearing.pk}/")
    assert b"Confirm attendance" in detail.content and b"Cancel the hearing" not in detail.content
    assert b"/deliveries/" in detail.content  # Bob opens his own delivery of the summons
    party.post(f"/hearings/{hearing.pk}/confirm/")
    assert hearing.participants.get(user=bob).confirmed_at is not None
    assert b"Waiting" not in party.get("/hearings/mine/").content
    assert str(hearing.case.number).encode() in party.get("/hearings/mine/").content

    short = party.post(f"/hearings/{hearing.pk}/reschedule/", {"reasons": "Away."})
    assert short.status_code == 400
    party.post(f"/hearings/{hearing.pk}/reschedule/", {"reasons": "Our director is in hospital."})
    request = RescheduleRequest.objects.get(hearing=hearing)
    assert party.get(f"/reschedule-requests/{request.pk}/decision/").status_code == 404

    staff = en(login(judge))
    refused = staff.post(
        f"/reschedule-requests/{request.pk}/decision/", {"grant": "no", "note": ""}
    )
    assert refused.status_code == 400 and b"Say why" in refused.content
    staff.post(
        f"/reschedule-requests/{request.pk}/decision/",
        {"grant": "yes", "starts_at": "2026-09-23T14:00", "minutes": 90, "note": ""},
    )
    request.refresh_from_db()
    hearing.refresh_from_db()
    assert request.status == RescheduleStatus.GRANTED
    assert hearing.minutes == 90
    assert hearing.participants.get(user=bob).confirmed_at is None


def test_a_division_head_assigns_the_judge(login, case, judge):
    head = VerifiedUserFactory(display_name="Head Gao", roles=[Role.DIVISION_HEAD])
    TOTPDevice.objects.create(user=head, name="test", confirmed=True)
    other = VerifiedUserFactory(display_name="Judge Liu", roles=[Role.JUDGE])
    assert login(judge).get(f"/cases/{case.pk}/judge/").status_code == 404
    client = en(login(head))
    assert client.get(f"/cases/{case.pk}/judge/").status_code == 200
    done = client.post(f"/cases/{case.pk}/judge/", {"judge": other.pk}, follow=True)
    assert b"Judge Liu is the judge of this case." in done.content
    case.refresh_from_db()
    assert case.judge == other
