"""Evidence items: a party's list, its submission, the other side's opinions and the judge's
determination. Every change is audited; on a case it lands on the docket."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases.models import Application, Case, EvidenceForm, Party
from ecourt.cases.services._common import docket_add
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.delivery.services.receipts import deliveries_mark_acted
from ecourt.evidence import rules
from ecourt.evidence.models import (
    DepositCheck,
    EvidenceDetermination,
    EvidenceItem,
    EvidenceKind,
    EvidenceOpinion,
    Finding,
    Stance,
    Upload,
    UploadStatus,
)
from ecourt.evidence.selectors import acting_parties, deposit_by_number
from ecourt.evidence.services.log import deposit_for_user


def _case(application: Application) -> Case | None:
    return Case.objects.filter(application=application).first()


def _check_open_for_filing(application: Application) -> Case | None:
    case = _case(application)
    if case is not None:
        if case.status not in rules.CASE_EVIDENCE_OPEN:
            raise DomainError(
                _("Evidence can no longer be filed in this case (%(status)s).")
                % {"status": case.get_status_display()},
                code="evidence_closed",
            )
    else:
        # The status as committed, not as the caller's copy says (withdrawn meanwhile?).
        application.refresh_from_db(fields=["status"])
        if application.status not in rules.APPLICATION_OPEN:
            raise DomainError(
                _("Evidence can no longer be filed with this application (%(status)s).")
                % {"status": application.get_status_display()},
                code="evidence_closed",
            )
    return case


def _required(value: str, field: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError(message, code=f"{field}_required", field=field)
    return value


def evidence_item_add(
    *,
    actor: User,
    application: Application,
    party: Party,
    upload: Upload,
    title: str,
    purpose: str,
    form: str,
    kind: str,
    description: str = "",
    source: str = "",
    claimed_deposit_no: str = "",
) -> EvidenceItem:
    """Put an uploaded file on ``party``'s evidence list (a draft until the list is
    submitted) and deposit its hash in the log."""
    title = _required(title, "title", _("Give the item a title."))[:200]
    purpose = _required(purpose, "purpose", _("Say what the item is meant to prove."))
    if form not in EvidenceForm.values:
        raise DomainError(_("Choose the form of the evidence."), code="bad_form", field="form")
    if kind not in EvidenceKind.values:
        raise DomainError(
            _("Say whether this is an original or a copy."), code="bad_kind", field="kind"
        )
    if len(source) > 300:
        raise DomainError(
            _("The source is at most 300 characters."), code="source_too_long", field="source"
        )
    claimed = claimed_deposit_no.strip().upper()
    with transaction.atomic():
        party = Party.objects.select_for_update().get(pk=party.pk)
        if party.application_id != application.pk or party.pk not in {
            p.pk for p in acting_parties(actor, application)
        }:
            raise PermissionDenied(_("You do not act for this party."), code="not_your_party")
        case = _check_open_for_filing(application)
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.owner_id != actor.pk:
            raise DomainError(_("No such upload."), code="no_upload", field="upload")
        if upload.status != UploadStatus.COMPLETE or upload.blob_id is None:
            raise DomainError(
                _("The file has not finished uploading."), code="upload_incomplete", field="upload"
            )
        blob = upload.blob
        assert blob is not None
        deposit, _created = deposit_for_user(
            actor=actor, sha256=blob.sha256, size=blob.size, media_type=blob.media_type
        )
        check, claimed_deposit = DepositCheck.NONE, None
        if claimed:
            claimed_deposit = deposit_by_number(claimed)
            if claimed_deposit is None:
                check = DepositCheck.NOT_FOUND
            elif claimed_deposit.sha256 != blob.sha256:
                check = DepositCheck.HASH_MISMATCH
            elif claimed_deposit.size != blob.size:
                check = DepositCheck.SIZE_MISMATCH
            else:
                check = DepositCheck.MATCH
        number = (EvidenceItem.objects.filter(party=party).aggregate(n=Max("number"))["n"] or 0) + 1
        item = EvidenceItem.objects.create(
            application=application,
            party=party,
            number=number,
            title=title,
            description=description.strip(),
            purpose=purpose,
            form=form,
            kind=kind,
            source=source.strip(),
            filename=upload.filename,
            blob=blob,
            deposit=deposit,
            claimed_deposit_no=claimed[:32],
            claimed_deposit=claimed_deposit,
            deposit_check=check,
            uploaded_by=actor,
        )
        upload.status = UploadStatus.USED
        upload.save(update_fields=["status", "updated_at"])
        audit_record(
            code="ecourt.evidence.item_added",
            actor=actor,
            target=item,
            new={
                "party": party.pk,
                "number": number,
                "title": title,
                "sha256": blob.sha256,
                "deposit_no": deposit.deposit_no,
                "deposit_check": check,
                "case": case.pk if case else None,
            },
        )
    return item


def evidence_item_remove(*, actor: User, item: EvidenceItem) -> None:
    """Take a draft item off the list (a submitted item stays: the other side has seen it).
    Its deposit stays in the log, which only grows."""
    with transaction.atomic():
        item = (
            EvidenceItem.objects.select_for_update().select_related("application").get(pk=item.pk)
        )
        if item.party_id not in {p.pk for p in acting_parties(actor, item.application)}:
            raise PermissionDenied(_("You do not act for this party."), code="not_your_party")
        if item.submitted_at is not None:
            raise DomainError(_("A submitted item cannot be taken back."), code="already_submitted")
        audit_record(
            code="ecourt.evidence.item_removed",
            actor=actor,
            target=item,
            old={"title": item.title, "number": item.number, "sha256": item.blob.sha256},
        )
        item.delete()


def evidence_list_submit(
    *, actor: User, application: Application, party: Party
) -> list[EvidenceItem]:
    """Submit the party's draft items: the other parties and the court see them from now."""
    with transaction.atomic():
        case = _case(application)
        if case is not None:
            Case.objects.select_for_update().get(pk=case.pk)  # keeps docket numbers gap-free
        party = Party.objects.select_for_update().get(pk=party.pk)
        if party.application_id != application.pk or party.pk not in {
            p.pk for p in acting_parties(actor, application)
        }:
            raise PermissionDenied(_("You do not act for this party."), code="not_your_party")
        _check_open_for_filing(application)
        drafts = list(
            EvidenceItem.objects.filter(party=party, submitted_at__isnull=True).order_by("number")
        )
        if not drafts:
            raise DomainError(
                _("There is nothing new on the list to submit."), code="nothing_to_submit"
            )
        now = timezone.now()
        EvidenceItem.objects.filter(pk__in=[i.pk for i in drafts]).update(submitted_at=now)
        numbers = ", ".join(str(i.number) for i in drafts)
        audit_record(
            code="ecourt.evidence.list_submitted",
            actor=actor,
            target=party,
            new={"items": [i.pk for i in drafts], "application": application.pk},
        )
        if case is not None:
            docket_add(
                case=case,
                code="evidence.submitted",
                text=gettext_lazy("%(party)s submitted evidence (list no. %(numbers)s)."),
                params={"party": party.name, "numbers": numbers},
                actor=actor,
                party=party,
            )
            # Filing in the case is acting on what the court sent (Online Litigation Rules
            # Art. 31): documents not served yet count as received.
            deliveries_mark_acted(actor=actor, case=case, party=party)
        for item in drafts:
            item.submitted_at = now
    return drafts


