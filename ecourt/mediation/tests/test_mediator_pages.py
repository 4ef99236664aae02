"""The mediator's pages: the list of matters, accepting and declining, ending without agreement.

Personas: Alice's dispute is assigned to the mediator; a second registered mediator and Alice
herself may not act as its mediator.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import ApplicationStatus
from ecourt.conftest import _staff
from ecourt.mediation import services
from ecourt.mediation.models import Mediation, MediationStatus
from ecourt.mediation.tests.factories import (
    defendant_joins,
    diverted_application,
    mediation_of,
    registered_mediator,
)

pytestmark = pytest.mark.django_db

_ID = re.compile(r'\sid="([^"]+)"')


@pytest.fixture
def assigned(alice, mediator, admin, commit) -> Mediation:
    registered_mediator(mediator, admin)
    with commit():
        application = diverted_application(alice)
    return mediation_of(application)


@pytest.fixture
def other_mediator(admin) -> User:
    user = _staff(Role.MEDIATOR, "Mediator Qian")
    registered_mediator(user, admin)
    return user


def test_it_lists_the_mediators_matters(login, assigned, mediator):
    response = login(mediator).get(reverse("mediation:my_matters"))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(assigned.number) in html
    assert reverse("mediation:room", args=[assigned.pk]) in html
    assert "Assigned, waiting for the mediator to accept" in html
    assert "days left" in html
    assert "Settled" in html  # the outcome counts


def test_it_keeps_the_list_for_mediators(login, assigned, alice, other_mediator):
    url = reverse("mediation:my_matters")
    assert Client().get(url).status_code == 302
    assert login(alice).get(url).status_code == 403
    html = login(other_mediator).get(url).content.decode()
    assert escape(assigned.number) not in html


def test_the_mediator_accepts_from_the_room(login, assigned, mediator):
    client = login(mediator)
    html = client.get(reverse("mediation:room", args=[assigned.pk])).content.decode()
    assert "Accept the matter" in html and "Decline the matter" in html
    duplicates = [name for name, n in Counter(_ID.findall(html)).items() if n > 1]
    assert duplicates == []
    response = client.post(reverse("mediation:accept", args=[assigned.pk]))
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == MediationStatus.IN_PROGRESS


@pytest.mark.parametrize("persona", ["alice", "other_mediator", "oscar"])
def test_only_the_assigned_mediator_accepts_or_declines(request, login, assigned, persona):
    client = login(request.getfixturevalue(persona))
    assert client.post(reverse("mediation:accept", args=[assigned.pk])).status_code == 404
    response = client.post(reverse("mediation:decline", args=[assigned.pk]), {"reason": "No."})
    assert response.status_code == 404
    assigned.refresh_from_db()
    assert assigned.status == MediationStatus.ASSIGNED


def test_declining_needs_a_reason_and_hands_the_matter_on(
    login, assigned, mediator, other_mediator
):
    client = login(mediator)
    url = reverse("mediation:decline", args=[assigned.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(url, {"reason": "I advised Beta Tech last year."})
    assert response.status_code == 302 and response.url == reverse("mediation:my_matters")
    assigned.refresh_from_db()
    assert assigned.mediator is not None and assigned.mediator.user == other_mediator
    assert client.get(reverse("mediation:room", args=[assigned.pk])).status_code == 404


def test_the_mediator_works_the_room(login, assigned, mediator, bob, commit):
    services.mediation_accept(actor=mediator, mediation_id=assigned.pk)
    with commit():
        defendant_joins(assigned, bob)
    client = login(mediator)
    room = reverse("mediation:room", args=[assigned.pk])
    html = client.get(room).content.decode()
    assert "Schedule a session" in html and "Make a proposal" in html
    assert "Draft the agreement" in html and "End without agreement" in html
    duplicates = [name for name, n in Counter(_ID.findall(html)).items() if n > 1]
    assert duplicates == []
    defendant = assigned.application.parties.get(side="defendant")
    client.post(
        reverse("mediation:room_message_post", args=[assigned.pk]),
        {"body": "A word with Beta only.", "thread": defendant.pk},
    )
    assert assigned.messages.get().thread_party == defendant
    response = client.post(reverse("mediation:room_agreement_draft", args=[assigned.pk]), {})
    assert response.status_code == 400
    assert "Write the terms (at least 10 characters)." in response.content.decode()
    client.post(
        reverse("mediation:room_agreement_draft", args=[assigned.pk]),
        {"terms": "Beta Tech pays 20,000 yuan by 31 December."},
    )
    agreement = assigned.agreements.get()
    assert agreement.text_sha256 in client.get(room).content.decode()


def test_the_mediator_ends_without_agreement(login, assigned, mediator):
    services.mediation_accept(actor=mediator, mediation_id=assigned.pk)
    client = login(mediator)
    url = reverse("mediation:room_end", args=[assigned.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Give the reason." in response.content.decode()
    client.post(url, {"reason": "The parties are too far apart."})
    assigned.refresh_from_db()
    assert assigned.status == MediationStatus.FAILED
    assert assigned.application.status == ApplicationStatus.UNDER_REVIEW


def test_the_list_of_matters_costs_the_same_for_more_matters(
    login, assigned, mediator, alice, commit, django_assert_max_num_queries
):
    client = login(mediator)
    url = reverse("mediation:my_matters")
    client.get(url)  # warm the session and the court profile
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    with commit():
        diverted_application(alice)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count(reverse("mediation:accept", args=[assigned.pk])) == 1
    assert Mediation.objects.filter(mediator__user=mediator).count() == 2
