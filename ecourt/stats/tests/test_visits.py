"""Visits: which requests are page views, the in-memory buffer and its flush, visitor keys
that never store an address, the fold of past days, and the toggle."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from ecourt.core.models import AuditEvent
from ecourt.stats import rules, visits
from ecourt.stats.middleware import VisitCountingMiddleware, visit_count
from ecourt.stats.models import VisitDay, VisitorDay, VisitorKey, VisitSalt
from ecourt.stats.rules import Exclusion, PageGroup
from ecourt.stats.selectors import Period
from ecourt.stats.visits import (
    VisitBatch,
    VisitBuffer,
    visit_buffer,
    visit_buffer_install,
    visitors_in,
    visits_fold,
)

COURT = ZoneInfo("Asia/Shanghai")
ADDRESS = "203.0.113.77"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
#: Browsers people use, including in-app browsers common in China: all must count.
BROWSERS = [
    IPHONE,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-S9180) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; NOH-AN00 Build/HUAWEINOH-AN00; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/99.0.4844.88 HuaweiBrowser/14.0.5.302 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (Linux; U; Android 12; zh-CN; V2171A Build/SP1A.210812.003) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 UCBrowser/15.5.8.1241 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Linux; Android 11; PEGM00 Build/RKQ1.200903.002; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/89.0.4389.72 MQQBrowser/6.2 TBS/046011 Mobile "
    "Safari/537.36 QQ/8.9.28.635",
    "Mozilla/5.0 (Linux; Android 13; CUBOT KINGKONG 9 Build/TP1A.220624.014) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36",
]
ROBOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 "
    "(compatible; Bytespider; spider-feedback@bytedance.com)",
    "Mozilla/5.0 (compatible;PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
    "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
    "curl/8.5.0",
    "Wget/1.21.4",
    "python-requests/2.31.0",
    "Python-urllib/3.11",
    "python-httpx/0.27.0",
    "Python/3.11 aiohttp/3.9.5",
    "Go-http-client/2.0",
    "Java/17.0.2",
    "okhttp/4.12.0",
    "Scrapy/2.11.1 (+https://scrapy.org)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
]


@pytest.fixture
def buffer(settings) -> VisitBuffer:
    """A fresh buffer for the test, counting on, flushed only by the test itself."""
    settings.ECOURT_VISIT_FLUSH_SECONDS = 5
    fresh = VisitBuffer(background=False)
    previous = visit_buffer_install(fresh)
    yield fresh
    visit_buffer_install(previous)


@pytest.fixture
def browser() -> Client:
    return Client(HTTP_USER_AGENT=IPHONE, REMOTE_ADDR=ADDRESS)


def _court_day(*args: int) -> datetime:
    return datetime(*args, tzinfo=COURT)


# --- What counts ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_counts_a_page_view_once_in_its_group(buffer, browser):
    assert browser.get("/").status_code == 200
    assert browser.get("/accounts/login/").status_code == 200
    assert browser.get("/accounts/login/").status_code == 200
    today = timezone.localdate()
    assert buffer.snapshot().views == Counter({(today, "home"): 1, (today, "accounts"): 2})
    assert len(buffer.snapshot().visitors) == 1, "one address, one browser, one day"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "why"),
    [
        ("get", "/static/ecourt/ecourt.css", "a static file"),
        ("get", "/api/v1/stats/summary", "an API call"),
        ("get", "/healthz", "a health check"),
        ("get", "/readyz", "a readiness check"),
        ("get", "/no-such-page/", "a 404 page"),
        ("post", "/accounts/login/", "a form post"),
        ("head", "/", "a HEAD request"),
        ("get", "/accounts/", "a redirect to the login page"),
        ("get", "/admin/login/", "the admin"),
    ],
)
def test_it_does_not_count(buffer, browser, method, path, why):
    getattr(browser, method)(path)
    assert buffer.snapshot().is_empty(), why


@pytest.mark.django_db
def test_it_does_not_count_json_or_other_files_from_page_paths(buffer):
    factory = RequestFactory(HTTP_USER_AGENT=IPHONE)
    for response in (
        JsonResponse({"state": 1}),
        HttpResponse(b"a,b\n", content_type="text/csv"),
        HttpResponse(b"%PDF", content_type="application/pdf"),
        HttpResponse(status=304),
    ):
        middleware = VisitCountingMiddleware(lambda request, response=response: response)
        middleware(factory.get("/hearings/1/room/state"))
    assert buffer.snapshot().is_empty()


@pytest.mark.django_db
@pytest.mark.parametrize("agent", [*ROBOTS, "", "   "])
def test_it_does_not_count_robots_tools_or_a_missing_user_agent(buffer, agent):
    Client(HTTP_USER_AGENT=agent).get("/")
    assert buffer.snapshot().is_empty(), agent


@pytest.mark.django_db
def test_it_does_not_count_a_prefetch_or_an_in_page_fetch(buffer, browser):
    browser.get("/", headers={"Sec-Purpose": "prefetch"})
    browser.get("/", headers={"Sec-Fetch-Dest": "empty"})
    assert buffer.snapshot().is_empty()
    browser.get("/", headers={"Sec-Fetch-Dest": "document"})
    assert sum(buffer.snapshot().views.values()) == 1


@pytest.mark.parametrize("agent", BROWSERS)
def test_it_takes_peoples_browsers_for_people(agent):
    assert not rules.is_bot(agent)


@given(
    prefix=st.text(max_size=30),
    word=st.sampled_from(rules.BOT_USER_AGENT_WORDS),
    suffix=st.text(max_size=30),
    upper=st.booleans(),
)
def test_a_robot_word_anywhere_and_in_any_case_marks_a_robot(prefix, word, suffix, upper):
    agent = prefix + (word.upper() if upper else word) + suffix
    assume("cubot" not in agent.lower())
    assert rules.is_bot(agent)


@given(
    agent=st.sampled_from(BROWSERS),
    path=st.sampled_from(["/", "/stats/", "/cases/12/", "/verify/", "/applications/new/"]),
    fetch_dest=st.sampled_from(["", "document"]),
    content_type=st.sampled_from(["text/html", "text/html; charset=utf-8", "TEXT/HTML"]),
)
def test_a_browser_navigating_to_an_html_page_is_always_counted(
    agent, path, fetch_dest, content_type
):
    reason = rules.exclusion(
        method="GET",
        path=path,
        status=200,
        content_type=content_type,
        user_agent=agent,
        fetch_dest=fetch_dest,
    )
    assert reason is None


@given(
    method=st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE"]),
    status=st.integers(100, 599),
    agent=st.sampled_from(BROWSERS),
)
def test_only_a_get_answered_200_can_count(method, status, agent):
    reason = rules.exclusion(
        method=method, path="/", status=status, content_type="text/html", user_agent=agent
    )
    assert (reason is None) == (method == "GET" and status == 200)


@pytest.mark.parametrize(
    "path", ["/healthz", "/readyz", "/favicon.ico", "/robots.txt", "/static/x", "/media/y"]
)
def test_machine_paths_are_excluded_even_if_they_answer_html(path):
    reason = rules.exclusion(
        method="GET", path=path, status=200, content_type="text/html", user_agent=IPHONE
    )
    assert reason == Exclusion.PATH


@pytest.mark.parametrize(
    ("namespace", "path", "group"),
    [
        ("core", "/", PageGroup.HOME),
        ("core", "/staff/audit/", PageGroup.OTHER),
        ("accounts", "/accounts/login/", PageGroup.ACCOUNTS),
        ("cases", "/applications/new/", PageGroup.FILING),
        ("cases", "/applications/3/step/parties/", PageGroup.FILING),
        ("cases", "/filing/3/", PageGroup.FILING),
        ("cases", "/cases/3/", PageGroup.CASES),
        ("cases", "/court/calendar/", PageGroup.CASES),
        ("mediation", "/mediation/3/", PageGroup.MEDIATION),
        ("evidence", "/verify/", PageGroup.EVIDENCE),
        ("delivery", "/notifications/", PageGroup.DELIVERY),
        ("hearings", "/hearings/3/room/", PageGroup.HEARINGS),
        ("documents", "/decisions/3/", PageGroup.DOCUMENTS),
        ("stats", "/stats/", PageGroup.STATS),
        ("", "/somewhere/", PageGroup.OTHER),
    ],
)
def test_it_puts_each_page_in_its_group(namespace, path, group):
    assert rules.page_group(namespace=namespace, path=path) == group


@pytest.mark.django_db
def test_counting_adds_no_query_to_a_page(settings, buffer, browser):
    browser.get("/")  # warm up: sessions, translations
    with CaptureQueriesContext(connection) as counted:
        browser.get("/")
    settings.ECOURT_VISIT_FLUSH_SECONDS = 0
    with CaptureQueriesContext(connection) as uncounted:
        browser.get("/")
    assert len(counted) == len(uncounted)


@pytest.mark.django_db
def test_it_counts_nothing_when_turned_off(settings, buffer, browser):
    settings.ECOURT_VISIT_FLUSH_SECONDS = 0
    browser.get("/")
    assert buffer.snapshot().is_empty()
    assert buffer.flush() == 0
    assert not VisitDay.objects.exists()
    settings.ECOURT_VISIT_FLUSH_SECONDS = 5  # a runtime switch: on again at once
    browser.get("/")
    assert buffer.flush() == 1


def test_a_counting_error_never_reaches_the_page(buffer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("ecourt.stats.middleware.visit_count", broken)
    page = HttpResponse("<p>hi</p>")
    middleware = VisitCountingMiddleware(lambda request: page)
    assert middleware(RequestFactory(HTTP_USER_AGENT=IPHONE).get("/")) is page


# --- Flush ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_flush_writes_the_days_views_and_a_second_flush_adds(buffer, browser):
    browser.get("/")
    browser.get("/")
    browser.get("/accounts/login/")
    assert buffer.flush() == 3
    today = timezone.localdate()
    rows = {(r.day, r.page_group): r.views for r in VisitDay.objects.all()}
    assert rows == {(today, "home"): 2, (today, "accounts"): 1}
    assert buffer.snapshot().is_empty()

    browser.get("/")
    assert buffer.flush() == 1
    assert VisitDay.objects.get(day=today, page_group="home").views == 3
    assert VisitorKey.objects.count() == 1, "the same visitor again is not a new key"
    assert buffer.flush() == 0, "nothing new, nothing written"


@pytest.mark.django_db
def test_an_empty_flush_does_not_touch_the_database(buffer):
    with CaptureQueriesContext(connection) as queries:
        assert buffer.flush() == 0
    assert len(queries) == 0


@pytest.mark.django_db
def test_a_failed_flush_keeps_the_counts_for_the_next(buffer, browser, caplog):
    failing = VisitBuffer(write=_fail, background=False)
    visit_buffer_install(failing)
    browser.get("/")
    assert failing.flush() == 0
    assert "kept for the next flush" in caplog.text
    browser.get("/")
    today = timezone.localdate()
    assert failing.snapshot().views == Counter({(today, "home"): 2})
    assert len(failing.snapshot().visitors) == 1

    failing._write = failing._write_to_database  # the database is back
    assert failing.flush() == 2
    assert VisitDay.objects.get(day=today, page_group="home").views == 2
    assert VisitorKey.objects.count() == 1


def _fail(batch: VisitBatch) -> None:
    raise ConnectionError("database gone")


@given(
    adds=st.lists(
        st.tuples(
            st.integers(0, 2), st.sampled_from(["home", "cases"]), st.binary(min_size=1, max_size=2)
        ),
        max_size=40,
    ),
    failures=st.lists(st.booleans(), min_size=1, max_size=5),
)
def test_no_count_is_lost_or_doubled_across_failed_flushes(adds, failures):
    written = VisitBatch()
    outcomes = iter(failures)

    def write(batch: VisitBatch) -> None:
        if next(outcomes, False):
            raise ConnectionError("database gone")
        written.merge(batch, max_visitors=10**6)

    buffer = VisitBuffer(write=write, background=False)
    start = date(2026, 3, 2)
    chunk = max(1, len(adds) // len(failures))
    for n, (offset, group, visitor) in enumerate(adds):
        buffer.add(day=start + timedelta(days=offset), group=group, visitor=visitor)
        if n % chunk == 0:
            buffer.flush()
    while not buffer.snapshot().is_empty():
        buffer.flush()
    expected = Counter((start + timedelta(days=o), g) for o, g, _v in adds)
    assert written.views == expected
    assert written.visitors == {(start + timedelta(days=o), v) for o, _g, v in adds}


def test_a_full_buffer_still_counts_views_but_no_more_visitors():
    buffer = VisitBuffer(write=_fail, background=False, max_visitors=2)
    day = date(2026, 3, 2)
    for visitor in (b"a", b"b", b"c", b"a"):
        buffer.add(day=day, group="home", visitor=visitor)
    assert buffer.snapshot().views[(day, "home")] == 4
    assert buffer.snapshot().visitors == {(day, b"a"), (day, b"b")}


# --- Visitor keys -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_address_and_browser_on_one_day_is_one_visitor(buffer):
    for agent in (IPHONE, IPHONE, BROWSERS[1]):
        Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=ADDRESS).get("/")
        buffer.flush()
    Client(HTTP_USER_AGENT=IPHONE, REMOTE_ADDR="198.51.100.4").get("/")
    buffer.flush()
    assert VisitorKey.objects.count() == 3
    assert VisitSalt.objects.count() == 1


@pytest.mark.django_db
def test_the_same_visitor_on_another_day_has_another_key(buffer, browser):
    with time_machine.travel(_court_day(2026, 3, 2, 10), tick=False):
        browser.get("/")
        buffer.flush()
    with time_machine.travel(_court_day(2026, 3, 3, 9), tick=False):
        browser.get("/")
        buffer.flush()
    keys = dict(VisitorKey.objects.values_list("day", "key"))
    assert set(keys) == {date(2026, 3, 2), date(2026, 3, 3)}
    assert keys[date(2026, 3, 2)] != keys[date(2026, 3, 3)]
    salts = dict(VisitSalt.objects.values_list("day", "salt"))
    assert salts[date(2026, 3, 2)] != salts[date(2026, 3, 3)], "a fresh salt every day"


@pytest.mark.django_db
def test_the_day_is_the_court_date(buffer, browser):
    # 23:30 UTC on 1 March is 07:30 on 2 March in Shanghai.
    with time_machine.travel(datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        browser.get("/")
    assert list(buffer.snapshot().views) == [(date(2026, 3, 2), "home")]


@pytest.mark.django_db
def test_no_address_or_browser_name_is_stored(buffer, browser):
    browser.get("/")
    browser.get("/accounts/login/")
    browser.post("/accounts/login/", {"username": "x", "password": "y"})
    buffer.flush()
    visits_fold(today=timezone.localdate())
    stored = [
        repr(row)
        for model in (VisitorKey, VisitSalt, VisitDay, VisitorDay, AuditEvent)
        for row in model.objects.values_list()
    ]
    assert VisitorKey.objects.exists()
    for secret in (ADDRESS, "iPhone", "Mozilla"):
        assert not [row for row in stored if secret in row], secret


@given(
    salt=st.text(min_size=1, max_size=64),
    other=st.text(min_size=1, max_size=64),
    address=st.ip_addresses().map(str),
    agent=st.text(max_size=200),
)
def test_a_visitor_key_is_32_hex_characters_and_depends_on_the_salt(salt, other, address, agent):
    digest = rules.visitor_digest(address, agent)
    key = rules.visitor_key(salt, digest)
    assert len(key) == 32 and int(key, 16) >= 0
    assert key == rules.visitor_key(salt, rules.visitor_digest(address, agent))
    assert address not in key
    if other != salt:
        assert rules.visitor_key(other, digest) != key


# --- Fold -------------------------------------------------------------------------------------


def _seen(day: date, *keys: str) -> None:
    VisitSalt.objects.get_or_create(day=day, defaults={"salt": f"salt-{day}"})
    VisitorKey.objects.bulk_create([VisitorKey(day=day, key=k) for k in keys])


@pytest.mark.django_db
def test_the_fold_turns_past_days_keys_into_counts_and_forgets_keys_and_salts():
    today = date(2026, 3, 10)
    _seen(date(2026, 3, 8), "a", "b", "c")
    _seen(date(2026, 3, 9), "a", "d")
    _seen(today, "a", "e")
    assert visits_fold(today=today) == 2
    assert dict(VisitorDay.objects.values_list("day", "visitors")) == {
        date(2026, 3, 8): 3,
        date(2026, 3, 9): 2,
    }
    assert set(VisitorKey.objects.values_list("day", "key")) == {(today, "a"), (today, "e")}
    assert list(VisitSalt.objects.values_list("day", flat=True)) == [today]

    assert visits_fold(today=today) == 0, "nothing left to fold"
    assert VisitorDay.objects.get(day=date(2026, 3, 9)).visitors == 2


@pytest.mark.django_db
def test_keys_that_arrive_after_the_fold_are_added_to_the_day():
    day = date(2026, 3, 9)
    _seen(day, "a", "b")
    visits_fold(today=day + timedelta(days=1))
    _seen(day, "c")  # a flush held back by an outage
    visits_fold(today=day + timedelta(days=1))
    assert VisitorDay.objects.get(day=day).visitors == 3
    assert not VisitorKey.objects.exists() and not VisitSalt.objects.exists()


@pytest.mark.django_db
def test_the_fold_waits_a_while_after_midnight_for_the_last_flushes():
    _seen(date(2026, 3, 9), "a")
    with time_machine.travel(_court_day(2026, 3, 10, 0, 5), tick=False):
        assert visits_fold() == 0
    with time_machine.travel(_court_day(2026, 3, 10, 0, 20), tick=False):
        assert visits_fold() == 1
    assert VisitorDay.objects.get(day=date(2026, 3, 9)).visitors == 1


@pytest.mark.django_db
def test_visitors_in_a_period_add_folded_days_and_the_live_keys_of_the_others():
    _seen(date(2026, 3, 8), "a", "b", "c")
    _seen(date(2026, 3, 9), "a")
    visits_fold(today=date(2026, 3, 10))
    _seen(date(2026, 3, 10), "a", "b")
    _seen(date(2026, 3, 12), "z")
    assert visitors_in(Period(date(2026, 3, 8), date(2026, 3, 10))) == 6
    assert visitors_in(Period(date(2026, 3, 9), date(2026, 3, 9))) == 1
    assert visitors_in(Period(date(2026, 3, 11), date(2026, 3, 11))) == 0


# --- Processes and threads --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_processes_flushing_at_once_add_up_and_share_the_days_salt():
    day = timezone.localdate()
    digest = rules.visitor_digest(ADDRESS, IPHONE)
    buffers = [VisitBuffer(background=False) for _ in range(2)]
    for buffer in buffers:  # the same visitor seen by both processes
        for _ in range(3):
            buffer.add(day=day, group="home", visitor=digest)
    start = threading.Barrier(2)
    written: list[int] = []

    def flush(buffer: VisitBuffer) -> None:
        try:
            start.wait()
            written.append(buffer.flush())
        finally:
            connection.close()

    threads = [threading.Thread(target=flush, args=(b,)) for b in buffers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert written == [3, 3]
    assert VisitDay.objects.get(day=day, page_group="home").views == 6
    assert VisitSalt.objects.filter(day=day).count() == 1
    assert VisitorKey.objects.filter(day=day).count() == 1, "one visitor, whichever process"


def _flushers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ecourt-visit-flusher"]


@pytest.mark.django_db
def test_no_flusher_thread_runs_inside_the_test_environment(settings, browser):
    settings.ECOURT_VISIT_FLUSH_SECONDS = 5
    assert visits._in_test_environment()
    buffer = VisitBuffer()  # decides by itself, as the process's own buffer does
    previous = visit_buffer_install(buffer)
    try:
        browser.get("/")
    finally:
        visit_buffer_install(previous)
    assert sum(buffer.snapshot().views.values()) == 1
    assert not _flushers()


def test_a_server_process_starts_one_flusher_that_writes_on_stop(settings):
    settings.ECOURT_VISIT_FLUSH_SECONDS = 60
    written: list[VisitBatch] = []
    buffer = VisitBuffer(write=written.append, background=True)
    day = date(2026, 3, 2)
    buffer.add(day=day, group="home", visitor=b"a")
    buffer.add(day=day, group="home", visitor=b"b")
    [thread] = _flushers()
    buffer.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert [batch.views for batch in written] == [Counter({(day, "home"): 2})]


def test_a_forked_worker_starts_empty_and_starts_its_own_flusher():
    buffer = VisitBuffer(write=_fail, background=False)
    buffer.add(day=date(2026, 3, 2), group="home", visitor=b"a")
    buffer.after_fork()
    assert buffer.snapshot().is_empty(), "the parent writes its own counts"
    assert buffer._flusher_pid is None


def test_visit_count_says_whether_it_counted(buffer):
    request = RequestFactory(HTTP_USER_AGENT=IPHONE).get("/")
    assert visit_count(request, HttpResponse("<p>hi</p>")) is True
    request = RequestFactory(HTTP_USER_AGENT="curl/8.5.0").get("/")
    assert visit_count(request, HttpResponse("<p>hi</p>")) is False
    assert visit_buffer() is buffer
