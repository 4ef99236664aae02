"""Domain errors. Services raise them with a message a person can act on."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the court was not met. ``message`` is shown to the user as is (translated).

    ``field`` names the form field the error belongs to, when there is one, so views can put the
    message next to the field. ``code`` is a stable machine-readable identifier for the API.
    """

    status_code = 400

    def __init__(self, message: str | Promise, *, code: str, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field


class PermissionDenied(DomainError):
    status_code = 403


class RateLimited(DomainError):
    status_code = 429
