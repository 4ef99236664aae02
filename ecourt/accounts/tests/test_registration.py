"""Signing up with a mobile number and a texted code, and resetting a forgotten password."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import PASSWORD
from ecourt.conftest import code_sent_to
from ecourt.core import sms
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-blossom-river-9"


def _details(**overrides: str) -> dict[str, str]:
    data = {
        "display_name": "Dora Wu",
        "mobile": "139 1234 5678",
        "preferred_language": "en",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def _start(visitor, commit, **overrides: str):
    with commit():
        return visitor.post(reverse("accounts:register"), _details(**overrides))


def test_it_registers_a_litigant_with_a_texted_code(visitor, commit):
    assert visitor.get(reverse("accounts:register")).status_code == 200

    response = _start(visitor, commit)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register_verify")
    page = visitor.get(response["Location"])
    assert "+86 139****5678" in page.content.decode()
    assert not User.objects.filter(mobile="+8613912345678").exists()

    code = code_sent_to("+8613912345678")
    response = visitor.post(reverse("accounts:register_verify"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:identity")
    assert response.cookies["ecourt_language"].value == "en"

    user = User.objects.get(mobile="+8613912345678")
    assert user.display_name == "Dora Wu"
    assert user.email is None, "an address is added later, from the profile, with a code"
    assert user.preferred_language == "en"
    assert user.mobile_verified_at is not None
    assert user.identity_verified_at is None
    assert user.check_password(NEW_PASSWORD)
    assert user.role_set == {Role.LITIGANT}
    assert visitor.session["_auth_user_id"] == str(user.pk)
    assert visitor.get(reverse("accounts:identity")).status_code == 200

    event = AuditEvent.objects.get(code="ecourt.accounts.user.registered")
    assert event.actor == user
    assert event.new_values == {"mobile": "+86 139****5678", "roles": ["litigant"]}


def test_it_keeps_the_password_out_of_the_session(visitor, commit):
    _start(visitor, commit)
    pending = visitor.session["ecourt_registration"]
    assert NEW_PASSWORD not in str(pending)
    assert pending["password_hash"].startswith("argon2$")


def test_it_refuses_a_mobile_number_that_already_has_an_account(visitor, commit, alice):
    response = _start(visitor, commit, mobile="13800000001")
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"] == [
        "An account with this mobile number already exists. Sign in instead."
    ]
    assert sms.outbox == []


def test_it_refuses_a_password_close_to_the_name_or_number(visitor, commit):
    response = _start(
        visitor,
        commit,
        display_name="Dorothea Wu",
        password1="dorothea wu",
        password2="dorothea wu",
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert sms.outbox == []


def test_it_signs_in_by_email_only_once_the_address_is_proven(visitor, alice):
    alice.email = "alice@example.com"
    alice.save(update_fields=["email"])
    response = visitor.post(
        reverse("accounts:login"), {"username": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200, "an unproven address must not open the account"
    alice.email_verified_at = alice.mobile_verified_at
    alice.save(update_fields=["email_verified_at"])
    response = visitor.post(
        reverse("accounts:login"), {"username": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_it_keeps_the_person_on_the_code_page_after_a_wrong_code(visitor, commit):
    _start(visitor, commit)
    code = code_sent_to("+8613912345678")
    wrong = "000000" if code != "000000" else "111111"

    response = visitor.post(reverse("accounts:register_verify"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "That code is not right. You have 4 more tries."
    ]
    assert not User.objects.filter(mobile="+8613912345678").exists()
    assert "_auth_user_id" not in visitor.session

    # The right code still works afterwards.
    response = visitor.post(reverse("accounts:register_verify"), {"code": code})
    assert response.status_code == 302


def test_it_explains_a_code_of_the_wrong_shape(visitor, commit):
    _start(visitor, commit)
    response = visitor.post(reverse("accounts:register_verify"), {"code": "12ab56"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["The code has 6 digits."]


def test_it_keeps_what_was_typed_except_passwords_on_an_error(visitor, commit):
    response = _start(visitor, commit, password2="something-else-entirely")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["form"].errors["password2"] == ["The two passwords differ."]
    assert 'value="Dora Wu"' in html
    assert 'value="139 1234 5678"' in html
    assert NEW_PASSWORD not in html
    assert "something-else-entirely" not in html
    assert sms.outbox == []


def test_it_applies_the_password_rules(visitor, commit):
    response = _start(visitor, commit, password1="12345678901", password2="12345678901")
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert sms.outbox == []


def test_it_refuses_a_landline_with_a_reason(visitor, commit):
    response = _start(visitor, commit, mobile="010 6234 5678")
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"] == [
        "This is a landline number. Enter a mobile number that can receive text messages."
    ]


def test_it_throttles_asking_for_a_new_code(visitor, commit):
    _start(visitor, commit)
    response = visitor.post(reverse("accounts:register_verify"), {"action": "resend"}, follow=True)
    assert "You can ask for a new one in" in response.content.decode()
    assert len(sms.outbox) == 1


def test_it_sends_the_code_step_back_to_the_start_without_details(visitor):
    response = visitor.get(reverse("accounts:register_verify"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register")


def test_it_sends_a_signed_in_person_to_their_dashboard(login, alice):
    response = login(alice).get(reverse("accounts:register"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


# --- Forgotten password -------------------------------------------------------------------------


def test_it_resets_a_forgotten_password_with_a_texted_code(visitor, commit, alice):
    with commit():
        response = visitor.post(reverse("accounts:password_reset"), {"mobile": "13800000001"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_confirm")
    code = code_sent_to(alice.mobile)

    response = visitor.post(
        reverse("accounts:password_reset_confirm"),
        {"code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not alice.check_password(PASSWORD)
    assert AuditEvent.objects.filter(
        code="ecourt.accounts.user.password_reset", target_id=str(alice.pk)
    ).exists()

    response = visitor.post(
        reverse("accounts:login"), {"username": "13800000001", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_it_refuses_a_reset_with_a_wrong_code(visitor, commit, alice):
    with commit():
        visitor.post(reverse("accounts:password_reset"), {"mobile": alice.mobile})
    code = code_sent_to(alice.mobile)
    wrong = "000000" if code != "000000" else "111111"
    response = visitor.post(
        reverse("accounts:password_reset_confirm"),
        {"code": wrong, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_it_does_not_reveal_whether_a_number_has_an_account(visitor, commit):
    with commit():
        response = visitor.post(reverse("accounts:password_reset"), {"mobile": "13700000000"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_confirm")
    assert sms.outbox == []


def test_it_does_not_reveal_accounts_through_the_resend_throttle(visitor, commit, alice):
    """Asking twice in a row must look the same for a number with and without an account;
    an error on the second try only for real accounts would tell who has one."""
    for mobile in (alice.mobile, "+8613700000000"):
        for _ in range(2):
            with commit():
                response = visitor.post(reverse("accounts:password_reset"), {"mobile": mobile})
            assert response.status_code == 302, mobile
            assert response["Location"] == reverse("accounts:password_reset_confirm")
    assert [m.to for m in sms.outbox] == [alice.mobile]


def test_it_lifts_a_sign_in_pause_once_the_password_is_reset(visitor, commit, alice):
    """The paused page offers a reset as the way out, and the reset says "sign in now"."""
    for _ in range(5):
        visitor.post(reverse("accounts:login"), {"username": alice.mobile, "password": "guess"})
    response = visitor.post(
        reverse("accounts:login"), {"username": alice.mobile, "password": PASSWORD}
    )
    assert response.status_code == 429

    with commit():
        visitor.post(reverse("accounts:password_reset"), {"mobile": alice.mobile})
    visitor.post(
        reverse("accounts:password_reset_confirm"),
        {"code": code_sent_to(alice.mobile), "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    response = visitor.post(
        reverse("accounts:login"), {"username": alice.mobile, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(code="ecourt.accounts.user.password_reset")
    assert event.new_values == {"sign_in_attempts_cleared": 1}


def test_it_answers_a_bad_reset_code_the_same_with_or_without_an_account(visitor, commit, alice):
    """'No code is waiting' for strangers but 'not right' for customers would tell who has one."""
    answers = []
    for mobile in (alice.mobile, "+8613700000000"):
        with commit():
            visitor.post(reverse("accounts:password_reset"), {"mobile": mobile})
        response = visitor.post(
            reverse("accounts:password_reset_confirm"),
            {"code": "000000", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert response.status_code == 200
        answers.append(response.context["form"].errors["code"])
    assert (
        answers[0]
        == answers[1]
        == ["That code is not right or no longer valid. Ask for a new code."]
    )
