# ruff: noqa: F811  (pytest fixtures imported from test_decisions are parameters here)
"""Decision pages: the judge drafts, previews with the slot errors and issues; parties see
their appeal windows and appeal; outsiders and parties get a 404 on drafts."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from ecourt.cases.models import CaseStatus
from ecourt.delivery.tests.factories import confirm, plaintiff
from ecourt.documents.models import DecisionDraft, DraftStatus
from ecourt.documents.tests.test_decisions import (  # noqa: F401  (fixtures)
    REASONING,
    at,
    heard,
    issue,
    judge_li,
    ready_draft,
    seal,
)


def test_the_judge_drafts_previews_and_issues(heard, judge, login, commit, time_machine):
    client = login(judge)
    page = client.get(reverse("documents:drafts", args=[heard.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("documents:drafts", args=[heard.pk]), {"kind": "judgment", "language": "zh-hans"}
    )
    draft = DecisionDraft.objects.get(case=heard)
    assert response["Location"] == reverse("documents:draft", args=[draft.pk])
    page = client.get(reverse("documents:draft", args=[draft.pk]))
    assert page.status_code == 200
    assert "{reasoning}" in page.content.decode() and "{fees}" in page.content.decode()
    client.post(
        reverse("documents:draft", args=[draft.pk]),
        {
            "reasoning": REASONING,
            "decision": "被告赔偿原告经济损失20,000元。",
            "fee_defendants": str(heard.fee_amount),
            "version": 1,
        },
    )
    page = client.get(reverse("documents:draft", args=[draft.pk]))
    assert "本院认为，" in page.content.decode()
    with commit():
        response = client.post(reverse("documents:draft_issue", args=[draft.pk]), {"version": 2})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == DraftStatus.ISSUED
    heard.refresh_from_db()
    assert heard.status == CaseStatus.DECIDED


def test_drafts_are_404_for_parties_outsiders_and_other_judges(
    heard, judge, judge_li, alice, oscar, login
):
    draft = ready_draft(judge, heard)
    for user in (alice, oscar, judge_li):
        client = login(user)
        assert client.get(reverse("documents:drafts", args=[heard.pk])).status_code == 404
        assert client.get(reverse("documents:draft", args=[draft.pk])).status_code == 404
        assert (
            client.post(reverse("documents:draft_issue", args=[draft.pk]), {"version": 2})
        ).status_code == 404


def test_a_party_sees_its_window_and_appeals(
    heard, alice, judge, oscar, login, commit, time_machine
):
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))
    issue(judge, ready_draft(judge, heard), commit)
    url = reverse("documents:appeal", args=[heard.pk])
    assert login(oscar).get(url).status_code == 404
    client = login(alice)
    page = client.get(url)
    assert page.status_code == 200 and "2026-07-28" in page.content.decode()
    response = client.post(
        url,
        {
            "party": plaintiff(heard).pk,
            "requests": "Raise the damages to 50,000 yuan.",
            "reasons": "The court undervalued the licence fee for the photographs.",
        },
    )
    assert response.status_code == 302
    heard.refresh_from_db()
    assert heard.status == CaseStatus.APPEALED
