"""Asynchronous trial through the JSON API: consents, opening (gated by consent), answers
once per round (late marked), what each side sees, rounds and closing into the frozen
record; outsiders get 404 on every route."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecourt.accounts.models import User
from ecourt.cases.models import Case, CaseStatus
from ecourt.cases.tests.test_api_filing import ok, problem, send
from ecourt.delivery.tests.factories import beta_case, defendant, link_beta, plaintiff
from ecourt.hearings.models import AsyncAnswer, AsyncTrial, AsyncTrialStatus
from ecourt.hearings.services.async_trial import async_consent_record, async_trial_open

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def case(alice: User, bob: User, clerk: User, judge: User, commit, time_machine) -> Case:
    time_machine.move_to(START, tick=False)
    with commit():
        case = beta_case(alice, bob, clerk, judge)
    link_beta(bob, case)
    # Straight to evidence exchange: these tests are about the asynchronous trial API.
    case.status = CaseStatus.EVIDENCE_EXCHANGE
    case.save(update_fields=["status"])
    return case


@pytest.fixture
def trial(alice: User, bob: User, judge: User, case: Case) -> AsyncTrial:
    async_consent_record(actor=alice, case_id=case.pk, party_id=plaintiff(case).pk, consent=True)
    async_consent_record(actor=bob, case_id=case.pk, party_id=defendant(case).pk, consent=True)
    return async_trial_open(
        actor=judge, case_id=case.pk, questions="Did Beta publish them?", window_hours=48
    )


def routes(c: int, t: int, r: int) -> list[tuple[str, str, dict | None]]:
    """Every route, for case ``c``, trial ``t`` and round ``r``, with a body its owner could
    send."""
    return [
        ("get", f"/cases/{c}/async-consents", None),
        ("post", f"/cases/{c}/async-consents", {"party_id": 1, "consent": True}),
        ("post", f"/cases/{c}/async-trials", {"questions": "Q", "window_hours": 24}),
        ("get", f"/async-trials/{t}", None),
        ("post", f"/async-trials/{t}/rounds", {"questions": "Q", "window_hours": 24}),
        ("post", f"/async-rounds/{r}/answers", {"party_id": 1, "text": "A"}),
        ("post", f"/async-rounds/{r}/close", None),
        ("post", f"/async-trials/{t}/close", None),
    ]


def test_outsiders_get_404_on_every_route(login, oscar, carol, case, trial):
    first = trial.rounds.get()
    for outsider in (oscar, carol):
        client = login(outsider)
        for method, path, body in routes(case.pk, trial.pk, first.pk):
            problem(send(client, method, path, body), 404, "not_found")
    client = login(oscar)
    for method, path, body in routes(999_999, 999_999, 999_999):  # nothing there at all
        problem(send(client, method, path, body), 404, "not_found")
    assert not AsyncAnswer.objects.exists()
    trial.refresh_from_db()
    assert trial.status == AsyncTrialStatus.OPEN


def test_consents_gate_the_opening(login, alice, bob, judge, case):
    judge_client = login(judge)
    body = {"questions": "Who took the photographs?", "window_hours": 72}
    alice_client = login(alice)
    rows = ok(
        send(
            alice_client,
            "post",
            f"/cases/{case.pk}/async-consents",
            {"party_id": plaintiff(case).pk, "consent": True},
        )
    )
    assert {(r["party_id"], r["consent"]) for r in rows} == {
        (plaintiff(case).pk, True),
        (defendant(case).pk, None),
    }
    detail = problem(
        send(judge_client, "post", f"/cases/{case.pk}/async-trials", body),
        400,
        "async_consent_missing",
    )["detail"]
    assert defendant(case).name in detail

    bob_client = login(bob)
    problem(
        send(
            bob_client,
            "post",
            f"/cases/{case.pk}/async-consents",
            {"party_id": plaintiff(case).pk, "consent": False},
        ),
        403,
        "not_your_party",
    )
    ok(
        send(
            bob_client,
            "post",
            f"/cases/{case.pk}/async-consents",
            {"party_id": defendant(case).pk, "consent": False},
        )
    )
    problem(
        send(judge_client, "post", f"/cases/{case.pk}/async-trials", body),
        400,
        "async_consent_refused",
    )
    ok(
        send(
            bob_client,
            "post",
            f"/cases/{case.pk}/async-consents",
            {"party_id": defendant(case).pk, "consent": True},
        )
    )
    problem(send(alice_client, "post", f"/cases/{case.pk}/async-trials", body), 403, "not_judge")
    problem(
        send(
            judge_client,
            "post",
            f"/cases/{case.pk}/async-trials",
            {"questions": "Q", "window_hours": 23},
        ),
        422,
    )
    opened = ok(send(judge_client, "post", f"/cases/{case.pk}/async-trials", body), 201)
    assert opened["status"] == "open"
    [first] = opened["rounds"]
    assert first["number"] == 1
    assert datetime.fromisoformat(first["due_at"]) == START + timedelta(hours=72)
    rows = ok(send(bob_client, "get", f"/cases/{case.pk}/async-consents"))
    assert all(r["consent"] for r in rows)


def test_answers_are_once_per_round_late_marked_and_hidden_until_the_window_ends(
    login, alice, bob, case, trial, time_machine
):
    first = trial.rounds.get()
    path = f"/async-rounds/{first.pk}/answers"
    alice_client, bob_client = login(alice), login(bob)
    answer = ok(
        send(alice_client, "post", path, {"party_id": plaintiff(case).pk, "text": "Mine."}), 201
    )
    assert answer["late"] is False
    problem(
        send(alice_client, "post", path, {"party_id": plaintiff(case).pk, "text": "Again."}),
        400,
        "already_answered",
    )
    problem(
        send(bob_client, "post", path, {"party_id": plaintiff(case).pk, "text": "For Alice."}),
        403,
        "not_your_party",
    )
    seen = ok(send(bob_client, "get", f"/async-trials/{trial.pk}"))
    assert seen["rounds"][0]["answers"] == []
    assert seen["rounds"][0]["hidden_answers"] == 1

    time_machine.move_to(START + timedelta(hours=50), tick=False)
    bob_client = login(bob)  # the old session has expired
    late = ok(
        send(bob_client, "post", path, {"party_id": defendant(case).pk, "text": "Licensed."}),
        201,
    )
    assert late["late"] is True
    seen = ok(send(bob_client, "get", f"/async-trials/{trial.pk}"))
    assert {a["text"] for a in seen["rounds"][0]["answers"]} == {"Mine.", "Licensed."}
    assert seen["rounds"][0]["window_over"] is True


def test_the_judge_runs_rounds_and_closes_the_trial_into_the_record(
    login, alice, judge, case, trial
):
    first = trial.rounds.get()
    client = login(judge)
    problem(send(login(alice), "post", f"/async-rounds/{first.pk}/close"), 403, "not_judge")
    closed = ok(send(client, "post", f"/async-rounds/{first.pk}/close"))
    assert closed["closed_at"] is not None
    problem(
        send(
            login(alice),
            "post",
            f"/async-rounds/{first.pk}/answers",
            {"party_id": plaintiff(case).pk, "text": "Late."},
        ),
        400,
        "round_closed",
    )
    second = ok(
        send(
            client,
            "post",
            f"/async-trials/{trial.pk}/rounds",
            {"questions": "Show the licence.", "window_hours": 24},
        ),
        201,
    )
    assert second["number"] == 2
    ok(
        send(
            login(alice),
            "post",
            f"/async-rounds/{second['id']}/answers",
            {"party_id": plaintiff(case).pk, "text": "There is none."},
        ),
        201,
    )
    problem(send(login(alice), "post", f"/async-trials/{trial.pk}/close"), 403, "not_judge")
    body = ok(send(client, "post", f"/async-trials/{trial.pk}/close"))
    assert body["status"] == "closed"
    record = body["record"]
    assert "There is none." in record["text"]
    assert record["sha256"] == hashlib.sha256(record["text"].encode("utf-8")).hexdigest()
    assert record["deposit_no"]
    case.refresh_from_db()
    assert case.status == CaseStatus.HEARD
    problem(send(client, "post", f"/async-trials/{trial.pk}/close"), 400, "async_trial_closed")
