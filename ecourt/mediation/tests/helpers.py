"""Plain helpers shared by the mediation service, selector and page tests: refused/denied
checks, a mediation carried to a given point, signing with the texted code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases import services as case_services
from ecourt.cases.models import (
    Application,
    ApplicationStatus,
    CaseType,
)
from ecourt.cases.tests.factories import (
    company_for,
    submitted_application,
)
from ecourt.conftest import code_sent_to
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent
from ecourt.mediation import services
from ecourt.mediation.models import (
    DiversionRoute,
    Mediation,
    MediationStatus,
    Mediator,
    SettlementAgreement,
)
from ecourt.mediation.tests.factories import (
    COPYRIGHT,
    diverted_application,
    mediation_code_sent_to,
    mediation_of,
    registered_mediator,
)

S = ApplicationStatus
M = MediationStatus
TERMS = "Beta Tech pays Alice 20,000 yuan by 31 December 2026."


@contextmanager
def refused(code: str, field: str | None = None) -> Iterator[None]:
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.code == code, (info.value.code, str(info.value))
    if field is not None:
        assert info.value.field == field


@contextmanager
def denied(code: str) -> Iterator[None]:
    with pytest.raises(PermissionDenied) as info:
        yield
    assert info.value.code == code, (info.value.code, str(info.value))


def events(code: str, target: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(code=code, target_id=str(target.pk)).order_by("pk"))


def fresh(mediation: Mediation) -> Mediation:
    return mediation_of(mediation.application)


def another_mediator(admin: User, name: str = "Mediator Qian", **kwargs: Any) -> Mediator:
    user = VerifiedUserFactory(display_name=name, roles=[Role.MEDIATOR])
    return registered_mediator(user, admin, **kwargs)


_load_serials = count(1)


def give_open_matters(mediator: Mediator, n: int) -> None:
    """Make ``mediator`` carry ``n`` open matters. Written directly: only the count matters to
    assignment, and diverting n real applications would cost seconds per test."""
    owner = VerifiedUserFactory(display_name="Load Owner")
    case_type = CaseType.objects.filter(code=COPYRIGHT).order_by("-pk").first()
    now = timezone.now()
    for _ in range(n):
        application = Application.objects.create(
            created_by=owner, case_type=case_type, status=S.DIVERTED
        )
        serial = next(_load_serials)
        Mediation.objects.create(
            application=application,
            number=f"load-{serial}",
            year=1999,  # never a real year: keeps clear of the real serials
            serial=serial,
            route=DiversionRoute.PREFERENCE,
            diverted_at=now,
            diverted_on=now.date(),
            mediator=mediator,
            status=M.IN_PROGRESS,
        )


def divert(plaintiff: User, commit: Any, **kwargs: Any) -> Mediation:
    """Alice's application, diverted at submission (the invitation texted)."""
    with commit():
        application = diverted_application(plaintiff, **kwargs)
    return mediation_of(application)


def join(mediation: Mediation, representative: User) -> None:
    """Beta Tech's representative joins with the texted code (the company made once)."""
    if not representative.company_links.exists():
        company_for(representative)
    services.mediation_link(
        actor=representative, number=mediation.number, code=mediation_code_sent_to()
    )


def room(plaintiff: User, defendant: User, mediator: User, admin: User, commit: Any) -> Mediation:
    """A mediation in progress with Mediator Zhou, Bob joined for Beta Tech."""
    if not Mediator.objects.filter(user=mediator).exists():
        registered_mediator(mediator, admin)
    mediation = divert(plaintiff, commit)
    services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
    join(mediation, defendant)
    return fresh(mediation)


def under_review(alice: User, clerk: User) -> Application:
    application = submitted_application(alice)
    return case_services.filing_review_start(actor=clerk, application_id=application.pk)


def send_code(person: User, agreement: SettlementAgreement, commit: Any) -> str:
    with commit():
        services.agreement_code_send(actor=person, agreement_id=agreement.pk)
    return code_sent_to(person.mobile)


def sign(person: User, agreement: SettlementAgreement, commit: Any, **kwargs: Any) -> list:
    return services.agreement_sign(
        actor=person,
        agreement_id=agreement.pk,
        text_sha256=agreement.text_sha256,
        code=send_code(person, agreement, commit),
        **kwargs,
    )
