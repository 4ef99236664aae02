"""Pre-filing mediation through the JSON API: the whole road from diversion to the judge's
ruling, caucus privacy on every read, 404 for outsiders and other mediators on every id, the
court's registry and figures, and bad input answered as problems with a code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases.models import ApplicationStatus, CaseStatus
from ecourt.cases.tests.factories import company_for, docketed_case, submitted_application
from ecourt.cases.tests.test_api_filing import API, ok, problem, send
from ecourt.conftest import _staff, code_sent_to
from ecourt.mediation.models import Mediation, MediationStatus
from ecourt.mediation.tests.factories import (
    COPYRIGHT,
    defendant_of,
    diverted_application,
    mediation_code_sent_to,
    mediation_of,
    plaintiff_party,
    registered_mediator,
)

pytestmark = pytest.mark.django_db

SECRET = "Between us: Beta could pay 15,000."
TERMS = "Beta pays 20,000 yuan by 31 December."
#: Every GET on the room of one mediation.
ROOM_READS = ("messages", "sessions", "proposals", "agreement")


@pytest.fixture
def diverted(alice: User, mediator: User, admin: User, commit) -> Mediation:
    """Alice asked for mediation when filing against Beta Tech; Mediator Zhou was assigned.
    The association code has been texted to Beta's number."""
    registered_mediator(mediator, admin)
    with commit():
        application = diverted_application(alice)
    return mediation_of(application)


@pytest.fixture
def room(diverted: Mediation, login, mediator: User, bob: User) -> Mediation:
    """The mediator took the matter on and Bob joined for Beta Tech, both through the API."""
    ok(send(login(mediator), "post", f"/mediations/{diverted.pk}/accept"))
    company_for(bob)
    ok(
        send(
            login(bob),
            "post",
            "/mediations/link",
            {"number": diverted.number, "code": mediation_code_sent_to()},
        )
    )
    diverted.refresh_from_db()
    return diverted


@pytest.fixture
def other_mediator(admin: User) -> User:
    user = _staff(Role.MEDIATOR, "Mediator Sun")
    registered_mediator(user, admin)
    return user


def sign(client: Client, person: User, agreement: dict, commit) -> dict:
    with commit():
        ok(send(client, "post", f"/agreements/{agreement['id']}/code"), 204)
    return ok(
        send(
            client,
            "post",
            f"/agreements/{agreement['id']}/signatures",
            {"text_sha256": agreement["text_sha256"], "code": code_sent_to(person.mobile)},
        ),
        201,
    )


# --- The whole road -----------------------------------------------------------------------------


