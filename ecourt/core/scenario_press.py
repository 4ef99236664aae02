"""The press-2018 scenario: a court whose figures on 2018-10-31 are the reference court's.

At its press conference the reference internet court reported, for 2018-09-09 (launch) to
2018-10-31: 3.81 million visits, 2,880 registered users, 5,497 lawsuit applications, of which
1,938 went into pre-filing mediation, 777 were filed and 373 closed; 2,980 applications (54%)
concerned copyright. ``ecourt demo --scenario press-2018 [--scale N]`` builds such a court, N
times over, through the same service functions people and staff use: sign-up with the code
texted to the phone, real-name verification, acceptance of the terms, the filing wizard,
payment, review, corrections, refusals, withdrawals, diversion to mediation (the plaintiff's
preference or the clerk's proposal), settlement signed by both sides with their codes, failed
mediation going back to review, docketing and closing. Each person's steps run on their own
dates: the clock is moved (time-machine) to every event, and the events of all applications run
in date order, so serial numbers follow the calendar.

What is not from the services: the scenario's staff accounts (the court administrator makes
those), the 2018 version of the terms (the court publishes its terms), and the visits, loaded as
daily aggregates exactly as the visit counter stores them. Messages the services queue (codes,
notices) are marked failed with the reason "historical scenario", so nothing is sent.
"""

# A reproducible scenario: seeded random numbers, nothing secret.
# ruff: noqa: S311

from __future__ import annotations

import heapq
import random
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter
from typing import TYPE_CHECKING, Any, TextIO
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

if TYPE_CHECKING:
    from ecourt.accounts.models import User

START = date(2018, 9, 9)
END = date(2018, 10, 31)
TZ = ZoneInfo("Asia/Shanghai")
#: The last instant of the scenario: the court as it stood when the press figures were taken.
END_AT = datetime.combine(END, time(23, 59, 59), tzinfo=TZ)
MOBILE_PREFIX = "+86137"
STAFF_MOBILE_PREFIX = "+8613600"
TERMS_VERSION = "2018-09"
NOT_SENT = "historical scenario: not sent"


class ScenarioUnavailable(RuntimeError):
    """What the scenario needs is not installed."""


@dataclass(frozen=True)
class Figures:
    """What the court reported, per unit of scale."""

    visits: int = 3_810_000
    registered_users: int = 2_880
    applications: int = 5_497
    diverted_to_adr: int = 1_938
    filed: int = 777
    closed: int = 373
    copyright: int = 2_980

    def times(self, scale: int) -> Figures:
        return Figures(*(getattr(self, f) * scale for f in self.__dataclass_fields__))


PRESS = Figures()

#: Applications per case type at scale 1 (copyright: the reported 2,980; the rest in the
#: proportions internet courts report for their other types).
CASE_TYPE_MIX: dict[str, int] = {
    "online_copyright_infringement": 2_980,
    "online_shopping_contract": 1_050,
    "online_loan_contract": 520,
    "online_service_contract": 420,
    "online_personal_property_infringement": 260,
    "online_product_liability": 180,
    "internet_administrative": 47,
    "domain_name": 40,
}

#: What happens to each application by 2018-10-31, at scale 1. Diverted: 620 + 420 + 200 + 80
#: + 180 + 438 = 1,938. Filed: 420 + 357 = 777. Closed: 170 + 150 + 53 = 373 of the filed.
FATES: dict[str, int] = {
    "adr_settled": 620,
    "adr_failed_docketed": 420,
    "adr_failed_pending": 200,
    "adr_failed_refused": 80,
    "adr_withdrawn": 180,
    "adr_open": 438,
    "docketed": 357,
    "refused": 700,
    "withdrawn": 500,
    "corrections": 1_200,
    "pending": 802,
}
#: Of the 777 filed cases, how many closed by 2018-10-31 and how.
CLOSINGS: dict[str, int] = {"withdrawal": 170, "mediation": 150, "dismissal": 53}
#: Applications started and never submitted (not counted as applications).
DRAFTS = 250
#: Of the registered users, how many file (the rest register as defendants or just look).
APPLICANTS = 2_200
#: Share of diversions the plaintiff asked for when filing (the rest: the clerk proposed).
PREFERENCE_SHARE = 1_400 / 1_938

