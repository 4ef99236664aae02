"""Production settings pass Django's deployment checks, and bad configuration fails loudly.

The settings module is imported in a fresh process for each case: it reads the environment
once, at import, and this test process already runs with the test settings.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ecourt.env import env_bool, env_choice, env_int, env_list, env_str, parse_database_url

ROOT = Path(__file__).resolve().parents[3]


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    # Built from nothing, so neither the test settings' variables nor a DATABASE_URL pointing
    # at PostgreSQL leak in from this process.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "ecourt.settings",
        "ECOURT_DEBUG": "0",
        "ECOURT_SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "ECOURT_ALLOWED_HOSTS": "court.example.cn",
        "ECOURT_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ecourt.sqlite3'}",
        "ECOURT_SMS_BACKEND": "http",
        "ECOURT_SMS_HTTP_URL": "https://sms.example.cn/send",
        "ECOURT_BANK_PAYEE": "Internet Court",
        "ECOURT_BANK_NAME": "Bank of Example",
        "ECOURT_BANK_ACCOUNT": "0200 0000 0000 0000",
        # The evidence log's signing key (the test settings made one for this run).
        "ECOURT_LOG_KEY": os.environ["ECOURT_LOG_KEY"],
        # Where delivery texts and emails link to.
        "ECOURT_PUBLIC_URL": "https://court.example.cn",
        # The court seal that signs PDFs (the test settings made a pair for this run).
        "ECOURT_SEAL_KEY_FILE": os.environ["ECOURT_SEAL_KEY_FILE"],
        "ECOURT_SEAL_CERT_FILE": os.environ["ECOURT_SEAL_CERT_FILE"],
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _manage(tmp_path: Path, *args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=_production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_refuses_to_deploy_without_the_evidence_log_key(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", ECOURT_LOG_KEY=None)
    assert result.returncode != 0
    assert "ecourt.evidence.E001" in result.stderr
    assert "ECOURT_LOG_KEY" in result.stderr


def test_it_refuses_to_deploy_without_the_court_seal(tmp_path):
    result = _manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ECOURT_SEAL_KEY_FILE=str(tmp_path / "missing.key"),
    )
    assert result.returncode != 0
    assert "ecourt.documents.E001" in result.stderr
    assert "ECOURT_SEAL_KEY_FILE" in result.stderr


def test_it_passes_the_deployment_checks(tmp_path):
    assert len(_production_env(tmp_path)["ECOURT_SECRET_KEY"]) == 64
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage(tmp_path, "check", ECOURT_SECRET_KEY=None)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ECOURT_SECRET_KEY" in result.stderr


def test_it_refuses_a_short_secret_key(tmp_path):
    result = _manage(tmp_path, "check", ECOURT_SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_it_refuses_an_ambiguous_boolean(tmp_path):
    result = _manage(tmp_path, "check", ECOURT_DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ECOURT_DEBUG='maybe' is not a boolean" in result.stderr


def test_it_refuses_to_run_in_production_without_allowed_hosts(tmp_path):
    result = _manage(tmp_path, "check", ECOURT_ALLOWED_HOSTS=None)
    assert result.returncode != 0
    assert "ECOURT_ALLOWED_HOSTS is required" in result.stderr


# --- The typed helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("ECOURT_X", raw)
    assert env_bool("ECOURT_X", not expected) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "ja"])
def test_it_fails_loudly_on_other_booleans(monkeypatch, raw):
    monkeypatch.setenv("ECOURT_X", raw)
    with pytest.raises(ImproperlyConfigured, match="is not a boolean"):
        env_bool("ECOURT_X", False)


def test_it_uses_the_default_when_a_variable_is_unset(monkeypatch):
    monkeypatch.delenv("ECOURT_X", raising=False)
    monkeypatch.delenv("ECOURT_X_FILE", raising=False)
    assert env_bool("ECOURT_X", True) is True
    assert env_int("ECOURT_X", 7) == 7
    assert env_list("ECOURT_X", ["a"]) == ["a"]
    assert env_str("ECOURT_X", "d") == "d"
    assert env_choice("ECOURT_X", "db", {"db", "immediate"}) == "db"


def test_it_reads_integers_with_a_minimum(monkeypatch):
    monkeypatch.setenv("ECOURT_X", "12")
    assert env_int("ECOURT_X", 1, minimum=1) == 12
    monkeypatch.setenv("ECOURT_X", "twelve")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("ECOURT_X", 1)
    monkeypatch.setenv("ECOURT_X", "0")
    with pytest.raises(ImproperlyConfigured, match="must be at least 1"):
        env_int("ECOURT_X", 5, minimum=1)


def test_it_reads_lists_and_choices(monkeypatch):
    monkeypatch.setenv("ECOURT_X", " a.example , ,b.example ")
    assert env_list("ECOURT_X", []) == ["a.example", "b.example"]
    monkeypatch.setenv("ECOURT_X", "redis")
    with pytest.raises(ImproperlyConfigured, match="not one of: db, immediate"):
        env_choice("ECOURT_X", "db", {"db", "immediate"})


def test_it_reads_secrets_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-value\n", encoding="utf-8")
    monkeypatch.delenv("ECOURT_X", raising=False)
    monkeypatch.setenv("ECOURT_X_FILE", str(secret))
    assert env_str("ECOURT_X") == "s3cret-value"
    monkeypatch.setenv("ECOURT_X_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_str("ECOURT_X")


# --- DATABASE_URL ---------------------------------------------------------------------------


def test_it_resolves_a_relative_sqlite_path_against_the_project(tmp_path):
    config = parse_database_url("sqlite:///var/ecourt.sqlite3", base_dir=tmp_path)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "var" / "ecourt.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_it_keeps_an_absolute_sqlite_path(tmp_path):
    config = parse_database_url("sqlite:////srv/ecourt/db.sqlite3", base_dir=tmp_path)
    assert config["NAME"] == "/srv/ecourt/db.sqlite3"


def test_it_reads_a_postgres_url(tmp_path):
    config = parse_database_url(
        "postgres://court%40app:p%2Fss@db.internal:6543/ecourt%2Dprod?sslmode=require",
        base_dir=tmp_path,
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "ecourt-prod"
    assert config["USER"] == "court@app"
    assert config["PASSWORD"] == "p/ss"
    assert config["HOST"] == "db.internal"
    assert config["PORT"] == "6543"
    assert config["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("scheme", ["postgresql", "pgsql"])
def test_it_accepts_postgres_scheme_aliases(tmp_path, scheme):
    config = parse_database_url(f"{scheme}://localhost/ecourt", base_dir=tmp_path)
    assert (config["ENGINE"], config["NAME"], config["PORT"]) == (
        "django.db.backends.postgresql",
        "ecourt",
        "",
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite://var/ecourt.sqlite3", "use sqlite:///relative/path"),
        ("sqlite:///", "needs a file path"),
        ("postgres://localhost:5432/", "names no database"),
        ("mysql://localhost/ecourt", "not supported"),
        ("", "not supported"),
    ],
)
def test_it_rejects_unusable_database_urls(tmp_path, url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_database_url(url, base_dir=tmp_path)


def test_it_refuses_to_start_in_production_without_a_chosen_sms_backend(tmp_path):
    result = _manage(tmp_path, "check", ECOURT_SMS_BACKEND=None)
    assert result.returncode != 0
    assert "ECOURT_SMS_BACKEND is required" in result.stderr


def test_it_warns_when_production_would_run_tasks_inside_requests(tmp_path):
    result = _manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", ECOURT_TASKS_BACKEND="immediate"
    )
    assert result.returncode != 0
    assert "ecourt.W001" in result.stderr


def test_it_warns_when_the_sandbox_payment_provider_is_configured(tmp_path):
    result = _manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", ECOURT_PAYMENT_PROVIDER="sandbox"
    )
    assert result.returncode != 0
    assert "ecourt.W002" in result.stderr


def test_it_warns_when_applicants_would_not_know_where_to_pay(tmp_path):
    result = _manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", ECOURT_BANK_ACCOUNT=None
    )
    assert result.returncode != 0
    assert "ecourt.W003" in result.stderr


def test_it_checks_migrations_without_production_secrets(tmp_path):
    result = _manage(
        tmp_path,
        "makemigrations",
        "--check",
        "--dry-run",
        ECOURT_SECRET_KEY=None,
        ECOURT_ALLOWED_HOSTS=None,
        ECOURT_SMS_BACKEND=None,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "No changes detected" in result.stdout


def test_it_still_refuses_every_other_command_without_a_secret_key(tmp_path):
    result = _manage(tmp_path, "migrate", "--check", ECOURT_SECRET_KEY=None)
    assert result.returncode != 0
    assert "ECOURT_SECRET_KEY (or ECOURT_SECRET_KEY_FILE) is required" in result.stderr


def test_it_warns_when_delivery_links_would_point_at_loopback(tmp_path):
    result = _manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", ECOURT_PUBLIC_URL=None
    )
    assert result.returncode != 0
    assert "ecourt.delivery.W001" in result.stderr
