"""The proof of service (送达回证) as a PDF under the court's seal: a readable table drawn from
its canonical JSON, through ``documents.render``.

The record that counts stays the JSON: its SHA-256 is what was deposited in the evidence log,
and the PDF prints that hash. The PDF is a rendering, sealed when it is drawn (two downloads
are two different files with the same content).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from ecourt.core.court import get_court_profile
from ecourt.delivery import rules
from ecourt.delivery.models import Channel, ProofOfService

TEMPLATE = "delivery/pdf/proof.html"


def _record(proof: ProofOfService) -> dict[str, Any]:
    try:
        record = json.loads(proof.text)
    except ValueError:
        return {}
    return record if isinstance(record, dict) else {}


def _moment(value: object) -> str:
    """An ISO time of the record as people read it (court time, as recorded)."""
    if not isinstance(value, str) or not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.strftime("%Y-%m-%d %H:%M:%S %z").replace("+0800", "+08:00")


def proof_rows(proof: ProofOfService) -> list[tuple[str, str]]:
    """(label, value) rows of the proof, in the active language."""
    record = _record(proof)
    document = record.get("document") or {}
    recipient = record.get("recipient") or {}
    delivery = proof.delivery
    channel = str(record.get("channel", ""))
    rule = rules.RULES_BY_CODE.get(str(record.get("rule", "")))
    kind = delivery.document.get_kind_display() if delivery.document is not None else ""
    side = delivery.party.get_side_display() if delivery.party is not None else ""
    rows = [
        (_("Case"), str(record.get("case", ""))),
        (
            translation.pgettext("court document", "Document"),
            f"{document.get('title', '')}" + (f" ({kind})" if kind else ""),
        ),
        (_("SHA-256 of the document"), str(document.get("sha256", ""))),
        (_("Issued"), _moment(document.get("issued_at"))),
        (_("Recipient"), f"{recipient.get('party', '')}" + (f" ({side})" if side else "")),
        (
            _("Channel"),
            str(Channel(channel).label) if channel in Channel.values else channel or "—",
        ),
        (_("Address"), str(record.get("address") or "—")),
        (
            _("Address confirmed by the recipient"),
            _("Yes") if record.get("address_confirmed") else _("No"),
        ),
        (_("Sent"), _moment(record.get("sent_at"))),
        (_("Reached the recipient's system"), _moment(record.get("delivered_at"))),
        (_("Read"), _moment(record.get("read_at"))),
        (_("Acted on"), _moment(record.get("acted_at"))),
        (_("Acknowledged by the institution's system"), _moment(record.get("acked_at"))),
        (_("Served"), _moment(record.get("served_at"))),
        (
            _("Rule applied"),
            f"{rule.summary} ({rule.code})" if rule else str(record.get("rule", "")),
        ),
        (_("Legal basis"), str(record.get("basis", ""))),
    ]
    offline = record.get("offline")
    if isinstance(offline, dict):
        rows += [
            (_("Served offline"), str(offline.get("note") or "—")),
            (_("SHA-256 of the scan"), str(offline.get("scan_sha256", ""))),
        ]
    rows += [
        (_("Deposit number"), proof.deposit.deposit_no if proof.deposit else "—"),
        (_("SHA-256 of this proof"), proof.sha256),
    ]
    return rows


def proof_html(proof: ProofOfService, *, language: str) -> str:
    """The proof as a self-contained HTML page for print, in ``language``."""
    from ecourt.documents.render import date_en, date_zh, seal_data_uri

    zh = language.lower().startswith("zh")
    court = get_court_profile()
    court_name = court.name_zh if zh else court.name_en
    record = _record(proof)
    with translation.override(language):
        context = {
            "language": "zh-Hans" if zh else "en",
            "court_name": court_name,
            "kind_title": _("Proof of service"),
            "case_number": str(record.get("case", "")),
            "rows": proof_rows(proof),
            "date": date_zh(proof.created_at) if zh else date_en(proof.created_at),
            "seal": seal_data_uri(court_name),
        }
        return render_to_string(TEMPLATE, context)


def proof_pdf(proof: ProofOfService, *, language: str) -> bytes:
    """The proof as a PDF sealed by the court. Raises ``documents.sign.SealUnavailable``
    without the seal's files."""
    from ecourt.documents.render import pdf_from_html
    from ecourt.documents.sign import pdf_sign

    court = get_court_profile()
    zh = language.lower().startswith("zh")
    record = _record(proof)
    pdf = pdf_from_html(proof_html(proof, language=language))
    return pdf_sign(
        pdf,
        reason=f"{'送达回证' if zh else 'Proof of service'} {record.get('case', '')}",
        location=court.name_zh if zh else court.name_en,
    )


def proof_pdf_name(proof: ProofOfService) -> str:
    return f"proof-of-service-{proof.delivery_id}-{proof.pk}.pdf"
