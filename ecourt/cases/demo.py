"""Demo applications and cases, built through the services so they obey every rule.

Alice (plaintiff) has: a case against Beta Tech, docketed, linked by Beta Tech's
representative Bo, answered; an application waiting in the clerk's queue; an application with
corrections requested; and a draft. Loaded once (idempotent) by ``ecourt demo``.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from ecourt.accounts.models import User
from ecourt.cases import services
from ecourt.cases.models import Application, FilingCapacity, PartyKind, PartySide
from ecourt.cases.services.filing import association_code_issue
from ecourt.core.selectors import court_today

ALICE, BO, CLERK, JUDGE = "+8613800000001", "+8613800000002", "+8613800000004", "+8613800000005"


def _draft(alice: User, *, claim: str, amount: str | None, facts: str, beta_uscc: str) -> int:
    application = services.application_create(actor=alice, capacity=FilingCapacity.SELF)
    pk = application.pk
    services.application_set_case_type(
        actor=alice, application_id=pk, code="online_copyright_infringement"
    )
    services.party_add(
        actor=alice,
        application_id=pk,
        side=PartySide.DEFENDANT,
        kind=PartyKind.COMPANY,
        name="Beta Tech Co., Ltd. / 贝塔科技有限公司",
        id_number=beta_uscc,
        legal_representative="李博",
        mobile=BO,
    )
    services.claim_add(actor=alice, application_id=pk, text=claim, amount=amount)
    services.application_set_facts(actor=alice, application_id=pk, facts=facts)
    services.evidence_listing_add(
        actor=alice,
        application_id=pk,
        title="网页截图 / Screenshots of the defendant's pages",
        form="web_page",
        purpose="被告在其网站发布了原告的摄影作品 / The defendant published the photographs.",
    )
    services.application_confirm_delivery(
        actor=alice,
        application_id=pk,
        mobile=alice.mobile,
        email="",
        electronic_service_consent=True,
        confirmed=True,
    )
    return pk


def load() -> list[dict[str, str]]:
    from ecourt.accounts.demo import demo_uscc

    people = {u.mobile: u for u in User.objects.filter(mobile__in=[ALICE, BO, CLERK, JUDGE])}
    alice, bo, clerk, judge = (people.get(m) for m in (ALICE, BO, CLERK, JUDGE))
    if None in (alice, bo, clerk, judge) or Application.objects.filter(created_by=alice).exists():
        return []
    assert alice and bo and clerk and judge
    uscc = demo_uscc()
    facts = (
        "原告是涉案十二幅摄影作品的作者。被告未经许可，于2026年3月1日在其网站发布上述作品。"
        " The plaintiff took the twelve photographs; the defendant published them on its "
        "website on 2026-03-01 without permission."
    )
    with transaction.atomic():
        docketed = _draft(
            alice,
            claim="判令被告赔偿经济损失50,000元 / Pay damages of 50,000 yuan",
            amount="50000",
            facts=facts,
            beta_uscc=uscc,
        )
        services.application_submit(actor=alice, application_id=docketed)
        payment = services.payment_start(actor=alice, application_id=docketed)
        services.payment_confirm(actor=clerk, payment_id=payment.pk, record="DEMO transfer")
        case = services.filing_accept(actor=clerk, application_id=docketed, judge_id=judge.pk)
        defendant = case.parties.get(side=PartySide.DEFENDANT)
        code = association_code_issue(defendant)
        services.case_link(actor=bo, case_number=case.number, code=code)
        services.complaint_open(actor=bo, case_id=case.pk)
        services.online_litigation_decide(actor=bo, case_id=case.pk, consent=True)
        services.response_file(
            actor=bo,
            case_id=case.pk,
            kind="answer",
            text="被告已删除涉案图片，请求驳回赔偿请求。 The defendant removed the photographs "
            "and asks the court to dismiss the claim for damages.",
        )

        waiting = _draft(
            alice,
            claim="判令被告停止侵权 / Stop publishing the photographs",
            amount=None,
            facts=facts,
            beta_uscc=uscc,
        )
        services.application_submit(actor=alice, application_id=waiting)

        corrections = _draft(
            alice,
            claim="判令被告赔偿10,000元 / Pay 10,000 yuan",
            amount="10000",
            facts=facts,
            beta_uscc=uscc,
        )
        services.application_submit(actor=alice, application_id=corrections)
        services.filing_request_corrections(
            actor=clerk,
            application_id=corrections,
            items=["请补充作品首次发表的证据 / Add evidence of first publication"],
            due=court_today() + timedelta(days=10),
        )

        services.application_create(actor=alice, capacity=FilingCapacity.SELF)
    return [
        {
            "role": "demo case",
            "login": case.number,
            "name": "Alice v. Beta Tech",
            "password": "",
            "totp": "",
        }
    ]
