"""Court documents as PDF: a Django template laid out like a Chinese court document (court
name, kind, case number, the text, the judge, the date under the court's seal, the clerk),
drawn by WeasyPrint with the Noto CJK fonts, then sealed by ``documents.sign``.

WeasyPrint is imported inside ``pdf_from_html``: importing it takes over a second, and this
module is imported by services that every command loads.
"""

from __future__ import annotations

import base64
import gc
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

from ecourt.core.court import get_court_profile

if TYPE_CHECKING:
    from ecourt.accounts.models import User
    from ecourt.cases.models import Case

TEMPLATE = "documents/pdf/document.html"

#: The names of the kinds of court documents as they are printed on the document, in the
#: document's language (the document is in one language whatever the reader's interface).
KIND_TITLES: dict[str, tuple[str, str]] = {
    "judgment": ("民事判决书", "Civil Judgment"),
    "ruling": ("民事裁定书", "Civil Ruling"),
    "summons": ("传票", "Summons"),
    "mediation_statement": ("民事调解书", "Civil Mediation Statement"),
    "acceptance_notice": ("受理案件通知书", "Notice of Acceptance"),
    "evidence_notice": ("举证通知书", "Notice on Evidence"),
    "mediation_notice": ("调解通知书", "Mediation Notice"),
    "complaint_copy": ("起诉状副本", "Copy of the Complaint"),
    # Not a court document: the parties' agreement, drawn without the court's closing block.
    "settlement_agreement": ("调解协议书", "Settlement Agreement"),
    "other": ("诉讼文书", "Court Document"),
}

#: Words printed on the document (not the interface's language: the document's).
LABELS: dict[str, dict[str, str]] = {
    "zh": {"judge": "审判员", "clerk": "书记员", "number": "案号", "seal": "电子签章"},
    "en": {"judge": "Judge", "clerk": "Clerk", "number": "Case No.", "seal": "Electronic seal"},
}

_ZH_DIGITS = "〇一二三四五六七八九"


def _zh_number(value: int) -> str:
    """1…31 the way dates are written in court documents: 十, 十一, 二十, 二十九, 三十一."""
    tens, units = divmod(value, 10)
    text = ("" if tens == 0 else ("十" if tens == 1 else _ZH_DIGITS[tens] + "十")) + (
        _ZH_DIGITS[units] if units else ""
    )
    return text or _ZH_DIGITS[0]


def date_zh(moment: datetime) -> str:
    """二〇二六年十一月二十九日 (the court's time zone for an aware datetime)."""
    day = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    year = "".join(_ZH_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_zh_number(day.month)}月{_zh_number(day.day)}日"


def date_en(moment: datetime) -> str:
    day = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return day.strftime("%Y-%m-%d")


def _is_zh(language: str) -> bool:
    return language.lower().startswith("zh")


def body_paragraphs(body: str) -> list[str]:
    """The body's paragraphs: one per non-empty line (blank lines only separate them)."""
    return [line.strip() for line in body.replace("\r\n", "\n").split("\n") if line.strip()]


def seal_svg(court_name: str) -> str:
    """The court's round red seal as inline SVG: the name along the upper arc, a five-pointed
    star in the centre. Our own drawing (each character placed and turned by hand, since
    WeasyPrint's SVG text follows no path)."""
    red = "#d40f0f"
    chars = list(court_name) or [" "]
    count = len(chars)
    # Centred on the top, up to 250° of arc, at most 40° from one character to the next.
    step = min(40.0, 250.0 / count)
    start = -step * (count - 1) / 2
    font = 24 if count <= 8 else max(13, int(24 * 8 / count))
    radius = 82 - font / 2  # from the centre to the middle of each character
    letters = []
    for i, char in enumerate(chars):
        angle = start + i * step
        x = 100 + radius * math.sin(math.radians(angle))
        y = 100 - radius * math.cos(math.radians(angle))
        letters.append(
            f'<text x="{-font / 2:.1f}" y="{font * 0.38:.1f}" font-size="{font}" '
            f'transform="translate({x:.2f} {y:.2f}) rotate({angle:.2f})">{escape(char)}</text>'
        )
    points = []
    for k in range(10):  # the star: outer and inner points in turn
        point = 34 if k % 2 == 0 else 13
        turn = math.radians(-90 + k * 36)
        points.append(f"{100 + point * math.cos(turn):.2f},{100 + point * math.sin(turn):.2f}")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200">'
        f'<circle cx="100" cy="100" r="94" fill="none" stroke="{red}" stroke-width="6"/>'
        f'<g fill="{red}" font-family="Noto Serif CJK SC, Noto Sans CJK SC, serif" '
        f'font-weight="bold">{"".join(letters)}</g>'
        f'<polygon points="{" ".join(points)}" fill="{red}"/>'
        "</svg>"
    )


