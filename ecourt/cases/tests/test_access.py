"""Who may open which filing page: every URL of ecourt.cases, for outsiders and for staff who
are not on the case. Pages with case or application data answer 404 to anyone outside it,
whether the thing exists or not; staff-only pages answer 403 to people without the role.

`test_it_covers_every_url` fails when a page is added without a row here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, reverse

from ecourt.cases import urls as cases_urls
from ecourt.cases.tests.factories import defendant_party, docketed_case, draft_application

pytestmark = pytest.mark.django_db

A, C, P = "application", "case", "party"  # which object's id goes into the URL

# name → (url arguments, methods to try). Every one of these shows or changes the data of one
# application or case, so an outsider must get 404 from each method.
CASE_DATA: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cases:application_detail": ((A,), ("get",)),
    "cases:application_pay": ((A,), ("post",)),
    "cases:application_pay_sandbox": ((A,), ("post",)),
    "cases:application_fee_relief": ((A,), ("post",)),
    "cases:application_withdraw": ((A,), ("post",)),
    "cases:wizard_step": ((A, "review"), ("get", "post")),
    "cases:application_submit": ((A,), ("post",)),
    "cases:case_detail": ((C,), ("get",)),
    "cases:case_complaint": ((C,), ("get",)),
    "cases:case_respond": ((C,), ("post",)),
    "cases:case_online_consent": ((C,), ("post",)),
    "cases:case_action": ((C,), ("post",)),
    "cases:case_service_record": ((C,), ("post",)),
    "cases:case_code_reissue": ((C, P), ("post",)),
}

# Staff-only pages: 403 for anyone signed in without the role (they show no single case to
# an outsider, so 403 leaks nothing).
STAFF_ONLY: dict[str, tuple[tuple[str, ...], str]] = {
    "cases:filing_queue": ((), "get"),
    "cases:filing_application": ((A,), "get"),
    "cases:filing_review_start": ((A,), "post"),
    "cases:filing_accept": ((A,), "post"),
    "cases:filing_request_corrections": ((A,), "post"),
    "cases:filing_refuse": ((A,), "post"),
    "cases:filing_payment_confirm": ((A, "1"), "post"),
    "cases:filing_fee_relief_decide": ((A, "1"), "post"),
    "cases:catalogue": ((), "get"),
    "cases:catalogue_publish": ((), "get"),
    "cases:calendar_days": ((), "get"),
}

# Lists and forms that show only the signed-in person's own things.
OWN_ONLY = {
    "cases:application_list",
    "cases:application_start",
    "cases:case_list",
    "cases:case_link",
}


def _names() -> set[str]:
    return {f"cases:{p.name}" for p in cases_urls.urlpatterns if isinstance(p, URLPattern)}


def test_it_covers_every_url():
    assert _names() == set(CASE_DATA) | set(STAFF_ONLY) | OWN_ONLY


@pytest.fixture
def world(alice, clerk, judge) -> dict[str, Any]:
    case = docketed_case(alice, clerk, judge=judge)
    return {
        A: case.application.pk,
        C: case.pk,
        P: defendant_party(case).pk,
        "draft": draft_application(alice, complete=False).pk,
    }


def _url(name: str, args: tuple[str, ...], world: dict[str, Any]) -> str:
    return reverse(name, args=[world.get(a, a) for a in args])


@pytest.mark.parametrize("name", sorted(CASE_DATA))
@pytest.mark.parametrize("persona", ["oscar", "admin", "mediator"])
def test_it_answers_404_to_people_outside_the_case(request, login, world, name, persona):
    client = login(request.getfixturevalue(persona))
    args, methods = CASE_DATA[name]
    for method in methods:
        response = getattr(client, method)(_url(name, args, world))
        assert response.status_code == 404, (name, method, response.status_code)


@pytest.mark.parametrize("name", sorted(CASE_DATA))
def test_it_answers_404_for_ids_that_do_not_exist(login, alice, world, name):
    args, methods = CASE_DATA[name]
    missing = {A: 999_999, C: 999_999, P: 999_999}
    for method in methods:
        response = getattr(login(alice), method)(_url(name, args, missing))
        assert response.status_code == 404, (name, method, response.status_code)


@pytest.mark.parametrize("name", sorted(CASE_DATA))
def test_it_sends_anonymous_visitors_to_sign_in(client, world, name):
    args, methods = CASE_DATA[name]
    response = getattr(client, methods[0])(_url(name, args, world))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", sorted(STAFF_ONLY))
def test_it_answers_403_on_staff_pages_to_people_without_the_role(login, oscar, world, name):
    args, method = STAFF_ONLY[name]
    response = getattr(login(oscar), method)(_url(name, args, world))
    assert response.status_code == 403, (name, response.status_code)


def test_it_never_shows_a_draft_to_the_clerk(login, clerk, world):
    client = login(clerk)
    assert client.get(reverse("cases:filing_application", args=[world["draft"]])).status_code == 404
    assert client.get(reverse("cases:application_detail", args=[world["draft"]])).status_code == 404


def test_it_finds_no_case_by_number_for_an_outsider(login, oscar, world):
    from ecourt.cases.models import Case

    number = Case.objects.get(pk=world[C]).number
    response = login(oscar).get(reverse("cases:case_list"), {"q": number})
    assert response.status_code == 200
    assert "Alice Zhang v." not in response.content.decode()  # the search box echoes the number


@pytest.mark.parametrize("name", sorted(OWN_ONLY))
def test_it_shows_an_outsider_only_their_own_lists(login, oscar, world, name):
    response = login(oscar).get(reverse(name))
    assert response.status_code == 200
    assert "Beta Tech" not in response.content.decode()
