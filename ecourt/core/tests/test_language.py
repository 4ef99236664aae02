"""Pages come in the visitor's language: Accept-Language first, then the switcher's cookie, then
the language saved on the account. Checked through ``lang`` attributes, cookies and fields,
never through translated wording."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from ecourt.accounts.models import User
from ecourt.accounts.tests.factories import PASSWORD
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db

COOKIE = "ecourt_language"


def _lang(response) -> str:
    found = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert found, response.content[:200]
    return found.group(1)


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("zh", "zh-Hans"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
        ("fr-FR,fr;q=0.9", "zh-Hans"),  # neither offered: the court's default
        ("", "zh-Hans"),
    ],
)
def test_it_follows_accept_language_on_a_first_visit(accept, lang):
    client = Client(headers={"accept-language": accept} if accept else {})
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert _lang(response) == lang
    assert response["Content-Language"] == ("en" if lang == "en" else "zh-hans")


def test_it_remembers_the_switcher_choice_in_a_cookie(visitor):
    response = visitor.post(
        reverse("core:set_language"), {"language": "zh-hans", "next": reverse("accounts:login")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    cookie = response.cookies[COOKIE]
    assert cookie.value == "zh-hans"
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 365 * 24 * 3600
    # The cookie now wins over the browser's Accept-Language: en.
    assert _lang(visitor.get(reverse("core:home"))) == "zh-Hans"


def test_it_refuses_an_unknown_language_without_touching_the_cookie(visitor):
    visitor.post(reverse("core:set_language"), {"language": "en"})
    response = visitor.post(
        reverse("core:set_language"), {"language": "klingon", "next": reverse("core:home")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert COOKIE not in response.cookies
    assert visitor.cookies[COOKIE].value == "en"

    page = visitor.get(response["Location"])
    assert _lang(page) == "en"
    [message] = list(page.context["messages"])
    assert message.level_tag == "error"
    assert "Unknown language" in message.message
    assert 'class="message message-error" role="alert"' in page.content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/path"])
def test_it_only_returns_to_pages_of_this_site(visitor, target):
    response = visitor.post(reverse("core:set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_it_saves_a_signed_in_persons_choice_on_the_account(login, alice):
    client = login(alice)
    response = client.post(
        reverse("core:set_language"), {"language": "zh-hans", "next": reverse("accounts:profile")}
    )
    assert response.cookies[COOKIE].value == "zh-hans"
    assert User.objects.get(pk=alice.pk).preferred_language == "zh-hans"
    event = AuditEvent.objects.get(code="ecourt.accounts.user.language_changed")
    assert (event.old_values, event.new_values) == (
        {"preferred_language": "en"},
        {"preferred_language": "zh-hans"},
    )
    assert _lang(client.get(reverse("accounts:profile"))) == "zh-Hans"

    # Next time, on another device whose browser prefers English, the account's choice wins.
    fresh = Client(headers={"accept-language": "en"})
    assert _lang(fresh.get(reverse("accounts:login"))) == "en"
    response = fresh.post(
        reverse("accounts:login"), {"username": alice.mobile, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "zh-hans"
    assert _lang(fresh.get(reverse("accounts:dashboard"))) == "zh-Hans"


def test_it_applies_the_account_language_over_an_old_cookie(login, alice):
    client = login(alice)
    client.cookies[COOKIE] = "zh-hans"
    assert _lang(client.get(reverse("accounts:dashboard"))) == "en"


def test_it_records_nothing_when_the_language_is_unchanged(login, alice):
    login(alice).post(reverse("core:set_language"), {"language": "en"})
    assert not AuditEvent.objects.filter(code="ecourt.accounts.user.language_changed").exists()


# --- The switcher on every page ----------------------------------------------------------------

VISITOR_PAGES = ["core:home", "accounts:login", "accounts:register", "accounts:password_reset"]
PERSONAL_PAGES = [
    "accounts:dashboard",
    "accounts:identity",
    "accounts:terms",
    "accounts:company",
    "accounts:lawyer",
    "accounts:profile",
]
STAFF_PAGES = [
    "accounts:review_queue",
    "accounts:user_list",
    "accounts:lockouts",
    "core:audit_search",
]


def _has_switcher(response) -> None:
    html = response.content.decode()
    assert re.search(r'<form class="lang-switch" action="/i18n/setlang/" method="post">', html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<select id="lang-select" name="language">' in html
    assert '<option value="zh-hans" lang="zh-Hans"' in html
    assert '<option value="en" lang="en"' in html


def test_it_puts_the_switcher_on_every_page(visitor, login, oscar, admin):
    pages = [(visitor, name) for name in VISITOR_PAGES]
    pages += [(login(oscar), name) for name in PERSONAL_PAGES]
    pages += [(login(admin), name) for name in STAFF_PAGES]
    pages += [(login(admin), "accounts:user_detail")]
    for client, name in pages:
        args = [oscar.pk] if name == "accounts:user_detail" else []
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        _has_switcher(response)


def test_it_puts_the_switcher_on_error_pages_too(visitor, login, oscar):
    not_found = visitor.get("/no-such-page/")
    assert not_found.status_code == 404
    _has_switcher(not_found)
    assert _lang(not_found) == "en"
    forbidden = login(oscar).get(reverse("accounts:user_list"))
    assert forbidden.status_code == 403
    _has_switcher(forbidden)


def test_it_marks_the_current_language_as_selected(visitor):
    html = visitor.get(reverse("core:home")).content.decode()
    assert '<option value="en" lang="en" selected>' in html
    assert '<option value="zh-hans" lang="zh-Hans" selected>' not in html
