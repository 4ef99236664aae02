"""System checks: the log cannot sign without its key."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


def _problem() -> str | None:
    from ecourt.evidence.keys import log_signer

    try:
        log_signer()
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


@register(Tags.security)
def log_key_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A warning on every command (deposits wait unsigned; the server still runs)."""
    problem = _problem()
    return [Warning(problem, id="ecourt.evidence.W001")] if problem else []


@register(Tags.security, deploy=True)
def log_key_deploy_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """An error for a production deployment: receipts cannot exist without the key."""
    problem = _problem()
    return [Error(problem, id="ecourt.evidence.E001")] if problem else []
