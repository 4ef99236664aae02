"""The evidence pages of an application and its case: each party's list, adding an item with
the file in one request (the form without JavaScript) or by an upload token (the chunked
upload the script does), removing and submitting, the item page with its file, receipt and
deposit check, the other side's opinions and the judge's determination.

Personas: Alice sues Beta Tech, which Bob represents (linked to the case with the association
code); Judge Wang has the case; the clerk docketed it; Oscar is an outsider.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ecourt.accounts.models import User
from ecourt.cases import services as case_services
from ecourt.cases.models import Case, Party, PartySide
from ecourt.cases.tests.factories import company_for, docketed_case, draft_application
from ecourt.cases.tests.test_api_cases import association_code
from ecourt.evidence.models import (
    Blob,
    DepositCheck,
    EvidenceDetermination,
    EvidenceItem,
    EvidenceOpinion,
    Upload,
    UploadStatus,
)
from ecourt.evidence.services.items import (
    evidence_item_add,
    evidence_list_submit,
    evidence_opinion_record,
)
from ecourt.evidence.services.log import HashRecord, deposits_create, log_integrate_all
from ecourt.evidence.services.registry import institution_create
from ecourt.evidence.services.uploads import upload_chunk, upload_from_file, upload_start
from ecourt.evidence.tlog.verify import verify_receipt
from ecourt.evidence.upload_handlers import HashingUploadHandler

pytestmark = pytest.mark.django_db

PURPOSE = "Beta Tech copied the photographs onto its web site."


def pdf(text: str = "screenshot") -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _text(response: Any) -> str:
    """The page's words without tags, spaces collapsed (for phrases split by markup)."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def _add_url(party: Party) -> str:
    return reverse("evidence:item_add", args=[party.application_id]) + f"?party={party.pk}"


def _post_item(
    client: Any,
    party: Party,
    *,
    content: bytes | None = None,
    name: str = "screenshot.pdf",
    **fields: str,
) -> Any:
    data: dict[str, Any] = {
        "title": "Screenshot of the infringing page",
        "purpose": PURPOSE,
        "description": "",
        "form": "document",
        "kind": "original",
        "source": "https://beta.example/gallery",
        "deposit_no": "",
        "upload": "",
    }
    data.update(fields)
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content)  # last, as the form sends it
    return client.post(_add_url(party), data)


def _plaintiff(case_or_application: Any) -> Party:
    return case_or_application.parties.get(side=PartySide.PLAINTIFF)


def _defendant(case: Case) -> Party:
    return case.parties.get(side=PartySide.DEFENDANT)


def _item(actor: User, party: Party, text: str = "item", **kwargs: Any) -> EvidenceItem:
    """An item put on the list through the services, its file a small PDF."""
    source = Path(tempfile.mkdtemp(dir=settings.VAR_DIR)) / f"{text}.pdf"
    source.write_bytes(pdf(text))
    upload = upload_from_file(actor=actor, path=source, filename=f"{text}.pdf")
    return evidence_item_add(
        actor=actor,
        application=party.application,
        party=party,
        upload=upload,
        title=kwargs.pop("title", f"Evidence {text}"),
        purpose=PURPOSE,
        form="document",
        kind="original",
        **kwargs,
    )


@pytest.fixture
def case(alice: User, clerk: User, judge: User, commit: Any) -> Case:
    with commit():
        return docketed_case(alice, clerk, judge=judge)


@pytest.fixture
def linked(case: Case, bob: User) -> Party:
    """Bob, Beta Tech's representative, linked to the case as the defendant."""
    company_for(bob)
    return case_services.case_link(actor=bob, case_number=case.number, code=association_code())


@pytest.fixture
def draft_item(case: Case, alice: User) -> EvidenceItem:
    return _item(alice, _plaintiff(case), "draft")


@pytest.fixture
def submitted_item(case: Case, alice: User, linked: Party) -> EvidenceItem:
    item = _item(alice, _plaintiff(case), "submitted")
    evidence_list_submit(actor=alice, application=case.application, party=_plaintiff(case))
    item.refresh_from_db()
    return item


# --- Access ------------------------------------------------------------------------------------


