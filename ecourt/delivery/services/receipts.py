"""Facts that make a delivery served (reached, read, acted, acked), the served time with its
rule, the proof of service, and what service starts in the case (answer and appeal periods).

Lock order everywhere: the case row, then the delivery row.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases.models import Case, CaseDeadline, CaseStatus, Party
from ecourt.cases.services._common import deadline_open, docket_add, lock_case
from ecourt.core.audit import audit_record
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError
from ecourt.delivery import rules
from ecourt.delivery.models import (
    AttemptOutcome,
    Channel,
    Delivery,
    DeliveryStatus,
    EventKind,
    ProofOfService,
)
from ecourt.delivery.services.common import acts_for, event_add, lock_delivery, move
from ecourt.evidence.services.log import deposit_for_court

S = DeliveryStatus
PROOF_FORMAT = "ecourt-proof-of-service/v1"

#: The period that service of a document starts for its recipient.
SERVED_PERIODS = {
    "complaint_copy": "answer",
    "judgment": "appeal_judgment",
    "ruling": "appeal_ruling",
}


#: How service happened, in the words the complaint's service record uses.
SERVICE_METHODS = {
    "confirmed.reached": "electronic service to the confirmed address",
    "confirmed.read": "read on the platform",
    "confirmed.acted": "acted on in the case",
    "unconfirmed.read": "read on the platform after linking",
    "unconfirmed.acted": "acted on in the case",
    "offline.proof": "served offline",
}


def counts_as_confirmed(delivery: Delivery) -> bool:
    """Whether the confirmed-address rules apply: an address confirmation was in force at
    issue, and for a decision it includes consent to electronic service."""
    confirmation = delivery.confirmation
    if confirmation is None:
        return False
    kind = delivery.document.kind if delivery.document_id else ""  # type: ignore[union-attr]
    return not rules.needs_consent(kind) or confirmation.consents_to_decisions


def service_events(delivery: Delivery) -> list[rules.ServiceEvent]:
    """The recorded facts the rules look at."""
    found = []
    if delivery.delivered_at:
        found.append(rules.ServiceEvent("reached", delivery.delivered_at, Channel.INBOX))
    for attempt in delivery.tries.filter(
        outcome=AttemptOutcome.ACCEPTED, channel__in=[Channel.SMS, Channel.EMAIL]
    ):
        found.append(rules.ServiceEvent("reached", attempt.finished_at, attempt.channel))  # type: ignore[arg-type]
    if delivery.acked_at:
        found.append(rules.ServiceEvent("reached", delivery.acked_at, Channel.INSTITUTION))
    if delivery.read_at:
        found.append(rules.ServiceEvent("read", delivery.read_at))
    if delivery.acted_at:
        found.append(rules.ServiceEvent("acted", delivery.acted_at))
    return found


def _served_channel(delivery: Delivery, at: datetime, rule_code: str) -> str:
    if rule_code.endswith(".reached"):
        for event in service_events(delivery):
            if event.kind == "reached" and event.at == at:
                return event.channel
    return Channel.INBOX if rule_code.endswith((".read", ".acted")) else ""


def _address_of(delivery: Delivery, channel: str) -> str:
    for step in delivery.plan:
        if step.get("channel") == channel:
            return str(step.get("address", ""))
    return ""


def proof_text(delivery: Delivery, *, scan_sha256: str = "", note: str = "") -> str:
    """The canonical proof of service: sorted-key JSON in UTF-8, the bytes that are hashed."""
    document = delivery.document
    assert document is not None and delivery.party is not None and delivery.served_at
    channel = delivery.served_channel
    rule = rules.RULES_BY_CODE[delivery.served_rule]

    def iso(value: datetime | None) -> str | None:
        # Court time with its offset: the served date the law counts is the court's date.
        return timezone.localtime(value).isoformat(timespec="seconds") if value else None

    court = get_court_profile()
    record = {
        "format": PROOF_FORMAT,
        "court": {"en": court.name_en, "zh": court.name_zh},
        "case": document.case.number,
        "document": {
            "kind": document.kind,
            "title": document.title,
            "sha256": document.sha256,
            "issued_at": iso(document.issued_at),
        },
        "recipient": {"party": delivery.party.name, "side": delivery.party.side},
        "delivery": delivery.pk,
        "channel": channel,
        "address": _address_of(delivery, channel) if channel else "",
        "address_confirmed": counts_as_confirmed(delivery),
        "sent_at": iso(delivery.sent_at),
        "delivered_at": iso(delivery.delivered_at),
        "read_at": iso(delivery.read_at),
        "acted_at": iso(delivery.acted_at),
        "acked_at": iso(delivery.acked_at),
        "served_at": iso(delivery.served_at),
        "rule": rule.code,
        "basis": rule.basis,
    }
    if scan_sha256:
        record["offline"] = {"scan_sha256": scan_sha256, "note": note}
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def proof_create(
    delivery: Delivery, *, actor: User | None, scan: Any = None, note: str = ""
) -> ProofOfService:
    """Write the proof of service, supersede an earlier one, and deposit its hash."""
    now = timezone.now()
    text = proof_text(delivery, scan_sha256=scan.sha256 if scan else "", note=note)
    data = text.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    ProofOfService.objects.filter(delivery=delivery, superseded_at__isnull=True).update(
        superseded_at=now
    )
    deposit = deposit_for_court(sha256=digest, size=len(data), media_type="application/json")
    return ProofOfService.objects.create(
        delivery=delivery,
        text=text,
        sha256=digest,
        deposit=deposit,
        scan=scan,
        created_at=now,
        created_by=actor,
    )


def _served_on(at: datetime) -> date:
    return timezone.localtime(at).date()


def _period_restart(
    case: Case, party: Party, code: str, start: date, *, event: str, actor: User | None
) -> None:
    """Cancel the party's period of ``code`` and open it again from ``start``. A period that
    was already met (the answer is in) stays met in its new form: a corrected service date
    must not ask for the answer again."""
    current = CaseDeadline.objects.filter(
        case=case, party=party, code=code, cancelled_at__isnull=True
    )
    met_at = current.exclude(met_at__isnull=True).values_list("met_at", flat=True).first()
    current.update(cancelled_at=timezone.now())
    period = deadline_open(
        application=case.application,
        case=case,
        party=party,
        code=code,
        start=start,
        start_event=event[:100],
    )
    if met_at is not None:
        period.met_at = met_at
        period.save(update_fields=["met_at"])


def _effects(delivery: Delivery, *, previous: date | None, reason: str, actor: User | None) -> None:
    """Start (or restart) what service starts: the answer period on the complaint, the appeal
    period on a judgment or ruling. A changed served time cancels the old period and opens
    the new one, with the reason on the docket."""
    from ecourt.cases.services.cases import complaint_served_by_delivery

    document = delivery.document
    party = delivery.party
    assert document is not None and party is not None and delivery.served_at is not None
    case = document.case
    served_on = _served_on(delivery.served_at)
    rule = rules.RULES_BY_CODE[delivery.served_rule]
    code = SERVED_PERIODS.get(document.kind)
    if document.kind == "complaint_copy" and previous is None:
        complaint_served_by_delivery(
            case=case,
            party=party,
            served_on=served_on,
            method=SERVICE_METHODS.get(rule.code, rule.code),
            actor=actor,
        )
        return
    if previous is None:
        docket_add(
            case=case,
            code="delivery.served",
            actor=actor,
            party=party,
            text=gettext_lazy("%(document)s served on %(party)s on %(date)s."),
            params={"document": document.title, "party": party.name, "date": served_on},
        )
    else:
        docket_add(
            case=case,
            code="delivery.served_changed",
            actor=actor,
            party=party,
            text=gettext_lazy(
                "Service of %(document)s on %(party)s changed from %(old)s to %(new)s: %(reason)s"
            ),
            params={
                "document": document.title,
                "party": party.name,
                "old": previous,
                "new": served_on,
                "reason": reason,
            },
        )
    if code is None:
        return
    if code == "answer":
        if party.complaint_served_on is None:
            return
        party.complaint_served_on = served_on
        party.save(update_fields=["complaint_served_on"])
    elif (
        case.status not in (CaseStatus.DECIDED, CaseStatus.APPEALED)
        or case.decision_kind != document.kind
        or document.corrects_id is not None
    ):
        # Only the decision itself starts the appeal period: a later ruling (correcting a
        # clerical error, say) does not, in a case decided by judgment or by ruling. A party
        # served after another party appealed (the case is APPEALED) still gets its period.
        return
    _period_restart(case, party, code, served_on, event=f"service of {document.title}", actor=actor)
    if code != "answer":
        appealed = case.appeals.filter(party=party).values_list("filed_at", flat=True).first()
        if appealed is not None:
            # The party appealed before it was served: its period is met already.
            CaseDeadline.objects.filter(
                case=case, party=party, code=code, cancelled_at__isnull=True, met_at__isnull=True
            ).update(met_at=appealed)


def serve_if_due(delivery: Delivery, *, actor: User | None) -> bool:
    """Apply the served-time rules to a legal delivery not yet served. The caller holds the
    case and delivery locks. Returns whether it became served now."""
    if not delivery.legal or delivery.served_at is not None or delivery.document_id is None:
        return False
    verdict = rules.served(confirmed=counts_as_confirmed(delivery), events=service_events(delivery))
    if verdict is None:
        return False
    delivery.served_at, delivery.served_rule = verdict
    delivery.served_channel = _served_channel(delivery, delivery.served_at, delivery.served_rule)
    delivery.save(update_fields=["served_at", "served_rule", "served_channel"])
    event_add(
        delivery,
        EventKind.SERVED,
        at=delivery.served_at,
        rule=delivery.served_rule,
        channel_used=delivery.served_channel,
    )
    proof_create(delivery, actor=actor)
    _effects(delivery, previous=None, reason="", actor=actor)
    audit_record(
        code="ecourt.delivery.served",
        actor=actor,
        target=delivery,
        new={"served_at": delivery.served_at.isoformat(), "rule": delivery.served_rule},
    )
    return True


def _lock_pair(delivery_id: int) -> tuple[Case | None, Delivery]:
    case_id = Delivery.objects.filter(pk=delivery_id).values_list("case_id", flat=True).first()
    case = lock_case(case_id) if case_id else None
    return case, lock_delivery(delivery_id)


def delivery_mark_read(*, actor: User, delivery_id: int, evidence: dict[str, str]) -> Delivery:
    """The recipient (or its agent) opened the document signed in: the read receipt. Only
    the recipient's own authenticated view counts; staff views and anonymous requests never
    call this. ``evidence`` holds the request id and a hash of the user agent."""
    with transaction.atomic():
        _case, delivery = _lock_pair(delivery_id)
        if delivery.party_id is not None:
            if not acts_for(actor, delivery.party):  # type: ignore[arg-type]
                raise DomainError(_("No such delivery."), code="not_found")
        elif delivery.user_id != actor.pk:
            raise DomainError(_("No such delivery."), code="not_found")
        if delivery.read_at is not None:
            return delivery
        now = timezone.now()
        delivery.read_at = now
        old = delivery.status
        move(delivery, S.READ)
        delivery.next_attempt_at = None
        delivery.save(update_fields=["read_at", "status", "next_attempt_at"])
        event_add(delivery, EventKind.READ, actor=actor, at=now, **evidence)
        audit_record(
            code="ecourt.delivery.read",
            actor=actor,
            target=delivery,
            old={"status": old},
            new={"status": delivery.status},
        )
        serve_if_due(delivery, actor=actor)
    return delivery


def deliveries_mark_acted(*, actor: User, case: Case, party: Party) -> int:
    """The party filed something in the case: every document to it not served yet counts
    as received (Online Litigation Rules Art. 31). The caller holds the case lock."""
    pending = Delivery.objects.select_for_update().filter(
        case=case, party=party, legal=True, served_at__isnull=True, acted_at__isnull=True
    )
    count = 0
    now = timezone.now()
    for delivery in pending:
        delivery.acted_at = now
        delivery.save(update_fields=["acted_at"])
        event_add(delivery, EventKind.ACTED, actor=actor, at=now)
        serve_if_due(delivery, actor=actor)
        count += 1
    return count


def delivery_ack(*, actor: User, delivery_id: int) -> tuple[Delivery, bool]:
    """The company's system acknowledged a delivery pulled over the API: it reached that
    system. A second ack changes nothing and is answered the same way."""
    with transaction.atomic():
        _case, delivery = _lock_pair(delivery_id)
        if (
            delivery.party is None
            or not acts_for(actor, delivery.party)
            or not delivery.via_institution
        ):
            raise DomainError(_("No such delivery."), code="not_found")
        if delivery.acked_at is not None:
            return delivery, False
        now = timezone.now()
        delivery.acked_at = now
        fields = ["acked_at"]
        if delivery.status in (S.SENT, S.QUEUED, S.SENDING):
            delivery.status = S.DELIVERED
            fields.append("status")
        delivery.save(update_fields=fields)
        event_add(delivery, EventKind.ACKED, channel=Channel.INSTITUTION, actor=actor, at=now)
        audit_record(code="ecourt.delivery.acked", actor=actor, target=delivery)
        serve_if_due(delivery, actor=actor)
    return delivery, True


def served_time_change(
    delivery: Delivery,
    *,
    served_at: datetime,
    rule_code: str,
    reason: str,
    actor: User | None,
    scan: Any = None,
    note: str = "",
) -> None:
    """Set a new served time (offline proof, a correction) with a new proof of service, and
    recompute the periods it starts. The caller holds the case and delivery locks."""
    previous = _served_on(delivery.served_at) if delivery.served_at else None
    old = delivery.served_at
    if scan is None and old is not None:
        # A corrected date keeps the paper proof it was read from.
        earlier = ProofOfService.objects.filter(
            delivery=delivery, superseded_at__isnull=True, scan__isnull=False
        ).first()
        if earlier is not None:
            scan = earlier.scan
            note = note or json.loads(earlier.text).get("offline", {}).get("note", "")
    delivery.served_at = served_at
    delivery.served_rule = rule_code
    if rule_code == rules.OFFLINE_RULE.code:
        delivery.served_channel = ""
    delivery.save(update_fields=["served_at", "served_rule", "served_channel"])
    event_add(
        delivery,
        EventKind.SERVED if old is None else EventKind.SERVED_CHANGED,
        actor=actor,
        at=timezone.now(),
        served_at=served_at.isoformat(),
        previous=old.isoformat() if old else None,
        rule=rule_code,
        reason=reason,
    )
    proof_create(delivery, actor=actor, scan=scan, note=note)
    if previous != _served_on(served_at) or old is None:
        _effects(delivery, previous=previous, reason=reason, actor=actor)
    audit_record(
        code="ecourt.delivery.served_changed" if old else "ecourt.delivery.served",
        actor=actor,
        target=delivery,
        old={"served_at": old.isoformat() if old else None},
        new={"served_at": served_at.isoformat(), "rule": rule_code, "reason": reason},
    )
