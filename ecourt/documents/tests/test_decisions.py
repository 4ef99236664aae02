"""Judgments and rulings: who drafts, strict template slots, issuing (the signed PDF's hash is
the document's and the deposit's), appeal periods from each party's own service, effect and
closing by the worker's sweep.

Alice sues Beta Tech, which Bob represents; Judge Wang tries the case; the clerk keeps the
record of the hearing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases import services as case_services
from ecourt.cases.models import Case, CaseDeadline, CaseStatus
from ecourt.cases.tests.factories import docketed_case
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.delivery.services.receipts import delivery_mark_read
from ecourt.delivery.tests.factories import (
    beta_case,
    confirm,
    defendant,
    delivery_to,
    link_beta,
    plaintiff,
)
from ecourt.documents import decisions
from ecourt.documents.appeals import appeal_file
from ecourt.documents.models import DraftStatus
from ecourt.documents.services import document_pdf_bytes
from ecourt.hearings.models import Hearing, HearingStatus
from ecourt.hearings.tests.factories import courtroom

SHANGHAI = ZoneInfo("Asia/Shanghai")
REASONING = "被告未经许可在其网站使用原告享有著作权的摄影作品，构成侵权，应当承担赔偿责任。"
DECISION = "一、被告贝塔科技有限公司于本判决生效之日起十日内赔偿原告经济损失20,000元。"


def at(time_machine, day: date, hour: int = 10) -> None:
    time_machine.move_to(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


@contextmanager
def refused(code: str) -> Iterator[DomainError]:
    with pytest.raises(DomainError) as info:
        yield info  # type: ignore[misc]
    assert info.value.code == code, (info.value.code, str(info.value))


def make_heard(
    alice: User, bob: User, clerk: User, judge: User, commit, *, another: bool = False
) -> Case:
    """Alice v. Beta Tech, Bob linked, one online hearing held with the clerk. ``another``:
    a second such case (Beta Tech's company record exists already)."""
    with commit():
        case = (
            docketed_case(alice, clerk, judge=judge)
            if another
            else beta_case(alice, bob, clerk, judge)
        )
    link_beta(bob, case)
    room = courtroom()
    start = timezone.now() - timedelta(hours=2)
    Hearing.objects.create(
        case=case,
        courtroom=room,
        judge=judge,
        clerk=clerk,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=HearingStatus.ENDED,
        room=f"room-{case.pk}",
        scheduled_by=judge,
        scheduled_at=start - timedelta(days=5),
        started_at=start,
        ended_at=start + timedelta(hours=1),
    )
    # The road to "heard" (evidence exchange, scheduling, the hearing) is tested elsewhere.
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.HEARD)
    case.refresh_from_db()
    return case


