"""Filing review: a clerk takes an application, asks for corrections, refuses it, or accepts
it — which dockets the case, numbers it gap-free, and invites the defendants.

Bases: CPL (2021) Arts. 122–126 (conditions and the 7-day decision), SPC Provisions on Case
Registration (《最高人民法院关于人民法院登记立案若干问题的规定》, 2015) Art. 7 (corrections asked
for once and in full, with a deadline; the period counts again from the corrected filing) and
Art. 9 (a refusal is a written ruling with reasons, open to appeal).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases import selectors
from ecourt.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    CaseNumberSerial,
    Party,
    PartySide,
    Procedure,
)
from ecourt.cases.rules.case_numbers import CaseNumber, CaseTypeCode
from ecourt.cases.rules.fees import half_fee
from ecourt.cases.services._common import (
    deadline_open,
    deadlines_close,
    docket_add,
    guard_application_move,
    lock_application,
    notify,
    today,
)
from ecourt.core.audit import audit_record
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import OutboundMessage
from ecourt.core.services import message_queue
from ecourt.core.text import clean_text

S = ApplicationStatus


def _require_clerk(actor: User) -> None:
    if not actor.has_role(Role.FILING_CLERK):
        raise PermissionDenied(_("Only a filing clerk may do this."), code="not_clerk")


def _take(actor: User, application: Application) -> None:
    """Move a submitted application under review by ``actor`` (part of any decision)."""
    if application.status == S.SUBMITTED:
        guard_application_move(application, S.UNDER_REVIEW)
        application.status = S.UNDER_REVIEW
        application.reviewer = actor
        application.save(update_fields=["status", "reviewer", "updated_at"])
        audit_record(
            code="ecourt.filing.review.started",
            actor=actor,
            target=application,
            old={"status": S.SUBMITTED},
            new={"status": S.UNDER_REVIEW},
        )


def filing_review_start(*, actor: User, application_id: int) -> Application:
    _require_clerk(actor)
    with transaction.atomic():
        application = lock_application(application_id)
        if application.status == S.UNDER_REVIEW:
            if application.reviewer_id != actor.pk:
                old = application.reviewer_id
                application.reviewer = actor
                application.save(update_fields=["reviewer", "updated_at"])
                audit_record(
                    code="ecourt.filing.review.taken_over",
                    actor=actor,
                    target=application,
                    old={"reviewer": old},
                    new={"reviewer": actor.pk},
                )
            return application
        if application.status != S.SUBMITTED:
            # The table allows UNDER_REVIEW from CORRECTIONS_REQUESTED and DIVERTED too, but
            # those come back by resubmission and by the mediation capability, not by a clerk
            # taking them: _take would silently leave them as they are.
            raise DomainError(
                _("This cannot be done while the application is “%(status)s”.")
                % {"status": application.get_status_display()},
                code="illegal_transition",
            )
        _take(actor, application)
    return application


def filing_request_corrections(
    *, actor: User, application_id: int, items: Sequence[str], due: date
) -> Application:
    """Ask once, in full, for what to fix, with a deadline (Registration Provisions Art. 7)."""
    _require_clerk(actor)
    cleaned = [clean_text(item, field="items", max_length=1000, required=False) for item in items]
    cleaned = [item for item in cleaned if item]
    if not cleaned:
        raise DomainError(
            _("List at least one thing to correct."), code="corrections_missing", field="items"
        )
    if due <= today():
        raise DomainError(
            _("The correction deadline must be a future day."), code="due_not_future", field="due"
        )
    if due > today() + timedelta(days=90):
        raise DomainError(
            _("Give at most 90 days for corrections."), code="due_too_far", field="due"
        )
    with transaction.atomic():
        application = lock_application(application_id)
        _take(actor, application)
        guard_application_move(application, S.CORRECTIONS_REQUESTED)
        if application.corrections:
            # Registration Provisions Art. 7: what to correct is said once and in full.
            raise DomainError(
                _(
                    "Corrections were already asked for once. Accept or refuse the corrected "
                    "application."
                ),
                code="corrections_already_requested",
            )
        application.status = S.CORRECTIONS_REQUESTED
        application.corrections = cleaned
        application.corrections_due = due
        application.save(update_fields=["status", "corrections", "corrections_due", "updated_at"])
        # The decision period stops; it starts again when the corrected application arrives.
        deadlines_close(how="cancelled", application=application, code="filing_decision")
        deadline_open(
            application=application,
            code="correction",
            start=today(),
            due=due,
            start_event="corrections requested",
            basis="SPC Provisions on Case Registration (2015) Art. 7",
        )
        audit_record(
            code="ecourt.filing.corrections.requested",
            actor=actor,
            target=application,
            old={"status": S.UNDER_REVIEW},
            new={"status": S.CORRECTIONS_REQUESTED, "items": cleaned, "due": due},
        )
        notify(
            application.created_by,
            gettext_lazy(
                "The court asks you to correct application no. %(id)s by %(due)s. "
                "Sign in to see what to fix."
            ),
            "filing.corrections",
            id=str(application.pk),
            due=due.isoformat(),
        )
    return application


def filing_refuse(*, actor: User, application_id: int, reason: str) -> Application:
    """Refuse to docket, with reasons (a ruling not to accept: CPL Arts. 126, 157). The
    applicant may appeal within 10 days of service; the decision is served on the platform."""
    _require_clerk(actor)
    reason = clean_text(reason, field="reason", max_length=5000, required=False, multiline=True)
    if len(reason) < 10:
        raise DomainError(
            _("Give the reasons for refusing (at least 10 characters)."),
            code="reason_missing",
            field="reason",
        )
    with transaction.atomic():
        application = lock_application(application_id)
        _take(actor, application)
        guard_application_move(application, S.REFUSED)
        old = application.status
        application.status = S.REFUSED
        application.decision_reason = reason
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "decision_reason", "decided_at", "updated_at"])
        deadlines_close(how="met", application=application, code="filing_decision")
        deadlines_close(how="cancelled", application=application, code="correction")
        deadline_open(
            application=application,
            code="appeal_ruling",
            start=today(),
            start_event="ruling not to accept served on the platform",
        )
        audit_record(
            code="ecourt.filing.refused",
            actor=actor,
            target=application,
            old={"status": old},
            new={"status": S.REFUSED, "reason": reason},
        )
        notify(
            application.created_by,
            gettext_lazy(
                "The court did not accept application no. %(id)s. You may appeal "
                "within 10 days. Sign in to read the reasons."
            ),
            "filing.refused",
            id=str(application.pk),
        )
    return application


def case_number_next(*, year: int, type_code: str) -> int:
    """The next serial for (year, type code), inside the caller's transaction.

    The counter row is created if missing (ignoring a concurrent creation), then locked; the
    lock is held until the docketing commits, so two clerks docketing at once get consecutive
    serials, and a docketing that fails rolls its serial back: gap-free and never reused.
    """
    CaseNumberSerial.objects.bulk_create(
        [CaseNumberSerial(year=year, type_code=type_code)], ignore_conflicts=True
    )
    counter = CaseNumberSerial.objects.select_for_update().get(year=year, type_code=type_code)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return counter.last_serial


def _association_code_hash(party_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"association:{party_id}:{code}".encode(), hashlib.sha256).hexdigest()


ASSOCIATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def association_code_issue(party: Party) -> str:
    """Give a defendant a fresh association code (8 characters); only its hash is stored."""
    code = "".join(secrets.choice(ASSOCIATION_ALPHABET) for _ in range(8))
    party.association_code_hash = _association_code_hash(party.pk, code)
    party.association_code_expires_at = timezone.now() + timedelta(
        days=settings.ECOURT_ASSOCIATION_CODE_DAYS
    )
    party.association_attempts = 0
    party.save(
        update_fields=[
            "association_code_hash",
            "association_code_expires_at",
            "association_attempts",
        ]
    )
    return code


def association_code_matches(party: Party, code: str) -> bool:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    return bool(party.association_code_hash) and hmac.compare_digest(
        party.association_code_hash, _association_code_hash(party.pk, normalised)
    )


def _invite_defendant(case: Case, party: Party, code: str) -> None:
    """Send the association code to the contact the plaintiff gave, in both languages (we do
    not know the defendant's). Marked sensitive: the body is blanked once sent."""
    court = get_court_profile()
    body = (
        f"[{court.name_zh}] 您已被列为{case.number}案件的被告。请登录平台，输入案号和关联码 {code} "
        f"查看起诉状并答辩。"
        f" [{court.name_en}] You are a defendant in case {case.number}. Sign in and enter the "
        f"case number and association code {code} to read the complaint and answer."
    )
    if party.mobile:
        message_queue(
            channel=OutboundMessage.Channel.SMS,
            to=party.mobile,
            body=body,
            purpose="case.association_code",
            sensitive=True,
        )
    if party.email:
        message_queue(
            channel=OutboundMessage.Channel.EMAIL,
            to=party.email,
            body=body,
            subject=f"{case.number}",
            purpose="case.association_code",
            sensitive=True,
        )


def _title(parties: Sequence[Party]) -> str:
    plaintiffs = "、".join(p.name for p in parties if p.side == PartySide.PLAINTIFF)
    defendants = "、".join(p.name for p in parties if p.side == PartySide.DEFENDANT)
    return f"{plaintiffs} v. {defendants}"[:300]


def filing_accept(
    *,
    actor: User,
    application_id: int,
    judge_id: int | None = None,
    procedure: str = Procedure.ORDINARY,
) -> Case:
    """Docket the case: number it, make the parties the case's, start the periods, put the
    complaint and the docketing on the docket, and invite the defendants."""
    _require_clerk(actor)
    if procedure not in Procedure.values:
        raise DomainError(_("Choose the procedure."), code="procedure_invalid", field="procedure")
    with transaction.atomic():
        application = lock_application(application_id)
        _take(actor, application)
        guard_application_move(application, S.DOCKETED)
        case_type = application.case_type
        assert case_type is not None and application.submitted_at is not None
        # Checked against the catalogue in force on the submission date, never a later one.
        submitted_on = timezone.localdate(application.submitted_at)
        in_force = selectors.case_type_on(case_type.code, submitted_on)
        if in_force is None or not in_force.accepted:
            raise DomainError(
                _(
                    "On its submission date this court did not hear this case type; refuse the "
                    "application, naming the competent court."
                ),
                code="not_heard",
            )
        # Measures 2007, Art. 15: a case tried under the simplified procedure pays half.
        full_fee = application.fee_amount or Decimal(0)
        fee = half_fee(full_fee) if procedure == Procedure.SIMPLIFIED else full_fee
        standing = selectors.fee_standing_of(application, fee=fee)
        if not standing.settled:
            raise DomainError(
                _("The fee (%(amount)s yuan) is neither paid nor deferred or waived.")
                % {"amount": standing.outstanding},
                code="fee_unsettled",
            )
        judge = None
        if judge_id is not None:
            judge = User.objects.filter(
                pk=judge_id, role_grants__role=Role.JUDGE, is_active=True
            ).first()
            if judge is None:
                raise DomainError(
                    _("Choose a judge of this court."), code="judge_invalid", field="judge"
                )
        else:
            judges = selectors.judges_by_load()
            judge = judges[0] if judges else None
        now = timezone.now()
        docketed_on = today()
        type_code = CaseTypeCode(case_type.number_type)
        serial = case_number_next(year=docketed_on.year, type_code=type_code.value)
        number = CaseNumber(docketed_on.year, get_court_profile().code, type_code, serial)
        parties = list(application.parties.all())
        case = Case.objects.create(
            application=application,
            number=str(number),
            year=docketed_on.year,
            type_code=type_code.value,
            serial=serial,
            case_type=case_type,
            procedure=procedure,
            title=_title(parties),
            docketed_at=now,
            docketed_on=docketed_on,
            docketed_by=actor,
            judge=judge,
            fee_amount=fee,
        )
        application.parties.update(case=case)
        application.deadlines.update(case=case)
        application.status = S.DOCKETED
        application.decided_at = now
        application.save(update_fields=["status", "decided_at", "updated_at"])
        deadlines_close(how="met", application=application, code="filing_decision")
        deadline_open(
            application=application,
            case=case,
            code="complaint_service",
            start=docketed_on,
            start_event="docketing",
        )
        deadline_open(
            application=application,
            case=case,
            start=docketed_on,
            start_event="docketing",
            code="trial_simplified" if procedure == Procedure.SIMPLIFIED else "trial_ordinary",
        )
        assert application.submitted_at is not None
        docket_add(
            case=case,
            code="filing.complaint",
            actor=application.created_by,
            text=gettext_lazy("Complaint filed online by %(filer)s on %(date)s."),
            params={"filer": application.created_by.display_name, "date": submitted_on.isoformat()},
            document_text=application.facts_and_reasons,
        )
        docket_add(
            case=case,
            code="filing.docketed",
            actor=actor,
            text=gettext_lazy(
                "Case docketed as %(number)s (%(procedure)s); notice of "
                "acceptance issued. Acceptance fee: %(fee)s yuan. Judge: %(judge)s."
            ),
            params={
                "number": case.number,
                "fee": f"{fee:,.2f}",
                "procedure": Procedure(procedure).label,
                "judge": judge.display_name if judge else "—",
            },
        )
        codes = []
        for party in parties:
            # A defendant who linked during pre-filing mediation already has the case.
            if party.side == PartySide.DEFENDANT and party.user_id is None:
                codes.append((party, association_code_issue(party)))
        for party, code in codes:
            _invite_defendant(case, party, code)
        _serve_opening_documents(actor, case, application, parties, codes)
        audit_record(
            code="ecourt.filing.accepted",
            actor=actor,
            target=application,
            old={"status": S.UNDER_REVIEW},
            new={
                "status": S.DOCKETED,
                "case": case.pk,
                "number": case.number,
                "judge": judge.pk if judge else None,
                "procedure": procedure,
            },
        )
        if not any(
            p.side == PartySide.PLAINTIFF and p.user_id == application.created_by_id
            for p in parties
        ):
            # The plaintiffs get the notice of acceptance; a filer who is not one of them
            # (an agent) is told here.
            notify(
                application.created_by,
                gettext_lazy("Application no. %(id)s was accepted and docketed as %(number)s."),
                "filing.accepted",
                id=str(application.pk),
                number=case.number,
            )
    return case


def complaint_text(case: Case, application: Application, parties: Sequence[Party]) -> str:
    """The copy of the complaint served on the defendants: parties, claims, facts."""
    lines = [f"{case.number}", ""]
    for side, label in (
        (PartySide.PLAINTIFF, "原告 Plaintiff"),
        (PartySide.DEFENDANT, "被告 Defendant"),
    ):
        for party in parties:
            if party.side == side:
                lines.append(f"{label}: {party.name}")
    lines += ["", "诉讼请求 Claims:"]
    for number, claim in enumerate(application.claims.order_by("position", "pk"), start=1):
        amount = f" ({claim.amount:,.2f} 元 yuan)" if claim.amount is not None else ""
        lines.append(f"{number}. {claim.text}{amount}")
    lines += ["", "事实与理由 Facts and reasons:", application.facts_and_reasons or "—"]
    return "\n".join(lines)


def _serve_opening_documents(
    actor: User,
    case: Case,
    application: Application,
    parties: Sequence[Party],
    codes: Sequence[tuple[Party, str]],
) -> None:
    """Serve the complaint copy on the defendants and the notice of acceptance on the
    plaintiffs through delivery. A defendant without an account was just invited with its
    association code; that text is its notice, so no second one goes out."""
    from ecourt.documents.models import DocumentKind
    from ecourt.documents.services import document_issue

    defendants = [p.pk for p in parties if p.side == PartySide.DEFENDANT]
    plaintiffs = [p.pk for p in parties if p.side == PartySide.PLAINTIFF]
    invited = {
        party.pk: "association code invitation"
        for party, _code in codes
        if party.mobile or party.email
    }
    if defendants:
        document_issue(
            actor=actor,
            case_id=case.pk,
            kind=DocumentKind.COMPLAINT_COPY,
            title=f"起诉状副本 Copy of the complaint — {case.number}",
            body=complaint_text(case, application, parties),
            recipient_ids=defendants,
            notified_otherwise=invited,
            check_staff=False,
            docket=False,  # its service is docketed when it happens
        )
    if plaintiffs:
        document_issue(
            actor=actor,
            case_id=case.pk,
            kind=DocumentKind.ACCEPTANCE_NOTICE,
            title=f"受理通知书 Notice of acceptance — {case.number}",
            body=(
                f"{case.number}\n\n"
                f"本院已受理{case.title}一案。案件受理费 {case.fee_amount:,.2f} 元。\n"
                f"The court has accepted the case {case.title}. "
                f"Acceptance fee: {case.fee_amount:,.2f} yuan."
            ),
            recipient_ids=plaintiffs,
            check_staff=False,
            docket=False,  # the docketing entry records the notice of acceptance
        )


def association_code_reissue(*, actor: User, case_id: int, party_id: int) -> None:
    """A clerk sends a defendant a new code (lost, expired or locked after wrong tries)."""
    _require_clerk(actor)
    from ecourt.cases.services._common import lock_case

    with transaction.atomic():
        case = lock_case(case_id)
        party = (
            case.parties.select_for_update().filter(pk=party_id, side=PartySide.DEFENDANT).first()
        )
        if party is None:
            raise DomainError(_("No such defendant."), code="not_found")
        if party.user_id is not None:
            raise DomainError(
                _("This defendant is already linked to the case."), code="already_linked"
            )
        code = association_code_issue(party)
        _invite_defendant(case, party, code)
        audit_record(
            code="ecourt.cases.association_code.reissued",
            actor=actor,
            target=case,
            new={"party": party.pk},
        )
