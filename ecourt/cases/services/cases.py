"""What happens in a docketed case before trial: defendants link with their association code,
the complaint is served, defendants answer or object; then the judge moves the case along its
road (CASE_TRANSITIONS) and closes it (CLOSING_MODES)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import CompanyRepresentative, IdentityVerification, ReviewStatus, User
from ecourt.accounts.roles import Role
from ecourt.cases.models import (
    CLOSING_MODES,
    Application,
    Case,
    CaseDeadline,
    CaseResponse,
    CaseStatus,
    ClosingMode,
    Party,
    PartyKind,
    PartySide,
    ResponseKind,
)
from ecourt.cases.rules.case_numbers import parse_case_number
from ecourt.cases.services._common import (
    deadline_open,
    deadlines_close,
    docket_add,
    guard_case_move,
    lock_case,
    notify,
    today,
)
from ecourt.cases.services.filing import association_code_matches
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied, RateLimited
from ecourt.core.models import AuditEvent
from ecourt.core.text import clean_text
from ecourt.delivery.services.receipts import deliveries_mark_acted

C = CaseStatus
LINK_FAILURES_PER_HOUR = 5
MAX_ATTEMPTS_PER_CODE = 10


def _link_failed(actor: User, target: Case | Application | None, reason: str) -> None:
    audit_record(
        code="ecourt.cases.link.failed", actor=actor, target=target, new={"reason": reason}
    )


def _identity_matches(actor: User, party: Party) -> bool:
    if party.kind == PartyKind.COMPANY:
        reps = CompanyRepresentative.objects.filter(
            user=actor, status=ReviewStatus.VERIFIED
        ).select_related("company")
        for rep in reps:
            if party.id_number and rep.company.uscc == party.id_number.upper():
                return True
            if not party.id_number and rep.company.name.strip() == party.name.strip():
                return True
        return False
    identity = (
        IdentityVerification.objects.filter(user=actor, status=ReviewStatus.VERIFIED)
        .order_by("-reviewed_at")
        .first()
    )
    if identity is None:
        return False
    if party.id_number:
        return identity.document_number.upper() == party.id_number.upper()
    return identity.legal_name.strip() == party.name.strip()


def typed_case_number(text: str) -> str:
    """The number as printed, from what a person typed: full-width brackets and spaces from a
    Chinese keyboard must not count as a wrong try (nor reach the database with a NUL)."""
    typed = "".join(ch for ch in text if ch.isprintable() and not ch.isspace())
    try:
        return str(parse_case_number(typed))
    except ValueError:
        return typed


def party_link_by_code(
    *,
    actor: User,
    candidates: Callable[[], tuple[Case | Application | None, list[Party]]],
    code: str,
    wrong_message: str,
    on_linked: Callable[[Party], None],
) -> Party:
    """Link ``actor`` to the defendant among ``candidates`` whose association code is ``code``.

    Shared by cases and pre-filing mediation. ``candidates`` is called inside the transaction
    and must lock the rows it returns (none when the number was wrong). Every failure gets the
    same answer, so the form cannot be used to find out what exists. Five failures an hour
    pause the person; ten wrong codes void a party's code (the court issues a new one)."""
    if not actor.is_identity_verified:
        raise DomainError(
            _("Verify your identity before linking to a case."), code="identity_required"
        )
    since = timezone.now() - timedelta(hours=1)
    failures = AuditEvent.objects.filter(
        code="ecourt.cases.link.failed", actor=actor, created_at__gte=since
    ).count()
    if failures >= LINK_FAILURES_PER_HOUR:
        raise RateLimited(_("Too many wrong tries. Try again in an hour."), code="rate_limited")
    wrong = DomainError(wrong_message, code="link_invalid", field="code")
    with transaction.atomic():
        target, found = candidates()
        party = next((p for p in found if association_code_matches(p, code)), None)
        if party is None:
            for candidate in found:
                candidate.association_attempts += 1
                if candidate.association_attempts >= MAX_ATTEMPTS_PER_CODE:
                    candidate.association_code_hash = ""
                candidate.save(update_fields=["association_attempts", "association_code_hash"])
            _link_failed(actor, target, "no_match")
            wrong_result = wrong
        elif not _identity_matches(actor, party):
            _link_failed(actor, target, "identity_mismatch")
            wrong_result = DomainError(
                _(
                    "Your verified identity does not match this defendant. Sign in with the "
                    "defendant's own account, or as its approved representative."
                ),
                code="identity_mismatch",
                field="code",
            )
        else:
            wrong_result = None
            party.user = actor
            party.linked_at = timezone.now()
            party.association_code_hash = ""
            party.save(update_fields=["user", "linked_at", "association_code_hash"])
            on_linked(party)
    if wrong_result is not None:
        # The failure is recorded (committed) before the error goes back.
        raise wrong_result
    assert party is not None
    return party


