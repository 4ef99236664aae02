"""ecourt's own `manage.py check --deploy` warnings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def tasks_backend_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    backend = str(settings.TASKS["default"]["BACKEND"])
    if backend.endswith("ImmediateBackend"):
        return [
            Warning(
                "ECOURT_TASKS_BACKEND=immediate sends messages inside the request and never "
                "retries a failed one.",
                hint="Use ECOURT_TASKS_BACKEND=db and run `ecourt worker` beside the web server.",
                id="ecourt.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def payment_provider_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    warnings = []
    if settings.ECOURT_PAYMENT_PROVIDER == "sandbox":
        warnings.append(
            Warning(
                "ECOURT_PAYMENT_PROVIDER=sandbox lets applicants mark their fee paid with a "
                "click; no money moves.",
                hint="Use bank_transfer (the default) in a real court.",
                id="ecourt.W002",
            )
        )
    elif not (settings.ECOURT_BANK_ACCOUNT and settings.ECOURT_BANK_PAYEE):
        warnings.append(
            Warning(
                "ECOURT_BANK_PAYEE and ECOURT_BANK_ACCOUNT are not set: applicants are not "
                "told where to transfer the fee.",
                hint="Set ECOURT_BANK_PAYEE, ECOURT_BANK_NAME and ECOURT_BANK_ACCOUNT.",
                id="ecourt.W003",
            )
        )
    return warnings
