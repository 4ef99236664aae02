"""Forms of the court's mediation pages: the clerk's proposal and reassignment, the court
administrator's registry of organisations and mediators, and the judge's ruling on judicial
confirmation.

Forms only check shape (types, lengths, choices); the services decide. Several forms share a
page, so each sets its own ``auto_id`` prefix: ids stay unique and labels point at the right
field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ecourt.mediation.models import OrganisationKind
from ecourt.mediation.services.registry import MAX_CAPACITY

#: Languages a mediator may speak (the platform's two languages).
LANGUAGE_CHOICES = [("zh-hans", _("Chinese")), ("en", _("English"))]


class _PrefixedForm(forms.Form):
    """A form whose ids start with ``id_prefix`` (several forms share a page)."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


# --- Filing clerk ------------------------------------------------------------------------------


class ProposeForm(_PrefixedForm):
    id_prefix = "propose"

    note = forms.CharField(
        label=_("Note to the plaintiff (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why mediation may suit this dispute. The plaintiff reads it."),
    )


class AnswerForm(forms.Form):
    """The plaintiff's answer to the clerk's proposal: two buttons, ``accept`` 1 or 0."""

    accept = forms.TypedChoiceField(
        choices=[
            ("1", pgettext_lazy("answer to the court", "Agree")),
            ("0", pgettext_lazy("answer to the court", "Decline")),
        ],
        coerce=lambda v: v == "1",
    )


class ReassignForm(_PrefixedForm):
    mediator = forms.TypedChoiceField(label=_("Mediator"), coerce=int)
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, mediators: list[tuple[int, str]], mediation_id: int, **kwargs: Any
    ) -> None:
        # One form per matter on the workload page: the matter's id keeps the ids unique.
        kwargs.setdefault("auto_id", f"reassign{mediation_id}_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["mediator"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Choose a mediator")), *mediators]


class FiguresForm(forms.Form):
    """The period the figures cover; empty means from the start or until today."""

    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


# --- Court administrator -----------------------------------------------------------------------


class OrganisationForm(_PrefixedForm):
    id_prefix = "organisation"

    name_zh = forms.CharField(label=_("Name in Chinese"), max_length=200)
    name_en = forms.CharField(label=_("Name in English (optional)"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)


class MediatorForm(_PrefixedForm):
    """Register a mediator (``people`` given) or edit one (``people`` None: no person field,
    an ``active`` box instead)."""

    id_prefix = "mediator"

    user = forms.TypedChoiceField(
        label=_("Person"),
        coerce=int,
        help_text=_("People who hold the mediator role and are not registered yet."),
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), coerce=int, required=False, empty_value=None
    )
    specialties = forms.MultipleChoiceField(
        label=_("Case types taken on"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Matters of these types are assigned to the mediator automatically."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: no restriction."),
    )
    capacity = forms.IntegerField(
        label=_("Open matters at most"), min_value=1, max_value=MAX_CAPACITY, initial=10
    )
    active = forms.BooleanField(
        label=_("Active: may be assigned new matters"), required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        people: list[tuple[int, str]] | None,
        organisations: list[tuple[int, str]],
        case_types: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["user"]
        else:
            del self.fields["active"]
            user = self.fields["user"]
            assert isinstance(user, forms.TypedChoiceField)
            user.choices = [("", _("Choose a person")), *people]
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.TypedChoiceField)
        organisation.choices = [("", _("None: invited by the court directly")), *organisations]
        specialties = self.fields["specialties"]
        assert isinstance(specialties, forms.MultipleChoiceField)
        specialties.choices = case_types


# --- Judge -------------------------------------------------------------------------------------


class ConfirmationRulingForm(_PrefixedForm):
    id_prefix = "ruling"

    decision = forms.ChoiceField(
        label=_("Ruling"),
        choices=[
            ("confirm", _("Confirm: the settlement agreement is valid")),
            ("reject", _("Reject the application")),
        ],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required to reject (at least 10 characters); optional to confirm."),
    )
