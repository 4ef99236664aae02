"""The profile page: name and language, contact details re-verified by code, password, history."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ecourt.accounts.models import User
from ecourt.accounts.tests.factories import PASSWORD
from ecourt.conftest import code_sent_to
from ecourt.core import sms
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-blossom-river-9"


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


# --- Name and language ---------------------------------------------------------------------------


def test_it_changes_name_and_language_with_an_audit_event(login, alice):
    client = login(alice)
    response = client.post(
        reverse("accounts:profile_update"),
        {"display_name": "Alice Zhang-Li", "preferred_language": "zh-hans"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert response.cookies["ecourt_language"].value == "zh-hans"

    alice = _fresh(alice)
    assert (alice.display_name, alice.preferred_language) == ("Alice Zhang-Li", "zh-hans")
    event = AuditEvent.objects.get(code="ecourt.accounts.user.profile_changed")
    assert event.actor == alice
    assert event.old_values == {"display_name": "Alice Zhang", "preferred_language": "en"}
    assert event.new_values == {"display_name": "Alice Zhang-Li", "preferred_language": "zh-hans"}
    assert '<html lang="zh-Hans"' in client.get(reverse("accounts:profile")).content.decode()


def test_it_records_nothing_when_nothing_changed(login, alice):
    login(alice).post(
        reverse("accounts:profile_update"),
        {"display_name": "Alice Zhang", "preferred_language": "en"},
    )
    assert not AuditEvent.objects.filter(code="ecourt.accounts.user.profile_changed").exists()


def test_it_refuses_an_unknown_language(login, alice):
    response = login(alice).post(
        reverse("accounts:profile_update"),
        {"display_name": "Alice", "preferred_language": "fr"},
    )
    assert response.status_code == 400
    assert "preferred_language" in response.context["profile_form"].errors
    assert _fresh(alice).display_name == "Alice Zhang"


# --- Mobile number and email -------------------------------------------------------------------


def _start(client, commit, kind: str, value: str, password: str = PASSWORD):
    field = "mobile" if kind == "mobile" else "email"
    with commit():
        return client.post(
            reverse("accounts:contact_change_start"),
            {"kind": kind, field: value, "current_password": password},
        )


def _confirm(client, code: str):
    return client.post(reverse("accounts:contact_change_confirm"), {"code": code})


def test_it_changes_the_mobile_number_with_a_code_sent_to_the_new_one(login, alice, commit):
    client = login(alice)
    response = _start(client, commit, "mobile", "139 1111 2222")
    assert response.status_code == 302
    assert [m.to for m in sms.outbox] == ["+8613911112222"]  # nothing to the old number
    assert _fresh(alice).mobile == "+8613800000001"
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "We sent a code to +86 139****2222. Enter it below." in page

    response = _confirm(client, code_sent_to("+8613911112222"))
    assert response.status_code == 302
    alice = _fresh(alice)
    assert alice.mobile == "+8613911112222"
    event = AuditEvent.objects.get(code="ecourt.accounts.user.mobile_changed")
    assert (event.old_values, event.new_values) == (
        {"mobile": "+86 138****0001"},
        {"mobile": "+86 139****2222"},
    )

    # The new number signs in; the old one no longer does.
    ok = Client().post(reverse("accounts:login"), {"username": "13911112222", "password": PASSWORD})
    assert ok.status_code == 302
    old = Client().post(
        reverse("accounts:login"), {"username": "13800000001", "password": PASSWORD}
    )
    assert old.status_code == 200


def test_it_keeps_the_mobile_number_after_a_wrong_code(login, alice, commit):
    client = login(alice)
    _start(client, commit, "mobile", "13911112222")
    code = code_sent_to("+8613911112222")
    response = _confirm(client, "000000" if code != "000000" else "111111")
    assert response.status_code == 400
    assert response.context["code_form"].errors["code"] == [
        "That code is not right. You have 4 more tries."
    ]
    assert _fresh(alice).mobile == "+8613800000001"


def test_it_refuses_a_mobile_number_another_account_uses(login, alice, bob, commit):
    client = login(alice)
    _start(client, commit, "mobile", bob.mobile)
    response = _confirm(client, code_sent_to(bob.mobile))
    assert response.status_code == 400
    assert response.context["code_form"].non_field_errors() == [
        "Another account already uses this mobile number."
    ]
    assert _fresh(alice).mobile == "+8613800000001"


def test_it_refuses_a_landline_as_new_mobile(login, alice, commit):
    response = _start(login(alice), commit, "mobile", "010 6234 5678")
    assert response.status_code == 400
    assert "mobile" in response.context["mobile_form"].errors
    assert sms.outbox == []


def test_it_changes_the_email_with_a_code_sent_to_the_new_address(login, alice, commit):
    client = login(alice)
    response = _start(client, commit, "email", "Alice.New@Example.com")
    assert response.status_code == 302
    [email] = mail.outbox
    assert email.to == ["alice.new@example.com"]
    assert sms.outbox == []
    assert _fresh(alice).email is None

    assert _confirm(client, code_sent_to("alice.new@example.com")).status_code == 302
    alice = _fresh(alice)
    assert alice.email == "alice.new@example.com"
    assert alice.email_verified_at is not None
    event = AuditEvent.objects.get(code="ecourt.accounts.user.email_changed")
    assert event.new_values == {"email": "alice.new@example.com"}


def test_it_throttles_a_second_code_to_the_same_address(login, alice, commit):
    client = login(alice)
    _start(client, commit, "email", "alice@example.com")
    response = _start(client, commit, "email", "alice@example.com")
    assert response.status_code == 400
    [error] = response.context["email_form"].non_field_errors()
    assert "You can ask for a new one in" in error
    assert len(mail.outbox) == 1


# --- Password ----------------------------------------------------------------------------------


def test_it_changes_the_password_and_keeps_the_person_signed_in(login, alice):
    client = login(alice)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert _fresh(alice).check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(code="ecourt.accounts.user.password_changed").exists()


def test_it_signs_out_other_sessions_when_the_password_changes(login, alice):
    other = login(alice)
    login(alice).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    response = other.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_wants_the_current_password(login, alice):
    response = login(alice).post(
        reverse("accounts:password_change"),
        {"old_password": "guess", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert response.context["password_form"].errors["old_password"] == [
        "Your current password is not right."
    ]
    assert _fresh(alice).check_password(PASSWORD)


# --- Sign-in history ---------------------------------------------------------------------------


def test_it_shows_successful_and_failed_sign_ins(alice, bob):
    stranger = Client(headers={"user-agent": "StrangerBrowser/1.0"})
    stranger.post(reverse("accounts:login"), {"username": alice.mobile, "password": "guess-1"})
    Client(headers={"user-agent": "BobBrowser/3.0"}).post(
        reverse("accounts:login"), {"username": bob.mobile, "password": PASSWORD}
    )
    client = Client(headers={"user-agent": "AliceBrowser/2.0"})
    client.post(reverse("accounts:login"), {"username": alice.mobile, "password": PASSWORD})

    page = client.get(reverse("accounts:profile"))
    history = page.context["history"]
    assert [(e.succeeded, e.method, e.user_agent) for e in history] == [
        (True, "password", "AliceBrowser/2.0"),
        (False, "password", "StrangerBrowser/1.0"),
    ]
    html = page.content.decode()
    assert "Signed in" in html
    assert "Wrong password" in html
    assert "StrangerBrowser/1.0" in html
    assert "BobBrowser" not in html


def test_it_needs_the_password_to_move_the_account_to_another_number(login, alice, commit):
    """An open session on a shared computer must not be enough to take the account."""
    client = login(alice)
    response = _start(client, commit, "mobile", "13911112222", password="not-her-password")
    assert response.status_code == 400
    assert "current_password" in response.context["mobile_form"].errors
    assert sms.outbox == []


def test_it_tells_the_old_number_when_the_mobile_changes(login, alice, commit):
    client = login(alice)
    _start(client, commit, "mobile", "13911112222")
    with commit():
        _confirm(client, code_sent_to("+8613911112222"))
    assert _fresh(alice).mobile == "+8613911112222"
    notices = [m.body for m in sms.outbox if m.to == "+8613800000001"]
    assert notices and "+86 139****2222" in notices[-1]


def test_it_tells_the_person_when_the_password_changes(login, alice, commit):
    client = login(alice)
    with commit():
        client.post(
            reverse("accounts:password_change"),
            {
                "old_password": PASSWORD,
                "password1": "river-stone-quiet-8",
                "password2": "river-stone-quiet-8",
            },
        )
    assert any("password" in m.body for m in sms.outbox if m.to == alice.mobile)


def test_it_counts_wrong_current_passwords_towards_the_lockout(login, alice, commit):
    """An open session must not allow unlimited guessing of the password."""
    client = login(alice)
    for _ in range(5):
        _start(client, commit, "mobile", "13911112222", password="guess")
    response = _start(client, commit, "mobile", "13911112222")  # now even the right one
    assert response.status_code == 429, "the paused-sign-in page, which offers the SMS reset"
    assert _fresh(alice).mobile == "+8613800000001"
    assert sms.outbox == []


def test_it_answers_a_number_taken_at_the_same_moment_with_the_usual_error(
    alice, oscar, commit, monkeypatch
):
    """The duplicate check and the save race: the database's unique index decides, and the
    loser gets the domain error instead of a 500."""
    from django.db.models.query import QuerySet

    from ecourt.accounts.otp import otp_send
    from ecourt.accounts.services import user_change_mobile
    from ecourt.core.errors import DomainError

    with commit():
        otp_send(
            channel="sms",
            destination=oscar.mobile,
            purpose="change_mobile",
            ip_hash="",
            language="en",
        )
    code = code_sent_to(oscar.mobile)
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # the other request won
    with pytest.raises(DomainError) as raised:
        user_change_mobile(actor=alice, new_mobile=oscar.mobile, code=code)
    assert raised.value.code == "mobile_taken"
