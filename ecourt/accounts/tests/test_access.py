"""Who may open which page: every URL of accounts and core, for each persona.

Also: staff must pass the TOTP step (and enrol first), identity images are served only to
reviewers, identity numbers are masked for everyone else, and repeated wrong passwords lock
a login until the cool-off ends or an administrator unlocks it.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts import urls as accounts_urls
from ecourt.accounts.models import IdentityDocumentType, IdentityVerification, LoginEvent
from ecourt.accounts.roles import Role
from ecourt.accounts.services import identity_submit
from ecourt.accounts.tests.factories import (
    PASSWORD,
    VerifiedUserFactory,
    image_upload,
    valid_ric,
)
from ecourt.conftest import totp_now
from ecourt.core import urls as core_urls
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NUMBER = valid_ric(birth=date(1985, 11, 2), serial=777)
LOGIN = "login"  # expectation: redirected to the sign-in page with ?next=

# What an anonymous visitor gets from GET on each page. Keep in step with the URL modules:
# test_it_covers_every_url fails when a page is added without a line here.
ANONYMOUS: dict[str, tuple[tuple[object, ...], object]] = {
    "accounts:login": ((), 200),
    "accounts:logout": ((), 405),
    "accounts:otp_verify": ((), LOGIN),
    "accounts:otp_setup": ((), LOGIN),
    "accounts:register": ((), 200),
    "accounts:register_verify": ((), "accounts:register"),
    "accounts:password_reset": ((), 200),
    "accounts:password_reset_confirm": ((), "accounts:password_reset"),
    "accounts:dashboard": ((), LOGIN),
    "accounts:identity": ((), LOGIN),
    "accounts:terms": ((), LOGIN),
    "accounts:terms_withdraw": ((), LOGIN),
    "accounts:company": ((), LOGIN),
    "accounts:lawyer": ((), LOGIN),
    "accounts:profile": ((), LOGIN),
    "accounts:profile_update": ((), LOGIN),
    "accounts:contact_change_start": ((), LOGIN),
    "accounts:contact_change_confirm": ((), LOGIN),
    "accounts:password_change": ((), LOGIN),
    "accounts:review_queue": ((), LOGIN),
    "accounts:review_detail": (("identity", 1), LOGIN),
    "accounts:review_file": (("identity", 1), LOGIN),
    "accounts:user_list": ((), LOGIN),
    "accounts:user_detail": ((1,), LOGIN),
    "accounts:user_totp_reset": ((1,), LOGIN),
    "accounts:lockouts": ((), LOGIN),
    "accounts:lockout_clear": ((), LOGIN),
    "core:home": ((), 200),
    "core:set_language": ((), 405),
    "core:audit_search": ((), LOGIN),
    "core:sms_outbox": ((), LOGIN),
}

REVIEWERS = {"clerk", "admin"}
ADMINS = {"admin"}
ALL_STAFF = {"clerk", "judge", "mediator", "admin"}

# Staff pages: (name, method, who may use it). Arguments are filled in from `submission`.
STAFF_PAGES = [
    ("accounts:review_queue", "get", REVIEWERS),
    ("accounts:review_detail", "get", REVIEWERS),
    ("accounts:review_file", "get", REVIEWERS),
    ("accounts:user_list", "get", ADMINS),
    ("accounts:user_detail", "get", ADMINS),
    ("accounts:user_totp_reset", "post", ADMINS),
    ("accounts:lockouts", "get", ADMINS),
    ("accounts:lockout_clear", "post", ADMINS),
    ("core:audit_search", "get", ADMINS),
    ("core:sms_outbox", "get", ADMINS),  # it shows everyone's one-time codes
]


def _url_names() -> set[str]:
    names = set()
    for module in (accounts_urls, core_urls):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern)
            names.add(f"{module.app_name}:{pattern.name}")
    return names


def test_it_covers_every_url():
    assert set(ANONYMOUS) == _url_names()
    assert {name for name, _m, _w in STAFF_PAGES} <= _url_names()


@pytest.mark.parametrize("name", sorted(ANONYMOUS))
def test_it_answers_anonymous_visitors(visitor, name):
    args, expected = ANONYMOUS[name]
    url = reverse(name, args=args)
    response = visitor.get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={quote(url)}"
    elif isinstance(expected, str):
        assert response.status_code == 302
        assert response["Location"] == reverse(expected)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("name", sorted(n for n, (_a, e) in ANONYMOUS.items() if e == LOGIN))
def test_it_does_not_act_on_anonymous_posts(visitor, name):
    args, _expected = ANONYMOUS[name]
    response = visitor.post(reverse(name, args=args), {"username": "+8613800000001"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.exists()


# --- Staff pages ----------------------------------------------------------------------------


@pytest.fixture
def submission(oscar) -> IdentityVerification:
    """Oscar's passport, waiting for staff, with its photo."""
    return identity_submit(
        actor=oscar,
        document_type=IdentityDocumentType.PASSPORT,
        legal_name="Oscar Ou",
        document_number="E12345678",
        birth_date=date(1985, 11, 2),
        document_image=image_upload("passport.png"),
    )


