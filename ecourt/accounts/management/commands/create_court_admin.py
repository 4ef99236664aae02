from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from ecourt.accounts.models import RoleGrant, User
from ecourt.accounts.roles import Role
from ecourt.accounts.rules import IdentityRuleError, normalise_mobile
from ecourt.core.audit import audit_record


class Command(BaseCommand):
    help = (
        "Create the first court administrator (or give an existing account that role). "
        "Further staff roles are granted in the web UI by an administrator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mobile", required=True, help="Mobile number (login).")
        parser.add_argument("--name", required=True, help="Display name.")
        parser.add_argument("--email", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mobile = normalise_mobile(options["mobile"])
        except IdentityRuleError as exc:
            raise CommandError(str(exc.message)) from exc
        user = User.objects.filter(mobile=mobile).first()
        password = None
        if user is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The two passwords differ.")
            try:
                password_validation.validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            if user is None:
                # The operator at the server console vouches for the details typed here.
                now = timezone.now()
                user = User.objects.create_user(
                    mobile,
                    password,
                    display_name=options["name"],
                    email=options["email"],
                    mobile_verified_at=now,
                    email_verified_at=now if options["email"] else None,
                )
                audit_record(
                    code="ecourt.accounts.user.created_by_command", actor=None, target=user
                )
            _grant, created = RoleGrant.objects.get_or_create(user=user, role=Role.COURT_ADMIN)
            if created:
                audit_record(
                    code="ecourt.accounts.role.granted",
                    actor=None,
                    target=user,
                    new={"role": Role.COURT_ADMIN, "via": "create_court_admin"},
                )
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        self.stdout.write(
            f"{user.display_name} (#{user.pk}) is a court administrator. At the first sign-in "
            "they enrol an authenticator app (TOTP)."
        )
