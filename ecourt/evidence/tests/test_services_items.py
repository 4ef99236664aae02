"""Evidence items: who may put a file on which list and when, numbering, the file's deposit and
the check of an institution's deposit number, taking drafts back, submitting, the other side's
opinions, the judge's determination, and the audit trail and docket they leave."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases import services as case_services
from ecourt.cases.models import Application, Case, DocketEntry, Party, PartySide
from ecourt.cases.tests.factories import (
    company_for,
    docketed_case,
    draft_application,
    submitted_application,
)
from ecourt.cases.tests.test_api_cases import association_code
from ecourt.conftest import _staff
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent
from ecourt.evidence.models import (
    Deposit,
    DepositCheck,
    EvidenceDetermination,
    EvidenceItem,
    EvidenceOpinion,
    Upload,
    UploadStatus,
)
from ecourt.evidence.services.items import (
    evidence_determination_record,
    evidence_item_add,
    evidence_item_remove,
    evidence_list_submit,
    evidence_opinion_record,
)
from ecourt.evidence.services.log import HashRecord, deposits_create
from ecourt.evidence.services.registry import institution_create
from ecourt.evidence.services.uploads import upload_from_file, upload_start

pytestmark = pytest.mark.django_db

SCREENSHOT = b"\x89PNG\r\n\x1a\n" + b"screenshot of the defendant's page" * 10
CONTRACT = b"%PDF-1.4\n" + b"licence agreement, signed 2026-01-05\n" * 20


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


_files = iter(range(10**6))


def uploaded(user: User, content: bytes = SCREENSHOT, filename: str = "page.png") -> Upload:
    """A complete upload of ``content`` by ``user`` (as the form without JavaScript makes)."""
    path = Path(settings.VAR_DIR) / f"incoming-{next(_files)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return upload_from_file(actor=user, path=path, filename=filename)


def add(
    user: User,
    application: Application,
    party: Party,
    content: bytes = SCREENSHOT,
    **kwargs: Any,
) -> EvidenceItem:
    fields: dict[str, Any] = {
        "title": "Screenshot of the defendant's page",
        "purpose": "The defendant published the photographs.",
        "form": "web_page",
        "kind": "copy",
    }
    fields.update(kwargs)
    upload = fields.pop("upload", None) or uploaded(user, content)
    return evidence_item_add(
        actor=user, application=application, party=party, upload=upload, **fields
    )


def plaintiff_of(application: Application) -> Party:
    return application.parties.get(side=PartySide.PLAINTIFF)


def defendant_of(application: Application) -> Party:
    return application.parties.get(side=PartySide.DEFENDANT)


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
def submitted_item(case: Case, alice: User) -> EvidenceItem:
    """Alice's screenshot, submitted in the case."""
    item = add(alice, case.application, plaintiff_of(case.application))
    evidence_list_submit(actor=alice, application=case.application, party=item.party)
    item.refresh_from_db()
    return item


def codes(error: pytest.ExceptionInfo[DomainError]) -> str:
    return error.value.code


# --- Putting a file on a list -------------------------------------------------------------------


def test_it_puts_a_file_on_the_partys_list_and_deposits_its_hash(alice):
    application = draft_application(alice)
    item = add(alice, application, plaintiff_of(application), source="Captured by notary")
    assert (item.number, item.submitted_at, item.filename) == (1, None, "page.png")
    assert item.blob.sha256 == hashlib.sha256(SCREENSHOT).hexdigest()
    assert (item.deposit.sha256, item.deposit.size) == (item.blob.sha256, len(SCREENSHOT))
    assert item.deposit.media_type == "image/png"
    assert item.deposit.user == alice
    assert item.deposit_check == DepositCheck.NONE
    assert item.source == "Captured by notary"
    assert Upload.objects.get(blob=item.blob).status == UploadStatus.USED


def test_it_refuses_a_party_the_person_does_not_act_for(alice, bob, oscar, case):
    application = case.application
    with pytest.raises(PermissionDenied) as refused:
        add(bob, application, defendant_of(application))  # not linked yet
    assert codes(refused) == "not_your_party"
    with pytest.raises(PermissionDenied):
        add(alice, application, defendant_of(application))
    with pytest.raises(PermissionDenied):
        add(oscar, application, plaintiff_of(application))
    other = draft_application(alice)
    with pytest.raises(PermissionDenied):
        add(alice, application, plaintiff_of(other))  # a party of another application
    assert not EvidenceItem.objects.exists()


