"""Demo deliveries, built through the services: Alice and Beta Tech's representative Bo
confirm their addresses for service on the demo case (Alice consents to electronic service of
decisions, Bo does not), and the clerk serves a summons on both (served at once: confirmed
addresses) and a notice on evidence on Alice. Loaded once (idempotent) by ``ecourt demo``."""

from __future__ import annotations

from django.db import transaction

from ecourt.accounts.models import User
from ecourt.cases.demo import ALICE, BO, CLERK
from ecourt.cases.models import Case, PartySide
from ecourt.delivery.services.addresses import address_confirm
from ecourt.documents.models import CourtDocument, DocumentKind
from ecourt.documents.services import document_issue


def load() -> list[dict[str, str]]:
    people = {u.mobile: u for u in User.objects.filter(mobile__in=[ALICE, BO, CLERK])}
    alice, bo, clerk = (people.get(m) for m in (ALICE, BO, CLERK))
    if alice is None or bo is None or clerk is None:
        return []
    case = Case.objects.filter(application__created_by=alice).order_by("pk").first()
    if case is None or CourtDocument.objects.filter(case=case, kind=DocumentKind.SUMMONS).exists():
        return []
    plaintiff = case.parties.get(side=PartySide.PLAINTIFF)
    defendant = case.parties.get(side=PartySide.DEFENDANT)
    if defendant.user_id != bo.pk:
        return []
    with transaction.atomic():
        address_confirm(
            actor=alice,
            case_id=case.pk,
            party_id=plaintiff.pk,
            mobile=alice.mobile,
            email="alice@example.com",
            institution_inbox=False,
            consents_to_decisions=True,
            undertaking=True,
        )
        address_confirm(
            actor=bo,
            case_id=case.pk,
            party_id=defendant.pk,
            mobile=bo.mobile,
            email="",
            institution_inbox=False,
            consents_to_decisions=False,
            undertaking=True,
        )
        document_issue(
            actor=clerk,
            case_id=case.pk,
            kind=DocumentKind.SUMMONS,
            title=f"传票 Summons — {case.number}",
            body=(
                f"{case.number}\n\n"
                "本院定于下列时间在线开庭审理本案，请准时登录平台参加庭审。\n"
                "The court will hear this case online at the time below. Sign in to the "
                "platform on time to attend.\n\n"
                "开庭时间 Time: 2026-12-15 09:30\n地点 Place: 在线法庭 Online courtroom 1"
            ),
        )
        document_issue(
            actor=clerk,
            case_id=case.pk,
            kind=DocumentKind.EVIDENCE_NOTICE,
            title=f"举证通知书 Notice on evidence — {case.number}",
            body=(
                f"{case.number}\n\n"
                "请于收到本通知之日起十五日内提交证据。\n"
                "Submit your evidence within 15 days of receiving this notice."
            ),
            recipient_ids=[plaintiff.pk],
        )
    return []
