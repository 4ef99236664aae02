"""The case pages: the list, the case page, the defendant's side and the judge's moves.

Personas: Alice sues Beta Tech; Bob is Beta Tech's approved representative; the clerk dockets;
the judge hears the case; Oscar, the court administrator and a second judge are outsiders to
it and get a 404.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from ecourt.accounts.roles import Role
from ecourt.accounts.rules import mask_identifier
from ecourt.cases.models import Case, CaseDeadline, CaseResponse, CaseStatus
from ecourt.cases.tests.factories import (
    BETA_USCC,
    DEFENDANT_MOBILE,
    company_for,
    defendant_party,
    docketed_case,
)
from ecourt.conftest import _staff
from ecourt.core import sms

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
_ID = re.compile(r'\sid="([^"]+)"')


def _duplicate_ids(html: str) -> list[str]:
    return [name for name, n in Counter(_ID.findall(html)).items() if n > 1]


def _association_code() -> str:
    """The newest association code texted to Beta Tech (8 characters, not 6 digits)."""
    bodies = [m.body for m in sms.outbox if m.to == DEFENDANT_MOBILE]
    assert bodies, "no invitation was sent to the defendant"
    found = re.search(r"association code ([A-Z2-9]{8})", bodies[-1])
    assert found, bodies[-1]
    return found.group(1)


@pytest.fixture
def case(alice, clerk, judge, commit) -> Case:
    with commit():
        return docketed_case(alice, clerk, judge=judge)


@pytest.fixture
def linked(case, bob) -> Case:
    """Bob has linked to the case for Beta Tech (not yet opened the complaint)."""
    from ecourt.cases import services

    company_for(bob)
    services.case_link(actor=bob, case_number=case.number, code=_association_code())
    return case


def _case_urls(case: Case) -> dict[str, str]:
    party = defendant_party(case)
    return {
        "case_detail": reverse("cases:case_detail", args=[case.pk]),
        "case_complaint": reverse("cases:case_complaint", args=[case.pk]),
        "case_respond": reverse("cases:case_respond", args=[case.pk]),
        "case_online_consent": reverse("cases:case_online_consent", args=[case.pk]),
        "case_action": reverse("cases:case_action", args=[case.pk]),
        "case_service_record": reverse("cases:case_service_record", args=[case.pk]),
        "case_code_reissue": reverse("cases:case_code_reissue", args=[case.pk, party.pk]),
    }


GET_PAGES = {"case_detail", "case_complaint"}


# --- Who may open what -------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_sign_in(case):
    client = Client()
    urls = _case_urls(case)
    urls["case_list"] = reverse("cases:case_list")
    urls["case_link"] = reverse("cases:case_link")
    for name, url in urls.items():
        response = client.get(url) if name in GET_PAGES | {"case_list", "case_link"} else None
        if response is not None:
            assert response.status_code == 302, name
            assert response.url.startswith(reverse("accounts:login")), name
        response = client.post(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("accounts:login")), name


@pytest.mark.parametrize("persona", ["oscar", "admin", "other_judge", "mediator"])
def test_it_answers_404_to_everyone_outside_the_case(request, login, case, persona):
    user = (
        _staff(Role.JUDGE, "Judge Liu")
        if persona == "other_judge"
        else request.getfixturevalue(persona)
    )
    client = login(user)
    for name, url in _case_urls(case).items():
        if name in GET_PAGES:
            assert client.get(url).status_code == 404, name
        assert client.post(url, {"action": "close", "mode": "withdrawal"}).status_code in (
            404,
            405,
        ), name
    assert client.get(reverse("cases:case_detail", args=[99999])).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.DOCKETED
    html = client.get(reverse("cases:case_list")).content.decode()
    assert case.number not in html


@pytest.mark.parametrize("persona", ["alice", "clerk", "judge"])
def test_it_shows_the_case_to_its_parties_judge_and_clerks(request, login, case, persona):
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert case.number in client.get(reverse("cases:case_list")).content.decode()
    assert client.get(reverse("cases:case_complaint", args=[case.pk])).status_code == 200
    assert defendant_party(case).complaint_served_on is None  # only the defendant serves


@pytest.mark.parametrize("persona", ["alice", "clerk"])
def test_it_keeps_the_judges_moves_for_the_judge(request, login, case, persona):
    client = login(request.getfixturevalue(persona))
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert reverse("cases:case_action", args=[case.pk]) not in html
    response = client.post(
        reverse("cases:case_action", args=[case.pk]), {"action": "close", "mode": "withdrawal"}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.DOCKETED


def test_it_keeps_the_defendants_forms_for_defendants(login, case):
    client = login(case.application.created_by)
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert reverse("cases:case_respond", args=[case.pk]) not in html
    response = client.post(
        reverse("cases:case_respond", args=[case.pk]),
        {"kind": "answer", "text": "The plaintiff answers herself."},
    )
    assert response.status_code == 403
    assert not CaseResponse.objects.exists()


# --- The case page -----------------------------------------------------------------------------


def test_it_shows_the_case_with_masked_numbers_and_its_docket(login, alice, case):
    html = login(alice).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert escape(case.number) in html
    assert "Infringement of copyright" in html
    assert "Docketed" in html
    assert "Ordinary procedure" in html
    assert "Judge Wang" in html
    assert BETA_USCC not in html
    assert mask_identifier(BETA_USCC) in html
    assert "Order the defendant to stop publishing the photographs." in html
    assert "CPL Art. 128" in html  # the complaint service period, with its basis
    assert "days left" in html
    assert "Complaint filed online by Alice Zhang" in html
    assert "<details><summary>Read the document</summary>" in html
    assert "twelve of my photographs" in html
    assert _duplicate_ids(html) == []


def test_it_shows_the_docket_in_the_readers_language(login, alice, case):
    alice.preferred_language = "zh-hans"
    alice.save(update_fields=["preferred_language"])
    html = login(alice).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    for entry in case.docket.all():
        assert escape(entry.text_zh) in html


# --- The defendant's side ----------------------------------------------------------------------


def test_it_links_the_defendant_who_reads_and_answers(login, alice, bob, clerk, judge, commit):
    with time_machine.travel(datetime(2026, 9, 16, 10, tzinfo=SHANGHAI), tick=False):
        with commit():
            case = docketed_case(alice, clerk, judge=judge)
        company_for(bob)
        client = login(bob)
        assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404

        page = client.get(reverse("cases:case_link"))
        assert page.status_code == 200
        response = client.post(
            reverse("cases:case_link"),
            {
                "case_number": case.number.replace("(", "（").replace(")", "）"),
                "code": _association_code().lower(),
            },
        )
        assert response.status_code == 302
        assert response.url == reverse("cases:case_detail", args=[case.pk])
        party = defendant_party(case)
        assert party.user == bob

        html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
        assert "Read the complaint first." in html
        assert _duplicate_ids(html) == []

        html = client.get(reverse("cases:case_complaint", args=[case.pk])).content.decode()
        assert "counts as service on Beta Tech Co., Ltd. today" in html
        assert "The answer is due by 2026-10-08" in html
        assert "twelve of my photographs" in html
        assert "Screenshots of the defendant&#x27;s website" in html
        party.refresh_from_db()
        assert party.complaint_served_on == date(2026, 9, 16)
        answer = CaseDeadline.objects.get(case=case, party=party, code="answer")
        # 15 days end on 1 October, National Day: the period runs to the first working day.
        assert answer.due_date == date(2026, 10, 8)
        case.refresh_from_db()
        assert case.status == CaseStatus.ANSWER_PERIOD
        # Opening it again serves nothing twice.
        client.get(reverse("cases:case_complaint", args=[case.pk]))
        assert case.docket.filter(code="case.complaint_served").count() == 1

        response = client.post(
            reverse("cases:case_respond", args=[case.pk]),
            {"kind": "answer", "text": "We licensed the photographs from a stock agency."},
        )
        assert response.status_code == 302
        response = client.post(
            reverse("cases:case_online_consent", args=[case.pk]), {"consent": "yes"}
        )
        assert response.status_code == 302
        party.refresh_from_db()
        assert party.online_litigation is True

        html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert list(case.docket.order_by("number").values_list("number", "code")) == [
        (1, "filing.complaint"),
        (2, "filing.docketed"),
        (3, "case.defendant_linked"),
        (4, "case.complaint_served"),
        (5, "case.answer"),
        (6, "case.online_litigation"),
    ]
    positions = [html.index(f'id="entry-{n}"') for n in range(1, 7)]
    assert positions == sorted(positions)
    assert "We licensed the photographs from a stock agency." in html
    assert "Answer (答辩状) filed by Beta Tech Co., Ltd." in html
    assert "Ltd.." not in html
    assert "Already filed:" in html
    assert 'name="text"' in html  # the objection may still follow within the answer period
    assert _duplicate_ids(html) == []


def test_it_refuses_a_second_answer_next_to_the_field(login, bob, linked):
    client = login(bob)
    client.get(reverse("cases:case_complaint", args=[linked.pk]))
    url = reverse("cases:case_respond", args=[linked.pk])
    client.post(url, {"kind": "answer", "text": "We licensed the photographs."})
    response = client.post(url, {"kind": "answer", "text": "And another thing entirely."})
    assert response.status_code == 400
    assert response.context["response_form"].errors["kind"] == [
        "You already filed this; a later statement goes to the judge at the hearing."
    ]


def test_it_answers_a_wrong_code_generically(login, bob, case):
    company_for(bob)
    client = login(bob)
    generic = "The case number or the association code is not right, or the code has expired."
    for number, code in [(case.number, "ABCDEFGH"), ("(2026)京0491民初999号", _association_code())]:
        response = client.post(reverse("cases:case_link"), {"case_number": number, "code": code})
        assert response.status_code == 400
        assert response.context["form"].errors["code"] == [generic]
    assert defendant_party(case).user is None


def test_it_tells_an_unverified_person_to_verify_first(login, oscar, case):
    html = login(oscar).get(reverse("cases:case_link")).content.decode()
    assert "Verify your identity first" in html
    assert reverse("accounts:identity") in html
    assert 'name="code"' not in html


def test_it_does_not_serve_the_complaint_on_other_readers(login, alice, clerk, judge, linked):
    for user in (alice, clerk, judge):
        login(user).get(reverse("cases:case_complaint", args=[linked.pk]))
    assert defendant_party(linked).complaint_served_on is None


def test_it_lets_a_clerk_reissue_a_code(login, bob, clerk, judge, case, commit):
    old = _association_code()
    url = reverse("cases:case_code_reissue", args=[case.pk, defendant_party(case).pk])
    assert login(judge).post(url).status_code == 403
    html = login(clerk).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert url in html
    assert reverse("cases:case_service_record", args=[case.pk]) in html
    assert _duplicate_ids(html) == []
    with commit():
        response = login(clerk).post(url)
    assert response.status_code == 302
    new = _association_code()
    assert new != old
    company_for(bob)
    client = login(bob)
    response = client.post(reverse("cases:case_link"), {"case_number": case.number, "code": old})
    assert response.status_code == 400
    response = client.post(reverse("cases:case_link"), {"case_number": case.number, "code": new})
    assert response.status_code == 302
    response = login(clerk).post(url, follow=True)
    assert "This defendant is already linked to the case." in response.content.decode()


# --- The judge moves the case ------------------------------------------------------------------


def test_it_moves_the_case_through_every_status_to_closed(login, alice, clerk, judge, commit):
    with time_machine.travel(datetime(2026, 9, 16, 10, tzinfo=SHANGHAI), tick=False) as trip:
        with commit():
            case = docketed_case(alice, clerk, judge=judge)
        party = defendant_party(case)

        judges = {"client": login(judge)}  # signed in again after each jump in time

        def act(**data: str) -> object:
            return judges["client"].post(reverse("cases:case_action", args=[case.pk]), data)

        def status() -> str:
            case.refresh_from_db()
            return case.status

        html = judges["client"].get(reverse("cases:case_detail", args=[case.pk])).content.decode()
        assert "Close the case" in html
        assert "Record that the hearing was held" not in html
        assert '<option value="judgment">' not in html  # closing by judgment: only in effect
        assert '<option value="withdrawal">' in html
        assert _duplicate_ids(html) == []

        response = login(clerk).post(
            reverse("cases:case_service_record", args=[case.pk]),
            {"party": party.pk, "served_on": "2026-09-16", "method": "By post, EMS 1234"},
        )
        assert response.status_code == 302
        assert status() == CaseStatus.ANSWER_PERIOD

        response = act(action="open_evidence_exchange")
        assert response.status_code == 400
        assert "An answer period is still running (until 2026-10-08)." in response.content.decode()

        trip.move_to(datetime(2026, 10, 9, 10, tzinfo=SHANGHAI))
        judges["client"] = login(judge)
        assert act(action="open_evidence_exchange").status_code == 302
        assert status() == CaseStatus.EVIDENCE_EXCHANGE
        response = act(action="schedule_hearing", on="")
        assert response.status_code == 400
        assert response.context["action_form"].errors["on"] == ["Give the hearing date."]
        assert act(action="schedule_hearing", on="2026-10-20").status_code == 302
        assert status() == CaseStatus.HEARING_SCHEDULED
        assert act(action="record_heard").status_code == 302
        assert status() == CaseStatus.HEARD
        assert act(action="decide", kind="judgment").status_code == 302
        assert status() == CaseStatus.DECIDED
        response = act(action="make_effective")
        assert response.status_code == 400
        assert "An appeal period is still running." in response.content.decode()

        trip.move_to(datetime(2026, 10, 27, 10, tzinfo=SHANGHAI))
        judges["client"] = login(judge)
        assert act(action="make_effective").status_code == 302
        assert status() == CaseStatus.EFFECTIVE
        assert act(action="close", mode="judgment").status_code == 302
        assert status() == CaseStatus.CLOSED
        assert case.closing_mode == "judgment"
        html = judges["client"].get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Move the case" not in html
    assert list(case.docket.order_by("number").values_list("code", flat=True))[-6:] == [
        "cases.evidence_exchange",
        "cases.hearing_scheduled",
        "cases.heard",
        "cases.decided",
        "cases.effective",
        "cases.closed",
    ]
    assert "Case closed: Judgment." in html


def test_it_answers_an_illegal_move_with_the_reason(login, judge, case):
    client = login(judge)
    url = reverse("cases:case_action", args=[case.pk])
    response = client.post(url, {"action": "record_heard"})
    assert response.status_code == 400
    assert "This cannot be done while the case is “Docketed”." in response.content.decode()
    response = client.post(url, {"action": "close", "mode": "judgment"})
    assert response.status_code == 400
    assert response.context["action_form"].errors["mode"] == [
        "A case that is “Docketed” cannot be closed by Judgment."
    ]
    response = client.post(url, {"action": "launch_rocket"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == CaseStatus.DOCKETED
    assert client.post(url, {"action": "close", "mode": "withdrawal"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_it_records_service_only_for_staff_of_the_case(login, alice, clerk, case):
    url = reverse("cases:case_service_record", args=[case.pk])
    party = defendant_party(case)
    data = {"party": party.pk, "served_on": "2000-01-01", "method": "By post"}
    assert login(alice).post(url, data).status_code == 403
    response = login(clerk).post(url, data)
    assert response.status_code == 400
    assert response.context["service_form"].errors["served_on"] == [
        "The service date cannot be before docketing."
    ]
    party.refresh_from_db()
    assert party.complaint_served_on is None


# --- The list ----------------------------------------------------------------------------------


def test_it_filters_and_searches_the_list(login, alice, clerk, judge, commit):
    with commit():
        first = docketed_case(alice, clerk, judge=judge)
        second = docketed_case(alice, clerk, judge=judge, defendant_name="Gamma Ltd.")
    from ecourt.cases import services

    services.case_close(actor=judge, case_id=first.pk, mode="withdrawal")
    client = login(alice)

    def numbers(**params: str) -> set[str]:
        response = client.get(reverse("cases:case_list"), params)
        return {case.number for case in response.context["page"]}

    assert numbers() == {first.number, second.number}
    assert numbers(status="open") == {second.number}
    assert numbers(status="closed") == {first.number}
    assert numbers(q="Gamma") == {second.number}
    assert numbers(q=first.number) == {first.number}
    response = client.get(reverse("cases:case_list"), {"status": "nonsense"})
    assert response.status_code == 200


def test_it_lists_cases_with_a_bounded_number_of_queries(
    login, alice, clerk, judge, commit, django_assert_max_num_queries
):
    with commit():
        for _ in range(30):
            docketed_case(alice, clerk, judge=judge)
    for user in (clerk, judge, alice):
        client = login(user)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("cases:case_list"))
        assert response.status_code == 200
        assert len(response.context["page"]) == 30
