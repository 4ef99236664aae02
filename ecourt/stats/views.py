"""The public statistics page and its CSV downloads (open data). Anyone may read them, signed
in or not.

CSV files are UTF-8 with a byte-order mark: Excel, as installed in China, reads a CSV file
without one as GBK and garbles the Chinese case-type names; with it, Excel and LibreOffice
read UTF-8, and Python's ``csv`` reads it with ``encoding="utf-8-sig"``. The header row uses
the JSON keys of the API.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ecourt.core.errors import DomainError
from ecourt.stats import charts, opendata, selectors
from ecourt.stats.selectors import Period, Summary


def _count(value: int) -> str:
    """A whole number as written in the page's language (English groups thousands)."""
    return formats.number_format(value, force_grouping=True)


def _percent(share: Decimal) -> str:
    return _("%(number)s%%") % {"number": formats.number_format(share * 100, decimal_pos=1)}


def _case_type_name(share: selectors.CaseTypeShare) -> str:
    language = translation.get_language() or ""
    return share.name_zh if language.startswith("zh") else share.name_en


def _figures(summary: Summary) -> list[dict[str, str]]:
    """The headline figures, labelled, as shown."""
    rate = summary.online_filing_rate
    return [
        {"key": "visits", "label": _("Visits"), "value": _count(summary.visits)},
        {
            "key": "registered_users",
            "label": _("Registered users"),
            "value": _count(summary.registered_users),
        },
        {"key": "applications", "label": _("Applications"), "value": _count(summary.applications)},
        {
            "key": "diverted_to_adr",
            "label": _("Diverted to mediation (ADR)"),
            "value": _count(summary.diverted_to_adr),
        },
        {"key": "filed", "label": _("Filed (docketed)"), "value": _count(summary.filed)},
        {"key": "closed", "label": _("Closed"), "value": _count(summary.closed)},
        {
            "key": "online_filing_rate",
            "label": _("Online filing rate"),
            "value": _percent(rate) if rate is not None else "",
        },
    ]


def _case_type_chart(summary: Summary) -> dict[str, Any]:
    rows = [
        {
            "name": _case_type_name(share),
            "code": share.code,
            "applications": _count(share.applications),
            "share": _percent(share.share),
        }
        for share in summary.case_types
    ]
    title = _("Applications by case type")
    if summary.case_types:
        top = summary.case_types[0]
        desc = _(
            "%(count)s case types. The most common is “%(name)s”: %(share)s of all "
            "applications (%(applications)s)."
        ) % {
            "count": _count(len(summary.case_types)),
            "name": _case_type_name(top),
            "share": _percent(top.share),
            "applications": _count(top.applications),
        }
    else:
        desc = _("No applications in this period.")
    svg = charts.bar_chart(
        [
            charts.Bar(
                label=row["name"],
                value=share.applications,
                value_text=f"{row['applications']} ({row['share']})",
            )
            for row, share in zip(rows, summary.case_types, strict=True)
        ],
        chart_id="chart-case-types",
        title=title,
        desc=desc,
        empty_text=_("No applications in this period."),
    )
    return {"title": title, "svg": svg, "rows": rows}


def _series_chart(period: Period) -> dict[str, Any]:
    if opendata.is_weekly(period):
        weekly = opendata.applications_weekly(period)
        points = [charts.Point(w.week_start.isoformat(), w.applications) for w in weekly]
        title = _("Applications per week")
        unit = _("Week starting")
        busiest_text = _("The most applications, %(most)s, came in the week starting %(busiest)s.")
    else:
        monthly = opendata.applications_monthly(period)
        points = [charts.Point(m.month_start.strftime("%Y-%m"), m.applications) for m in monthly]
        title = _("Applications per month")
        unit = _("Month")
        busiest_text = _("The most applications, %(most)s, came in %(busiest)s.")
    busiest = max(points, key=lambda p: p.value)
    desc = _("From %(first)s to %(last)s.") % {
        "first": points[0].label,
        "last": points[-1].label,
    }
    if busiest.value:
        desc += " " + busiest_text % {"most": _count(busiest.value), "busiest": busiest.label}
    else:
        desc += " " + _("No applications in this period.")
    svg = charts.line_chart(
        points,
        chart_id="chart-applications",
        title=title,
        desc=desc,
        empty_text=_("No applications in this period."),
        number_text=_count,
    )
    rows = [{"label": p.label, "applications": _count(p.value)} for p in points]
    return {"title": title, "svg": svg, "rows": rows, "unit": unit}


