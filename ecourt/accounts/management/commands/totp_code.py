from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ecourt.accounts.backends import user_for_login


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff account (ECOURT_DEBUG=1 only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login", help="Mobile number or email of the demo account.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Only available with ECOURT_DEBUG=1.")
        user = user_for_login(options["login"])
        if user is None:
            raise CommandError("No such account.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True, name="demo").first()
        if device is None:
            raise CommandError("This account has no demo authenticator.")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
