"""Docketed cases through the JSON API: lists, the case file and docket, a defendant linking
and answering, court staff recording service and moving the case, and who may see what."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.rules import mask_identifier
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases import services
from ecourt.cases.api_cases import CaseStatusFilter
from ecourt.cases.models import Case, CaseResponse, CaseStatus, DocketEntry, Party, Payment
from ecourt.cases.tests.factories import (
    BETA_USCC,
    DEFENDANT_MOBILE,
    company_for,
    defendant_party,
    docketed_case,
    pdf_upload,
)
from ecourt.cases.tests.test_api_filing import API, ok, problem, send
from ecourt.core import sms
from ecourt.core.selectors import court_today

pytestmark = pytest.mark.django_db

_CODE = re.compile(r"association code ([A-Z2-9]{8})")


def association_code(to: str = DEFENDANT_MOBILE) -> str:
    """The newest association code texted to ``to``."""
    bodies = [m.body for m in sms.outbox if m.to == to]
    assert bodies, f"nothing was sent to {to}"
    found = _CODE.search(bodies[-1])
    assert found, bodies[-1]
    return found.group(1)


@pytest.fixture
def case(alice: User, clerk: User, judge: User, commit) -> Case:
    """Alice's copyright case against Beta Tech, docketed with Judge Wang; the association
    code has been texted to the defendant's number."""
    with commit():
        return docketed_case(alice, clerk, judge=judge)


@pytest.fixture
def linked(case: Case, bob: User) -> Party:
    """Bob, Beta Tech's approved representative, linked to the case as the defendant."""
    company_for(bob)
    return services.case_link(actor=bob, case_number=case.number, code=association_code())


# --- Lists and the case file --------------------------------------------------------------------


def test_it_lists_the_cases_a_person_may_see(login, case, alice, oscar, clerk, judge):
    body = ok(send(login(alice), "get", "/cases"))
    assert body["count"] == 1
    [item] = body["items"]
    assert (item["id"], item["number"], item["status"]) == (case.pk, case.number, "docketed")
    assert item["case_type"]["code"] == "online_copyright_infringement"
    assert item["judge"] == {"id": judge.pk, "name": "Judge Wang"}
    assert ok(send(login(oscar), "get", "/cases")) == {"count": 0, "items": []}
    assert ok(send(login(clerk), "get", "/cases"))["count"] == 1
    assert ok(send(login(judge), "get", "/cases"))["count"] == 1


def test_it_filters_and_pages_the_case_list(login, case, alice):
    client = login(alice)
    assert ok(send(client, "get", "/cases", {"status": "open"}))["count"] == 1
    assert ok(send(client, "get", "/cases", {"status": "docketed"}))["count"] == 1
    assert ok(send(client, "get", "/cases", {"status": "closed"}))["count"] == 0
    assert ok(send(client, "get", "/cases", {"q": "Beta"}))["count"] == 1
    assert ok(send(client, "get", "/cases", {"q": str(case.serial) + "号"}))["count"] == 1
    assert ok(send(client, "get", "/cases", {"q": "Gamma"}))["count"] == 0
    page = ok(send(client, "get", "/cases", {"limit": 1, "offset": 1}))
    assert page == {"count": 1, "items": []}
    problem(send(client, "get", "/cases", {"status": "lost"}), 422, "invalid_request")
    problem(send(client, "get", "/cases", {"limit": 0}), 422, "invalid_request")
    problem(send(client, "get", "/cases", {"q": "a\x00b"}), 422, "invalid_request")


