"""Electronic delivery through the JSON API: a company's system pulls its deliveries with an
inbox token and acknowledges them, the signed-in recipient's read is the read receipt (a
token's or staff's is not), staff issue documents and work the failed-service queue, bad
addresses are refused with their own code, and outsiders get 404 on every route that shows
case data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from ecourt.accounts.models import User
from ecourt.cases.models import Case, Party
from ecourt.cases.tests.test_api_filing import ok, problem, send
from ecourt.delivery.models import Delivery, DeliveryStatus, EventKind, InboxToken
from ecourt.delivery.services.addresses import inbox_token_create, inbox_token_revoke
from ecourt.delivery.tests.factories import (
    beta_case,
    confirm,
    defendant,
    delivery_to,
    issue,
    link_beta,
    plaintiff,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def case(alice: User, bob: User, clerk: User, judge: User, commit) -> Case:
    """Alice v. Beta Tech, docketed; Bob (Beta Tech's representative) has not linked yet."""
    with commit():
        return beta_case(alice, bob, clerk, judge)


@pytest.fixture
def beta(case: Case, bob: User) -> Party:
    """Beta Tech, linked by Bob, who confirmed its addresses: the platform inbox and the
    company's own system over the API (no SMS, no email)."""
    party = link_beta(bob, case)
    confirm(bob, case, party, mobile="", institution_inbox=True)
    return party


@pytest.fixture
def machine(bob: User, beta: Party) -> Client:
    """Beta Tech's system with Bob's inbox token. It enforces CSRF like a browser: a token
    needs none."""
    _row, token = inbox_token_create(actor=bob)
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {token}"})


def summons(clerk: User, case: Case, party: Party, commit) -> Delivery:
    with commit():
        document = issue(clerk, case, recipients=[party])
    return delivery_to(document, party)


# --- Outsiders ----------------------------------------------------------------------------------

#: Every route that shows or changes case data, with a body its owner could send.
CASE_ROUTES = [
    ("get", "/deliveries/{d}", None),
    ("get", "/deliveries/{d}/document", None),
    ("post", "/deliveries/{d}/ack", None),
    ("post", "/deliveries/{d}/paper", None),
    ("get", "/deliveries/{d}/proof", None),
    ("post", "/deliveries/{d}/retry", None),
    ("post", "/deliveries/{d}/redirect", {"channel": "email", "address": "beta@beta.cn"}),
    ("post", "/deliveries/{d}/offline", {"reason": "By post"}),
    ("post", "/deliveries/{d}/correct", {"served_on": "2026-01-02", "reason": "Wrong date"}),
    ("post", "/deliveries/{d}/paper-sent", {"note": "EMS 1234"}),
    ("get", "/cases/{c}/addresses", None),
    (
        "post",
        "/cases/{c}/addresses",
        {"party_id": 0, "mobile": "", "consents_to_decisions": True, "undertaking": True},
    ),
    ("get", "/cases/{c}/deliveries", None),
    (
        "post",
        "/cases/{c}/documents",
        {"kind": "summons", "title": "Summons", "body": "Come to the hearing, please."},
    ),
]


def test_every_route_with_case_data_answers_an_outsider_404(
    login, oscar, clerk, case, beta, commit
):
    delivery = summons(clerk, case, beta, commit)
    client = login(oscar)
    for method, path, payload in CASE_ROUTES:
        if payload and "party_id" in payload:
            payload = {**payload, "party_id": beta.pk}
        url = path.format(d=delivery.pk, c=case.pk)
        problem(send(client, method, url, payload), 404, "not_found")
    for missing in (0, 10**6):
        problem(send(client, "get", f"/deliveries/{missing}"), 404, "not_found")
    delivery.refresh_from_db()
    assert delivery.read_at is None and delivery.acked_at is None


def test_an_outsider_lists_nothing_and_is_not_staff(login, oscar, clerk, case, beta, commit):
    summons(clerk, case, beta, commit)
    client = login(oscar)
    assert ok(send(client, "get", "/deliveries")) == {"deliveries": [], "next_after": None}
    assert ok(send(client, "get", "/deliveries", {"status": "pending"}))["deliveries"] == []
    problem(send(client, "get", "/deliveries/failed"), 403, "not_case_staff")


def test_anonymous_callers_are_asked_to_sign_in(visitor, clerk, case, beta, commit):
    delivery = summons(clerk, case, beta, commit)
    problem(send(visitor, "get", "/deliveries"), 401, "not_authenticated")
    problem(send(visitor, "get", f"/deliveries/{delivery.pk}/document"), 401)
    delivery.refresh_from_db()
    assert delivery.read_at is None, "an anonymous GET (a link scanner) never reads"


# --- A company's system: pull and ack -----------------------------------------------------------


def test_a_company_system_pulls_and_acknowledges_its_deliveries(
    machine, bob, clerk, case, beta, commit
):
    delivery = summons(clerk, case, beta, commit)
    # The platform inbox is written at issue, and it is an address Beta confirmed: the
    # summons is served then (confirmed.reached); the company's ack is recorded on top.
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.served_rule == "confirmed.reached"
    assert delivery.served_at == delivery.delivered_at

    pending = ok(send(machine, "get", "/deliveries", {"status": "pending"}))["deliveries"]
    assert [d["id"] for d in pending] == [delivery.pk]
    [item] = pending
    assert item["case_number"] == case.number
    assert item["document"]["kind"] == "summons"
    assert item["document"]["sha256"] == delivery.document.sha256
    assert item["legal"] is True and item["acked_at"] is None
    assert item["attempts"] is None, "the recipient does not see the channel attempts"

    text = ok(machine.get(item["links"]["document"]))
    assert text["body"].startswith("You are summoned")
    assert text["sha256"] == delivery.document.sha256
    delivery.refresh_from_db()
    assert delivery.read_at is None, "a company's system pulling the text is not reading it"

    acked = ok(send(machine, "post", f"/deliveries/{delivery.pk}/ack"))
    assert acked["status"] == DeliveryStatus.DELIVERED
    assert acked["acked_at"] is not None
    assert acked["served_rule"] == "confirmed.reached"
    assert acked["read_at"] is None
    again = ok(send(machine, "post", f"/deliveries/{delivery.pk}/ack"))
    assert again == acked, "a second ack is harmless"
    assert delivery.events.filter(kind=EventKind.ACKED).count() == 1

    assert ok(send(machine, "get", "/deliveries", {"status": "pending"}))["deliveries"] == []
    proof = ok(send(machine, "get", f"/deliveries/{delivery.pk}/proof"))
    assert proof["fields"]["acked_at"] is None, "the proof was written when it was served"
    assert InboxToken.objects.get(user=bob).last_used_at is not None


def test_ack_is_only_for_deliveries_sent_to_an_institution_inbox(
    login, alice, clerk, case, beta, commit
):
    delivery = summons(clerk, case, plaintiff(case), commit)
    problem(send(login(alice), "post", f"/deliveries/{delivery.pk}/ack"), 404, "not_found")
    problem(send(login(clerk), "post", f"/deliveries/{delivery.pk}/ack"), 404, "not_found")


def test_a_revoked_or_unknown_token_is_refused(machine, bob, clerk, case, beta, commit):
    delivery = summons(clerk, case, beta, commit)
    inbox_token_revoke(actor=bob, token_id=InboxToken.objects.get(user=bob).pk)
    problem(send(machine, "get", "/deliveries", {"status": "pending"}), 401, "token_invalid")
    problem(send(machine, "post", f"/deliveries/{delivery.pk}/ack"), 401, "token_invalid")
    stranger = Client(headers={"authorization": "Bearer eci_not-a-token"})
    problem(send(stranger, "get", "/deliveries"), 401, "token_invalid")
    delivery.refresh_from_db()
    assert delivery.acked_at is None


def test_a_token_only_reads_and_acknowledges(machine):
    # Preferences and addresses are the person's, with the session.
    problem(send(machine, "get", "/notifications/preferences"), 401, "not_authenticated")
    # A write without a session falls to the session's CSRF check.
    off = {"sms": False, "email": False}
    problem(send(machine, "put", "/notifications/preferences", off), 403)


# --- People reading -----------------------------------------------------------------------------


def test_the_recipient_reading_signed_in_is_the_read_receipt(
    login, alice, clerk, judge, case, commit
):
    delivery = summons(clerk, case, plaintiff(case), commit)
    for staff in (clerk, judge):
        text = ok(send(login(staff), "get", f"/deliveries/{delivery.pk}/document"))
        assert text["kind"] == "summons"
    delivery.refresh_from_db()
    assert delivery.read_at is None, "staff reading leave no receipt"

    client = login(alice)
    assert ok(send(client, "get", f"/deliveries/{delivery.pk}/document"))["title"]
    delivery.refresh_from_db()
    assert delivery.read_at is not None
    assert delivery.status == DeliveryStatus.READ
    assert delivery.events.get(kind=EventKind.READ).detail == {"via": "api"}
    seen = ok(send(client, "get", f"/deliveries/{delivery.pk}"))
    assert seen["read_at"] is not None and seen["served_at"] is not None


def test_staff_see_attempts_and_events_the_recipient_does_not(login, alice, clerk, case, commit):
    delivery = summons(clerk, case, plaintiff(case), commit)
    seen = ok(send(login(clerk), "get", f"/deliveries/{delivery.pk}"))
    channels = {a["channel"] for a in seen["attempts"]}
    assert {"inbox", "sms"} <= channels
    sms = next(a for a in seen["attempts"] if a["channel"] == "sms")
    assert sms["address"] == "+86 138****0001", "addresses are masked"
    assert [e["kind"] for e in seen["events"]][:2] == ["issued", "inbox"]
    own = ok(send(login(alice), "get", f"/deliveries/{delivery.pk}"))
    assert own["attempts"] is None and own["events"] is None and own["last_error"] is None
    listed = ok(send(login(clerk), "get", f"/cases/{case.pk}/deliveries"))
    assert delivery.pk in {d["id"] for d in listed}


def test_a_paper_copy_can_be_asked_for_twice(login, alice, clerk, case, commit):
    delivery = summons(clerk, case, plaintiff(case), commit)
    client = login(alice)
    first = ok(send(client, "post", f"/deliveries/{delivery.pk}/paper"))
    assert first["paper_requested_at"] is not None
    assert ok(send(client, "post", f"/deliveries/{delivery.pk}/paper")) == first
    problem(send(login(clerk), "post", f"/deliveries/{delivery.pk}/paper"), 404)


def test_staff_record_the_paper_copy_as_sent_once(login, alice, clerk, case, commit):
    delivery = summons(clerk, case, plaintiff(case), commit)
    staff = login(clerk)
    url = f"/deliveries/{delivery.pk}/paper-sent"
    problem(send(staff, "post", url, {"note": "EMS 1234"}), 400, "not_requested")
    ok(send(login(alice), "post", f"/deliveries/{delivery.pk}/paper"))
    problem(send(login(alice), "post", url, {"note": "EMS 1234"}), 403)
    problem(send(staff, "post", url, {"note": " "}), 400, "note_missing")
    sent = ok(send(staff, "post", url, {"note": "EMS 1234"}))
    assert sent["paper_sent_at"] is not None
    problem(send(staff, "post", url, {"note": "EMS 1234"}), 400, "already_sent")


def test_the_list_pages_by_id(login, alice, clerk, case, commit):
    for _n in range(3):
        summons(clerk, case, plaintiff(case), commit)
    client = login(alice)
    everything = [d["id"] for d in ok(send(client, "get", "/deliveries"))["deliveries"]]
    assert len(everything) >= 4, "the notice of acceptance and three summonses"
    assert everything == sorted(everything)
    first = ok(send(client, "get", "/deliveries", {"limit": 2}))
    assert [d["id"] for d in first["deliveries"]] == everything[:2]
    rest = ok(send(client, "get", "/deliveries", {"limit": 500, "after": first["next_after"]}))
    assert [d["id"] for d in rest["deliveries"]] == everything[2:]
    assert rest["next_after"] is None
    problem(send(client, "get", "/deliveries", {"limit": 501}), 422)
    problem(send(client, "get", "/deliveries", {"status": "unread"}), 422)


# --- Preferences and addresses ------------------------------------------------------------------


def test_notice_preferences_round_trip(login, alice):
    client = login(alice)
    assert ok(send(client, "get", "/notifications/preferences")) == {
        "sms": True,
        "email": False,
        "quiet_start": None,
        "quiet_end": None,
    }
    quiet = {"sms": True, "email": False, "quiet_start": "22:00", "quiet_end": "07:30"}
    assert ok(send(client, "put", "/notifications/preferences", quiet)) == quiet
    assert ok(send(client, "get", "/notifications/preferences")) == quiet
    half = {**quiet, "quiet_end": None}
    problem(send(client, "put", "/notifications/preferences", half), 400, "quiet_hours_incomplete")
    problem(send(client, "put", "/notifications/preferences", {**quiet, "quiet_end": "25:00"}), 422)


def test_addresses_are_confirmed_and_versioned(login, bob, case, commit):
    party = link_beta(bob, case)
    client = login(bob)
    body = {
        "party_id": party.pk,
        "mobile": "13800000002",
        "email": "Legal@Beta.cn",
        "institution_inbox": True,
        "consents_to_decisions": True,
        "undertaking": True,
    }
    first = ok(send(client, "post", f"/cases/{case.pk}/addresses", body), 201)
    assert first["version"] == 1
    assert first["mobile"] == "+8613800000002" and first["email"] == "legal@beta.cn"
    assert first["channels"] == ["inbox", "sms", "email", "institution"]
    same = ok(send(client, "post", f"/cases/{case.pk}/addresses", body), 200)
    assert same["id"] == first["id"]
    second = ok(send(client, "post", f"/cases/{case.pk}/addresses", {**body, "email": ""}), 201)
    assert second["version"] == 2
    history = ok(send(client, "get", f"/cases/{case.pk}/addresses"))
    assert [(a["version"], a["superseded_at"] is None) for a in history] == [(2, True), (1, False)]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"mobile": "12345"}, "mobile_invalid", "mobile"),
        ({"email": "legal@beta.invalid"}, "email_unreachable", "email"),
        ({"email": "legal@localhost"}, "email_unreachable", "email"),
        ({"email": "not an address"}, "email_invalid", "email"),
        ({"undertaking": False}, "undertaking_missing", "undertaking"),
    ],
)
def test_bad_addresses_are_refused_at_confirmation(login, alice, case, change, code, field):
    body = {
        "party_id": plaintiff(case).pk,
        "mobile": "+8613800000001",
        "consents_to_decisions": True,
        "undertaking": True,
        **change,
    }
    found = problem(send(login(alice), "post", f"/cases/{case.pk}/addresses", body), 400, code)
    assert found["field"] == field