def linkable_defendants(parties: QuerySet[Party]) -> list[Party]:
    """Defendants among ``parties`` not linked yet whose code is live, locked."""
    return list(
        parties.select_for_update().filter(
            side=PartySide.DEFENDANT,
            user__isnull=True,
            association_code_expires_at__gt=timezone.now(),
        )
    )


def case_link(*, actor: User, case_number: str, code: str) -> Party:
    """A defendant links their verified account to the case with the association code."""

    def candidates() -> tuple[Case | None, list[Party]]:
        case = (
            Case.objects.select_for_update().filter(number=typed_case_number(case_number)).first()
        )
        return case, linkable_defendants(case.parties.all()) if case else []

    def linked(party: Party) -> None:
        case = party.case
        assert case is not None
        docket_add(
            case=case,
            code="case.defendant_linked",
            actor=actor,
            party=party,
            text=gettext_lazy("Defendant %(party)s linked to the case online."),
            params={"party": party.name},
        )
        audit_record(
            code="ecourt.cases.defendant.linked", actor=actor, target=case, new={"party": party.pk}
        )

    return party_link_by_code(
        actor=actor,
        candidates=candidates,
        code=code,
        wrong_message=_(
            "The case number or the association code is not right, or the code has expired."
        ),
        on_linked=linked,
    )


def _my_party(actor: User, case: Case, *, side: str | None = None) -> Party:
    parties = case.parties.filter(user=actor) | case.parties.filter(agents__user=actor)
    if side:
        parties = parties.filter(side=side)
    party = parties.distinct().first()
    if party is None:
        raise DomainError(_("You are not a party to this case."), code="not_party")
    return party


def _record_service(
    case: Case, party: Party, *, actor: User | None, served_on: date, method: str
) -> None:
    party.complaint_served_on = served_on
    party.complaint_service_method = method[:100]
    party.save(update_fields=["complaint_served_on", "complaint_service_method"])
    deadline_open(
        application=case.application,
        case=case,
        party=party,
        code="answer",
        start=served_on,
        start_event="service of the complaint",
    )
    docket_add(
        case=case,
        code="case.complaint_served",
        actor=actor,
        party=party,
        text=gettext_lazy("Complaint served on %(party)s on %(date)s (%(method)s)."),
        params={"party": party.name, "date": served_on.isoformat(), "method": method},
    )
    defendants = case.parties.filter(side=PartySide.DEFENDANT)
    all_served = not defendants.filter(complaint_served_on__isnull=True).exists()
    old = case.status
    if case.status == C.DOCKETED:
        case.status = C.COMPLAINT_SERVED
    if all_served and case.status == C.COMPLAINT_SERVED:
        case.status = C.ANSWER_PERIOD
        deadlines_close(how="met", case=case, code="complaint_service")
    if case.status != old:
        case.save(update_fields=["status"])
        audit_record(
            code="ecourt.cases.status",
            actor=actor,
            target=case,
            old={"status": old},
            new={"status": case.status},
        )


def complaint_served_by_delivery(
    *, case: Case, party: Party, served_on: date, method: str, actor: User | None
) -> None:
    """The delivery of the complaint copy to ``party`` counts as served (its rule decided
    when). The caller holds the case lock."""
    if party.complaint_served_on is not None or case.status not in (
        C.DOCKETED,
        C.COMPLAINT_SERVED,
    ):
        return
    _record_service(case, party, actor=actor, served_on=served_on, method=method)
    audit_record(
        code="ecourt.cases.complaint.served",
        actor=actor,
        target=case,
        new={"party": party.pk, "method": "delivery"},
    )


