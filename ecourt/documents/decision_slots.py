"""Filling a judgment or ruling template from the case.

A template is a plain text file with named slots in braces (``{parties}``, ``{claims}``…);
``{{`` and ``}}`` stand for literal braces. Filling is strict: a slot ecourt does not know, or
a known slot whose data is missing (no reasoning written, no fee allocation in a judgment,
evidence not yet determined…), refuses with the slot named, so nothing half-filled is ever
issued. The built-in templates live in ``decision_templates/``; a court replaces them with a
folder of the same file names in ``ECOURT_DOCUMENT_TEMPLATE_DIR``.

The text of a decision is the court's record, not the interface: its wording is written here
in both languages (Chinese court wording and an English rendering), not through gettext.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from ecourt.accounts.rules import mask_identifier
from ecourt.cases.models import Case, Party, PartyKind, PartySide, Procedure
from ecourt.core.court import get_court_profile
from ecourt.core.errors import DomainError
from ecourt.core.selectors import court_today
from ecourt.documents.models import DecisionDraft, DocumentKind

BUILTIN_DIR = Path(__file__).resolve().parent / "decision_templates"
LANGUAGES = ("zh-hans", "en")
SLOT_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")

#: The slots ecourt knows, with what each holds (shown to the judge next to the draft).
SLOTS: dict[str, str] = {
    "court": "The court's name",
    "case_number": "The case number",
    "title": "The document's title (civil judgment, civil ruling…)",
    "parties": "Each party with its side, kind, name, masked identity number and agents",
    "claims": "The plaintiff's claims with their amounts",
    "procedure": "Docketing, procedure, judge, service, hearings and asynchronous trial",
    "evidence": "The evidence items and the judge's determinations",
    "reasoning": "The court's reasoning (written by the judge)",
    "decision": "The decision (written by the judge)",
    "fees": "The court fee and who bears how much",
    "appeal_notice": "Where and within how many days a party may appeal",
    "corrected": "The document a correcting ruling corrects",
    "judge": "The judge",
    "clerk": "The clerk of the hearing (none after an asynchronous trial only: line left out)",
    "date": "The date of the document",
}

CN_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class SlotProblem:
    slot: str
    message: str
    code: str

    def error(self) -> DomainError:
        field = self.slot if self.slot in ("reasoning", "decision") else None
        if self.slot == "fees":
            field = "fee_defendants"
        return DomainError(self.message, code=self.code, field=field)


class _Missing(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def template_name(draft: DecisionDraft) -> str:
    if draft.corrects_id is not None:
        return "correction"
    return "judgment" if draft.kind == DocumentKind.JUDGMENT else "ruling"


def template_text(name: str, language: str) -> str:
    """The template ``name`` (judgment, ruling, correction) in ``language``; the configured
    folder wins over the built-in one, file by file."""
    if language not in LANGUAGES:
        raise DomainError(
            _("Choose Chinese or English."), code="language_invalid", field="language"
        )
    filename = f"{name}.{language}.txt"
    folders = (
        [Path(settings.ECOURT_DOCUMENT_TEMPLATE_DIR)]
        if settings.ECOURT_DOCUMENT_TEMPLATE_DIR
        else []
    )
    for folder in [*folders, BUILTIN_DIR]:
        path = folder / filename
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise DomainError(
        _("The template %(name)s is missing.") % {"name": filename}, code="template_missing"
    )


def slots_in(text: str) -> list[str]:
    """The slot names ``text`` refers to, in order, each once."""
    found: list[str] = []
    for match in SLOT_RE.finditer(text):
        name = match.group(1)
        if name is not None and name not in found:
            found.append(name)
    return found


# --- Words --------------------------------------------------------------------------------------


def _zh(language: str) -> bool:
    return language.startswith("zh")


def cn_date(day: date) -> str:
    """2026-07-13 → 二〇二六年七月十三日 (the way a judgment is dated)."""

    def number(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, units = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[units] if units else "")

    year = "".join(CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{number(day.month)}月{number(day.day)}日"


def _day(day: date, language: str) -> str:
    if _zh(language):
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {day:%B} {day.year}"


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _names(parties: list[Party], language: str) -> str:
    return ("、" if _zh(language) else ", ").join(p.name for p in parties)


SIDE_WORDS: dict[str, tuple[str, str]] = {
    PartySide.PLAINTIFF: ("原告", "Plaintiff"),
    PartySide.DEFENDANT: ("被告", "Defendant"),
    PartySide.THIRD_PARTY: ("第三人", "Third party"),
}


def _doc_prefix(case: Case, language: str) -> str:
    administrative = case.type_code.startswith("行")
    if _zh(language):
        return "行政" if administrative else "民事"
    return "Administrative" if administrative else "Civil"


# --- The slots ----------------------------------------------------------------------------------


class _Filler:
    def __init__(self, draft: DecisionDraft, *, on: date | None = None) -> None:
        self.draft = draft
        self.case = draft.case
        self.language = draft.language
        self.zh = _zh(draft.language)
        self.on = on or court_today()
        # Plaintiffs first, then defendants, then third parties, as a judgment lists them.
        rank: dict[str, int] = {
            PartySide.PLAINTIFF: 0,
            PartySide.DEFENDANT: 1,
            PartySide.THIRD_PARTY: 2,
        }
        self.parties = sorted(
            self.case.parties.prefetch_related("agents__user"),
            key=lambda p: (rank.get(p.side, 3), p.position, p.pk),
        )

    def t(self, en: str, zh: str) -> str:
        return zh if self.zh else en

    def court(self) -> str:
        profile = get_court_profile()
        return profile.name_zh if self.zh else profile.name_en

    def case_number(self) -> str:
        return self.case.number

    def title(self) -> str:
        prefix = _doc_prefix(self.case, self.language)
        if self.draft.kind == DocumentKind.JUDGMENT:
            return self.t(f"{prefix} Judgment", f"{prefix}判决书")
        return self.t(f"{prefix} Ruling", f"{prefix}裁定书")

    def parties_text(self) -> str:
        if not self.parties:
            raise _Missing(_("The case has no parties."))
        lines = []
        for party in self.parties:
            zh_side, en_side = SIDE_WORDS.get(party.side, ("当事人", "Party"))
            masked = mask_identifier(party.id_number)
            if party.kind == PartyKind.COMPANY:
                line = self.t(f"{en_side}: {party.name}", f"{zh_side}：{party.name}")
                if masked:
                    line += self.t(
                        f", unified social credit code {masked}", f"，统一社会信用代码{masked}"
                    )
                line += self.t(".", "。")
                if party.legal_representative:
                    line += self.t(
                        f"\nLegal representative: {party.legal_representative}.",
                        f"\n法定代表人：{party.legal_representative}。",
                    )
            else:
                line = self.t(f"{en_side}: {party.name}", f"{zh_side}：{party.name}")
                if masked:
                    line += self.t(f", identity number {masked}", f"，公民身份号码{masked}")
                line += self.t(".", "。")
            for agent in party.agents.all():
                kind = (
                    self.t("lawyer", "律师")
                    if agent.kind == "lawyer"
                    else self.t("citizen agent", "公民代理")
                )
                scope = (
                    self.t("special authority", "特别授权")
                    if agent.scope == "special"
                    else self.t("general authority", "一般授权")
                )
                line += self.t(
                    f"\nAgent ad litem: {agent.user.display_name}, {kind} ({scope}).",
                    f"\n委托诉讼代理人：{agent.user.display_name}，{kind}（{scope}）。",
                )
            lines.append(line)
        return "\n".join(lines)

    def claims(self) -> str:
        claims = list(self.case.application.claims.order_by("position", "pk"))
        if not claims:
            raise _Missing(_("The plaintiff's application lists no claims."))
        lines = []
        for number, claim in enumerate(claims, start=1):
            line = f"{number}. {claim.text.strip()}"
            if claim.amount is not None:
                line += self.t(
                    f" (amount: {_money(claim.amount)} yuan)", f"（金额：{_money(claim.amount)}元）"
                )
            lines.append(line)
        return "\n".join(lines)

    def _judge_name(self) -> str:
        judge = self.case.judge
        if judge is None:
            raise _Missing(_("No judge is assigned to the case."))
        return judge.display_name

    def procedure(self) -> str:
        from ecourt.hearings.models import AsyncTrial, Hearing, HearingStatus

        case = self.case
        simplified = case.procedure == Procedure.SIMPLIFIED
        judge = self._judge_name()
        docketed = _day(case.docketed_on, self.language)
        parts = [
            self.t(
                f"The court docketed this case on {docketed}, tried it under the "
                f"{'simplified' if simplified else 'ordinary'} procedure, with Judge {judge} "
                "presiding.",
                f"本院于{docketed}立案后，依法适用{'简易' if simplified else '普通'}程序，"
                f"由审判员{judge}{'独任' if simplified else ''}审理。",
            )
        ]
        for party in self.parties:
            if party.complaint_served_on is not None:
                served = _day(party.complaint_served_on, self.language)
                parts.append(
                    self.t(
                        f"The complaint was served on {party.name} on {served}.",
                        f"起诉状副本于{served}送达{party.name}。",
                    )
                )
        hearings = list(
            Hearing.objects.filter(case=case, status=HearingStatus.ENDED).order_by("starts_at")
        )
        for hearing in hearings:
            held = _day(
                (hearing.started_at or hearing.starts_at)
                .astimezone(get_court_profile().time_zone)
                .date(),
                self.language,
            )
            parts.append(
                self.t(
                    f"The court held an online hearing on {held}.",
                    f"本院于{held}通过互联网在线开庭进行了审理。",
                )
            )
        trials = list(AsyncTrial.objects.filter(case=case).order_by("opened_at"))
        for trial in trials:
            opened = _day(
                trial.opened_at.astimezone(get_court_profile().time_zone).date(), self.language
            )
            parts.append(
                self.t(
                    f"With the parties' consent, the court tried the case asynchronously "
                    f"from {opened}.",
                    f"经各方当事人同意，本院自{opened}起适用在线异步审理方式进行了审理。",
                )
            )
        parts.append(self.t("The trial has now concluded.", "本案现已审理终结。"))
        return "".join(parts) if self.zh else " ".join(parts)

    def evidence(self) -> str:
        from ecourt.evidence.models import EvidenceItem, Finding

        items = list(
            EvidenceItem.objects.filter(
                application=self.case.application, submitted_at__isnull=False
            )
            .select_related("party", "determination")
            .order_by("party__side", "party__position", "party_id", "number")
        )
        if not items:
            return self.t("No party submitted evidence.", "各方当事人在举证期限内均未提交证据。")
        undetermined = [
            f"{item.party.name} {item.number}"
            for item in items
            if not hasattr(item, "determination")
        ]
        if undetermined:
            raise _Missing(
                _("The court has not yet determined these evidence items: %(items)s.")
                % {"items": ", ".join(undetermined)}
            )
        qualities = (
            ("authenticity", "真实性"),
            ("legality", "合法性"),
            ("relevance", "关联性"),
        )
        lines = []
        for item in items:
            found = item.determination
            established = [
                (en, zh) for en, zh in qualities if getattr(found, en) == Finding.ESTABLISHED
            ]
            not_established = [
                (en, zh) for en, zh in qualities if getattr(found, en) != Finding.ESTABLISHED
            ]
            findings = ""
            if established:
                findings += self.t(
                    f"its {', '.join(en for en, _zh in established)} established",
                    f"对其{'、'.join(zh for _en, zh in established)}予以确认",
                )
            if not_established:
                findings += self.t(
                    ("; " if findings else "")
                    + f"its {', '.join(en for en, _zh in not_established)} not established",
                    ("，" if findings else "")
                    + f"对其{'、'.join(zh for _en, zh in not_established)}不予确认",
                )
            outcome = (
                self.t("admitted", "予以采纳")
                if found.admitted
                else self.t("not admitted", "不予采纳")
            )
            zh_side = SIDE_WORDS.get(item.party.side, ("当事人", "Party"))[0]
            purpose = item.purpose.strip().rstrip("。.")
            reasons = found.reasons.strip().rstrip("。.")
            lines.append(
                self.t(
                    f"Evidence {item.number} of {item.party.name}: {item.title}, offered to "
                    f"prove that {purpose}. The court finds {findings}; {outcome} "
                    f"({reasons}).",
                    f"{zh_side}{item.party.name}提交证据{item.number}：{item.title}，"
                    f"用以证明{purpose}。本院认为，{findings}，{outcome}"
                    f"（{reasons}）。",
                )
            )
        return "\n".join(lines)

    def reasoning(self) -> str:
        if not self.draft.reasoning.strip():
            raise _Missing(_("Write the court's reasoning."))
        return self.draft.reasoning.strip()

    def decision(self) -> str:
        if not self.draft.decision.strip():
            raise _Missing(_("Write the decision."))
        return self.draft.decision.strip()

    def fees(self) -> str:
        case = self.case
        fee = case.fee_amount
        plaintiffs = [p for p in self.parties if p.side == PartySide.PLAINTIFF]
        defendants = [p for p in self.parties if p.side == PartySide.DEFENDANT]
        on_defendants = self.draft.fee_defendants
        if on_defendants is None:
            if self.draft.kind == DocumentKind.JUDGMENT:
                raise _Missing(_("Say how much of the court fee the defendants bear."))
            on_defendants = Decimal(0)
        if not Decimal(0) <= on_defendants <= fee:
            raise _Missing(
                _("The defendants' share of the fee must be between 0 and %(fee)s yuan.")
                % {"fee": _money(fee)}
            )
        on_plaintiffs = fee - on_defendants
        if fee == 0:
            return self.t("No court fee is charged in this case.", "本案免交案件受理费。")
        halved = case.procedure == Procedure.SIMPLIFIED
        head = self.t(
            f"The case acceptance fee of {_money(fee)} yuan"
            + (" (halved under the simplified procedure)" if halved else ""),
            f"案件受理费{_money(fee)}元" + ("（适用简易程序减半收取）" if halved else ""),
        )
        shares = []
        if on_plaintiffs > 0:
            shares.append(
                self.t(
                    f"{_money(on_plaintiffs)} yuan is borne by {_names(plaintiffs, 'en')}",
                    f"由原告{_names(plaintiffs, 'zh-hans')}负担{_money(on_plaintiffs)}元",
                )
            )
        if on_defendants > 0:
            shares.append(
                self.t(
                    f"{_money(on_defendants)} yuan is borne by {_names(defendants, 'en')}",
                    f"由被告{_names(defendants, 'zh-hans')}负担{_money(on_defendants)}元",
                )
            )
        if self.zh:
            return head + "，" + "，".join(shares) + "。"
        return head + ": " + "; ".join(shares) + "."

    def appeal_notice(self) -> str:
        judgment = self.draft.kind == DocumentKind.JUDGMENT
        appellate_zh = getattr(settings, "ECOURT_APPELLATE_COURT_NAME_ZH", "") or ""
        appellate_en = getattr(settings, "ECOURT_APPELLATE_COURT_NAME_EN", "") or ""
        word = "判决" if judgment else "裁定"
        days_zh = "十五" if judgment else "十"
        if self.zh:
            court = appellate_zh or "上一级人民法院"
            return (
                f"如不服本{word}，可以在{word}书送达之日起{days_zh}日内，向本院递交上诉状，"
                f"并按照对方当事人或者代表人的人数提出副本，上诉于{court}。"
            )
        court = appellate_en or "the people's court at the next higher level"
        return (
            f"A party who does not accept this {'judgment' if judgment else 'ruling'} may, "
            f"within {15 if judgment else 10} days of its service, lodge a statement of appeal "
            "with this court, with copies for the other parties, to appeal to "
            f"{court}."
        )

    def corrected(self) -> str:
        document = self.draft.corrects
        if document is None:
            raise _Missing(_("Choose the document this ruling corrects."))
        issued = _day(
            document.issued_at.astimezone(get_court_profile().time_zone).date(), self.language
        )
        return self.t(
            f"the {document.title} issued by this court on {issued} in case {self.case.number}",
            f"本院于{issued}作出的{self.case.number}《{document.title}》",
        )

    def judge(self) -> str:
        return self._judge_name()

    def clerk(self) -> str:
        """The clerk of the latest ended hearing; empty when the case was tried only by
        asynchronous trial (no clerk kept a hearing record: the clerk's line is left out)."""
        from ecourt.hearings.models import AsyncTrial, AsyncTrialStatus, Hearing, HearingStatus

        hearing = (
            Hearing.objects.filter(case=self.case, status=HearingStatus.ENDED, clerk__isnull=False)
            .select_related("clerk")
            .order_by("-starts_at")
            .first()
        )
        if hearing is not None and hearing.clerk is not None:
            return hearing.clerk.display_name
        if AsyncTrial.objects.filter(case=self.case, status=AsyncTrialStatus.CLOSED).exists():
            return ""
        raise _Missing(
            _(
                "No clerk took part in an ended hearing of this case, and no asynchronous "
                "trial ended."
            )
        )

    def date(self) -> str:
        return cn_date(self.on) if self.zh else _day(self.on, self.language)

    def slot(self, name: str) -> Callable[[], str] | None:
        return {
            "court": self.court,
            "case_number": self.case_number,
            "title": self.title,
            "parties": self.parties_text,
            "claims": self.claims,
            "procedure": self.procedure,
            "evidence": self.evidence,
            "reasoning": self.reasoning,
            "decision": self.decision,
            "fees": self.fees,
            "appeal_notice": self.appeal_notice,
            "corrected": self.corrected,
            "judge": self.judge,
            "clerk": self.clerk,
            "date": self.date,
        }.get(name)


#: Slots the PDF layout prints itself (heading, signature block): the lines of the template
#: holding only these (and their labels) are left out of the PDF's body.
LAYOUT_SLOTS = ("court", "title", "case_number", "judge", "clerk", "date")
LAYOUT_LABELS = ("审判员", "书记员", "Judge:", "Clerk:")


def _is_layout_line(line: str) -> bool:
    names = slots_in(line)
    if not names or any(name not in LAYOUT_SLOTS for name in names):
        return False
    rest = SLOT_RE.sub("", line)
    for label in LAYOUT_LABELS:
        rest = rest.replace(label, "")
    return not rest.strip(" \t　")


@dataclass(frozen=True)
class Filled:
    """The outcome of filling: the text when every slot filled, else the problems by slot.
    ``pdf_body`` is the text without the heading and signature lines the PDF lays out."""

    text: str | None
    title: str
    problems: list[SlotProblem]
    pdf_body: str = ""
    clerk: str = ""


def decision_fill_check(draft: DecisionDraft, *, on: date | None = None) -> Filled:
    """Fill ``draft``'s template; collect every slot's problem instead of stopping at the
    first (the draft page lists them all)."""
    filler = _Filler(draft, on=on)
    template = template_text(template_name(draft), draft.language)
    values: dict[str, str] = {}
    problems: list[SlotProblem] = []
    for name in slots_in(template):
        method = filler.slot(name)
        if method is None:
            problems.append(
                SlotProblem(
                    name,
                    _("The template refers to {%(slot)s}, which ecourt does not know.")
                    % {"slot": name},
                    "slot_unknown",
                )
            )
            continue
        try:
            values[name] = method()
        except _Missing as missing:
            problems.append(
                SlotProblem(
                    name,
                    _("{%(slot)s}: %(problem)s") % {"slot": name, "problem": missing.message},
                    "slot_missing",
                )
            )
    title = filler.title()
    if problems:
        return Filled(text=None, title=title, problems=problems)

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return values[match.group(1)]

    lines = template.splitlines()
    if values.get("clerk") == "":
        # No clerk (asynchronous trial only): the clerk's signature line is left out.
        lines = [
            line for line in lines if not (_is_layout_line(line) and slots_in(line) == ["clerk"])
        ]
    text_template = "\n".join(lines)
    body_template = "\n".join(line for line in lines if not _is_layout_line(line))
    return Filled(
        text=SLOT_RE.sub(replace, text_template).strip() + "\n",
        title=title,
        problems=[],
        pdf_body=SLOT_RE.sub(replace, body_template).strip(),
        clerk=values.get("clerk", ""),
    )


def decision_fill(draft: DecisionDraft, *, on: date | None = None) -> Filled:
    """The filled document, or the first slot's problem as a ``DomainError``."""
    filled = decision_fill_check(draft, on=on)
    if filled.problems:
        raise filled.problems[0].error()
    assert filled.text is not None
    return filled
