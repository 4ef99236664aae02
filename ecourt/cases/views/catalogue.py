"""The court administrator's pages: the case-type catalogue (publish a new version) and the
court calendar (days off and working days the holidays package does not know)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from ecourt.accounts.permissions import staff_required
from ecourt.accounts.roles import Role
from ecourt.cases import selectors, services
from ecourt.cases.forms_court import (
    CalendarDayForm,
    CaseTypeFormSet,
    CataloguePublishForm,
)
from ecourt.cases.views.display import (  # shared helpers
    request_actor,
)
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.core.models import CalendarDay
from ecourt.core.selectors import court_today
from ecourt.core.services_calendar import calendar_day_add

# --- Court administrator -----------------------------------------------------------------------


@staff_required(Role.COURT_ADMIN)
def catalogue(request: HttpRequest) -> HttpResponse:
    today = court_today()
    return render(
        request,
        "cases/court/catalogue.html",
        {
            "versions": list(selectors.catalogue_versions()),
            "in_force": selectors.catalogue_version_on(today),
            "types": selectors.case_types_on(today),
            "today": today,
        },
    )


_TYPE_FIELDS = (
    "code",
    "name_en",
    "name_zh",
    "hint_en",
    "hint_zh",
    "accepted",
    "procedure_family",
    "fee_category",
    "number_type",
    "competent_court_en",
    "competent_court_zh",
)


@staff_required(Role.COURT_ADMIN)
def catalogue_publish(request: HttpRequest) -> HttpResponse:
    """Publish a new catalogue version, starting from the latest one's case types.

    The latest version, not the one in force today: when a later version is already
    published, the new one follows it and must carry its changes forward.
    """
    latest = selectors.catalogue_versions().first()
    initial = (
        [{name: getattr(t, name) for name in _TYPE_FIELDS} for t in latest.case_types.all()]
        if latest
        else []
    )
    form = CataloguePublishForm(request.POST or None)
    formset = CaseTypeFormSet(request.POST or None, initial=initial, prefix="types")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        deleted = set(map(id, formset.deleted_forms))
        specs = [f.spec() for f in formset.forms if f.cleaned_data and id(f) not in deleted]
        try:
            version = services.catalogue_publish(
                actor=request_actor(request),
                effective_from=form.cleaned_data["effective_from"],
                basis=form.cleaned_data["basis"],
                note=form.cleaned_data["note"],
                types=specs,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The new catalogue takes effect on %(date)s.")
                % {"date": version.effective_from.isoformat()},
            )
            return redirect("cases:catalogue")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/court/catalogue_publish.html",
        {"form": form, "formset": formset, "latest": latest},
        status=status,
    )


@staff_required(Role.COURT_ADMIN)
def calendar_days(request: HttpRequest) -> HttpResponse:
    """Days the court's calendar treats differently from the ``holidays`` package."""
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = calendar_day_add(
                actor=request_actor(request),
                day=form.cleaned_data["day"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("%(day)s is in the court calendar.") % {"day": entry.day.isoformat()}
            )
            return redirect("cases:calendar_days")
    days = CalendarDay.objects.select_related("added_by").order_by("-day")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/court/calendar_days.html", {"form": form, "days": days}, status=status
    )


urlpatterns: list[URLPattern] = [
    # Court administrator
    path("court/catalogue/", catalogue, name="catalogue"),
    path("court/catalogue/publish/", catalogue_publish, name="catalogue_publish"),
    path("court/calendar/", calendar_days, name="calendar_days"),
]
