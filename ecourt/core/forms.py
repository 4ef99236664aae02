"""Form helpers shared by all capabilities."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.core.errors import DomainError


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error next to its field, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


class BoundedImageField(forms.ImageField):
    """An image checked by its content (Pillow), limited in size and to JPEG, PNG or WebP."""

    extensions = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
    allowed_formats = frozenset(extensions)
    default_error_messages = {
        "invalid_image": gettext_lazy(
            "This file is not a picture. Upload a photo or scan as JPEG, PNG or WebP."
        ),
    }

    def to_python(self, data: UploadedFile | None) -> UploadedFile | None:  # type: ignore[override]
        if data is not None and data.size and data.size > settings.ECOURT_MAX_IMAGE_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s; the limit is %(limit)s. Take a smaller photo.")
                % {
                    "size": filesizeformat(data.size),
                    "limit": filesizeformat(settings.ECOURT_MAX_IMAGE_UPLOAD_BYTES),
                },
                code="file_too_large",
            )
        result = cast(UploadedFile | None, super().to_python(data))
        image = getattr(result, "image", None)
        if image is not None and image.format not in self.allowed_formats:
            raise forms.ValidationError(self.error_messages["invalid_image"], code="invalid_image")
        if result is not None and image is not None:
            # Stored and served by what the content is, never by the name the sender gave it.
            result.name = f"upload{self.extensions[image.format]}"
        return result


class AuditSearchForm(forms.Form):
    actor = forms.CharField(
        label=gettext_lazy("Actor (account number or name)"), required=False, max_length=100
    )
    code = forms.CharField(
        label=gettext_lazy("Event code starts with"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For example ecourt.accounts.role"),
    )
    target_type = forms.CharField(
        label=gettext_lazy("Object type"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For example accounts.user"),
    )
    target_id = forms.CharField(label=gettext_lazy("Object number"), required=False, max_length=64)
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_target_type(self) -> str:
        value = str(self.cleaned_data.get("target_type") or "").strip().lower()
        if value and value.count(".") != 1:
            raise forms.ValidationError(
                gettext_lazy("Write the object type as app.model, e.g. accounts.user.")
            )
        return value
