"""Public pages, health checks, the language switcher, error pages and staff tools."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ecourt.accounts.permissions import staff_required
from ecourt.accounts.roles import Role
from ecourt.core import selectors
from ecourt.core.forms import AuditSearchForm
from ecourt.core.sms import read_file_outbox


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Checks nothing else, so a slow database never restarts it."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database reachable, migrations applied, file storage writable."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    if checks["database"]["ok"]:
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            checks["migrations"] = {"ok": not plan, "pending": len(plan)}
        except Exception as exc:
            checks["migrations"] = {"ok": False, "error": type(exc).__name__}
    else:
        checks["migrations"] = {"ok": False, "error": "database unavailable"}
    try:
        name = default_storage.save(f"readyz/{uuid.uuid4().hex}", ContentFile(b"ok"))
        default_storage.delete(name)
        checks["storage"] = {"ok": True}
    except Exception as exc:
        checks["storage"] = {"ok": False, "error": type(exc).__name__}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header language switcher: remembered in a cookie and, if signed in, on the account."""
    from ecourt.accounts.services import user_set_language
    from ecourt.accounts.views.auth import remember_language

    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language. Choose English or 简体中文."))
        return HttpResponseRedirect(target)
    if request.user.is_authenticated:
        user_set_language(actor=request.user, language=language)
    translation.activate(language)
    return remember_language(HttpResponseRedirect(target), language)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the database may be why we are here.
    from django.template import loader

    template = loader.get_template("errors/500.html")
    return HttpResponse(
        template.render({"request_id": getattr(request, "request_id", "")}), status=500
    )


@staff_required(Role.COURT_ADMIN)
def audit_search(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    events = selectors.audit_events_search(**(form.cleaned_data if form.is_valid() else {}))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_search.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@staff_required(Role.COURT_ADMIN)
def sms_outbox(request: HttpRequest) -> HttpResponse:
    """What the file SMS backend "sent": lets a person try sign-up locally. Off in production."""
    if not settings.ECOURT_SMS_OUTBOX_PAGE or settings.ECOURT_SMS_BACKEND != "file":
        raise Http404
    return render(request, "core/sms_outbox.html", {"messages_sent": read_file_outbox()})
