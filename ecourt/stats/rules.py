"""The counting rules of page views, as data and pure functions (see docs/statistics.md, "Visits").

A request is a page view when a person's browser navigated to an HTML page of the site and got
it: a GET answered 200 with ``text/html``, outside the machine paths (static and media files,
the API, the admin, health checks, ``favicon.ico``, ``robots.txt``), not a prefetch or an
in-page ``fetch()``, from a user agent that names itself and is not a known robot or tool.
Everything here is decided from the request line, a few headers and the response's status and
type; nothing is looked up.
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

#: Paths under these prefixes are never page views: files, the JSON API, the (internal) admin.
EXCLUDED_PATH_PREFIXES: tuple[str, ...] = ("/static/", "/media/", "/api/", "/admin/")

#: Exact paths that are not page views: probes and files robots and browsers ask for by name.
EXCLUDED_PATHS: frozenset[str] = frozenset({"/healthz", "/readyz", "/favicon.ico", "/robots.txt"})

#: Words in the user agents of robots, crawlers, link previewers, monitors and HTTP libraries,
#: matched anywhere in the header, case-insensitively. (Plain substrings rather than one regex:
#: the same rule, about ten times faster on the hot path.)
BOT_USER_AGENT_WORDS: tuple[str, ...] = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "curl",
    "wget",
    "python-requests",
    "python-urllib",
    "httpx",
    "aiohttp",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww",
    "scrapy",
    "headlesschrome",
    "phantomjs",
    "facebookexternalhit",
    "bingpreview",
    "baiduspider",
    "yandex",
    "sogou",
    "360spider",
    "bytespider",
    "petalbot",
    "semrush",
    "ahrefs",
    "uptime",
    "monitor",
    "pingdom",
    "lighthouse",
)

#: Words of ordinary browsers' user agents that contain a robot word, ignored before matching:
#: CUBOT is an Android phone maker whose model names appear in its browsers' user agents.
NOT_BOT_WORDS: tuple[str, ...] = ("cubot",)


class PageGroup(StrEnum):
    """The parts of the site page views are counted by. Kept small on purpose: enough to see
    where people go, too coarse to follow anyone."""

    HOME = "home"
    ACCOUNTS = "accounts"
    FILING = "filing"  # applications (the parties' side) and filing review (the court's)
    CASES = "cases"
    MEDIATION = "mediation"
    EVIDENCE = "evidence"
    DELIVERY = "delivery"
    HEARINGS = "hearings"
    DOCUMENTS = "documents"
    STATS = "stats"
    OTHER = "other"


#: URL namespace -> group. The ``cases`` namespace is split by path (see ``CASES_PATH_GROUPS``);
#: ``core`` is the home page and a few staff tools (those count as "other").
NAMESPACE_GROUPS: dict[str, PageGroup] = {
    "accounts": PageGroup.ACCOUNTS,
    "cases": PageGroup.CASES,
    "mediation": PageGroup.MEDIATION,
    "evidence": PageGroup.EVIDENCE,
    "delivery": PageGroup.DELIVERY,
    "hearings": PageGroup.HEARINGS,
    "documents": PageGroup.DOCUMENTS,
    "stats": PageGroup.STATS,
}

#: First path segment -> group, inside the ``cases`` namespace: applications and the filing
#: review queue are "filing"; cases, the catalogue and the court calendar are "cases".
CASES_PATH_GROUPS: dict[str, PageGroup] = {
    "applications": PageGroup.FILING,
    "filing": PageGroup.FILING,
}


class Exclusion(StrEnum):
    """Why a request is not a page view (for tests and for anyone checking the rules)."""

    METHOD = "method"  # not a GET
    STATUS = "status"  # not 200: redirects, errors, not-modified
    NOT_HTML = "not_html"  # JSON, CSV, PDF, files
    PATH = "path"  # static, media, API, admin, probes
    NOT_NAVIGATION = "not_navigation"  # prefetch, or a fetch() from inside a page
    NO_USER_AGENT = "no_user_agent"
    BOT = "bot"


def is_bot(user_agent: str) -> bool:
    """Whether a user agent names a robot, crawler, previewer, monitor or HTTP library."""
    agent = user_agent.lower()
    for word in NOT_BOT_WORDS:
        agent = agent.replace(word, "")
    return any(word in agent for word in BOT_USER_AGENT_WORDS)


def is_excluded_path(path: str) -> bool:
    return path in EXCLUDED_PATHS or path.startswith(EXCLUDED_PATH_PREFIXES)


def exclusion(
    *,
    method: str,
    path: str,
    status: int,
    content_type: str,
    user_agent: str,
    fetch_dest: str = "",
    prefetch: bool = False,
) -> Exclusion | None:
    """Why this request/response is not a page view, or None when it is one.

    ``fetch_dest`` is the ``Sec-Fetch-Dest`` header: browsers that send it say ``document`` for
    a navigation and something else (``empty`` for ``fetch()``) otherwise; browsers that do not
    send it are taken at their word. ``prefetch``: the browser fetched ahead of a click.
    """
    if method != "GET":
        return Exclusion.METHOD
    if status != 200:
        return Exclusion.STATUS
    if content_type.split(";", 1)[0].strip().lower() != "text/html":
        return Exclusion.NOT_HTML
    if is_excluded_path(path):
        return Exclusion.PATH
    if prefetch or (fetch_dest and fetch_dest.lower() != "document"):
        return Exclusion.NOT_NAVIGATION
    if not user_agent.strip():
        return Exclusion.NO_USER_AGENT
    if is_bot(user_agent):
        return Exclusion.BOT
    return None


def page_group(*, namespace: str, path: str) -> PageGroup:
    """The group a page belongs to, from its URL namespace (the app) and, for the ``cases``
    app, the first segment of its path. The home page is ``core``'s root."""
    first = path.lstrip("/").split("/", 1)[0]
    if namespace == "core":
        return PageGroup.HOME if first == "" else PageGroup.OTHER
    if namespace == "cases":
        return CASES_PATH_GROUPS.get(first, PageGroup.CASES)
    # Nested namespaces ("hearings:room") count with their app.
    return NAMESPACE_GROUPS.get(namespace.split(":", 1)[0], PageGroup.OTHER)


def visitor_digest(address: str, user_agent: str) -> bytes:
    """An unsalted digest of address and browser, kept only in memory until the next flush
    (so the buffer holds 32 bytes per visitor, never the address itself)."""
    return hashlib.sha256(f"{address}\n{user_agent}".encode("utf-8", "replace")).digest()


def visitor_key(salt: str, digest: bytes) -> str:
    """The stored visitor key: HMAC-SHA256 of the visitor digest under the day's random salt,
    32 hex characters. Once the day's salt is deleted nobody can tell whose key it was."""
    return hmac.new(salt.encode(), digest, hashlib.sha256).hexdigest()[:32]
