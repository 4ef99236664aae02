"""Forms of the court's side: the filing clerk's decisions, the case page, the catalogue and
the court calendar.

Forms only check shape (types, lengths, choices); the services decide. Several forms share one
page, so each sets its own ``auto_id`` prefix: ids stay unique and labels point at the right
field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecourt.cases.models import (
    CaseStatus,
    ClosingMode,
    Procedure,
    ProcedureFamily,
    ResponseKind,
)
from ecourt.cases.rules.case_numbers import CaseTypeCode, parse_case_number
from ecourt.cases.rules.fees import FeeCategory
from ecourt.cases.rules.jurisdiction import CaseTypeSpec
from ecourt.core.models import CalendarDay


class _PrefixedForm(forms.Form):
    """A form whose ids start with ``id_prefix`` (several forms share a page)."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- Filing review -----------------------------------------------------------------------------


class AcceptForm(_PrefixedForm):
    id_prefix = "accept"

    judge = forms.TypedChoiceField(
        label=_("Judge"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("The fewest open cases first; the first is the default."),
    )
    procedure = forms.ChoiceField(label=_("Procedure"), choices=Procedure.choices)

    def __init__(self, *args: Any, judges: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["judge"]
        assert isinstance(field, forms.TypedChoiceField)
        if judges:
            field.choices = judges
            field.required = True
        else:
            field.choices = [("", _("No judge yet: assign later"))]


class CorrectionsForm(_PrefixedForm):
    id_prefix = "corrections"

    items = forms.CharField(
        label=_("What to correct"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One item per line. Ask once and in full: list everything the applicant must fix."
        ),
    )
    due = forms.DateField(label=_("Correct by"), widget=_date_input())

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class RefuseForm(_PrefixedForm):
    id_prefix = "refuse"

    reason = forms.CharField(
        label=_("Reasons for not accepting"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "The ruling not to accept is served on the applicant, who may appeal within 10 days. "
            "Name the competent court when this court does not hear the case."
        ),
    )


class PaymentConfirmForm(_PrefixedForm):
    id_prefix = "payment"

    record = forms.CharField(
        label=_("Bank statement line"),
        max_length=200,
        help_text=_("Copy the line that shows the transfer with its reference."),
    )


class FeeReliefDecisionForm(_PrefixedForm):
    id_prefix = "relief"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("grant", _("Grant")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reduced_fee = forms.DecimalField(
        label=_("Reduced fee (yuan)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_("Only when granting a reduction."),
    )
    reason = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when refusing."),
    )


# --- Cases -------------------------------------------------------------------------------------


class CaseSearchForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *CaseStatus.choices],
    )
    q = forms.CharField(label=_("Case number or title"), required=False, max_length=100, strip=True)

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "").replace("\x00", "")


