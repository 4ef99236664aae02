"""The operator's commands: the first court administrator, and demo data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ecourt.accounts.models import User
from ecourt.accounts.roles import STAFF_ROLES, Role
from ecourt.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_creates_the_first_court_administrator(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "orchid-bridge-lantern-4")
    out = StringIO()
    call_command(
        "create_court_admin",
        mobile="138 0013 8000",
        name="First Admin",
        email="Admin@Court.example",
        stdout=out,
    )
    user = User.objects.get(mobile="+8613800138000")
    assert user.has_role(Role.COURT_ADMIN)
    assert user.is_staff
    assert user.check_password("orchid-bridge-lantern-4")
    assert user.email == "admin@court.example" and user.email_verified_at is not None
    assert AuditEvent.objects.filter(
        code="ecourt.accounts.role.granted", target_id=str(user.pk)
    ).exists()
    assert "court administrator" in out.getvalue()


def test_it_refuses_a_weak_password_for_the_administrator(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "12345678901")
    with pytest.raises(CommandError):
        call_command("create_court_admin", mobile="13800138000", name="Weak")
    assert not User.objects.filter(mobile="+8613800138000").exists()


def test_it_refuses_demo_data_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="known passwords"):
        call_command("demo", stdout=StringIO())


def test_it_loads_one_demo_person_per_role_and_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("demo", stdout=StringIO())
    count = User.objects.count()
    out = StringIO()
    call_command("demo", stdout=out)
    assert User.objects.count() == count
    held = {role for user in User.objects.all() for role in user.role_set}
    assert held >= set(STAFF_ROLES) | {Role.LITIGANT, Role.LAWYER, Role.COMPANY_REPRESENTATIVE}
    assert "13800000010" in out.getvalue()
    assert all(u.is_identity_verified for u in User.objects.all())


def test_the_demo_serves_a_summons_on_both_parties_of_the_demo_case(settings):
    from ecourt.cases.models import Case
    from ecourt.delivery.models import Delivery
    from ecourt.documents.models import CourtDocument, DocumentKind

    settings.DEBUG = True
    call_command("demo", stdout=StringIO())
    first = Case.objects.order_by("pk").first()
    summons = CourtDocument.objects.get(kind=DocumentKind.SUMMONS, case=first)
    served = Delivery.objects.filter(document=summons, served_rule="confirmed.reached")
    assert served.count() == 2
    assert all(d.proofs.filter(superseded_at__isnull=True).exists() for d in served)
    # The trial demo: one case at each stage, the closed one by an effective judgment.
    stages = list(Case.objects.order_by("pk").values_list("status", "closing_mode")[1:])
    assert stages == [
        ("closed", "judgment"),
        ("heard", ""),
        ("decided", ""),
        ("hearing_scheduled", ""),
        ("hearing_scheduled", ""),
    ]
    documents = CourtDocument.objects.count()
    call_command("demo", stdout=StringIO())
    assert CourtDocument.objects.count() == documents
