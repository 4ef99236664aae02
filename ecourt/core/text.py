"""Checking free text that people type, for services that receive it from forms or the API."""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from ecourt.core.errors import DomainError


def clean_text(
    value: str | None,
    *,
    field: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Collapse whitespace and refuse control characters and over-long text.

    The web forms check length and NUL characters already; the API and other callers rely on
    this, so bad input is a clear error instead of a database failure (PostgreSQL refuses NUL).
    """
    text = value or ""
    if any(unicodedata.category(ch) == "Cc" and not (multiline and ch in "\r\n\t") for ch in text):
        raise DomainError(
            _("This text contains characters that cannot be stored. Type it again."),
            code="control_characters",
            field=field,
        )
    text = text.strip() if multiline else " ".join(text.split())
    if required and not text:
        raise DomainError(_("This field is required."), code="required", field=field)
    if len(text) > max_length:
        raise DomainError(
            _("Keep this to %(max)d characters; it has %(count)d.")
            % {"max": max_length, "count": len(text)},
            code="too_long",
            field=field,
        )
    return text