def test_it_goes_from_diversion_to_a_confirmed_settlement(
    login, diverted, alice, bob, mediator, judge, commit
):
    """Diverted by the plaintiff's preference at filing; everything after through the API."""
    as_mediator, as_alice = login(mediator), login(alice)
    [item] = ok(send(as_mediator, "get", "/mediations"))["items"]
    assert (item["id"], item["status"], item["route"]) == (diverted.pk, "assigned", "preference")
    assert ok(send(as_alice, "get", "/mediations"))["count"] == 1

    accepted = ok(send(as_mediator, "post", f"/mediations/{diverted.pk}/accept"))
    assert accepted["status"] == "in_progress" and accepted["i_am_mediator"]
    company_for(bob)
    as_bob = login(bob)
    linked = ok(
        send(
            as_bob,
            "post",
            "/mediations/link",
            {"number": diverted.number, "code": mediation_code_sent_to()},
        )
    )
    defendant = defendant_of(diverted)
    assert linked == {
        "mediation": {"id": diverted.pk, "number": diverted.number},
        "party_id": defendant.pk,
        "party_name": "Beta Tech Co., Ltd.",
    }

    url = f"/mediations/{diverted.pk}"
    joint = ok(send(as_alice, "post", f"{url}/messages", {"body": "Hello everyone."}), 201)
    assert joint["thread_party_id"] is None
    assert joint["author_party_id"] == plaintiff_party(diverted).pk
    caucus = {"body": SECRET, "thread_party_id": defendant.pk}
    ok(send(as_mediator, "post", f"{url}/messages", caucus), 201)
    reply = {"body": "Agreed, in private.", "thread_party_id": defendant.pk}
    assert ok(send(as_bob, "post", f"{url}/messages", reply), 201)["author_party_id"] == (
        defendant.pk
    )
    assert [m["body"] for m in ok(send(as_alice, "get", f"{url}/messages"))] == ["Hello everyone."]
    assert len(ok(send(as_bob, "get", f"{url}/messages"))) == 3
    assert len(ok(send(as_mediator, "get", f"{url}/messages"))) == 3

    starts = (timezone.now() + timedelta(days=2)).isoformat()
    session = ok(
        send(as_mediator, "post", f"{url}/sessions", {"starts_at": starts, "duration_minutes": 60}),
        201,
    )
    assert session["meeting_url"].startswith("https://")
    assert [s["id"] for s in ok(send(as_alice, "get", f"{url}/sessions"))] == [session["id"]]
    cancelled = ok(send(as_mediator, "post", f"/mediation-sessions/{session['id']}/cancel"))
    assert cancelled["cancelled_at"] is not None

    proposal = ok(send(as_mediator, "post", f"{url}/proposals", {"terms": TERMS}), 201)
    assert proposal["number"] == 1 and proposal["answers"] == []
    ok(send(as_alice, "post", f"/proposals/{proposal['id']}/responses", {"answer": "accept"}), 201)
    answered = ok(
        send(as_bob, "post", f"/proposals/{proposal['id']}/responses", {"answer": "accept"}), 201
    )
    assert {a["answer"] for a in answered["answers"]} == {"accept"}
    assert len(ok(send(as_alice, "get", f"{url}/proposals"))[0]["answers"]) == 2

    problem(send(as_alice, "get", f"{url}/agreement"), 404, "no_agreement")
    agreement = ok(send(as_mediator, "post", f"{url}/agreement", {"terms": TERMS}), 201)
    assert agreement["version"] == 1 and TERMS in agreement["text"]
    assert ok(send(as_bob, "get", f"{url}/agreement"))["text_sha256"] == agreement["text_sha256"]
    signed = sign(as_alice, alice, agreement, commit)
    assert [s["party_id"] for s in signed["signatures"]] == [plaintiff_party(diverted).pk]
    assert signed["completed_at"] is None
    signed = sign(as_bob, bob, agreement, commit)
    assert signed["completed_at"] is not None and signed["unsigned_party_ids"] == []

    settled = ok(send(as_alice, "get", url))
    assert settled["status"] == "settled"
    ok(send(as_alice, "post", f"{url}/confirmation"))
    applied = ok(send(as_bob, "post", f"{url}/confirmation"))
    case = applied["confirmation_case"]
    assert case is not None and "民特" in case["number"]
    assert sorted(applied["confirmation_applicants"]) == sorted(p["id"] for p in applied["parties"])

    ruled = ok(
        send(login(judge), "post", f"/cases/{case['id']}/confirmation-ruling", {"confirm": True})
    )
    assert ruled["status"] == CaseStatus.CLOSED
    detail = ok(send(as_alice, "get", url))
    codes = [e["code"] for e in detail["timeline"]]
    assert codes[0] == "mediation.diverted" and codes[-1] == "mediation.confirmation.ruled"
    assert all(e["text_en"] and e["text_zh"] for e in detail["timeline"])
    assert detail["due_on"] and isinstance(detail["days_left"], int)


def test_a_clerks_proposal_diverts_the_application_once_the_plaintiff_accepts(
    login, alice, clerk, mediator, admin
):
    registered_mediator(mediator, admin)
    application = submitted_application(alice)
    path = f"/applications/{application.pk}/diversion-proposals"
    problem(send(login(alice), "post", path, {"note": "Let us mediate."}), 403, "not_clerk")
    proposal = ok(send(login(clerk), "post", path, {"note": "A quick settlement is likely."}), 201)
    assert proposal["accepted"] is None
    as_alice = login(alice)
    assert [p["id"] for p in ok(send(as_alice, "get", path))] == [proposal["id"]]
    problem(
        send(login(clerk), "post", f"/diversion-proposals/{proposal['id']}/answer", {"accept": 1}),
        404,
        "not_found",
    )
    answered = ok(
        send(as_alice, "post", f"/diversion-proposals/{proposal['id']}/answer", {"accept": True})
    )
    assert answered["accepted"] is True
    [item] = ok(send(as_alice, "get", "/mediations"))["items"]
    assert item["route"] == "proposal" and item["application_id"] == application.pk
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DIVERTED


