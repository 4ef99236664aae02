"""Asynchronous trial pages: parties record consent, the judge opens the trial once all have
consented, parties answer on the trial page (a late answer is said to be late), the other
side's answers appear once the window ends, the judge adds and closes rounds and closes the
trial, and outsiders get 404 everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from ecourt.accounts.models import User
from ecourt.cases.models import Case, CaseStatus
from ecourt.delivery.tests.factories import beta_case, defendant, link_beta, plaintiff
from ecourt.hearings.models import AsyncAnswer, AsyncConsent, AsyncTrial, AsyncTrialStatus
from ecourt.hearings.services.async_trial import async_consent_record, async_trial_open

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def case(alice: User, bob: User, clerk: User, judge: User, commit, time_machine) -> Case:
    time_machine.move_to(START, tick=False)
    with commit():
        case = beta_case(alice, bob, clerk, judge)
    link_beta(bob, case)
    # Straight to evidence exchange: these tests are about the asynchronous trial pages.
    case.status = CaseStatus.EVIDENCE_EXCHANGE
    case.save(update_fields=["status"])
    return case


@pytest.fixture
def trial(alice: User, bob: User, judge: User, case: Case) -> AsyncTrial:
    async_consent_record(actor=alice, case_id=case.pk, party_id=plaintiff(case).pk, consent=True)
    async_consent_record(actor=bob, case_id=case.pk, party_id=defendant(case).pk, consent=True)
    return async_trial_open(
        actor=judge, case_id=case.pk, questions="Did Beta publish them?", window_hours=48
    )


def test_outsiders_get_404_on_every_page(login, oscar, carol, case, trial):
    first = trial.rounds.get()
    party = plaintiff(case)
    gets = [
        reverse("hearings:async_case", args=[case.pk]),
        reverse("hearings:async_trial", args=[trial.pk]),
    ]
    posts = [
        (reverse("hearings:async_case", args=[case.pk]), {"party": party.pk, "consent": "no"}),
        (
            reverse("hearings:async_open", args=[case.pk]),
            {"questions": "Q", "window_hours": 24},
        ),
        (reverse("hearings:async_round_add", args=[trial.pk]), {"questions": "Q"}),
        (reverse("hearings:async_round_close", args=[first.pk]), {}),
        (reverse("hearings:async_trial_close", args=[trial.pk]), {}),
        (reverse("hearings:async_answer", args=[first.pk, party.pk]), {"text": "Mine"}),
    ]
    for outsider in (oscar, carol):
        client = login(outsider)
        for url in gets:
            assert client.get(url).status_code == 404, url
        for url, data in posts:
            assert client.post(url, data).status_code == 404, url
    trial.refresh_from_db()
    assert trial.status == AsyncTrialStatus.OPEN
    assert not AsyncAnswer.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, case):
    response = client.get(reverse("hearings:async_case", args=[case.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_parties_consent_and_the_judge_opens_the_trial(login, alice, bob, judge, case):
    url = reverse("hearings:async_case", args=[case.pk])
    judge_client = login(judge)
    page = judge_client.get(url).content.decode()
    assert "Not answered yet" in page
    assert 'name="questions"' not in page  # not everyone has consented

    alice_client = login(alice)
    page = alice_client.get(url).content.decode()
    assert 'name="consent"' in page
    response = alice_client.post(url, {"party": plaintiff(case).pk, "consent": "yes"})
    assert response.status_code == 302
    response = login(bob).post(url, {"party": defendant(case).pk, "consent": "yes"})
    assert response.status_code == 302
    assert AsyncConsent.objects.filter(case=case, consent=True).count() == 2

    page = judge_client.get(url).content.decode()
    assert 'name="questions"' in page
    response = judge_client.post(
        reverse("hearings:async_open", args=[case.pk]),
        {"questions": "Who took the photographs?", "window_hours": 72},
    )
    trial = AsyncTrial.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == reverse("hearings:async_trial", args=[trial.pk])
    page = judge_client.get(response["Location"]).content.decode()
    assert "Who took the photographs?" in page
    assert "2026-03-05 10:00" in page  # due in 72 hours, court time


def test_the_open_form_shows_the_window_bounds(login, alice, bob, judge, case):
    async_consent_record(actor=alice, case_id=case.pk, party_id=plaintiff(case).pk, consent=True)
    async_consent_record(actor=bob, case_id=case.pk, party_id=defendant(case).pk, consent=True)
    response = login(judge).post(
        reverse("hearings:async_open", args=[case.pk]),
        {"questions": "Q", "window_hours": 400},
    )
    assert response.status_code == 400
    assert not AsyncTrial.objects.exists()


def test_a_party_cannot_open_the_trial(login, alice, case, trial):
    response = login(alice).post(
        reverse("hearings:async_open", args=[case.pk]), {"questions": "Q", "window_hours": 24}
    )
    assert response.status_code == 400
    assert AsyncTrial.objects.count() == 1


def test_answers_late_answers_and_what_each_side_sees(login, alice, bob, case, trial, time_machine):
    first = trial.rounds.get()
    trial_url = reverse("hearings:async_trial", args=[trial.pk])
    alice_client, bob_client = login(alice), login(bob)

    page = alice_client.get(trial_url).content.decode()
    assert reverse("hearings:async_answer", args=[first.pk, plaintiff(case).pk]) in page
    assert reverse("hearings:async_answer", args=[first.pk, defendant(case).pk]) not in page

    response = alice_client.post(
        reverse("hearings:async_answer", args=[first.pk, plaintiff(case).pk]),
        {"text": "I took them in 2024."},
        follow=True,
    )
    assert "Your answer is recorded." in response.content.decode()
    page = bob_client.get(trial_url).content.decode()
    assert "I took them in 2024." not in page  # the window is still open
    assert "shown once the window ends" in page

    # A second answer for the same party is refused.
    response = alice_client.post(
        reverse("hearings:async_answer", args=[first.pk, plaintiff(case).pk]),
        {"text": "Again"},
        follow=True,
    )
    assert "has already answered this round" in response.content.decode()
    assert AsyncAnswer.objects.get(party=plaintiff(case)).text == "I took them in 2024."

    time_machine.move_to(START + timedelta(hours=49), tick=False)
    bob_client = login(bob)  # the session from two days ago has expired
    page = bob_client.get(trial_url).content.decode()
    assert "I took them in 2024." in page
    assert "answers given now are marked late" in page
    response = bob_client.post(
        reverse("hearings:async_answer", args=[first.pk, defendant(case).pk]),
        {"text": "We bought a licence."},
        follow=True,
    )
    page = response.content.decode()
    assert "marked late" in page
    assert AsyncAnswer.objects.get(party=defendant(case)).late is True


def test_a_party_cannot_answer_for_the_other_side(login, bob, case, trial):
    first = trial.rounds.get()
    response = login(bob).post(
        reverse("hearings:async_answer", args=[first.pk, plaintiff(case).pk]),
        {"text": "Alice agrees."},
    )
    assert response.status_code == 404
    assert not AsyncAnswer.objects.exists()


def test_the_judge_adds_and_closes_rounds_and_closes_the_trial(login, alice, judge, case, trial):
    client = login(judge)
    first = trial.rounds.get()
    response = client.post(
        reverse("hearings:async_round_add", args=[trial.pk]),
        {"questions": "Show the licence.", "window_hours": 24},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.closed_at is not None
    second = trial.rounds.get(number=2)
    response = client.post(reverse("hearings:async_round_close", args=[second.pk]))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.closed_at is not None

    response = client.post(reverse("hearings:async_trial_close", args=[trial.pk]), follow=True)
    page = response.content.decode()
    trial.refresh_from_db()
    assert trial.status == AsyncTrialStatus.CLOSED
    assert trial.record.sha256 in page
    assert "Show the licence." in page
    assert reverse("hearings:record", args=[trial.record.pk]) in page  # to sign it
    # The parties read the record too, and the forms are gone.
    page = login(alice).get(reverse("hearings:async_trial", args=[trial.pk])).content.decode()
    assert trial.record.sha256 in page
    assert 'name="text"' not in page


def test_a_party_cannot_close_the_trial(login, alice, trial):
    response = login(alice).post(reverse("hearings:async_trial_close", args=[trial.pk]))
    assert response.status_code == 302
    trial.refresh_from_db()
    assert trial.status == AsyncTrialStatus.OPEN
