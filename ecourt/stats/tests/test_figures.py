"""Each public figure's definition (docs/statistics.md), pinned on small courts built by hand
through the services, with every event put on a chosen court day by time_machine.

Personas: Alice files for herself; Bob represents Beta Tech; Carol is a lawyer; Clerk Deng
reviews and dockets; Judge Wang closes; Mediator Zhou mediates; Admin Zhao publishes the
catalogue. The court's time zone is Asia/Shanghai (UTC+8), so 23:30 there is 15:30 UTC the same
day and 00:10 there is 16:10 UTC the day before: the tests that put events on either side of
midnight catch any figure that cuts days in UTC.

The terms of online litigation ship in force from 2021-08-01 and nobody may file without
accepting them, so these courts live in 2025 (the persona fixtures are made at the real "now",
outside every period below).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.accounts.services.people import registration_start, user_register
from ecourt.accounts.tests.factories import VerifiedUserFactory
from ecourt.cases import services as case_services
from ecourt.cases.models import ApplicationStatus, CaseStatus, ClosingMode
from ecourt.cases.rules.jurisdiction import SPC_2018_BASIS, SPC_2018_LIST
from ecourt.cases.services.catalogue import catalogue_publish
from ecourt.cases.tests.factories import (
    consent,
    docketed_case,
    draft_application,
    paid,
    submitted_application,
)
from ecourt.conftest import code_sent_to
from ecourt.core.errors import DomainError
from ecourt.mediation import services as mediation_services
from ecourt.mediation.models import MediationStatus
from ecourt.mediation.tests.factories import diverted_application, mediation_of
from ecourt.mediation.tests.test_services_outcomes import confirmed_case, settled
from ecourt.stats import selectors
from ecourt.stats.models import VisitDay
from ecourt.stats.selectors import Period, WeekCount

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
COPYRIGHT = "online_copyright_infringement"
SHOPPING = "online_shopping_contract"
DOMAIN = "domain_name"

OCT_31 = Period(date(2025, 10, 31), date(2025, 10, 31))
NOV_1 = Period(date(2025, 11, 1), date(2025, 11, 1))
OCTOBER = Period(date(2025, 10, 1), date(2025, 10, 31))
NOVEMBER = Period(date(2025, 11, 1), date(2025, 11, 30))
AUTUMN = Period(date(2025, 9, 1), date(2025, 12, 31))


def at(time_machine: Any, month: int, day: int, hour: int = 10, minute: int = 0) -> None:
    """Freeze the clock at a Beijing time of 2025."""
    time_machine.move_to(datetime(2025, month, day, hour, minute, tzinfo=SHANGHAI), tick=False)


def figures(period: Period) -> dict[str, Any]:
    """The counted figures of ``summary`` (not its period, case types or generation time)."""
    s = selectors.summary(period)
    return {
        "applications": s.applications,
        "diverted_to_adr": s.diverted_to_adr,
        "filed": s.filed,
        "closed": s.closed,
    }


def counts(applications: int = 0, diverted: int = 0, filed: int = 0, closed: int = 0) -> dict:
    return {
        "applications": applications,
        "diverted_to_adr": diverted,
        "filed": filed,
        "closed": closed,
    }


# --- Applications -------------------------------------------------------------------------------


def test_a_draft_never_submitted_is_not_an_application(alice: User, time_machine: Any) -> None:
    at(time_machine, 10, 31)
    draft = draft_application(alice)  # complete, but never sent
    assert draft.status == ApplicationStatus.DRAFT
    assert figures(AUTUMN) == counts()
    assert not selectors.applications_in(AUTUMN).exists()


def test_it_counts_an_application_on_the_court_day_of_its_first_submission(
    alice: User, bob: User, time_machine: Any
) -> None:
    at(time_machine, 10, 31, 23, 30)  # 15:30 UTC, still 31 October in Beijing
    late = submitted_application(alice)
    at(time_machine, 11, 1, 0, 10)  # 16:10 UTC on 31 October, but 1 November in Beijing
    early = submitted_application(bob)

    assert list(selectors.applications_in(OCT_31)) == [late]
    assert list(selectors.applications_in(NOV_1)) == [early]
    assert selectors.summary(OCT_31).applications == 1
    assert selectors.summary(NOV_1).applications == 1
    assert selectors.summary(Period(OCT_31.start, NOV_1.end)).applications == 2


def test_a_resubmission_after_corrections_neither_counts_again_nor_moves_it(
    alice: User, clerk: User, time_machine: Any
) -> None:
    at(time_machine, 10, 31, 23, 30)
    application = submitted_application(alice)
    at(time_machine, 11, 3)
    case_services.filing_request_corrections(
        actor=clerk,
        application_id=application.pk,
        items=["Attach the screenshots you list as evidence."],
        due=date(2025, 11, 10),
    )
    at(time_machine, 11, 5)
    resubmitted = case_services.application_submit(actor=alice, application_id=application.pk)
    assert resubmitted.status == ApplicationStatus.UNDER_REVIEW
    assert resubmitted.received_on == date(2025, 11, 5)  # the review period did restart

    assert selectors.summary(OCTOBER).applications == 1
    assert selectors.summary(NOVEMBER).applications == 0
    assert selectors.summary(AUTUMN).applications == 1


def test_a_refused_application_is_an_application_but_not_filed(
    alice: User, clerk: User, time_machine: Any
) -> None:
    at(time_machine, 10, 30)
    application = submitted_application(alice)
    at(time_machine, 10, 31)
    case_services.filing_refuse(
        actor=clerk,
        application_id=application.pk,
        reason="The defendant is domiciled abroad; this court lacks jurisdiction.",
    )
    assert figures(OCTOBER) == counts(applications=1)
    assert not selectors.filed_in(AUTUMN).exists()


def test_a_withdrawn_application_stays_counted(alice: User, time_machine: Any) -> None:
    at(time_machine, 10, 30)
    application = submitted_application(alice)
    at(time_machine, 11, 2)
    case_services.application_withdraw(actor=alice, application_id=application.pk)
    assert figures(OCTOBER) == counts(applications=1)
    assert figures(NOVEMBER) == counts()


# --- Diversion to mediation ---------------------------------------------------------------------


def test_an_application_diverted_at_submission_counts_on_its_diversion_day(
    alice: User, time_machine: Any
) -> None:
    at(time_machine, 10, 31, 23, 30)
    mediation = mediation_of(diverted_application(alice))
    assert mediation.diverted_on == date(2025, 10, 31)

    assert figures(OCT_31) == counts(applications=1, diverted=1)
    assert figures(NOV_1) == counts()
    assert list(selectors.diverted_in(OCT_31)) == [mediation]


def test_a_diversion_proposed_later_counts_on_the_diversion_day_not_the_submission_day(
    alice: User, clerk: User, time_machine: Any
) -> None:
    at(time_machine, 10, 30)
    application = submitted_application(alice)
    at(time_machine, 11, 1, 0, 10)
    proposal = mediation_services.diversion_propose(actor=clerk, application_id=application.pk)
    mediation_services.diversion_answer(actor=alice, proposal_id=proposal.pk, accept=True)

    assert figures(OCTOBER) == counts(applications=1)
    assert figures(NOVEMBER) == counts(diverted=1)


def test_an_application_withdrawn_in_mediation_stays_an_application_and_diverted_never_filed(
    alice: User, time_machine: Any
) -> None:
    at(time_machine, 10, 30)
    mediation = mediation_of(diverted_application(alice))
    at(time_machine, 11, 2)
    mediation_services.mediation_withdraw(actor=alice, mediation_id=mediation.pk)
    mediation.refresh_from_db()
    assert mediation.status == MediationStatus.WITHDRAWN
    assert mediation.application.status == ApplicationStatus.WITHDRAWN

    assert figures(OCTOBER) == counts(applications=1, diverted=1)
    assert figures(NOVEMBER) == counts()
    assert figures(AUTUMN) == counts(applications=1, diverted=1)


def test_a_failed_mediation_then_docketed_counts_as_diverted_and_as_filed_on_the_docketing_day(
    alice: User, clerk: User, judge: User, time_machine: Any
) -> None:
    at(time_machine, 10, 30)
    application = diverted_application(alice)
    mediation = mediation_of(application)
    at(time_machine, 10, 31, 23, 30)
    mediation_services.mediation_refuse(
        actor=alice, mediation_id=mediation.pk, reason="I want a judgment."
    )
    at(time_machine, 11, 1, 0, 10)
    application.refresh_from_db()
    case = case_services.filing_accept(
        actor=clerk, application_id=paid(application, clerk).pk, judge_id=judge.pk
    )
    assert case.docketed_on == date(2025, 11, 1)

    assert figures(OCTOBER) == counts(applications=1, diverted=1)
    assert figures(NOVEMBER) == counts(filed=1)
    assert list(selectors.filed_in(NOV_1)) == [case]


def test_a_judicial_confirmation_case_is_neither_filed_nor_closed(
    alice: User,
    bob: User,
    judge: User,
    mediator: User,
    admin: User,
    commit: Any,
    time_machine: Any,
) -> None:
    at(time_machine, 10, 31)
    mediation, _agreement = settled(alice, bob, mediator, admin, commit)
    case = confirmed_case(mediation, alice, bob)
    with commit():
        mediation_services.confirmation_decide(actor=judge, case_id=case.pk, confirm=True)
    case.refresh_from_db()
    # The 民特 case really was docketed and closed on the day; it is ADR, not a lawsuit.
    assert (case.type_code, case.status, case.docketed_on) == (
        "民特",
        CaseStatus.CLOSED,
        date(2025, 10, 31),
    )

    assert figures(OCT_31) == counts(applications=1, diverted=1)
    assert not selectors.filed_in(AUTUMN).exists()
    assert not selectors.closed_in(AUTUMN).exists()


# --- Filed and closed ---------------------------------------------------------------------------


def test_a_case_closed_in_a_later_period_is_filed_in_the_first_and_closed_in_the_second(
    alice: User, clerk: User, judge: User, time_machine: Any
) -> None:
    at(time_machine, 10, 31, 23, 30)
    case = docketed_case(alice, clerk, judge=judge)
    assert case.docketed_on == date(2025, 10, 31)
    at(time_machine, 11, 1, 0, 10)  # still 31 October in UTC
    case_services.case_close(actor=judge, case_id=case.pk, mode=ClosingMode.WITHDRAWAL)

    assert figures(OCT_31) == counts(applications=1, filed=1)
    assert figures(NOV_1) == counts(closed=1)
    assert list(selectors.closed_in(NOVEMBER)) == [case]
    assert not selectors.closed_in(OCTOBER).exists()


def test_an_open_case_is_filed_but_not_closed(
    alice: User, clerk: User, judge: User, time_machine: Any
) -> None:
    at(time_machine, 10, 30)
    docketed_case(alice, clerk, judge=judge)
    assert figures(AUTUMN) == counts(applications=1, filed=1)


# --- Registered users ---------------------------------------------------------------------------


def _sign_up(mobile: str, name: str, commit: Any) -> User:
    """A person registers as the sign-up page does: code texted, code typed."""
    with commit():  # the text goes out once the request's transaction commits
        registration_start(mobile=mobile, language="en")
    return user_register(
        mobile=mobile,
        display_name=name,
        preferred_language="en",
        code=code_sent_to(mobile),
        password="correct-horse-battery",
    )


def test_litigants_and_lawyers_count_on_their_joining_day_and_staff_never(
    commit: Any, time_machine: Any
) -> None:
    at(time_machine, 10, 31, 23, 30)
    dan = _sign_up("+8613700000001", "Dan Litigant", commit)
    at(time_machine, 11, 1, 0, 10)
    lawyer = VerifiedUserFactory(display_name="Lu Lawyer", roles=[Role.LITIGANT, Role.LAWYER])
    at(time_machine, 10, 31, 12)
    VerifiedUserFactory(display_name="New Clerk", roles=[Role.FILING_CLERK])
    VerifiedUserFactory(display_name="New Judge", roles=[Role.JUDGE])

    assert list(selectors.registered_users_in(OCT_31)) == [dan]
    assert list(selectors.registered_users_in(NOV_1).distinct()) == [lawyer]  # two roles, once
    assert selectors.summary(OCT_31).registered_users == 1
    assert selectors.summary(NOV_1).registered_users == 1
    assert selectors.summary(AUTUMN).registered_users == 2


# --- Online filing rate -------------------------------------------------------------------------


def test_the_online_filing_rate_is_none_without_applications(alice: User) -> None:
    assert selectors.summary(AUTUMN).online_filing_rate is None


def test_the_online_filing_rate_is_one_when_litigants_filed_everything(
    alice: User, bob: User, carol: User, time_machine: Any
) -> None:
    at(time_machine, 10, 30)
    submitted_application(alice)
    submitted_application(bob)
    submitted_application(carol)  # a lawyer filing for herself is a litigant here
    assert selectors.summary(OCTOBER).online_filing_rate == Decimal("1")


def test_the_online_filing_rate_drops_for_applications_court_staff_created(
    alice: User, carol: User, clerk: User, time_machine: Any
) -> None:
    # The services have no "file on someone's behalf" path for staff. The one way a staff
    # account creates an application is filing through the ordinary services itself, which
    # is what this does; the definition counts it as not filed online by a litigant.
    at(time_machine, 10, 30)
    submitted_application(alice)
    submitted_application(alice)
    submitted_application(carol)
    consent(clerk)
    submitted_application(clerk)
    assert selectors.summary(OCTOBER).online_filing_rate == Decimal("0.7500")


# --- Case types ---------------------------------------------------------------------------------


def test_case_type_shares_add_up_sorted_by_applications_named_by_the_newest_catalogue(
    alice: User, admin: User, time_machine: Any
) -> None:
    # A new catalogue from 1 December renames copyright infringement and drops domain names.
    at(time_machine, 10, 1)
    renamed = "Online copyright infringement (2025 list)"
    types = [
        dataclasses.replace(spec, name_en=renamed, name_zh="网络著作权侵权（2025）")
        if spec.code == COPYRIGHT
        else spec
        for spec in SPC_2018_LIST
        if spec.code != DOMAIN
    ]
    catalogue_publish(
        actor=admin,
        effective_from=date(2025, 12, 1),
        basis=SPC_2018_BASIS,
        note="Renamed for the test.",
        types=types,
    )
    at(time_machine, 10, 20)
    submitted_application(alice, case_type=COPYRIGHT)
    submitted_application(alice, case_type=COPYRIGHT)
    submitted_application(alice, case_type=SHOPPING)
    submitted_application(alice, case_type=SHOPPING)
    submitted_application(alice, case_type=DOMAIN)
    at(time_machine, 12, 2)  # under the new list: the same dispute keeps its code
    submitted_application(alice, case_type=COPYRIGHT)

    shares = selectors.summary(AUTUMN).case_types
    assert [(s.code, s.applications, s.share) for s in shares] == [
        (COPYRIGHT, 3, Decimal("0.5000")),
        (SHOPPING, 2, Decimal("0.3333")),
        (DOMAIN, 1, Decimal("0.1667")),
    ]
    assert sum(s.share for s in shares) == pytest.approx(Decimal(1), abs=Decimal("0.0003"))
    copyright_, shopping, domain = shares
    assert (copyright_.name_en, copyright_.name_zh) == (renamed, "网络著作权侵权（2025）")
    old = {spec.code: spec for spec in SPC_2018_LIST}
    assert (shopping.name_en, shopping.name_zh) == (old[SHOPPING].name_en, old[SHOPPING].name_zh)
    # Dropped from the new list: still named by the newest version that has it.
    assert (domain.name_en, domain.name_zh) == (old[DOMAIN].name_en, old[DOMAIN].name_zh)


def test_case_type_shares_are_empty_without_applications(alice: User) -> None:
    assert selectors.summary(AUTUMN).case_types == []


# --- Visits -------------------------------------------------------------------------------------


def test_visits_sum_the_days_of_the_period_only(db: None) -> None:
    VisitDay.objects.create(day=date(2025, 10, 30), page_group="home", views=1000)
    VisitDay.objects.create(day=date(2025, 10, 31), page_group="home", views=7)
    VisitDay.objects.create(day=date(2025, 10, 31), page_group="stats", views=5)
    VisitDay.objects.create(day=date(2025, 11, 1), page_group="home", views=300)

    assert selectors.summary(OCT_31).visits == 12
    assert selectors.summary(NOV_1).visits == 300
    assert selectors.summary(Period(date(2025, 10, 30), date(2025, 11, 1))).visits == 1312
    assert selectors.summary(Period(date(2025, 11, 2), date(2025, 11, 30))).visits == 0


# --- Applications by week -----------------------------------------------------------------------


def test_weeks_start_on_monday_are_clipped_to_the_period_and_cut_at_beijing_midnight(
    alice: User, time_machine: Any
) -> None:
    # Wednesday 29 October to Tuesday 11 November 2025: three weeks, the first and last cut.
    period = Period(date(2025, 10, 29), date(2025, 11, 11))
    for month, day, hour, minute in (
        (10, 28, 23, 30),  # Tuesday before the period
        (10, 29, 0, 10),  # the period's first minutes (Tuesday in UTC)
        (11, 2, 23, 30),  # Sunday night: still the first week
        (11, 3, 0, 10),  # Monday: the second week (Sunday in UTC)
        (11, 11, 23, 30),  # the period's last minutes
        (11, 12, 0, 10),  # the day after (Tuesday 11 November in UTC)
    ):
        at(time_machine, month, day, hour, minute)
        submitted_application(alice)

    weeks = selectors.applications_by_week(period)
    assert weeks == [
        WeekCount(week_start=date(2025, 10, 27), applications=2),
        WeekCount(week_start=date(2025, 11, 3), applications=1),
        WeekCount(week_start=date(2025, 11, 10), applications=1),
    ]
    assert all(w.week_start.weekday() == 0 for w in weeks)
    assert sum(w.applications for w in weeks) == selectors.summary(period).applications


def test_a_period_starting_on_a_monday_has_no_week_before_it(db: None) -> None:
    weeks = selectors.applications_by_week(Period(date(2025, 11, 3), date(2025, 11, 9)))
    assert weeks == [WeekCount(week_start=date(2025, 11, 3), applications=0)]


def test_the_longest_period_allowed_is_answered_week_by_week(
    alice: User, settings: Any, time_machine: Any
) -> None:
    settings.ECOURT_LAUNCH_DATE = date(2005, 1, 1)
    at(time_machine, 10, 31, 23, 30)
    submitted_application(alice)
    period = selectors.period_parse("2005-11-01", "2025-10-31")
    weeks = selectors.applications_by_week(period)
    assert len(weeks) == 1044  # Monday 2005-10-31 to Monday 2025-10-27
    assert [w for w in weeks if w.applications] == [WeekCount(date(2025, 10, 27), 1)]
    assert selectors.summary(period).applications == 1


# --- Periods ------------------------------------------------------------------------------------


def _refused(code: str, field: str, raw_from: str | None, raw_until: str | None) -> None:
    with pytest.raises(DomainError) as info:
        selectors.period_parse(raw_from, raw_until)
    assert (info.value.code, info.value.field) == (code, field)


def test_the_default_period_runs_from_the_launch_date_to_today(
    settings: Any, time_machine: Any
) -> None:
    at(time_machine, 11, 1, 0, 10)  # 31 October in UTC
    settings.ECOURT_LAUNCH_DATE = date(2025, 6, 1)
    expected = Period(date(2025, 6, 1), date(2025, 11, 1))
    assert selectors.period_parse(None, None) == expected
    assert selectors.period_parse("", "  ") == expected
    assert selectors.period_parse("2025-07-01", None) == Period(date(2025, 7, 1), date(2025, 11, 1))
    assert selectors.period_parse(None, "2025-07-01") == Period(date(2025, 6, 1), date(2025, 7, 1))


def test_without_a_launch_date_the_default_starts_at_the_first_thing_counted(
    alice: User, settings: Any, time_machine: Any
) -> None:
    settings.ECOURT_LAUNCH_DATE = None
    at(time_machine, 11, 20)
    assert selectors.period_default() == Period(date(2025, 11, 20), date(2025, 11, 20))
    VisitDay.objects.create(day=date(2025, 11, 5), page_group="home", views=1)
    assert selectors.period_default().start == date(2025, 11, 5)
    at(time_machine, 11, 1, 0, 10)  # 31 October in UTC: the court day is 1 November
    submitted_application(alice)
    at(time_machine, 11, 20)
    assert selectors.period_default() == Period(date(2025, 11, 1), date(2025, 11, 20))


@pytest.mark.parametrize(
    ("raw_from", "raw_until", "field"),
    [
        ("31/10/2025", None, "from"),
        ("2025-02-30", None, "from"),
        ("yesterday", None, "from"),
        (None, "2025-13-01", "until"),
        ("2025-10-01", "2025-10-32", "until"),
    ],
)
def test_an_invalid_date_is_refused_naming_the_field(
    raw_from: str | None, raw_until: str | None, field: str, settings: Any
) -> None:
    settings.ECOURT_LAUNCH_DATE = date(2025, 1, 1)
    _refused("date_invalid", field, raw_from, raw_until)


def test_a_reversed_period_is_refused(settings: Any) -> None:
    settings.ECOURT_LAUNCH_DATE = date(2025, 1, 1)
    _refused("period_reversed", "from", "2025-11-01", "2025-10-31")
    assert selectors.period_parse("2025-10-31", "2025-10-31") == OCT_31  # one day is fine


def test_a_period_longer_than_twenty_years_is_refused(settings: Any) -> None:
    settings.ECOURT_LAUNCH_DATE = date(2025, 1, 1)
    _refused("period_too_long", "from", "2000-01-01", "2025-10-31")
    longest = selectors.period_parse("2005-11-01", "2025-10-31")  # exactly twenty years
    assert longest.days == 7305


def test_the_default_period_is_never_refused(settings: Any, time_machine: Any) -> None:
    settings.ECOURT_LAUNCH_DATE = date(2018, 9, 9)
    time_machine.move_to(datetime(2039, 1, 1, 10, tzinfo=SHANGHAI), tick=False)
    period = selectors.period_parse(None, None)
    assert period.end == date(2039, 1, 1)
    assert period.days <= selectors.MAX_PERIOD_DAYS


@pytest.mark.parametrize(
    ("raw_from", "raw_until"),
    [
        pytest.param("9999-12-31", "9999-12-31"),
        pytest.param("9999-12-01", "9999-12-30"),
        pytest.param("0001-01-01", "0001-01-31"),
    ],
)
def test_a_date_at_the_ends_of_the_calendar_is_refused_or_answered_never_a_crash(
    raw_from: str, raw_until: str, settings: Any
) -> None:
    settings.ECOURT_LAUNCH_DATE = date(2025, 1, 1)
    try:
        period = selectors.period_parse(raw_from, raw_until)
    except DomainError as exc:
        assert exc.code == "date_out_of_range"
        return
    selectors.summary(period)
    selectors.applications_by_week(period)