# --- Ending without settlement, and the consents ------------------------------------------------


def test_the_mediator_declines_and_the_matter_moves_on(login, diverted, mediator, other_mediator):
    as_mediator = login(mediator)
    declined = send(as_mediator, "post", f"/mediations/{diverted.pk}/decline", {"reason": "Busy."})
    ok(declined, 204)
    problem(send(as_mediator, "get", f"/mediations/{diverted.pk}"), 404, "not_found")
    assert ok(send(login(other_mediator), "get", f"/mediations/{diverted.pk}"))["status"] == (
        "assigned"
    )


def test_facts_and_extension_need_every_party(login, room, alice, bob, mediator):
    url = f"/mediations/{room.pk}"
    facts = ok(
        send(login(mediator), "post", f"{url}/facts", {"text": "Beta published the photograph."})
    )["undisputed_facts"]
    as_alice, as_bob = login(alice), login(bob)
    problem(
        send(as_alice, "post", f"{url}/facts-agreement", {"text_sha256": "0" * 64}),
        400,
        "facts_changed",
    )
    ok(send(as_alice, "post", f"{url}/facts-agreement", {"text_sha256": facts["text_sha256"]}))
    agreed = ok(
        send(as_bob, "post", f"{url}/facts-agreement", {"text_sha256": facts["text_sha256"]})
    )
    assert len(agreed["undisputed_facts"]["agreed_by"]) == 2
    due = agreed["due_on"]
    ok(send(as_alice, "post", f"{url}/extension-consent"))
    extended = ok(send(as_bob, "post", f"{url}/extension-consent"))
    assert extended["extended"] is True and extended["due_on"] > due
    problem(send(login(mediator), "post", f"{url}/extension-consent"), 403, "not_party")


def test_a_party_refuses_and_the_application_returns_to_review(login, room, bob, clerk):
    ended = ok(send(login(bob), "post", f"/mediations/{room.pk}/refuse", {"reason": "No."}))
    assert (ended["status"], ended["failure_reason"]) == ("failed", "refused")
    room.application.refresh_from_db()
    assert room.application.status == ApplicationStatus.UNDER_REVIEW
    figures = ok(send(login(clerk), "get", "/mediations/figures"))
    assert (figures["diverted"], figures["failed"], figures["success_rate"]) == (1, 1, 0.0)
    assert figures["median_days"] == 0.0


def test_the_mediator_ends_without_agreement(login, room, mediator, alice):
    problem(send(login(alice), "post", f"/mediations/{room.pk}/end", {"reason": "x"}), 403)
    ended = ok(
        send(login(mediator), "post", f"/mediations/{room.pk}/end", {"reason": "Far apart."})
    )
    assert ended["failure_reason"] == "no_agreement"


def test_only_the_plaintiff_withdraws(login, room, alice, bob):
    problem(send(login(bob), "post", f"/mediations/{room.pk}/withdraw"), 403, "not_plaintiff")
    assert ok(send(login(alice), "post", f"/mediations/{room.pk}/withdraw"))["status"] == (
        "withdrawn"
    )


# --- Caucus privacy -----------------------------------------------------------------------------


