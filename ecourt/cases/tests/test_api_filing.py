"""Filing through the JSON API: the catalogue and fee estimate, drafting and submitting an
application, paying, fee relief, the clerk's review, and who may see or do what."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ecourt.accounts.rules import mask_identifier
from ecourt.cases import services
from ecourt.cases.models import (
    Application,
    ApplicationStatus,
    CatalogueVersion,
    FeeReliefRequest,
    Payment,
)
from ecourt.cases.tests.factories import (
    BETA_USCC,
    company_for,
    consent,
    draft_application,
    pdf_upload,
    submitted_application,
)
from ecourt.core.models import AuditEvent
from ecourt.core.selectors import court_today

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
API = "/api/v1"


def problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:800]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


def send(client: Client, method: str, path: str, payload: object | None = None, **kwargs):
    """A JSON request to the API (GET takes ``payload`` as the query)."""
    url = path if path.startswith(API) else API + path
    if method == "get":
        return client.get(url, payload or {}, **kwargs)
    data = json.dumps(payload) if payload is not None else ""
    return getattr(client, method)(url, data, content_type="application/json", **kwargs)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content[:800]
    return response.json() if response.content else {}


# --- The catalogue ------------------------------------------------------------------------------


def test_it_lists_the_case_types_in_force_on_a_day(client):
    body = ok(send(client, "get", "/case-types", {"on": "2018-09-07"}))
    assert body["effective_from"] == "2018-09-07"
    assert "Fa Shi [2018] No. 16" in body["basis"]
    heard = [t for t in body["types"] if t["accepted"]]
    assert len(heard) == 11
    shopping = next(t for t in body["types"] if t["code"] == "online_shopping_contract")
    assert shopping["fee_category"] == "property"
    assert shopping["number_type"] == "民初"
    assert shopping["procedure_family"] == "civil"
    family = next(t for t in body["types"] if t["code"] == "family")
    assert not family["accepted"]
    assert "CPL Art. 22" in family["competent_court_en"]
    assert family["competent_court_zh"]


def test_it_lists_todays_catalogue_by_default(client):
    assert ok(send(client, "get", "/case-types"))["effective_from"] == "2018-09-07"


def test_it_has_no_catalogue_before_the_first_version(client):
    body = problem(send(client, "get", "/case-types", {"on": "2018-09-06"}), 404, "no_catalogue")
    assert "2018-09-06" in body["detail"]


@pytest.mark.parametrize("bad", ["2018-13-01", "yesterday", "2018/09/07", "20180907", "2018-02-30"])
def test_it_refuses_a_malformed_date_with_a_clear_problem(client, bad):
    body = problem(send(client, "get", "/case-types", {"on": bad}), 422, "date_invalid")
    assert "YYYY-MM-DD" in body["detail"]
    assert body["field"] == "on"


# --- Fee estimates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("5000", "50.00"),
        ("10000", "50.00"),
        ("50000", "1050.00"),
        ("150000", "3300.00"),
        ("1000000", "13800.00"),
        ("30000000", "191800.00"),
    ],
)
def test_it_estimates_the_fee_of_a_property_case(client, amount, fee):
    body = ok(
        send(
            client,
            "get",
            "/fees/estimate",
            {"case_type": "online_shopping_contract", "amount": amount},
        )
    )
    assert body["fee"] == fee
    assert body["full_fee"] == fee
    assert body["halved"] is False
    assert body["case_type"] == "online_shopping_contract"
    assert body["amount"] == f"{int(amount)}.00"
    assert body["basis"].startswith("Art. 13(1)")


def test_it_halves_the_fee_when_asked(client):
    body = ok(
        send(
            client,
            "get",
            "/fees/estimate",
            {"case_type": "online_shopping_contract", "amount": "50000", "halved": "true"},
        )
    )
    assert (body["fee"], body["full_fee"], body["halved"]) == ("525.00", "1050.00", True)
    assert "halved" in body["basis"]


def test_it_estimates_a_case_without_an_amount_by_the_schedule(client):
    body = ok(send(client, "get", "/fees/estimate", {"case_type": "domain_name"}))
    assert (body["fee"], body["amount"]) == ("800.00", None)


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"case_type": "no_such_type", "amount": "100"}, "case_type_unknown", "case_type"),
        ({"case_type": "online_shopping_contract", "amount": "0"}, "amount_not_positive", "amount"),
        (
            {"case_type": "online_shopping_contract", "amount": "-5"},
            "amount_not_positive",
            "amount",
        ),
        (
            {"case_type": "online_shopping_contract", "amount": "10.005"},
            "amount_too_precise",
            "amount",
        ),
        ({"case_type": "online_shopping_contract", "amount": "lots"}, "amount_invalid", "amount"),
        ({"case_type": "online_shopping_contract", "amount": "NaN"}, "amount_invalid", "amount"),
        ({"case_type": "online_shopping_contract", "amount": "1e30"}, "amount_too_large", "amount"),
        ({"case_type": "online_shopping_contract"}, "amount_missing", "amount"),
        ({"case_type": "online_shopping_contract", "on": "2026-02-31"}, "date_invalid", "on"),
    ],
)
def test_it_names_what_is_wrong_with_an_estimate(client, query, code, field):
    body = problem(send(client, "get", "/fees/estimate", query), 422, code)
    assert body["field"] == field


def test_it_names_the_competent_court_for_a_type_not_heard(visitor):
    body = problem(
        send(visitor, "get", "/fees/estimate", {"case_type": "family", "amount": "100"}),
        422,
        "not_heard",
    )
    assert "CPL Art. 22" in body["detail"]


def test_it_has_no_estimate_before_the_first_catalogue(client):
    query = {"case_type": "domain_name", "on": "2018-01-01"}
    problem(send(client, "get", "/fees/estimate", query), 404, "no_catalogue")


def test_it_needs_a_case_type_for_an_estimate(client):
    problem(send(client, "get", "/fees/estimate", {"amount": "100"}), 422, "invalid_request")


# --- Starting a draft ---------------------------------------------------------------------------


def test_it_starts_a_draft_for_the_signed_in_person(login, alice):
    consent(alice)
    client = login(alice)
    body = ok(send(client, "post", "/applications", {"capacity": "self"}), 201)
    assert body["status"] == "draft"
    assert body["created_by"] == {"id": alice.pk, "name": "Alice Zhang"}
    [plaintiff] = body["parties"]
    assert plaintiff["side"] == "plaintiff"
    assert plaintiff["name"] == "Alice Zhang"
    identity = alice.identity_verifications.get()
    assert plaintiff["id_number"] == mask_identifier(identity.document_number)
    assert "*" in plaintiff["id_number"]
    assert plaintiff["linked"] is True
    assert "case_type" in body["missing"]
    assert body["fee"] == {"amount": None, "basis": "", "estimated": True, "standing": None}


def test_it_returns_the_same_draft_for_a_retried_create(login, alice):
    consent(alice)
    client = login(alice)
    headers = {"Idempotency-Key": "retry-7f3a"}
    first = ok(send(client, "post", "/applications", {}, headers=headers), 201)
    again = ok(send(client, "post", "/applications", {}, headers=headers), 200)
    assert again["id"] == first["id"]
    other = ok(send(client, "post", "/applications", {}, headers={"Idempotency-Key": "k2"}), 201)
    assert other["id"] != first["id"]
    assert Application.objects.filter(created_by=alice).count() == 2


@pytest.mark.parametrize("key", ["x" * 65, "with space", "ключ"])
def test_it_refuses_an_unusable_idempotency_key(login, alice, key):
    consent(alice)
    response = send(login(alice), "post", "/applications", {}, headers={"Idempotency-Key": key})
    problem(response, 422, "invalid_request")
    assert not Application.objects.exists()


def test_it_files_for_a_company_the_person_represents(login, bob):
    consent(bob)
    company = company_for(bob)
    payload = {"capacity": "company", "company_id": company.pk}
    body = ok(send(login(bob), "post", "/applications", payload), 201)
    [plaintiff] = body["parties"]
    assert (plaintiff["kind"], plaintiff["name"]) == ("company", "Beta Tech Co., Ltd.")
    assert plaintiff["id_number"] == mask_identifier(BETA_USCC)


def test_it_refuses_to_file_for_a_company_one_does_not_represent(login, alice):
    consent(alice)
    payload = {"capacity": "company", "company_id": 4242}
    body = problem(send(login(alice), "post", "/applications", payload), 400, "not_representative")
    assert body["field"] == "company"


def test_it_needs_consent_to_online_litigation_to_file(login, alice):
    problem(send(login(alice), "post", "/applications", {}), 400, "consent_required")


def test_it_refuses_an_unknown_capacity(login, alice):
    consent(alice)
    problem(send(login(alice), "post", "/applications", {"capacity": "x"}), 422, "invalid_request")


def test_it_needs_a_session_and_the_csrf_token(alice):
    consent(alice)
    problem(send(Client(), "post", "/applications", {}), 401, "not_authenticated")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice, backend="ecourt.accounts.backends.MobileOrEmailBackend")
    browser.get(reverse("accounts:profile"))
    problem(send(browser, "post", "/applications", {}), 403, "http_403")
    assert not Application.objects.exists()
    token = {"x-csrftoken": browser.cookies["csrftoken"].value}
    ok(send(browser, "post", "/applications", {}, headers=token), 201)


def test_it_lists_my_applications_newest_first(login, alice, bob):
    first = draft_application(alice, complete=False)
    second = draft_application(alice, complete=False)
    draft_application(bob, complete=False)
    body = ok(send(login(alice), "get", "/applications"))
    assert body["count"] == 2
    assert [a["id"] for a in body["items"]] == [second.pk, first.pk]
    assert body["items"][0]["case_type"]["code"] == "online_copyright_infringement"
    page = ok(send(login(alice), "get", "/applications", {"limit": 1, "offset": 1}))
    assert [a["id"] for a in page["items"]] == [first.pk]


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        ok(send(client, "get", path))
    return len(queries)


def test_the_lists_take_the_same_queries_however_long(login, alice, bob, clerk):
    client, staff = login(alice), login(clerk)
    submitted_application(alice)
    few = (_queries(client, "/applications"), _queries(staff, "/filing/queue"))
    submitted_application(alice)
    submitted_application(bob, defendant_name="Gamma Ltd", defendant_id="")
    assert (_queries(client, "/applications"), _queries(staff, "/filing/queue")) == few


# --- Filling the draft --------------------------------------------------------------------------


def _new_draft(client: Client) -> int:
    return ok(send(client, "post", "/applications", {}), 201)["id"]


def test_it_fills_and_submits_an_application_step_by_step(login, alice, commit):
    consent(alice)
    client = login(alice)
    app_id = _new_draft(client)
    base = f"/applications/{app_id}"

    body = ok(send(client, "put", f"{base}/case-type", {"code": "online_shopping_contract"}))
    assert body["case_type"]["code"] == "online_shopping_contract"

    response = client.post(
        f"{API}{base}/parties",
        {
            "side": "defendant",
            "kind": "company",
            "name": "Beta Tech Co., Ltd.",
            "id_number": BETA_USCC,
            "legal_representative": "Li Beta",
            "mobile": "13900000099",
            "email": "legal@beta.example",
        },
    )
    defendant = ok(response, 201)
    assert defendant["side"] == "defendant"
    assert defendant["id_number"] == mask_identifier(BETA_USCC)
    assert defendant["mobile"] == "+86 139****0099"
    assert defendant["email"] == "l***@beta.example"

    claim = ok(
        send(client, "post", f"{base}/claims", {"text": "Refund the price.", "amount": "50000"}),
        201,
    )
    assert claim["amount"] == "50000.00"
    ok(send(client, "post", f"{base}/claims", {"text": "Pay the costs."}), 201)
    facts = "I paid for a laptop on 2026-03-01 and it never arrived."
    body = ok(send(client, "put", f"{base}/facts", {"facts": facts}))
    assert body["facts_and_reasons"] == facts
    item = ok(
        send(
            client,
            "post",
            f"{base}/evidence-list",
            {"title": "Order page", "form": "web_page", "purpose": "The purchase and the price."},
        ),
        201,
    )
    assert item["form"] == "web_page"
    body = ok(
        send(
            client,
            "put",
            f"{base}/delivery",
            {
                "mobile": alice.mobile,
                "email": "alice@example.com",
                "electronic_service_consent": True,
                "confirmed": True,
            },
        )
    )
    assert body["delivery"]["electronic_service_consent"] is True
    assert body["delivery"]["confirmed_at"]
    body = ok(
        send(
            client,
            "put",
            f"{base}/preferences",
            # No ADR here: with it the submission is diverted to mediation (mediation tests).
            {"adr_preference": False, "simplified_procedure": True},
        )
    )
    assert (body["adr_preference"], body["simplified_procedure_requested"]) == (False, True)
    assert body["missing"] == []
    assert body["fee"]["amount"] == "1050.00"
    assert body["fee"]["estimated"] is True

    with commit():
        body = ok(send(client, "post", f"{base}/submit"))
    assert body["status"] == "submitted"
    assert body["fee"]["amount"] == "1050.00"
    assert body["fee"]["estimated"] is False
    assert body["fee"]["standing"] == {"settled": False, "how": "unpaid", "outstanding": "1050.00"}
    assert body["received_on"] == court_today().isoformat()
    [deadline] = body["deadlines"]
    assert deadline["code"] == "filing_decision"
    assert deadline["days_left"] >= 0
    assert deadline["basis"]
    assert body["missing"] == []

    again = ok(send(client, "post", f"{base}/submit"))
    assert again["status"] == "submitted"
    assert Application.objects.filter(created_by=alice).count() == 1
    assert AuditEvent.objects.filter(code="ecourt.filing.application.submitted").count() == 1
    # Once submitted, the draft cannot change.
    response = send(client, "put", f"{base}/facts", {"facts": "x" * 40})
    problem(response, 400, "not_editable")


def test_it_says_what_is_missing_before_submitting(login, alice):
    consent(alice)
    client = login(alice)
    app_id = _new_draft(client)
    body = problem(
        send(client, "post", f"/applications/{app_id}/submit"), 400, "incomplete_case_type"
    )
    assert body["field"] == "case_type"
    detail = ok(send(client, "get", f"/applications/{app_id}"))
    assert detail["missing"] == ["case_type", "defendant", "claims", "facts", "delivery"]


def test_it_refuses_a_case_type_not_heard_or_unknown(login, alice):
    consent(alice)
    client = login(alice)
    app_id = _new_draft(client)
    path = f"/applications/{app_id}/case-type"
    body = problem(send(client, "put", path, {"code": "labour"}), 400, "not_heard")
    assert "arbitration" in body["detail"]
    problem(send(client, "put", path, {"code": "nonsense"}), 400, "case_type_unknown")
    problem(send(client, "put", path, {"code": ""}), 422, "invalid_request")


@pytest.mark.parametrize(
    ("amount", "status", "code"),
    [
        ("0", 400, "amount_not_positive"),
        ("1.234", 400, "amount_too_precise"),
        ("fifty", 400, "amount_invalid"),
        ("1e30", 400, "amount_too_large"),
        ("1000000000000", 400, "amount_too_large"),
        (50000, 422, "invalid_request"),  # money travels as a string
    ],
)
def test_it_names_what_is_wrong_with_a_claim_amount(login, alice, amount, status, code):
    application = draft_application(alice, complete=False)
    response = send(
        login(alice),
        "post",
        f"/applications/{application.pk}/claims",
        {"text": "Pay me.", "amount": amount},
    )
    body = problem(response, status, code)
    if status == 400:
        assert body["field"] == "amount"
    assert not application.claims.exists()


def test_it_refuses_a_bad_email_or_an_unconfirmed_delivery(login, alice):
    application = draft_application(alice, complete=False)
    client = login(alice)
    path = f"/applications/{application.pk}/delivery"
    payload = {"mobile": alice.mobile, "email": "not-an-email", "confirmed": True}
    problem(send(client, "put", path, payload), 422, "invalid_request")
    payload = {"mobile": alice.mobile, "confirmed": False}
    body = problem(send(client, "put", path, payload), 400, "delivery_not_confirmed")
    assert body["field"] == "confirmed"


def test_it_removes_parties_claims_and_evidence_items(login, alice):
    application = draft_application(alice)
    client = login(alice)
    base = f"/applications/{application.pk}"
    detail = ok(send(client, "get", base))
    plaintiff = next(p for p in detail["parties"] if p["side"] == "plaintiff")
    defendant = next(p for p in detail["parties"] if p["side"] == "defendant")

    problem(send(client, "delete", f"{base}/parties/{plaintiff['id']}"), 400, "own_party")
    assert send(client, "delete", f"{base}/parties/{defendant['id']}").status_code == 204
    claim = detail["claims"][0]["id"]
    assert send(client, "delete", f"{base}/claims/{claim}").status_code == 204
    problem(send(client, "delete", f"{base}/claims/{claim}"), 404, "not_found")
    item = detail["evidence_list"][0]["id"]
    assert send(client, "delete", f"{base}/evidence-list/{item}").status_code == 204
    problem(send(client, "delete", f"{base}/evidence-list/{item}"), 404, "not_found")

    detail = ok(send(client, "get", base))
    assert [p["side"] for p in detail["parties"]] == ["plaintiff"]
    assert len(detail["claims"]) == 1
    assert detail["evidence_list"] == []
    assert "defendant" in detail["missing"]


def test_it_refuses_a_party_without_the_required_details(login, alice):
    application = draft_application(alice, complete=False)
    client = login(alice)
    path = f"{API}/applications/{application.pk}/parties"
    body = problem(
        client.post(path, {"side": "defendant", "kind": "person", "name": "Dan"}),
        400,
        "contact_missing",
    )
    assert body["field"] == "mobile"
    problem(client.post(path, {"side": "judge", "kind": "person", "name": "Dan"}), 422)
    problem(
        client.post(path, {"side": "defendant", "kind": "person", "name": "D", "email": "x@"}),
        422,
        "invalid_request",
    )


def test_it_appoints_and_removes_an_agent_with_a_power_of_attorney(login, alice, carol):
    application = draft_application(alice, complete=False)
    client = login(alice)
    base = f"{API}/applications/{application.pk}"
    plaintiff = application.parties.get(side="plaintiff")
    path = f"{base}/parties/{plaintiff.pk}/agents"

    body = problem(
        client.post(path, {"agent_mobile": carol.mobile, "kind": "lawyer"}), 422, "invalid_request"
    )
    assert body["errors"]
    agent = ok(
        client.post(
            path,
            {
                "agent_mobile": carol.mobile,
                "kind": "lawyer",
                "scope": "special",
                "power_of_attorney": pdf_upload(),
            },
        ),
        201,
    )
    assert (agent["name"], agent["kind"], agent["scope"]) == ("Carol Chen", "lawyer", "special")
    stored = plaintiff.agents.get()
    assert stored.power_of_attorney.name.endswith(".pdf")
    assert "/private/" in f"/{stored.power_of_attorney.name}"

    detail = ok(send(client, "get", f"/applications/{application.pk}"))
    [shown] = next(p for p in detail["parties"] if p["side"] == "plaintiff")["agents"]
    assert shown["id"] == agent["id"]

    response = client.delete(f"{path}/{agent['id']}")
    assert response.status_code == 204
    assert not plaintiff.agents.exists()
    problem(client.delete(f"{path}/{agent['id']}"), 404, "not_found")


def test_it_refuses_a_power_of_attorney_that_is_neither_pdf_nor_picture(login, alice, carol):
    application = draft_application(alice, complete=False)
    plaintiff = application.parties.get(side="plaintiff")
    fake = pdf_upload("poa.pdf")
    fake.file.seek(0)
    fake.file.write(b"MZ\x90\x00 not a document")
    fake.file.seek(0)
    response = login(alice).post(
        f"{API}/applications/{application.pk}/parties/{plaintiff.pk}/agents",
        {"agent_mobile": carol.mobile, "kind": "lawyer", "power_of_attorney": fake},
    )
    body = problem(response, 400, "invalid_document")
    assert body["field"] == "power_of_attorney"
    assert not plaintiff.agents.exists()


def test_it_lets_a_lawyer_file_for_a_client_with_the_power_of_attorney(login, carol):
    consent(carol)
    client = login(carol)
    body = ok(send(client, "post", "/applications", {"capacity": "client"}), 201)
    assert body["parties"] == []
    path = f"{API}/applications/{body['id']}/parties"
    client_party = {"side": "plaintiff", "kind": "person", "name": "Dora Client"}
    problem(client.post(path, client_party), 400, "power_of_attorney_missing")
    party = ok(
        client.post(path, {**client_party, "scope": "special", "power_of_attorney": pdf_upload()}),
        201,
    )
    [agent] = party["agents"]
    assert (agent["name"], agent["scope"]) == ("Carol Chen", "special")
    stored = _stored_powers_of_attorney()
    defendant = {"side": "defendant", "kind": "person", "name": "Eve", "mobile": "13900000077"}
    party = ok(client.post(path, {**defendant, "power_of_attorney": pdf_upload()}), 201)
    assert party["agents"] == []
    assert _stored_powers_of_attorney() == stored  # the file that had no use was not kept


def _stored_powers_of_attorney() -> set[str]:
    if not default_storage.exists("private/power_of_attorney"):
        return set()
    return set(default_storage.listdir("private/power_of_attorney")[1])


def test_it_refuses_filing_for_a_client_to_someone_not_a_lawyer(login, alice):
    consent(alice)
    problem(send(login(alice), "post", "/applications", {"capacity": "client"}), 400, "not_lawyer")


def test_it_withdraws_an_application(login, alice):
    application = submitted_application(alice)
    client = login(alice)
    body = ok(send(client, "post", f"/applications/{application.pk}/withdraw"))
    assert body["status"] == "withdrawn"
    assert body["deadlines"] == []
    # Withdrawing again changes nothing; submitting it again is refused.
    assert ok(send(client, "post", f"/applications/{application.pk}/withdraw"))["status"] == (
        "withdrawn"
    )


# --- Paying -------------------------------------------------------------------------------------


def test_it_opens_a_payment_and_a_clerk_confirms_the_transfer(login, alice, clerk, commit):
    application = submitted_application(alice)
    client = login(alice)
    path = f"/applications/{application.pk}/payments"
    payment = ok(send(client, "post", path), 201)
    assert payment["amount"] == "1050.00"
    assert payment["status"] == "pending"
    assert payment["provider"] == "bank_transfer"
    assert payment["payer_completes"] is False
    values = {line["value"] for line in payment["instructions"]}
    assert payment["reference"] in values
    assert ok(send(client, "post", path))["id"] == payment["id"]  # the open one again: 200
    problem(send(client, "post", f"/payments/{payment['id']}/sandbox-complete"), 400, "not_sandbox")

    staff = login(clerk)
    confirm = f"/payments/{payment['id']}/confirm"
    problem(send(staff, "post", confirm, {"record": " "}), 400, "record_missing")
    with commit():
        body = ok(send(staff, "post", confirm, {"record": "ICBC 2026-05-01 1050.00"}))
    assert body["status"] == "paid"
    problem(send(staff, "post", confirm, {"record": "again"}), 400, "payment_not_pending")
    problem(send(staff, "post", "/payments/999999/confirm", {"record": "x"}), 404, "not_found")

    detail = ok(send(client, "get", f"/applications/{application.pk}"))
    assert detail["fee"]["standing"] == {"settled": True, "how": "paid", "outstanding": "0.00"}
    assert [p["status"] for p in detail["payments"]] == ["paid"]
    problem(send(client, "post", path), 400, "nothing_owed")


def test_it_pays_a_sandbox_payment_by_the_payers_click(login, alice, oscar, settings):
    settings.ECOURT_PAYMENT_PROVIDER = "sandbox"
    application = submitted_application(alice)
    payment = ok(send(login(alice), "post", f"/applications/{application.pk}/payments"), 201)
    assert payment["payer_completes"] is True
    path = f"/payments/{payment['id']}/sandbox-complete"
    problem(send(login(oscar), "post", path), 404, "not_found")
    body = ok(send(login(alice), "post", path))
    assert body["status"] == "paid"
    assert ok(send(login(alice), "post", path))["status"] == "paid"  # a repeat changes nothing
    problem(send(login(alice), "post", "/payments/999999/sandbox-complete"), 404)


def test_it_refuses_to_open_a_payment_for_a_draft(login, alice):
    application = draft_application(alice)
    response = send(login(alice), "post", f"/applications/{application.pk}/payments")
    problem(response, 400, "not_payable")


def test_it_asks_for_and_decides_fee_relief(login, alice, clerk):
    application = submitted_application(alice)
    client = login(alice)
    path = f"/applications/{application.pk}/fee-relief"
    problem(send(client, "post", path, {"kind": "reduction", "reasons": "poor"}), 400)
    relief = ok(
        send(
            client,
            "post",
            path,
            {"kind": "reduction", "reasons": "I lost my job in March and live on benefits."},
        ),
        201,
    )
    assert relief["status"] == "pending"
    problem(
        send(client, "post", path, {"kind": "waiver", "reasons": "Still out of work, sadly."}),
        400,
        "relief_pending",
    )
    decide = f"/fee-relief/{relief['id']}/decide"
    problem(send(client, "post", decide, {"grant": True, "reduced_fee": "100"}), 403)

    staff = login(clerk)
    for bad in ("1e30", "2000", "abc"):
        body = problem(
            send(staff, "post", decide, {"grant": True, "reduced_fee": bad}),
            400,
            "reduced_fee_invalid",
        )
        assert body["field"] == "reduced_fee"
    body = ok(send(staff, "post", decide, {"grant": True, "reduced_fee": "300"}))
    assert (body["status"], body["reduced_fee"]) == ("granted", "300.00")
    problem(send(staff, "post", decide, {"grant": False, "reason": "x"}), 400, "relief_decided")
    problem(send(staff, "post", "/fee-relief/999999/decide", {"grant": True}), 404)

    detail = ok(send(client, "get", f"/applications/{application.pk}"))
    assert detail["fee"]["standing"] == {
        "settled": False,
        "how": "unpaid",
        "outstanding": "300.00",
    }
    assert detail["fee_relief_requests"][0]["status"] == "granted"


# --- The clerk's review -------------------------------------------------------------------------


def test_it_shows_the_clerk_the_queue_oldest_first(login, alice, bob, clerk):
    first = submitted_application(alice)
    second = submitted_application(bob, defendant_name="Gamma Ltd", defendant_id="")
    draft_application(alice)  # drafts are not the court's yet
    body = ok(send(login(clerk), "get", "/filing/queue"))
    assert body["count"] == 2
    assert [a["id"] for a in body["items"]] == [first.pk, second.pk]
    item = body["items"][0]
    assert item["status"] == "submitted"
    assert item["filed_by"]["name"] == "Alice Zhang"
    assert item["decision_due"]
    assert item["fee_amount"] == "1050.00"


def test_it_lets_a_clerk_ask_for_corrections_then_accept(login, alice, clerk, judge, commit):
    application = submitted_application(alice)
    staff = login(clerk)
    base = f"/applications/{application.pk}"
    body = ok(send(staff, "post", f"{base}/review/start"))
    assert (body["status"], body["reviewer"]["name"]) == ("under_review", "Clerk Deng")

    due = (court_today() + timedelta(days=10)).isoformat()
    payload = {"items": ["Give the defendant's address.", "  "], "due": due}
    with commit():
        body = ok(send(staff, "post", f"{base}/review/corrections", payload))
    assert body["status"] == "corrections_requested"
    assert body["corrections"] == ["Give the defendant's address."]
    assert body["corrections_due"] == due
    again = {"items": ["x"], "due": due}
    problem(send(staff, "post", f"{base}/review/corrections", again), 400, "illegal_transition")

    client = login(alice)
    detail = ok(send(client, "get", base))
    assert [d["code"] for d in detail["deadlines"]] == ["correction"]
    ok(send(client, "put", f"{base}/facts", {"facts": "Corrected facts, now long enough."}))
    assert ok(send(client, "post", f"{base}/submit"))["status"] == "under_review"

    accept = {"judge_id": judge.pk, "procedure": "simplified"}
    problem(send(staff, "post", f"{base}/review/accept", accept), 400, "fee_unsettled")
    payment = services.payment_start(actor=alice, application_id=application.pk)
    services.payment_confirm(actor=clerk, payment_id=payment.pk, record="ICBC transfer")
    with commit():
        case = ok(send(staff, "post", f"{base}/review/accept", accept), 201)
    assert case["number"].endswith("号")
    assert "民初" in case["number"]
    assert case["procedure"] == "simplified"
    assert case["judge"] == {"id": judge.pk, "name": "Judge Wang"}
    assert case["application_id"] == application.pk
    detail = ok(send(client, "get", base))
    assert detail["status"] == "docketed"
    assert detail["case"] == {"id": case["id"], "number": case["number"]}


def test_it_checks_what_the_clerk_sends(login, alice, clerk):
    application = submitted_application(alice)
    staff = login(clerk)
    base = f"/applications/{application.pk}/review"
    due = (court_today() + timedelta(days=91)).isoformat()
    problem(
        send(staff, "post", f"{base}/corrections", {"items": ["x"], "due": due}), 400, "due_too_far"
    )
    problem(send(staff, "post", f"{base}/corrections", {"items": [], "due": due}), 422)
    problem(send(staff, "post", f"{base}/refuse", {"reason": "short"}), 400, "reason_missing")
    problem(send(staff, "post", f"{base}/accept", {"procedure": "summary"}), 422)
    problem(send(staff, "post", f"{base}/accept", {"judge_id": "x"}), 422)


def test_it_lets_a_clerk_refuse_with_reasons(login, alice, clerk):
    application = submitted_application(alice)
    reason = "The dispute is about a lease of a flat; bring it to the district court."
    body = ok(
        send(
            login(clerk),
            "post",
            f"/applications/{application.pk}/review/refuse",
            {"reason": reason},
        )
    )
    assert body["status"] == "refused"
    assert body["decision_reason"] == reason
    assert [d["code"] for d in body["deadlines"]] == ["appeal_ruling"]
    assert ok(send(login(alice), "get", f"/applications/{application.pk}"))["status"] == "refused"


def test_it_hides_drafts_from_clerks(login, alice, clerk):
    application = draft_application(alice)
    problem(send(login(clerk), "get", f"/applications/{application.pk}"), 404, "not_found")


# --- Catalogue versions (court administrators) --------------------------------------------------

NEW_TYPE = {
    "code": "online_shopping_contract",
    "name_en": "Contract for goods bought online",
    "name_zh": "网络购物合同纠纷",
    "fee_category": "property",
    "number_type": "民初",
}


def test_it_lets_an_administrator_publish_a_catalogue_version(login, admin):
    client = login(admin)
    [shipped] = ok(send(client, "get", "/case-types/versions"))
    assert (shipped["effective_from"], shipped["heard"]) == ("2018-09-07", 11)
    assert shipped["published_by"] is None

    effective = (court_today() + timedelta(days=30)).isoformat()
    payload = {
        "effective_from": effective,
        "basis": "SPC Notice 2026 No. 1",
        "note": "Only online shopping.",
        "types": [
            NEW_TYPE,
            {
                "code": "family",
                "name_en": "Family",
                "name_zh": "婚姻家庭",
                "accepted": False,
                "competent_court_en": "The district court",
                "competent_court_zh": "基层人民法院",
            },
        ],
    }
    body = ok(send(client, "post", "/case-types/versions", payload), 201)
    assert body["effective_from"] == effective
    assert [t["code"] for t in body["types"]] == ["online_shopping_contract", "family"]
    versions = ok(send(client, "get", "/case-types/versions"))
    assert [v["effective_from"] for v in versions] == [effective, "2018-09-07"]
    assert versions[0]["published_by"] == "Admin Zhao"
    later = ok(send(Client(), "get", "/case-types", {"on": effective}))
    assert len(later["types"]) == 2
    problem(send(client, "post", "/case-types/versions", payload), 400, "effective_date_taken")


def test_it_checks_a_catalogue_version_before_publishing(login, admin):
    client = login(admin)
    today = court_today().isoformat()
    future = (court_today() + timedelta(days=3)).isoformat()
    base = {"effective_from": future, "basis": "SPC", "types": [NEW_TYPE]}
    problem(
        send(client, "post", "/case-types/versions", {**base, "effective_from": today}),
        400,
        "effective_date_past",
    )
    no_fee = {**NEW_TYPE, "fee_category": ""}
    problem(
        send(client, "post", "/case-types/versions", {**base, "types": [no_fee]}),
        400,
        "case_type_incomplete",
    )
    for bad in ({**NEW_TYPE, "code": "Bad Code"}, {**NEW_TYPE, "name_en": "a\x00b"}):
        problem(send(client, "post", "/case-types/versions", {**base, "types": [bad]}), 422)
    problem(send(client, "post", "/case-types/versions", {**base, "types": []}), 422)
    assert CatalogueVersion.objects.count() == 1


def test_it_keeps_catalogue_publishing_for_administrators(login, alice, clerk):
    future = (court_today() + timedelta(days=3)).isoformat()
    payload = {"effective_from": future, "basis": "SPC", "types": [NEW_TYPE]}
    for person in (alice, clerk):
        client = login(person)
        problem(send(client, "get", "/case-types/versions"), 403)
        problem(send(client, "post", "/case-types/versions", payload), 403)
    assert CatalogueVersion.objects.count() == 1


# --- Who may see and do what --------------------------------------------------------------------


def _application_routes(application: Application) -> dict[tuple[str, str], tuple[str, object]]:
    """Every route on one application: (method, OpenAPI path) → (real path, JSON body)."""
    plaintiff = application.parties.get(side="plaintiff")
    claim = application.claims.first()
    item = application.evidence_list.first()
    assert claim is not None and item is not None
    a = f"/applications/{application.pk}"
    p = "/applications/{application_id}"
    return {
        ("get", p): (a, None),
        ("put", p + "/case-type"): (a + "/case-type", {"code": "domain_name"}),
        ("post", p + "/parties"): (a + "/parties", {}),
        ("delete", p + "/parties/{party_id}"): (f"{a}/parties/{plaintiff.pk}", None),
        ("post", p + "/parties/{party_id}/agents"): (f"{a}/parties/{plaintiff.pk}/agents", {}),
        ("delete", p + "/parties/{party_id}/agents/{agent_id}"): (
            f"{a}/parties/{plaintiff.pk}/agents/1",
            None,
        ),
        ("post", p + "/claims"): (a + "/claims", {"text": "Pay me.", "amount": "10"}),
        ("delete", p + "/claims/{claim_id}"): (f"{a}/claims/{claim.pk}", None),
        ("put", p + "/facts"): (a + "/facts", {"facts": "Nothing to see here, outsider."}),
        ("post", p + "/evidence-list"): (
            a + "/evidence-list",
            {"title": "T", "form": "other", "purpose": "P"},
        ),
        ("delete", p + "/evidence-list/{item_id}"): (f"{a}/evidence-list/{item.pk}", None),
        ("put", p + "/delivery"): (a + "/delivery", {"mobile": "13900000000", "confirmed": True}),
        ("put", p + "/preferences"): (
            a + "/preferences",
            {"adr_preference": True, "simplified_procedure": False},
        ),
        ("post", p + "/submit"): (a + "/submit", None),
        ("post", p + "/withdraw"): (a + "/withdraw", None),
        ("post", p + "/payments"): (a + "/payments", None),
        ("post", p + "/fee-relief"): (
            a + "/fee-relief",
            {"kind": "waiver", "reasons": "I cannot pay anything at all."},
        ),
        ("post", p + "/review/start"): (a + "/review/start", None),
        ("post", p + "/review/accept"): (a + "/review/accept", {}),
        ("post", p + "/review/corrections"): (
            a + "/review/corrections",
            {"items": ["x"], "due": (court_today() + timedelta(days=5)).isoformat()},
        ),
        ("post", p + "/review/refuse"): (
            a + "/review/refuse",
            {"reason": "Not for outsiders to decide."},
        ),
        # Pre-filing mediation's routes on an application (ecourt/mediation/api_court.py).
        ("get", p + "/diversion-proposals"): (a + "/diversion-proposals", None),
        ("post", p + "/diversion-proposals"): (a + "/diversion-proposals", {"note": "Mediate?"}),
        # Evidence items (ecourt/evidence/api_items.py).
        ("get", p + "/evidence"): (a + "/evidence", None),
        ("post", p + "/evidence"): (
            a + "/evidence",
            {
                "party_id": plaintiff.pk,
                "upload": "no-such-upload",
                "title": "T",
                "purpose": "P",
                "form": "other",
                "kind": "copy",
            },
        ),
        ("post", p + "/evidence/submit"): (a + "/evidence/submit", {"party_id": plaintiff.pk}),
    }


def _documented(prefix: str) -> set[tuple[str, str]]:
    paths = Client().get(f"{API}/openapi.json").json()["paths"]
    return {
        (method, path.removeprefix(API))
        for path, operations in paths.items()
        if path.startswith(API + prefix)
        for method in operations
    }


def test_the_route_table_covers_every_application_route(alice):
    application = submitted_application(alice)
    assert set(_application_routes(application)) == _documented("/applications/{")


def _call(client: Client, method: str, path: str, body: object):
    """Send a route's request; the two multipart routes get a valid form."""
    if method == "post" and path.endswith("/parties"):
        return client.post(
            API + path,
            {"side": "defendant", "kind": "person", "name": "X", "mobile": "13900000000"},
        )
    if method == "post" and path.endswith("/agents"):
        form = {
            "agent_mobile": "+8613900000000",
            "kind": "citizen",
            "power_of_attorney": pdf_upload(),
        }
        return client.post(API + path, form)
    return send(client, method, path, body)


