"""ecourt settings. Every value comes from the environment (see README's configuration table).

The defaults give a working local install: SQLite under ``var/``, files under ``var/media``,
mail and SMS written to the console and to ``var/``. Production sets ``ECOURT_DEBUG=0`` and
must then provide a secret key and allowed hosts; ``manage.py check --deploy`` is clean.
"""

from __future__ import annotations

import secrets
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from ecourt.delivery.rules import parse_quiet_hours
from ecourt.env import (
    env_bool,
    env_choice,
    env_date,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ECOURT_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("ECOURT_DEBUG", False)

# `manage.py makemigrations` only reads the models and writes migration files: it never serves
# a request or sends a message, so it runs without production secrets (CI and reviewers check
# migrations with a bare environment). Every other command still refuses to start without them.
_MODELS_ONLY = Path(sys.argv[0]).name in {"manage.py", "ecourt"} and sys.argv[1:2] == [
    "makemigrations"
]
_STRICT = not DEBUG and not _MODELS_ONLY


def _secret_key() -> str:
    key = env_str("ECOURT_SECRET_KEY")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured("ECOURT_SECRET_KEY must be at least 50 characters long.")
        return key
    if _STRICT:
        raise ImproperlyConfigured(
            "ECOURT_SECRET_KEY (or ECOURT_SECRET_KEY_FILE) is required when ECOURT_DEBUG is off."
        )
    if not DEBUG:
        return secrets.token_urlsafe(64)  # makemigrations: nothing is signed with it
    # Local development: generate once and keep it, so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list(
    "ECOURT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if not _STRICT else []
)
if _STRICT and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ECOURT_ALLOWED_HOSTS is required when ECOURT_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("ECOURT_CSRF_TRUSTED_ORIGINS", [])

# --- The court this installation serves (read through ecourt.core.court) -----------------
ECOURT_COURT_NAME_EN = env_str("ECOURT_COURT_NAME_EN", "Internet Court") or "Internet Court"
ECOURT_COURT_NAME_ZH = env_str("ECOURT_COURT_NAME_ZH", "互联网法院") or "互联网法院"
ECOURT_COURT_CODE = env_str("ECOURT_COURT_CODE", "京0491") or "京0491"
TIME_ZONE = env_str("ECOURT_TIME_ZONE", "Asia/Shanghai") or "Asia/Shanghai"
ECOURT_SUPPORT_PHONE = env_str("ECOURT_SUPPORT_PHONE", "") or ""

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "ecourt.core",
    "ecourt.accounts",
    "ecourt.cases",
    "ecourt.mediation",
    "ecourt.evidence",
    "ecourt.documents",
    "ecourt.delivery",
    "ecourt.hearings",
    "ecourt.stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ecourt.core.middleware.RequestContextMiddleware",
    "ecourt.core.middleware.ApiProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ecourt.accounts.middleware.UserLanguageMiddleware",
    "ecourt.accounts.middleware.StaffOtpRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "ecourt.stats.middleware.VisitCountingMiddleware",
]

ROOT_URLCONF = "ecourt.urls"
WSGI_APPLICATION = "ecourt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ecourt" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ecourt.core.context_processors.court",
            ],
        },
    }
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'ecourt.sqlite3'}", base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ecourt.accounts.backends.MobileOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("display_name", "mobile", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "core:home"

