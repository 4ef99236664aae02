"""Writes of the evidence capability: deposits and the log (``log``), institutions, tokens and
witnesses (``registry``)."""

from ecourt.evidence.services.log import (
    checkpoint_cosign,
    deposit_for_user,
    deposits_create,
    log_integrate,
)

__all__ = ["checkpoint_cosign", "deposit_for_user", "deposits_create", "log_integrate"]
