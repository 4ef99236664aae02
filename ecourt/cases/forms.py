"""Forms of the filing wizard and the application page. Forms check shape (a file is really a
PDF or a picture, an email looks like one); the services check meaning and give the messages a
person acts on, so most text fields are optional here and required there."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from ecourt.accounts.models import Company
from ecourt.cases.models import (
    AgentKind,
    AuthorityScope,
    CaseType,
    EvidenceForm,
    FeeRelief,
    FilingCapacity,
    Party,
    PartyKind,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The largest power of attorney accepted (a multi-page scan as PDF).
MAX_POWER_OF_ATTORNEY_BYTES = 10 * 1024 * 1024


def _text(
    label: StrOrPromise,
    *,
    max_length: int,
    help_text: StrOrPromise = "",
    input_type: str = "text",
    **attrs: str,
) -> forms.CharField:
    widget = forms.TextInput(attrs=attrs)
    widget.input_type = input_type  # tel: the phone keyboard shows digits
    return forms.CharField(
        label=label, max_length=max_length, required=False, help_text=help_text, widget=widget
    )


def _area(
    label: StrOrPromise, *, max_length: int, rows: int = 4, help_text: StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class PowerOfAttorneyField(forms.FileField):
    """A signed power of attorney: a PDF or a photo, judged by its content, at most 10 MB."""

    formats = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}

    def to_python(self, data: Any) -> UploadedFile | None:
        upload = cast(UploadedFile | None, super().to_python(data))
        if upload is None:
            return None
        if upload.size and upload.size > MAX_POWER_OF_ATTORNEY_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(MAX_POWER_OF_ATTORNEY_BYTES),
                },
                code="file_too_large",
            )
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head == b"%PDF-":
            upload.name = "upload.pdf"
            return upload
        try:
            with Image.open(upload) as image:
                image_format = image.format or ""
                image.verify()
        except Exception:  # Pillow raises many kinds of errors for what is not a picture
            image_format = ""
        upload.seek(0)
        if image_format not in self.formats:
            raise forms.ValidationError(
                _("Upload the power of attorney as a PDF or as a photo (JPEG, PNG or WebP)."),
                code="invalid_file",
            )
        # Stored by what the content is, never by the name the sender gave it.
        upload.name = "upload" + self.formats[image_format]
        return upload


class BlankAwareForm(forms.Form):
    """An "add" form next to a "Save and continue" button: continuing with nothing typed
    moves on, continuing with something typed adds it first."""

    content_fields: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name) for name in self.content_fields)


class StartForm(forms.Form):
    capacity = forms.ChoiceField(
        label=gettext_lazy("Whom do you file for?"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whom you file for.")},
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(
        self, *args: Any, companies: Iterable[Company] = (), is_lawyer: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [(FilingCapacity.SELF, _("For myself"))]
        choices += [
            (
                f"company-{company.pk}",
                _("For %(company)s, a company I represent") % {"company": company.name},
            )
            for company in companies
        ]
        if is_lawyer:
            choices.append((FilingCapacity.CLIENT, _("As a lawyer, for a client")))
        field = cast(forms.ChoiceField, self.fields["capacity"])
        field.choices = choices
        field.initial = FilingCapacity.SELF

    def filer(self) -> tuple[str, int | None]:
        """The capacity and, for a company, its id."""
        value = str(self.cleaned_data["capacity"])
        if value.startswith("company-"):
            return FilingCapacity.COMPANY, int(value.removeprefix("company-"))
        return value, None


class CaseTypeForm(forms.Form):
    """The page renders the radio buttons itself, to give each its example and to group the
    disputes the court does not hear."""

    case_type = forms.ChoiceField(
        label=gettext_lazy("What is your dispute about?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose what your dispute is about."),
            "invalid_choice": gettext_lazy("Choose one of the case types listed."),
        },
    )

    def __init__(self, *args: Any, case_types: Sequence[CaseType] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["case_type"])
        field.choices = [(case_type.code, case_type.name) for case_type in case_types]


class PartyForm(BlankAwareForm):
    content_fields = (
        "name",
        "id_number",
        "legal_representative",
        "mobile",
        "email",
        "address",
        "power_of_attorney",
    )

    kind = forms.ChoiceField(
        label=gettext_lazy("Is this a person or a company?"),
        choices=PartyKind.choices,
        initial=PartyKind.PERSON,
        required=False,
        widget=forms.RadioSelect,
    )
    name = _text(
        gettext_lazy("Full legal name"),
        max_length=200,
        help_text=gettext_lazy("For a company: its registered name, as on its business licence."),
    )
    id_number = _text(
        gettext_lazy("ID number"),
        max_length=40,
        help_text=gettext_lazy(
            "For a person: the resident identity card number. For a company: the unified "
            "social credit code (18 characters). Leave empty if you do not know it."
        ),
    )
    legal_representative = _text(
        gettext_lazy("Legal representative (companies only)"),
        max_length=100,
        help_text=gettext_lazy("The person named as legal representative on the licence."),
    )
    mobile = _text(
        gettext_lazy("Mobile number"),
        max_length=20,
        input_type="tel",
        autocomplete="off",
        inputmode="tel",
    )
    email = forms.EmailField(
        label=gettext_lazy("Email address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    address = _text(gettext_lazy("Address"), max_length=300)

    def __init__(
        self, *args: Any, defendant: bool = False, for_client: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if defendant:
            self.fields["mobile"].help_text = _(
                "Give a mobile number or an email address, or both: the court sends the "
                "defendant the code to join the case there."
            )
        if for_client:
            self.fields["power_of_attorney"] = PowerOfAttorneyField(
                label=_("Your client's signed power of attorney"),
                required=False,
                help_text=_("A PDF or a photo of the signed document, at most 10 MB."),
            )
            self.fields["scope"] = forms.ChoiceField(
                label=_("What your client authorised you to do"),
                choices=AuthorityScope.choices,
                initial=AuthorityScope.GENERAL,
                required=False,
                widget=forms.RadioSelect,
            )


class AgentForm(BlankAwareForm):
    content_fields = ("agent_mobile", "power_of_attorney")

    party = forms.ChoiceField(label=gettext_lazy("Agent for"), required=False)
    agent_mobile = _text(
        gettext_lazy("Your agent's mobile number"),
        max_length=20,
        help_text=gettext_lazy(
            "The number your agent registered with. They must have an account here and have "
            "verified their identity."
        ),
        input_type="tel",
        autocomplete="off",
        inputmode="tel",
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Who is your agent?"),
        choices=AgentKind.choices,
        initial=AgentKind.LAWYER,
        required=False,
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("What may your agent do?"),
        choices=AuthorityScope.choices,
        initial=AuthorityScope.GENERAL,
        required=False,
        widget=forms.RadioSelect,
    )
    power_of_attorney = PowerOfAttorneyField(
        label=gettext_lazy("Signed power of attorney"),
        required=False,
        help_text=gettext_lazy("A PDF or a photo of the signed document, at most 10 MB."),
    )

    def __init__(self, *args: Any, plaintiffs: Sequence[Party] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["party"])
        field.choices = [(str(party.pk), party.name) for party in plaintiffs]


class ClaimForm(BlankAwareForm):
    content_fields = ("text", "amount")

    text = _area(
        gettext_lazy("What do you ask the court to order?"),
        max_length=2000,
        rows=3,
        help_text=gettext_lazy(
            "One claim at a time, for example: Order the defendant to pay me 3,000 yuan."
        ),
    )
    amount = _text(
        gettext_lazy("Amount in yuan, if this claim asks for money"),
        max_length=30,
        help_text=gettext_lazy("Digits only, for example 3000 or 2999.50."),
        inputmode="decimal",
        autocomplete="off",
    )


class FactsForm(forms.Form):
    facts = _area(
        gettext_lazy("Facts and reasons"),
        max_length=50_000,
        rows=14,
        help_text=gettext_lazy(
            "At least 20 characters. You can come back and change it until you submit."
        ),
    )


class EvidenceListingForm(BlankAwareForm):
    content_fields = ("title", "description", "purpose")

    title = _text(
        gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy("For example: Screenshots of the shop's product page."),
    )
    form = forms.ChoiceField(
        label=gettext_lazy("What kind of evidence is it?"),
        choices=EvidenceForm.choices,
        initial=EvidenceForm.DOCUMENT,
        required=False,
    )
    description = _area(gettext_lazy("Description (optional)"), max_length=5000, rows=3)
    purpose = _area(
        gettext_lazy("What does it prove?"),
        max_length=2000,
        rows=3,
        help_text=gettext_lazy("For example: The shop promised delivery within 3 days."),
    )


class DeliveryForm(forms.Form):
    mobile = _text(
        gettext_lazy("Mobile number for court notices"),
        max_length=20,
        input_type="tel",
        autocomplete="tel",
        inputmode="tel",
    )
    email = forms.EmailField(
        label=gettext_lazy("Email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    postal_address = _text(
        gettext_lazy("Postal address (optional)"),
        max_length=300,
        help_text=gettext_lazy("Where paper documents can reach you if ever needed."),
        autocomplete="street-address",
    )
    electronic_service_consent = forms.BooleanField(
        label=gettext_lazy("Judgments and rulings may also be served on me electronically"),
        required=False,
        help_text=gettext_lazy(
            "Without this, the court serves judgments, rulings and mediation agreements on paper "
            "and everything else electronically (Online Litigation Rules, Art. 29)."
        ),
    )
    confirmed = forms.BooleanField(
        label=gettext_lazy(
            "These details are right, and I will keep them reachable while the case lasts"
        ),
        required=False,
        help_text=gettext_lazy("Documents sent to them count as delivered to you."),
    )


class PreferencesForm(forms.Form):
    adr_preference = forms.BooleanField(
        label=gettext_lazy("Try online mediation first"),
        required=False,
        help_text=gettext_lazy(
            "A mediator helps you and the other side agree, often faster than a trial. If it "
            "fails, your case goes on."
        ),
    )
    simplified_procedure = forms.BooleanField(
        label=gettext_lazy("I ask for the simplified procedure"),
        required=False,
        help_text=gettext_lazy(
            "For simple disputes where the facts are clear: one judge, shorter periods. "
            "The court decides whether it applies."
        ),
    )


class FeeReliefForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What do you ask for?"),
        choices=FeeRelief.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose deferral, reduction or waiver.")},
    )
    reasons = _area(
        gettext_lazy("Why can you not pay the fee in full now?"),
        max_length=5000,
        rows=4,
        help_text=gettext_lazy(
            "For example: low income, minimum living allowance, serious illness. The court may "
            "ask you for proof."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "relief_%s")
        super().__init__(*args, **kwargs)