def test_only_a_party_one_acts_for_is_confirmed(login, alice, case):
    body = {"party_id": defendant(case).pk, "consents_to_decisions": True, "undertaking": True}
    problem(send(login(alice), "post", f"/cases/{case.pk}/addresses", body), 403, "not_your_party")
    person = {**body, "party_id": plaintiff(case).pk, "institution_inbox": True}
    problem(
        send(login(alice), "post", f"/cases/{case.pk}/addresses", person),
        400,
        "institution_not_company",
    )


def test_session_writes_need_the_csrf_header(alice, case):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice, backend="ecourt.accounts.backends.MobileOrEmailBackend")
    quiet = {"sms": False, "email": False}
    problem(send(browser, "put", "/notifications/preferences", quiet), 403)
    secret = "k" * 32
    browser.cookies["csrftoken"] = secret
    ok(send(browser, "put", "/notifications/preferences", quiet, headers={"X-CSRFToken": secret}))


# --- Court staff --------------------------------------------------------------------------------


def test_staff_issue_a_document_to_the_parties(login, clerk, alice, case, commit):
    body = {
        "kind": "evidence_notice",
        "title": "Notice on evidence",
        "body": "Submit your evidence within fifteen days.",
    }
    with commit():
        issued = ok(send(login(clerk), "post", f"/cases/{case.pk}/documents", body), 201)
    assert issued["document"]["kind"] == "evidence_notice"
    assert issued["document"]["deposit_no"]
    made = Delivery.objects.filter(document_id=issued["document"]["id"]).order_by("pk")
    assert [d.pk for d in made] == issued["delivery_ids"]
    assert {d.party_id for d in made} == {p.pk for p in case.parties.all()}
    to_alice = ok(send(login(alice), "get", "/deliveries"))["deliveries"]
    assert any(d["document"] and d["document"]["title"] == "Notice on evidence" for d in to_alice)
    only = {**body, "recipient_ids": [plaintiff(case).pk]}
    with commit():
        one = ok(send(login(clerk), "post", f"/cases/{case.pk}/documents", only), 201)
    assert len(one["delivery_ids"]) == 1
    problem(
        send(login(clerk), "post", f"/cases/{case.pk}/documents", {**body, "kind": "memo"}),
        400,
        "kind_invalid",
    )
    problem(send(login(alice), "post", f"/cases/{case.pk}/documents", body), 404)


