"""The hearing room and the court record over the API: outsiders get 404 everywhere, the
identity check, beginning and ending, the live record with version conflicts, the meeting
link, closing and signing."""

from __future__ import annotations

from typing import Any

import pytest

from ecourt.accounts.models import User
from ecourt.cases.models import Case, CaseStatus
from ecourt.cases.tests.test_api_filing import ok, problem, send
from ecourt.conftest import code_sent_to
from ecourt.hearings.models import CourtRecord, Hearing
from ecourt.hearings.tests.factories import ensure_seal
from ecourt.hearings.tests.test_room import NOW, STARTS, make_hearing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday(time_machine: Any) -> None:
    ensure_seal()
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def hearing(alice: User, bob: User, clerk: User, judge: User, time_machine: Any) -> Hearing:
    hearing = make_hearing(alice, bob, clerk, judge)
    time_machine.move_to(STARTS, tick=False)
    return hearing


def check_in(client: Any, user: User, hearing: Hearing, commit: Any) -> dict:
    with commit():
        ok(send(client, "post", f"/hearings/{hearing.pk}/identity/code"), 204)
    return ok(
        send(
            client,
            "post",
            f"/hearings/{hearing.pk}/identity",
            {"code": code_sent_to(user.mobile)},
        )
    )


def test_outsiders_get_404_everywhere(hearing, judge, oscar, login, commit):
    staff = login(judge)
    check_in(staff, judge, hearing, commit)
    ok(send(staff, "post", f"/hearings/{hearing.pk}/start"))
    record = CourtRecord.objects.get(hearing=hearing)
    outsider = login(oscar)
    h, r = hearing.pk, record.pk
    for method, path, payload in [
        ("get", f"/hearings/{h}/record", None),
        ("put", f"/hearings/{h}/record", {"text": "x", "base_version": 0}),
        ("post", f"/hearings/{h}/identity/code", None),
        ("post", f"/hearings/{h}/identity", {"code": "123456"}),
        ("post", f"/hearings/{h}/start", None),
        ("post", f"/hearings/{h}/end", None),
        ("post", f"/hearings/{h}/evidence-shown", {"item_id": 1}),
        ("get", f"/hearings/{h}/meeting", None),
        ("get", f"/records/{r}", None),
        ("post", f"/records/{r}/close", None),
        ("post", f"/records/{r}/signature-code", None),
        ("post", f"/records/{r}/signatures", {"code": "123456", "sha256": "0" * 64}),
    ]:
        response = send(outsider, method, path, payload)
        assert response.status_code == 404, (method, path, response.content[:300])


def test_a_hearing_through_the_api(hearing, judge, alice, bob, login, commit):
    # Before the identity check the record and the meeting are not shown.
    party = login(alice)
    assert send(party, "get", f"/hearings/{hearing.pk}/record").status_code == 404
    assert send(party, "get", f"/hearings/{hearing.pk}/meeting").status_code == 404
    with commit():
        ok(send(party, "post", f"/hearings/{hearing.pk}/identity/code"), 204)
    problem(
        send(party, "post", f"/hearings/{hearing.pk}/identity", {"code": "000000"}),
        400,
    )
    # (A wrong code counts: the real one still works once.)
    attended = ok(
        send(
            party,
            "post",
            f"/hearings/{hearing.pk}/identity",
            {"code": code_sent_to(alice.mobile)},
        )
    )
    assert attended["joined_at"] is not None and attended["role"] == "party"
    meeting = ok(send(party, "get", f"/hearings/{hearing.pk}/meeting"))
    assert hearing.room in meeting["url"]

    staff = login(judge)
    check_in(staff, judge, hearing, commit)
    problem(send(party, "post", f"/hearings/{hearing.pk}/start"), 403, "not_judge")
    started = ok(send(staff, "post", f"/hearings/{hearing.pk}/start"))
    assert started["status"] == "in_progress" and started["record_id"]

    clerk = login(hearing.clerk)
    check_in(clerk, hearing.clerk, hearing, commit)
    saved = ok(
        send(clerk, "put", f"/hearings/{hearing.pk}/record", {"text": "Open.", "base_version": 0})
    )
    assert (saved["version"], saved["text"]) == (1, "Open.")
    problem(
        send(clerk, "put", f"/hearings/{hearing.pk}/record", {"text": "Tab 2", "base_version": 0}),
        409,
        "version_conflict",
    )
    problem(
        send(party, "put", f"/hearings/{hearing.pk}/record", {"text": "Mine", "base_version": 1}),
        403,
        "not_clerk",
    )
    seen = ok(send(party, "get", f"/hearings/{hearing.pk}/record"))
    assert (seen["version"], seen["text"], seen["closed"]) == (1, "Open.", False)
    problem(
        send(staff, "post", f"/hearings/{hearing.pk}/evidence-shown", {"item_id": 999_999}),
        400,
        "evidence_invalid",
    )

    record_id = started["record_id"]
    problem(send(clerk, "post", f"/records/{record_id}/close"), 400, "hearing_not_ended")
    ended = ok(send(staff, "post", f"/hearings/{hearing.pk}/end"))
    assert ended["status"] == "ended"
    assert Case.objects.get(pk=hearing.case_id).status == CaseStatus.HEARD

    closed = ok(send(clerk, "post", f"/records/{record_id}/close"))
    assert closed["sha256"] and closed["deposit_no"] and closed["closed_at"]
    assert sorted(closed["unsigned"]) == sorted(
        hearing.participants.exclude(user=None).values_list("name", flat=True)
    )

    with commit():
        ok(send(party, "post", f"/records/{record_id}/signature-code"), 204)
    code = code_sent_to(alice.mobile)
    problem(
        send(party, "post", f"/records/{record_id}/signatures", {"code": code, "sha256": "0" * 64}),
        400,
        "record_changed",
    )
    signed = ok(
        send(
            party,
            "post",
            f"/records/{record_id}/signatures",
            {"code": code, "sha256": closed["sha256"]},
        ),
        201,
    )
    assert [s["user_id"] for s in signed["signatures"]] == [alice.pk]
    assert signed["completed_at"] is None

    for user, client in ((judge, staff), (hearing.clerk, clerk), (bob, login(bob))):
        with commit():
            ok(send(client, "post", f"/records/{record_id}/signature-code"), 204)
        ok(
            send(
                client,
                "post",
                f"/records/{record_id}/signatures",
                {"code": code_sent_to(user.mobile), "sha256": closed["sha256"]},
            ),
            201,
        )
    done = ok(send(party, "get", f"/records/{record_id}"))
    assert done["completed_at"] is not None and done["unsigned"] == []


def test_the_judge_and_clerk_act_without_a_texted_code(hearing, judge, alice, login):
    staff = login(judge)
    started = ok(send(staff, "post", f"/hearings/{hearing.pk}/start"))
    assert started["status"] == "in_progress"
    clerk = login(hearing.clerk)
    saved = ok(
        send(clerk, "put", f"/hearings/{hearing.pk}/record", {"text": "Open.", "base_version": 0})
    )
    assert saved["version"] == 1
    assert ok(send(staff, "get", f"/hearings/{hearing.pk}/record"))["text"] == "Open."
    # A party still needs the fresh code.
    assert send(login(alice), "get", f"/hearings/{hearing.pk}/record").status_code == 404
