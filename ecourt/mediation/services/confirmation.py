"""Judicial confirmation of a settlement (CPL Art. 205-206): the parties apply jointly within
30 days of the agreement taking effect; the last application dockets a 民特 case for a judge,
who rules that the agreement is valid or rejects the application. The ruling is issued as a
court document (a PDF under the court's seal) and served on every party through delivery."""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases import selectors as case_selectors
from ecourt.cases.models import (
    ApplicationStatus,
    Case,
    CaseStatus,
    ClosingMode,
    Party,
    PartySide,
    Procedure,
)
from ecourt.cases.rules.case_numbers import CaseNumber, CaseTypeCode
from ecourt.cases.services._common import (
    deadline_open,
    deadlines_close,
    docket_add,
    guard_case_move,
    lock_application,
    lock_case,
    notify,
    today,
)
from ecourt.cases.services.filing import case_number_next
from ecourt.core import deadlines
from ecourt.core.audit import audit_record
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.selectors import court_calendar
from ecourt.core.text import clean_text
from ecourt.documents.models import DocumentKind
from ecourt.documents.services import document_issue
from ecourt.documents.sign import SealUnavailable
from ecourt.mediation import rules
from ecourt.mediation.models import (
    ConsentKind,
    Mediation,
    MediationStatus,
    SettlementAgreement,
)
from ecourt.mediation.services._common import (
    event_add,
    lock_mediation,
    mediation_parties,
)
from ecourt.mediation.services.consents import _consent, _everyone_consented
from ecourt.mediation.services.outcomes import (
    CONFIRMATION_DEADLINE,
    CONFIRMATION_DECISION_DAYS,
    _notify_parties,
)

S = ApplicationStatus
M = MediationStatus

logger = logging.getLogger(__name__)

#: The title printed on the ruling and given to the court document.
RULING_TITLE = "民事裁定书"


# --- Judicial confirmation ---------------------------------------------------------------------


def confirmation_apply(*, actor: User, mediation_id: int) -> Mediation:
    """A party joins the application for judicial confirmation. When the last party has
    joined, a 民特 case is docketed for a judge (free of charge)."""
    with transaction.atomic():
        mediation = lock_mediation(mediation_id)
        if mediation.status != M.SETTLED:
            raise DomainError(
                _("Judicial confirmation needs a settlement agreement signed by every party."),
                code="not_settled",
            )
        if mediation.confirmation_case_id is not None:
            raise DomainError(
                _("Judicial confirmation has already been applied for."), code="already_applied"
            )
        assert mediation.ended_on is not None
        window_end = rules.confirmation_window_end(
            mediation.ended_on, court_calendar=court_calendar()
        )
        if today() > window_end:
            raise DomainError(
                _(
                    "The 30 days to apply for judicial confirmation ended on %(date)s. You may "
                    "file a lawsuit on the agreement instead."
                )
                % {"date": window_end.isoformat()},
                code="window_ended",
            )
        for consent in _consent(actor, mediation, ConsentKind.CONFIRMATION):
            event_add(
                mediation=mediation,
                code="mediation.confirmation.applied",
                actor=actor,
                text=gettext_lazy("%(party)s applied for judicial confirmation."),
                params={"party": consent.party.name},
            )
        if _everyone_consented(mediation, ConsentKind.CONFIRMATION):
            _docket_confirmation(mediation, actor)
    return mediation


def _docket_confirmation(mediation: Mediation, actor: User) -> Case:
    application = lock_application(mediation.application_id)
    agreement = (
        SettlementAgreement.objects.filter(mediation=mediation, completed_at__isnull=False)
        .order_by("-version")
        .get()
    )
    assert application.case_type is not None
    on, now = today(), timezone.now()
    type_code = CaseTypeCode.SPECIAL_PROCEDURE
    serial = case_number_next(year=on.year, type_code=type_code.value)
    number = CaseNumber(on.year, get_court_profile().code, type_code, serial)
    judges = case_selectors.judges_by_load()
    parties = mediation_parties(mediation)
    title = "、".join(p.name for p in parties) + " 申请司法确认调解协议"
    case = Case.objects.create(
        application=application,
        number=str(number),
        year=on.year,
        type_code=type_code.value,
        serial=serial,
        case_type=application.case_type,
        procedure=Procedure.ORDINARY,
        title=title[:300],
        docketed_at=now,
        docketed_on=on,
        docketed_by=actor,
        judge=judges[0] if judges else None,
        fee_amount=0,
    )
    Party.objects.filter(application=application).update(case=case)
    deadlines_close(how="met", application=application, code=CONFIRMATION_DEADLINE)
    deadline_open(
        application=application,
        case=case,
        code="confirmation_decision",
        start=on,
        start_event="docketing of the application for judicial confirmation",
        due=deadlines.period_end(
            on, CONFIRMATION_DECISION_DAYS, deadlines.Unit.DAYS, court_calendar=court_calendar()
        ),
        basis="SPC Provisions on Judicial Confirmation Procedures (2011): decision within 15 days",
    )
    docket_add(
        case=case,
        code="confirmation.applied",
        actor=actor,
        text=gettext_lazy(
            "Joint application for judicial confirmation of the settlement agreement reached in "
            "pre-filing mediation %(mediation)s (CPL Art. 205). No fee is charged."
        ),
        params={"mediation": mediation.number},
        document_text=agreement.text,
    )
    docket_add(
        case=case,
        code="confirmation.docketed",
        actor=actor,
        text=gettext_lazy("Docketed as %(number)s. Judge: %(judge)s."),
        params={"number": case.number, "judge": case.judge.display_name if case.judge else "—"},
    )
    mediation.confirmation_case = case
    mediation.save(update_fields=["confirmation_case"])
    event_add(
        mediation=mediation,
        code="mediation.confirmation.docketed",
        text=gettext_lazy("Every party applied: judicial confirmation docketed as %(number)s."),
        params={"number": case.number},
    )
    audit_record(
        code="ecourt.mediation.confirmation.docketed",
        actor=actor,
        target=mediation,
        new={"case": case.pk, "number": case.number},
    )
    if case.judge is not None:
        notify(
            case.judge,
            gettext_lazy("Judicial confirmation %(number)s was assigned to you."),
            "confirmation.assigned",
            number=case.number,
        )
    return case


