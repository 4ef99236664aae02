"""The court's electronic seal: a PAdES signature on every PDF the court issues.

The seal is a private key and its certificate in two PEM files (``ECOURT_SEAL_KEY_FILE``,
``ECOURT_SEAL_CERT_FILE``); ``ecourt documents sealgen`` makes a self-signed demo pair. The
signature carries a visible stamp box on the last page (the court's name, 电子签章 and the
signing time) and, when ``ECOURT_TSA_URL`` is set, an RFC 3161 timestamp token.

pyHanko is imported inside the functions that need it: it takes over a second to import, and
``seal_generate`` runs while the test settings load.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

if TYPE_CHECKING:
    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.sign.signers import SimpleSigner

logger = logging.getLogger(__name__)

#: Name of the signature field the seal fills.
FIELD_NAME = "CourtSeal"
#: The stamp box on the last page, in PDF points from the bottom left of an A4 page: in the
#: bottom margin, right-aligned with the text (render.py keeps that margin free).
STAMP_BOX = (355, 22, 523, 82)
#: Room for the signature container (an ECDSA signature with the certificate; a timestamp
#: token and its TSA chain need more).
SIGNATURE_SIZE = 8192
SIGNATURE_SIZE_WITH_TSA = 24576
SEAL_COMMAND = "ecourt documents sealgen"


class SealUnavailable(ImproperlyConfigured):
    """The seal's key or certificate file is missing or unreadable: nothing can be signed."""


@dataclass(frozen=True)
class SignatureReport:
    """What pyHanko's validator says about the (first) signature of a PDF."""

    valid: bool  # the signature matches the signed bytes and the certificate's key
    intact: bool  # the signed byte ranges are unchanged
    trusted: bool  # the certificate chains to the court's seal certificate
    signer: str  # the certificate's common name
    signed_at: datetime | None  # the signing time the signer claims
    timestamped: bool  # an RFC 3161 timestamp token is embedded
    coverage_ok: bool  # the signature covers the whole file (nothing appended afterwards)
    error: str = ""  # why the PDF or its signature could not be read at all

    @property
    def ok(self) -> bool:
        return self.valid and self.intact and self.trusted and self.coverage_ok


# --- The key pair -------------------------------------------------------------------------------


def seal_generate(key_path: Path | str, cert_path: Path | str, *, common_name: str) -> None:
    """Write a new ECDSA P-256 key and a self-signed certificate for it, valid ten years, for
    signatures only (digitalSignature + nonRepudiation). Both files are created with mode
    0600 and never overwritten. Needs no Django setup (the test settings call it)."""
    key_path, cert_path = Path(key_path), Path(cert_path)
    for path in (key_path, cert_path):
        if path.exists():
            raise FileExistsError(f"{path} exists; a seal is never overwritten.")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        ]
    )
    now = datetime.now(tz=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3652))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_new(key_path, key_pem)
    _write_new(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def _write_new(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def seal_paths() -> tuple[Path, Path]:
    from django.conf import settings

    return Path(settings.ECOURT_SEAL_KEY_FILE), Path(settings.ECOURT_SEAL_CERT_FILE)


def seal_problem() -> str | None:
    """Why the seal cannot sign, or None (used by the system checks; reads both files)."""
    try:
        _seal_material()
    except SealUnavailable as exc:
        return str(exc)
    return None


def _unavailable(setting: str, path: Path, reason: str) -> SealUnavailable:
    return SealUnavailable(
        f"The court seal cannot sign: {setting} ({path}) {reason}. Create a demo pair with "
        f"'{SEAL_COMMAND}' (make run does), or set ECOURT_SEAL_KEY_FILE and "
        "ECOURT_SEAL_CERT_FILE to the court's PEM key and certificate."
    )


def _stat(setting: str, path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        raise _unavailable(setting, path, "is missing") from None


def _seal_material() -> tuple[bytes, bytes]:
    """The key and certificate, as PEM bytes (cached while the files do not change)."""
    key_path, cert_path = seal_paths()
    return _read_seal(
        key_path,
        _stat("ECOURT_SEAL_KEY_FILE", key_path),
        cert_path,
        _stat("ECOURT_SEAL_CERT_FILE", cert_path),
    )


@functools.lru_cache(maxsize=4)
def _read_seal(
    key_path: Path, _key_mtime: float, cert_path: Path, _cert_mtime: float
) -> tuple[bytes, bytes]:
    try:
        key_pem = key_path.read_bytes()
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise _unavailable("ECOURT_SEAL_KEY_FILE", key_path, f"is unreadable ({exc})") from None
    try:
        cert_pem = cert_path.read_bytes()
        cert = x509.load_pem_x509_certificate(cert_pem)
    except (OSError, ValueError) as exc:
        raise _unavailable("ECOURT_SEAL_CERT_FILE", cert_path, f"is unreadable ({exc})") from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ) != cert.public_key().public_bytes(serialization.Encoding.DER, public):
        raise _unavailable("ECOURT_SEAL_CERT_FILE", cert_path, "does not match the key")
    return key_pem, cert_pem


@functools.lru_cache(maxsize=4)
def _signer_for(key_pem: bytes, cert_pem: bytes) -> SimpleSigner:
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    [cert] = load_certs_from_pemder_data(cert_pem)
    key = load_private_key_from_pemder_data(key_pem, passphrase=None)
    return SimpleSigner(
        signing_cert=cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([cert]),
    )


def seal_signer() -> SimpleSigner:
    """The pyHanko signer for the court's seal; raises ``SealUnavailable``."""
    key_pem, cert_pem = _seal_material()
    return _signer_for(key_pem, cert_pem)


def seal_certificate_der() -> bytes | None:
    """The seal certificate (DER), or None when its file is missing or unreadable."""
    _key, cert_path = seal_paths()
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError):
        return None
    return cert.public_bytes(serialization.Encoding.DER)


# --- Signing ----------------------------------------------------------------------------------


def pdf_sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """Sign ``pdf`` with the court's seal (PAdES baseline, SHA-256) in a new visible field on
    the last page. With ``ECOURT_TSA_URL`` the signature gets an RFC 3161 timestamp token
    (a network call to the TSA). Raises ``SealUnavailable`` without the seal's files."""
    from django.conf import settings
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.stamp import TextStampStyle

    from ecourt.core.court import get_court_profile

    signer = seal_signer()
    court = get_court_profile()
    timestamper = HTTPTimeStamper(settings.ECOURT_TSA_URL) if settings.ECOURT_TSA_URL else None
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=location,
        name=court.name_zh,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    # The stamp's Chinese words are a small PDF page WeasyPrint drew once (pyHanko's own text
    # engine needs HarfBuzz bindings for CJK); the signing time is written over it in ASCII.
    style = TextStampStyle(
        stamp_text="%(ts)s",
        timestamp_format="%Y-%m-%d %H:%M:%S +08:00",
        text_box_style=TextBoxStyle(font_size=7),
        background=_stamp_background(court.name_zh),
        background_opacity=1.0,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID,
            y_align=AxisAlignment.ALIGN_MAX,
            margins=Margins(left=2, right=2, top=2, bottom=12),
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MID,
            y_align=AxisAlignment.ALIGN_MIN,
            margins=Margins(bottom=3),
        ),
        border_width=1,
        border_color=(0.78, 0.06, 0.06),
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=-1, box=STAMP_BOX),
    )
    now = datetime.now(tz=court.time_zone)
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    out = BytesIO()
    _outside_event_loop(
        pdf_signer.sign_pdf,
        writer,
        output=out,
        bytes_reserved=SIGNATURE_SIZE_WITH_TSA if timestamper else SIGNATURE_SIZE,
        appearance_text_params={"ts": now.strftime("%Y-%m-%d %H:%M:%S +08:00")},
    )
    return out.getvalue()


