"""Typed helpers that read ecourt's configuration from environment variables.

Every setting comes from the environment. A bad value fails loudly at start-up with
``ImproperlyConfigured`` instead of being silently replaced by a default. Secrets may be
given as ``NAME_FILE`` (a path whose content is the value), which suits Docker and systemd
credentials.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable's value, or the content of the file named by ``NAME_FILE``."""
    if name in os.environ:
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return default


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = env_str(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_date(name: str) -> date | None:
    """An ISO date (YYYY-MM-DD), or None when unset or empty."""
    raw = env_str(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a date; use YYYY-MM-DD.") from exc


def env_choice(name: str, default: str, choices: set[str]) -> str:
    raw = env_str(name, default) or default
    if raw not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of: {allowed}.")
    return raw


def parse_database_url(url: str, *, base_dir: Path) -> dict[str, object]:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` into a DATABASES entry.

    Relative SQLite paths are resolved against ``base_dir``. SQLite runs in WAL mode with a
    busy timeout so the web process and the worker can write concurrently.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "sqlite":
        raw_path = unquote(parsed.path)
        if parsed.netloc:  # sqlite://relative/path is a common mistake
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r}: use sqlite:///relative/path or sqlite:////absolute/path."
            )
        path = raw_path[1:] if raw_path.startswith("/") else raw_path
        if not path:
            raise ImproperlyConfigured("DATABASE_URL for sqlite needs a file path.")
        db_path = Path(path)
        if not db_path.is_absolute():
            db_path = base_dir / db_path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(db_path),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": None},
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no database.")
        options: dict[str, object] = {}
        for key, values in parse_qs(parsed.query).items():
            options[key] = values[-1]
        config: dict[str, object] = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": unquote(parsed.hostname or ""),
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
        return config
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {scheme!r} is not supported; use sqlite:/// or postgres://."
    )
