"""The hearing room and record pages: who may open them (outsiders get 404), the identity
check by form, the clerk's saves (form and autosave), the JSON poll, and closing and
signing on the record page — all without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from ecourt.accounts.models import User
from ecourt.conftest import code_sent_to
from ecourt.hearings.models import CourtRecord, Hearing, HearingStatus
from ecourt.hearings.services.records import record_close, record_save
from ecourt.hearings.services.room import hearing_end, hearing_start
from ecourt.hearings.tests.factories import ensure_seal
from ecourt.hearings.tests.test_room import (
    NOW,
    STARTS,
    join,
    make_hearing,
    submitted_evidence,
    use_own_storage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday(time_machine: Any) -> None:
    ensure_seal()
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def hearing(alice: User, bob: User, clerk: User, judge: User, time_machine: Any) -> Hearing:
    hearing = make_hearing(alice, bob, clerk, judge)
    time_machine.move_to(STARTS, tick=False)
    return hearing


def checked(user: User, hearing: Hearing) -> None:
    """As if ``user`` had passed the identity check (tested on its own above)."""
    hearing.participants.filter(user=user).update(verified_at=STARTS, joined_at=STARTS)


def room_url(hearing: Hearing) -> str:
    return reverse("hearings:room", args=[hearing.pk])


def poll_url(hearing: Hearing) -> str:
    return reverse("hearings:record_json", args=[hearing.pk])


def test_outsiders_get_404_on_every_page(hearing, judge, oscar, clerk, login):
    hearing_start(actor=judge, hearing_id=hearing.pk)
    record = CourtRecord.objects.get(hearing=hearing)
    for user in (oscar, clerk):  # the filing clerk sees the case, not the room
        client = login(user)
        assert client.get(room_url(hearing)).status_code == 404
        assert client.get(poll_url(hearing)).status_code == 404
        save = reverse("hearings:record_save", args=[hearing.pk])
        assert client.post(save, {"text": "x", "base_version": 0}).status_code == 404
        assert client.post(reverse("hearings:room_start", args=[hearing.pk])).status_code == 404
    outsider = login(oscar)
    assert outsider.get(reverse("hearings:record", args=[record.pk])).status_code == 404
    assert outsider.post(reverse("hearings:record_close", args=[record.pk])).status_code == 404
    # The filing clerk sees the case, so its record page.
    assert login(clerk).get(reverse("hearings:record", args=[record.pk])).status_code == 200


def test_a_participant_passes_the_identity_check_by_form(hearing, alice, login, commit):
    client = login(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(room_url(hearing))
    assert page.status_code == 200
    assert b"Check your identity to join" in page.content
    assert b"jwt=" not in page.content and hearing.room.encode() not in page.content
    assert client.get(poll_url(hearing)).status_code == 404  # nothing before the check

    with commit():
        sent = client.post(reverse("hearings:room_identity_code", args=[hearing.pk]))
    assert sent.status_code == 302
    wrong = client.post(reverse("hearings:room_identity", args=[hearing.pk]), {"code": "12345x"})
    assert wrong.status_code == 400
    joined = client.post(
        reverse("hearings:room_identity", args=[hearing.pk]),
        {"code": code_sent_to(alice.mobile)},
    )
    assert joined.status_code == 302
    page = client.get(room_url(hearing))
    assert hearing.room.encode() in page.content  # the meeting link
    assert b'target="_blank"' in page.content
    assert b"hearing-room.js" in page.content
    assert b"<script>" not in page.content  # no inline script (CSP)


def test_the_poll_returns_the_clerks_new_text(hearing, alice, judge, login, commit):
    join(alice, hearing, commit)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    client = login(alice)
    first = client.get(poll_url(hearing), {"since": "x"}).json()
    assert (first["version"], first["text"], first["closed"]) == (0, "", False)
    unchanged = client.get(poll_url(hearing), {"since": 0, "stamp": first["stamp"]})
    assert unchanged.status_code == 204

    clerk = login(hearing.clerk)  # staff take no texted code (two-factor sign-in)
    saved = clerk.post(
        reverse("hearings:record_save", args=[hearing.pk]),
        {"text": "Judge: the hearing is open.", "base_version": 0},
        headers={"accept": "application/json"},
    )
    assert saved.json() == {"version": 1, "saved": True}

    fresh = client.get(poll_url(hearing), {"since": 0, "stamp": first["stamp"]})
    assert fresh.status_code == 200
    body = fresh.json()
    assert (body["version"], body["text"]) == (1, "Judge: the hearing is open.")
    assert body["evidence_shown"] == [] and body["status"] == HearingStatus.IN_PROGRESS
    # Without a stamp, the version alone decides.
    assert client.get(poll_url(hearing), {"since": 1}).status_code == 204


def test_the_clerk_saves_by_form_and_a_stale_copy_conflicts(hearing, judge, login):
    hearing_start(actor=judge, hearing_id=hearing.pk)
    clerk = login(hearing.clerk)
    clerk.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    save = reverse("hearings:record_save", args=[hearing.pk])
    # The clerk types at once: staff sign in with two factors and take no texted code.
    page = clerk.get(room_url(hearing))
    assert b"Check your identity" not in page.content
    assert b'name="base_version"' in page.content and b"<textarea" in page.content
    assert clerk.post(save, {"text": "One", "base_version": 0}).status_code == 302
    stale = clerk.post(save, {"text": "Two", "base_version": 0})
    assert stale.status_code == 409
    assert b"Someone saved the record after you loaded it" in stale.content
    assert b"Two" in stale.content  # the typed text is kept in the form
    autosave = clerk.post(
        save, {"text": "Two", "base_version": 0}, headers={"accept": "application/json"}
    )
    assert autosave.status_code == 409 and autosave.json()["code"] == "version_conflict"
    assert CourtRecord.objects.get(hearing=hearing).text == "One"


def test_the_judge_begins_and_ends_from_the_room(hearing, judge, login):
    client = login(judge)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    # The judge takes no texted code: staff sign in with a password and an authenticator.
    page = client.get(room_url(hearing))
    assert b"Check your identity" not in page.content
    assert b"Begin the hearing" in page.content
    client.post(reverse("hearings:room_start", args=[hearing.pk]))
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.IN_PROGRESS
    assert b"End the hearing" in client.get(room_url(hearing)).content
    client.post(reverse("hearings:room_end", args=[hearing.pk]))
    hearing.refresh_from_db()
    assert hearing.status == HearingStatus.ENDED


def test_the_record_page_closes_and_signs(hearing, judge, alice, login, commit):
    hearing_start(actor=judge, hearing_id=hearing.pk)
    record = CourtRecord.objects.get(hearing=hearing)
    record_save(actor=hearing.clerk, record_id=record.pk, text="Judge: open.", base_version=0)
    hearing_end(actor=judge, hearing_id=hearing.pk)
    url = reverse("hearings:record", args=[record.pk])

    clerk = login(hearing.clerk)
    clerk.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert b"Close the record for signature" in clerk.get(url).content
    assert clerk.post(reverse("hearings:record_close", args=[record.pk])).status_code == 302
    record.refresh_from_db()
    assert record.is_closed

    client = login(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(url)
    assert record.sha256.encode() in page.content
    assert b"Sign the record" in page.content
    with commit():
        client.post(reverse("hearings:record_sign_code", args=[record.pk]))
    code = code_sent_to(alice.mobile)
    stale = client.post(
        reverse("hearings:record_sign", args=[record.pk]), {"code": code, "sha256": "0" * 64}
    )
    assert stale.status_code == 302 and not record.signatures.exists()
    signed = client.post(
        reverse("hearings:record_sign", args=[record.pk]), {"code": code, "sha256": record.sha256}
    )
    assert signed.status_code == 302
    assert record.signatures.filter(user=alice).exists()
    assert b"signed on" in client.get(url).content


def test_a_record_closed_elsewhere_cannot_be_saved(hearing, judge, login):
    hearing_start(actor=judge, hearing_id=hearing.pk)
    hearing_end(actor=judge, hearing_id=hearing.pk)
    record = CourtRecord.objects.get(hearing=hearing)
    record_close(actor=hearing.clerk, record_id=record.pk)
    checked(hearing.clerk, hearing)
    clerk = login(hearing.clerk)
    answer = clerk.post(
        reverse("hearings:record_save", args=[hearing.pk]),
        {"text": "late", "base_version": 0},
        headers={"accept": "application/json"},
    )
    assert answer.status_code == 400 and answer.json()["code"] == "record_closed"


def test_the_judge_shows_evidence_and_participants_see_it(
    hearing, judge, alice, login, settings, tmp_path
):
    use_own_storage(settings, tmp_path)
    item = submitted_evidence(hearing.case, alice, tmp_path)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    checked(judge, hearing)
    checked(alice, hearing)
    client = login(judge)
    page = client.get(room_url(hearing))
    assert f'<option value="{item.pk}"'.encode() in page.content
    shown = client.post(reverse("hearings:room_evidence", args=[hearing.pk]), {"item": item.pk})
    assert shown.status_code == 302

    party = login(alice)
    link = reverse("evidence:item_detail", args=[item.pk]).encode()
    assert link in party.get(room_url(hearing)).content
    polled = party.get(poll_url(hearing)).json()
    assert [e["item_id"] for e in polled["evidence_shown"]] == [item.pk]
    assert party.get(link.decode()).status_code == 200


def test_a_supplementary_record_is_written_on_its_own_page(hearing, judge, login):
    hearing_start(actor=judge, hearing_id=hearing.pk)
    hearing_end(actor=judge, hearing_id=hearing.pk)
    record = record_close(
        actor=hearing.clerk, record_id=CourtRecord.objects.get(hearing=hearing).pk
    )
    clerk = login(hearing.clerk)
    added = clerk.post(
        reverse("hearings:record_supplement", args=[record.pk]), {"text": "Correction."}
    )
    supplement = CourtRecord.objects.get(supplements=record)
    assert added.url == reverse("hearings:record", args=[supplement.pk])
    page = clerk.get(added.url)
    assert b'name="base_version"' in page.content
    clerk.post(
        reverse("hearings:record_edit", args=[supplement.pk]),
        {"text": "Correction: 2025.", "base_version": 1},
    )
    supplement.refresh_from_db()
    assert (supplement.text, supplement.version) == ("Correction: 2025.", 2)


def test_a_participant_attending_in_person_sees_only_the_notice(hearing, alice, judge, login):
    hearing.participants.filter(user=alice).update(offline=True)
    hearing_start(actor=judge, hearing_id=hearing.pk)
    client = login(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(room_url(hearing))
    assert page.status_code == 200
    assert b"You attend this hearing in person" in page.content
    # No live record, no poll (its URL answers 404 to them), no video link.
    assert b"data-poll-url" not in page.content and b"hearing-room.js" not in page.content
    assert b"Check your identity" not in page.content
    assert hearing.room.encode() not in page.content
    assert client.get(poll_url(hearing)).status_code == 404


def test_a_party_linked_after_scheduling_enters_the_room(hearing, bob, login):
    # As if Bob had linked Beta Tech only after the hearing was scheduled.
    hearing.participants.filter(user=bob).update(user=None)
    client = login(bob)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(room_url(hearing))
    assert page.status_code == 200
    assert b"Check your identity to join" in page.content
