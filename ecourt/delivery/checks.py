"""System checks: the links that texts and emails carry must reach the court from outside."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@register(Tags.security, deploy=True)
def public_url_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A warning for a production deployment whose ECOURT_PUBLIC_URL is loopback or http."""
    url = urlsplit(settings.ECOURT_PUBLIC_URL)
    if url.scheme != "https" or (url.hostname or "") in _LOOPBACK:
        return [
            Warning(
                f"ECOURT_PUBLIC_URL is {settings.ECOURT_PUBLIC_URL!r}: delivery texts and emails "
                "link there, so recipients could not open their documents. Set the court's "
                "https address.",
                id="ecourt.delivery.W001",
            )
        ]
    return []
