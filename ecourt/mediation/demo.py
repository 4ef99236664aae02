"""Demo mediation, built through the services: a copyright mediation centre with Mediator
Zhou registered on it, and Alice's application against Beta Tech diverted to mediation at
her request, accepted by the mediator, joined by Bo for Beta Tech, with a first proposal.
Loaded once (idempotent) by ``ecourt demo``, after the filing demo."""

from __future__ import annotations

from django.db import transaction

from ecourt.accounts.models import User
from ecourt.cases import services as case_services
from ecourt.cases.demo import ALICE, BO, _draft
from ecourt.cases.services.filing import association_code_issue
from ecourt.mediation import services
from ecourt.mediation.models import Mediation, MediationOrganisation, OrganisationKind

MEDIATOR, ADMIN = "+8613800000007", "+8613800000010"


def load() -> list[dict[str, str]]:
    from ecourt.accounts.demo import demo_uscc

    people = {u.mobile: u for u in User.objects.filter(mobile__in=[ALICE, BO, MEDIATOR, ADMIN])}
    alice, bo, mediator, admin = (people.get(m) for m in (ALICE, BO, MEDIATOR, ADMIN))
    if None in (alice, bo, mediator, admin) or MediationOrganisation.objects.exists():
        return []
    assert alice and bo and mediator and admin
    with transaction.atomic():
        centre = services.organisation_register(
            actor=admin,
            name_zh="北京版权调解中心",
            name_en="Beijing Copyright Mediation Centre",
            kind=OrganisationKind.MEDIATION_CENTRE,
        )
        services.mediator_register(
            actor=admin,
            user_id=mediator.pk,
            organisation_id=centre.pk,
            specialties=["online_copyright_infringement", "online_copyright_ownership"],
            languages=["zh-hans", "en"],
            capacity=20,
        )
        pk = _draft(
            alice,
            claim="判令被告赔偿经济损失8,000元 / Pay damages of 8,000 yuan",
            amount="8000",
            facts=(
                "被告未经许可在其公众号转载原告的文章。 The defendant republished the "
                "plaintiff's article on its social media account without permission."
            ),
            beta_uscc=demo_uscc(),
        )
        case_services.application_set_preferences(
            actor=alice, application_id=pk, adr_preference=True, simplified_procedure=False
        )
        case_services.application_submit(actor=alice, application_id=pk)
        mediation = Mediation.objects.get(application_id=pk)
        services.mediation_accept(actor=mediator, mediation_id=mediation.pk)
        defendant = mediation.application.parties.get(side="defendant")
        services.mediation_link(
            actor=bo, number=mediation.number, code=association_code_issue(defendant)
        )
        services.message_post(
            actor=mediator,
            mediation_id=mediation.pk,
            body="双方好，我是本案调解员。请各自说明对赔偿数额的意见。 Hello both, I am the "
            "mediator. Please each tell me what you think of the amount claimed.",
        )
        services.proposal_make(
            actor=mediator,
            mediation_id=mediation.pk,
            terms="被告于2026年12月31日前支付原告5,000元，并删除涉案文章。 The defendant pays "
            "the plaintiff 5,000 yuan by 31 December 2026 and removes the article.",
        )
    return [
        {
            "role": "demo mediation",
            "login": mediation.number,
            "name": "Alice v. Beta Tech (mediation)",
            "password": "",
            "totp": "",
        }
    ]
