"""The court's log key, read once from settings (``ECOURT_LOG_KEY``)."""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ecourt.evidence.tlog import note


@cache
def log_signer() -> tuple[str, Ed25519PrivateKey]:
    """(origin, private key). Raises ImproperlyConfigured when no usable key is set."""
    text = settings.ECOURT_LOG_KEY
    if not text:
        raise ImproperlyConfigured(
            "No evidence log key: set ECOURT_LOG_KEY (or ECOURT_LOG_KEY_FILE), or run "
            "'ecourt evidence keygen --write var/evidence-log.key'."
        )
    try:
        return note.parse_signer_key(text)
    except note.NoteError as exc:
        raise ImproperlyConfigured(f"ECOURT_LOG_KEY is not a signer key: {exc}") from None


def log_origin() -> str:
    return log_signer()[0]


@cache
def log_verifier() -> note.Verifier:
    name, key = log_signer()
    return note.verifier_for(name, key)
