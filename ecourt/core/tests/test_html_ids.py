"""Every id on a page is unique: labels, error messages and skip links point at ids, and a
duplicate sends a screen reader (or a click on a label) to the wrong field."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

_ID = re.compile(r'\sid="([^"]+)"')


def _duplicates(html: str) -> list[str]:
    return [name for name, n in Counter(_ID.findall(html)).items() if n > 1]


@pytest.mark.parametrize(
    "name",
    [
        "accounts:dashboard",
        "accounts:profile",
        "accounts:identity",
        "accounts:terms",
        "accounts:company",
        "accounts:lawyer",
    ],
)
def test_it_gives_each_field_on_a_personal_page_its_own_id(login, alice, name):
    html = login(alice).get(reverse(name)).content.decode()
    assert _duplicates(html) == []


@pytest.mark.parametrize(
    "name", ["core:home", "accounts:login", "accounts:register", "accounts:password_reset"]
)
def test_it_gives_each_field_on_a_public_page_its_own_id(visitor, name):
    assert _duplicates(visitor.get(reverse(name)).content.decode()) == []


@pytest.mark.parametrize(
    "name",
    ["accounts:review_queue", "accounts:user_list", "accounts:lockouts", "core:audit_search"],
)
def test_it_gives_each_field_on_a_staff_page_its_own_id(login, admin, name):
    assert _duplicates(login(admin).get(reverse(name)).content.decode()) == []