def _ruling_guard(actor: User, case: Case, *, confirm: bool, reasons: str) -> Mediation:
    """Who may rule, on what, and when; the mediation whose agreement is ruled on. Checked
    once without locks (so a refused ruling renders nothing) and again under the case lock."""
    if case.type_code != CaseTypeCode.SPECIAL_PROCEDURE.value or not hasattr(
        case, "confirmed_mediation"
    ):
        raise DomainError(_("No such case."), code="not_found")
    if case.judge_id != actor.pk:
        raise PermissionDenied(
            _("Only the judge assigned to the case can rule on it."), code="not_judge"
        )
    if not confirm and len(reasons) < 10:
        raise DomainError(
            _("Give the reasons for rejecting the application (at least 10 characters)."),
            code="reasons_required",
            field="reasons",
        )
    if case.status != CaseStatus.DOCKETED:
        raise DomainError(_("This application has already been ruled on."), code="decided")
    guard_case_move(case, CaseStatus.CLOSED)
    return Mediation.objects.get(confirmation_case=case)


def _day_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def ruling_body(
    *,
    case: Case,
    mediation: Mediation,
    agreement: SettlementAgreement,
    parties: list[Party],
    confirm: bool,
    reasons: str,
) -> str:
    """The text of the ruling as issued (in Chinese, the language of the record): the
    applicants, the agreement's terms and the SHA-256 every party signed, the decision and
    its basis. CPL Art. 205-206 (judicial confirmation) [article numbers unverified after the
    2023 amendment]; the ruling takes effect at once (no appeal)."""
    names = "、".join(p.name for p in parties)
    lines = [f"申请人：{p.name}" for p in parties]
    lines += [
        "",
        f"申请人{names}于{_day_zh(case.docketed_on)}向本院共同申请确认其经诉前调解"
        f"（{mediation.number}）达成的调解协议（第{agreement.version}版）的效力。"
        "本院受理后，依法进行了审查。",
        "调解协议约定：",
        *(line.rstrip() for line in agreement.terms.replace("\r\n", "\n").strip().split("\n")),
        f"各方当事人签署的调解协议全文的SHA-256值为{agreement.text_sha256}。",
    ]
    basis = "依照《中华人民共和国民事诉讼法》第二百零五条、第二百零六条的规定，裁定如下："
    if confirm:
        lines += [
            "本院经审查认为，申请人达成的调解协议符合司法确认的条件。"
            + (reasons if reasons else ""),
            basis,
            "申请人达成的调解协议有效。",
            "当事人拒绝履行或者未全部履行的，对方当事人可以向人民法院申请强制执行。",
        ]
    else:
        lines += [
            f"本院经审查认为：{reasons}",
            basis,
            "驳回申请人的司法确认申请。",
            "当事人可以通过调解方式变更原调解协议或者达成新的调解协议，也可以向人民法院提起诉讼。",
        ]
    lines.append("本裁定即时发生法律效力。")
    return "\n".join(lines) + "\n"


def _ruling_pdf(*, case: Case, body: str, judge: User, issued_at: datetime) -> bytes:
    """The ruling under the court's seal. Without the seal the judge gets a clear refusal
    (not a 500) and nothing is ruled; the configuration problem is logged."""
    from ecourt.documents.render import render_document_pdf

    try:
        return render_document_pdf(
            case=case,
            kind=DocumentKind.RULING,
            title=RULING_TITLE,
            body=body,
            language="zh-hans",
            issued_at=issued_at,
            judge=judge,
        )
    except SealUnavailable as exc:
        logger.error("Confirmation ruling in case %s not signed: %s", case.pk, exc, exc_info=exc)
        raise DomainError(
            _(
                "The court's seal is not configured, so the ruling cannot be signed. Ask the "
                "court administrator."
            ),
            code="seal_unavailable",
        ) from exc