def test_the_case_list_takes_the_same_queries_however_long(login, case, alice, clerk, judge):
    client = login(clerk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            ok(send(client, "get", "/cases"))
        return len(captured)

    few = queries()
    docketed_case(alice, clerk, judge=judge)
    docketed_case(alice, clerk, judge=judge, defendant_name="Gamma Ltd", defendant_id="")
    assert ok(send(client, "get", "/cases"))["count"] == 3
    assert queries() == few


def test_the_status_filter_names_every_case_status():
    assert set(CaseStatusFilter.__args__) == {"open", *CaseStatus.values}


def test_it_shows_the_case_file(login, case, alice, judge):
    body = ok(send(login(alice), "get", f"/cases/{case.pk}"))
    assert body["number"] == case.number
    assert body["title"] == "Alice Zhang v. Beta Tech Co., Ltd."
    assert body["status"] == "docketed"
    assert body["procedure"] == "ordinary"
    assert body["fee_amount"] == "1050.00"
    assert body["judge"] == {"id": judge.pk, "name": "Judge Wang"}
    sides = {p["side"]: p for p in body["parties"]}
    assert sides["defendant"]["id_number"] == mask_identifier(BETA_USCC)
    assert sides["defendant"]["mobile"] == "+86 139****0099"
    assert sides["defendant"]["linked"] is False
    assert body["my_party_ids"] == [sides["plaintiff"]["id"]]
    assert [c["amount"] for c in body["claims"]] == ["50000.00", None]
    codes = {d["code"]: d for d in body["deadlines"]}
    assert {"complaint_service", "trial_ordinary"} <= set(codes)
    running = codes["complaint_service"]
    assert running["open"] is True
    assert running["basis"]
    assert running["days_left"] == (date.fromisoformat(running["due_date"]) - court_today()).days


def test_it_shows_the_docket_in_the_readers_language(login, case, alice):
    # Whatever the message catalogue holds, the two stored texts differ here.
    DocketEntry.objects.filter(case=case, number=2).update(text_zh=f"{case.number}立案。")
    client = login(alice)
    entries = ok(send(client, "get", f"/cases/{case.pk}/docket"))
    assert [e["number"] for e in entries] == [1, 2]
    assert [e["code"] for e in entries] == ["filing.complaint", "filing.docketed"]
    complaint, docketed = entries
    assert complaint["filed_by"] == "Alice Zhang"
    assert complaint["document_text"].startswith("The defendant published")
    assert case.number in docketed["text_en"]
    assert docketed["text"] == docketed["text_en"]  # Alice reads English
    assert docketed["text_zh"] == f"{case.number}立案。"
    User.objects.filter(pk=alice.pk).update(preferred_language="zh-hans")
    entries = ok(send(client, "get", f"/cases/{case.pk}/docket"))
    assert entries[1]["text"] == entries[1]["text_zh"]


# --- The defendant ------------------------------------------------------------------------------


def test_a_defendant_links_with_the_association_code(login, case, bob):
    company_for(bob)
    client = login(bob)
    code = association_code()
    wrong = "AAAAAAAA" if code != "AAAAAAAA" else "BBBBBBBB"
    body = problem(
        send(client, "post", "/cases/link", {"case_number": case.number, "code": wrong}),
        400,
        "link_invalid",
    )
    assert body["field"] == "code"
    problem(
        send(
            client, "post", "/cases/link", {"case_number": "(2026)京0491民初9999号", "code": code}
        ),
        400,
        "link_invalid",
    )
    body = ok(
        send(client, "post", "/cases/link", {"case_number": case.number, "code": code.lower()})
    )
    assert body["case"] == {"id": case.pk, "number": case.number}
    assert body["party_name"] == "Beta Tech Co., Ltd."
    detail = ok(send(client, "get", f"/cases/{case.pk}"))
    assert detail["my_party_ids"] == [body["party_id"]]
    assert ok(send(client, "get", "/cases"))["count"] == 1
    # The code is used up.
    problem(
        send(client, "post", "/cases/link", {"case_number": case.number, "code": code}),
        400,
        "link_invalid",
    )


def test_it_refuses_someone_whose_identity_is_not_the_defendants(login, case, carol):
    body = {"case_number": case.number, "code": association_code()}
    problem(send(login(carol), "post", "/cases/link", body), 400, "identity_mismatch")
    assert defendant_party(case).user is None


def test_it_pauses_linking_after_five_failures(login, case, oscar):
    client = login(oscar)
    User.objects.filter(pk=oscar.pk).update(identity_verified_at=case.docketed_at)
    body = {"case_number": case.number, "code": "ZZZZZZZZ"}
    for _ in range(5):
        problem(send(client, "post", "/cases/link", body), 400, "link_invalid")
    problem(send(client, "post", "/cases/link", body), 429, "rate_limited")


def test_it_checks_the_link_request(login, bob):
    client = login(bob)
    problem(send(client, "post", "/cases/link", {"case_number": "x"}), 422, "invalid_request")
    problem(
        send(client, "post", "/cases/link", {"case_number": "x\x00", "code": "y"}),
        422,
        "invalid_request",
    )


def test_reading_the_complaint_serves_it_on_a_linked_defendant(login, case, linked, bob, alice):
    body = ok(send(login(alice), "get", f"/cases/{case.pk}/complaint"))
    assert body["served_now"] is False
    assert body["facts_and_reasons"].startswith("The defendant published")
    assert body["filed_by"]["name"] == "Alice Zhang"
    assert len(body["claims"]) == 2
    assert body["evidence_list"][0]["form"] == "web_page"

    client = login(bob)
    body = ok(send(client, "get", f"/cases/{case.pk}/complaint"))
    assert body["served_now"] is True
    case.refresh_from_db()
    assert case.status == CaseStatus.ANSWER_PERIOD
    party = defendant_party(case)
    assert party.complaint_served_on == court_today()
    assert ok(send(client, "get", f"/cases/{case.pk}/complaint"))["served_now"] is False
    codes = [e["code"] for e in ok(send(client, "get", f"/cases/{case.pk}/docket"))]
    assert codes[-2:] == ["case.defendant_linked", "case.complaint_served"]
    deadlines = ok(send(client, "get", f"/cases/{case.pk}"))["deadlines"]
    answer = next(d for d in deadlines if d["code"] == "answer")
    assert answer["party_id"] == party.pk
    # 15 days (CPL Art. 128), longer when the last one is not a working day.
    assert answer["days_left"] >= 15


def test_a_defendant_files_an_answer_once(login, case, linked, bob, alice):
    client = login(bob)
    path = f"/cases/{case.pk}/responses"
    answer = {"kind": "answer", "text": "We had a licence for every photograph."}
    problem(send(client, "post", path, answer), 400, "not_served")
    ok(send(client, "get", f"/cases/{case.pk}/complaint"))
    body = ok(send(client, "post", path, answer), 201)
    assert (body["kind"], body["party_id"], body["late"]) == ("answer", linked.pk, False)
    problem(send(client, "post", path, answer), 400, "response_exists")
    problem(send(client, "post", path, {"kind": "answer", "text": "short"}), 400, "text_missing")
    problem(send(client, "post", path, {"kind": "appeal", "text": "x" * 20}), 422)
    problem(send(login(alice), "post", path, answer), 400, "not_party")
    docket = ok(send(client, "get", f"/cases/{case.pk}/docket"))
    assert docket[-1]["code"] == "case.answer"
    assert docket[-1]["document_text"] == answer["text"]
    assert CaseResponse.objects.count() == 1


def test_a_linked_defendant_sees_the_application_without_the_applicants_papers(
    login, case, linked, bob, alice
):
    path = f"/applications/{case.application_id}"
    mine = ok(send(login(alice), "get", path))
    assert mine["delivery"]["mobile"] == alice.mobile
    assert [p["status"] for p in mine["payments"]] == ["paid"]
    theirs = ok(send(login(bob), "get", path))
    assert theirs["facts_and_reasons"] == mine["facts_and_reasons"]
    assert theirs["delivery"]["mobile"] == "+86 138****0001"
    assert theirs["delivery"]["postal_address"] == ""
    assert theirs["payments"] == []
    assert theirs["fee_relief_requests"] == []
    assert theirs["case"] == {"id": case.pk, "number": case.number}


def test_a_party_says_whether_to_litigate_online(login, case, linked, bob, alice):
    path = f"/cases/{case.pk}/online-litigation"
    body = ok(send(login(bob), "post", path, {"consent": False}))
    assert (body["id"], body["online_litigation"]) == (linked.pk, False)
    body = ok(send(login(alice), "post", path, {"consent": True}))
    assert body["side"] == "plaintiff"
    assert body["online_litigation"] is True
    problem(send(login(alice), "post", path, {}), 422)


# --- Court staff --------------------------------------------------------------------------------


def test_a_clerk_records_service_made_another_way(login, case, clerk, alice):
    party = defendant_party(case)
    plaintiff = case.parties.get(side="plaintiff")
    client = login(clerk)
    path = f"/cases/{case.pk}/service"
    today = court_today().isoformat()
    tomorrow = (court_today() + timedelta(days=1)).isoformat()
    service = {"party_id": party.pk, "served_on": today, "method": "EMS registered post"}
    problem(send(login(alice), "post", path, service), 403, "not_staff")
    problem(send(client, "post", path, {**service, "served_on": tomorrow}), 400, "date_future")
    problem(send(client, "post", path, {**service, "method": " "}), 400, "method_missing")
    problem(send(client, "post", path, {**service, "party_id": plaintiff.pk}), 404, "not_found")
    body = ok(send(client, "post", path, service))
    assert body["status"] == "answer_period"
    shown = next(p for p in body["parties"] if p["id"] == party.pk)
    assert (shown["complaint_served_on"], shown["complaint_service_method"]) == (
        today,
        "EMS registered post",
    )
    problem(send(client, "post", path, service), 400, "already_served")


def test_a_clerk_reissues_an_association_code(login, case, clerk, alice, commit):
    party = defendant_party(case)
    first = association_code()
    path = f"/cases/{case.pk}/parties/{party.pk}/association-code"
    problem(send(login(alice), "post", path), 403, "not_clerk")
    with commit():
        response = send(login(clerk), "post", path)
    assert response.status_code == 204
    second = association_code()
    assert second != first
    plaintiff = case.parties.get(side="plaintiff")
    problem(
        send(login(clerk), "post", f"/cases/{case.pk}/parties/{plaintiff.pk}/association-code"),
        404,
        "not_found",
    )


def test_it_will_not_reissue_a_code_to_a_linked_defendant(login, case, linked, clerk):
    path = f"/cases/{case.pk}/parties/{linked.pk}/association-code"
    problem(send(login(clerk), "post", path), 400, "already_linked")


def test_the_judge_moves_the_case_along_its_road(login, case, linked, bob, judge, clerk, alice):
    client = login(bob)
    ok(send(client, "get", f"/cases/{case.pk}/complaint"))
    path = f"/cases/{case.pk}/actions"
    staff = login(judge)
    problem(
        send(staff, "post", path, {"action": "open_evidence_exchange"}),
        400,
        "answer_period_running",
    )
    ok(
        send(
            client,
            "post",
            f"/cases/{case.pk}/responses",
            {"kind": "answer", "text": "We had a licence for every photograph."},
        ),
        201,
    )
    for person in (alice, clerk):
        problem(send(login(person), "post", path, {"action": "record_heard"}), 403, "not_judge")

    body = ok(send(staff, "post", path, {"action": "open_evidence_exchange"}))
    assert body["status"] == "evidence_exchange"
    body = problem(send(staff, "post", path, {"action": "schedule_hearing"}), 422, "on_missing")
    assert body["field"] == "on"
    hearing = (court_today() + timedelta(days=7)).isoformat()
    body = ok(send(staff, "post", path, {"action": "schedule_hearing", "on": hearing}))
    assert body["status"] == "hearing_scheduled"
    assert ok(send(staff, "post", path, {"action": "record_heard"}))["status"] == "heard"
    problem(send(staff, "post", path, {"action": "decide"}), 422, "kind_missing")
    body = ok(send(staff, "post", path, {"action": "decide", "kind": "judgment"}))
    assert (body["status"], body["decision_kind"]) == ("decided", "judgment")
    appeal = [d for d in body["deadlines"] if d["code"] == "appeal_judgment" and d["open"]]
    assert len(appeal) == 2
    assert all(d["days_left"] >= 15 for d in appeal)
    problem(send(staff, "post", path, {"action": "make_effective"}), 400, "appeal_period_running")
    problem(
        send(staff, "post", path, {"action": "close", "mode": "withdrawal"}),
        400,
        "illegal_transition",
    )
    problem(send(staff, "post", path, {"action": "close"}), 422, "mode_missing")
    problem(send(staff, "post", path, {"action": "adjourn"}), 422, "invalid_request")
    docket = ok(send(staff, "get", f"/cases/{case.pk}/docket"))
    assert docket[-1]["code"] == "cases.decided"


def test_the_judge_closes_a_case_on_withdrawal(login, case, judge, alice):
    body = ok(
        send(
            login(judge),
            "post",
            f"/cases/{case.pk}/actions",
            {"action": "close", "mode": "withdrawal"},
        )
    )
    assert (body["status"], body["closing_mode"]) == ("closed", "withdrawal")
    assert body["closed_at"]
    assert all(not d["open"] for d in body["deadlines"])
    assert ok(send(login(alice), "get", "/cases", {"status": "open"}))["count"] == 0


# --- Who may see and do what --------------------------------------------------------------------


def _case_routes(case: Case) -> dict[tuple[str, str], tuple[str, object]]:
    """Every route on one case: (method, OpenAPI path) → (real path, JSON body)."""
    party = defendant_party(case)
    c = f"/cases/{case.pk}"
    p = "/cases/{case_id}"
    return {
        ("get", p): (c, None),
        ("get", p + "/docket"): (c + "/docket", None),
        ("get", p + "/complaint"): (c + "/complaint", None),
        ("post", p + "/responses"): (
            c + "/responses",
            {"kind": "answer", "text": "An outsider's answer to nothing."},
        ),
        ("post", p + "/online-litigation"): (c + "/online-litigation", {"consent": True}),
        ("post", p + "/service"): (
            c + "/service",
            {"party_id": party.pk, "served_on": court_today().isoformat(), "method": "post"},
        ),
        ("post", p + "/actions"): (c + "/actions", {"action": "close", "mode": "withdrawal"}),
        ("post", p + "/parties/{party_id}/association-code"): (
            f"{c}/parties/{party.pk}/association-code",
            None,
        ),
        # Judicial confirmation's ruling (ecourt/mediation/api_court.py): 404 on other cases.
        ("post", p + "/confirmation-ruling"): (
            c + "/confirmation-ruling",
            {"confirm": False, "reasons": "Not for outsiders to decide."},
        ),
        # Evidence items (ecourt/evidence/api_items.py).
        ("get", p + "/evidence"): (c + "/evidence", None),
        # Delivery (ecourt/delivery/api.py): addresses for service, deliveries, documents.
        ("get", p + "/addresses"): (c + "/addresses", None),
        ("post", p + "/addresses"): (
            c + "/addresses",
            {
                "party_id": party.pk,
                "mobile": "+8613900000055",
                "email": "",
                "institution_inbox": False,
                "consents_to_decisions": True,
                "undertaking": True,
            },
        ),
        ("get", p + "/deliveries"): (c + "/deliveries", None),
        ("post", p + "/documents"): (
            c + "/documents",
            {"kind": "summons", "title": "Summons", "body": "An outsider's summons to nobody."},
        ),
        # Trial (ecourt/hearings/api_*.py): hearings, judge assignment, asynchronous trial.
        ("get", p + "/hearings"): (c + "/hearings", None),
        ("post", p + "/hearings"): (
            c + "/hearings",
            {
                "starts_at": "2030-01-07T09:30:00+08:00",
                "minutes": 60,
                "courtroom_id": 1,
                "clerk_id": party.pk,
            },
        ),
        ("post", p + "/judge"): (c + "/judge", {"judge_id": None}),
        ("get", p + "/async-consents"): (c + "/async-consents", None),
        ("post", p + "/async-consents"): (
            c + "/async-consents",
            {"party_id": party.pk, "consent": True},
        ),
        ("post", p + "/async-trials"): (
            c + "/async-trials",
            {"questions": "An outsider's questions.", "window_hours": 48},
        ),
        # Decisions, appeals and the export (ecourt/documents/api_*.py).
        ("post", p + "/drafts"): (c + "/drafts", {"kind": "judgment"}),
        ("get", p + "/appeal-windows"): (c + "/appeal-windows", None),
        ("post", p + "/appeals"): (
            c + "/appeals",
            {"party_id": party.pk, "requests": "Set it aside.", "reasons": "An outsider's."},
        ),
        ("get", p + "/export"): (c + "/export", None),
    }


def _documented_case_routes() -> set[tuple[str, str]]:
    paths = Client().get(f"{API}/openapi.json").json()["paths"]
    return {
        (method, path.removeprefix(API))
        for path, operations in paths.items()
        if path.startswith(API + "/cases/{")
        for method in operations
    }


def test_the_route_table_covers_every_case_route(case):
    assert set(_case_routes(case)) == _documented_case_routes()


def test_an_outsider_gets_404_on_every_case_route(login, case, oscar):
    client = login(oscar)
    docket_before = DocketEntry.objects.filter(case=case).count()
    for (method, _doc), (path, body) in _case_routes(case).items():
        problem(send(client, method, path, body), 404, "not_found")
    case.refresh_from_db()
    assert case.status == CaseStatus.DOCKETED
    assert DocketEntry.objects.filter(case=case).count() == docket_before


def test_every_case_route_answers_404_for_a_case_that_does_not_exist(login, case, clerk, alice):
    for person in (clerk, alice):
        client = login(person)
        for (method, _doc), (path, body) in _case_routes(case).items():
            missing = path.replace(f"/cases/{case.pk}", "/cases/987654", 1)
            problem(send(client, method, missing, body), 404, "not_found")


def test_a_judge_sees_only_the_cases_assigned_to_them(login, case):
    other = VerifiedUserFactory(display_name="Judge Other", roles=[Role.JUDGE])
    TOTPDevice.objects.create(user=other, name="test", confirmed=True)
    client = login(other)
    assert ok(send(client, "get", "/cases"))["count"] == 0
    problem(send(client, "get", f"/cases/{case.pk}"), 404, "not_found")


# --- Any input ----------------------------------------------------------------------------------
#
# What schemathesis would check (it is not a dependency of this project): requests drawn from
# the OpenAPI document itself, mostly valid by its schemas and sometimes not at all, answer
# with a result or a problem+json, never a 500.

_TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=["Nd", "Lu", "Ll", "Lo", "No", "Zs", "Pd", "Po", "Sm", "Cc"]
    ),
    max_size=30,
)
_VALUE = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | _TEXT
    | st.sampled_from(["1e30", "-1", "0.001", "NaN", "sNaN", "50000", "1,000", "2026-02-30"])
)
_JSON = st.recursive(
    _VALUE,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _drawn(schema: dict, name: str, setup: dict, wild: bool) -> st.SearchStrategy:
    """Values for one field: what its schema allows, the ids and codes that exist, and now
    and then anything at all."""
    schema = _resolve(schema, setup["components"])
    hints = setup["hints"].get(name)
    if "anyOf" in schema:
        valid = st.one_of([_drawn(option, name, setup, wild) for option in schema["anyOf"]])
    elif "enum" in schema:
        valid = st.sampled_from(schema["enum"])
    elif schema.get("type") == "string" and schema.get("format") == "date":
        valid = st.dates().map(date.isoformat)
    elif schema.get("type") == "string" and "pattern" in schema:
        pattern = schema["pattern"]
        valid = st.from_regex(pattern, fullmatch=True).filter(
            lambda v: len(v) <= schema.get("maxLength", 10_000)
        )
    elif schema.get("type") == "string":
        valid = _TEXT
    elif schema.get("type") == "integer":
        valid = st.integers(schema.get("minimum"), schema.get("maximum"))
    elif schema.get("type") == "boolean":
        valid = st.booleans()
    elif schema.get("type") == "array":
        valid = st.lists(_drawn(schema.get("items", {}), name, setup, wild), max_size=3)
    elif schema.get("type") == "object":
        valid = _body(schema, setup, wild)
    elif schema.get("type") == "null":
        valid = st.none()
    else:
        valid = _JSON
    if hints is not None:
        valid = st.sampled_from(hints) | valid
    return valid | _JSON if wild else valid


def _body(schema: dict, setup: dict, wild: bool) -> st.SearchStrategy:
    schema = _resolve(schema, setup["components"])
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {
            name: _drawn(properties[name], name, setup, wild)
            for name in required
            if name in properties
        },
        optional={
            name: _drawn(field, name, setup, wild)
            for name, field in properties.items()
            if name not in required and field.get("format") != "binary"
        },
    )