def ready_draft(judge: User, case: Case, kind: str = "judgment", **overrides: object):
    draft = decisions.decision_draft_create(actor=judge, case_id=case.pk, kind=kind)
    values: dict[str, object] = {
        "reasoning": REASONING,
        "decision": DECISION,
        "fee_defendants": str(case.fee_amount),
    }
    values.update(overrides)
    return decisions.decision_draft_update(
        actor=judge,
        draft_id=draft.pk,
        version=draft.version,
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture(autouse=True)
def seal(settings, tmp_path_factory) -> None:
    """A demo seal for signing, when the test settings did not make one."""
    from ecourt.documents.sign import seal_generate

    key, cert = Path(settings.ECOURT_SEAL_KEY_FILE), Path(settings.ECOURT_SEAL_CERT_FILE)
    if key.exists() and cert.exists():
        return
    folder = tmp_path_factory.mktemp("seal")
    key, cert = folder / "court-seal.key", folder / "court-seal.crt"
    seal_generate(key, cert, common_name="Test Internet Court")
    settings.ECOURT_SEAL_KEY_FILE, settings.ECOURT_SEAL_CERT_FILE = key, cert


@pytest.fixture
def heard(alice, bob, clerk, judge, commit, time_machine) -> Case:
    at(time_machine, date(2026, 7, 10))
    return make_heard(alice, bob, clerk, judge, commit)


@pytest.fixture
def judge_li(db) -> User:
    """Another judge of the court, not assigned to the case."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ecourt.accounts.tests.factories import VerifiedUserFactory

    user = VerifiedUserFactory(display_name="Judge Li", roles=[Role.JUDGE])
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


# --- Drafting rights --------------------------------------------------------------------------


def test_it_lets_only_the_case_judge_draft(heard, judge, judge_li, alice, bob, clerk):
    draft = decisions.decision_draft_create(actor=judge, case_id=heard.pk, kind="judgment")
    assert draft.status == DraftStatus.DRAFT and draft.version == 1
    for outsider in (judge_li, alice, bob, clerk):
        with pytest.raises(PermissionDenied):
            decisions.decision_draft_create(actor=outsider, case_id=heard.pk, kind="judgment")
        with pytest.raises(PermissionDenied):
            decisions.decision_preview(actor=outsider, draft_id=draft.pk)


def test_it_refuses_a_merits_draft_before_the_hearing(heard, judge):
    Case.objects.filter(pk=heard.pk).update(status=CaseStatus.EVIDENCE_EXCHANGE)
    with refused("illegal_transition"):
        decisions.decision_draft_create(actor=judge, case_id=heard.pk, kind="judgment")


# --- Strict slots -----------------------------------------------------------------------------


def test_an_unknown_slot_is_refused_by_name(heard, judge, settings, tmp_path: Path):
    (tmp_path / "judgment.zh-hans.txt").write_text("{court}\n{verdict}\n", encoding="utf-8")
    settings.ECOURT_DOCUMENT_TEMPLATE_DIR = str(tmp_path)
    draft = ready_draft(judge, heard)
    with refused("slot_unknown") as info:
        decisions.decision_preview(actor=judge, draft_id=draft.pk)
    assert "{verdict}" in str(info.value)


def test_missing_reasoning_and_fee_allocation_are_named(heard, judge):
    draft = decisions.decision_draft_create(actor=judge, case_id=heard.pk, kind="judgment")
    filled = decisions.decision_preview_check(actor=judge, draft_id=draft.pk)
    assert {p.slot for p in filled.problems} == {"reasoning", "decision", "fees"}
    with refused("slot_missing") as info:
        decisions.decision_preview(actor=judge, draft_id=draft.pk)
    assert info.value.field == "reasoning"
    draft = decisions.decision_draft_update(
        actor=judge,
        draft_id=draft.pk,
        reasoning=REASONING,
        decision=DECISION,
        fee_defendants=None,
        version=1,
    )
    with refused("slot_missing") as info:
        decisions.decision_preview(actor=judge, draft_id=draft.pk)
    assert info.value.field == "fee_defendants"


def test_the_preview_reads_like_a_court_judgment(heard, judge):
    draft = ready_draft(judge, heard)
    text = decisions.decision_preview(actor=judge, draft_id=draft.pk)
    assert heard.number in text and "民事判决书" in text
    assert "本院认为，" + REASONING in text and "判决如下" in text
    assert "如不服本判决，可以在判决书送达之日起十五日内" in text
    assert "Beta Tech" in text and "书记员" in text and "二〇二六年七月十日" in text


def test_a_fee_share_beyond_the_fee_and_a_stale_version_are_refused(heard, judge):
    draft = decisions.decision_draft_create(actor=judge, case_id=heard.pk, kind="judgment")
    with refused("fee_out_of_range"):
        decisions.decision_draft_update(
            actor=judge,
            draft_id=draft.pk,
            reasoning="",
            decision="",
            fee_defendants=str(heard.fee_amount + 1),
            version=1,
        )
    decisions.decision_draft_update(
        actor=judge, draft_id=draft.pk, reasoning="x", decision="", fee_defendants="", version=1
    )
    with refused("stale_version"):
        decisions.decision_draft_update(
            actor=judge, draft_id=draft.pk, reasoning="y", decision="", fee_defendants="", version=1
        )


# --- Issuing and the appeal periods -----------------------------------------------------------


def issue(judge: User, draft, commit):
    with commit():
        return decisions.decision_issue(actor=judge, draft_id=draft.pk, version=draft.version)


def test_issuing_decides_and_each_party_appeals_from_its_own_service(
    heard, alice, bob, judge, commit, time_machine
):
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))  # Alice consents: served when it reaches her
    draft = ready_draft(judge, heard)
    document = issue(judge, draft, commit)

    pdf = document_pdf_bytes(document)
    assert pdf is not None and pdf.startswith(b"%PDF")
    digest = hashlib.sha256(pdf).hexdigest()
    assert digest == document.sha256 == document.deposit.sha256 == document.pdf.sha256
    heard.refresh_from_db()
    assert (heard.status, heard.decision_kind) == (CaseStatus.DECIDED, "judgment")
    draft.refresh_from_db()
    assert (draft.status, draft.document_id) == (DraftStatus.ISSUED, document.pk)

    periods = CaseDeadline.objects.filter(
        case=heard, code="appeal_judgment", cancelled_at__isnull=True
    )
    [alices] = periods
    assert alices.party == plaintiff(heard)
    # Monday 13 July + 15 days = Tuesday 28 July.
    assert (alices.start_date, alices.due_date) == (date(2026, 7, 13), date(2026, 7, 28))
    with translation.override("en"), refused("appeal_period_running") as info:
        case_services.case_make_effective(actor=judge, case_id=heard.pk)
    assert "Beta Tech" in str(info.value) and "not been served" in str(info.value)

    at(time_machine, date(2026, 7, 16))
    with commit():
        delivery_mark_read(
            actor=bob, delivery_id=delivery_to(document, defendant(heard)).pk, evidence={}
        )
    betas = periods.get(party=defendant(heard))
    assert (betas.start_date, betas.due_date) == (date(2026, 7, 16), date(2026, 7, 31))

    at(time_machine, date(2026, 7, 29))
    with refused("appeal_period_running") as info:
        case_services.case_make_effective(actor=judge, case_id=heard.pk)
    assert "2026-07-31" in str(info.value)
    assert decisions.decisions_settle() == 0

    at(time_machine, date(2026, 8, 1))
    assert decisions.decisions_settle() == 1
    heard.refresh_from_db()
    assert (heard.status, heard.closing_mode) == (CaseStatus.CLOSED, "judgment")
    assert heard.docket.filter(code="cases.fees_settled").exists()
    assert decisions.decisions_settle() == 0


def test_a_ruling_gives_ten_days(heard, alice, judge, commit, time_machine):
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))
    draft = ready_draft(judge, heard, kind="ruling", decision="驳回原告的起诉。")
    issue(judge, draft, commit)
    [period] = CaseDeadline.objects.filter(case=heard, code="appeal_ruling")
    assert (period.start_date, period.due_date) == (date(2026, 7, 13), date(2026, 7, 23))


def test_a_stale_draft_and_a_second_issue_are_refused(heard, judge, commit):
    draft = ready_draft(judge, heard)
    with refused("stale_version"):
        decisions.decision_issue(actor=judge, draft_id=draft.pk, version=draft.version - 1)
    issue(judge, draft, commit)
    with refused("draft_issued"):
        decisions.decision_issue(actor=judge, draft_id=draft.pk, version=draft.version)
    with refused("draft_issued"):
        decisions.decision_draft_update(
            actor=judge,
            draft_id=draft.pk,
            reasoning="x",
            decision="y",
            fee_defendants="",
            version=draft.version,
        )


def test_a_correcting_ruling_does_not_move_the_case(heard, judge, commit):
    document = issue(judge, ready_draft(judge, heard), commit)
    correction = decisions.decision_draft_create(
        actor=judge, case_id=heard.pk, kind="ruling", corrects_id=document.pk
    )
    correction = decisions.decision_draft_update(
        actor=judge,
        draft_id=correction.pk,
        reasoning="判决书第一项中“2,000元”应为“20,000元”。",
        decision="补正本院判决书第一项中的“2,000元”为“20,000元”。",
        fee_defendants="",
        version=1,
    )
    fixed = issue(judge, correction, commit)
    assert fixed.corrects_id == document.pk
    heard.refresh_from_db()
    assert heard.status == CaseStatus.DECIDED
    assert not CaseDeadline.objects.filter(case=heard, code="appeal_ruling").exists()


def test_an_appeal_keeps_the_case_from_closing(heard, alice, bob, judge, commit, time_machine):
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))
    confirm(bob, heard, defendant(heard))
    issue(judge, ready_draft(judge, heard), commit)
    appeal_file(
        actor=bob,
        case_id=heard.pk,
        party_id=defendant(heard).pk,
        reasons="The photographs were licensed to us by the photographer's agency.",
        requests="Set aside the judgment and dismiss the claims.",
    )
    at(time_machine, date(2026, 8, 20))
    assert decisions.decisions_settle() == 0
    heard.refresh_from_db()
    assert heard.status == CaseStatus.APPEALED


def test_a_party_served_after_another_appealed_gets_its_period(
    heard, alice, bob, judge, commit, time_machine
):
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))
    document = issue(judge, ready_draft(judge, heard), commit)
    appeal_file(
        actor=alice,
        case_id=heard.pk,
        party_id=plaintiff(heard).pk,
        reasons="The damages are too low.",
        requests="Raise the damages to 50,000 yuan.",
    )
    heard.refresh_from_db()
    assert heard.status == CaseStatus.APPEALED
    at(time_machine, date(2026, 7, 16))
    with commit():
        delivery_mark_read(
            actor=bob, delivery_id=delivery_to(document, defendant(heard)).pk, evidence={}
        )
    betas = CaseDeadline.objects.get(
        case=heard, party=defendant(heard), code="appeal_judgment", cancelled_at__isnull=True
    )
    assert (betas.start_date, betas.due_date) == (date(2026, 7, 16), date(2026, 7, 31))
    at(time_machine, date(2026, 8, 3))
    with refused("appeal_period_ended"):
        appeal_file(
            actor=bob,
            case_id=heard.pk,
            party_id=defendant(heard).pk,
            reasons="The photographs were licensed to us by the photographer's agency.",
            requests="Set aside the judgment and dismiss the claims.",
        )


def test_a_party_that_appealed_before_service_has_its_period_met(
    heard, alice, judge, commit, time_machine
):
    at(time_machine, date(2026, 7, 13))
    document = issue(judge, ready_draft(judge, heard), commit)
    appeal_file(
        actor=alice,
        case_id=heard.pk,
        party_id=plaintiff(heard).pk,
        reasons="The damages are too low.",
        requests="Raise the damages to 50,000 yuan.",
    )
    at(time_machine, date(2026, 7, 14))
    with commit():
        delivery_mark_read(
            actor=alice, delivery_id=delivery_to(document, plaintiff(heard)).pk, evidence={}
        )
    period = CaseDeadline.objects.get(
        case=heard, party=plaintiff(heard), code="appeal_judgment", cancelled_at__isnull=True
    )
    assert period.met_at is not None


def test_a_correcting_ruling_in_a_case_decided_by_ruling_does_not_restart_periods(
    heard, alice, judge, commit, time_machine
):
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))
    ruling = issue(
        judge, ready_draft(judge, heard, kind="ruling", decision="驳回原告的起诉。"), commit
    )
    at(time_machine, date(2026, 7, 15))
    correction = decisions.decision_draft_create(
        actor=judge, case_id=heard.pk, kind="ruling", corrects_id=ruling.pk
    )
    correction = decisions.decision_draft_update(
        actor=judge,
        draft_id=correction.pk,
        reasoning="裁定书中的笔误应予补正。",
        decision="补正本院裁定书中的笔误。",
        fee_defendants="",
        version=1,
    )
    issue(judge, correction, commit)
    [period] = CaseDeadline.objects.filter(
        case=heard, code="appeal_ruling", cancelled_at__isnull=True
    )
    assert (period.start_date, period.due_date) == (date(2026, 7, 13), date(2026, 7, 23))


def test_a_case_tried_only_asynchronously_is_decided_without_a_clerk(
    heard, alice, judge, commit, time_machine
):
    from ecourt.hearings.models import AsyncTrial, AsyncTrialStatus

    at(time_machine, date(2026, 7, 13))
    Hearing.objects.filter(case=heard).delete()  # no hearing was held
    draft = ready_draft(judge, heard)
    with refused("slot_missing") as info:
        decisions.decision_preview(actor=judge, draft_id=draft.pk)
    assert "{clerk}" in str(info.value)

    now = timezone.now()
    AsyncTrial.objects.create(
        case=heard,
        judge=judge,
        status=AsyncTrialStatus.CLOSED,
        opened_at=now - timedelta(days=10),
        closed_at=now - timedelta(days=1),
    )
    text = decisions.decision_preview(actor=judge, draft_id=draft.pk)
    assert "书记员" not in text and "审判员" in text and "异步审理" in text
    document = issue(judge, draft, commit)
    assert "书记员" not in document.body
    heard.refresh_from_db()
    assert heard.status == CaseStatus.DECIDED


def test_an_open_async_trial_alone_does_not_stand_for_the_clerk(heard, judge):
    from ecourt.hearings.models import AsyncTrial

    Hearing.objects.filter(case=heard).delete()
    AsyncTrial.objects.create(case=heard, judge=judge, opened_at=timezone.now())
    filled = decisions.decision_preview_check(actor=judge, draft_id=ready_draft(judge, heard).pk)
    assert [p.slot for p in filled.problems] == ["clerk"]


@pytest.mark.parametrize(
    "raw", ["1e30", "9" * 40, "1" + "0" * 12, "0.001", "1e-30", "NaN", "Infinity", "abc"]
)
def test_a_fee_that_does_not_fit_the_field_is_refused(heard, judge, raw):
    draft = decisions.decision_draft_create(actor=judge, case_id=heard.pk, kind="judgment")
    with refused("fee_invalid") as info:
        decisions.decision_draft_update(
            actor=judge, draft_id=draft.pk, reasoning="", decision="", fee_defendants=raw, version=1
        )
    assert info.value.field == "fee_defendants"


def test_parse_fee_takes_twelve_integer_digits():
    from decimal import Decimal

    assert decisions.parse_fee("999,999,999,999.99") == Decimal("999999999999.99")
    assert decisions.parse_fee(" 12.5 ") == Decimal("12.5")
    assert decisions.parse_fee("") is None


@translation.override("en")  # the messages are checked in English
def test_no_decision_while_a_hearing_is_scheduled_or_an_async_trial_open(heard, judge, commit):
    from ecourt.hearings.models import AsyncTrial, AsyncTrialStatus

    draft = ready_draft(judge, heard)
    hearing = Hearing.objects.get(case=heard)
    later = Hearing.objects.create(
        case=heard,
        courtroom=hearing.courtroom,
        judge=judge,
        clerk=hearing.clerk,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=1),
        status=HearingStatus.SCHEDULED,
        room=f"room-{heard.pk}-2",
        scheduled_by=judge,
        scheduled_at=timezone.now(),
    )
    for status in (HearingStatus.SCHEDULED, HearingStatus.IN_PROGRESS):
        Hearing.objects.filter(pk=later.pk).update(status=status)
        with refused("trial_in_progress") as info:
            decisions.decision_issue(actor=judge, draft_id=draft.pk, version=draft.version)
        assert "hearing" in str(info.value)
    Hearing.objects.filter(pk=later.pk).update(status=HearingStatus.CANCELLED)

    trial = AsyncTrial.objects.create(case=heard, judge=judge, opened_at=timezone.now())
    with refused("trial_in_progress") as info:
        decisions.decision_issue(actor=judge, draft_id=draft.pk, version=draft.version)
    assert "asynchronous" in str(info.value)
    AsyncTrial.objects.filter(pk=trial.pk).update(
        status=AsyncTrialStatus.CLOSED, closed_at=timezone.now()
    )
    issue(judge, draft, commit)
    heard.refresh_from_db()
    assert heard.status == CaseStatus.DECIDED


# --- The settling sweep -------------------------------------------------------------------------


def test_a_case_with_a_party_not_served_is_not_even_locked(
    heard, alice, judge, commit, time_machine, monkeypatch
):
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))  # Beta Tech is never served
    issue(judge, ready_draft(judge, heard), commit)
    at(time_machine, date(2026, 8, 20))
    locked: list[int] = []
    lock = decisions.lock_case

    def spy(case_id: int) -> Case:
        locked.append(case_id)
        return lock(case_id)

    monkeypatch.setattr(decisions, "lock_case", spy)
    assert decisions.decisions_settle() == 0
    assert locked == []
    heard.refresh_from_db()
    assert heard.status == CaseStatus.DECIDED
    assert not heard.docket.filter(code__in=["cases.effective", "cases.fees_settled"]).exists()


def test_one_failing_case_does_not_stop_the_sweep(
    heard, alice, bob, clerk, judge, commit, time_machine, monkeypatch, caplog
):
    at(time_machine, date(2026, 7, 10))
    other = make_heard(alice, bob, clerk, judge, commit, another=True)
    at(time_machine, date(2026, 7, 13))
    confirm(alice, heard, plaintiff(heard))
    confirm(bob, heard, defendant(heard))
    confirm(alice, other, plaintiff(other))
    confirm(bob, other, defendant(other))
    issue(judge, ready_draft(judge, heard), commit)
    issue(judge, ready_draft(judge, other), commit)

    settle = decisions.case_settle_decided
    broken = min(heard.pk, other.pk)  # the sweep goes by id: the broken case comes first

    def flaky(*, case: Case) -> Case:
        if case.pk == broken:
            raise RuntimeError("disk full")
        return settle(case=case)

    monkeypatch.setattr(decisions, "case_settle_decided", flaky)
    at(time_machine, date(2026, 8, 1))
    assert decisions.decisions_settle() == 1
    statuses = dict(Case.objects.filter(pk__in=[heard.pk, other.pk]).values_list("pk", "status"))
    assert statuses[broken] == CaseStatus.DECIDED
    assert statuses[max(heard.pk, other.pk)] == CaseStatus.CLOSED
    assert "disk full" in caplog.text or any(r.exc_info for r in caplog.records)


def test_a_missing_seal_is_a_clear_refusal_not_a_crash(heard, judge, settings, tmp_path, caplog):
    draft = ready_draft(judge, heard)
    settings.ECOURT_SEAL_KEY_FILE = str(tmp_path / "no-such-seal.key")
    with refused("seal_unavailable") as info:
        decisions.decision_issue(actor=judge, draft_id=draft.pk, version=draft.version)
    assert "ECOURT_SEAL_KEY_FILE" not in str(info.value)
    assert "ECOURT_SEAL_KEY_FILE" in caplog.text  # the original, for the administrator
    draft.refresh_from_db()
    heard.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT and heard.status == CaseStatus.HEARD