def complaint_open(
    *, actor: User, case_id: int, evidence: dict[str, str] | None = None
) -> Party | None:
    """A linked defendant opens the complaint. That signed-in reading is service of the
    complaint on an address the defendant did not confirm (Online Litigation Rules 2021,
    Art. 31: served when the recipient reads it). Returns the party served, if any.

    When the complaint copy went out as a delivery, this is that delivery's read receipt and
    the delivery's rules decide; cases docketed before deliveries existed are served here."""
    from ecourt.delivery.models import Delivery
    from ecourt.delivery.services.receipts import delivery_mark_read

    with transaction.atomic():
        case = lock_case(case_id)
        party = case.parties.filter(
            side=PartySide.DEFENDANT, user=actor, complaint_served_on__isnull=True
        ).first()
        if party is None or case.status not in (C.DOCKETED, C.COMPLAINT_SERVED):
            return None
        delivery = Delivery.objects.filter(
            party=party, document__kind="complaint_copy", served_at__isnull=True
        ).first()
        if delivery is not None:
            delivery_mark_read(
                actor=actor, delivery_id=delivery.pk, evidence={"via": "case", **(evidence or {})}
            )
            party.refresh_from_db()
            return party if party.complaint_served_on is not None else None
        _record_service(
            case, party, actor=actor, served_on=today(), method="read on the platform after linking"
        )
        audit_record(
            code="ecourt.cases.complaint.served",
            actor=actor,
            target=case,
            new={"party": party.pk, "method": "read"},
        )
    return party


def complaint_service_record(
    *, actor: User, case_id: int, party_id: int, served_on: date, method: str
) -> Party:
    """Staff record service made another way (post, in person) with its date."""
    method = clean_text(method, field="method", max_length=100, required=False)
    if not method:
        raise DomainError(
            _("Say how the complaint was served."), code="method_missing", field="method"
        )
    if served_on > today():
        raise DomainError(
            _("The service date cannot be in the future."), code="date_future", field="served_on"
        )
    with transaction.atomic():
        case = lock_case(case_id)
        if not (actor.has_role(Role.FILING_CLERK) or case.judge_id == actor.pk):
            raise PermissionDenied(
                _("Only court staff of this case may record service."), code="not_staff"
            )
        if served_on < case.docketed_on:
            raise DomainError(
                _("The service date cannot be before docketing."),
                code="date_before_docketing",
                field="served_on",
            )
        party = case.parties.filter(pk=party_id, side=PartySide.DEFENDANT).first()
        if party is None:
            raise DomainError(_("No such defendant."), code="not_found")
        if party.complaint_served_on is not None:
            raise DomainError(
                _("Service on this defendant is already recorded."), code="already_served"
            )
        if case.status not in (C.DOCKETED, C.COMPLAINT_SERVED):
            raise DomainError(
                _("The complaint can no longer be served in this case."), code="illegal_transition"
            )
        _record_service(case, party, actor=actor, served_on=served_on, method=method)
        audit_record(
            code="ecourt.cases.complaint.served",
            actor=actor,
            target=case,
            new={"party": party.pk, "method": method, "served_on": served_on},
        )
    return party


RESPONSE_STATUSES = frozenset(
    {C.COMPLAINT_SERVED, C.ANSWER_PERIOD, C.EVIDENCE_EXCHANGE, C.HEARING_SCHEDULED}
)