def _filing_operations(schema: dict) -> list[tuple[str, str, dict]]:
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            tags = set(operation.get("tags", []))
            if tags & {"filing", "filing review", "cases", "catalogue"} or path.startswith(
                f"{API}/case-types"
            ):
                found.append((method, path, operation))
    return found


@pytest.fixture
def fuzz(login, case, alice, bob, carol, clerk, judge, admin) -> dict:
    """What the fuzzing test draws from. A function-scoped fixture is set up once for all of
    Hypothesis's examples, so the sign-ins happen once."""
    from ecourt.cases.tests.factories import consent, draft_application

    schema = Client().get(f"{API}/openapi.json").json()
    draft = draft_application(alice)
    consent(bob)
    company_for(bob)
    payment = Payment.objects.filter(application=case.application).first()
    assert payment is not None
    parties = list(case.parties.values_list("pk", flat=True))
    parties += list(draft.parties.values_list("pk", flat=True))
    return {
        "operations": _filing_operations(schema),
        "components": schema["components"]["schemas"],
        "clients": [login(person) for person in (alice, bob, clerk, judge, admin)],
        "hints": {
            "application_id": [case.application_id, draft.pk],
            "case_id": [case.pk],
            "party_id": parties,
            "claim_id": list(draft.claims.values_list("pk", flat=True)),
            "item_id": list(draft.evidence_list.values_list("pk", flat=True)),
            "payment_id": [payment.pk],
            "judge_id": [judge.pk],
            "case_type": ["online_shopping_contract", "domain_name", "family"],
            "code": ["online_shopping_contract", "labour", association_code()],
            "case_number": [case.number],
            "amount": ["50000", "0", "1e30", "10.005"],
            "agent_mobile": [carol.mobile],
            "mobile": [alice.mobile, "13900000000"],
            "on": [court_today().isoformat()],
            "served_on": [court_today().isoformat()],
        },
    }