def test_it_refuses_evidence_once_the_application_or_case_is_closed(alice, judge, case):
    withdrawn = submitted_application(alice)
    case_services.application_withdraw(actor=alice, application_id=withdrawn.pk)
    with pytest.raises(DomainError) as refused:
        add(alice, withdrawn, plaintiff_of(withdrawn))
    assert codes(refused) == "evidence_closed"
    case_services.case_close(actor=judge, case_id=case.pk, mode="withdrawal")
    with pytest.raises(DomainError) as refused:
        add(alice, case.application, plaintiff_of(case.application))
    assert codes(refused) == "evidence_closed"


def test_it_needs_a_complete_upload_of_ones_own(alice, bob):
    application = draft_application(alice)
    party = plaintiff_of(application)
    unfinished = upload_start(actor=alice, filename="page.png", size=100)
    with pytest.raises(DomainError) as refused:
        add(alice, application, party, upload=unfinished)
    assert (codes(refused), refused.value.field) == ("upload_incomplete", "upload")
    with pytest.raises(DomainError) as refused:
        add(alice, application, party, upload=uploaded(bob))
    assert codes(refused) == "no_upload"
    used = uploaded(alice)
    add(alice, application, party, upload=used)
    with pytest.raises(DomainError) as refused:
        add(alice, application, party, upload=used)  # an upload makes one item
    assert codes(refused) == "upload_incomplete"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "  ", "title_required"),
        ("purpose", "", "purpose_required"),
        ("form", "hologram", "bad_form"),
        ("kind", "forgery", "bad_kind"),
        ("source", "x" * 301, "source_too_long"),
    ],
)
def test_it_checks_what_the_item_says(alice, field, value, code):
    application = draft_application(alice)
    with pytest.raises(DomainError) as refused:
        add(alice, application, plaintiff_of(application), **{field: value})
    assert (codes(refused), refused.value.field) == (code, field)


def test_items_are_numbered_per_party(alice, bob, case, linked):
    application = case.application
    mine = [
        add(alice, application, plaintiff_of(application), i.encode() + CONTRACT) for i in "abc"
    ]
    assert [i.number for i in mine] == [1, 2, 3]
    assert add(bob, application, linked, CONTRACT).number == 1
    evidence_item_remove(actor=alice, item=mine[1])
    assert add(alice, application, plaintiff_of(application), b"d" + CONTRACT).number == 4


def test_the_same_person_depositing_the_same_content_gets_the_same_deposit(
    alice, bob, case, linked
):
    application = case.application
    first = add(alice, application, plaintiff_of(application), CONTRACT)
    again = add(alice, application, plaintiff_of(application), CONTRACT, title="Again")
    theirs = add(bob, application, linked, CONTRACT)
    assert first.deposit_id == again.deposit_id
    assert theirs.deposit_id != first.deposit_id
    assert first.blob_id == again.blob_id == theirs.blob_id
    assert Deposit.objects.filter(sha256=first.blob.sha256).count() == 2


def test_an_institutions_deposit_number_is_checked_against_the_file(alice):
    sha = hashlib.sha256(SCREENSHOT).hexdigest()
    notary = institution_create(actor=None, name="Haidian Notary Office")
    monitor = institution_create(actor=None, name="Copyright Monitor Ltd.")
    [(same, _)] = deposits_create(
        actor=None, institution=notary, records=[HashRecord(sha, len(SCREENSHOT), "image/png")]
    )
    [(other, _)] = deposits_create(
        actor=None, institution=notary, records=[HashRecord("ab" * 32, 10, "image/png")]
    )
    [(resized, _)] = deposits_create(
        actor=None, institution=monitor, records=[HashRecord(sha, 999, "image/png")]
    )
    application = draft_application(alice)
    party = plaintiff_of(application)
    expected = {
        same.deposit_no.lower(): DepositCheck.MATCH,
        other.deposit_no: DepositCheck.HASH_MISMATCH,
        resized.deposit_no: DepositCheck.SIZE_MISMATCH,
        "ED-0000-0000-0000-0000": DepositCheck.NOT_FOUND,
    }
    for number, check in expected.items():
        item = add(alice, application, party, claimed_deposit_no=f" {number} ")
        assert item.deposit_check == check
        assert item.claimed_deposit_no == number.upper()
    matched = EvidenceItem.objects.get(deposit_check=DepositCheck.MATCH)
    assert matched.claimed_deposit == same
    assert EvidenceItem.objects.get(deposit_check=DepositCheck.NOT_FOUND).claimed_deposit is None


# --- Taking back and submitting -----------------------------------------------------------------


def test_only_a_draft_is_taken_back_and_only_by_its_side(alice, bob, case, linked):
    application = case.application
    draft = add(alice, application, plaintiff_of(application))
    with pytest.raises(PermissionDenied):
        evidence_item_remove(actor=bob, item=draft)
    evidence_item_remove(actor=alice, item=draft)
    assert not EvidenceItem.objects.filter(pk=draft.pk).exists()
    assert Deposit.objects.filter(pk=draft.deposit_id).exists()  # the log only grows
    kept = add(alice, application, plaintiff_of(application))
    evidence_list_submit(actor=alice, application=application, party=kept.party)
    with pytest.raises(DomainError) as refused:
        evidence_item_remove(actor=alice, item=kept)
    assert codes(refused) == "already_submitted"


