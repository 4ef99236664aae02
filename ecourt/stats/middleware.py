"""Counts HTML page views for the statistics (rules in ``rules.py``, buffer in ``visits.py``).

Last in ``MIDDLEWARE``, so it sees the view's own response: redirects made by outer middleware
(login, one-time password, trailing slash) are not page views anyway. It reads no database and
never lets an error of its own reach the person asking for the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from ecourt.core.middleware import client_ip
from ecourt.delivery.http import is_prefetch
from ecourt.stats import rules
from ecourt.stats.visits import flush_seconds, visit_buffer

logger = logging.getLogger(__name__)


class VisitCountingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if flush_seconds() > 0:
            try:
                visit_count(request, response)
            except Exception:  # a statistic is never worth a failed page
                logger.exception("visit not counted")
        return response


def visit_count(request: HttpRequest, response: HttpResponseBase) -> bool:
    """Count the request as a page view if the rules say it is one. Returns whether it was."""
    user_agent = request.headers.get("User-Agent", "")
    if rules.exclusion(
        method=request.method or "",
        path=request.path_info,
        status=response.status_code,
        content_type=str(response.get("Content-Type", "")),
        user_agent=user_agent,
        fetch_dest=request.headers.get("Sec-Fetch-Dest", ""),
        prefetch=is_prefetch(request),
    ):
        return False
    match = request.resolver_match
    group = rules.page_group(namespace=match.namespace if match else "", path=request.path_info)
    visit_buffer().add(
        day=timezone.localdate(),
        group=group.value,
        visitor=rules.visitor_digest(client_ip(request), user_agent),
    )
    return True