def _funnel_chart(summary: Summary) -> dict[str, Any]:
    stages = [
        (_("Applications"), summary.applications),
        (_("Diverted to mediation (ADR)"), summary.diverted_to_adr),
        (_("Filed (docketed)"), summary.filed),
        (_("Closed"), summary.closed),
    ]
    title = _("From application to closing")
    desc = _(
        "Applications %(applications)s; diverted to mediation %(diverted)s; filed "
        "%(filed)s; closed %(closed)s. Each stage counts what happened in the period, so a "
        "case closed in it may have been filed earlier."
    ) % {
        "applications": _count(summary.applications),
        "diverted": _count(summary.diverted_to_adr),
        "filed": _count(summary.filed),
        "closed": _count(summary.closed),
    }
    svg = charts.funnel_chart(
        [charts.Bar(label=label, value=n, value_text=_count(n)) for label, n in stages],
        chart_id="chart-funnel",
        title=title,
        desc=desc,
        empty_text="",
    )
    rows = [{"label": label, "value": _count(n)} for label, n in stages]
    return {"title": title, "svg": svg, "rows": rows}


@require_safe
def public(request: HttpRequest) -> HttpResponse:
    """The court's figures for a period (since launch by default), with charts, their data
    tables and the open-data downloads. A bad date is shown next to its field; the figures
    below are then those of the default period."""
    raw = {"from": request.GET.get("from", ""), "until": request.GET.get("until", "")}
    errors: dict[str, str] = {}
    try:
        period = opendata.period_requested(raw["from"], raw["until"])
    except DomainError as exc:
        errors[exc.field or "from"] = str(exc.message)
        period = selectors.period_default()
    summary = selectors.summary(period)
    query = urlencode({"from": period.start.isoformat(), "until": period.end.isoformat()})
    fields = [
        {
            "name": name,
            "label": label,
            "value": raw[name] if errors else iso,
            "error": errors.get(name, ""),
        }
        for name, label, iso in (
            ("from", _("From"), period.start.isoformat()),
            ("until", _("Until"), period.end.isoformat()),
        )
    ]
    return render(
        request,
        "stats/public.html",
        {
            "period": period,
            "period_default": bool(errors),
            "fields": fields,
            "figures": _figures(summary),
            "case_types": _case_type_chart(summary),
            "series": _series_chart(period),
            "funnel": _funnel_chart(summary),
            "query": query,
            "api_url": f"{reverse('api:stats_summary')}?{query}",
            "show_court_link": bool(getattr(request.user, "is_court_staff", False)),
        },
    )


# --- CSV ----------------------------------------------------------------------------------------


def _csv(
    request: HttpRequest, name: str, rows_for: Callable[[Period], list[list[str]]]
) -> HttpResponse:
    try:
        period = opendata.period_requested(request.GET.get("from"), request.GET.get("until"))
    except DomainError as exc:
        return HttpResponse(str(exc.message), status=400, content_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the byte-order mark: see the module's docstring
    csv.writer(buffer, lineterminator="\r\n").writerows(rows_for(period))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{name}_{period.start.isoformat()}_{period.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def summary_csv(request: HttpRequest) -> HttpResponse:
    return _csv(request, "summary", lambda p: opendata.summary_rows(selectors.summary(p)))


@require_safe
def case_types_csv(request: HttpRequest) -> HttpResponse:
    return _csv(
        request, "case-types", lambda p: opendata.case_type_rows(selectors.case_type_shares(p))
    )


@require_safe
def weekly_csv(request: HttpRequest) -> HttpResponse:
    return _csv(request, "weekly", lambda p: opendata.weekly_rows(opendata.applications_weekly(p)))
