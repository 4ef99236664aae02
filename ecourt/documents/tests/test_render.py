"""Rendering and sealing court documents: the Chinese text survives into the PDF, the seal
validates against the court's certificate, one flipped byte breaks it, nothing is fetched.

One signed judgment is rendered per module (a render takes a few tenths of a second, the
first one in a process a few seconds: fonts load) and shared by the read-only tests.
"""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from pypdf import PdfReader

from ecourt.core.court import get_court_profile
from ecourt.documents import sign
from ecourt.documents.render import (
    date_zh,
    document_html,
    pdf_from_html,
    render_document_pdf,
    url_fetcher,
)
from ecourt.documents.sign import SealUnavailable, pdf_sign, pdf_validate, seal_generate

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIGNED_AT = datetime(2026, 11, 29, 10, 30, tzinfo=SHANGHAI)
NUMBER = "（2026）京0491民初123号"
BODY = """原告：张三，女，1990年1月1日出生，住北京市海淀区。
被告：北京贝塔科技有限公司，住所地北京市朝阳区。

原告张三与被告北京贝塔科技有限公司买卖合同纠纷一案，本院立案后，依法适用普通程序，公开开庭进行了审理。
本院认为，当事人对自己提出的主张，有责任提供证据。
判决如下：
一、被告北京贝塔科技有限公司于本判决生效之日起十日内支付原告张三货款10000元。"""


def case_stub(number: str = NUMBER) -> SimpleNamespace:
    """What the renderer reads from a case (its number and judge): no database needed."""
    return SimpleNamespace(number=number, judge=None)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def seal_widget(pdf: bytes) -> Any:
    last = PdfReader(BytesIO(pdf)).pages[-1]
    widgets = [a.get_object() for a in last.get("/Annots", [])]
    seals = [w for w in widgets if w.get("/T") == sign.FIELD_NAME]
    assert len(seals) == 1
    return seals[0]


def stamp_streams(pdf: bytes) -> list[bytes]:
    """The decoded content of the seal's appearance and of every form it draws."""
    found: list[bytes] = []
    todo = [seal_widget(pdf)["/AP"]["/N"].get_object()]
    while todo:
        stream = todo.pop()
        found.append(stream.get_data())
        xobjects = stream.get("/Resources", {}).get("/XObject", {})
        todo.extend(x.get_object() for x in xobjects.values())
    return found


@pytest.fixture(scope="module")
def judgment() -> bytes:
    with time_machine.travel(SIGNED_AT, tick=False):
        return render_document_pdf(
            case=case_stub(),
            kind="judgment",
            title="张三诉北京贝塔科技有限公司买卖合同纠纷",
            body=BODY,
            judge="王审判",
            clerk="邓书记",
        )


def test_it_keeps_the_chinese_text_extractable(judgment: bytes) -> None:
    text = text_of(judgment)
    assert get_court_profile().name_zh in text
    assert "民事判决书" in text
    assert NUMBER in text
    for words in ("原告", "被告", "判决如下", "本院认为", "王审判", "邓书记"):
        assert words in text
    assert "二〇二六年十一月二十九日" in text


def test_the_seal_validates_against_the_court_certificate(judgment: bytes) -> None:
    report = pdf_validate(judgment)
    assert report.valid and report.intact and report.trusted and report.coverage_ok
    assert report.ok
    assert report.signer == "测试互联网法院 Test Internet Court"
    assert not report.timestamped  # no ECOURT_TSA_URL in tests


def test_it_records_the_signing_time(judgment: bytes) -> None:
    report = pdf_validate(judgment)
    assert report.signed_at is not None
    assert abs((report.signed_at - SIGNED_AT).total_seconds()) < 1
    # The visible stamp shows the same time.
    content = b"".join(stamp_streams(judgment))
    unescaped = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), content)
    assert b"(2026-11-29 10:30:00 +08:00) Tj" in unescaped


def test_the_signature_field_is_visible_on_the_last_page(judgment: bytes) -> None:
    seal = seal_widget(judgment)
    assert seal["/FT"] == "/Sig" and "/AP" in seal
    x1, y1, x2, y2 = (float(v) for v in seal["/Rect"])
    assert x2 - x1 > 100 and y2 - y1 > 40


def test_the_signature_is_pades(judgment: bytes) -> None:
    assert b"/ETSI.CAdES.detached" in judgment


def test_a_flipped_byte_in_the_signed_range_breaks_the_seal(judgment: bytes) -> None:
    reader = PdfReader(BytesIO(judgment))
    signature = reader.trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()["/V"]
    start, length = signature["/ByteRange"][0], signature["/ByteRange"][1]
    tampered = bytearray(judgment)
    # A byte of the first signed range, inside a content stream (not the header or xref).
    position = start + length // 2
    tampered[position] ^= 0x01
    report = pdf_validate(bytes(tampered))
    assert not report.ok
    assert not report.intact or not report.valid