def response_file(*, actor: User, case_id: int, kind: str, text: str) -> CaseResponse:
    """A defendant (or its agent) files an answer or an objection to jurisdiction.

    An answer may come late (it is marked late; CPL Art. 128: not answering does not stop the
    trial). An objection to jurisdiction must come within the answer period (CPL Art. 130)."""
    if kind not in ResponseKind.values:
        raise DomainError(_("Choose what you are filing."), code="kind_invalid", field="kind")
    text = clean_text(text, field="text", max_length=50_000, required=False, multiline=True)
    if len(text) < 10:
        raise DomainError(
            _("Write your answer or objection (at least 10 characters)."),
            code="text_missing",
            field="text",
        )
    with transaction.atomic():
        case = lock_case(case_id)
        party = _my_party(actor, case, side=PartySide.DEFENDANT)
        if party.complaint_served_on is None:
            raise DomainError(_("Read the complaint first."), code="not_served")
        if case.status not in RESPONSE_STATUSES:
            raise DomainError(_("The case no longer takes answers."), code="illegal_transition")
        if party.responses.filter(kind=kind).exists():
            raise DomainError(
                _("You already filed this; a later statement goes to the judge at the hearing."),
                code="response_exists",
                field="kind",
            )
        answer_period = CaseDeadline.objects.filter(
            case=case, party=party, code="answer", cancelled_at__isnull=True
        ).first()
        late = answer_period is not None and today() > answer_period.due_date
        if late and kind == ResponseKind.JURISDICTION_OBJECTION:
            raise DomainError(
                _(
                    "An objection to jurisdiction must be filed within the answer period "
                    "(CPL Art. 130)."
                ),
                code="objection_late",
                field="kind",
            )
        response = CaseResponse.objects.create(
            case=case,
            party=party,
            kind=kind,
            text=text,
            filed_by=actor,
            filed_at=timezone.now(),
            late=late,
        )
        if kind == ResponseKind.ANSWER:
            deadlines_close(how="met", case=case, party=party, code="answer")
        deliveries_mark_acted(actor=actor, case=case, party=party)
        docket_add(
            case=case,
            code=f"case.{kind}",
            actor=actor,
            party=party,
            document_text=text,
            text=gettext_lazy("%(kind)s filed by %(party)s%(late)s."),
            params={
                "kind": ResponseKind(kind).label,
                "party": party.name,
                "late": (" (late)", "（逾期）") if late else "",
            },
        )
        audit_record(
            code=f"ecourt.cases.response.{kind}",
            actor=actor,
            target=case,
            new={"party": party.pk, "late": late, "length": len(text)},
        )
        if case.judge_id:
            notify(
                case.judge,
                gettext_lazy("New filing in case %(number)s."),
                "case.filing",
                number=case.number,
            )
    return response


def online_litigation_decide(*, actor: User, case_id: int, consent: bool) -> Party:
    """A party says whether it agrees to litigate this case online (Online Litigation Rules
    2021, Arts. 4–5). A refusal means its part of the proceedings runs offline."""
    with transaction.atomic():
        case = lock_case(case_id)
        party = _my_party(actor, case)
        if party.online_litigation is consent:
            return party
        old = party.online_litigation
        party.online_litigation = consent
        party.online_litigation_at = timezone.now()
        party.save(update_fields=["online_litigation", "online_litigation_at"])
        docket_add(
            case=case,
            code="case.online_litigation",
            actor=actor,
            party=party,
            text=gettext_lazy("%(party)s %(choice)s."),
            params={
                "party": party.name,
                "choice": ("agreed to litigate online", "同意在线诉讼")
                if consent
                else (
                    "refused online litigation; its part runs offline",
                    "不同意在线诉讼，相关诉讼环节线下进行",
                ),
            },
        )
        audit_record(
            code="ecourt.cases.online_litigation",
            actor=actor,
            target=case,
            old={"party": party.pk, "consent": old},
            new={"party": party.pk, "consent": consent},
        )
    return party


# --- The judge moves the case ---------------------------------------------------------------


def _judge_case(actor: User, case_id: int) -> Case:
    case = lock_case(case_id)
    if case.judge_id != actor.pk or not actor.has_role(Role.JUDGE):
        raise PermissionDenied(_("Only the judge of this case may do this."), code="not_judge")
    return case


def _move(
    case: Case,
    to: str,
    *,
    actor: User | None,
    text: object,
    params: dict[str, object],
    code: str,
) -> None:
    guard_case_move(case, to)
    old = case.status
    case.status = to
    case.save(update_fields=["status"])
    docket_add(case=case, code=code, actor=actor, text=text, params=params)  # type: ignore[arg-type]
    audit_record(
        code=f"ecourt.{code}", actor=actor, target=case, old={"status": old}, new={"status": to}
    )


def case_open_evidence_exchange(*, actor: User, case_id: int) -> Case:
    """After the answer period: every defendant served, and each has answered or its period
    has ended (CPL Art. 128; evidence exchange under SPC Evidence Provisions 2019 Art. 56)."""
    with transaction.atomic():
        case = _judge_case(actor, case_id)
        guard_case_move(case, C.EVIDENCE_EXCHANGE)
        running = CaseDeadline.objects.filter(
            case=case,
            code="answer",
            met_at__isnull=True,
            cancelled_at__isnull=True,
            due_date__gte=today(),
        )
        if running.exists():
            raise DomainError(
                _("An answer period is still running (until %(due)s).")
                % {"due": running.order_by("-due_date").first().due_date},  # type: ignore[union-attr]
                code="answer_period_running",
            )
        _move(
            case,
            C.EVIDENCE_EXCHANGE,
            actor=actor,
            code="cases.evidence_exchange",
            text=gettext_lazy("Evidence exchange opened."),
            params={},
        )
    return case


