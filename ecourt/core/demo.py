"""Demo data: one loader per capability, run in order by ``ecourt demo``."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

#: Each capability appends its loader here ("module.function"). A loader is idempotent and
#: returns rows for the printed table of demo logins.
LOADERS: list[str] = [
    "ecourt.accounts.demo.load",
    "ecourt.cases.demo.load",
    "ecourt.mediation.demo.load",
    "ecourt.evidence.demo.load",
    "ecourt.delivery.demo.load",
    "ecourt.hearings.demo.load",
]


def loaders() -> list[Callable[[], list[dict[str, str]]]]:
    result = []
    for dotted in LOADERS:
        module_name, _dot, func = dotted.rpartition(".")
        result.append(getattr(import_module(module_name), func))
    return result