def test_alice_never_sees_the_caucus_with_the_defendant(login, room, alice, bob, mediator):
    defendant = defendant_of(room)
    as_mediator = login(mediator)
    url = f"/mediations/{room.pk}"
    ok(
        send(
            as_mediator,
            "post",
            f"{url}/messages",
            {"body": SECRET, "thread_party_id": defendant.pk},
        ),
        201,
    )
    starts = (timezone.now() + timedelta(days=1)).isoformat()
    private = ok(
        send(
            as_mediator,
            "post",
            f"{url}/sessions",
            {"starts_at": starts, "duration_minutes": 30, "thread_party_id": defendant.pk},
        ),
        201,
    )
    ok(send(as_mediator, "post", f"{url}/proposals", {"terms": TERMS}), 201)
    ok(send(as_mediator, "post", f"{url}/agreement", {"terms": TERMS}), 201)
    as_alice = login(alice)
    reads = ("/mediations", url, *(f"{url}/{r}" for r in ROOM_READS))
    for path in reads:
        body = send(as_alice, "get", path)
        assert body.status_code == 200, path
        assert SECRET not in body.content.decode(), path
        assert private["meeting_url"] not in body.content.decode(), path
    assert [s["id"] for s in ok(send(login(bob), "get", f"{url}/sessions"))] == [private["id"]]
    # Alice may not cancel, or even find, the private session, nor write in Beta's caucus.
    problem(send(as_alice, "post", f"/mediation-sessions/{private['id']}/cancel"), 404)
    problem(
        send(as_alice, "post", f"{url}/messages", {"body": "Hi", "thread_party_id": defendant.pk}),
        400,
        "party_invalid",
    )


def test_clerks_see_the_record_but_not_the_room(login, room, clerk):
    as_clerk = login(clerk)
    url = f"/mediations/{room.pk}"
    record = ok(send(as_clerk, "get", url))
    assert record["in_room"] is False and record["undisputed_facts"] is None
    assert ok(send(as_clerk, "get", "/mediations"))["count"] == 1
    for path in (f"{url}/{r}" for r in ROOM_READS):
        problem(send(as_clerk, "get", path), 404, "not_found")
    problem(send(as_clerk, "post", f"{url}/messages", {"body": "Hello"}), 404, "not_found")


# --- Outsiders and other mediators --------------------------------------------------------------


def _id_routes(mediation: Mediation, ids: dict[str, int]) -> list[tuple[str, str, dict | None]]:
    url = f"/mediations/{mediation.pk}"
    return [
        ("get", url, None),
        ("get", f"{url}/messages", None),
        ("post", f"{url}/messages", {"body": "Hello"}),
        ("get", f"{url}/sessions", None),
        (
            "post",
            f"{url}/sessions",
            {"starts_at": "2099-01-01T10:00:00+08:00", "duration_minutes": 30},
        ),
        ("post", f"/mediation-sessions/{ids['session']}/cancel", None),
        ("get", f"{url}/proposals", None),
        ("post", f"{url}/proposals", {"terms": TERMS}),
        ("post", f"/proposals/{ids['proposal']}/responses", {"answer": "accept"}),
        ("get", f"{url}/agreement", None),
        ("post", f"{url}/agreement", {"terms": TERMS}),
        ("post", f"/agreements/{ids['agreement']}/code", None),
        (
            "post",
            f"/agreements/{ids['agreement']}/signatures",
            {"text_sha256": "0" * 64, "code": "123456"},
        ),
        ("post", f"{url}/accept", None),
        ("post", f"{url}/decline", {"reason": "No."}),
        ("post", f"{url}/refuse", {"reason": ""}),
        ("post", f"{url}/withdraw", None),
        ("post", f"{url}/end", {"reason": "No."}),
        ("post", f"{url}/extension-consent", None),
        ("post", f"{url}/facts", {"text": "Facts nobody disputes."}),
        ("post", f"{url}/facts-agreement", {"text_sha256": "0" * 64}),
        ("post", f"{url}/confirmation", None),
        ("post", f"{url}/reassign", {"mediator_id": ids["mediator"]}),
    ]


