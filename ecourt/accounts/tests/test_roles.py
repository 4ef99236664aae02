"""Court administrators grant and revoke staff roles; every change is in the audit trail."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts.models import RoleGrant, User
from ecourt.accounts.roles import Role
from ecourt.accounts.services import role_grant, role_revoke
from ecourt.accounts.signin import totp_device_reset
from ecourt.accounts.tests.factories import UserFactory
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _roles(user: User) -> frozenset[str]:
    return User.objects.get(pk=user.pk).role_set


def _events(code: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(code=code))


def test_it_audits_a_granted_role(admin, oscar):
    assert role_grant(actor=admin, user_id=oscar.pk, role=Role.JUDGE) is True
    assert _roles(oscar) == {Role.LITIGANT, Role.JUDGE}
    assert RoleGrant.objects.get(user=oscar, role=Role.JUDGE).granted_by == admin

    [event] = _events("ecourt.accounts.role.granted")
    assert event.actor == admin
    assert event.actor_repr == str(admin)
    assert event.target_type == ContentType.objects.get_for_model(User)
    assert event.target_id == str(oscar.pk)
    assert event.old_values == {}
    assert event.new_values == {"role": Role.JUDGE}


def test_it_changes_nothing_when_the_role_is_already_held(admin, judge):
    assert role_grant(actor=admin, user_id=judge.pk, role=Role.JUDGE) is False
    assert _events("ecourt.accounts.role.granted") == []


def test_it_audits_a_revoked_role(admin, judge):
    assert role_revoke(actor=admin, user_id=judge.pk, role=Role.JUDGE) is True
    assert _roles(judge) == frozenset()

    [event] = _events("ecourt.accounts.role.revoked")
    assert (event.actor, event.target_id) == (admin, str(judge.pk))
    assert event.old_values == {"role": Role.JUDGE}
    assert event.new_values == {}


def test_it_changes_nothing_when_revoking_a_role_not_held(admin, oscar):
    assert role_revoke(actor=admin, user_id=oscar.pk, role=Role.JUDGE) is False
    assert _events("ecourt.accounts.role.revoked") == []


def test_it_opens_the_django_admin_only_to_court_administrators(admin, oscar):
    role_grant(actor=admin, user_id=oscar.pk, role=Role.COURT_ADMIN)
    assert User.objects.get(pk=oscar.pk).is_staff
    role_revoke(actor=admin, user_id=oscar.pk, role=Role.COURT_ADMIN)
    assert not User.objects.get(pk=oscar.pk).is_staff


@pytest.mark.parametrize("persona", ["clerk", "judge", "alice"])
def test_it_lets_only_administrators_grant_or_revoke(request, persona, mediator):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied) as exc_info:
        role_grant(actor=actor, user_id=mediator.pk, role=Role.JUDGE)
    assert exc_info.value.code == "not_admin"
    with pytest.raises(PermissionDenied):
        role_revoke(actor=actor, user_id=mediator.pk, role=Role.MEDIATOR)
    assert _roles(mediator) == {Role.MEDIATOR}
    assert not AuditEvent.objects.filter(code__startswith="ecourt.accounts.role.").exists()


@pytest.mark.parametrize("role", [Role.LITIGANT, Role.LAWYER, Role.COMPANY_REPRESENTATIVE])
def test_it_refuses_to_grant_or_revoke_public_roles(admin, alice, oscar, role):
    with pytest.raises(DomainError) as exc_info:
        role_grant(actor=admin, user_id=oscar.pk, role=role)
    assert exc_info.value.code == "role_not_grantable"
    with pytest.raises(DomainError) as exc_info:
        role_revoke(actor=admin, user_id=alice.pk, role=role)
    assert exc_info.value.code == "role_not_grantable"
    assert _roles(oscar) == {Role.LITIGANT}


def test_it_refuses_a_role_that_does_not_exist(admin, oscar):
    with pytest.raises(DomainError):
        role_grant(actor=admin, user_id=oscar.pk, role="emperor")
    assert not RoleGrant.objects.filter(role="emperor").exists()


def test_it_keeps_administrators_from_removing_their_own_admin_role(admin):
    with pytest.raises(DomainError) as exc_info:
        role_revoke(actor=admin, user_id=admin.pk, role=Role.COURT_ADMIN)
    assert exc_info.value.code == "own_admin_role"
    assert Role.COURT_ADMIN in _roles(admin)
    assert User.objects.get(pk=admin.pk).is_staff


def test_it_lets_an_administrator_remove_another_administrator(admin, oscar):
    role_grant(actor=admin, user_id=oscar.pk, role=Role.COURT_ADMIN)
    other = User.objects.get(pk=oscar.pk)
    assert role_revoke(actor=other, user_id=admin.pk, role=Role.COURT_ADMIN) is True
    assert Role.COURT_ADMIN not in _roles(admin)


# --- The staff user page ----------------------------------------------------------------------


def _post(client, person: User, role: str, action: str):
    return client.post(
        reverse("accounts:user_detail", args=[person.pk]),
        {"role": role, "action": action},
        headers={"x-request-id": "roles-test-0001"},
    )


def test_it_grants_and_revokes_through_the_user_page(login, admin, oscar, settings):
    settings.ECOURT_PROXY_COUNT = 1  # so the test may name its requests
    client = login(admin)
    page = client.get(reverse("accounts:user_detail", args=[oscar.pk]))
    assert page.status_code == 200
    assert "Oscar Outsider" in page.content.decode()

    response = _post(client, oscar, Role.MEDIATOR, "grant")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", args=[oscar.pk])
    assert Role.MEDIATOR in _roles(oscar)
    [granted] = _events("ecourt.accounts.role.granted")
    assert granted.actor == admin
    assert granted.request_id == "roles-test-0001"

    page = client.get(response["Location"])
    assert "Roles updated." in page.content.decode()
    assert "granted by Admin Zhao" in page.content.decode()

    assert _post(client, oscar, Role.MEDIATOR, "revoke").status_code == 302
    assert Role.MEDIATOR not in _roles(oscar)
    [revoked] = _events("ecourt.accounts.role.revoked")
    assert (revoked.actor, revoked.old_values) == (admin, {"role": Role.MEDIATOR})


def test_it_shows_the_own_admin_role_refusal_on_the_page(login, admin):
    response = _post(login(admin), admin, Role.COURT_ADMIN, "revoke")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "You cannot remove your own administrator role; ask another administrator."
    ]
    assert Role.COURT_ADMIN in _roles(admin)


def test_it_does_not_offer_public_roles_on_the_page(login, admin, oscar):
    response = _post(login(admin), oscar, Role.LAWYER, "grant")
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert _roles(oscar) == {Role.LITIGANT}


@pytest.mark.parametrize("persona", ["clerk", "oscar"])
def test_it_keeps_the_user_page_from_non_administrators(login, request, persona, mediator):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:user_detail", args=[mediator.pk])).status_code == 403
    assert _post(client, mediator, Role.JUDGE, "grant").status_code == 403
    assert _roles(mediator) == {Role.MEDIATOR}


def test_it_resets_a_lost_authenticator_with_an_audit_event(login, admin, judge):
    response = login(admin).post(reverse("accounts:user_totp_reset", args=[judge.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=judge).exists()
    [event] = _events("ecourt.accounts.totp.reset")
    assert (event.actor, event.new_values) == (admin, {"devices_removed": 1})


def test_it_lets_only_administrators_reset_authenticators(clerk, judge):
    with pytest.raises(PermissionDenied):
        totp_device_reset(actor=clerk, user_id=judge.pk)
    assert TOTPDevice.objects.filter(user=judge).exists()


def test_it_keeps_the_query_count_of_the_people_list_flat(
    login, admin, django_assert_max_num_queries
):
    client = login(admin)
    url = reverse("accounts:user_list")
    client.get(url)  # warm up: session and device
    with django_assert_max_num_queries(100) as baseline:
        client.get(url)
    for n in range(25):
        UserFactory(roles=[Role.LITIGANT, Role.JUDGE] if n % 2 else [Role.LITIGANT])
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(url)
    assert len(response.context["users"]) == 26
    assert response.content.decode().count("Judge") >= 12
