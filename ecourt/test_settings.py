"""Settings for the test suite: production-like (DEBUG off) but over plain HTTP on loopback,
with tasks run at once, texts kept in memory and files in a temporary folder."""

import os
import tempfile

os.environ.setdefault("ECOURT_DEBUG", "0")
os.environ.setdefault("ECOURT_SECRET_KEY", "test-secret-key-" + "x" * 48)
os.environ.setdefault("ECOURT_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("ECOURT_TASKS_BACKEND", "immediate")
os.environ.setdefault("ECOURT_SMS_BACKEND", "locmem")
os.environ.setdefault("ECOURT_SMS_QUIET_HOURS", "")
os.environ.setdefault("ECOURT_VAR_DIR", tempfile.mkdtemp(prefix="ecourt-test-"))
os.environ.setdefault("ECOURT_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

if "ECOURT_LOG_KEY" not in os.environ:
    # A fresh log key per run (subprocesses of the test run inherit it).
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ecourt.evidence.tlog.note import signer_key_string

    os.environ["ECOURT_LOG_KEY"] = signer_key_string(
        "test.ecourt.invalid/evidence", Ed25519PrivateKey.generate()
    )

if "ECOURT_SEAL_KEY_FILE" not in os.environ:
    # A fresh self-signed court seal per run, in the run's folder (subprocesses inherit it).
    from pathlib import Path

    from ecourt.documents.sign import seal_generate

    _seal_dir = Path(os.environ["ECOURT_VAR_DIR"])
    os.environ["ECOURT_SEAL_KEY_FILE"] = str(_seal_dir / "court-seal.key")
    os.environ["ECOURT_SEAL_CERT_FILE"] = str(_seal_dir / "court-seal.crt")
    if not Path(os.environ["ECOURT_SEAL_KEY_FILE"]).exists():
        seal_generate(
            os.environ["ECOURT_SEAL_KEY_FILE"],
            os.environ["ECOURT_SEAL_CERT_FILE"],
            common_name="测试互联网法院 Test Internet Court",
        )

from ecourt.settings import *  # noqa: F403

# Browsers do not send Secure cookies over plain http to 127.0.0.1; tests run without TLS.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# SQLite tests use a file, not shared-cache memory: a file database has WAL, the busy timeout
# and IMMEDIATE transactions exactly as in service, so concurrency tests mean something.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