@pytest.mark.parametrize("who", ["oscar", "other_mediator", "carol"])
def test_outsiders_and_other_mediators_get_404_on_every_id(request, login, room, mediator, who):
    as_mediator = login(mediator)
    url = f"/mediations/{room.pk}"
    starts = (timezone.now() + timedelta(days=1)).isoformat()
    session = ok(
        send(as_mediator, "post", f"{url}/sessions", {"starts_at": starts, "duration_minutes": 30}),
        201,
    )
    proposal = ok(send(as_mediator, "post", f"{url}/proposals", {"terms": TERMS}), 201)
    agreement = ok(send(as_mediator, "post", f"{url}/agreement", {"terms": TERMS}), 201)
    ids = {
        "session": session["id"],
        "proposal": proposal["id"],
        "agreement": agreement["id"],
        "mediator": room.mediator_id,
    }
    client = login(request.getfixturevalue(who))
    for method, path, payload in _id_routes(room, ids):
        problem(send(client, method, path, payload), 404, "not_found")
    assert ok(send(client, "get", "/mediations"))["count"] == 0
    room.refresh_from_db()
    assert room.status == MediationStatus.IN_PROGRESS


def test_the_confirmation_ruling_is_for_confirmation_cases_and_their_judge(
    login, alice, clerk, judge
):
    case = docketed_case(alice, clerk, judge=judge)
    path = f"/cases/{case.pk}/confirmation-ruling"
    problem(send(login(judge), "post", path, {"confirm": True}), 404, "not_found")
    problem(send(login(VerifiedUserFactory()), "post", path, {"confirm": True}), 404, "not_found")


# --- Bad input ----------------------------------------------------------------------------------


def test_signing_refuses_a_wrong_code_and_a_changed_text(login, room, alice, mediator, commit):
    agreement = ok(
        send(login(mediator), "post", f"/mediations/{room.pk}/agreement", {"terms": TERMS}), 201
    )
    as_alice = login(alice)
    path = f"/agreements/{agreement['id']}/signatures"
    with commit():
        ok(send(as_alice, "post", f"/agreements/{agreement['id']}/code"), 204)
    problem(
        send(as_alice, "post", f"/agreements/{agreement['id']}/code"), 429, "otp_resend_too_soon"
    )
    right = code_sent_to(alice.mobile)
    wrong = "000000" if right != "000000" else "111111"
    body = {"text_sha256": agreement["text_sha256"], "code": wrong}
    problem(send(as_alice, "post", path, body), 400, "otp_wrong")
    changed = {"text_sha256": "f" * 64, "code": right}
    problem(send(as_alice, "post", path, changed), 400, "agreement_changed")
    # A redraft replaces the version Alice read: signing the old one is refused.
    ok(
        send(
            login(mediator), "post", f"/mediations/{room.pk}/agreement", {"terms": TERMS + " Now."}
        ),
        201,
    )
    stale = {"text_sha256": agreement["text_sha256"], "code": right}
    problem(send(as_alice, "post", path, stale), 400, "agreement_changed")
    problem(send(login(mediator), "post", path, stale), 403, "not_party")


