from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ecourt.core.court import get_court_profile


def court(request: HttpRequest) -> dict[str, Any]:
    return {"court": get_court_profile()}