def test_submitting_needs_something_new_and_dockets_only_in_a_case(alice, case):
    application = draft_application(alice)
    party = plaintiff_of(application)
    with pytest.raises(DomainError) as refused:
        evidence_list_submit(actor=alice, application=application, party=party)
    assert codes(refused) == "nothing_to_submit"
    add(alice, application, party)
    [submitted] = evidence_list_submit(actor=alice, application=application, party=party)
    assert submitted.submitted_at is not None
    assert not DocketEntry.objects.filter(code="evidence.submitted").exists()

    in_case = case.application
    first = add(alice, in_case, plaintiff_of(in_case))
    second = add(alice, in_case, plaintiff_of(in_case), CONTRACT)
    done = evidence_list_submit(actor=alice, application=in_case, party=first.party)
    assert [i.pk for i in done] == [first.pk, second.pk]
    [entry] = DocketEntry.objects.filter(case=case, code="evidence.submitted")
    assert entry.text_en == "Alice Zhang submitted evidence (list no. 1, 2)."
    assert "Alice Zhang" in entry.text_zh and "1, 2" in entry.text_zh
    assert entry.party == first.party
    with pytest.raises(DomainError) as refused:
        evidence_list_submit(actor=alice, application=in_case, party=first.party)
    assert codes(refused) == "nothing_to_submit"


def test_only_ones_own_party_submits(alice, bob, case, linked):
    add(alice, case.application, plaintiff_of(case.application))
    with pytest.raises(PermissionDenied):
        evidence_list_submit(
            actor=bob, application=case.application, party=plaintiff_of(case.application)
        )


# --- Opinions -----------------------------------------------------------------------------------

ADMIT_ALL = {"authenticity": "admit", "legality": "admit", "relevance": "admit"}


def test_the_other_side_gives_its_opinion_once(bob, linked, submitted_item, case):
    opinion = evidence_opinion_record(
        actor=bob,
        item=submitted_item,
        party=linked,
        authenticity="admit",
        legality="admit",
        relevance="dispute",
        reasons="The page was captured after the takedown.",
    )
    assert (opinion.relevance, opinion.recorded_by, opinion.party) == ("dispute", bob, linked)
    entry = DocketEntry.objects.get(case=case, code="evidence.opinion")
    assert entry.text_en == (
        "Beta Tech Co., Ltd. gave its opinion on evidence item 1 of Alice Zhang "
        "(authenticity: Admit; legality: Admit; relevance: Dispute)."
    )
    assert entry.text_zh
    assert "Beta Tech Co., Ltd." in entry.text_zh and "Alice Zhang" in entry.text_zh
    assert entry.document_text == "The page was captured after the takedown."
    with pytest.raises(DomainError) as refused:
        evidence_opinion_record(actor=bob, item=submitted_item, party=linked, **ADMIT_ALL)
    assert codes(refused) == "opinion_exists"
    assert EvidenceOpinion.objects.count() == 1


def test_an_opinion_comes_from_the_other_side(alice, submitted_item):
    with pytest.raises(DomainError) as refused:
        evidence_opinion_record(
            actor=alice, item=submitted_item, party=submitted_item.party, **ADMIT_ALL
        )
    assert codes(refused) == "own_side"


def test_an_opinion_needs_a_party_one_acts_for(alice, bob, oscar, linked, submitted_item):
    for person in (alice, oscar):
        with pytest.raises(PermissionDenied):
            evidence_opinion_record(actor=person, item=submitted_item, party=linked, **ADMIT_ALL)


def test_an_opinion_is_on_a_submitted_item(alice, bob, case, linked):
    draft = add(alice, case.application, plaintiff_of(case.application))
    with pytest.raises(DomainError) as refused:
        evidence_opinion_record(actor=bob, item=draft, party=linked, **ADMIT_ALL)
    assert codes(refused) == "not_submitted"


def test_disputing_needs_reasons(bob, linked, submitted_item):
    with pytest.raises(DomainError) as refused:
        evidence_opinion_record(
            actor=bob,
            item=submitted_item,
            party=linked,
            authenticity="dispute",
            legality="admit",
            relevance="admit",
            reasons="   ",
        )
    assert (codes(refused), refused.value.field) == ("reasons_required", "reasons")
    with pytest.raises(DomainError) as refused:
        evidence_opinion_record(
            actor=bob,
            item=submitted_item,
            party=linked,
            authenticity="maybe",
            legality="admit",
            relevance="admit",
        )
    assert codes(refused) == "bad_stance"


