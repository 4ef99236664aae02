"""Forms of the delivery pages: a party's address confirmation, a person's notice preferences,
issuing a document, and the staff's actions on a delivery that did not reach its recipient.

Forms only check shape (types, lengths, choices); the services decide and give the messages
a person acts on. Several forms share a page, so each sets its own ``auto_id`` prefix.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from ecourt.delivery.models import Channel
from ecourt.documents.models import DocumentKind


class _PrefixedForm(forms.Form):
    """A form whose ids start with ``id_prefix`` (several forms share a page)."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("Give the date."),
            "invalid": gettext_lazy("Enter the date as YYYY-MM-DD."),
        },
    )


class AddressConfirmationForm(_PrefixedForm):
    """送达地址确认书: where the court may serve a party's documents in one case."""

    id_prefix = "address"

    # Chosen in the view from the parties the person acts for (the URL's ?party= on GET).
    party = forms.TypedChoiceField(
        label=gettext_lazy("For which party"),
        coerce=int,
        choices=[],
        required=False,
        empty_value=None,
    )
    mobile = forms.CharField(
        label=gettext_lazy("Mobile number for text messages (optional)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=gettext_lazy(
            "A text tells you when a document is waiting. A landline cannot receive it."
        ),
    )
    email = forms.CharField(
        label=gettext_lazy("Email address (optional)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("An email tells you when a document is waiting."),
    )
    institution_inbox = forms.BooleanField(
        label=gettext_lazy("Our company's system fetches documents over the court's API"),
        required=False,
    )
    consents_to_decisions = forms.BooleanField(
        label=gettext_lazy(
            "I agree that judgments, rulings and mediation statements are served on me "
            "electronically"
        ),
        required=False,
        help_text=gettext_lazy("Without this consent they are served on paper."),
    )
    undertaking = forms.BooleanField(
        label=gettext_lazy(
            "I will keep these addresses reachable and tell the court at once of any change"
        ),
        required=True,
        error_messages={
            "required": gettext_lazy(
                "Confirm that you will keep these addresses reachable and tell the court of "
                "any change."
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        parties: list[tuple[int, str]],
        company: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        party = self.fields["party"]
        assert isinstance(party, forms.TypedChoiceField)
        party.choices = parties
        if len(parties) == 1:
            party.widget = forms.HiddenInput()
        if not company:
            del self.fields["institution_inbox"]


class PreferenceForm(_PrefixedForm):
    """How notices that are not legal service reach a person."""

    id_prefix = "pref"

    sms = forms.BooleanField(label=gettext_lazy("Notices by text message"), required=False)
    email = forms.BooleanField(label=gettext_lazy("Notices by email as well"), required=False)
    quiet_start = forms.TimeField(
        label=gettext_lazy("Quiet hours start (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=gettext_lazy("No notice texts between these times (court time)."),
    )
    quiet_end = forms.TimeField(
        label=gettext_lazy("Quiet hours end (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )


class IssueForm(_PrefixedForm):
    """A court document issued in a case and served on the chosen parties."""

    id_prefix = "issue"

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of document"),
        choices=[("", gettext_lazy("Choose the kind")), *DocumentKind.choices],
        error_messages={"required": gettext_lazy("Choose the kind of document.")},
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=300,
        error_messages={"required": gettext_lazy("Give the document a title.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Text of the document"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": gettext_lazy("Write the document's text.")},
    )
    recipients = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Serve it on"),
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one recipient.")},
    )

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recipients = self.fields["recipients"]
        assert isinstance(recipients, forms.TypedMultipleChoiceField)
        recipients.choices = parties


class RedirectForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[
            (Channel.SMS.value, Channel.SMS.label),
            (Channel.EMAIL.value, Channel.EMAIL.label),
        ],
        error_messages={"required": gettext_lazy("Choose text message or email.")},
    )
    address = forms.CharField(
        label=gettext_lazy("Mobile number or email address"),
        max_length=254,
        error_messages={"required": gettext_lazy("Give the mobile number or email address.")},
    )


class OfflineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why offline"),
        max_length=300,
        error_messages={"required": gettext_lazy("Say why the document is served offline.")},
    )


class PaperSentForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("How it was sent"),
        max_length=200,
        error_messages={"required": gettext_lazy("Say how the paper copy was sent.")},
    )


class OfflineProofForm(forms.Form):
    """The file comes last: a file over the limit cuts the request off there."""

    served_on = _date_field(gettext_lazy("Served on"))
    method = forms.CharField(
        label=gettext_lazy("How it was served"),
        max_length=100,
        error_messages={
            "required": gettext_lazy("Say how the document was served (in person, by post…).")
        },
    )
    scan = forms.FileField(
        label=gettext_lazy("Scan of the signed proof of service"),
        required=False,
        help_text=gettext_lazy("PDF or a photo."),
    )


class CorrectForm(forms.Form):
    served_on = _date_field(gettext_lazy("Correct served date"))
    reason = forms.CharField(
        label=gettext_lazy("Why it changes"),
        max_length=300,
        error_messages={"required": gettext_lazy("Say why the served date changes.")},
    )