def _stance(value: str, field: str) -> str:
    if value not in Stance.values:
        raise DomainError(_("Admit or dispute each quality."), code="bad_stance", field=field)
    return value


def evidence_opinion_record(
    *,
    actor: User,
    item: EvidenceItem,
    party: Party,
    authenticity: str,
    legality: str,
    relevance: str,
    reasons: str = "",
) -> EvidenceOpinion:
    """Record an opposing party's opinion on a submitted item (once per party)."""
    stances = {
        "authenticity": _stance(authenticity, "authenticity"),
        "legality": _stance(legality, "legality"),
        "relevance": _stance(relevance, "relevance"),
    }
    reasons = reasons.strip()
    if Stance.DISPUTE in stances.values() and not reasons:
        raise DomainError(
            _("Give your reasons for disputing the item."), code="reasons_required", field="reasons"
        )
    with transaction.atomic():
        item = EvidenceItem.objects.select_related("application", "party").get(pk=item.pk)
        case = _case(item.application)
        if case is None:
            raise DomainError(
                _("Opinions on evidence are given once the case is docketed."), code="no_case"
            )
        case = Case.objects.select_for_update().get(pk=case.pk)
        if (
            party.pk not in {p.pk for p in acting_parties(actor, item.application)}
            or party.application_id != item.application_id
        ):
            raise PermissionDenied(_("You do not act for this party."), code="not_your_party")
        if party.side == item.party.side:
            raise DomainError(_("Opinions on an item come from the other side."), code="own_side")
        if item.submitted_at is None:
            raise DomainError(_("This item has not been submitted."), code="not_submitted")
        if case.status not in rules.CASE_EXAMINATION_OPEN:
            raise DomainError(
                _("The evidence in this case is no longer examined."), code="examination_closed"
            )
        if EvidenceOpinion.objects.filter(item=item, party=party).exists():
            raise DomainError(
                _("This party's opinion on the item is on the record already."),
                code="opinion_exists",
            )
        opinion = EvidenceOpinion.objects.create(
            item=item,
            party=party,
            reasons=reasons,
            recorded_by=actor,
            recorded_at=timezone.now(),
            **stances,
        )
        audit_record(
            code="ecourt.evidence.opinion_recorded",
            actor=actor,
            target=item,
            new={"party": party.pk, **stances},
        )
        docket_add(
            case=case,
            code="evidence.opinion",
            text=gettext_lazy(
                "%(party)s gave its opinion on evidence item %(number)s of %(owner)s "
                "(authenticity: %(authenticity)s; legality: %(legality)s; "
                "relevance: %(relevance)s)."
            ),
            params={
                "party": party.name,
                "owner": item.party.name,
                "number": item.number,
                **{k: Stance(v).label for k, v in stances.items()},
            },
            actor=actor,
            party=party,
            document_text=reasons,
        )
    return opinion


