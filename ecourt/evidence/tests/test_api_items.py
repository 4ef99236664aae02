"""Evidence files and items through the JSON API: a file sent in chunks (resumed after a
conflict, a corrupted chunk sent again, every malformed header answered with its own code),
items put on a list, submitted, answered and determined, who sees what (404 for outsiders on
every route; the other side sees nothing before submission), and the court administrator's
institutions, tokens and witnesses."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases import services as case_services
from ecourt.cases.models import Application, Case, Party, PartySide
from ecourt.cases.tests.factories import company_for, docketed_case, draft_application
from ecourt.cases.tests.test_api_cases import association_code
from ecourt.cases.tests.test_api_filing import API, ok, problem, send
from ecourt.conftest import _staff
from ecourt.evidence.models import Deposit, EvidenceItem, Upload, UploadStatus
from ecourt.evidence.tlog import note

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + bytes((i * 7) % 95 + 32 for i in range(2991))
PNG = b"\x89PNG\r\n\x1a\n" + b"a screenshot" * 50
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 600


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.ECOURT_CLAMD = ""


@pytest.fixture
def case(alice: User, clerk: User, judge: User, commit) -> Case:
    """Alice's copyright case against Beta Tech, with Judge Wang."""
    with commit():
        return docketed_case(alice, clerk, judge=judge)


@pytest.fixture
def linked(case: Case, bob: User) -> Party:
    """Bob, Beta Tech's representative, linked to the case as the defendant."""
    company_for(bob)
    return case_services.case_link(actor=bob, case_number=case.number, code=association_code())


@pytest.fixture
def other_judge(db: None) -> User:
    return _staff(Role.JUDGE, "Judge Li")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put_chunk(
    client: Client,
    token: str,
    data: bytes,
    first: int,
    *,
    total: int | None = None,
    content_range: str | None = "",
    digest: str | None = "",
    **extra: Any,
):
    """PUT one chunk as the raw body. ``content_range``/``digest``: "" computes the right
    header, None leaves it out, anything else is sent as is."""
    headers = {}
    if content_range is not None:
        headers["Content-Range"] = content_range or (
            f"bytes {first}-{first + len(data) - 1}/{total or len(PDF)}"
        )
    if digest is not None:
        headers["X-Chunk-SHA256"] = digest or sha(data)
    return client.put(
        f"{API}/evidence/uploads/{token}",
        data=data,
        content_type="application/octet-stream",
        headers=headers,
        **extra,
    )


def start(client: Client, content: bytes, filename: str = "contract.pdf") -> str:
    started = ok(
        send(client, "post", "/evidence/uploads", {"filename": filename, "size": len(content)}),
        201,
    )
    return started["token"]


def uploaded(client: Client, content: bytes = PNG, filename: str = "page.png") -> str:
    """The token of a complete upload of ``content``, sent in one chunk."""
    token = start(client, content, filename)
    assert ok(put_chunk(client, token, content, 0, total=len(content)))["status"] == "complete"
    return token


def party(application: Application, side: str) -> Party:
    return application.parties.get(side=side)


def item_payload(party_id: int, token: str, **kwargs: Any) -> dict[str, Any]:
    return {
        "party_id": party_id,
        "upload": token,
        "title": "Screenshot of the defendant's page",
        "purpose": "The defendant published the photographs.",
        "form": "web_page",
        "kind": "copy",
        **kwargs,
    }


def add_item(client: Client, application: Application, side: str = PartySide.PLAINTIFF, **kw):
    token = uploaded(client, kw.pop("content", PNG))
    payload = item_payload(party(application, side).pk, token, **kw)
    return ok(send(client, "post", f"/applications/{application.pk}/evidence", payload), 201)


# --- Uploads ------------------------------------------------------------------------------------