def _pages(item: EvidenceItem) -> list[tuple[str, str]]:
    application = item.application_id
    return [
        ("get", reverse("evidence:list", args=[application])),
        ("get", reverse("evidence:item_add", args=[application]) + f"?party={item.party_id}"),
        ("get", reverse("evidence:item_detail", args=[item.pk])),
        ("get", reverse("evidence:item_file", args=[item.pk])),
        ("get", reverse("evidence:item_receipt", args=[item.pk])),
        ("post", reverse("evidence:item_remove", args=[item.pk])),
        ("post", reverse("evidence:item_opinion", args=[item.pk])),
        ("post", reverse("evidence:item_determination", args=[item.pk])),
        ("post", reverse("evidence:list_submit", args=[application])),
        ("post", reverse("evidence:item_add", args=[application]) + f"?party={item.party_id}"),
    ]


def test_it_answers_outsiders_with_404_on_every_evidence_page(login, oscar, submitted_item):
    client = login(oscar)
    for method, url in _pages(submitted_item):
        response = getattr(client, method)(url, {"party": submitted_item.party_id})
        assert response.status_code == 404, (method, url, response.status_code)
    case = Case.objects.get(application=submitted_item.application)
    assert client.get(reverse("evidence:case", args=[case.pk])).status_code == 404
    assert EvidenceItem.objects.filter(pk=submitted_item.pk).exists()


def test_it_sends_anonymous_visitors_to_sign_in(visitor, submitted_item):
    for method, url in _pages(submitted_item):
        response = getattr(visitor, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_it_hides_a_draft_from_the_other_side_until_it_is_submitted(
    login, alice, bob, case, linked, draft_item
):
    client = login(bob)
    for url in (
        reverse("evidence:item_detail", args=[draft_item.pk]),
        reverse("evidence:item_file", args=[draft_item.pk]),
        reverse("evidence:item_receipt", args=[draft_item.pk]),
    ):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("evidence:list", args=[case.application_id]))
    assert listing.status_code == 200
    assert draft_item.title not in _text(listing)
    # Bob cannot take Alice's draft off her list either.
    assert client.post(reverse("evidence:item_remove", args=[draft_item.pk])).status_code == 404

    evidence_list_submit(actor=alice, application=case.application, party=_plaintiff(case))
    assert client.get(reverse("evidence:item_detail", args=[draft_item.pk])).status_code == 200
    assert client.get(reverse("evidence:item_file", args=[draft_item.pk])).status_code == 200
    assert draft_item.title in _text(
        client.get(reverse("evidence:list", args=[case.application_id]))
    )


