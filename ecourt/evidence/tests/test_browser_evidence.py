"""Evidence in headless Chromium, as people click through it:

- Alice, on a phone, adds a 20 MiB file: the script sends it in chunks, the progress bar
  climbs to 100 % and the item is on her list; she downloads its receipt once the log has it,
  and it verifies.
- A dropped connection mid-upload is retried and resumed; after a reload, choosing the same
  file resumes the same upload where it stopped instead of starting again.
- Anyone checks the same file on the verification page: hashed in the browser, never sent,
  found deposited, and its proof verifies.
- Our SHA-256 (sha256.js) gives the FIPS 180-4 answers.
- axe-core on every evidence page in both languages.

Browser tests fail (never skip) when CI=true and Chromium is missing: `make test` installs it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ecourt.accounts.models import User
from ecourt.cases import services as case_services
from ecourt.cases.models import PartySide
from ecourt.cases.tests.factories import company_for, docketed_case, draft_application
from ecourt.cases.tests.test_api_cases import association_code
from ecourt.core.models import AuditEvent
from ecourt.core.tests.test_browser_accessibility import AXE, _axe_violations, _sign_in
from ecourt.evidence.models import EvidenceItem, Upload, UploadStatus
from ecourt.evidence.services.items import evidence_item_add, evidence_list_submit
from ecourt.evidence.services.log import log_integrate_all
from ecourt.evidence.services.registry import institution_create
from ecourt.evidence.services.uploads import upload_from_file
from ecourt.evidence.tlog.verify import verify_receipt

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 740}
MIB = 1024 * 1024


def _big_pdf(path: Path, size: int = 20 * MIB) -> str:
    """A file of ``size`` bytes that starts as a PDF (the type is sniffed from the start)."""
    head = b"%PDF-1.4\n% evidence captured 2026-03-01\n"
    block = hashlib.sha256(b"seed").digest() * 2048  # 64 KiB of varied bytes
    with path.open("wb") as out:
        out.write(head)
        written = len(head)
        while written < size:
            piece = block[: min(len(block), size - written)]
            out.write(piece)
            written += len(piece)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _page(browser: Any, live_server: Any, user: User | None = None, *, phone: bool = True) -> Any:
    context = browser.new_context(
        locale="en-US", base_url=live_server.url, viewport=PHONE if phone else None
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    if user is not None:
        _sign_in(page, user, staff=user.is_court_staff)
    return page


def _watch_progress(page: Any) -> list[int]:
    """The values the upload's progress bar takes, as the page sets them."""
    seen: list[int] = []
    page.expose_function("ecourtProgress", lambda value: seen.append(int(float(value))))
    page.evaluate(
        """() => {
            const bar = document.getElementById('upload-bar');
            new MutationObserver(() => window.ecourtProgress(bar.value))
                .observe(bar, {attributes: true});
        }"""
    )
    return seen


def _fill_item(page: Any, title: str) -> None:
    page.get_by_label("Title:", exact=True).fill(title)
    page.get_by_label("What it is meant to prove:").fill("Beta Tech copied the photographs.")
    page.get_by_label("Form:", exact=True).select_option("video")
    page.get_by_label("Original", exact=True).check()


def test_it_uploads_a_large_file_in_chunks_and_serves_its_receipt(
    browser, live_server, alice, tmp_path
):
    application = draft_application(alice)
    party = application.parties.get(side=PartySide.PLAINTIFF)
    evidence = tmp_path / "screen-recording.pdf"
    sha256 = _big_pdf(evidence)

    page = _page(browser, live_server, alice)
    page.goto(reverse("evidence:list", args=[application.pk]))
    page.get_by_role("link", name=f"Add evidence for {party.name}").click()
    page.wait_for_url("**/add?party=*")
    _fill_item(page, "Screen recording of the gallery")
    page.get_by_label("The file:").set_input_files(str(evidence))
    seen = _watch_progress(page)
    page.get_by_role("button", name="Add to the list").click()
    page.wait_for_url(f"**{reverse('evidence:list', args=[application.pk])}")
    expect(page.get_by_text("is on the list of")).to_be_visible()

    # 20 MiB in 8 MiB chunks: the bar climbed in steps to 100 %.
    assert seen and seen[-1] == 100, seen
    assert seen == sorted(seen) and len(set(seen)) >= 3, seen
    item = EvidenceItem.objects.get()
    assert item.blob.sha256 == sha256
    assert item.blob.size == 20 * MIB
    upload = Upload.objects.get()
    assert (upload.status, upload.received) == (UploadStatus.USED, 20 * MIB)
    assert AuditEvent.objects.filter(code="ecourt.evidence.upload_started").count() == 1
    assert "Screen recording of the gallery" in page.locator("main").inner_text()

    # The receipt, once the sequencer has put the deposit in the log.
    page.get_by_role("link", name="No. 1: Screen recording of the gallery").click()
    page.get_by_role("link", name="Download the receipt").click()
    expect(page.get_by_text("The receipt will be ready shortly")).to_be_visible()
    log_integrate_all()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the receipt").click()
    receipt = json.loads(Path(download.value.path()).read_text())
    assert receipt["deposit_no"] == item.deposit.deposit_no
    report = verify_receipt(receipt, file=evidence)
    assert "file matches the entry's hash and size" in report.passed
    page.context.close()