def _outside_event_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call one of pyHanko's synchronous functions, which run their own event loop with
    ``asyncio.run``: in a worker thread when this thread already runs a loop (an ASGI server,
    or Playwright's in a test process), where ``asyncio.run`` would refuse."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def _stamp_background(court_name: str) -> PdfContent:
    """A pyHanko ``PdfContent`` drawing the stamp's words: the first page of ``_stamp_pdf``
    as a form XObject (pyHanko's ``ImportedPdfPage`` does the same from a file)."""
    from pyhanko.pdf_utils.content import PdfContent
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = _stamp_pdf(court_name)

    class StampWords(PdfContent):
        def render(self) -> bytes:
            xobj = self._ensure_writer.import_page_as_xobject(PdfFileReader(BytesIO(data)), 0)
            name = "/CourtSealWords"
            self.resources.xobject[name] = xobj
            x1, y1, x2, y2 = xobj.get_object()["/BBox"]
            self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
            return name.encode("ascii") + b" Do"

    return StampWords()


@functools.lru_cache(maxsize=2)
def _stamp_pdf(court_name: str) -> bytes:
    """The stamp's words (court name, 电子签章) as a one-page PDF the size of the box."""
    from django.utils.html import escape

    from ecourt.documents.render import pdf_from_html

    width = STAMP_BOX[2] - STAMP_BOX[0] - 4
    height = STAMP_BOX[3] - STAMP_BOX[1] - 14
    html = f"""<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><style>
@page {{ size: {width}pt {height}pt; margin: 0; }}
body {{ margin: 0; font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif;
       color: #c81010; text-align: center; }}
.court {{ font-size: 9pt; font-weight: bold; margin-top: 4pt; white-space: nowrap; }}
.seal {{ font-size: 12pt; font-weight: bold; letter-spacing: 4pt; margin-top: 3pt; }}
</style></head><body><div class="court">{escape(court_name)}</div>
<div class="seal">电子签章</div></body></html>"""
    return pdf_from_html(html)


# --- Validation -------------------------------------------------------------------------------


def pdf_validate(pdf: bytes, *, trust_root_der: bytes | None = None) -> SignatureReport:
    """Check the PDF's first signature with pyHanko, the court's seal certificate (or
    ``trust_root_der``) as the only trust root. Never raises on a damaged or unsigned PDF:
    the report says what is wrong."""
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    root = trust_root_der if trust_root_der is not None else seal_certificate_der()
    roots = list(load_certs_from_pemder_data(root)) if root else []

    def failed(error: str) -> SignatureReport:
        return SignatureReport(
            valid=False,
            intact=False,
            trusted=False,
            signer="",
            signed_at=None,
            timestamped=False,
            coverage_ok=False,
            error=error,
        )

    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            return failed("The PDF has no signature.")
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status: Any = _outside_event_loop(validate_pdf_signature, signatures[0], context)
    except (PdfError, SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        logger.info("PDF signature unreadable: %s", exc)
        return failed(f"The PDF or its signature cannot be read: {exc}")
    signer = ""
    if status.signing_cert is not None:
        signer = status.signing_cert.subject.native.get("common_name", "")
    return SignatureReport(
        valid=bool(status.valid),
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        signer=str(signer),
        signed_at=status.signer_reported_dt,
        timestamped=status.timestamp_validity is not None,
        coverage_ok=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
    )