def test_it_shows_a_case_s_evidence_to_its_judge_and_clerk(login, judge, clerk, submitted_item):
    case = Case.objects.get(application=submitted_item.application)
    for person in (judge, clerk):
        client = login(person)
        response = client.get(reverse("evidence:case", args=[case.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("evidence:list", args=[case.application_id])
        page = client.get(response["Location"])
        assert submitted_item.title in _text(page)
        assert "Add evidence" not in _text(page)  # the court files no evidence of its own
        assert (
            client.get(reverse("evidence:item_detail", args=[submitted_item.pk])).status_code == 200
        )


def test_it_refuses_a_form_post_without_the_csrf_token(login, alice, case):
    client = login(alice)
    client.handler.enforce_csrf_checks = True
    response = _post_item(client, _plaintiff(case), content=pdf("csrf"))
    assert response.status_code == 403
    assert not EvidenceItem.objects.exists()


# --- The list ----------------------------------------------------------------------------------


def test_it_lists_each_party_s_evidence_with_the_actions_of_its_own_side(
    login, alice, case, linked, draft_item
):
    page = login(alice).get(reverse("evidence:list", args=[case.application_id]))
    text = _text(page)
    assert page.status_code == 200
    plaintiff = _plaintiff(case)
    assert f"No. 1: {draft_item.title}" in text
    assert "Draft" in text
    assert draft_item.blob.sha256[:16] in text
    assert draft_item.deposit.deposit_no in text
    assert "waiting to enter the evidence log" in text
    assert f"Add evidence for {plaintiff.name}" in text
    assert "Submit the list (1 new item)" in text
    assert "Remove draft no. 1" in text
    # Beta Tech's part, with nothing submitted and no buttons for Alice.
    assert "Beta Tech Co., Ltd." in text
    assert "No evidence submitted yet." in text
    assert f"Add evidence for {_defendant(case).name}" not in text
    assert text.index(plaintiff.name) < text.index("Beta Tech Co., Ltd.")  # plaintiffs first


def test_it_lists_a_draft_application_s_evidence_for_its_filer(login, alice):
    application = draft_application(alice)
    page = login(alice).get(reverse("evidence:list", args=[application.pk]))
    assert page.status_code == 200
    assert f"Add evidence for {_plaintiff(application).name}" in _text(page)


def test_it_lists_with_a_bounded_number_of_queries(
    login, alice, bob, case, linked, django_assert_max_num_queries
):
    plaintiff, defendant = _plaintiff(case), _defendant(case)
    for n in range(6):
        _item(alice, plaintiff, f"many-{n}")
    evidence_list_submit(actor=alice, application=case.application, party=plaintiff)
    for item in EvidenceItem.objects.filter(party=plaintiff):
        evidence_opinion_record(
            actor=bob,
            item=item,
            party=defendant,
            authenticity="admit",
            legality="admit",
            relevance="dispute",
            reasons="Unrelated to the claim.",
        )
    for n in range(3):
        _item(bob, defendant, f"beta-{n}")
    client = login(alice)
    url = reverse("evidence:list", args=[case.application_id])
    # 14 today (session, user, roles, application, case, parties, items, opinions, …).
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    assert _text(response).count("Relevance: Dispute") == 6


# --- Adding an item ----------------------------------------------------------------------------


def test_it_shows_the_form_for_one_s_own_party_only(login, alice, case, linked):
    client = login(alice)
    page = client.get(_add_url(_plaintiff(case)))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "evidence-upload.js" in html and "sha256.js" in html
    assert "<script>" not in html  # the CSP allows scripts from our own files only
    # The file comes after every other field (a cut-off upload loses only what follows it).
    assert html.index('name="file"') > html.index('name="deposit_no"') > html.index('name="title"')
    assert client.get(_add_url(_defendant(case))).status_code == 404


def test_it_stores_a_file_posted_without_javascript(login, alice, case):
    content = pdf("no javascript")
    response = _post_item(login(alice), _plaintiff(case), content=content)
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:list", args=[case.application_id])
    item = EvidenceItem.objects.get()
    assert (item.number, item.title, item.form, item.kind) == (
        1,
        "Screenshot of the infringing page",
        "document",
        "original",
    )
    assert item.submitted_at is None
    assert item.blob.sha256 == hashlib.sha256(content).hexdigest()
    assert (item.blob.size, item.blob.media_type) == (len(content), "application/pdf")
    assert item.filename == "screenshot.pdf"
    assert item.deposit.sha256 == item.blob.sha256
    with default_storage.open(item.blob.storage_name, "rb") as stored:
        assert stored.read() == content
    assert Upload.objects.get().status == UploadStatus.USED


def test_it_serves_the_file_as_a_download(login, alice, draft_item):
    response = login(alice).get(reverse("evidence:item_file", args=[draft_item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf("draft")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_upload_handler_hashes_the_file_as_it_is_written(settings):
    settings.ECOURT_EVIDENCE_MAX_BYTES = 100
    handler = HashingUploadHandler()
    handler.new_file("file", "a.pdf", "application/pdf", 60)
    for start in range(0, 60, 20):
        handler.receive_data_chunk(bytes(range(start, start + 20)), start)
    uploaded = handler.file_complete(60)
    assert uploaded.sha256 == hashlib.sha256(bytes(range(60))).hexdigest()
    with open(uploaded.temporary_file_path(), "rb") as written:
        assert written.read() == bytes(range(60))
    uploaded.close()


def test_the_upload_handler_stops_a_request_past_the_limit(settings):
    settings.ECOURT_EVIDENCE_MAX_BYTES = 100
    handler = HashingUploadHandler()
    handler.new_file("file", "a.pdf", "application/pdf", None)
    handler.receive_data_chunk(bytes(100), 0)
    assert not handler.too_large
    with pytest.raises(StopUpload) as stopped:
        handler.receive_data_chunk(b"x", 100)
    assert stopped.value.connection_reset is False  # the page with the message still goes out
    assert handler.too_large
    handler.file.close()


def test_it_refuses_a_program_renamed_as_a_pdf(login, alice, case):
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
    response = _post_item(login(alice), _plaintiff(case), content=program, name="invoice.pdf")
    assert response.status_code == 400
    text = _text(response)
    assert "This kind of file is not accepted (checked by its content, not its name)." in text
    assert 'aria-invalid="true"' in response.content.decode()
    assert "Screenshot of the infringing page" in response.content.decode()  # what was typed
    assert not EvidenceItem.objects.exists()
    assert not Blob.objects.exists()


@override_settings(ECOURT_EVIDENCE_MAX_BYTES=1000)
def test_it_refuses_a_file_over_the_limit_with_the_limit_in_words(login, alice, case):
    response = _post_item(login(alice), _plaintiff(case), content=pdf("x" * 3000))
    assert response.status_code == 400
    text = _text(response)
    assert "The file is larger than" in text
    assert "the largest this court accepts" in text
    assert "Screenshot of the infringing page" in response.content.decode()
    assert not Upload.objects.exists()
    assert not EvidenceItem.objects.exists()


def test_it_stores_the_same_file_once(login, alice, case):
    client = login(alice)
    content = pdf("twice")
    for title in ("First copy", "Second copy"):
        assert _post_item(client, _plaintiff(case), content=content, title=title).status_code == 302
    assert EvidenceItem.objects.count() == 2
    assert Blob.objects.count() == 1
    assert list(EvidenceItem.objects.values_list("number", flat=True)) == [1, 2]


def test_it_names_each_missing_field(login, alice, case):
    response = _post_item(login(alice), _plaintiff(case), title="", purpose="", form="", kind="")
    assert response.status_code == 400
    text = _text(response)
    for message in (
        "Give the item a title.",
        "Say what the item is meant to prove.",
        "Choose the form of the evidence.",
        "Say whether this is an original or a copy.",
        "Choose the file.",
    ):
        assert message in text
    html = response.content.decode()
    assert 'href="#id_title"' in html and 'href="#id_kind_0"' in html  # the summary links


def test_it_keeps_a_received_file_while_the_other_fields_are_corrected(login, alice, case):
    client = login(alice)
    response = _post_item(client, _plaintiff(case), content=pdf("kept"), title="")
    assert response.status_code == 400
    upload = Upload.objects.get()
    assert upload.status == UploadStatus.COMPLETE
    assert f'value="{upload.token}"' in response.content.decode()
    assert "you need not choose it again" in _text(response)
    response = _post_item(client, _plaintiff(case), upload=upload.token, title="Kept file")
    assert response.status_code == 302
    assert EvidenceItem.objects.get().blob == upload.blob


def test_it_takes_a_file_uploaded_in_chunks_by_its_token(login, alice, oscar, case):
    content = pdf("chunked") + bytes(1000)
    upload = upload_start(actor=alice, filename="chunked.pdf", size=len(content))
    for offset in range(0, len(content), 512):
        piece = content[offset : offset + 512]
        upload = upload_chunk(
            actor=alice,
            upload=upload,
            offset=offset,
            length=len(piece),
            sha256=hashlib.sha256(piece).hexdigest(),
            stream=io.BytesIO(piece),
        )
    assert upload.status == UploadStatus.COMPLETE
    # Somebody else's token is nobody's.
    stranger = upload_start(actor=oscar, filename="x.pdf", size=10)
    response = _post_item(login(alice), _plaintiff(case), upload=stranger.token)
    assert response.status_code == 400
    assert "The uploaded file was not found; choose it again." in _text(response)

    response = _post_item(login(alice), _plaintiff(case), upload=upload.token)
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert item.blob.sha256 == hashlib.sha256(content).hexdigest()
    assert item.filename == "chunked.pdf"
    # An upload serves one item only.
    response = _post_item(login(alice), _plaintiff(case), upload=upload.token)
    assert response.status_code == 400
    assert "The file has not finished uploading." in _text(response)


def test_it_refuses_an_unfinished_upload(login, alice, case):
    upload = upload_start(actor=alice, filename="half.pdf", size=100)
    response = _post_item(login(alice), _plaintiff(case), upload=upload.token)
    assert response.status_code == 400
    assert "The file has not finished uploading." in _text(response)


def test_it_checks_an_institution_s_deposit_number(login, alice, judge, case, linked, admin):
    content = pdf("deposited by a notary")
    institution = institution_create(actor=admin, name="Notary Office No. 1")
    [(deposit, _created)] = deposits_create(
        actor=None,
        institution=institution,
        records=[HashRecord(hashlib.sha256(content).hexdigest(), len(content), "application/pdf")],
    )
    [(other, _created)] = deposits_create(
        actor=None,
        institution=institution,
        records=[HashRecord("ab" * 32, 10, "application/pdf")],
    )
    client = login(alice)
    _post_item(client, _plaintiff(case), content=content, deposit_no=deposit.deposit_no.lower())
    _post_item(client, _plaintiff(case), content=content, deposit_no=other.deposit_no)
    _post_item(client, _plaintiff(case), content=content, deposit_no="ED-0000-0000-0000-0000")
    first, second, third = EvidenceItem.objects.order_by("number")
    assert (first.deposit_check, second.deposit_check, third.deposit_check) == (
        DepositCheck.MATCH,
        DepositCheck.HASH_MISMATCH,
        DepositCheck.NOT_FOUND,
    )
    evidence_list_submit(actor=alice, application=case.application, party=_plaintiff(case))
    for person in (judge, alice):
        text = _text(login(person).get(reverse("evidence:item_detail", args=[first.pk])))
        assert "Institutional deposit check" in text
        assert "Matches the deposit" in text
        assert deposit.deposit_no in text
        assert timezone.localtime(deposit.accepted_at).strftime("%Y-%m-%d %H:%M:%S") in text
    text = _text(login(judge).get(reverse("evidence:item_detail", args=[second.pk])))
    assert "The file's SHA-256 differs from the deposit's" in text
    assert other.sha256 in text
    text = _text(login(judge).get(reverse("evidence:item_detail", args=[third.pk])))
    assert "No deposit has this number" in text


# --- Removing and submitting -------------------------------------------------------------------


def test_it_takes_a_draft_off_the_list(login, alice, case, draft_item):
    response = login(alice).post(reverse("evidence:item_remove", args=[draft_item.pk]))
    assert response.status_code == 302
    assert not EvidenceItem.objects.exists()


def test_it_keeps_a_submitted_item(login, alice, submitted_item):
    client = login(alice)
    response = client.post(reverse("evidence:item_remove", args=[submitted_item.pk]), follow=True)
    assert "A submitted item cannot be taken back." in _text(response)
    assert EvidenceItem.objects.filter(pk=submitted_item.pk).exists()


def test_it_only_takes_removals_and_submissions_by_post(login, alice, draft_item):
    client = login(alice)
    assert client.get(reverse("evidence:item_remove", args=[draft_item.pk])).status_code == 405
    url = reverse("evidence:list_submit", args=[draft_item.application_id])
    assert client.get(url).status_code == 405


def test_it_submits_the_list_and_puts_it_on_the_docket(login, alice, case, draft_item):
    client = login(alice)
    response = client.post(
        reverse("evidence:list_submit", args=[case.application_id]),
        {"party": draft_item.party_id},
        follow=True,
    )
    assert "1 item submitted." in _text(response)
    draft_item.refresh_from_db()
    assert draft_item.submitted_at is not None
    case_page = _text(client.get(reverse("cases:case_detail", args=[case.pk])))
    assert "submitted evidence (list no. 1)" in case_page
    # Nothing new: the service says so.
    response = client.post(
        reverse("evidence:list_submit", args=[case.application_id]),
        {"party": draft_item.party_id},
        follow=True,
    )
    assert "There is nothing new on the list to submit." in _text(response)


# --- The item page, receipt, opinions, determination -------------------------------------------


def test_it_shows_the_item_with_its_file_hash_and_deposit(login, alice, draft_item):
    text = _text(login(alice).get(reverse("evidence:item_detail", args=[draft_item.pk])))
    for fact in (
        draft_item.title,
        draft_item.blob.sha256,
        draft_item.deposit.deposit_no,
        "application/pdf",
        "draft.pdf",
        "Download the receipt",
        "Remove this draft",
    ):
        assert fact in text
    assert "Institutional deposit check" not in text  # no deposit number was given


def test_it_serves_the_receipt_once_the_deposit_is_in_the_log(login, alice, draft_item):
    client = login(alice)
    url = reverse("evidence:item_receipt", args=[draft_item.pk])
    response = client.get(url, follow=True)
    assert response.redirect_chain == [(reverse("evidence:item_detail", args=[draft_item.pk]), 302)]
    assert "The receipt will be ready shortly" in _text(response)

    log_integrate_all()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    deposit_no = draft_item.deposit.deposit_no
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{deposit_no}.json"'
    receipt = json.loads(response.content)
    assert receipt["deposit_no"] == deposit_no
    report = verify_receipt(receipt)
    assert any("included at index" in line for line in report.passed)
    page = _text(client.get(reverse("evidence:item_detail", args=[draft_item.pk])))
    draft_item.deposit.refresh_from_db()
    assert f"In the log, entry {draft_item.deposit.leaf_index}" in page


def test_it_records_the_other_side_s_opinion(login, bob, alice, case, linked, submitted_item):
    client = login(bob)
    page = client.get(reverse("evidence:item_detail", args=[submitted_item.pk]))
    assert "Give your opinion" in _text(page)
    url = reverse("evidence:item_opinion", args=[submitted_item.pk])
    response = client.post(
        url,
        {
            "party": linked.pk,
            "authenticity": "dispute",
            "legality": "admit",
            "relevance": "admit",
            "reasons": "",
        },
    )
    assert response.status_code == 400
    assert "Give your reasons for disputing the item." in _text(response)
    response = client.post(
        url,
        {
            "party": linked.pk,
            "authenticity": "dispute",
            "legality": "admit",
            "relevance": "admit",
            "reasons": "The screenshot has no date.",
        },
    )
    assert response.status_code == 302
    opinion = EvidenceOpinion.objects.get()
    assert (opinion.party, opinion.authenticity) == (linked, "dispute")
    page = _text(client.get(reverse("evidence:item_detail", args=[submitted_item.pk])))
    assert "Authenticity: Dispute" in page and "The screenshot has no date." in page
    assert "Give your opinion" not in page  # once per party
    case_page = _text(login(alice).get(reverse("cases:case_detail", args=[case.pk])))
    assert "gave its opinion on evidence item 1" in case_page


def test_it_refuses_an_opinion_from_the_item_s_own_side(login, alice, case, submitted_item):
    client = login(alice)
    page = _text(client.get(reverse("evidence:item_detail", args=[submitted_item.pk])))
    assert "Give your opinion" not in page
    response = client.post(
        reverse("evidence:item_opinion", args=[submitted_item.pk]),
        {
            "party": submitted_item.party_id,
            "authenticity": "admit",
            "legality": "admit",
            "relevance": "admit",
        },
    )
    assert response.status_code == 400
    assert "Opinions on an item come from the other side." in _text(response)
    assert not EvidenceOpinion.objects.exists()


def test_it_refuses_an_opinion_from_the_court(login, judge, submitted_item):
    response = login(judge).post(
        reverse("evidence:item_opinion", args=[submitted_item.pk]),
        {"party": submitted_item.party_id, "authenticity": "admit", "legality": "admit"},
    )
    assert response.status_code == 403
    assert not EvidenceOpinion.objects.exists()


DETERMINATION = {
    "authenticity": "established",
    "legality": "established",
    "relevance": "established",
    "admitted": "yes",
    "reasons": "The deposit matches and the defendant raised no real doubt.",
}


def test_it_records_the_judge_s_determination(login, judge, alice, case, submitted_item):
    client = login(judge)
    page = _text(client.get(reverse("evidence:item_detail", args=[submitted_item.pk])))
    assert "Determine the item" in page
    url = reverse("evidence:item_determination", args=[submitted_item.pk])
    response = client.post(url, {**DETERMINATION, "legality": "not_established"})
    assert response.status_code == 400
    assert "An item is admitted only when its authenticity, legality and relevance" in _text(
        response
    )
    response = client.post(url, DETERMINATION)
    assert response.status_code == 302
    determination = EvidenceDetermination.objects.get()
    assert determination.admitted is True
    alice_client = login(alice)
    page = _text(alice_client.get(reverse("evidence:item_detail", args=[submitted_item.pk])))
    assert "Admitted" in page and DETERMINATION["reasons"] in page
    assert "Determine the item" not in page
    listing = _text(alice_client.get(reverse("evidence:list", args=[case.application_id])))
    assert "Determination: Admitted" in listing
    case_page = _text(alice_client.get(reverse("cases:case_detail", args=[case.pk])))
    assert "The court determined evidence item 1" in case_page


def test_it_refuses_a_determination_by_anyone_but_the_case_s_judge(
    login, bob, alice, clerk, linked, submitted_item
):
    url = reverse("evidence:item_determination", args=[submitted_item.pk])
    for person in (bob, alice, clerk):
        assert login(person).post(url, DETERMINATION).status_code == 403, person
    assert not EvidenceDetermination.objects.exists()


# --- Links from the application and case pages -------------------------------------------------


def test_it_links_the_evidence_from_the_application_and_case_pages(login, alice, judge, case):
    evidence_url = reverse("evidence:list", args=[case.application_id])
    client = login(alice)
    application_page = client.get(reverse("cases:application_detail", args=[case.application_id]))
    assert f'href="{evidence_url}"' in application_page.content.decode()
    for person in (alice, judge):
        case_page = login(person).get(reverse("cases:case_detail", args=[case.pk]))
        assert f'href="{evidence_url}"' in case_page.content.decode()
