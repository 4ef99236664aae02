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