def case_schedule_hearing(*, actor: User, case_id: int, on: date) -> Case:
    """Record that a hearing is scheduled (the hearings capability adds the courtroom)."""
    if on < today():
        raise DomainError(
            _("The hearing date cannot be in the past."), code="date_past", field="on"
        )
    with transaction.atomic():
        case = _judge_case(actor, case_id)
        _move(
            case,
            C.HEARING_SCHEDULED,
            actor=actor,
            code="cases.hearing_scheduled",
            text=gettext_lazy("Hearing scheduled for %(date)s."),
            params={"date": on.isoformat()},
        )
    return case


def case_record_heard(*, actor: User, case_id: int) -> Case:
    with transaction.atomic():
        case = _judge_case(actor, case_id)
        _move(
            case,
            C.HEARD,
            actor=actor,
            code="cases.heard",
            text=gettext_lazy("Hearing held."),
            params={},
        )
    return case


def case_decide(*, actor: User, case_id: int, kind: str) -> Case:
    """The judge issues a judgment or a ruling on the merits. Appeal periods start for each
    party; until the delivery capability serves the decision, the platform issue date stands
    for the service date (CPL Art. 171: 15 days for a judgment, 10 for a ruling)."""
    if kind not in (ClosingMode.JUDGMENT, ClosingMode.RULING):
        raise DomainError(_("Choose judgment or ruling."), code="kind_invalid", field="kind")
    with transaction.atomic():
        case = _judge_case(actor, case_id)
        guard_case_move(case, C.DECIDED)
        case.decision_kind = kind
        case.decided_on = today()
        case.save(update_fields=["decision_kind", "decided_on"])
        code = "appeal_judgment" if kind == ClosingMode.JUDGMENT else "appeal_ruling"
        for party in case.parties.all():
            deadline_open(
                application=case.application,
                case=case,
                party=party,
                code=code,
                start=case.decided_on,
                start_event="decision issued on the platform",
            )
        deadlines_close(how="met", case=case, code__startswith="trial_")
        _move(
            case,
            C.DECIDED,
            actor=actor,
            code="cases.decided",
            text=gettext_lazy("%(kind)s issued."),
            params={"kind": ClosingMode(kind).label},
        )
    return case


def decision_issued_as_document(case: Case) -> bool:
    """Whether the decision was issued on the platform as a rendered document (then each
    party's appeal period runs from its own service, opened by the delivery capability)."""
    return case.documents.filter(
        kind=case.decision_kind, corrects__isnull=True, draft__isnull=False
    ).exists()


def appeal_windows_pending(case: Case, *, on: date | None = None) -> str | None:
    """Why the decision cannot take effect yet on ``on`` (default today), or None: a party
    not served yet, an appeal period still running, or an appeal filed. For decisions issued
    as documents, whose appeal periods open only on service."""
    on = on or today()
    code = "appeal_judgment" if case.decision_kind == ClosingMode.JUDGMENT else "appeal_ruling"
    periods = {
        period.party_id: period
        for period in CaseDeadline.objects.filter(
            case=case, code=code, cancelled_at__isnull=True, party__isnull=False
        )
    }
    for party in case.parties.order_by("side", "position", "pk"):
        period = periods.get(party.pk)
        if period is None:
            return _("%(party)s has not been served the %(kind)s yet.") % {
                "party": party.name,
                "kind": str(ClosingMode(case.decision_kind).label).lower(),
            }
        if period.due_date >= on:
            return _("The appeal period of %(party)s runs until %(due)s.") % {
                "party": party.name,
                "due": period.due_date.isoformat(),
            }
    if case.appeals.exists():
        return _("An appeal was filed against the decision.")
    return None


def case_decided_by_document(*, case: Case, kind: str, actor: User) -> Case:
    """Issuing a judgment or ruling on the merits as a document decides the case. The caller
    (``documents.decisions.decision_issue``) holds the case lock and has checked the judge.
    No appeal period opens here: the delivery capability opens each party's period from its
    own served time (CPL Art. 171; ``delivery.services.receipts.SERVED_PERIODS``)."""
    if kind not in (ClosingMode.JUDGMENT, ClosingMode.RULING):
        raise DomainError(_("Choose judgment or ruling."), code="kind_invalid", field="kind")
    guard_case_move(case, C.DECIDED)
    case.decision_kind = kind
    case.decided_on = today()
    case.save(update_fields=["decision_kind", "decided_on"])
    deadlines_close(how="met", case=case, code__startswith="trial_")
    _move(
        case,
        C.DECIDED,
        actor=actor,
        code="cases.decided",
        text=gettext_lazy("%(kind)s issued."),
        params={"kind": ClosingMode(kind).label},
    )
    return case