def evidence_determination_record(
    *,
    actor: User,
    item: EvidenceItem,
    authenticity: str,
    legality: str,
    relevance: str,
    admitted: bool,
    reasons: str,
) -> EvidenceDetermination:
    """The judge's determination on a submitted item (once)."""
    findings = {}
    for field, value in (
        ("authenticity", authenticity),
        ("legality", legality),
        ("relevance", relevance),
    ):
        if value not in Finding.values:
            raise DomainError(_("Decide each quality."), code="bad_finding", field=field)
        findings[field] = value
    reasons = _required(reasons, "reasons", _("Give the reasons for the determination."))
    if admitted and Finding.NOT_ESTABLISHED in findings.values():
        raise DomainError(
            _(
                "An item is admitted only when its authenticity, legality and relevance "
                "are established."
            ),
            code="admitted_inconsistent",
            field="admitted",
        )
    with transaction.atomic():
        item = EvidenceItem.objects.select_related("application", "party").get(pk=item.pk)
        case = _case(item.application)
        if case is None:
            raise DomainError(_("Evidence is determined in a case."), code="no_case")
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.judge_id != actor.pk:
            raise PermissionDenied(
                _("Only the judge of the case determines its evidence."), code="not_the_judge"
            )
        if item.submitted_at is None:
            raise DomainError(_("This item has not been submitted."), code="not_submitted")
        if case.status not in rules.CASE_EXAMINATION_OPEN:
            raise DomainError(
                _("The evidence in this case is no longer examined."), code="examination_closed"
            )
        if EvidenceDetermination.objects.filter(item=item).exists():
            raise DomainError(_("This item is determined already."), code="determination_exists")
        determination = EvidenceDetermination.objects.create(
            item=item,
            admitted=admitted,
            reasons=reasons,
            judge=actor,
            recorded_at=timezone.now(),
            **findings,
        )
        audit_record(
            code="ecourt.evidence.determined",
            actor=actor,
            target=item,
            new={"admitted": admitted, **findings},
        )
        docket_add(
            case=case,
            code="evidence.determined",
            text=gettext_lazy(
                "The court determined evidence item %(number)s of %(owner)s: %(outcome)s."
            ),
            params={
                "number": item.number,
                "owner": item.party.name,
                "outcome": ("admitted", "采纳") if admitted else ("not admitted", "不予采纳"),
            },
            actor=actor,
            document_text=reasons,
        )
    return determination