def test_bad_room_input_is_a_problem_with_a_code(login, room, alice, mediator):
    url = f"/mediations/{room.pk}"
    as_alice, as_mediator = login(alice), login(mediator)
    problem(send(as_alice, "post", f"{url}/messages", {"body": "   "}), 400, "body_required")
    problem(send(as_alice, "post", f"{url}/messages", {}), 422, "invalid_request")
    problem(send(as_alice, "post", f"{url}/messages", {"body": "a\x00b"}), 422, "invalid_request")
    problem(
        send(as_alice, "post", f"{url}/messages", {"body": "Hi", "corrects_id": 2**63}),
        422,
        "invalid_request",
    )
    session = {"starts_at": "next tuesday", "duration_minutes": 30}
    problem(send(as_mediator, "post", f"{url}/sessions", session), 422, "invalid_request")
    session["starts_at"] = "0001-01-01T00:00:00+14:00"
    problem(send(as_mediator, "post", f"{url}/sessions", session), 422, "invalid_request")
    session["starts_at"] = "2099-01-01T10:00:00"
    problem(send(as_mediator, "post", f"{url}/sessions", session), 400, "naive_time")
    session["starts_at"] = "2020-01-01T10:00:00+08:00"
    problem(send(as_mediator, "post", f"{url}/sessions", session), 400, "start_past")
    session["starts_at"], session["duration_minutes"] = "2099-01-01T10:00:00+08:00", 5
    problem(send(as_mediator, "post", f"{url}/sessions", session), 400, "duration_invalid")
    soon = (timezone.now() + timedelta(days=2)).isoformat()
    problem(
        send(as_alice, "post", f"{url}/sessions", {"starts_at": soon, "duration_minutes": 30}),
        403,
    )
    session["duration_minutes"] = 30  # far ahead: at most a year
    problem(send(as_mediator, "post", f"{url}/sessions", session), 400, "start_too_far")
    problem(
        send(as_mediator, "post", f"{url}/proposals", {"terms": "short"}), 400, "terms_required"
    )
    problem(send(as_alice, "post", f"{url}/proposals", {"terms": TERMS}), 403, "not_mediator")
    proposal = ok(send(as_mediator, "post", f"{url}/proposals", {"terms": TERMS}), 201)
    answer = f"/proposals/{proposal['id']}/responses"
    problem(send(as_alice, "post", answer, {"answer": "maybe"}), 422, "invalid_request")
    problem(send(as_alice, "post", answer, {"answer": "counter"}), 400, "terms_required")
    ok(send(as_alice, "post", answer, {"answer": "reject"}), 201)
    problem(send(as_alice, "post", answer, {"answer": "accept"}), 400, "already_answered")
    problem(send(as_mediator, "post", answer, {"answer": "accept"}), 403, "not_party")
    problem(
        send(login(alice), "post", "/mediations/link", {"number": room.number, "code": "WRONG123"}),
        400,
        "link_invalid",
    )


# --- The court ----------------------------------------------------------------------------------


def test_clerks_reassign_and_read_the_figures(login, room, clerk, alice, other_mediator):
    as_clerk = login(clerk)
    mediators = ok(send(as_clerk, "get", "/mediators"))
    sun = next(m for m in mediators if m["user"]["name"] == "Mediator Sun")
    problem(
        send(login(alice), "post", f"/mediations/{room.pk}/reassign", {"mediator_id": sun["id"]}),
        403,
        "not_clerk",
    )
    moved = ok(
        send(as_clerk, "post", f"/mediations/{room.pk}/reassign", {"mediator_id": sun["id"]})
    )
    assert moved["mediator"]["name"] == "Mediator Sun" and moved["status"] == "assigned"
    problem(
        send(as_clerk, "post", f"/mediations/{room.pk}/reassign", {"mediator_id": 999_999}),
        400,
        "mediator_invalid",
    )
    figures = ok(send(as_clerk, "get", "/mediations/figures"))
    assert figures["diverted"] == 1 and figures["success_rate"] is None
    today = timezone.localdate().isoformat()
    assert (
        ok(send(as_clerk, "get", "/mediations/figures", {"from": today, "until": today}))[
            "diverted"
        ]
        == 1
    )
    problem(
        send(as_clerk, "get", "/mediations/figures", {"from": "2026-13-01"}), 422, "date_invalid"
    )
    problem(
        send(as_clerk, "get", "/mediations/figures", {"from": "2026-05-02", "until": "2026-05-01"}),
        422,
        "period_invalid",
    )
    problem(send(login(alice), "get", "/mediations/figures"), 403, "forbidden")
    workload = ok(send(login(other_mediator), "get", "/mediators/me/workload"))
    assert [m["mediation"]["id"] for m in workload["open"]] == [room.pk]
    problem(send(login(alice), "get", "/mediators/me/workload"), 404, "not_registered")


