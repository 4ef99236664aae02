"""Test helpers for pre-filing mediation: registered mediators, diverted applications, the
defendant joining, and a mediation carried to the point a test needs."""

from __future__ import annotations

import re
from typing import Any

from ecourt.accounts.models import User
from ecourt.cases import services as case_services
from ecourt.cases.models import Application, PartySide
from ecourt.cases.tests.factories import DEFENDANT_MOBILE, company_for, draft_application
from ecourt.core import sms
from ecourt.mediation import services
from ecourt.mediation.models import Mediation, Mediator

COPYRIGHT = "online_copyright_infringement"
ASSOCIATION_CODE = re.compile(r"association code ([A-Z2-9]{8})")


def registered_mediator(
    user: User,
    admin: User,
    *,
    specialties: tuple[str, ...] = (COPYRIGHT,),
    capacity: int = 10,
    languages: tuple[str, ...] = (),
) -> Mediator:
    return services.mediator_register(
        actor=admin,
        user_id=user.pk,
        specialties=specialties,
        capacity=capacity,
        languages=languages,
    )


def diverted_application(plaintiff: User, **kwargs: Any) -> Application:
    """An application whose plaintiff asked for mediation, submitted (so diverted)."""
    application = draft_application(plaintiff, **kwargs)
    case_services.application_set_preferences(
        actor=plaintiff,
        application_id=application.pk,
        adr_preference=True,
        simplified_procedure=False,
    )
    application = case_services.application_submit(actor=plaintiff, application_id=application.pk)
    return application


def mediation_code_sent_to(mobile: str = DEFENDANT_MOBILE) -> str:
    """The association code in the newest mediation invitation texted to ``mobile``."""
    bodies = [m.body for m in sms.outbox if m.to == mobile and "mediation number" in m.body]
    assert bodies, f"no mediation invitation was sent to {mobile}"
    found = ASSOCIATION_CODE.search(bodies[-1])
    assert found, bodies[-1]
    return found.group(1)


def defendant_joins(mediation: Mediation, representative: User) -> None:
    """Beta Tech's representative joins with the texted code (call inside ``commit()`` so
    the invitation has been sent)."""
    company_for(representative)
    services.mediation_link(
        actor=representative, number=mediation.number, code=mediation_code_sent_to()
    )


def mediation_of(application: Application) -> Mediation:
    return Mediation.objects.select_related("mediator__user").get(application=application)


def plaintiff_party(mediation: Mediation) -> Any:
    return mediation.application.parties.get(side=PartySide.PLAINTIFF)


def defendant_of(mediation: Mediation) -> Any:
    return mediation.application.parties.get(side=PartySide.DEFENDANT)


__all__ = ["DEFENDANT_MOBILE"]
