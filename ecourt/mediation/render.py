"""The signed settlement agreement (调解协议书) as a PDF to download and keep.

It is the parties' agreement, not a court document: drawn through ``documents.render`` without
the court's closing block or seal and not signed by the court. The text is the agreement as
every party signed it, followed by the signatures (who, when, how, and the SHA-256 each one
confirmed). The hash that counts stays the one of the text; the PDF is a rendering of it.
"""

from __future__ import annotations

from django.utils import timezone

from ecourt.mediation.models import AgreementSignature, Mediation, SettlementAgreement

#: How a signature was given, as printed (the agreement is in Chinese, the record's language).
SIGNATURE_METHODS = {"sms_code": "短信验证码"}


def _without_heading(text: str, number: str) -> list[str]:
    """The agreement's lines without its own heading (调解协议书, the court and the number),
    which the PDF prints in its header already."""
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) > 2 and lines[0].strip() == "调解协议书" and lines[2].strip().endswith(number):
        return lines[3:]
    return lines


def agreement_pdf_body(
    mediation: Mediation, agreement: SettlementAgreement, signatures: list[AgreementSignature]
) -> str:
    """The agreement's text, then the signatures."""
    lines = _without_heading(agreement.text, mediation.number)
    lines += ["", "签署情况："]
    for signature in signatures:
        at = timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M:%S")
        method = SIGNATURE_METHODS.get(signature.method, signature.method)
        lines.append(
            f"{signature.party.name}：由{signature.signed_by.display_name}于{at}（北京时间）"
            f"以{method}签署，所签文本的SHA-256值为{signature.text_sha256}。"
        )
    lines += [
        f"本协议全文（第{agreement.version}版）的SHA-256值为{agreement.text_sha256}。",
        "本文件根据各方当事人签署的协议文本生成，供当事人留存，不是人民法院的法律文书。",
    ]
    return "\n".join(lines) + "\n"


def agreement_pdf(mediation: Mediation, agreement: SettlementAgreement) -> bytes:
    """The agreement as an unsigned PDF (no court seal: the court is not a party to it)."""
    from ecourt.documents.render import render_document_pdf

    signatures = list(
        agreement.signatures.select_related("party", "signed_by").order_by("signed_at", "pk")
    )
    return render_document_pdf(
        case=None,
        number=mediation.number,
        kind="settlement_agreement",
        title="调解协议书",
        body=agreement_pdf_body(mediation, agreement, signatures),
        language="zh-hans",
        issued_at=agreement.completed_at,
        sign=False,
        court_closing=False,
    )
