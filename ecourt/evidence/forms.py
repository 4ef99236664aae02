"""Forms of the evidence pages: adding an item, opinions, determinations, the verification
page and the court administrator's registry.

Forms only check shape (types, lengths, choices); the services decide and give the messages a
person acts on. Several forms share the item page, so each sets its own ``auto_id`` prefix.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.cases.models import EvidenceForm
from ecourt.evidence.models import EvidenceKind, Finding, Stance


class _PrefixedForm(forms.Form):
    """A form whose ids start with ``id_prefix`` (several forms share a page)."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _area(label: Any, *, max_length: int, rows: int = 4, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def _required(message: Any) -> dict[str, Any]:
    return {"required": message}


class EvidenceItemForm(forms.Form):
    """One item for a party's list. The file comes last: without JavaScript a file over the
    limit stops the upload, and only the fields sent before it reach the server. With
    JavaScript the file is uploaded in chunks first and ``upload`` carries its token."""

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        error_messages=_required(gettext_lazy("Give the item a title.")),
        help_text=gettext_lazy("For example: Screenshot of the infringing web page."),
    )
    purpose = _area(
        gettext_lazy("What it is meant to prove"),
        max_length=5000,
        rows=3,
        error_messages=_required(gettext_lazy("Say what the item is meant to prove.")),
    )
    description = _area(
        gettext_lazy("Description (optional)"), max_length=5000, rows=3, required=False
    )
    form = forms.ChoiceField(
        label=gettext_lazy("Form"),
        choices=[("", gettext_lazy("Choose the form")), *EvidenceForm.choices],
        error_messages=_required(gettext_lazy("Choose the form of the evidence.")),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Original or copy"),
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        error_messages=_required(gettext_lazy("Say whether this is an original or a copy.")),
        help_text=gettext_lazy(
            "An electronic file you made or received yourself is an original; a scan or "
            "photo of a paper document is a copy."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("Source (optional)"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Where the item comes from: a web address, a device, a person."),
    )
    deposit_no = forms.CharField(
        label=gettext_lazy("Deposit number from an institution (optional)"),
        max_length=32,
        required=False,
        help_text=gettext_lazy(
            "If a monitoring platform, notary office or forensic centre deposited this file "
            "in the court's evidence log, give its deposit number (ED-…): the court checks "
            "that the file is the one deposited."
        ),
    )
    upload = forms.CharField(required=False, widget=forms.HiddenInput)
    file = forms.FileField(
        label=gettext_lazy("The file"),
        required=False,
        help_text=gettext_lazy(
            "PDF, Word, Excel, plain text, pictures, audio, video or a web page capture."
        ),
    )

    def clean_deposit_no(self) -> str:
        return str(self.cleaned_data.get("deposit_no") or "").strip().upper()


class SubmitListForm(forms.Form):
    party = forms.IntegerField(widget=forms.HiddenInput)


class OpinionForm(_PrefixedForm):
    """An opposing party's opinion (质证意见). ``parties``: the parties the person may give it
    for; with one, the choice is hidden."""

    id_prefix = "opinion"

    party = forms.TypedChoiceField(label=gettext_lazy("On behalf of"), coerce=int)
    authenticity = forms.ChoiceField(
        label=gettext_lazy("Authenticity"), choices=Stance.choices, widget=forms.RadioSelect
    )
    legality = forms.ChoiceField(
        label=gettext_lazy("Legality"), choices=Stance.choices, widget=forms.RadioSelect
    )
    relevance = forms.ChoiceField(
        label=gettext_lazy("Relevance"), choices=Stance.choices, widget=forms.RadioSelect
    )
    reasons = _area(
        gettext_lazy("Reasons"),
        max_length=20_000,
        required=False,
        help_text=gettext_lazy("Required when you dispute any of the three."),
    )

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = parties
        if len(parties) == 1:
            field.widget = forms.HiddenInput()
            self.initial.setdefault("party", parties[0][0])


class DeterminationForm(_PrefixedForm):
    """The judge's determination (认证)."""

    id_prefix = "determination"

    authenticity = forms.ChoiceField(
        label=gettext_lazy("Authenticity"), choices=Finding.choices, widget=forms.RadioSelect
    )
    legality = forms.ChoiceField(
        label=gettext_lazy("Legality"), choices=Finding.choices, widget=forms.RadioSelect
    )
    relevance = forms.ChoiceField(
        label=gettext_lazy("Relevance"), choices=Finding.choices, widget=forms.RadioSelect
    )
    admitted = forms.TypedChoiceField(
        label=gettext_lazy("Admitted to decide the facts"),
        choices=[("yes", gettext_lazy("Admitted")), ("no", gettext_lazy("Not admitted"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reasons = _area(
        gettext_lazy("Reasons"),
        max_length=20_000,
        error_messages=_required(gettext_lazy("Give the reasons for the determination.")),
    )


_HEX = re.compile(r"^[0-9a-f]*$")


class VerifyForm(forms.Form):
    """The public verification page (GET, so a result can be linked to)."""

    sha256 = forms.CharField(
        label=gettext_lazy("SHA-256 of the file"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("64 hexadecimal digits. Choosing a file above fills it in."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
        ),
    )
    deposit_no = forms.CharField(
        label=gettext_lazy("Deposit number (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_sha256(self) -> str:
        value = "".join(str(self.cleaned_data.get("sha256") or "").split()).lower()
        if not value:
            return ""
        if not _HEX.match(value):
            raise forms.ValidationError(
                _("A SHA-256 has only the digits 0–9 and the letters a–f."), code="bad_hash"
            )
        if len(value) != 64:
            raise forms.ValidationError(
                _("A SHA-256 is 64 hexadecimal digits; this one has %(n)d.") % {"n": len(value)},
                code="bad_hash_length",
            )
        return value

    def clean_deposit_no(self) -> str:
        return str(self.cleaned_data.get("deposit_no") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("sha256") and not data.get("deposit_no"):
            raise forms.ValidationError(
                _("Choose a file, or give its SHA-256 or a deposit number."), code="empty"
            )
        return data


class InstitutionForm(_PrefixedForm):
    id_prefix = "institution"

    name = forms.CharField(label=gettext_lazy("Name of the institution"), max_length=200)


class WitnessForm(_PrefixedForm):
    id_prefix = "witness"

    verifier_key = forms.CharField(
        label=gettext_lazy("Witness verifier key"),
        max_length=300,
        help_text=gettext_lazy(
            "As the witness prints it: its name, key ID and key joined by “+” "
            "(a cosignature/v1 key)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        label=gettext_lazy("Who runs it (optional)"), max_length=300, required=False
    )
