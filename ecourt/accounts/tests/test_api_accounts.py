"""The accounts capability through the JSON API: sign-up, submissions, staff reviews, roles."""

from __future__ import annotations

import pytest
from django.test import Client

from ecourt.accounts.models import IdentityVerification, LawyerProfile, User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import image_upload, valid_ric, valid_uscc
from ecourt.conftest import code_sent_to
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_it_signs_up_through_the_api(commit):
    client = Client()
    with commit():
        response = client.post(
            "/api/v1/registrations/code",
            {"mobile": "13912340000", "preferred_language": "en"},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    assert response.json() == {"sent_to": "+86 139****0000"}
    code = code_sent_to("+8613912340000")
    response = client.post(
        "/api/v1/registrations",
        {
            "mobile": "+86 139 1234 0000",
            "display_name": "  Api   Person ",
            "password": "tea-house-lantern-7",
            "preferred_language": "en",
            "code": code,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["display_name"] == "Api Person"
    assert body["roles"] == ["litigant"]
    assert User.objects.get(mobile="+8613912340000").check_password("tea-house-lantern-7")


def test_it_refuses_a_weak_password_or_wrong_code_as_problems(commit):
    client = Client()
    with commit():
        client.post(
            "/api/v1/registrations/code", {"mobile": "13912340001"}, content_type="application/json"
        )
    payload = {
        "mobile": "13912340001",
        "display_name": "P",
        "password": "12345678901",
        "code": "000000",
    }
    response = client.post("/api/v1/registrations", payload, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["field"] == "password"
    payload["password"] = "tea-house-lantern-7"
    payload["code"] = "999999" if code_sent_to("+8613912340001") != "999999" else "888888"
    response = client.post("/api/v1/registrations", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "otp_wrong"
    assert not User.objects.filter(mobile="+8613912340001").exists()


def test_it_refuses_a_code_for_a_number_that_has_an_account(alice):
    response = Client().post(
        "/api/v1/registrations/code", {"mobile": alice.mobile}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "mobile_taken"


def test_it_verifies_identity_with_a_resident_card(login, oscar):
    client = login(oscar)
    response = client.post(
        "/api/v1/me/identity",
        {
            "document_type": "resident_id",
            "legal_name": "Oscar Ou",
            "document_number": valid_ric(serial=71),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "verified"


def test_it_refuses_a_non_image_document_upload(login, oscar):
    client = login(oscar)
    fake = image_upload("passport.png")
    fake.file.write(b"not really")  # corrupt the picture
    fake.file.seek(0)
    fake.file.truncate(10)
    response = client.post(
        "/api/v1/me/identity",
        {
            "document_type": "passport",
            "legal_name": "Oscar Ou",
            "document_number": "E1234567",
            "birth_date": "1985-11-02",
            "document_image": fake,
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "document_image"
    assert not IdentityVerification.objects.filter(user=oscar).exists()


def test_it_takes_company_and_lawyer_submissions_and_staff_decide_them(login, carol, clerk):
    client = login(carol)
    response = client.post(
        "/api/v1/me/companies",
        {
            "name": "Gamma Ltd",
            "uscc": valid_uscc(),
            "legal_representative": "Ma",
            "authorisation_letter": image_upload(),
        },
    )
    assert response.status_code == 201, response.content
    link_id = response.json()["id"]
    assert client.get("/api/v1/me/companies").json()[0]["company_name"] == "Gamma Ltd"
    LawyerProfile.objects.filter(user=carol).delete()
    response = client.post(
        "/api/v1/me/lawyer",
        {
            "licence_number": "11101201810000777",
            "law_firm": "Fair Firm",
            "licence_image": image_upload(),
        },
    )
    assert response.status_code == 201, response.content

    staff = login(clerk)
    queue = staff.get("/api/v1/reviews").json()
    assert [item["id"] for item in queue["companies"]] == [link_id]
    response = staff.post(
        f"/api/v1/reviews/company/{link_id}/decision",
        {"approve": False, "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reason_missing"
    response = staff.post(
        f"/api/v1/reviews/company/{link_id}/decision",
        {"approve": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert User.objects.get(pk=carol.pk).has_role(Role.COMPANY_REPRESENTATIVE)
    assert (
        staff.post(
            "/api/v1/reviews/company/999999/decision",
            {"approve": True},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_it_keeps_the_review_queue_from_people_without_the_role(login, alice, judge):
    for client in (login(alice), login(judge)):
        response = client.get("/api/v1/reviews")
        assert response.status_code == 403
        assert response["Content-Type"] == PROBLEM
    assert Client().get("/api/v1/reviews").status_code == 401


def test_it_refuses_staff_who_skipped_the_totp_step(login, clerk):
    response = login(clerk, otp=False).get("/api/v1/reviews")
    assert response.status_code == 403
    assert response.json()["code"] == "totp_required"


def test_it_lets_an_administrator_grant_and_revoke_roles(login, admin, oscar, alice):
    client = login(admin)
    found = client.get("/api/v1/users", {"q": "Oscar"}).json()
    assert [p["id"] for p in found] == [oscar.pk]
    assert "*" in found[0]["mobile"]
    response = client.post(
        f"/api/v1/users/{oscar.pk}/roles", {"role": "judge"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert "judge" in response.json()["roles"]
    assert AuditEvent.objects.filter(
        code="ecourt.accounts.role.granted", target_id=str(oscar.pk)
    ).exists()
    response = client.post(
        f"/api/v1/users/{oscar.pk}/roles", {"role": "lawyer"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert client.delete(f"/api/v1/users/{oscar.pk}/roles/judge").status_code == 204
    assert not User.objects.get(pk=oscar.pk).has_role(Role.JUDGE)
    assert login(alice).get("/api/v1/users").status_code == 403


def test_it_refuses_anonymous_writes_that_are_not_json():
    """A form post from another site is not JSON; a JSON post from another site needs CORS."""
    response = Client().post(
        "/api/v1/registrations/code", '{"mobile": "13912340002"}', content_type="text/plain"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "json_required"


def test_it_refuses_overlong_or_unstorable_text_with_a_problem(login, alice, oscar):
    client = login(alice)
    response = client.patch(
        "/api/v1/me", {"display_name": "a\x00b"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "display_name"
    response = login(oscar).post(
        "/api/v1/me/identity",
        {
            "document_type": "passport",
            "legal_name": "x" * 300,
            "document_number": "E1234567",
            "birth_date": "1985-11-02",
            "document_image": image_upload(),
        },
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_long"