class CaseLinkForm(_PrefixedForm):
    id_prefix = "link"

    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("As in the message from the court, e.g. (2026)京0491民初123号."),
    )
    code = forms.CharField(
        label=_("Association code"),
        max_length=20,
        help_text=_("The 8 characters in the same message."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_case_number(self) -> str:
        # Typed with full-width brackets or spaces, it is still the same number. A text that
        # is no case number goes on as typed: the service answers it like any wrong number.
        value = "".join(str(self.cleaned_data["case_number"]).replace("\x00", "").split())
        try:
            return str(parse_case_number(value))
        except ValueError:
            return value


class ResponseForm(_PrefixedForm):
    id_prefix = "response"

    kind = forms.ChoiceField(
        label=_("What you file"), choices=ResponseKind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "An objection to jurisdiction must be filed within the answer period. Each may be "
            "filed once."
        ),
    )


class OnlineConsentForm(_PrefixedForm):
    id_prefix = "online"

    consent = forms.TypedChoiceField(
        label=_("Do you agree to litigate this case online?"),
        choices=[
            ("yes", _("Yes, I agree to litigate online")),
            ("no", _("No, my part should run offline")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )


#: What the judge can do on the case page, and the status each move leads to.
JUDGE_ACTIONS: dict[str, tuple[str, Any]] = {
    "open_evidence_exchange": (CaseStatus.EVIDENCE_EXCHANGE, _("Open evidence exchange")),
    "schedule_hearing": (CaseStatus.HEARING_SCHEDULED, _("Schedule the hearing")),
    "record_heard": (CaseStatus.HEARD, _("Record that the hearing was held")),
    "decide": (CaseStatus.DECIDED, _("Issue the decision")),
    "make_effective": (CaseStatus.EFFECTIVE, _("Record that the decision is in effect")),
    "close": (CaseStatus.CLOSED, _("Close the case")),
}


class CaseActionForm(_PrefixedForm):
    id_prefix = "action"

    action = forms.ChoiceField(
        choices=[(code, label) for code, (_status, label) in JUDGE_ACTIONS.items()]
    )
    on = forms.DateField(label=_("Hearing date"), required=False, widget=_date_input())
    kind = forms.ChoiceField(
        label=pgettext_lazy("judicial decision", "Decision"),
        required=False,
        choices=[
            (ClosingMode.JUDGMENT, ClosingMode.JUDGMENT.label),
            (ClosingMode.RULING, ClosingMode.RULING.label),
        ],
    )
    mode = forms.ChoiceField(
        label=_("How the case ends"), required=False, choices=ClosingMode.choices
    )

    def offer_modes(self, modes: list[str]) -> None:
        """Show only the closing modes allowed now. Called after validation: a mode posted
        from an outdated page still reaches the service, which says why it is refused."""
        field = self.fields["mode"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(mode, ClosingMode(mode).label) for mode in modes]


class ServiceRecordForm(_PrefixedForm):
    id_prefix = "service"

    party = forms.TypedChoiceField(label=_("Defendant"), coerce=int)
    served_on = forms.DateField(label=_("Served on"), widget=_date_input())
    method = forms.CharField(
        label=_("How"),
        max_length=100,
        help_text=_("For example: by post, tracking number …; in person at the court."),
    )

    def __init__(self, *args: Any, defendants: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = defendants


# --- Court administration ----------------------------------------------------------------------


class CataloguePublishForm(_PrefixedForm):
    id_prefix = "catalogue"

    effective_from = forms.DateField(
        label=_("In force from"),
        widget=_date_input(),
        help_text=_("Tomorrow at the earliest, and after every version already published."),
    )
    basis = forms.CharField(
        label=_("Basis"),
        max_length=300,
        help_text=_("The instrument that sets this list, e.g. an SPC provision."),
    )
    note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _blank_first(values: list[str]) -> list[tuple[str, str]]:
    return [("", "—")] + [(value, value) for value in values]


class CaseTypeForm(forms.Form):
    """One case type of a catalogue version (a row of the publish formset)."""

    code = forms.SlugField(label=_("Code"), max_length=60)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    hint_en = forms.CharField(label=_("Example (English)"), max_length=300, required=False)
    hint_zh = forms.CharField(label=_("Example (Chinese)"), max_length=300, required=False)
    accepted = forms.BooleanField(label=_("Heard by this court"), required=False, initial=True)
    procedure_family = forms.ChoiceField(
        label=_("Procedure family"),
        choices=ProcedureFamily.choices,
        initial=ProcedureFamily.CIVIL,  # an untouched empty row is not a change
    )
    fee_category = forms.ChoiceField(
        label=_("Fee category"),
        required=False,
        choices=_blank_first([c.value for c in FeeCategory]),
    )
    number_type = forms.ChoiceField(
        label=_("Case-number type"),
        required=False,
        choices=_blank_first([c.value for c in CaseTypeCode]),
    )
    competent_court_en = forms.CharField(
        label=_("Competent court (English)"), max_length=300, required=False
    )
    competent_court_zh = forms.CharField(
        label=_("Competent court (Chinese)"), max_length=300, required=False
    )

    def spec(self) -> CaseTypeSpec:
        data = self.cleaned_data
        return CaseTypeSpec(
            code=data["code"],
            name_en=data["name_en"],
            name_zh=data["name_zh"],
            hint_en=data["hint_en"],
            hint_zh=data["hint_zh"],
            accepted=bool(data["accepted"]),
            procedure_family=data["procedure_family"],
            fee_category=data["fee_category"],
            number_type=data["number_type"],
            competent_court_en=data["competent_court_en"],
            competent_court_zh=data["competent_court_zh"],
        )


CaseTypeFormSet = forms.formset_factory(CaseTypeForm, extra=3, can_delete=True, max_num=200)


class CalendarDayForm(_PrefixedForm):
    id_prefix = "calendar"

    day = forms.DateField(label=_("Day"), widget=_date_input())
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CalendarDay.Kind.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Basis"),
        max_length=200,
        help_text=_("Which notice or decision says so, e.g. the State Council notice for 2027."),
    )