def case_make_effective(*, actor: User, case_id: int) -> Case:
    """The decision takes effect once every party's appeal period has ended and no appeal was
    filed. For a decision issued as a document, every party must have been served first (its
    period runs from its own service)."""
    with transaction.atomic():
        case = _judge_case(actor, case_id)
        guard_case_move(case, C.EFFECTIVE)
        if decision_issued_as_document(case):
            pending = appeal_windows_pending(case)
            if pending is not None:
                raise DomainError(pending, code="appeal_period_running")
        running = CaseDeadline.objects.filter(
            case=case,
            code__startswith="appeal_",
            cancelled_at__isnull=True,
            due_date__gte=today(),
        )
        if running.exists():
            raise DomainError(_("An appeal period is still running."), code="appeal_period_running")
        deadlines_close(how="met", case=case, code__startswith="appeal_")
        _move(
            case,
            C.EFFECTIVE,
            actor=actor,
            code="cases.effective",
            text=gettext_lazy("Decision in legal effect."),
            params={},
        )
    return case


def case_settle_decided(*, case: Case) -> Case:
    """The system makes an undisputed decision effective and closes the case by it (no appeal
    within any party's period). The caller holds the case lock and has checked
    ``appeal_windows_pending``."""
    deadlines_close(how="met", case=case, code__startswith="appeal_")
    _move(
        case,
        C.EFFECTIVE,
        actor=None,
        code="cases.effective",
        text=gettext_lazy("Decision in legal effect: no party appealed within its period."),
        params={},
    )
    _close(case, case.decision_kind, actor=None)
    for party in case.parties.exclude(user__isnull=True).select_related("user"):
        notify(
            party.user,
            gettext_lazy("The decision in case %(number)s is in effect and the case is closed."),
            "case.closed",
            number=case.number,
        )
    return case


def _close(case: Case, mode: str, *, actor: User | None) -> None:
    """Record how the case ended, cancel its running periods and move it to CLOSED."""
    case.closing_mode = mode
    case.closed_at = timezone.now()
    case.save(update_fields=["closing_mode", "closed_at"])
    deadlines_close(how="cancelled", case=case)
    _move(
        case,
        C.CLOSED,
        actor=actor,
        code="cases.closed",
        text=gettext_lazy("Case closed: %(mode)s."),
        params={"mode": ClosingMode(mode).label},
    )


def case_close(*, actor: User, case_id: int, mode: str) -> Case:
    """Close the case by judgment or ruling in effect, mediation settlement, withdrawal,
    dismissal or transfer (CLOSING_MODES says from where). Hearings still to come are
    cancelled and an open asynchronous trial closes."""
    if mode not in ClosingMode.values:
        raise DomainError(_("Choose how the case ends."), code="mode_invalid", field="mode")
    with transaction.atomic():
        case = _judge_case(actor, case_id)
        if case.status not in CLOSING_MODES[mode]:
            raise DomainError(
                _("A case that is “%(status)s” cannot be closed by %(mode)s.")
                % {"status": case.get_status_display(), "mode": ClosingMode(mode).label},
                code="illegal_transition",
                field="mode",
            )
        if mode in (ClosingMode.JUDGMENT, ClosingMode.RULING) and case.decision_kind != mode:
            raise DomainError(
                _("The decision in this case is not a %(mode)s.")
                % {"mode": ClosingMode(mode).label},
                code="mode_mismatch",
                field="mode",
            )
        _close(case, mode, actor=actor)
        # Imported here: cases must not import hearings at module level (hearings imports it).
        from ecourt.hearings.services.scheduling import case_trial_stop

        case_trial_stop(case, actor=actor, mode=mode)
        for party in case.parties.exclude(user__isnull=True).select_related("user"):
            notify(
                party.user,
                gettext_lazy("Case %(number)s is closed."),
                "case.closed",
                number=case.number,
            )
    return case
