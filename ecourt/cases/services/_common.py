"""Helpers the filing services share: locking, guarded transitions, deadlines, notices."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Max
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.cases.models import (
    APPLICATION_TRANSITIONS,
    CASE_TRANSITIONS,
    Application,
    Case,
    CaseDeadline,
    DocketEntry,
    Party,
)
from ecourt.core import deadlines
from ecourt.core.errors import DomainError
from ecourt.core.selectors import court_calendar, court_today


def lock_application(application_id: int) -> Application:
    try:
        return Application.objects.select_for_update().get(pk=application_id)
    except Application.DoesNotExist:
        raise DomainError(_("No such application."), code="not_found") from None


def lock_case(case_id: int) -> Case:
    try:
        return Case.objects.select_for_update().get(pk=case_id)
    except Case.DoesNotExist:
        raise DomainError(_("No such case."), code="not_found") from None


def guard_application_move(application: Application, to: str) -> None:
    if to not in APPLICATION_TRANSITIONS[application.status]:
        raise DomainError(
            _("This cannot be done while the application is “%(status)s”.")
            % {"status": application.get_status_display()},
            code="illegal_transition",
        )


def guard_case_move(case: Case, to: str) -> None:
    if to not in CASE_TRANSITIONS[case.status]:
        raise DomainError(
            _("This cannot be done while the case is “%(status)s”.")
            % {"status": case.get_status_display()},
            code="illegal_transition",
        )


def deadline_open(
    *,
    application: Application,
    code: str,
    start: date,
    start_event: str,
    case: Case | None = None,
    party: Party | None = None,
    due: date | None = None,
    basis: str | None = None,
) -> CaseDeadline:
    """Store a running period: its due date from ecourt.core.deadlines unless set by a person
    (a correction deadline), with the basis and the event that started it."""
    if due is None:
        computed = deadlines.deadline(code, start, court_calendar=court_calendar())
        due, basis = computed.due, computed.rule.basis
    return CaseDeadline.objects.create(
        application=application,
        case=case,
        party=party,
        code=code,
        basis=basis or "",
        start_event=start_event,
        start_date=start,
        due_date=due,
    )


def deadlines_close(*, how: str, **filters: Any) -> int:
    """Mark open periods matching ``filters`` as met (``how="met"``) or cancelled."""
    field = "met_at" if how == "met" else "cancelled_at"
    return CaseDeadline.objects.filter(
        met_at__isnull=True, cancelled_at__isnull=True, **filters
    ).update(**{field: timezone.now()})


def render_in(text: str | Promise, params: Mapping[str, Any] | None, language: str) -> str:
    """``text % params`` in ``language``, for records kept in both languages (docket entries,
    the mediation timeline). Lazy labels render in ``language``; (en, zh) pairs pick one."""
    with translation.override(language):
        values = {
            key: (value[0] if language == "en" else value[1])
            if isinstance(value, tuple)
            else str(value)
            for key, value in (params or {}).items()
        }
        rendered = str(text) % values if values else str(text)
        # A name that ends the sentence with its own full stop ("Beta Tech Co., Ltd.").
        return (
            rendered[:-1] if rendered.endswith("..") and not rendered.endswith("...") else rendered
        )


def docket_add(
    *,
    case: Case,
    code: str,
    text: str | Promise,
    params: Mapping[str, Any] | None = None,
    actor: User | None = None,
    party: Party | None = None,
    document_text: str = "",
) -> DocketEntry:
    """Append a docket entry. The caller holds the case row lock, which keeps numbers gap-free.
    ``text`` is lazy so both languages can be stored; ``params`` may hold (en, zh) pairs."""

    last = DocketEntry.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0
    return DocketEntry.objects.create(
        case=case,
        number=last + 1,
        code=code,
        entered_at=timezone.now(),
        text_en=render_in(text, params, "en"),
        text_zh=render_in(text, params, "zh-hans"),
        filed_by=actor,
        party=party,
        document_text=document_text,
    )


def today() -> date:
    return court_today()


def notify(user: User | None, text: Promise, purpose: str, **params: Any) -> None:
    """Tell a person about their application or case: a notice (not legal service) in their
    notification centre at once, and a text in their language after commit, as their
    preferences and quiet hours allow (ecourt.delivery)."""
    from ecourt.delivery.services.issue import notice_send

    if user is not None and user.is_active:
        notice_send(user=user, text=text, params=params, purpose=purpose)