def test_administrators_keep_the_registry(login, admin, alice):
    as_admin = login(admin)
    organisation = ok(
        send(
            as_admin,
            "post",
            "/mediation-organisations",
            {"name_zh": "版权调解中心", "name_en": "Copyright Mediation Centre", "kind": "centre"},
        ),
        201,
    )
    problem(
        send(
            as_admin,
            "post",
            "/mediation-organisations",
            {"name_zh": "版权调解中心", "kind": "centre"},
        ),
        400,
        "organisation_exists",
    )
    problem(
        send(as_admin, "post", "/mediation-organisations", {"name_zh": "X", "kind": "club"}),
        400,
        "kind_invalid",
    )
    assert [o["id"] for o in ok(send(as_admin, "get", "/mediation-organisations"))] == [
        organisation["id"]
    ]
    person = _staff(Role.MEDIATOR, "Mediator Qian")
    registered = ok(
        send(
            as_admin,
            "post",
            "/mediators",
            {
                "user_id": person.pk,
                "specialties": [COPYRIGHT],
                "capacity": 5,
                "organisation_id": organisation["id"],
            },
        ),
        201,
    )
    assert (
        registered["organisation"]["id"] == organisation["id"] and registered["open_matters"] == 0
    )
    problem(
        send(
            as_admin,
            "post",
            "/mediators",
            {"user_id": alice.pk, "specialties": [COPYRIGHT], "capacity": 5},
        ),
        400,
        "not_mediator_role",
    )
    path = f"/mediators/{registered['id']}"
    problem(
        send(as_admin, "put", path, {"specialties": [COPYRIGHT], "capacity": 0}),
        400,
        "capacity_invalid",
    )
    profile = {"specialties": [COPYRIGHT], "capacity": 8, "languages": ["en"], "active": False}
    changed = ok(send(as_admin, "put", path, profile))
    assert (changed["capacity"], changed["languages"], changed["active"]) == (8, ["en"], False)
    problem(
        send(as_admin, "put", f"/mediators/{registered['id']}", {"specialties": [], "capacity": 8}),
        400,
        "specialties_required",
    )
    problem(
        send(as_admin, "put", "/mediators/999999", {"specialties": [COPYRIGHT], "capacity": 8}), 404
    )
    off = ok(
        send(
            as_admin,
            "post",
            f"/mediation-organisations/{organisation['id']}/active",
            {"active": False},
        )
    )
    assert off["active"] is False
    problem(send(as_admin, "post", "/mediation-organisations/999999/active", {"active": True}), 404)
    as_alice = login(alice)
    problem(send(as_alice, "get", "/mediators"), 403)
    problem(
        send(as_alice, "post", "/mediation-organisations", {"name_zh": "Y", "kind": "other"}), 403
    )


# --- The document --------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_mediation_routes(client):
    paths = ok(client.get(f"{API}/openapi.json"))["paths"]
    expected = {
        "/api/v1/mediations": {"get"},
        "/api/v1/mediations/link": {"post"},
        "/api/v1/mediations/figures": {"get"},
        "/api/v1/mediations/{mediation_id}": {"get"},
        "/api/v1/mediations/{mediation_id}/messages": {"get", "post"},
        "/api/v1/mediations/{mediation_id}/sessions": {"get", "post"},
        "/api/v1/mediation-sessions/{session_id}/cancel": {"post"},
        "/api/v1/mediations/{mediation_id}/proposals": {"get", "post"},
        "/api/v1/proposals/{proposal_id}/responses": {"post"},
        "/api/v1/mediations/{mediation_id}/agreement": {"get", "post"},
        "/api/v1/agreements/{agreement_id}/code": {"post"},
        "/api/v1/agreements/{agreement_id}/signatures": {"post"},
        "/api/v1/applications/{application_id}/diversion-proposals": {"get", "post"},
        "/api/v1/diversion-proposals/{proposal_id}/answer": {"post"},
        "/api/v1/mediators/me/workload": {"get"},
        "/api/v1/mediation-organisations": {"get", "post"},
        "/api/v1/mediation-organisations/{organisation_id}/active": {"post"},
        "/api/v1/mediators": {"get", "post"},
        "/api/v1/mediators/{mediator_id}": {"put"},
        "/api/v1/cases/{case_id}/confirmation-ruling": {"post"},
    }
    for step in (
        "accept",
        "decline",
        "refuse",
        "withdraw",
        "end",
        "extension-consent",
        "facts",
        "facts-agreement",
        "confirmation",
        "reassign",
    ):
        expected[f"/api/v1/mediations/{{mediation_id}}/{step}"] = {"post"}
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
        for method in methods:
            responses = paths[path][method]["responses"]
            assert "401" in responses and "422" in responses, (path, method)