@hypothesis_settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_input_makes_a_filing_route_fail(fuzz, data):
    method, path, operation = data.draw(st.sampled_from(fuzz["operations"]))
    wild = data.draw(st.integers(0, 3), label="wild") == 0  # a quarter of requests: anything
    for name in re.findall(r"{(\w+)}", path):
        ids = st.sampled_from(fuzz["hints"].get(name, [1]))
        value = data.draw(ids | st.integers(-3, 2**65) if wild else ids, label=name)
        path = path.replace("{" + name + "}", str(value))
    query = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and data.draw(st.booleans()):
            value = data.draw(_drawn(parameter["schema"], parameter["name"], fuzz, wild))
            query[parameter["name"]] = value if isinstance(value, str) else json.dumps(value)
    client = data.draw(st.sampled_from(fuzz["clients"]))
    content = operation.get("requestBody", {}).get("content", {})
    url = path + ("?" + urlencode(query) if query else "")
    if "multipart/form-data" in content:
        form = data.draw(_body(content["multipart/form-data"]["schema"], fuzz, wild), label="form")
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in form.items()}
        if data.draw(st.booleans()):
            form["power_of_attorney"] = pdf_upload()
        response = client.post(url, form)
    elif method == "get":
        response = client.get(url)
    else:
        body = (
            data.draw(_body(content["application/json"]["schema"], fuzz, wild), label="body")
            if "application/json" in content
            else None
        )
        response = getattr(client, method)(
            url, json.dumps(body) if body is not None else "", content_type="application/json"
        )
    assert response.status_code < 500, (method, url, response.content[:500])
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json", (method, url)