#: Page groups and their shares of page views (as the visit counter groups pages).
VISIT_GROUPS: dict[str, int] = {
    "home": 31,
    "filing": 19,
    "cases": 14,
    "accounts": 10,
    "mediation": 8,
    "delivery": 6,
    "evidence": 5,
    "hearings": 4,
    "stats": 3,
}

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅鹏飞宇浩然欣怡子涵博文"
_COMPANY_WORDS = [
    "网络科技",
    "信息技术",
    "文化传媒",
    "电子商务",
    "数字科技",
    "互联网服务",
    "金融信息",
]
_CITIES = ["北京", "上海", "杭州", "深圳", "广州", "成都", "南京", "武汉"]
_CODE = re.compile(r"(\d{6})")


def build(
    *, scale: int = 1, seed: int = 2018, out: TextIO | None = None, chunk: int = 200
) -> Figures:
    """Build the scenario ``scale`` times over; returns the figures it was built to show."""
    return _Builder(scale=scale, seed=seed, out=out or sys.stderr, chunk=chunk).run()


def is_loaded() -> bool:
    """Whether this database has the scenario already (its 2018 terms are its mark)."""
    from ecourt.accounts.models import TermsVersion

    return TermsVersion.objects.filter(version=TERMS_VERSION).exists()


# --- the plan ------------------------------------------------------------------------------


@dataclass
class PlannedApplication:
    index: int
    applicant: int
    case_type: str
    fate: str  # a FATES key or "draft"
    submitted_at: datetime
    closing: str = ""  # a CLOSINGS key when the docketed case closes by the end
    route: str = ""  # preference | proposal, for diverted fates


@dataclass
class Plan:
    users: int
    applications: list[PlannedApplication] = field(default_factory=list)


def _day_weights(rng: random.Random) -> list[float]:
    """A launch peak, growth after it, fewer filings at weekends and in the October holiday."""
    weights = []
    for i in range((END - START).days + 1):
        day = START + timedelta(days=i)
        w = 1.0 + i / 40
        if i < 3:
            w *= 2.2  # launch publicity
        if day.weekday() >= 5:
            w *= 0.45
        if date(2018, 10, 1) <= day <= date(2018, 10, 7):
            w *= 0.35  # National Day holiday
        weights.append(w * rng.uniform(0.9, 1.1))
    return weights


def _moment(rng: random.Random, day: date) -> datetime:
    minute = int(rng.triangular(7 * 60, 23 * 60, 14 * 60))
    return datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=TZ)


