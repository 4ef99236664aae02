"""Forms of the mediation room, the defendant's join page and the mediator's pages.

Forms only check shape (types, lengths, a file really is a PDF or a picture); the services
decide and give the messages a person acts on. Several forms share the room page, so each sets
its own ``auto_id`` prefix: ids stay unique and labels point at the right field.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from ecourt.mediation.models import ProposalAnswer

#: The largest attachment to a message (a scanned letter, a receipt, a photo).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class _PrefixedForm(forms.Form):
    """A form whose ids start with ``id_prefix`` (several forms share the room page)."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


def _area(label: Any, *, max_length: int, rows: int = 4, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AttachmentField(forms.FileField):
    """A PDF or a photo, judged by its content, at most 10 MB. The upload's ``name`` becomes
    what the content is (upload.pdf); ``original_name`` keeps the sender's name with the
    checked extension, for the download."""

    formats = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}

    def to_python(self, data: Any) -> UploadedFile | None:
        upload = cast(UploadedFile | None, super().to_python(data))
        if upload is None:
            return None
        if upload.size and upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(MAX_ATTACHMENT_BYTES),
                },
                code="file_too_large",
            )
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        extension = ".pdf" if head == b"%PDF-" else self._image_extension(upload)
        if not extension:
            raise forms.ValidationError(
                _("Attach a PDF or a photo (JPEG, PNG or WebP)."), code="invalid_file"
            )
        stem = PurePath(upload.name or "").stem.replace("\x00", "").strip()[:150]
        upload.original_name = (stem or "attachment") + extension  # type: ignore[attr-defined]
        # Stored by what the content is, never by the name the sender gave it.
        upload.name = "upload" + extension
        return upload

    def _image_extension(self, upload: UploadedFile) -> str:
        try:
            with Image.open(upload) as image:
                image_format = image.format or ""
                image.verify()
        except Exception:  # Pillow raises many kinds of errors for what is not a picture
            image_format = ""
        upload.seek(0)
        return self.formats.get(image_format, "")


class MessageForm(forms.Form):
    """A message in one thread. Give each thread's form its own ``auto_id``."""

    body = _area(gettext_lazy("Message"), max_length=10_000, rows=4)
    attachment = AttachmentField(
        label=gettext_lazy("Attach a file (optional)"),
        required=False,
        help_text=gettext_lazy("A PDF or a photo, at most 10 MB."),
    )
    thread = forms.CharField(required=False, widget=forms.HiddenInput)
    corrects = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def thread_party_id(self) -> int | None:
        raw = str(self.cleaned_data.get("thread") or "")
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 18 else None


class SessionForm(_PrefixedForm):
    id_prefix = "session"

    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        help_text=gettext_lazy("Court time (Beijing time)."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration = forms.IntegerField(
        label=gettext_lazy("Length in minutes"), min_value=1, max_value=1440, initial=60
    )
    thread = forms.TypedChoiceField(
        label=gettext_lazy("With whom"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["thread"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Joint session with every party"))] + [
            (pk, _("Private session with %(party)s") % {"party": name}) for pk, name in parties
        ]


class ProposalForm(_PrefixedForm):
    id_prefix = "proposal"

    terms = _area(gettext_lazy("Proposed terms"), max_length=20_000, rows=6)


class AnswerForm(forms.Form):
    """A party's answer to one proposal. Give each proposal's form its own ``auto_id``."""

    answer = forms.ChoiceField(
        label=gettext_lazy("Your answer"), choices=ProposalAnswer.choices, widget=forms.RadioSelect
    )
    counter_terms = _area(
        gettext_lazy("Your counter-proposal (only when you counter-propose)"),
        max_length=20_000,
        rows=4,
    )


class AgreementDraftForm(_PrefixedForm):
    id_prefix = "draft"

    terms = _area(gettext_lazy("Agreed terms"), max_length=20_000, rows=8)


class SignForm(_PrefixedForm):
    id_prefix = "sign"

    code = forms.CharField(
        label=gettext_lazy("Code from the text message"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )
    agreement = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    text_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)


class FactsForm(_PrefixedForm):
    id_prefix = "facts"

    text = _area(gettext_lazy("Undisputed facts"), max_length=20_000, rows=6)


class EndForm(_PrefixedForm):
    id_prefix = "end"

    reason = _area(gettext_lazy("Why no agreement is possible"), max_length=2000, rows=3)


class RefuseForm(_PrefixedForm):
    id_prefix = "refuse"

    reason = _area(gettext_lazy("Your reason (optional)"), max_length=2000, rows=3)


class DeclineForm(_PrefixedForm):
    id_prefix = "decline"

    reason = _area(gettext_lazy("Why you decline"), max_length=2000, rows=3, required=True)


class MediationLinkForm(_PrefixedForm):
    id_prefix = "link"

    number = forms.CharField(
        label=gettext_lazy("Mediation number"),
        max_length=40,
        help_text=gettext_lazy("As in the message from the court, e.g. (2026)京0491民诉前调12号."),
    )
    code = forms.CharField(
        label=gettext_lazy("Association code"),
        max_length=20,
        help_text=gettext_lazy("The 8 characters in the same message."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).replace("\x00", "")