def confirmation_decide(*, actor: User, case_id: int, confirm: bool, reasons: str = "") -> Case:
    """The judge rules on the application: the agreement is valid (and can be enforced), or
    the application is rejected, with reasons (CPL Art. 206). The ruling is final.

    The ruling is rendered and sealed first, outside the transaction (drawing a PDF takes
    about half a second, too long to hold the case lock); everything it prints is fixed once
    the case is docketed. The transaction re-checks every guard, closes the case and issues
    the ruling as a court document served on every party (its PDF hash deposited)."""
    reasons = clean_text(
        reasons, field="reasons", max_length=20_000, required=False, multiline=True
    )
    case = Case.objects.select_related("judge").filter(pk=case_id).first()
    if case is None:
        raise DomainError(_("No such case."), code="not_found")
    mediation = _ruling_guard(actor, case, confirm=confirm, reasons=reasons)
    agreement = (
        SettlementAgreement.objects.filter(mediation=mediation, completed_at__isnull=False)
        .order_by("-version")
        .first()
    )
    if agreement is None:  # a 民特 case is only docketed on a completed agreement
        raise DomainError(_("No such case."), code="not_found")
    parties = sorted(
        case.parties.all(),
        key=lambda p: (p.side != PartySide.PLAINTIFF, p.side, p.position, p.pk),
    )
    now = timezone.now()
    body = ruling_body(
        case=case,
        mediation=mediation,
        agreement=agreement,
        parties=parties,
        confirm=confirm,
        reasons=reasons,
    )
    pdf = _ruling_pdf(case=case, body=body, judge=actor, issued_at=now)
    with transaction.atomic():
        case = lock_case(case_id)
        _ruling_guard(actor, case, confirm=confirm, reasons=reasons)
        mediation = Mediation.objects.select_for_update().get(confirmation_case=case)
        on = timezone.localtime(now).date()
        court = get_court_profile()
        if confirm:
            ruling = (
                f"{court.name_zh}\n民事裁定书\n{case.number}\n\n"
                f"申请人{case.title.removesuffix(' 申请司法确认调解协议')}于{case.docketed_on}"
                f"共同申请确认{mediation.number}调解协议的效力。经审查，该调解协议符合"
                "司法确认的条件。依照《中华人民共和国民事诉讼法》第二百零六条的规定，裁定如下：\n"
                "申请人达成的调解协议有效。当事人拒绝履行或者未全部履行的，对方当事人可以"
                "向人民法院申请强制执行。\n本裁定即时生效。\n"
                + (f"\n{reasons}\n" if reasons else "")
            )
        else:
            ruling = (
                f"{court.name_zh}\n民事裁定书\n{case.number}\n\n"
                f"申请人共同申请确认{mediation.number}调解协议的效力。经审查：{reasons}\n"
                "依照《中华人民共和国民事诉讼法》第二百零六条的规定，裁定如下：\n"
                "驳回申请。当事人可以通过调解方式变更原调解协议或者达成新的调解协议，"
                "也可以向人民法院提起诉讼。\n本裁定即时生效。\n"
            )
        docket_add(
            case=case,
            code="confirmation.ruling",
            actor=actor,
            text=gettext_lazy("Ruling: %(outcome)s"),
            params={
                "outcome": (
                    ("the settlement agreement is valid.", "调解协议有效。")
                    if confirm
                    else ("the application is rejected.", "驳回申请。")
                )
            },
            document_text=ruling,
        )
        case.status = CaseStatus.CLOSED
        case.decision_kind = ClosingMode.RULING
        case.closing_mode = ClosingMode.RULING
        case.decided_on = on
        case.closed_at = now
        case.save(
            update_fields=["status", "decision_kind", "closing_mode", "decided_on", "closed_at"]
        )
        deadlines_close(how="met", case=case, code="confirmation_decision")
        # The ruling as a court document, served on every party. The case is closed before
        # it is issued, so its service opens no appeal period (delivery starts one only for
        # the decision of a decided case): a confirmation ruling is final. The docket entry
        # above records it; the deliveries add their own entries when served.
        document_issue(
            actor=actor,
            case_id=case.pk,
            kind=DocumentKind.RULING,
            title=RULING_TITLE,
            body=body,
            pdf=pdf,
            check_staff=False,
            docket=False,
        )
        event_add(
            mediation=mediation,
            code="mediation.confirmation.ruled",
            actor=actor,
            text=gettext_lazy("Judicial confirmation %(number)s: %(outcome)s"),
            params={
                "number": case.number,
                "outcome": (
                    ("the agreement was confirmed as valid.", "调解协议经确认有效。")
                    if confirm
                    else ("the application was rejected.", "申请被驳回。")
                ),
            },
        )
        audit_record(
            code="ecourt.mediation.confirmation.ruled",
            actor=actor,
            target=case,
            old={"status": CaseStatus.DOCKETED},
            new={"status": CaseStatus.CLOSED, "confirmed": confirm},
        )
        _notify_parties(
            mediation,
            gettext_lazy(
                "The court ruled on judicial confirmation %(number)s. Sign in to read it."
            ),
            "confirmation.ruled",
            number=case.number,
        )
    return case