# --- Lockout after repeated failed logins (django-axes) -----------------------------------
AXES_FAILURE_LIMIT = env_int("ECOURT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
_lockout_minutes = env_int("ECOURT_LOGIN_LOCKOUT_MINUTES", 30, minimum=0)
# 0 means "locked until an administrator unlocks the account".
AXES_COOLOFF_TIME = timedelta(minutes=_lockout_minutes) if _lockout_minutes else None
# Per login name and address (django-axes): a stranger cannot lock a litigant out from their
# own address, and a shared carrier NAT does not lock out everyone behind it. Guessing one
# account from many addresses is stopped by a second, higher per-account limit
# (ECOURT_ACCOUNT_FAILURE_LIMIT, accounts/views/auth.py), which pauses quietly: a paused account
# answers like a wrong password, so the pause reveals nothing, and the owner lifts it by
# resetting the password with a code to their mobile.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
ECOURT_ACCOUNT_FAILURE_LIMIT = env_int("ECOURT_ACCOUNT_FAILURE_LIMIT", 20, minimum=1)
_SILENCED: list[str] = []
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "ecourt.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "ecourt.accounts.views.auth.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Number of trusted reverse proxies in front of gunicorn (each appends to X-Forwarded-For).
ECOURT_PROXY_COUNT = env_int("ECOURT_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "ecourt.core.middleware.client_ip"
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "ecourt" / "locale"]
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "ecourt_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "ecourt" / "static"]
MEDIA_ROOT = Path(env_str("ECOURT_MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": env_str("ECOURT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
        or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = DEBUG
ECOURT_MAX_IMAGE_UPLOAD_BYTES = env_int("ECOURT_MAX_IMAGE_UPLOAD_MB", 8, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Mail and SMS ---------------------------------------------------------------------------
EMAIL_BACKEND = (
    env_str("ECOURT_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    or "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("ECOURT_EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = env_int("ECOURT_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("ECOURT_EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("ECOURT_EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("ECOURT_EMAIL_USE_TLS", False)
# A hung mail server must not hold a worker (and so every other message) for ever.
EMAIL_TIMEOUT = env_int("ECOURT_EMAIL_TIMEOUT_SECONDS", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("ECOURT_EMAIL_FROM", "ecourt <noreply@localhost>") or ""
SERVER_EMAIL = DEFAULT_FROM_EMAIL

_SMS_BACKENDS = {"file", "console", "http", "locmem"}
if _STRICT and not env_str("ECOURT_SMS_BACKEND"):
    # The local backends keep one-time codes readable in a file or the log: a production
    # install must choose on purpose.
    raise ImproperlyConfigured(
        "ECOURT_SMS_BACKEND is required when ECOURT_DEBUG is off (http for a provider; "
        "file or console only on a server that is not in service)."
    )
ECOURT_SMS_BACKEND = env_choice("ECOURT_SMS_BACKEND", "file", _SMS_BACKENDS)
ECOURT_SMS_FILE_PATH = Path(env_str("ECOURT_SMS_FILE_PATH") or VAR_DIR / "sms-outbox.jsonl")
ECOURT_SMS_HTTP_URL = env_str("ECOURT_SMS_HTTP_URL", "") or ""
ECOURT_SMS_HTTP_TOKEN = env_str("ECOURT_SMS_HTTP_TOKEN", "") or ""
ECOURT_SMS_SENDER = env_str("ECOURT_SMS_SENDER", "ecourt") or "ecourt"
# The staff "SMS outbox" page reads the file backend's log: useful locally, never in production.
ECOURT_SMS_OUTBOX_PAGE = env_bool("ECOURT_SMS_OUTBOX_PAGE", DEBUG)
if ECOURT_SMS_BACKEND == "http" and not ECOURT_SMS_HTTP_URL:
    raise ImproperlyConfigured("ECOURT_SMS_BACKEND=http needs ECOURT_SMS_HTTP_URL.")

# --- Electronic delivery ----------------------------------------------------------------------
# The address people reach the platform at, for the links in texts and emails.
ECOURT_PUBLIC_URL = (env_str("ECOURT_PUBLIC_URL", "http://127.0.0.1:8000") or "").rstrip("/")
# Court-time window in which no text message goes out (legal service and notices alike; the
# platform inbox is written at any hour). Empty: no quiet hours. None by default in debug, so
# someone trying the platform at night sees the texts at once.
ECOURT_SMS_QUIET_HOURS = env_str("ECOURT_SMS_QUIET_HOURS", "" if DEBUG else "22:00-08:00") or ""
try:
    parse_quiet_hours(ECOURT_SMS_QUIET_HOURS)
except ValueError:
    raise ImproperlyConfigured(
        "ECOURT_SMS_QUIET_HOURS must look like 22:00-08:00 (court time), or be empty."
    ) from None
# Whether a delivery email carries the document's text (default: only a notice with a link).
ECOURT_DELIVERY_EMAIL_TEXT = env_bool("ECOURT_DELIVERY_EMAIL_TEXT", False)
# Deliveries a worker claims at a time.
ECOURT_DELIVERY_BATCH = env_int("ECOURT_DELIVERY_BATCH", 50, minimum=1)

# --- Background tasks -----------------------------------------------------------------------
_TASKS_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": _TASKS_BACKENDS[env_choice("ECOURT_TASKS_BACKEND", "db", set(_TASKS_BACKENDS))],
        "QUEUES": ["default"],
    }
}

# --- Caches (rate limits and throttles are database-backed, so a local cache suffices) ------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Sessions and security headers ---------------------------------------------------------
SESSION_COOKIE_NAME = "ecourt_session"
SESSION_COOKIE_AGE = env_int("ECOURT_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "ecourt.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("ECOURT_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ECOURT_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("ECOURT_HSTS_PRELOAD", False)
    SECURE_SSL_REDIRECT = env_bool("ECOURT_SSL_REDIRECT", True)
    # Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
    if env_bool("ECOURT_BEHIND_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    if not SECURE_HSTS_PRELOAD:
        _SILENCED.append("security.W021")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- Identity and one-time codes -----------------------------------------------------------
ECOURT_OTP_TTL_SECONDS = env_int("ECOURT_OTP_TTL_SECONDS", 600, minimum=60)
ECOURT_OTP_MAX_ATTEMPTS = env_int("ECOURT_OTP_MAX_ATTEMPTS", 5, minimum=1)
ECOURT_OTP_RESEND_SECONDS = env_int("ECOURT_OTP_RESEND_SECONDS", 60, minimum=0)
ECOURT_OTP_PER_DESTINATION_PER_HOUR = env_int("ECOURT_OTP_PER_DESTINATION_PER_HOUR", 5, minimum=1)
ECOURT_OTP_PER_IP_PER_HOUR = env_int("ECOURT_OTP_PER_IP_PER_HOUR", 20, minimum=1)
OTP_TOTP_ISSUER = ECOURT_COURT_NAME_EN
# "documents": PRC identity card numbers passing the national-standard checks are verified at
# once and other documents go to staff; "all": staff review every identity submission.
ECOURT_IDENTITY_REVIEW = env_choice("ECOURT_IDENTITY_REVIEW", "documents", {"documents", "all"})

# --- Filing: fees and payments ------------------------------------------------------------
# Amounts the Measures on the Payment of Litigation Costs (2007) Art. 13 leave to the court,
# in whole yuan within the statutory range (checked by ecourt.cases.rules.fees.FeeSchedule).
ECOURT_FEE_PERSONALITY_RIGHTS = Decimal(env_int("ECOURT_FEE_PERSONALITY_RIGHTS", 300, minimum=0))
ECOURT_FEE_IP_NO_AMOUNT = Decimal(env_int("ECOURT_FEE_IP_NO_AMOUNT", 800, minimum=0))
ECOURT_FEE_OTHER_NON_PROPERTY = Decimal(env_int("ECOURT_FEE_OTHER_NON_PROPERTY", 75, minimum=0))
# "bank_transfer": the payer transfers with a reference and a clerk confirms the receipt;
# "sandbox": the payer's click pays at once (demo and practice court only).
ECOURT_PAYMENT_PROVIDER = env_choice(
    "ECOURT_PAYMENT_PROVIDER", "bank_transfer", {"bank_transfer", "sandbox"}
)
ECOURT_BANK_PAYEE = env_str("ECOURT_BANK_PAYEE", "") or ""
ECOURT_BANK_NAME = env_str("ECOURT_BANK_NAME", "") or ""
ECOURT_BANK_ACCOUNT = env_str("ECOURT_BANK_ACCOUNT", "") or ""
# Days a defendant's case association code stays valid.
ECOURT_ASSOCIATION_CODE_DAYS = env_int("ECOURT_ASSOCIATION_CODE_DAYS", 30, minimum=1)

# --- Pre-filing mediation -------------------------------------------------------------------
# Days of mediation from assignment, and the one extension the parties may agree to.
ECOURT_MEDIATION_DAYS = env_int("ECOURT_MEDIATION_DAYS", 30, minimum=1)
ECOURT_MEDIATION_EXTENSION_DAYS = env_int("ECOURT_MEDIATION_EXTENSION_DAYS", 30, minimum=1)
# The video provider for online sessions: a URL with {room} (an unguessable room name).
ECOURT_MEETING_URL_TEMPLATE = (
    env_str("ECOURT_MEETING_URL_TEMPLATE", "https://meet.jit.si/{room}") or ""
)
if "{room}" not in ECOURT_MEETING_URL_TEMPLATE or not ECOURT_MEETING_URL_TEMPLATE.startswith(
    ("https://", "http://")
):
    raise ImproperlyConfigured("ECOURT_MEETING_URL_TEMPLATE must be an http(s) URL with {room}.")

# --- Trial: hearings and court documents ----------------------------------------------------
# Jitsi Meet with JWT rooms: with both set, hearing links carry a signed token (HS256) naming
# the participant and the room; without them the plain ECOURT_MEETING_URL_TEMPLATE is used.
ECOURT_JITSI_APP_ID = env_str("ECOURT_JITSI_APP_ID", "") or ""
ECOURT_JITSI_SECRET = env_str("ECOURT_JITSI_SECRET", "") or ""
# The court's seal: a PEM private key and certificate that sign issued PDFs (PAdES). Without
# them "make run" generates a self-signed demo pair under var/ (check --deploy errors).
ECOURT_SEAL_KEY_FILE = Path(env_str("ECOURT_SEAL_KEY_FILE") or VAR_DIR / "court-seal.key")
ECOURT_SEAL_CERT_FILE = Path(env_str("ECOURT_SEAL_CERT_FILE") or VAR_DIR / "court-seal.crt")
# An RFC 3161 timestamp authority for signatures; empty: signed without a timestamp token.
ECOURT_TSA_URL = env_str("ECOURT_TSA_URL", "") or ""

# Statistics (docs/statistics.md). The launch date is where the public figures start by
# default; unset, the first day anything was counted.
ECOURT_LAUNCH_DATE = env_date("ECOURT_LAUNCH_DATE")
# Page views are counted in memory and written in batches every few seconds; a crash loses at
# most that many seconds of counts. 0 turns counting off.
ECOURT_VISIT_FLUSH_SECONDS = env_int("ECOURT_VISIT_FLUSH_SECONDS", 5, minimum=0)
# A folder of decision templates that replaces the built-in ones (same file names).
ECOURT_DOCUMENT_TEMPLATE_DIR = env_str("ECOURT_DOCUMENT_TEMPLATE_DIR", "") or ""

# --- Electronic evidence and its transparency log ------------------------------------------
# The court's log signing key, "PRIVATE+KEY+<origin>+<key ID>+<key>" (from
# "ecourt evidence keygen"); its name is the log's origin. Without it, the key file under
# var/ that "make run" creates on first run; without both, the log cannot sign (a system check
# says so) and deposits wait.
_LOG_KEY_FILE = VAR_DIR / "evidence-log.key"
ECOURT_LOG_KEY = env_str("ECOURT_LOG_KEY") or (
    _LOG_KEY_FILE.read_text(encoding="utf-8").strip() if _LOG_KEY_FILE.exists() else ""
)
# How many of the court's trusted witnesses must cosign a checkpoint before receipts use it.
ECOURT_LOG_WITNESS_QUORUM = env_int("ECOURT_LOG_WITNESS_QUORUM", 0, minimum=0)
# The sequencer: at most this many deposits per checkpoint, one batch every period (ms).
ECOURT_LOG_BATCH_SIZE = env_int("ECOURT_LOG_BATCH_SIZE", 1000, minimum=1)
ECOURT_LOG_BATCH_PERIOD_MS = env_int("ECOURT_LOG_BATCH_PERIOD_MS", 500, minimum=10)
# Uploads of evidence files: the largest accepted, and the ClamAV daemon (unix socket path or
# host:port) that scans each one; empty means no scan.
ECOURT_EVIDENCE_MAX_BYTES = env_int("ECOURT_EVIDENCE_MAX_BYTES", 2 * 1024**3, minimum=1)
ECOURT_CLAMD = env_str("ECOURT_CLAMD", "") or ""

# --- Logging: plain lines to stderr, one per event -----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ecourt.core.context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stderr"], "level": env_str("ECOURT_LOG_LEVEL", "INFO") or "INFO"},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

SILENCED_SYSTEM_CHECKS = _SILENCED