def test_opinions_wait_for_a_case(alice):
    application = submitted_application(alice)
    item = add(alice, application, plaintiff_of(application))
    evidence_list_submit(actor=alice, application=application, party=item.party)
    with pytest.raises(DomainError) as refused:
        evidence_opinion_record(actor=alice, item=item, party=item.party, **ADMIT_ALL)
    assert codes(refused) == "no_case"


# --- The judge's determination ------------------------------------------------------------------

ESTABLISHED = {
    "authenticity": "established",
    "legality": "established",
    "relevance": "established",
}


def test_the_judge_determines_an_item_once(judge, submitted_item, case):
    found = evidence_determination_record(
        actor=judge,
        item=submitted_item,
        admitted=True,
        reasons="Notarised capture; the defendant did not dispute it.",
        **ESTABLISHED,
    )
    assert (found.admitted, found.judge) == (True, judge)
    entry = DocketEntry.objects.get(case=case, code="evidence.determined")
    assert entry.text_en == "The court determined evidence item 1 of Alice Zhang: admitted."
    assert "采纳" in entry.text_zh and "Alice Zhang" in entry.text_zh
    with pytest.raises(DomainError) as refused:
        evidence_determination_record(
            actor=judge, item=submitted_item, admitted=False, reasons="Again.", **ESTABLISHED
        )
    assert codes(refused) == "determination_exists"
    assert EvidenceDetermination.objects.count() == 1


def test_only_the_cases_judge_determines(alice, clerk, submitted_item):
    other_judge = _staff(Role.JUDGE, "Judge Li")
    for person in (alice, clerk, other_judge):
        with pytest.raises(PermissionDenied) as refused:
            evidence_determination_record(
                actor=person, item=submitted_item, admitted=True, reasons="Fine.", **ESTABLISHED
            )
        assert codes(refused) == "not_the_judge"


def test_an_item_is_admitted_only_when_all_three_are_established(judge, submitted_item, case):
    with pytest.raises(DomainError) as refused:
        evidence_determination_record(
            actor=judge,
            item=submitted_item,
            authenticity="established",
            legality="not_established",
            relevance="established",
            admitted=True,
            reasons="Obtained by intrusion.",
        )
    assert (codes(refused), refused.value.field) == ("admitted_inconsistent", "admitted")
    found = evidence_determination_record(
        actor=judge,
        item=submitted_item,
        authenticity="established",
        legality="not_established",
        relevance="established",
        admitted=False,
        reasons="Obtained by intrusion.",
    )
    assert not found.admitted
    entry = DocketEntry.objects.get(case=case, code="evidence.determined")
    assert entry.text_en.endswith(": not admitted.")
    assert "不予采纳" in entry.text_zh


def test_a_determination_needs_reasons_and_a_submitted_item(alice, judge, case):
    draft = add(alice, case.application, plaintiff_of(case.application))
    with pytest.raises(DomainError) as refused:
        evidence_determination_record(
            actor=judge, item=draft, admitted=True, reasons=" ", **ESTABLISHED
        )
    assert codes(refused) == "reasons_required"
    with pytest.raises(DomainError) as refused:
        evidence_determination_record(
            actor=judge, item=draft, admitted=True, reasons="Fine.", **ESTABLISHED
        )
    assert codes(refused) == "not_submitted"


# --- The audit trail ----------------------------------------------------------------------------


def test_every_step_is_audited(alice, bob, judge, case, linked):
    application = case.application
    item = add(alice, application, plaintiff_of(application))
    removed = add(alice, application, plaintiff_of(application), CONTRACT)
    evidence_item_remove(actor=alice, item=removed)
    evidence_list_submit(actor=alice, application=application, party=item.party)
    evidence_opinion_record(actor=bob, item=item, party=linked, **ADMIT_ALL)
    evidence_determination_record(
        actor=judge, item=item, admitted=True, reasons="Undisputed.", **ESTABLISHED
    )
    events = list(AuditEvent.objects.filter(code__startswith="ecourt.evidence.").order_by("pk"))
    assert [e.code for e in events] == [
        "ecourt.evidence.upload_received",
        "ecourt.evidence.item_added",
        "ecourt.evidence.upload_received",
        "ecourt.evidence.item_added",
        "ecourt.evidence.item_removed",
        "ecourt.evidence.list_submitted",
        "ecourt.evidence.opinion_recorded",
        "ecourt.evidence.determined",
    ]
    added = events[1]
    assert added.actor == alice and added.target_id == str(item.pk)
    assert added.new_values["deposit_no"] == item.deposit.deposit_no
    assert added.new_values["case"] == case.pk
    assert events[4].old_values["title"] == removed.title
    assert events[-1].actor == judge
    assert events[-1].new_values == {"admitted": True, **ESTABLISHED}