def test_staff_switch_to_offline_and_redirect(login, clerk, alice, case, commit):
    # Beta Tech has not linked or confirmed: the summons waits to be read.
    delivery = summons(clerk, case, defendant(case), commit)
    assert delivery.served_at is None
    client = login(clerk)
    url = f"/deliveries/{delivery.pk}"
    problem(send(client, "post", f"{url}/retry"), 400, "not_failed")
    problem(send(client, "post", f"{url}/offline", {"reason": " "}), 400, "reason_missing")
    offline = ok(send(client, "post", f"{url}/offline", {"reason": "Returned by the carrier"}))
    assert offline["status"] == DeliveryStatus.OFFLINE
    assert delivery.pk in {d["id"] for d in ok(send(client, "get", "/deliveries/failed"))}

    bad = {"channel": "email", "address": "not-an-address"}
    found = problem(send(client, "post", f"{url}/redirect", bad), 400, "email_invalid")
    assert found["field"] == "address"
    wrong = {"channel": "fax", "address": "010-1234"}
    problem(send(client, "post", f"{url}/redirect", wrong), 400, "channel_invalid")
    good = {"channel": "email", "address": "legal@beta.cn"}
    redirected = ok(send(client, "post", f"{url}/redirect", good))
    assert redirected["status"] == DeliveryStatus.QUEUED
    assert redirected["events"][-1]["kind"] == "redirected"
    assert redirected["events"][-1]["detail"]["address"] == "l***@beta.cn"
    # The recipient sees the delivery but may not act on it as staff.
    problem(send(login(alice), "post", f"{url}/offline", {"reason": "x"}), 404)


