"""Look-ups that run on every request or every filing step stay constant-time as the court grows.

Found by building the press-2018 scenario at scale 10 and 100 (docs/benchmarks.md): without
table statistics (Django never runs ANALYZE) SQLite picks the first usable index, and for
a look-up it was an index on a column nearly every row shares (the current terms), so each
look-up read the whole table; choosing a mediator joined every mediation each mediator ever
had, so every diversion read the court's whole mediation history. These tests ask SQLite how it runs
the statements the code really sends, with their parameters bound as they are in service.
PostgreSQL plans from table statistics, so an empty test table says nothing about it; the
indexes exist there too (same migrations).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction

from ecourt.accounts import selectors as account_selectors
from ecourt.accounts.services.consent import consent_accept
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.mediation.services.diversion import mediator_pool

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans from table statistics",
    ),
]


@contextmanager
def sent_statements() -> Iterator[list[tuple[str, Any]]]:
    """Every statement the code sends, with its parameters as bound (not interpolated)."""
    seen: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not many:
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def plan_of(statements: list[tuple[str, Any]], *fragments: str) -> str:
    """SQLite's plan for the one SELECT that contains every fragment."""
    matching = [
        (sql, params)
        for sql, params in statements
        if sql.lstrip().upper().startswith("SELECT") and all(f in sql for f in fragments)
    ]
    assert len(matching) == 1, f"expected one SELECT with {fragments}, got {len(matching)}"
    sql, params = matching[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[3]) for row in cursor.fetchall())


def test_the_persons_consent_is_found_by_person_and_terms_not_by_terms():
    user = VerifiedUserFactory()
    terms = account_selectors.terms_current()
    assert terms is not None
    consent_accept(actor=user, terms_id=terms.pk)
    with sent_statements() as statements:
        assert account_selectors.consent_current(user) is not None
    plan = plan_of(statements, 'FROM "accounts_consentrecord"')
    assert "consent_user_terms_idx" in plan, plan


def test_assigning_a_mediator_counts_open_matters_not_every_mediation_ever():
    with sent_statements() as statements, transaction.atomic():
        mediator_pool()
    plan = plan_of(statements, 'FROM "mediation_mediation"', "COUNT(")
    assert "COVERING INDEX mediation_open_load_idx (status=?" in plan, plan