def test_it_resumes_an_upload_after_a_dropped_connection_and_a_reload(
    browser, live_server, alice, tmp_path
):
    application = draft_application(alice)
    party = application.parties.get(side=PartySide.PLAINTIFF)
    evidence = tmp_path / "recording.pdf"
    sha256 = _big_pdf(evidence, size=17 * MIB)  # three chunks
    add_url = reverse("evidence:item_add", args=[application.pk]) + f"?party={party.pk}"
    page = _page(browser, live_server, alice)

    # The network drops the second chunk once: the script waits, asks the court how far it
    # got, and goes on.
    puts = {"n": 0}

    def drop_the_second_chunk(route: Any) -> None:
        if route.request.method == "PUT":
            puts["n"] += 1
            if puts["n"] == 2:
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/api/v1/evidence/uploads/*", drop_the_second_chunk)
    page.goto(add_url)
    _fill_item(page, "First recording")
    page.get_by_label("The file:").set_input_files(str(evidence))
    page.get_by_role("button", name="Add to the list").click()
    page.wait_for_url(f"**{reverse('evidence:list', args=[application.pk])}")
    assert puts["n"] == 4  # three chunks, one of them twice
    assert EvidenceItem.objects.get().blob.sha256 == sha256
    page.unroute("**/api/v1/evidence/uploads/*")

    # Now every chunk after the first fails; Alice reloads, chooses the same file again, and
    # the upload goes on from the court's 8 MiB instead of starting over.
    other = tmp_path / "second.pdf"
    other_sha256 = _big_pdf(other, size=17 * MIB + 1)

    def only_the_first_chunk(route: Any) -> None:
        if route.request.method == "PUT" and "bytes 0-" not in (
            route.request.headers.get("content-range") or ""
        ):
            route.abort("connectionreset")
            return
        route.continue_()

    page.route("**/api/v1/evidence/uploads/*", only_the_first_chunk)
    page.goto(add_url)
    _fill_item(page, "Second recording")
    page.get_by_label("The file:").set_input_files(str(other))
    page.get_by_role("button", name="Add to the list").click()
    expect(page.get_by_text("The connection was lost. Trying again")).to_be_visible(timeout=30_000)
    second = Upload.objects.exclude(status=UploadStatus.USED).get()
    assert second.received == 8 * MIB
    page.unroute("**/api/v1/evidence/uploads/*")

    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.headers.get("content-range", ""))
            if request.method == "PUT"
            else None
        ),
    )
    page.reload()
    _fill_item(page, "Second recording")
    page.get_by_label("The file:").set_input_files(str(other))
    page.get_by_role("button", name="Add to the list").click()
    page.wait_for_url(f"**{reverse('evidence:list', args=[application.pk])}")
    assert sent and sent[0].startswith(f"bytes {8 * MIB}-"), sent
    second.refresh_from_db()
    assert second.status == UploadStatus.USED
    assert Upload.objects.count() == 2
    assert EvidenceItem.objects.get(title="Second recording").blob.sha256 == other_sha256
    page.context.close()


def test_it_verifies_a_deposited_file_in_the_browser(browser, live_server, alice, tmp_path):
    application = draft_application(alice)
    party = application.parties.get(side=PartySide.PLAINTIFF)
    evidence = tmp_path / "photo-evidence.pdf"
    sha256 = _big_pdf(evidence, size=3 * MIB)
    copy = tmp_path / "upload.pdf"
    copy.write_bytes(evidence.read_bytes())
    evidence_item_add(
        actor=alice,
        application=application,
        party=party,
        upload=upload_from_file(actor=alice, path=copy, filename="photo-evidence.pdf"),
        title="Photographs",
        purpose="Alice took them.",
        form="picture",
        kind="original",
    )
    log_integrate_all()

    page = _page(browser, live_server)  # anyone, not signed in
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.method + " " + request.url))
    page.goto(reverse("evidence:verify"))
    page.get_by_label("The file", exact=True).set_input_files(str(evidence))
    expect(page.get_by_label("SHA-256 of the file")).to_have_value(sha256, timeout=30_000)
    expect(page.get_by_text("SHA-256 computed.")).to_be_visible()
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(f"**sha256={sha256}*")
    result = page.locator("section", has=page.locator("#result-h"))
    expect(result).to_contain_text("Deposited: the evidence log has 1 deposit of this file.")
    verdict = " ".join(result.inner_text().split())
    assert "Proof verifies against the checkpoint Yes" in verdict, verdict
    # The file itself never left the browser: no request carried a body.
    assert not [r for r in requests if r.startswith("POST") or r.startswith("PUT")]

    page.goto(reverse("evidence:verify") + "?sha256=" + "0" * 64)
    expect(page.get_by_text("Not deposited")).to_be_visible()
    page.context.close()


def test_our_sha256_gives_the_fips_180_4_answers(browser, live_server):
    page = _page(browser, live_server, phone=False)
    page.goto(reverse("evidence:verify"))
    hashes = page.evaluate(
        """async () => {
            const S = window.EcourtSha256;
            const text = (s) => new TextEncoder().encode(s);
            const million = new Uint8Array(1000000).fill(0x61);
            // The same million bytes fed in uneven pieces, and as a Blob read in slices.
            const pieces = S.create();
            for (let i = 0; i < million.length; i += 9973) {
                pieces.update(million.subarray(i, i + 9973));
            }
            return {
                empty: S.hex(new Uint8Array(0)),
                abc: S.hex(text("abc")),
                two_blocks: S.hex(text(
                    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                million: S.hex(million),
                pieces: pieces.hex(),
                blob: await S.hashBlob(new Blob([million]), null, 65536),
                subtle_or_ours: await S.digestHex(text("abc").buffer),
            };
        }"""
    )
    million = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    assert hashes == {
        "empty": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "abc": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "two_blocks": "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
        "million": million,
        "pieces": million,
        "blob": million,
        "subtle_or_ours": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    }
    page.context.close()


# --- Accessibility -----------------------------------------------------------------------------


def _axe(browser: Any, live_server: Any, user: User | None, checks: list[Any]) -> dict:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it runs npm ci)")
    # bypass_csp: axe is injected as an inline script, which our CSP rightly forbids.
    context = browser.new_context(
        locale="en-US", viewport=PHONE, base_url=live_server.url, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    if user is not None:
        _sign_in(page, user, staff=user.is_court_staff)
    found = {}
    for check in checks:
        if isinstance(check, str):
            name = check
            response = page.goto(check)
            assert response is not None and response.status in (200, 400), check
        else:
            name, act = check
            act(page)
            page.wait_for_load_state()
        violations = _axe_violations(page)
        if violations:
            found[name] = violations
    context.close()
    return found


def _post_empty_form(url: str) -> Any:
    def act(page: Any) -> None:
        page.goto(url)
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_selector(".error-summary")

    return act


def _new_token(url: str, institution_pk: int) -> Any:
    def act(page: Any) -> None:
        page.goto(url)
        page.locator(
            f"form[action='{reverse('evidence:token_add', args=[institution_pk])}'] button"
        ).click()
        page.wait_for_selector("#token")

    return act


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_passes_axe_on_the_evidence_pages(
    browser, live_server, language, alice, bob, clerk, judge, admin, tmp_path
):
    for person in (alice, bob, judge, admin):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    case = docketed_case(alice, clerk, judge=judge)
    company_for(bob)
    case_services.case_link(actor=bob, case_number=case.number, code=association_code())
    plaintiff = case.parties.get(side=PartySide.PLAINTIFF)
    source = tmp_path / "a.pdf"
    source.write_bytes(b"%PDF-1.4\n% the photographs\n%%EOF\n")
    item = evidence_item_add(
        actor=alice,
        application=case.application,
        party=plaintiff,
        upload=upload_from_file(actor=alice, path=source, filename="photographs.pdf"),
        title="Photographs",
        purpose="Alice took them.",
        form="picture",
        kind="original",
    )
    evidence_list_submit(actor=alice, application=case.application, party=plaintiff)
    log_integrate_all()
    institution = institution_create(actor=admin, name="Copyright Monitor Ltd.")
    add_url = reverse("evidence:item_add", args=[case.application_id]) + f"?party={plaintiff.pk}"
    item_url = reverse("evidence:item_detail", args=[item.pk])
    verify = reverse("evidence:verify")
    registry = reverse("evidence:registry")

    found = _axe(
        browser,
        live_server,
        alice,
        [
            reverse("evidence:list", args=[case.application_id]),
            add_url,
            ("add: errors", _post_empty_form(add_url)),
            item_url,
        ],
    )
    found |= _axe(browser, live_server, bob, [item_url])  # with the opinion form
    found |= _axe(browser, live_server, judge, [item_url])  # with the determination form
    found |= _axe(
        browser,
        live_server,
        admin,
        [registry, ("registry: new token", _new_token(registry, institution.pk))],
    )
    found |= _axe(
        browser,
        live_server,
        None,
        [
            verify,
            f"{verify}?sha256={item.blob.sha256}",
            f"{verify}?sha256=nonsense",
        ],
    )
    assert not found, json.dumps(found, indent=1)
