# ruff: noqa: F811  (pytest fixtures imported from test_decisions are parameters here)
"""Decisions over the API: drafts, preview with slot problems, issue, the PDF, appeal
windows and appeals; outsiders get 404."""

from __future__ import annotations

import hashlib
from datetime import date

from ecourt.cases.models import CaseStatus
from ecourt.delivery.tests.factories import confirm, plaintiff
from ecourt.documents.tests.test_decisions import (  # noqa: F401  (fixtures)
    REASONING,
    at,
    heard,
    judge_li,
    seal,
)

API = "/api/v1"


def test_the_judge_drafts_and_issues_and_parties_read_the_pdf(
    heard, judge, alice, oscar, judge_li, login, commit, time_machine
):
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))
    client = login(judge)
    response = client.post(
        f"{API}/cases/{heard.pk}/drafts", {"kind": "judgment"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    preview = client.get(f"{API}/drafts/{draft['id']}/preview").json()
    assert not preview["ready"]
    assert {p["slot"] for p in preview["problems"]} == {"reasoning", "decision", "fees"}
    response = client.put(
        f"{API}/drafts/{draft['id']}",
        {
            "reasoning": REASONING,
            "decision": "被告赔偿原告经济损失20,000元。",
            "fee_defendants": str(heard.fee_amount),
            "version": 1,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    stale = client.put(
        f"{API}/drafts/{draft['id']}",
        {"reasoning": "x", "decision": "y", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert client.get(f"{API}/drafts/{draft['id']}/preview").json()["ready"]
    with commit():
        response = client.post(
            f"{API}/drafts/{draft['id']}/issue", {"version": 2}, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    document = response.json()

    pdf = login(alice).get(f"{API}/documents/{document['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == document["sha256"]
    for outsider in (oscar, judge_li):
        other = login(outsider)
        assert other.get(f"{API}/documents/{document['id']}/pdf").status_code == 404
        assert other.get(f"{API}/drafts/{draft['id']}").status_code == 404
        assert other.get(f"{API}/cases/{heard.pk}/appeal-windows").status_code == 404

    alices = login(alice)
    assert alices.get(f"{API}/drafts/{draft['id']}").status_code == 404
    [window] = alices.get(f"{API}/cases/{heard.pk}/appeal-windows").json()
    assert (window["served_on"], window["due_date"], window["open"]) == (
        "2026-07-13",
        "2026-07-28",
        True,
    )
    response = alices.post(
        f"{API}/cases/{heard.pk}/appeals",
        {
            "party_id": plaintiff(heard).pk,
            "requests": "Raise the damages.",
            "reasons": "The court undervalued the licence fee.",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["case_status"] == CaseStatus.APPEALED
    response = login(oscar).post(
        f"{API}/cases/{heard.pk}/appeals",
        {"party_id": plaintiff(heard).pk, "requests": "Raise.", "reasons": "Undervalued fee."},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_an_absurd_fee_is_a_400_not_a_500(heard, judge, login):
    client = login(judge)
    draft = client.post(
        f"{API}/cases/{heard.pk}/drafts", {"kind": "judgment"}, content_type="application/json"
    ).json()

    def put(raw: str):
        return client.put(
            f"{API}/drafts/{draft['id']}",
            {"reasoning": "x", "decision": "y", "fee_defendants": raw, "version": 1},
            content_type="application/json",
        )

    assert put("1e30").status_code == 422  # the schema's pattern takes digits only
    for raw in ("9" * 40, "1" + "0" * 12 + ".5"):
        response = put(raw)
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "fee_invalid"


def test_issuing_without_the_seal_is_a_problem_not_a_500(heard, judge, login, settings, tmp_path):
    from ecourt.documents.tests.test_decisions import ready_draft

    draft = ready_draft(judge, heard)
    settings.ECOURT_SEAL_KEY_FILE = str(tmp_path / "no-such-seal.key")
    response = login(judge).post(
        f"{API}/drafts/{draft.pk}/issue",
        {"version": draft.version},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "seal_unavailable"