def plan(*, scale: int, seed: int) -> Plan:
    """Decide, reproducibly, who files what, when, and what becomes of it."""
    rng = random.Random(seed)
    total = PRESS.applications * scale
    weights = _day_weights(rng)
    days = [START + timedelta(days=i) for i in range(len(weights))]
    times = sorted(_moment(rng, d) for d in rng.choices(days, weights=weights, k=total))
    # The latest fifth of the period cannot finish long chains; the earliest can.
    fates = [f for f, n in FATES.items() for _ in range(n * scale)]
    late = {"pending", "adr_open", "adr_failed_pending", "corrections"}
    long_chain = {"adr_settled", "adr_failed_docketed", "docketed", "adr_failed_refused"}
    late_fates = [f for f in fates if f in late]
    long_fates = [f for f in fates if f in long_chain]
    other = [f for f in fates if f not in late and f not in long_chain]
    rng.shuffle(late_fates)
    rng.shuffle(long_fates)
    # Mix so that the head is mostly long chains and the tail mostly late ones, not strictly.
    head = long_fates + other[: len(other) // 2]
    tail = other[len(other) // 2 :] + late_fates
    rng.shuffle(head)
    head_sorted = sorted(head, key=lambda f: (f not in long_chain, rng.random()))
    tail_sorted = sorted(tail, key=lambda f: (f in late, rng.random()))
    ordered = head_sorted + tail_sorted
    types = [t for t, n in CASE_TYPE_MIX.items() for _ in range(n * scale)]
    rng.shuffle(types)
    applicants = APPLICANTS * scale
    # Everyone files once; some (agencies, repeat sellers) file many more.
    owners = list(range(applicants))
    extra = total + DRAFTS * scale - applicants
    owners += rng.choices(
        range(applicants), weights=[1 / (i % 97 + 1) for i in range(applicants)], k=extra
    )
    rng.shuffle(owners)
    result = Plan(users=PRESS.registered_users * scale)
    # Cases that close by the end: the earliest-docketed ones.
    docketed_indexes = [
        i for i, f in enumerate(ordered) if f in ("docketed", "adr_failed_docketed")
    ]
    closings = [c for c, n in CLOSINGS.items() for _ in range(n * scale)]
    rng.shuffle(closings)
    closing_of = dict(zip(docketed_indexes, closings, strict=False))
    for i, (at, fate, case_type) in enumerate(zip(times, ordered, types, strict=True)):
        route = ""
        if fate.startswith("adr_"):
            route = "preference" if rng.random() < PREFERENCE_SHARE else "proposal"
        result.applications.append(
            PlannedApplication(
                index=i,
                applicant=owners[i],
                case_type=case_type,
                fate=fate,
                submitted_at=at,
                closing=closing_of.get(i, ""),
                route=route,
            )
        )
    for j in range(DRAFTS * scale):
        day = rng.choices(days, weights=weights)[0]
        result.applications.append(
            PlannedApplication(
                index=total + j,
                applicant=owners[total + j],
                case_type=rng.choice(list(CASE_TYPE_MIX)),
                fate="draft",
                submitted_at=_moment(rng, day),
            )
        )
    return result


# --- people -------------------------------------------------------------------------------


def _mobile(i: int) -> str:
    return f"{MOBILE_PREFIX}{i:08d}"


def _person(i: int) -> tuple[str, str, date]:
    """A name, a checksum-valid resident ID (Beijing Dongcheng) and birth date for user i."""
    birth = date(1965, 1, 1) + timedelta(days=i // 900)
    body = f"110101{birth:%Y%m%d}{100 + i % 900:03d}"
    number = body + ric.calc_check_digit(body + "0")
    name = (
        _SURNAMES[i % len(_SURNAMES)]
        + _GIVEN[(i // 7) % len(_GIVEN)]
        + _GIVEN[(i // 3) % len(_GIVEN)]
    )
    return name, number, birth


def _company(i: int) -> tuple[str, str]:
    city = _CITIES[i % len(_CITIES)]
    word = _COMPANY_WORDS[(i // 8) % len(_COMPANY_WORDS)]
    name = f"{city}{_SURNAMES[(i // 3) % len(_SURNAMES)]}{_GIVEN[i % len(_GIVEN)]}{word}有限公司"
    body = f"9111{i % 10000:04d}MA{(i // 10000) % 100:02d}{'ABCDEFGH'[i % 8]}{i % 1000:03d}X"
    body = body[:17]
    return name, body + uscc.calc_check_digit(body)


def _claims(rng: random.Random, case_type: str) -> list[tuple[str, Decimal | None]]:
    low, high = {
        "online_copyright_infringement": (2_000, 100_000),
        "online_shopping_contract": (200, 20_000),
        "online_loan_contract": (5_000, 200_000),
        "online_service_contract": (500, 50_000),
        "online_personal_property_infringement": (1_000, 30_000),
        "online_product_liability": (1_000, 80_000),
        "domain_name": (0, 0),
        "internet_administrative": (0, 0),
    }[case_type]
    claims: list[tuple[str, Decimal | None]] = []
    if high:
        amount = Decimal(round(rng.uniform(low, high), -2 if high > 10_000 else 0))
        claims.append((f"判令被告支付/赔偿 {amount:,.0f} 元", amount))
    if case_type == "online_copyright_infringement":
        claims.append(("判令被告停止侵权并删除涉案作品", None))
    elif case_type == "domain_name":
        claims.append(("判令被告停止使用并注销涉案域名", None))
    elif case_type == "internet_administrative":
        claims.append(("请求撤销被告作出的行政处罚决定", None))
    if rng.random() < 0.4:
        claims.append(("判令被告承担本案诉讼费用", None))
    return claims


# --- the builder --------------------------------------------------------------------------


class _Builder:
    def __init__(self, *, scale: int, seed: int, out: TextIO, chunk: int) -> None:
        self.scale, self.seed, self.out, self.chunk = scale, seed, out, chunk
        self.rng = random.Random(seed + 1)
        self.users: dict[int, User] = {}
        self.defendant_next = APPLICANTS * scale
        self._applications_done = 0
        self._registered = 0
        self._forget_tasks: Callable[[], None] = lambda: None
        # Messages up to this id were silenced; the code just texted is always newer. Reading
        # only past it keeps the look-up to the current chunk's messages (``to`` has no index,
        # and at scale 100 a scan of every message per sign-up would make the build quadratic).
        self._message_floor = 0
        self._delivery_floor = 0

    # Events run in date order across all applications: a heap of (time, seq, steps).
    def run(self) -> Figures:
        try:
            import time_machine
        except ImportError as exc:  # a development dependency (make run installs it)
            raise ScenarioUnavailable(
                "The scenario moves the clock with time-machine: pip install time-machine "
                "(make run installs it)."
            ) from exc

        if self.scale < 1:
            raise ValueError("scale must be at least 1")
        the_plan = plan(scale=self.scale, seed=self.seed)
        with _tasks_not_queued() as self._forget_tasks:
            return self._run(the_plan, time_machine)

    def _run(self, the_plan: Plan, time_machine: Any) -> Figures:
        from ecourt.accounts.models import User

        traveller = time_machine.travel(datetime.combine(START, time(6), tzinfo=TZ), tick=False)
        clock = traveller.start()
        try:
            with transaction.atomic():
                self._staff()
                self._terms()
            heap: list[tuple[datetime, int, Iterator[datetime]]] = []
            seq = 0
            first_filing: dict[int, datetime] = {}
            for app in the_plan.applications:
                first_filing[app.applicant] = min(
                    first_filing.get(app.applicant, app.submitted_at), app.submitted_at
                )
            opening = datetime.combine(START, time(6, 30), tzinfo=TZ)
            for applicant, at in first_filing.items():
                reg = at - timedelta(minutes=self.rng.randint(30, 3 * 24 * 60))
                if reg < opening:
                    # Filing on the launch days: signed up some time that morning, not all at
                    # the same second when the platform opened.
                    room = max(at - timedelta(minutes=25) - opening, timedelta(0))
                    reg = opening + room * self.rng.random()
                reg = min(reg, at - timedelta(minutes=25))  # before the first draft
                heap.append((reg, seq, self._register_steps(applicant, reg)))
                seq += 1
            for app in the_plan.applications:
                steps = self._application_steps(app)
                heap.append((app.submitted_at - timedelta(minutes=20), seq, steps))
                seq += 1
            heapq.heapify(heap)
            # Sign-ups come first on the launch days: the bar counts both, or its share and
            # estimate would stand still for the first quarter of the build.
            progress = _Progress(
                self.out,
                total=len(first_filing) + PRESS.applications * self.scale,
                label="sign-ups and applications submitted",
            )
            while heap:
                with transaction.atomic():
                    for _ in range(self.chunk):
                        if not heap:
                            break
                        at, _seq, steps = heapq.heappop(heap)
                        clock.move_to(at)
                        try:
                            following = next(steps)
                        except StopIteration:
                            continue
                        if following > END_AT:
                            raise AssertionError(f"a step was planned after the end: {following}")
                        heapq.heappush(heap, (max(following, at), seq, steps))
                        seq += 1
                    self._silence_messages()
                self._forget_tasks()
                progress.show(self._registered + self._applications_done)
            progress.done()
            # Registered users who only signed up, spread over the period, up to the figure.
            registered = User.objects.filter(mobile__startswith=MOBILE_PREFIX).count()
            missing = the_plan.users - registered
            self._register_lookers(clock, missing)
            self._visits()
        finally:
            traveller.stop()
        return PRESS.times(self.scale)

    def _staff(self) -> None:
        from ecourt.accounts.models import User
        from ecourt.accounts.roles import Role
        from ecourt.accounts.services.roles import role_grant
        from ecourt.mediation import services as mediation
        from ecourt.mediation.models import OrganisationKind

        def staff(i: int, name: str, role: str | None) -> User:
            return User.objects.create_user(
                mobile=f"{STAFF_MOBILE_PREFIX}{i:05d}",
                password=None,
                display_name=name,
                preferred_language="zh-hans",
                mobile_verified_at=timezone.now(),
                identity_verified_at=timezone.now(),
            )

        admin = staff(1, "2018 管理员", None)
        from ecourt.accounts.models import RoleGrant

        RoleGrant.objects.create(user=admin, role=Role.COURT_ADMIN)
        self.admin = admin
        self.clerks = []
        for i in range(3 * self.scale):
            user = staff(10_000 + i, f"立案庭书记员{i + 1}", None)
            role_grant(actor=admin, user_id=user.pk, role=Role.FILING_CLERK)
            self.clerks.append(user)
        self.judges = []
        for i in range(6 * self.scale):
            user = staff(20_000 + i, f"法官{i + 1}", None)
            role_grant(actor=admin, user_id=user.pk, role=Role.JUDGE)
            self.judges.append(user)
        centre = mediation.organisation_register(
            actor=admin,
            name_zh="北京互联网纠纷人民调解委员会",
            name_en="Beijing Internet Dispute People's Mediation Committee",
            kind=OrganisationKind.MEDIATION_CENTRE,
        )
        self.mediators = []
        for i in range(12 * self.scale):
            user = staff(30_000 + i, f"特邀调解员{i + 1}", None)
            role_grant(actor=admin, user_id=user.pk, role=Role.MEDIATOR)
            mediation.mediator_register(
                actor=admin,
                user_id=user.pk,
                organisation_id=centre.pk,
                specialties=list(CASE_TYPE_MIX),
                languages=["zh-hans"],
                capacity=500,
            )
            self.mediators.append(user)

    def _terms(self) -> None:
        from ecourt.accounts.models import TermsVersion

        TermsVersion.objects.get_or_create(
            version=TERMS_VERSION,
            defaults={
                "title_en": "Online litigation terms (2018)",
                "title_zh": "在线诉讼须知（2018年版）",
                "body_en": "The terms under which the court heard cases online from its launch "
                "on 9 September 2018.",
                "body_zh": "本院自2018年9月9日上线起适用的在线诉讼须知。",
                "effective_from": datetime.combine(START, time(0), tzinfo=TZ),
            },
        )

    def _silence_messages(self) -> None:
        """Nothing the historical court queued goes out now: texts, emails and deliveries of
        documents (to numbers that may be real) are marked failed, in the transaction that
        made them, so the worker's tasks and sweeps find nothing to send."""
        from ecourt.core.models import OutboundMessage
        from ecourt.delivery.models import Delivery, DeliveryStatus

        # Only rows made since the last call can be queued (every earlier one was marked):
        # reading past the last ids keeps each call to one chunk's rows, not the whole table.
        OutboundMessage.objects.filter(
            pk__gt=self._message_floor,
            status=OutboundMessage.Status.QUEUED,
            created_at__lte=END_AT,
        ).update(status=OutboundMessage.Status.FAILED, last_error=NOT_SENT, body="")
        Delivery.objects.filter(
            pk__gt=self._delivery_floor, status=DeliveryStatus.QUEUED, created_at__lte=END_AT
        ).update(status=DeliveryStatus.FAILED, last_error=NOT_SENT, next_attempt_at=None)
        newest = OutboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
        self._message_floor = newest or 0
        newest = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first()
        self._delivery_floor = newest or 0

    # --- steps -------------------------------------------------------------------------

    def _sign_up(self, i: int) -> User:
        from ecourt.accounts.models import IdentityDocumentType
        from ecourt.accounts.selectors import terms_current
        from ecourt.accounts.services.consent import consent_accept
        from ecourt.accounts.services.identity import identity_submit
        from ecourt.accounts.services.people import registration_start, user_register
        from ecourt.core.models import OutboundMessage

        mobile = _mobile(i)
        registration_start(mobile=mobile, language="zh-hans")
        body = (
            OutboundMessage.objects.filter(pk__gt=self._message_floor, to=mobile)
            .order_by("-pk")
            .values_list("body", flat=True)
        )[0]
        found = _CODE.search(body)
        assert found, "the sign-up text carries the code"
        name, number, _birth = _person(i)
        user = user_register(
            mobile=mobile,
            display_name=name,
            preferred_language="zh-hans",
            code=found.group(1),
            password_hash="!scenario",  # unusable: nobody signs in as a scenario person
        )
        identity_submit(
            actor=user,
            document_type=IdentityDocumentType.RESIDENT_ID,
            legal_name=name,
            document_number=number,
            birth_date=None,
            document_image=None,
        )
        terms = terms_current()
        assert terms is not None
        user.refresh_from_db()
        consent_accept(actor=user, terms_id=terms.pk)
        self.users[i] = user
        return user

    def _register_steps(self, i: int, at: datetime) -> Iterator[datetime]:
        self._sign_up(i)
        self._registered += 1
        return
        yield at  # pragma: no cover - makes this a generator

    def _register_lookers(self, clock: Any, missing: int) -> None:
        rng = random.Random(self.seed + 2)
        weights = _day_weights(rng)
        days = [START + timedelta(days=i) for i in range(len(weights))]
        moments = sorted(_moment(rng, d) for d in rng.choices(days, weights=weights, k=missing))
        start = 0
        from ecourt.accounts.models import User

        first_free = User.objects.filter(mobile__startswith=MOBILE_PREFIX).count() + 10**6
        progress = _Progress(self.out, total=len(moments), label="sign-ups of people who only look")
        while start < len(moments):
            with transaction.atomic():
                for k in range(start, min(start + self.chunk, len(moments))):
                    clock.move_to(moments[k])
                    self._sign_up(first_free + k)
                self._silence_messages()
            self._forget_tasks()
            start += self.chunk
            progress.show(min(start, len(moments)))
        progress.done()

    def _application_steps(self, app: PlannedApplication) -> Iterator[datetime]:
        from ecourt.cases import services as cases
        from ecourt.cases.models import FilingCapacity, PartyKind, PartySide
        from ecourt.mediation import services as mediation
        from ecourt.mediation.models import Mediation

        rng = random.Random(self.seed * 1_000_003 + app.index)
        user = self.users[app.applicant]
        draft = cases.application_create(actor=user, capacity=FilingCapacity.SELF)
        pk = draft.pk
        cases.application_set_case_type(actor=user, application_id=pk, code=app.case_type)
        person_defendant = app.fate == "adr_settled"
        if person_defendant:
            d_index = self.defendant_next
            self.defendant_next += 1
            d_name, d_number, _ = _person(d_index)
            cases.party_add(
                actor=user,
                application_id=pk,
                side=PartySide.DEFENDANT,
                kind=PartyKind.PERSON,
                name=d_name,
                id_number=d_number,
                mobile=_mobile(d_index),
            )
        else:
            company = rng.randrange(40_000)
            c_name, c_uscc = _company(company)
            cases.party_add(
                actor=user,
                application_id=pk,
                side=PartySide.DEFENDANT,
                kind=PartyKind.COMPANY,
                name=c_name,
                id_number=c_uscc,
                legal_representative=_person(rng.randrange(10**6))[0],
                mobile=f"+86135{company:08d}",  # the company's contact line; no account
            )
        for text, amount in _claims(rng, app.case_type):
            cases.claim_add(
                actor=user,
                application_id=pk,
                text=text,
                amount=str(amount) if amount is not None else None,
            )
        if app.fate == "draft":
            return
        cases.application_set_facts(
            actor=user,
            application_id=pk,
            facts="原告与被告因网络纠纷产生争议，事实与理由详见证据清单。",
        )
        cases.evidence_listing_add(
            actor=user,
            application_id=pk,
            title="网页截图及公证书",
            form="web_page",
            purpose="证明被告的侵权或违约事实",
        )
        cases.application_confirm_delivery(
            actor=user,
            application_id=pk,
            mobile=user.mobile,
            email="",
            electronic_service_consent=True,
            confirmed=True,
        )
        if app.route == "preference":
            cases.application_set_preferences(
                actor=user, application_id=pk, adr_preference=True, simplified_procedure=False
            )
        yield app.submitted_at
        cases.application_submit(actor=user, application_id=pk)
        self._applications_done += 1
        clerk = self.clerks[app.index % len(self.clerks)]
        at = app.submitted_at
        fate = app.fate
        if fate.startswith("adr_") and app.route == "proposal":
            at = _later(at, timedelta(hours=rng.randint(2, 30)))
            yield at
            cases.filing_review_start(actor=clerk, application_id=pk)
            proposal = mediation.diversion_propose(
                actor=clerk, application_id=pk, note="适宜诉前调解 / Suitable for mediation"
            )
            at = _later(at, timedelta(hours=rng.randint(2, 40)))
            yield at
            mediation.diversion_answer(actor=user, proposal_id=proposal.pk, accept=True)
        if fate.startswith("adr_"):
            med = Mediation.objects.get(application_id=pk)
            mediator = med.mediator
            if fate == "adr_open" and rng.random() < 0.5:
                return
            if mediator is not None:
                at = _later(at, timedelta(hours=rng.randint(2, 48)))
                yield at
                if Mediation.objects.get(pk=med.pk).status == "assigned":
                    mediation.mediation_accept(actor=mediator.user, mediation_id=med.pk)
            if fate == "adr_open":
                return
            at = _later(at, timedelta(days=rng.randint(3, 12)))
            yield at
            if fate == "adr_withdrawn":
                mediation.mediation_withdraw(actor=user, mediation_id=med.pk)
                return
            if fate == "adr_settled":
                yield from self._settle(med.pk, user, at, rng)
                return
            mediator = Mediation.objects.select_related("mediator__user").get(pk=med.pk).mediator
            assert mediator is not None
            mediation.mediation_end_without_agreement(
                actor=mediator.user, mediation_id=med.pk, reason="双方分歧较大，调解不成"
            )
            if fate == "adr_failed_pending":
                return
            at = _later(at, timedelta(hours=rng.randint(4, 60)))
            yield at
            if fate == "adr_failed_refused":
                cases.filing_review_start(actor=clerk, application_id=pk)
                cases.filing_refuse(
                    actor=clerk, application_id=pk, reason="原告未能提供被告的有效身份信息。"
                )
                return
            yield from self._docket(app, pk, user, clerk, at, rng)
            return
        if fate == "pending":
            if rng.random() < 0.5:
                yield _later(at, timedelta(hours=rng.randint(1, 20)))
                cases.filing_review_start(actor=clerk, application_id=pk)
            return
        at = _later(at, timedelta(hours=rng.randint(2, 72)))
        yield at
        if fate == "withdrawn":
            cases.application_withdraw(actor=user, application_id=pk)
            return
        cases.filing_review_start(actor=clerk, application_id=pk)
        if fate == "refused":
            cases.filing_refuse(
                actor=clerk,
                application_id=pk,
                reason=rng.choice(
                    [
                        "本案不属于本院管辖范围内的互联网案件。",
                        "起诉不符合法定条件：没有明确的被告及其住所。",
                        "原告就同一纠纷已向本院起诉，构成重复起诉。",
                    ]
                ),
            )
            return
        if fate == "corrections":
            cases.filing_request_corrections(
                actor=clerk,
                application_id=pk,
                items=["请补充被告的准确名称和统一社会信用代码", "请补充权利证明"],
                due=timezone.localdate() + timedelta(days=15),
            )
            return
        yield from self._docket(app, pk, user, clerk, at, rng)

    def _docket(
        self,
        app: PlannedApplication,
        pk: int,
        user: User,
        clerk: User,
        at: datetime,
        rng: random.Random,
    ) -> Iterator[datetime]:
        from ecourt.cases import services as cases
        from ecourt.cases.models import Application

        application = Application.objects.get(pk=pk)
        if application.status != "under_review":
            cases.filing_review_start(actor=clerk, application_id=pk)
        payment = cases.payment_start(actor=user, application_id=pk)
        at = _later(at, timedelta(hours=rng.randint(1, 30)))
        yield at
        cases.payment_confirm(
            actor=clerk, payment_id=payment.pk, record=f"银行转账 {payment.reference}"
        )
        at = _later(at, timedelta(hours=rng.randint(1, 24)))
        yield at
        judge = self.judges[app.index % len(self.judges)]
        case = cases.filing_accept(actor=clerk, application_id=pk, judge_id=judge.pk)
        if not app.closing:
            return
        room = (END_AT - at).total_seconds()
        yield _later(at, timedelta(seconds=rng.uniform(0.2, 0.95) * room))
        cases.case_close(actor=judge, case_id=case.pk, mode=app.closing)

    def _settle(
        self, mediation_id: int, plaintiff: User, at: datetime, rng: random.Random
    ) -> Iterator[datetime]:
        from ecourt.cases.services.filing import association_code_issue
        from ecourt.core.models import OutboundMessage
        from ecourt.mediation import services as mediation
        from ecourt.mediation.models import Mediation

        med = Mediation.objects.select_related("application").get(pk=mediation_id)
        defendant = med.application.parties.get(side="defendant")
        d_index = int(defendant.mobile[len(MOBILE_PREFIX) :])
        d_user = self._sign_up(d_index)
        mediation.mediation_link(
            actor=d_user, number=med.number, code=association_code_issue(defendant)
        )
        at = _later(at, timedelta(days=rng.randint(1, 6)))
        yield at
        mediator = Mediation.objects.select_related("mediator__user").get(pk=mediation_id).mediator
        assert mediator is not None
        agreement = mediation.agreement_draft(
            actor=mediator.user,
            mediation_id=mediation_id,
            terms=f"被告于三十日内向原告支付{rng.randint(5, 200) * 100}元，"
            "双方就本纠纷再无其他争议。",
        )
        at = _later(at, timedelta(hours=rng.randint(2, 48)))
        yield at
        for person in (plaintiff, d_user):
            mediation.agreement_code_send(actor=person, agreement_id=agreement.pk)
            body = (
                OutboundMessage.objects.filter(pk__gt=self._message_floor, to=person.mobile)
                .order_by("-pk")
                .values_list("body", flat=True)[0]
            )
            found = _CODE.search(body)
            assert found
            mediation.agreement_sign(
                actor=person,
                agreement_id=agreement.pk,
                text_sha256=agreement.text_sha256,
                code=found.group(1),
            )

    # --- visits --------------------------------------------------------------------------

    def _visits(self) -> None:
        from ecourt.stats.models import VisitDay

        rng = random.Random(self.seed + 3)
        weights = _day_weights(rng)
        total = PRESS.visits * self.scale
        per_day = _apportion(total, weights)
        rows = []
        for i, views in enumerate(per_day):
            day = START + timedelta(days=i)
            for group, views_in_group in zip(
                VISIT_GROUPS, _apportion(views, list(VISIT_GROUPS.values())), strict=True
            ):
                rows.append(VisitDay(day=day, page_group=group, views=views_in_group))
        VisitDay.objects.bulk_create(rows)


@contextmanager
def _tasks_not_queued() -> Iterator[Callable[[], None]]:
    """Build with a tasks backend that queues nothing, and yield what empties it.

    The historical court's texts and deliveries are marked failed as they are made; queueing a
    task for each would leave the worker some 24,000 tasks per unit of scale (2.4 million at
    100) that find nothing to do, in front of the real court's first text. The services enqueue
    after commit, inside this block, so every one of theirs lands here and is forgotten.
    """
    from django.test.utils import override_settings
    from django_tasks import task_backends

    quiet = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
    }
    with override_settings(TASKS=quiet):
        backend = task_backends["default"]
        yield backend.clear  # type: ignore[attr-defined]


def _later(at: datetime, wait: timedelta) -> datetime:
    """``at`` plus ``wait``, or, when that would pass the end of the scenario, halfway to the
    end: every planned step of a fate happens by 2018-10-31, however late its chain started."""
    if at + wait <= END_AT:
        return at + wait
    return at + (END_AT - at) / 2


def _apportion(total: int, weights: list[float] | list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainders)."""
    whole = float(sum(weights))
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    short = total - sum(parts)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[:short]:
        parts[i] += 1
    return parts


class _Progress:
    def __init__(self, out: TextIO, *, total: int, label: str) -> None:
        self.out, self.total, self.label = out, total, label
        self.started = perf_counter()  # time-machine moves the wall clock, not this

    def show(self, done: int) -> None:
        share = done / self.total if self.total else 1.0
        bar = "#" * int(share * 30)
        elapsed = perf_counter() - self.started
        eta = elapsed / share - elapsed if share else 0
        self.out.write(
            f"\r  [{bar:<30}] {share:6.1%} {done:,}/{self.total:,} {self.label}"
            f"  {elapsed:,.0f}s elapsed, ~{eta:,.0f}s to go "
        )
        self.out.flush()

    def done(self) -> None:
        self.out.write("\n")
        self.out.flush()