def test_a_file_goes_up_in_chunks_and_resumes_after_a_conflict_or_a_bad_chunk(
    login, alice, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # the body is streamed, never read whole
    client = login(alice)
    started = ok(
        send(client, "post", "/evidence/uploads", {"filename": "../证据/合同.pdf", "size": 3000}),
        201,
    )
    assert (started["chunk_size"], started["max_chunk"]) == (8 * 1024**2, 16 * 1024**2)
    assert (started["filename"], started["size"], started["received"]) == ("合同.pdf", 3000, 0)
    assert (started["status"], started["sha256"], started["media_type"]) == ("open", None, None)
    assert started["expires_at"]
    token = started["token"]
    assert ok(put_chunk(client, token, PDF[:1000], 0))["received"] == 1000

    # The third chunk goes ahead of the second: 409 says where to resume.
    early = problem(put_chunk(client, token, PDF[2000:], 2000), 409, "wrong_offset")
    assert early["received"] == 1000
    # The second chunk is damaged on the way: refused, and nothing of it is kept.
    damaged = PDF[1000:1500] + b"X" + PDF[1501:2000]
    problem(
        put_chunk(client, token, damaged, 1000, digest=sha(PDF[1000:2000])),
        400,
        "chunk_hash_mismatch",
    )
    assert ok(send(client, "get", f"/evidence/uploads/{token}"))["received"] == 1000
    # The same chunk again, then the third one again: done.
    assert ok(put_chunk(client, token, PDF[1000:2000], 1000))["received"] == 2000
    done = ok(put_chunk(client, token, PDF[2000:], 2000))
    assert (done["status"], done["received"], done["size"]) == ("complete", 3000, 3000)
    assert (done["sha256"], done["media_type"]) == (sha(PDF), "application/pdf")
    assert ok(send(client, "get", f"/evidence/uploads/{token}")) == done
    problem(put_chunk(client, token, PDF[2000:], 2000), 400, "upload_closed")


@pytest.mark.parametrize(
    ("content_range", "digest", "body", "status", "code"),
    [
        (None, "", PDF[:1000], 400, "bad_content_range"),
        ("bytes 0-999", "", PDF[:1000], 400, "bad_content_range"),
        ("bytes=0-999/3000", "", PDF[:1000], 400, "bad_content_range"),
        ("bytes 0-999/*", "", PDF[:1000], 400, "bad_content_range"),
        ("bytes -1-999/3000", "", PDF[:1000], 400, "bad_content_range"),
        ("bytes 999-0/3000", "", PDF[:1000], 400, "bad_content_range"),
        ("bytes 0-999/3000 ", "", PDF[:1000], 400, "bad_content_range"),
        ("bytes 0-999/99999999999999999999", "", PDF[:1000], 400, "bad_content_range"),
        ("bytes ０-999/3000", "", PDF[:1000], 400, "bad_content_range"),
        ("bytes 0-999/4000", "", PDF[:1000], 400, "range_size_mismatch"),
        ("bytes 2500-3499/3000", "", PDF[:1000], 400, "past_end"),
        ("bytes 0-999/3000", "", PDF[:500], 400, "length_mismatch"),
        ("bytes 0-499/3000", "", PDF[:1000], 400, "length_mismatch"),
        ("bytes 0-999/3000", None, PDF[:1000], 400, "bad_chunk_hash"),
        ("bytes 0-999/3000", "sha256=abc", PDF[:1000], 400, "bad_chunk_hash"),
        ("bytes 0-999/3000", "g" * 64, PDF[:1000], 400, "bad_chunk_hash"),
    ],
)
def test_malformed_chunk_headers_are_refused_with_their_own_code(
    login, alice, content_range, digest, body, status, code
):
    client = login(alice)
    token = start(client, PDF)
    response = put_chunk(client, token, body, 0, content_range=content_range, digest=digest)
    assert problem(response, status, code)["field"] in {
        "Content-Range",
        "Content-Length",
        "X-Chunk-SHA256",
    }
    assert Upload.objects.get(token=token).received == 0


def test_an_uppercase_chunk_hash_is_fine(login, alice):
    client = login(alice)
    token = start(client, PDF)
    assert ok(put_chunk(client, token, PDF[:1000], 0, digest=sha(PDF[:1000]).upper()))


def test_a_chunk_needs_the_csrf_header_like_any_write(alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice, backend="ecourt.accounts.backends.MobileOrEmailBackend")
    secret = "k" * 32
    browser.cookies["csrftoken"] = secret
    started = send(
        browser,
        "post",
        "/evidence/uploads",
        {"filename": "contract.pdf", "size": len(PDF)},
        headers={"X-CSRFToken": secret},
    )
    token = ok(started, 201)["token"]
    problem(put_chunk(browser, token, PDF[:1000], 0), 403)
    sent = put_chunk(browser, token, PDF[:1000], 0, HTTP_X_CSRFTOKEN=secret)
    assert ok(sent)["received"] == 1000


def test_a_chunk_over_the_limit_is_refused_before_it_is_read(login, alice):
    client = login(alice)
    token = start(client, PDF)
    # The body is 1,000 bytes but claims 17 MiB: reading it would fail the test client.
    body = problem(
        put_chunk(client, token, PDF[:1000], 0, CONTENT_LENGTH=str(17 * 1024**2)),
        413,
        "chunk_too_large",
    )
    assert body["field"] == "Content-Length"
    big = ok(
        send(client, "post", "/evidence/uploads", {"filename": "v.mp4", "size": 20 * 1024**2}),
        201,
    )
    problem(
        put_chunk(
            client, big["token"], b"x", 0, content_range=f"bytes 0-{16 * 1024**2}/{20 * 1024**2}"
        ),
        413,
        "chunk_too_large",
    )


def test_a_body_that_ends_early_is_refused_and_may_be_sent_again(login, alice):
    client = login(alice)
    token = start(client, PDF)
    short = {"wsgi.input": io.BytesIO(PDF[:400]), "CONTENT_LENGTH": "1000"}
    problem(put_chunk(client, token, PDF[:1000], 0, **short), 400, "chunk_incomplete")
    assert ok(put_chunk(client, token, PDF[:1000], 0))["received"] == 1000


def test_an_upload_over_the_limit_is_refused_at_the_start(login, alice, settings):
    settings.ECOURT_EVIDENCE_MAX_BYTES = 1000
    client = login(alice)
    payload = {"filename": "big.pdf", "size": 1001}
    problem(send(client, "post", "/evidence/uploads", payload), 413, "file_too_large")
    problem(
        send(client, "post", "/evidence/uploads", {"filename": "x.pdf", "size": 0}),
        400,
        "empty_file",
    )
    problem(
        send(client, "post", "/evidence/uploads", {"filename": "x\x00.pdf", "size": 10}),
        422,
        "invalid_request",
    )


def test_a_file_of_a_refused_type_fails_the_upload(login, alice):
    client = login(alice)
    token = start(client, EXE, "invoice.pdf")
    problem(put_chunk(client, token, EXE, 0, total=len(EXE)), 400, "type_not_allowed")
    state = ok(send(client, "get", f"/evidence/uploads/{token}"))
    assert state["status"] == "failed" and state["error"]


def test_an_upload_is_its_owners_alone(login, alice, bob):
    token = start(login(alice), PDF)
    as_bob = login(bob)
    problem(send(as_bob, "get", f"/evidence/uploads/{token}"), 404, "not_found")
    problem(put_chunk(as_bob, token, PDF[:1000], 0), 404, "not_found")
    problem(send(as_bob, "get", "/evidence/uploads/no-such-token"), 404, "not_found")
    problem(send(as_bob, "get", "/evidence/uploads/%00"), 404, "not_found")
    assert Upload.objects.get(token=token).received == 0
    assert Client().get(f"{API}/evidence/uploads/{token}").status_code == 401


# --- Items --------------------------------------------------------------------------------------


def test_an_uploaded_file_goes_on_the_list_with_its_deposit(login, alice, client):
    application = draft_application(alice)
    as_alice = login(alice)
    item = add_item(as_alice, application, source="Captured by Haidian Notary Office")
    deposit = Deposit.objects.get()
    assert item == {
        "id": item["id"],
        "party": {
            "id": party(application, PartySide.PLAINTIFF).pk,
            "name": "Alice Zhang",
            "side": "plaintiff",
        },
        "number": 1,
        "title": "Screenshot of the defendant's page",
        "description": "",
        "purpose": "The defendant published the photographs.",
        "form": "web_page",
        "kind": "copy",
        "source": "Captured by Haidian Notary Office",
        "filename": "page.png",
        "sha256": sha(PNG),
        "size": len(PNG),
        "media_type": "image/png",
        "deposit_no": deposit.deposit_no,
        "deposit_status": "accepted",
        "receipt_url": f"{API}/evidence/deposits/{deposit.deposit_no}/receipt",
        "claimed_deposit_no": "",
        "deposit_check": "",
        "submitted_at": None,
        "opinions": [],
        "determination": None,
        "file_url": f"{API}/evidence/items/{item['id']}/file",
    }
    assert client.get(item["receipt_url"]).status_code == 202  # waiting for the sequencer
    file = as_alice.get(item["file_url"])
    assert file.status_code == 200
    assert b"".join(file.streaming_content) == PNG
    assert file["Content-Type"] == "image/png"
    assert file["Content-Disposition"].startswith("attachment")
    assert file["X-Content-Type-Options"] == "nosniff"
    assert ok(send(as_alice, "get", f"/applications/{application.pk}/evidence")) == [item]
    assert ok(send(as_alice, "get", f"/evidence/items/{item['id']}")) == item
    second = add_item(as_alice, application, content=PDF, deposit_no="ED-0000-0000-0000-0000")
    assert (second["number"], second["deposit_check"]) == (2, "not_found")


def test_bad_item_input_is_a_problem_with_a_code(login, alice, bob):
    application = draft_application(alice)
    as_alice = login(alice)
    url = f"/applications/{application.pk}/evidence"
    plaintiff = party(application, PartySide.PLAINTIFF).pk
    token = uploaded(as_alice)
    problem(send(as_alice, "post", url, item_payload(plaintiff, "nope")), 400, "no_upload")
    problem(
        send(as_alice, "post", url, item_payload(plaintiff, uploaded(login(bob)))),
        400,
        "no_upload",
    )
    unfinished = start(as_alice, PDF)
    problem(
        send(as_alice, "post", url, item_payload(plaintiff, unfinished)), 400, "upload_incomplete"
    )
    defendant = party(application, PartySide.DEFENDANT).pk
    problem(send(as_alice, "post", url, item_payload(defendant, token)), 403, "not_your_party")
    problem(send(as_alice, "post", url, item_payload(2**40, token)), 403, "not_your_party")
    for bad in ({"form": "hologram"}, {"kind": "forgery"}, {"title": "a\x00b"}, {"party_id": 0}):
        payload = {**item_payload(plaintiff, token), **bad}
        problem(send(as_alice, "post", url, payload), 422, "invalid_request")
    problem(
        send(as_alice, "post", url, item_payload(plaintiff, token, title="  ")),
        400,
        "title_required",
    )
    problem(
        send(as_alice, "post", f"{url}/submit", {"party_id": plaintiff}), 400, "nothing_to_submit"
    )
    assert not EvidenceItem.objects.exists()


def test_the_other_side_sees_an_item_only_once_submitted(
    login, alice, bob, judge, clerk, case, linked
):
    as_alice, as_bob = login(alice), login(bob)
    application = case.application
    item = add_item(as_alice, application)
    url = f"/evidence/items/{item['id']}"
    assert ok(send(as_bob, "get", f"/cases/{case.pk}/evidence")) == []
    assert ok(send(as_bob, "get", f"/applications/{application.pk}/evidence")) == []
    for method, path, payload in (
        ("get", url, None),
        ("get", f"{url}/file", None),
        ("delete", url, None),
        ("post", f"{url}/opinions", {"party_id": linked.pk, **ADMIT_ALL}),
    ):
        problem(send(as_bob, method, path, payload), 404, "not_found")
    assert ok(send(as_alice, "get", f"/cases/{case.pk}/evidence")) == [item]

    plaintiff = party(application, PartySide.PLAINTIFF).pk
    [submitted] = ok(
        send(
            as_alice,
            "post",
            f"/applications/{application.pk}/evidence/submit",
            {"party_id": plaintiff},
        )
    )
    assert submitted["id"] == item["id"] and submitted["submitted_at"]
    for person in (bob, judge, clerk):
        client = login(person)
        assert ok(send(client, "get", f"/cases/{case.pk}/evidence")) == [submitted]
        assert ok(send(client, "get", url)) == submitted
        assert client.get(API + submitted["file_url"].removeprefix(API)).status_code == 200
    problem(send(as_alice, "delete", url), 400, "already_submitted")
    # Bob's own draft stays his side's.
    mine = add_item(as_bob, application, side=PartySide.DEFENDANT, content=PDF)
    assert mine["number"] == 1 and mine["party"]["side"] == "defendant"
    problem(send(as_alice, "get", f"/evidence/items/{mine['id']}"), 404, "not_found")
    assert ok(send(as_bob, "delete", f"/evidence/items/{mine['id']}"), 204) == {}
    assert not EvidenceItem.objects.filter(pk=mine["id"]).exists()


ADMIT_ALL = {"authenticity": "admit", "legality": "admit", "relevance": "admit"}
ESTABLISHED = {
    "authenticity": "established",
    "legality": "established",
    "relevance": "established",
}


def _submitted(login, alice, case) -> dict[str, Any]:
    as_alice = login(alice)
    add_item(as_alice, case.application)
    plaintiff = party(case.application, PartySide.PLAINTIFF).pk
    path = f"/applications/{case.application_id}/evidence/submit"
    return ok(send(as_alice, "post", path, {"party_id": plaintiff}))[0]


def test_the_other_side_answers_and_the_judge_determines(login, alice, bob, judge, case, linked):
    item = _submitted(login, alice, case)
    url = f"/evidence/items/{item['id']}"
    as_alice, as_bob, as_judge = login(alice), login(bob), login(judge)
    disputed = {**ADMIT_ALL, "relevance": "dispute"}
    problem(
        send(as_bob, "post", f"{url}/opinions", {"party_id": linked.pk, **disputed}),
        400,
        "reasons_required",
    )
    opinion = ok(
        send(
            as_bob,
            "post",
            f"{url}/opinions",
            {"party_id": linked.pk, **disputed, "reasons": "Captured after the takedown."},
        ),
        201,
    )
    assert opinion["party"] == {"id": linked.pk, "name": "Beta Tech Co., Ltd.", "side": "defendant"}
    assert (opinion["relevance"], opinion["reasons"]) == ("dispute", "Captured after the takedown.")
    problem(
        send(as_bob, "post", f"{url}/opinions", {"party_id": linked.pk, **ADMIT_ALL}),
        400,
        "opinion_exists",
    )
    plaintiff = item["party"]["id"]
    problem(
        send(as_alice, "post", f"{url}/opinions", {"party_id": plaintiff, **ADMIT_ALL}),
        400,
        "own_side",
    )
    problem(
        send(as_bob, "post", f"{url}/opinions", {"party_id": plaintiff, **ADMIT_ALL}),
        403,
        "not_your_party",
    )
    problem(
        send(
            as_bob, "post", f"{url}/opinions", {"party_id": linked.pk, **ADMIT_ALL, "legality": "?"}
        ),
        422,
        "invalid_request",
    )

    reasons = {"reasons": "Notarised capture."}
    problem(
        send(
            as_alice, "post", f"{url}/determination", {**ESTABLISHED, "admitted": True, **reasons}
        ),
        403,
        "not_the_judge",
    )
    problem(
        send(
            as_judge,
            "post",
            f"{url}/determination",
            {**ESTABLISHED, "relevance": "not_established", "admitted": True, **reasons},
        ),
        400,
        "admitted_inconsistent",
    )
    determined = ok(
        send(
            as_judge, "post", f"{url}/determination", {**ESTABLISHED, "admitted": True, **reasons}
        ),
        201,
    )
    assert determined["judge"] == {"id": judge.pk, "name": "Judge Wang"}
    assert determined["admitted"] is True
    problem(
        send(
            as_judge, "post", f"{url}/determination", {**ESTABLISHED, "admitted": False, **reasons}
        ),
        400,
        "determination_exists",
    )
    shown = ok(send(as_alice, "get", url))
    assert [o["id"] for o in shown["opinions"]] == [opinion["id"]]
    assert shown["determination"] == determined


def test_the_list_reads_in_a_fixed_number_of_queries(login, alice, bob, judge, case, linked):
    as_alice, as_bob, as_judge = login(alice), login(bob), login(judge)
    plaintiff = party(case.application, PartySide.PLAINTIFF).pk
    submit = f"/applications/{case.application_id}/evidence/submit"

    def answered(content: bytes) -> None:
        """An item submitted, answered by Bob and determined by the judge."""
        item = add_item(as_alice, case.application, content=content)
        ok(send(as_alice, "post", submit, {"party_id": plaintiff}))
        path = f"/evidence/items/{item['id']}"
        ok(send(as_bob, "post", f"{path}/opinions", {"party_id": linked.pk, **ADMIT_ALL}), 201)
        determination = {**ESTABLISHED, "admitted": True, "reasons": "Fine."}
        ok(send(as_judge, "post", f"{path}/determination", determination), 201)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            ok(send(as_alice, "get", f"/cases/{case.pk}/evidence"))
        return len(captured)

    answered(PNG)
    one = queries()
    answered(PDF)
    answered(PNG + b"2")
    add_item(as_alice, case.application, content=PNG + b"3")  # a draft, without answers
    assert len(ok(send(as_alice, "get", f"/cases/{case.pk}/evidence"))) == 4
    assert queries() == one


# --- Outsiders ----------------------------------------------------------------------------------


def _item_routes(case: Case, item_id: int, token: str) -> list[tuple[str, str, Any]]:
    application_id = case.application_id
    plaintiff = party(case.application, PartySide.PLAINTIFF).pk
    return [
        ("get", f"/applications/{application_id}/evidence", None),
        ("post", f"/applications/{application_id}/evidence", item_payload(plaintiff, token)),
        ("post", f"/applications/{application_id}/evidence/submit", {"party_id": plaintiff}),
        ("get", f"/cases/{case.pk}/evidence", None),
        ("get", f"/evidence/items/{item_id}", None),
        ("delete", f"/evidence/items/{item_id}", None),
        ("get", f"/evidence/items/{item_id}/file", None),
        ("post", f"/evidence/items/{item_id}/opinions", {"party_id": plaintiff, **ADMIT_ALL}),
        (
            "post",
            f"/evidence/items/{item_id}/determination",
            {**ESTABLISHED, "admitted": True, "reasons": "Fine."},
        ),
        ("get", f"/evidence/uploads/{token}", None),
        ("put", f"/evidence/uploads/{token}", None),
    ]


@pytest.mark.parametrize("who", ["oscar", "carol", "other_judge"])
def test_outsiders_get_404_on_every_route(request, login, alice, case, who):
    item = _submitted(login, alice, case)
    token = start(login(alice), PDF)
    client = login(request.getfixturevalue(who))
    for method, path, payload in _item_routes(case, item["id"], token):
        if method == "put":
            response = put_chunk(client, token, PDF[:1000], 0)
        else:
            response = send(client, method, path, payload)
        problem(response, 404, "not_found")
    assert EvidenceItem.objects.get(pk=item["id"]).opinions.count() == 0
    assert Upload.objects.get(token=token).status == UploadStatus.OPEN


def test_anonymous_callers_are_asked_to_sign_in(client, alice, case):
    for method, path, payload in _item_routes(case, 1, "token"):
        problem(send(client, method, path, payload), 401, "not_authenticated")


# --- The court administrator's registry ---------------------------------------------------------


def _registry_routes() -> list[tuple[str, str, Any]]:
    return [
        ("get", "/evidence/institutions", None),
        ("post", "/evidence/institutions", {"name": "Haidian Notary Office"}),
        ("post", "/evidence/institutions/1/tokens", None),
        ("post", "/evidence/tokens/1/revoke", None),
        ("get", "/evidence/witnesses", None),
        ("post", "/evidence/witnesses", {"verifier_key": "x", "description": ""}),
        ("post", "/evidence/witnesses/1/active", {"active": False}),
    ]


@pytest.mark.parametrize("who", ["alice", "clerk", "judge"])
def test_only_court_administrators_keep_the_registry(request, login, who):
    client = login(request.getfixturevalue(who))
    for method, path, payload in _registry_routes():
        problem(send(client, method, path, payload), 403, "forbidden")


def deposit(token: str, content: bytes):
    records = {
        "records": [{"sha256": sha(content), "size": len(content), "media_type": "image/png"}]
    }
    return send(
        Client(),
        "post",
        "/evidence/deposits",
        records,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_an_administrator_registers_an_institution_and_gives_it_a_token(login, admin):
    as_admin = login(admin)
    institution = ok(
        send(as_admin, "post", "/evidence/institutions", {"name": " Haidian  Notary Office "}),
        201,
    )
    assert (institution["name"], institution["is_active"], institution["tokens"]) == (
        "Haidian Notary Office",
        True,
        [],
    )
    assert institution["depositor_id"].startswith("i-")
    problem(
        send(as_admin, "post", "/evidence/institutions", {"name": "Haidian Notary Office"}),
        400,
        "institution_exists",
    )
    url = f"/evidence/institutions/{institution['id']}/tokens"
    created = ok(send(as_admin, "post", url), 201)
    secret = created["token"]
    assert secret.startswith("ect_") and secret.startswith(created["prefix"])
    assert created["revoked_at"] is None
    [listed] = ok(send(as_admin, "get", "/evidence/institutions"))
    assert listed["tokens"] == [{k: v for k, v in created.items() if k != "token"}]
    assert secret not in str(listed)

    [made] = ok(deposit(secret, PNG), 201)["deposits"]
    assert made["sha256"] == sha(PNG) and made["created"] is True
    revoked = ok(send(as_admin, "post", f"/evidence/tokens/{created['id']}/revoke"))
    assert revoked["revoked_at"] is not None
    problem(deposit(secret, PDF), 401, "not_authenticated")
    problem(send(as_admin, "post", "/evidence/institutions/999999/tokens"), 404, "not_found")
    problem(send(as_admin, "post", "/evidence/tokens/999999/revoke"), 404, "not_found")


def test_an_administrator_trusts_and_distrusts_witnesses(login, admin):
    as_admin = login(admin)
    key = Ed25519PrivateKey.generate()
    verifier = str(note.verifier_for("notary.example", key, note.COSIGNATURE_V1))
    witness = ok(
        send(
            as_admin,
            "post",
            "/evidence/witnesses",
            {"verifier_key": verifier, "description": "Haidian Notary Office"},
        ),
        201,
    )
    assert (witness["name"], witness["verifier_key"], witness["is_active"]) == (
        "notary.example",
        verifier,
        True,
    )
    problem(
        send(as_admin, "post", "/evidence/witnesses", {"verifier_key": verifier}),
        400,
        "witness_exists",
    )
    problem(
        send(as_admin, "post", "/evidence/witnesses", {"verifier_key": "not+a+key"}),
        400,
        "bad_witness_key",
    )
    signer = str(note.verifier_for("log.example", key, note.ED25519))
    problem(
        send(as_admin, "post", "/evidence/witnesses", {"verifier_key": signer}),
        400,
        "bad_witness_key",
    )
    url = f"/evidence/witnesses/{witness['id']}/active"
    assert ok(send(as_admin, "post", url, {"active": False}))["is_active"] is False
    assert [w["is_active"] for w in ok(send(as_admin, "get", "/evidence/witnesses"))] == [False]
    assert ok(send(as_admin, "post", url, {"active": True}))["is_active"] is True
    problem(send(as_admin, "post", "/evidence/witnesses/999999/active", {"active": True}), 404)


def test_an_id_beyond_64_bits_is_a_404_not_a_500(login, alice):
    # Found by schemathesis: SQLite cannot bind such an integer (OverflowError).
    path = "/applications/3943851274367481343902569237718237184/evidence"
    problem(send(login(alice), "get", path), 404, "not_found")