def test_a_damaged_or_unsigned_pdf_gives_a_report_not_an_exception(judgment: bytes) -> None:
    garbled = pdf_validate(b"%PDF-1.7\n" + b"\x00" * 100)
    assert not garbled.ok and garbled.error
    unsigned = pdf_validate(pdf_from_html("<p>未签章</p>"))
    assert not unsigned.ok and "no signature" in unsigned.error


def test_another_seal_is_not_trusted(judgment: bytes, tmp_path: Path) -> None:
    seal_generate(tmp_path / "k.pem", tmp_path / "c.pem", common_name="伪造法院")
    with override_settings(
        ECOURT_SEAL_KEY_FILE=tmp_path / "k.pem", ECOURT_SEAL_CERT_FILE=tmp_path / "c.pem"
    ):
        forged = pdf_sign(pdf_from_html("<p>伪造</p>"), reason="x", location="y")
    report = pdf_validate(forged)  # checked against the court's own certificate
    assert report.intact and report.valid and not report.trusted and not report.ok


def test_a_missing_key_raises_seal_unavailable_naming_the_setting(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.key"
    with (
        override_settings(ECOURT_SEAL_KEY_FILE=missing),
        pytest.raises(SealUnavailable) as caught,
    ):
        pdf_sign(b"%PDF-1.7", reason="x", location="y")
    message = str(caught.value)
    assert "ECOURT_SEAL_KEY_FILE" in message and str(missing) in message
    assert "ecourt documents sealgen" in message


def test_a_certificate_of_another_key_is_refused(tmp_path: Path) -> None:
    seal_generate(tmp_path / "a.key", tmp_path / "a.crt", common_name="A")
    seal_generate(tmp_path / "b.key", tmp_path / "b.crt", common_name="B")
    with override_settings(
        ECOURT_SEAL_KEY_FILE=tmp_path / "a.key", ECOURT_SEAL_CERT_FILE=tmp_path / "b.crt"
    ):
        assert "does not match the key" in (sign.seal_problem() or "")


def test_seal_generate_writes_private_files_once(tmp_path: Path) -> None:
    key, cert = tmp_path / "seal.key", tmp_path / "seal.crt"
    seal_generate(key, cert, common_name="测试法院")
    assert key.stat().st_mode & 0o777 == 0o600
    assert cert.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        seal_generate(key, cert, common_name="测试法院")


def test_sealgen_command_writes_a_pair_and_skips_when_present(tmp_path: Path) -> None:
    key, cert = tmp_path / "s.key", tmp_path / "s.crt"
    call_command("documents", "sealgen", "--write-key", str(key), "--write-cert", str(cert))
    assert key.exists() and cert.exists()
    before = key.read_bytes()
    call_command(
        "documents", "sealgen", "--write-key", str(key), "--write-cert", str(cert), "--if-missing"
    )
    assert key.read_bytes() == before


def test_the_html_escapes_the_body() -> None:
    html = document_html(
        case=case_stub(), kind="ruling", title="裁定", body="<script>alert(1)</script>\n正文"
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "民事裁定书" in html


def test_english_documents_use_english_names_and_dates() -> None:
    html = document_html(
        case=case_stub("(2026) Jing 0491 Min Chu 123"),
        kind="summons",
        title="Summons",
        body="You are summoned.",
        language="en",
        issued_at=SIGNED_AT,
    )
    assert get_court_profile().name_en in html
    assert "Summons" in html and "2026-11-29" in html
    assert "传票" not in html


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime(2026, 11, 29, 12, tzinfo=SHANGHAI), "二〇二六年十一月二十九日"),
        (datetime(2030, 1, 10, 12, tzinfo=SHANGHAI), "二〇三〇年一月十日"),
        (datetime(2027, 10, 31, 12, tzinfo=SHANGHAI), "二〇二七年十月三十一日"),
        # 23:30 on 31 December UTC is already 1 January in Beijing.
        (datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")), "二〇二七年一月一日"),
    ],
)
def test_chinese_dates(day: datetime, expected: str) -> None:
    assert date_zh(day) == expected


def test_the_fetcher_refuses_anything_but_data_urls() -> None:
    fetcher = url_fetcher()
    for url in ("http://127.0.0.1:9/x.png", "https://example.com/a.css", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,aGk=") is not None


def test_external_resources_are_not_loaded() -> None:
    pdf = pdf_from_html(
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        '<img src="file:///etc/hostname" alt="外部"><p>正文</p>'
    )
    assert "正文" in text_of(pdf)


def test_the_system_checks_name_a_missing_seal(tmp_path: Path) -> None:
    from ecourt.documents.checks import seal_check, seal_deploy_check

    assert seal_check(None) == [] and seal_deploy_check(None) == []
    with override_settings(ECOURT_SEAL_CERT_FILE=tmp_path / "missing.crt"):
        [warning] = seal_check(None)
        [error] = seal_deploy_check(None)
    assert warning.id == "ecourt.documents.W001"
    assert error.id == "ecourt.documents.E001"
    assert "ECOURT_SEAL_CERT_FILE" in error.msg
