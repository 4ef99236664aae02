"""How an acceptance fee is paid: a small provider interface.

- ``bank_transfer`` (default): the payer transfers the fee to the court's account quoting a
  reference; a filing clerk confirms the receipt from the bank statement. No money moves
  through ecourt and no payment secret is ever stored.
- ``sandbox``: the payer's click pays at once. For the demo and the practice court only; a
  deployment check warns when it is configured with debug off.

A provider for an online payment service implements the same two methods.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PaymentInstructions:
    """What the payer is told: the lines to show, and whether a button pays on the spot."""

    lines: list[tuple[str, str]]
    payer_completes: bool


class PaymentProvider(Protocol):
    code: str

    def new_reference(self) -> str: ...

    def instructions(self, *, reference: str, amount: str) -> PaymentInstructions: ...


def _reference() -> str:
    # 12 digits: easy to type into a bank transfer's remark field; unique by constraint.
    return "FEE" + "".join(secrets.choice("0123456789") for _ in range(12))


class BankTransferProvider:
    code = "bank_transfer"

    def new_reference(self) -> str:
        return _reference()

    def instructions(self, *, reference: str, amount: str) -> PaymentInstructions:
        return PaymentInstructions(
            lines=[
                (str(_("Payee")), settings.ECOURT_BANK_PAYEE or str(_("(not configured)"))),
                (str(_("Bank")), settings.ECOURT_BANK_NAME or str(_("(not configured)"))),
                (str(_("Account")), settings.ECOURT_BANK_ACCOUNT or str(_("(not configured)"))),
                (str(_("Amount (yuan)")), amount),
                (str(_("Reference to quote")), reference),
            ],
            payer_completes=False,
        )


class SandboxProvider:
    code = "sandbox"

    def new_reference(self) -> str:
        return _reference()

    def instructions(self, *, reference: str, amount: str) -> PaymentInstructions:
        return PaymentInstructions(
            lines=[
                (str(_("Amount (yuan)")), amount),
                (str(_("Reference")), reference),
                (str(_("Note")), str(_("Practice payment: no money moves."))),
            ],
            payer_completes=True,
        )


PROVIDERS: dict[str, PaymentProvider] = {
    provider.code: provider for provider in (BankTransferProvider(), SandboxProvider())
}


def payment_provider(code: str | None = None) -> PaymentProvider:
    return PROVIDERS[code or settings.ECOURT_PAYMENT_PROVIDER]