def _request(client, name: str, method: str, submission: IdentityVerification):
    args: tuple[object, ...] = ()
    if name in ("accounts:review_detail", "accounts:review_file"):
        args = ("identity", submission.pk)
    elif name in ("accounts:user_detail", "accounts:user_totp_reset"):
        args = (submission.user_id,)
    data = {"username": "+8613800000001"} if method == "post" else None
    return getattr(client, method)(reverse(name, args=args), data)


@pytest.mark.parametrize(("name", "method", "allowed"), STAFF_PAGES)
def test_it_forbids_staff_pages_to_outsiders(
    login, oscar, alice, submission, name, method, allowed
):
    for person in (oscar, alice):
        response = _request(login(person), name, method, submission)
        assert response.status_code == 403, (person, name)
    assert not AuditEvent.objects.exclude(code__startswith="ecourt.accounts.identity.").exists()


@pytest.mark.parametrize(("name", "method", "allowed"), STAFF_PAGES)
@pytest.mark.parametrize("persona", sorted(ALL_STAFF))
def test_it_opens_staff_pages_by_role(request, login, submission, persona, name, method, allowed):
    response = _request(login(request.getfixturevalue(persona)), name, method, submission)
    if persona not in allowed:
        assert response.status_code == 403
    elif name == "core:sms_outbox":
        assert response.status_code == 404  # only with the file SMS backend, never in production
    elif method == "post":
        assert response.status_code == 302
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(("name", "method", "allowed"), STAFF_PAGES)
def test_it_sends_staff_without_the_totp_step_to_it(
    login, admin, submission, name, method, allowed
):
    client = login(admin, otp=False)
    response = _request(client, name, method, submission)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_verify")


