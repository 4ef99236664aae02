"""Court document benchmark (issue 7): `make bench` runs it after bench/delivery.py.

N judgments (default 200), each a realistic three-page Chinese civil judgment with its own
case number, are rendered by ``documents.render`` (Django template → WeasyPrint PDF with the
Noto CJK fonts) and sealed by ``documents.sign`` (pyHanko PAdES, ECDSA P-256, visible stamp
box on the last page, no timestamp authority). The first document of the process is timed on
its own (module imports and font loading) and is not part of the rates.

Baseline, in the same run: rendering the same HTML to PDF without signing. Ratio = rendered
and signed documents/s ÷ rendered-only documents/s (what the seal costs).

Memory: the process's peak resident set (``ru_maxrss``) after each phase, and the Python
heap's peak during one render + sign (tracemalloc; C allocations of Pango and cairo-free
pydyf are not in it).

No database: the renderer reads only a case's number and judge.

    .venv/bin/python bench/documents.py [--count N]
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARTIES = (
    "原告：张某某，女，1988年3月12日出生，汉族，住北京市海淀区。\n"
    "委托诉讼代理人：李某，北京某某律师事务所律师。\n"
    "被告：北京贝塔科技有限公司，住所地北京市朝阳区某某路18号。\n"
    "法定代表人：王某，总经理。\n"
    "委托诉讼代理人：陈某，北京某某律师事务所律师。"
)

PROCEDURE = (
    "原告张某某与被告北京贝塔科技有限公司网络购物合同纠纷一案，"
    "本院于二〇二六年九月一日立案后，依法适用普通程序，"
    "于二〇二六年十月十五日通过在线诉讼平台公开开庭进行了审理。"
    "原告张某某及其委托诉讼代理人李某，"
    "被告北京贝塔科技有限公司的委托诉讼代理人陈某到庭参加诉讼。本案现已审理终结。"
)

CLAIMS = (
    "原告张某某向本院提出诉讼请求：一、判令被告退还货款人民币12800元；"
    "二、判令被告支付惩罚性赔偿金人民币38400元；三、本案诉讼费用由被告负担。"
    "事实与理由：二〇二六年五月二十日，原告在被告经营的网络店铺购买笔记本电脑一台，"
    "支付货款12800元。收货后原告发现该电脑系翻新机，"
    "与被告页面宣传的“全新正品”不符。原告多次与被告协商退货未果，故诉至法院。"
)

DEFENCE = (
    "被告北京贝塔科技有限公司辩称：涉案商品系从正规渠道进货的全新商品，"
    "被告不存在欺诈行为。原告提交的检测报告系其单方委托作出，"
    "不能证明涉案商品为翻新机。即便商品存在质量问题，原告也仅可主张退货退款，"
    "其要求三倍赔偿没有事实和法律依据。请求驳回原告的诉讼请求。"
)

EVIDENCE = (
    "本案当事人围绕诉讼请求依法提交了证据，本院组织当事人进行了证据交换和质证。"
    "对当事人无异议的证据，本院予以确认并在卷佐证。对有争议的证据和事实，"
    "本院认定如下："
    "原告提交的电子订单、支付记录、聊天记录及第三方检测机构出具的检测报告，"
    "经在线核验，其电子数据的生成、存储和传输过程完整，"
    "被告虽不认可检测报告的证明目的，但未提交相反证据，"
    "本院对上述证据的真实性予以确认。"
)

REASONING = (
    "本院认为，原告在被告经营的网络店铺购买商品，双方之间成立网络购物合同关系，"
    "该合同系双方真实意思表示，不违反法律、行政法规的强制性规定，合法有效。"
    "经营者提供商品或者服务有欺诈行为的，应当按照消费者的要求增加赔偿其受到的损失，"
    "增加赔偿的金额为消费者购买商品的价款或者接受服务的费用的三倍。本案中，"
    "被告在商品页面明确标注“全新正品”，"
    "而检测报告显示涉案商品主板存在维修痕迹、电池循环次数达三百余次，"
    "被告未能举证证明其已向原告如实告知商品状况，其行为构成欺诈。"
)

DECISION = (
    "依照《中华人民共和国民法典》第五百零九条、第五百七十七条，"
    "《中华人民共和国消费者权益保护法》第五十五条第一款，"
    "《中华人民共和国民事诉讼法》第六十七条之规定，判决如下：\n"
    "一、被告北京贝塔科技有限公司于本判决生效之日起十日内退还原告张某某货款12800元；\n"
    "二、被告北京贝塔科技有限公司于本判决生效之日起十日内支付原告张某某赔偿金38400元；\n"
    "三、原告张某某于本判决生效之日起十日内将涉案笔记本电脑退还被告北京贝塔科技有限公司。\n"
    "如果未按本判决指定的期间履行给付金钱义务，"
    "应当依照《中华人民共和国民事诉讼法》第二百六十四条之规定，"
    "加倍支付迟延履行期间的债务利息。\n"
    "案件受理费1080元，由被告北京贝塔科技有限公司负担。\n"
    "如不服本判决，可以在判决书送达之日起十五日内，向本院递交上诉状，"
    "并按对方当事人的人数提出副本，上诉于北京市第四中级人民法院。"
)

BODY = "\n\n".join(
    [PARTIES, PROCEDURE, CLAIMS, DEFENCE, EVIDENCE, EVIDENCE, REASONING, REASONING, DECISION]
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="judgments to render and sign")
    return parser.parse_args()


def configure(var: Path) -> None:
    """Django with the test settings, a seal generated into a temporary folder."""
    os.environ["ECOURT_VAR_DIR"] = str(var)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecourt.test_settings")
    os.environ["ECOURT_SEAL_KEY_FILE"] = str(var / "court-seal.key")
    os.environ["ECOURT_SEAL_CERT_FILE"] = str(var / "court-seal.crt")
    os.environ["ECOURT_TSA_URL"] = ""  # a TSA's network round trip would dominate
    from ecourt.documents.sign import seal_generate

    seal_generate(
        var / "court-seal.key", var / "court-seal.crt", common_name="北京互联网法院 (bench)"
    )
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # a line per page otherwise
    logging.getLogger("fontTools").setLevel(logging.WARNING)


def case_for(index: int) -> Any:
    return SimpleNamespace(number=f"（2026）京0491民初{10000 + index}号", judge=None)


def maxrss_mb() -> float:
    # Linux reports kilobytes, macOS bytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    from pypdf import PdfReader

    from ecourt.documents.render import document_html, pdf_from_html, render_document_pdf
    from ecourt.documents.sign import pdf_validate

    count = ARGS.count
    kwargs: dict[str, Any] = {
        "kind": "judgment",
        "title": "民事判决书",
        "body": BODY,
        "judge": "王审判",
        "clerk": "邓书记",
    }
    print(
        f"{count:,} judgments, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        flush=True,
    )
    began = time.perf_counter()
    first = render_document_pdf(case=case_for(-1), **kwargs)
    first_seconds = time.perf_counter() - began
    report = pdf_validate(first)
    assert report.ok, report
    pages = len(PdfReader(BytesIO(first)).pages)
    print(
        f"first document of the process (imports, fonts): {first_seconds:.2f} s, "
        f"{pages} pages, {len(first) / 1024:,.0f} KiB, seal valid; peak RSS {maxrss_mb():,.0f} MB",
        flush=True,
    )

    htmls = [document_html(case=case_for(i), **kwargs) for i in range(count)]
    began, cpu = time.perf_counter(), time.process_time()
    for html in htmls:
        pdf_from_html(html)
    bare, bare_cpu = time.perf_counter() - began, time.process_time() - cpu
    bare_rate = count / bare
    print(
        f"render only (same HTML → PDF): {bare_rate:.2f} documents/s "
        f"({bare / count * 1000:.0f} ms each, {bare_cpu / count * 1000:.0f} ms CPU); "
        f"peak RSS {maxrss_mb():,.0f} MB",
        flush=True,
    )

    began, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        render_document_pdf(case=case_for(i), **kwargs)
    signed, signed_cpu = time.perf_counter() - began, time.process_time() - cpu
    rate = count / signed
    print(
        f"render + sign: {rate:.2f} documents/s ({signed / count * 1000:.0f} ms each, "
        f"{signed_cpu / count * 1000:.0f} ms CPU); ÷ render only = {rate / bare_rate:.3f} "
        f"(CPU: {bare_cpu / signed_cpu:.3f}); peak RSS {maxrss_mb():,.0f} MB",
        flush=True,
    )

    tracemalloc.start()
    render_document_pdf(case=case_for(count), **kwargs)
    _current, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"Python heap peak during one render + sign: {heap_peak / 1024 / 1024:,.1f} MB")


ARGS = parse_args()

if __name__ == "__main__":
    var = Path(tempfile.mkdtemp(prefix="ecourt-bench-documents-"))
    try:
        configure(var)
        main()
    finally:
        shutil.rmtree(var, ignore_errors=True)