def test_an_outsider_gets_404_on_every_application_route(login, alice, oscar):
    application = submitted_application(alice)
    client = login(oscar)
    for (method, _documented_path), (path, body) in _application_routes(application).items():
        problem(_call(client, method, path, body), 404, "not_found")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


def test_every_application_route_answers_404_for_an_application_that_does_not_exist(
    login, alice, clerk
):
    application = submitted_application(alice)
    routes = _application_routes(application)
    application_id = str(application.pk)
    for person in (alice, clerk):
        client = login(person)
        for method, path, body in (
            (m, p.replace(f"/applications/{application_id}", "/applications/987654"), b)
            for (m, _doc), (p, b) in routes.items()
        ):
            problem(_call(client, method, path, body), 404, "not_found")


def test_the_clerk_routes_are_403_for_the_applicant(login, alice, clerk):
    application = submitted_application(alice)
    payment = services.payment_start(actor=alice, application_id=application.pk)
    relief = services.fee_relief_request(
        actor=alice,
        application_id=application.pk,
        kind="waiver",
        reasons="I cannot pay anything at all.",
    )
    routes = _application_routes(application)
    client = login(alice)
    for method, key in (
        ("post", "/applications/{application_id}/review/start"),
        ("post", "/applications/{application_id}/review/accept"),
        ("post", "/applications/{application_id}/review/corrections"),
        ("post", "/applications/{application_id}/review/refuse"),
    ):
        path, body = routes[(method, key)]
        problem(send(client, method, path, body), 403)
    problem(send(client, "get", "/filing/queue"), 403)
    problem(send(client, "post", f"/payments/{payment.pk}/confirm", {"record": "x"}), 403)
    problem(send(client, "post", f"/fee-relief/{relief.pk}/decide", {"grant": True}), 403)
    assert Payment.objects.get(pk=payment.pk).status == "pending"
    assert FeeReliefRequest.objects.get(pk=relief.pk).status == "pending"
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize("application_id", ["0", "-3", "99999999999999999999"])
def test_it_answers_404_for_ids_that_cannot_exist(login, alice, application_id):
    draft = draft_application(alice)
    client = login(alice)
    problem(send(client, "get", f"/applications/{application_id}"), 404, "not_found")
    problem(send(client, "delete", f"/applications/{draft.pk}/claims/{application_id}"), 404)
    problem(send(client, "delete", f"/applications/{draft.pk}/parties/{application_id}"), 404)


def test_every_filing_route_is_in_the_openapi_document_with_its_schemas(client):
    schema = client.get(f"{API}/openapi.json").json()
    mine = {
        (method, path): operation
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if any(tag in operation.get("tags", []) for tag in ("filing", "filing review", "cases"))
        or path.startswith((f"{API}/case-types", f"{API}/fees"))
    }
    assert len(mine) == 41
    for (method, path), operation in mine.items():
        successes = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert successes, (method, path)
        for code, response in successes.items():
            if code != "204":
                assert response["content"]["application/json"]["schema"], (method, path)
        problems = {code for code in operation["responses"] if code[0] in "45"}
        assert problems, (method, path)
        for code in problems:
            assert "application/problem+json" in operation["responses"][code]["content"]
        if method in ("put",) or (method == "post" and "requestBody" in operation):
            content = operation["requestBody"]["content"]
            assert content, (method, path)
