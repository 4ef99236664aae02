"""The court staff's statistics dashboard: the staff figures of docs/statistics.md for a period,
narrowed by case type and judge.

Any court staff member may read it (aggregates only, no case data), after the TOTP step;
anyone else gets 403 like every staff page (``staff_required``), anonymous visitors are sent
to sign in. A bad date or filter shows the form again with the message next to the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ecourt.accounts.permissions import staff_required
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.stats import selectors_court
from ecourt.stats.selectors import Period, period_parse
from ecourt.stats.selectors_court import CourtFilter, Option


class CourtFiguresForm(forms.Form):
    """The period and the filters, as query parameters named like the API's (``from``,
    ``until``, ``case_type``, ``judge``). Dates are checked by ``period_parse`` so the page
    and the API give the same messages."""

    def __init__(
        self, data: Any, *, case_types: list[Option], judges: list[Option], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        # "from" is a Python keyword, hence the fields are added here, not declared.
        self.fields["from"] = forms.CharField(
            label=_("From"),
            required=False,
            max_length=20,
            help_text=_("YYYY-MM-DD. Empty: since the platform started."),
            widget=forms.DateInput(attrs={"type": "date"}),
        )
        self.fields["until"] = forms.CharField(
            label=_("Until"),
            required=False,
            max_length=20,
            help_text=_("YYYY-MM-DD, included. Empty: today."),
            widget=forms.DateInput(attrs={"type": "date"}),
        )
        self.fields["case_type"] = forms.ChoiceField(
            label=_("Case type"),
            required=False,
            choices=[("", _("All case types"))] + [(o.value, o.label) for o in case_types],
        )
        self.fields["judge"] = forms.ChoiceField(
            label=_("Judge"),
            required=False,
            choices=[("", _("All judges"))] + [(o.value, o.label) for o in judges],
        )
        self.period: Period | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            self.period = period_parse(cleaned.get("from"), cleaned.get("until"))
        except DomainError as exc:
            add_domain_error(self, exc)
        return cleaned

    @property
    def court_filter(self) -> CourtFilter:
        judge = self.cleaned_data.get("judge") or ""
        return CourtFilter(
            case_type=self.cleaned_data.get("case_type") or "",
            judge_id=int(judge) if judge else None,
        )


@staff_required()
def court_dashboard(request: HttpRequest) -> HttpResponse:
    """The staff figures for the period and filters asked for (all of them by default)."""
    case_types = selectors_court.case_type_options()
    judges = selectors_court.judge_options()
    form = CourtFiguresForm(request.GET, case_types=case_types, judges=judges)
    if not form.is_valid() or form.period is None:
        return render(request, "stats/court.html", {"form": form, "figures": None}, status=400)
    court_filter = form.court_filter
    return render(
        request,
        "stats/court.html",
        {
            "form": form,
            "figures": selectors_court.court_figures(form.period, court_filter),
            "case_type_name": next(
                (o.label for o in case_types if o.value == court_filter.case_type), ""
            ),
            "judge_name": next(
                (o.label for o in judges if o.value == str(court_filter.judge_id)), ""
            ),
        },
    )