def test_staff_correct_the_served_date_with_a_new_proof(
    login, alice, clerk, case, commit, time_machine
):
    time_machine.move_to(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False)
    delivery = summons(clerk, case, plaintiff(case), commit)
    client = login(alice)
    problem(send(client, "get", f"/deliveries/{delivery.pk}/proof"), 404, "not_served")
    ok(send(client, "get", f"/deliveries/{delivery.pk}/document"))
    before = ok(send(client, "get", f"/deliveries/{delivery.pk}/proof"))
    assert before["fields"]["rule"] == "unconfirmed.read"
    assert before["deposit_no"] and before["superseded"] == []

    time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=SHANGHAI), tick=False)
    staff = login(clerk)
    url = f"/deliveries/{delivery.pk}/correct"
    problem(send(staff, "post", url, {"served_on": "2026-03-02", "reason": "x"}), 400, "unchanged")
    early = {"served_on": "2026-03-01", "reason": "x"}
    problem(send(staff, "post", url, early), 400, "date_before_issue")
    problem(
        send(staff, "post", url, {"served_on": "2026-03-11", "reason": "x"}), 400, "date_future"
    )
    fixed = ok(send(staff, "post", url, {"served_on": "2026-03-03", "reason": "Late report"}))
    assert fixed["served_at"].startswith("2026-03-03")
    after = ok(send(login(alice), "get", f"/deliveries/{delivery.pk}/proof"))
    assert after["superseded"] == [before["sha256"]]
    assert after["sha256"] != before["sha256"]
    assert after["fields"]["served_at"].startswith("2026-03-03")