def test_it_holds_staff_at_the_totp_step_on_every_page(login, clerk):
    client = login(clerk, otp=False)
    for url in (reverse("accounts:dashboard"), reverse("accounts:profile"), reverse("core:home")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:otp_verify")
    api = client.get("/api/v1/me")
    assert api.status_code == 403
    assert api.json()["code"] == "totp_required"
    # The language switch and health checks stay open.
    assert client.get("/healthz").status_code == 200
    assert client.post(reverse("core:set_language"), {"language": "en"}).status_code == 302


def test_it_lets_staff_in_after_the_totp_step(login, clerk):
    client = login(clerk, otp=False)
    wrong = client.post(reverse("accounts:otp_verify"), {"token": "000000"})
    assert wrong.status_code == 200
    assert "token" in wrong.context["form"].errors
    assert LoginEvent.objects.filter(user=clerk, method="totp", succeeded=False).exists()

    next_url = reverse("accounts:review_queue")
    response = client.post(
        reverse("accounts:otp_verify"), {"token": totp_now(clerk), "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert client.get(next_url).status_code == 200


def test_it_keeps_the_whole_next_address_through_the_totp_step(visitor, admin, alice):
    # The user page links to the audit trail with two filters; a signed-out administrator
    # who follows it must land on the same filtered page after both sign-in steps.
    wanted = f"{reverse('core:audit_search')}?target_type=accounts.user&target_id={alice.pk}"
    response = visitor.get(wanted)
    assert response.status_code == 302
    login_page = visitor.get(response["Location"])
    assert login_page.context["next"] == wanted

    response = visitor.post(
        reverse("accounts:login"),
        {"username": admin.mobile, "password": PASSWORD, "next": wanted},
    )
    assert response.status_code == 302
    otp_page = visitor.get(response["Location"])
    assert otp_page.context["next"] == wanted
    response = visitor.post(
        reverse("accounts:otp_verify"), {"token": totp_now(admin), "next": wanted}
    )
    assert response["Location"] == wanted


def test_it_sends_staff_without_an_authenticator_to_enrol(visitor):
    newcomer = VerifiedUserFactory(display_name="New Judge", roles=[Role.JUDGE])
    response = visitor.post(
        reverse("accounts:login"), {"username": newcomer.mobile, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_setup")

    response = visitor.get(reverse("accounts:dashboard"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:otp_setup")
    assert response.status_code == 200

    # Enrolment: the first code from the app confirms the device and finishes the sign-in.
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    response = visitor.post(reverse("accounts:otp_setup"), {"token": token})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert visitor.get(reverse("accounts:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(code="ecourt.accounts.totp.enrolled").exists()


def test_it_does_not_let_a_password_alone_re_enrol_an_authenticator(login, judge):
    client = login(judge, otp=False)
    response = client.get(reverse("accounts:otp_setup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_verify")
    assert TOTPDevice.objects.filter(user=judge).count() == 1


# --- Identity images ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["clerk", "admin"])
def test_it_serves_identity_images_to_reviewers(request, login, submission, persona):
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse("accounts:review_file", args=["identity", submission.pk]))
    assert response.status_code == 200
    submission.document_image.open("rb")
    assert b"".join(response.streaming_content) == submission.document_image.read()
    submission.document_image.close()
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    viewer = request.getfixturevalue(persona)
    event = AuditEvent.objects.get(code="ecourt.accounts.document.viewed")
    assert event.actor == viewer
    assert event.target_id == str(submission.pk)


@pytest.mark.parametrize("persona", ["oscar", "alice", "judge", "mediator"])
def test_it_does_not_serve_identity_images_to_anyone_else(request, login, submission, persona):
    # Oscar is the owner, and even he does not download it back: it goes to staff only.
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse("accounts:review_file", args=["identity", submission.pk]))
    assert response.status_code == 403


def test_it_answers_404_for_a_submission_without_a_file(login, clerk, alice):
    verification = alice.identity_verifications.get()
    response = login(clerk).get(reverse("accounts:review_file", args=["identity", verification.pk]))
    assert response.status_code == 404


def test_it_has_no_public_url_for_uploads(visitor, login, submission):
    assert visitor.get("/media/" + submission.document_image.name).status_code == 404


# --- Identity numbers -------------------------------------------------------------------------


def _alice_number(alice) -> str:
    return alice.identity_verifications.get().document_number


def test_it_shows_full_identity_numbers_to_the_administrator_who_reviews(login, admin, alice):
    page = login(admin).get(reverse("accounts:user_detail", args=[alice.pk]))
    html = page.content.decode()
    assert _alice_number(alice) in html
    assert "+8613800000001" not in html  # the mobile number stays masked
    assert "+86 138****0001" in html


def test_it_lists_people_without_their_numbers(login, admin, alice):
    html = login(admin).get(reverse("accounts:user_list")).content.decode()
    assert "Alice Zhang" in html
    assert "+86 138****0001" in html
    assert "+8613800000001" not in html
    assert _alice_number(alice) not in html


def _rendered_number(viewer, identity, *, verified: bool = True) -> str:
    if viewer is not None:
        viewer.is_verified = lambda: verified  # as django-otp's middleware installs it
    template = Template("{% load ecourt_accounts %}{% identity_number identity %}")
    return template.render(Context({"user": viewer, "identity": identity}))


def test_it_masks_identity_numbers_for_everyone_but_owner_and_reviewers(
    alice, bob, judge, mediator, clerk, admin
):
    identity = alice.identity_verifications.get()
    number = identity.document_number
    masked = number[:4] + "*" * 10 + number[-4:]
    assert _rendered_number(alice, identity) == number
    assert _rendered_number(clerk, identity) == number
    assert _rendered_number(admin, identity) == number
    for viewer in (bob, judge, mediator):
        assert _rendered_number(viewer, identity) == masked
    assert _rendered_number(clerk, identity, verified=False) == masked
    assert _rendered_number(None, identity) == masked


def test_it_keeps_full_identity_numbers_out_of_the_audit_trail(login, oscar, admin):
    login(oscar).post(
        reverse("accounts:identity"),
        {"document_type": "resident_id", "legal_name": "Oscar Ou", "document_number": NUMBER},
    )
    assert IdentityVerification.objects.filter(user=oscar, status="verified").exists()
    html = login(admin).get(reverse("core:audit_search")).content.decode()
    assert "ecourt.accounts.identity.verified" in html
    assert NUMBER not in html
    assert NUMBER[:4] + "*" * 10 + NUMBER[-4:] in html


# --- Lockout after wrong passwords ----------------------------------------------------------


def _sign_in(client, password: str, username: str = "13800000001"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_explains_a_wrong_password(visitor, alice):
    response = _sign_in(visitor, "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The mobile number, email or password is not right. After 5 failed tries, signing in "
        "is paused."
    ]
    assert LoginEvent.objects.get(user=alice).succeeded is False


def _lock_out(visitor) -> None:
    # Two ways of writing the same number count against the same login.
    for username in ["13800000001", "+8613800000001", "138 0000 0001", "13800000001"]:
        assert _sign_in(visitor, "wrong-password", username).status_code == 200
    assert _sign_in(visitor, "wrong-password").status_code == 429


def test_it_pauses_signing_in_after_five_wrong_passwords(visitor, alice):
    _lock_out(visitor)
    response = _sign_in(visitor, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "There were too many wrong passwords for this account from your device." in html
    assert "Try again in 30 minutes." in html
    assert "_auth_user_id" not in visitor.session


def test_it_lifts_the_lockout_after_the_cool_off(visitor, alice, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    _lock_out(visitor)
    time_machine.shift(timedelta(minutes=29))
    assert _sign_in(visitor, PASSWORD).status_code == 429
    # A try during the pause starts the 30 minutes again (django-axes' default), so wait
    # 30 minutes from that try.
    time_machine.shift(timedelta(minutes=30, seconds=1))
    assert _sign_in(visitor, PASSWORD).status_code == 302


def test_it_lets_an_administrator_unlock_with_an_audit_event(visitor, alice, login, admin):
    _lock_out(visitor)
    client = login(admin)
    page = client.get(reverse("accounts:lockouts"))
    html = page.content.decode()
    assert "+86 138****0001" in html

    response = client.post(reverse("accounts:lockout_clear"), {"username": alice.mobile})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:lockouts")
    assert "No one is locked out." in client.get(reverse("accounts:lockouts")).content.decode()

    event = AuditEvent.objects.get(code="ecourt.accounts.user.unlocked")
    assert (event.actor, event.target_id) == (admin, str(alice.pk))
    assert event.new_values == {"username": "+86 138****0001", "attempts_cleared": 1}

    assert _sign_in(visitor, PASSWORD).status_code == 302


def test_it_links_the_unlock_of_an_email_login_to_the_person(visitor, alice, login, admin):
    alice.email = "alice@example.com"
    alice.email_verified_at = timezone.now()
    alice.save(update_fields=["email", "email_verified_at"])
    for _ in range(5):
        _sign_in(visitor, "wrong-password", username="Alice@Example.com")
    assert _sign_in(visitor, PASSWORD, username="alice@example.com").status_code == 429

    client = login(admin)
    client.post(reverse("accounts:lockout_clear"), {"username": "alice@example.com"})
    event = AuditEvent.objects.get(code="ecourt.accounts.user.unlocked")
    assert event.target_id == str(alice.pk)
    assert event.new_values["attempts_cleared"] == 1
    assert "alice@example.com" not in str(event.new_values)
    assert _sign_in(visitor, PASSWORD, username="alice@example.com").status_code == 302


def test_it_sends_people_back_only_to_this_site(visitor, alice):
    response = visitor.post(
        reverse("accounts:login"),
        {"username": alice.mobile, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")


def test_it_masks_legal_names_exactly_where_it_masks_numbers(alice, judge, clerk):
    identity = alice.identity_verifications.get()
    identity.legal_name = "张爱丽"
    identity.save(update_fields=["legal_name"])
    template = Template("{% load ecourt_accounts %}{% identity_name identity %}")
    for viewer, expected in ((alice, "张爱丽"), (clerk, "张爱丽"), (judge, "张**"), (None, "张**")):
        if viewer is not None:
            viewer.is_verified = lambda: True
        assert template.render(Context({"user": viewer, "identity": identity})) == expected


def test_it_pauses_an_account_guessed_at_from_many_addresses(alice, settings, commit):
    """Rotating addresses must not give unlimited guesses; the pause answers like a wrong
    password (it reveals nothing) and the owner lifts it with a texted code."""
    settings.ECOURT_ACCOUNT_FAILURE_LIMIT = 8
    for n in range(8):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(
            reverse("accounts:login"), {"username": alice.mobile, "password": "guess"}
        )
    response = Client(REMOTE_ADDR="203.0.113.7").post(
        reverse("accounts:login"), {"username": alice.mobile, "password": PASSWORD}
    )
    assert response.status_code == 200, "even the right password is refused while paused"
    assert "_auth_user_id" not in response.client.session
    wrong = Client(REMOTE_ADDR="203.0.113.8").post(
        reverse("accounts:login"), {"username": alice.mobile, "password": "guess"}
    )
    assert wrong.context["form"].non_field_errors() == response.context["form"].non_field_errors()
    from ecourt.accounts.models import LoginEvent

    assert LoginEvent.objects.filter(user=alice, method="paused").count() == 1
    visitor = Client(headers={"accept-language": "en"})
    with commit():
        visitor.post(reverse("accounts:password_reset"), {"mobile": alice.mobile})
    from ecourt.conftest import code_sent_to

    visitor.post(
        reverse("accounts:password_reset_confirm"),
        {
            "code": code_sent_to(alice.mobile),
            "password1": "new-river-lamp-42",
            "password2": "new-river-lamp-42",
        },
    )
    response = Client(REMOTE_ADDR="203.0.113.7").post(
        reverse("accounts:login"), {"username": alice.mobile, "password": "new-river-lamp-42"}
    )
    assert response.status_code == 302


def test_it_lets_strangers_lock_out_only_their_own_address(alice):
    for _ in range(5):
        Client(REMOTE_ADDR="198.51.100.9").post(
            reverse("accounts:login"), {"username": alice.mobile, "password": "guess"}
        )
    stranger = Client(REMOTE_ADDR="198.51.100.9").post(
        reverse("accounts:login"), {"username": alice.mobile, "password": PASSWORD}
    )
    assert stranger.status_code == 429
    owner = Client(REMOTE_ADDR="203.0.113.7").post(
        reverse("accounts:login"), {"username": alice.mobile, "password": PASSWORD}
    )
    assert owner.status_code == 302


def test_it_does_not_tell_which_email_belongs_to_a_locked_number(alice, oscar):
    from django.utils import timezone

    for person, email in ((alice, "alice@example.com"), (oscar, "oscar@example.com")):
        person.email, person.email_verified_at = email, timezone.now()
        person.save(update_fields=["email", "email_verified_at"])
    for _ in range(5):
        Client(REMOTE_ADDR="198.51.100.9").post(
            reverse("accounts:login"), {"username": alice.mobile, "password": "guess"}
        )
    answers = [
        Client(REMOTE_ADDR="198.51.100.9")
        .post(reverse("accounts:login"), {"username": email, "password": "guess"})
        .status_code
        for email in ("alice@example.com", "oscar@example.com")
    ]
    assert answers[0] == answers[1] == 200


def test_it_lists_a_name_locked_at_one_address_and_unlocks_it(alice, login, admin):
    for _ in range(5):
        Client(REMOTE_ADDR="198.51.100.9").post(
            reverse("accounts:login"), {"username": alice.mobile, "password": "guess"}
        )
    client = login(admin)
    rows = client.get(reverse("accounts:lockouts")).context["attempts"]
    assert [(r["username"], r["failures"], r["scope"]) for r in rows] == [
        (alice.mobile, 5, "address")
    ]
    client.post(reverse("accounts:lockout_clear"), {"username": alice.mobile})
    response = Client(REMOTE_ADDR="198.51.100.9").post(
        reverse("accounts:login"), {"username": alice.mobile, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_it_lists_accounts_paused_from_many_addresses_and_unlocks_them(
    alice, login, admin, settings
):
    settings.ECOURT_ACCOUNT_FAILURE_LIMIT = 6
    for n in range(6):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(
            reverse("accounts:login"), {"username": alice.mobile, "password": "guess"}
        )
    client = login(admin)
    rows = client.get(reverse("accounts:lockouts")).context["attempts"]
    assert [(r["username"], r["scope"]) for r in rows] == [(alice.mobile, "account")]
    client.post(reverse("accounts:lockout_clear"), {"username": alice.mobile})
    assert client.get(reverse("accounts:lockouts")).context["attempts"] == []
    response = Client().post(
        reverse("accounts:login"), {"username": alice.mobile, "password": PASSWORD}
    )
    assert response.status_code == 302
