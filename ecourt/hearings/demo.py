"""Demo trials, built through the services: four more cases of Alice against Beta Tech, one at
each stage of trial —

1. a hearing scheduled a week ahead, the summons served;
2. an asynchronous trial open, round 1 waiting for answers;
3. heard: the hearing held, its record closed and waiting for signatures;
4. decided: the judgment issued as a signed PDF, the appeal periods running;
5. closed by an effective judgment.

Stages 3–5 happened in the past, so they are built with the clock moved back (time-machine,
installed with the development tools ``make run`` uses); the evidence log then holds their
deposits with those earlier times. Without time-machine only stages 1, 2 and 4 are built.
Loaded once (idempotent) by ``ecourt demo``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.cases import services as case_services
from ecourt.cases.demo import ALICE, BO, CLERK, JUDGE, _draft
from ecourt.cases.models import Case, PartySide
from ecourt.cases.services.filing import association_code_issue
from ecourt.core.court import get_court_profile
from ecourt.delivery.services.addresses import address_confirm
from ecourt.documents import decisions
from ecourt.documents.models import DocumentKind
from ecourt.hearings.models import Courtroom, Hearing
from ecourt.hearings.services import async_trial, records, room, scheduling

ASSISTANT = "+8613800000006"
MARKER = "【庭审演示】"


@contextlib.contextmanager
def _clock(at: datetime | None) -> Iterator[None]:
    """Run with the clock at ``at`` (None: now)."""
    if at is None:
        yield
        return
    import time_machine

    with time_machine.travel(at, tick=False):
        yield


def _court_time(day: datetime, hour: int, minute: int = 0) -> datetime:
    tz = get_court_profile().time_zone
    return datetime.combine(day.astimezone(tz).date(), time(hour, minute), tzinfo=tz)


def _weekday(moment: datetime) -> datetime:
    while moment.astimezone(get_court_profile().time_zone).weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def _case(people: dict[str, User], claim: str, amount: str) -> Case:
    """A docketed case, answered by Beta Tech, with addresses confirmed, in evidence
    exchange."""
    from ecourt.accounts.demo import demo_uscc

    alice, bo, clerk, judge = people["alice"], people["bo"], people["clerk"], people["judge"]
    facts = (
        f"{MARKER}原告是涉案摄影作品的作者。被告未经许可在其网站发布该作品。"
        " The plaintiff took the photograph; the defendant published it without permission."
    )
    application_id = _draft(alice, claim=claim, amount=amount, facts=facts, beta_uscc=demo_uscc())
    case_services.application_submit(actor=alice, application_id=application_id)
    payment = case_services.payment_start(actor=alice, application_id=application_id)
    case_services.payment_confirm(actor=clerk, payment_id=payment.pk, record="DEMO transfer")
    case = case_services.filing_accept(
        actor=clerk, application_id=application_id, judge_id=judge.pk
    )
    plaintiff = case.parties.get(side=PartySide.PLAINTIFF)
    defendant = case.parties.get(side=PartySide.DEFENDANT)
    case_services.case_link(
        actor=bo, case_number=case.number, code=association_code_issue(defendant)
    )
    case_services.complaint_open(actor=bo, case_id=case.pk)
    case_services.online_litigation_decide(actor=bo, case_id=case.pk, consent=True)
    case_services.online_litigation_decide(actor=alice, case_id=case.pk, consent=True)
    for user, party in ((alice, plaintiff), (bo, defendant)):
        address_confirm(
            actor=user,
            case_id=case.pk,
            party_id=party.pk,
            mobile=user.mobile,
            email="",
            institution_inbox=False,
            consents_to_decisions=True,
            undertaking=True,
        )
    case_services.response_file(
        actor=bo,
        case_id=case.pk,
        kind="answer",
        text="被告已删除涉案图片，认为原告主张的赔偿数额过高。 The defendant removed the "
        "photograph and says the damages claimed are too high.",
    )
    case_services.case_open_evidence_exchange(actor=judge, case_id=case.pk)
    case.refresh_from_db()
    return case


def _schedule(people: dict[str, User], case: Case, starts_at: datetime) -> Hearing:
    courtroom = Courtroom.objects.filter(is_active=True).order_by("pk").first()
    assert courtroom is not None, "the default courtroom comes with the migrations"
    return scheduling.hearing_schedule(
        actor=people["judge"],
        case_id=case.pk,
        starts_at=starts_at,
        minutes=60,
        courtroom_id=courtroom.pk,
        clerk_id=people["assistant"].pk,
    )


def _hold(people: dict[str, User], hearing: Hearing) -> None:
    """The hearing runs: the judge opens it, the clerk writes the record, the judge ends it
    and the clerk closes the record (the parties sign it with their own codes)."""
    judge, assistant = people["judge"], people["assistant"]
    room.hearing_start(actor=judge, hearing_id=hearing.pk)
    hearing.refresh_from_db()
    record = hearing.record
    records.record_save(
        actor=assistant,
        record_id=record.pk,
        base_version=record.version,
        text=(
            "审判员：现在开庭。核对当事人身份。\n"
            "原告张爱丽：到庭。\n被告贝塔科技有限公司委托李博：到庭。\n"
            "审判员：原告陈述诉讼请求。\n原告：请求判令被告赔偿经济损失。\n"
            "审判员：被告答辩。\n被告：已删除涉案图片，赔偿数额过高。\n"
            "审判员：双方对证据有无异议？\n原告：无异议。\n被告：真实性无异议。\n"
            "审判员：庭审结束。"
        ),
    )
    room.hearing_end(actor=judge, hearing_id=hearing.pk)
    records.record_close(actor=assistant, record_id=record.pk)


def _judgment(people: dict[str, User], case: Case, fee_share: Decimal) -> None:
    judge = people["judge"]
    draft = decisions.decision_draft_create(
        actor=judge, case_id=case.pk, kind=DocumentKind.JUDGMENT
    )
    draft = decisions.decision_draft_update(
        actor=judge,
        draft_id=draft.pk,
        reasoning=(
            "原告系涉案摄影作品的著作权人。被告未经许可在其经营的网站使用涉案作品，侵害了原告"
            "享有的信息网络传播权，应当承担赔偿损失的民事责任。关于赔偿数额，本院综合考虑作品"
            "类型、侵权行为的性质、持续时间及被告已删除涉案作品等因素，酌情确定。"
        ),
        decision=(
            "一、被告贝塔科技有限公司于本判决生效之日起十日内赔偿原告张爱丽经济损失"
            "八千元；\n二、驳回原告张爱丽的其他诉讼请求。"
        ),
        fee_defendants=fee_share,
        version=draft.version,
    )
    decisions.decision_issue(actor=judge, draft_id=draft.pk, version=draft.version)


def load() -> list[dict[str, str]]:
    mobiles = {"alice": ALICE, "bo": BO, "clerk": CLERK, "judge": JUDGE, "assistant": ASSISTANT}
    found = {u.mobile: u for u in User.objects.filter(mobile__in=mobiles.values())}
    people = {name: found.get(mobile) for name, mobile in mobiles.items()}
    if None in people.values() or Hearing.objects.exists():
        return []
    staff: dict[str, Any] = people
    try:
        import time_machine  # noqa: F401

        past = True
    except ImportError:
        past = False
    now = timezone.now()
    rows: list[dict[str, str]] = []

    def built(case: Case, stage: str) -> None:
        rows.append(
            {"role": "demo trial", "login": case.number, "name": stage, "password": "", "totp": ""}
        )

    if past:
        # 5. Closed by an effective judgment: heard 40 days ago, judgment served 35 days ago.
        start = _weekday(_court_time(now - timedelta(days=48), 9, 30))
        with _clock(start - timedelta(days=7)), transaction.atomic():
            closed = _case(
                staff, "判令被告赔偿经济损失20,000元 / Pay damages of 20,000 yuan", "20000"
            )
            hearing = _schedule(staff, closed, start)
        with _clock(start + timedelta(minutes=1)), transaction.atomic():
            _hold(staff, hearing)
        with _clock(start + timedelta(days=3)), transaction.atomic():
            _judgment(staff, closed, Decimal("100.00"))
        decisions.decisions_settle()
        closed.refresh_from_db()
        built(closed, "Closed by an effective judgment / 判决生效结案")

        # 3. Heard yesterday (or last weekday): the record closed, waiting for signatures.
        start = _court_time(now - timedelta(days=1), 10, 0)
        while start.astimezone(get_court_profile().time_zone).weekday() >= 5:
            start -= timedelta(days=1)
        with _clock(start - timedelta(days=7)), transaction.atomic():
            heard = _case(
                staff, "判令被告赔偿经济损失15,000元 / Pay damages of 15,000 yuan", "15000"
            )
            hearing = _schedule(staff, heard, start)
        with _clock(start + timedelta(minutes=1)), transaction.atomic():
            _hold(staff, hearing)
        built(heard, "Heard; record waiting for signatures / 已开庭，笔录待签名")

        # 4. Decided today: the judgment served, the appeal periods running.
        start = _weekday(_court_time(now - timedelta(days=12), 14, 0))
        with _clock(start - timedelta(days=7)), transaction.atomic():
            decided = _case(
                staff, "判令被告赔偿经济损失30,000元 / Pay damages of 30,000 yuan", "30000"
            )
            hearing = _schedule(staff, decided, start)
        with _clock(start + timedelta(minutes=1)), transaction.atomic():
            _hold(staff, hearing)
        with transaction.atomic():
            _judgment(staff, decided, Decimal("200.00"))
        built(decided, "Judgment issued, appeal periods running / 判决已送达，上诉期内")

    # 1. A hearing scheduled a week ahead.
    with transaction.atomic():
        upcoming = _case(staff, "判令被告赔偿经济损失5,000元 / Pay damages of 5,000 yuan", "5000")
        _schedule(staff, upcoming, _weekday(_court_time(now + timedelta(days=7), 9, 30)))
    built(upcoming, "Hearing scheduled / 已排期开庭")

    # 2. An asynchronous trial, round 1 open.
    with transaction.atomic():
        asynchronous = _case(
            staff, "判令被告赔偿经济损失3,000元 / Pay damages of 3,000 yuan", "3000"
        )
        for user, side in (
            (staff["alice"], PartySide.PLAINTIFF),
            (staff["bo"], PartySide.DEFENDANT),
        ):
            party = asynchronous.parties.get(side=side)
            async_trial.async_consent_record(
                actor=user, case_id=asynchronous.pk, party_id=party.pk, consent=True
            )
        async_trial.async_trial_open(
            actor=staff["judge"],
            case_id=asynchronous.pk,
            questions=(
                "1. 原告：请说明涉案作品的创作时间和首次发表的情况。\n"
                "2. 被告：请说明涉案图片的来源以及删除的时间。"
            ),
            window_hours=72,
        )
    built(asynchronous, "Asynchronous trial, round 1 open / 异步审理第一轮")
    return rows