def seal_data_uri(court_name: str) -> str:
    """The seal as a ``data:`` URL for an ``<img>``: drawn as an image of its own, the SVG
    inherits nothing from the page's text layout."""
    data = base64.b64encode(seal_svg(court_name).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{data}"


def _person_name(person: User | str | None) -> str:
    if person is None:
        return ""
    if isinstance(person, str):
        return person
    return str(getattr(person, "display_name", "") or person)


def _number_of(case: Case | None, number: str | None) -> str:
    if number is not None:
        return number
    if case is None:
        raise ValueError("A document needs a case or a number.")
    return case.number


def document_html(
    *,
    case: Case | None,
    kind: str,
    title: str,
    body: str,
    language: str = "zh-hans",
    issued_at: datetime | None = None,
    judge: User | str | None = None,
    clerk: User | str | None = None,
    number: str | None = None,
    court_closing: bool = True,
) -> str:
    """The document as a self-contained HTML page for print (no external resources).

    ``number`` is printed instead of the case's number (a pre-filing mediation's number: the
    document then needs no ``case``). ``court_closing=False`` leaves out the judge, the date
    under the seal and the clerk: for a paper that is not the court's own (the parties'
    settlement agreement)."""
    zh = _is_zh(language)
    court = get_court_profile()
    moment = issued_at or timezone.now()
    names = KIND_TITLES.get(kind, KIND_TITLES["other"])
    kind_title = names[0] if zh else names[1]
    if judge is None and case is not None:
        judge = getattr(case, "judge", None)
    context: dict[str, Any] = {
        "language": "zh-Hans" if zh else "en",
        "court_name": court.name_zh if zh else court.name_en,
        "kind_title": kind_title,
        "title": title,
        "show_title": bool(title) and title.strip() != kind_title,
        "case_number": _number_of(case, number),
        "paragraphs": body_paragraphs(body),
        "judge": _person_name(judge),
        "clerk": _person_name(clerk),
        "date": date_zh(moment) if zh else date_en(moment),
        "labels": LABELS["zh" if zh else "en"],
        "seal": seal_data_uri(court.name_zh if zh else court.name_en),
        "court_closing": court_closing,
    }
    with translation.override(language):
        return render_to_string(TEMPLATE, context)


def url_fetcher() -> Any:
    """A WeasyPrint fetcher that loads nothing but ``data:`` URLs: a document never reaches
    the network or the file system while it is drawn."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def pdf_from_html(html: str) -> bytes:
    """Draw ``html`` as PDF (no base URL; only ``data:`` resources load)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf = HTML(string=html, url_fetcher=url_fetcher(), base_url=None).write_pdf()
    assert isinstance(pdf, bytes)
    # WeasyPrint leaves reference cycles holding each font file's bytes (the Noto CJK
    # collections are tens of MB): without a collection here a worker's memory grows by
    # ~50 MB a document until the cyclic collector happens to run (measured: 130 → 490 MB
    # in 12 documents; flat at 180 MB with it). The cycles are young: collecting the two
    # younger generations frees them in ~7 ms (a full collection takes ~120 ms).
    gc.collect(1)
    return pdf


def render_document_pdf(
    *,
    case: Case | None,
    kind: str,
    title: str,
    body: str,
    language: str = "zh-hans",
    issued_at: datetime | None = None,
    judge: User | str | None = None,
    clerk: User | str | None = None,
    sign: bool = True,
    number: str | None = None,
    court_closing: bool = True,
) -> bytes:
    """The document as a PDF, sealed by the court (``sign=False``: unsigned, for previews,
    the benchmark and papers that are not the court's). ``number`` and ``court_closing`` as
    in ``document_html``. Raises ``documents.sign.SealUnavailable`` without the seal's
    files."""
    html = document_html(
        case=case,
        kind=kind,
        title=title,
        body=body,
        language=language,
        issued_at=issued_at,
        judge=judge,
        clerk=clerk,
        number=number,
        court_closing=court_closing,
    )
    pdf = pdf_from_html(html)
    if not sign:
        return pdf
    from ecourt.documents.sign import pdf_sign

    court = get_court_profile()
    kind_title = KIND_TITLES.get(kind, KIND_TITLES["other"])
    zh = _is_zh(language)
    reason = f"{kind_title[0] if zh else kind_title[1]} {_number_of(case, number)}"
    return pdf_sign(pdf, reason=reason, location=court.name_zh if zh else court.name_en)
