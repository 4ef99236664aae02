"""System checks: issued PDFs cannot be sealed without the seal's key and certificate."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register


def _problem() -> str | None:
    from ecourt.documents.sign import seal_problem

    return seal_problem()


@register(Tags.security)
def seal_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A warning on every command (the site runs; issuing a rendered document fails)."""
    problem = _problem()
    return [Warning(problem, id="ecourt.documents.W001")] if problem else []


@register(Tags.security, deploy=True)
def seal_deploy_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """An error for a production deployment: judgments cannot be issued unsealed."""
    problem = _problem()
    return [Error(problem, id="ecourt.documents.E001")] if problem else []
