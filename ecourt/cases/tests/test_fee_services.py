"""Paying the acceptance fee, and asking for it to be deferred, reduced or waived."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from ecourt.accounts.tests.factories import valid_uscc
from ecourt.cases import selectors, services
from ecourt.cases.models import (
    FeeRelief,
    FilingCapacity,
    PartyKind,
    PartySide,
    PaymentStatus,
    ReliefStatus,
)
from ecourt.cases.tests.factories import (
    company_for,
    consent,
    docketed_case,
    draft_application,
    submitted_application,
)
from ecourt.core import sms
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.models import AuditEvent

REASONS = "I lost my job in May and live on benefits."


@contextmanager
def refused(code: str, field: str | None = None) -> Iterator[None]:
    with pytest.raises(DomainError) as info:
        yield
    assert info.value.code == code, (info.value.code, str(info.value))
    if field is not None:
        assert info.value.field == field


def events(code, target):
    return list(AuditEvent.objects.filter(code=code, target_id=str(target.pk)))


# --- Payment ------------------------------------------------------------------------------------


def test_a_payment_is_opened_for_the_fee_owed_once(alice):
    application = submitted_application(alice)
    payment = services.payment_start(actor=alice, application_id=application.pk)
    again = services.payment_start(actor=alice, application_id=application.pk)
    assert again.pk == payment.pk
    assert (payment.amount, payment.status, payment.provider) == (
        Decimal("1050.00"),
        PaymentStatus.PENDING,
        "bank_transfer",
    )
    assert payment.reference.startswith("FEE") and len(payment.reference) == 15
    [event] = events("ecourt.filing.payment.started", application)
    assert event.new_values == {
        "payment": payment.pk,
        "amount": "1050.00",
        "provider": "bank_transfer",
    }
    assert selectors.payment_pending(application) == payment


def test_only_the_applicant_pays_and_only_between_submission_and_decision(alice, bob, clerk):
    draft = draft_application(alice)
    with refused("not_payable"):
        services.payment_start(actor=alice, application_id=draft.pk)
    submitted = submitted_application(alice)
    with refused("not_found"):
        services.payment_start(actor=bob, application_id=submitted.pk)
    case = docketed_case(alice, clerk)
    with refused("not_payable"):
        services.payment_start(actor=alice, application_id=case.application_id)


def test_a_clerk_confirms_the_transfer(alice, clerk, commit):
    application = submitted_application(alice)
    payment = services.payment_start(actor=alice, application_id=application.pk)
    with refused("record_missing", "record"):
        services.payment_confirm(actor=clerk, payment_id=payment.pk, record="  ")
    with pytest.raises(PermissionDenied) as info:
        services.payment_confirm(actor=alice, payment_id=payment.pk, record="ICBC 1")
    assert info.value.code == "not_clerk"
    with refused("not_found"):
        services.payment_confirm(actor=clerk, payment_id=987654, record="ICBC 1")
    with commit():
        payment = services.payment_confirm(
            actor=clerk, payment_id=payment.pk, record="ICBC 0001 1050.00"
        )
    assert (payment.status, payment.confirmed_by, payment.provider_record) == (
        PaymentStatus.PAID,
        clerk,
        "ICBC 0001 1050.00",
    )
    with refused("payment_not_pending"):
        services.payment_confirm(actor=clerk, payment_id=payment.pk, record="ICBC again")
    standing = selectors.fee_standing_of(application)
    assert (standing.settled, standing.how) == (True, "paid")
    with refused("nothing_owed"):
        services.payment_start(actor=alice, application_id=application.pk)
    [event] = events("ecourt.filing.payment.paid", application)
    assert event.new_values["amount"] == "1050.00"
    assert any(m.to == alice.mobile and "1050.00" in m.body for m in sms.outbox)


def test_the_sandbox_is_paid_by_the_payer(alice, bob, settings):
    application = submitted_application(alice)
    payment = services.payment_start(actor=alice, application_id=application.pk)
    with refused("not_sandbox"):
        services.payment_sandbox_complete(actor=alice, payment_id=payment.pk)

    settings.ECOURT_PAYMENT_PROVIDER = "sandbox"
    other = submitted_application(alice)
    payment = services.payment_start(actor=alice, application_id=other.pk)
    with refused("not_found"):
        services.payment_sandbox_complete(actor=bob, payment_id=payment.pk)
    paid = services.payment_sandbox_complete(actor=alice, payment_id=payment.pk)
    again = services.payment_sandbox_complete(actor=alice, payment_id=payment.pk)
    assert paid.status == again.status == PaymentStatus.PAID
    assert len(events("ecourt.filing.payment.paid", other)) == 1
    assert selectors.fee_standing_of(other).settled


def test_a_free_case_owes_nothing(bob, clerk):
    """A procuratorate's public-interest action: it files as a state organ (USCC starting 1)."""
    company = company_for(bob, name="Beijing Procuratorate", uscc=valid_uscc("11110000MB0123456"))
    consent(bob)
    application = services.application_create(
        actor=bob, capacity=FilingCapacity.COMPANY, company_id=company.pk
    )
    services.application_set_case_type(
        actor=bob, application_id=application.pk, code="internet_public_interest"
    )
    services.party_add(
        actor=bob,
        application_id=application.pk,
        side=PartySide.DEFENDANT,
        kind=PartyKind.COMPANY,
        name="Delta Data Co., Ltd.",
        legal_representative="Zhou Delta",
        mobile="+8613900000088",
    )
    services.claim_add(actor=bob, application_id=application.pk, text="Stop selling personal data.")
    services.application_set_facts(
        actor=bob,
        application_id=application.pk,
        facts="Delta Data sold the personal data of thousands of consumers online.",
    )
    services.application_confirm_delivery(
        actor=bob, application_id=application.pk, mobile=bob.mobile, confirmed=True
    )
    application = services.application_submit(actor=bob, application_id=application.pk)
    assert application.fee_amount == Decimal("0.00")
    with refused("nothing_owed"):
        services.payment_start(actor=bob, application_id=application.pk)
    assert services.filing_accept(actor=clerk, application_id=application.pk).fee_amount == 0


def test_only_a_state_organ_may_bring_a_public_interest_action(alice):
    application = draft_application(alice, complete=False)
    with refused("procuratorate_only"):
        services.application_set_case_type(
            actor=alice, application_id=application.pk, code="internet_public_interest"
        )


# --- Relief -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "reasons", "code", "field"),
    [
        ("amnesty", REASONS, "relief_kind_invalid", "kind"),
        ("waiver", "Poor.", "reasons_missing", "reasons"),
    ],
)
def test_a_relief_request_needs_a_kind_and_reasons(alice, kind, reasons, code, field):
    application = submitted_application(alice)
    with refused(code, field):
        services.fee_relief_request(
            actor=alice, application_id=application.pk, kind=kind, reasons=reasons
        )


def test_one_request_waits_at_a_time(alice, bob):
    application = submitted_application(alice)
    request = services.fee_relief_request(
        actor=alice, application_id=application.pk, kind="deferral", reasons=REASONS
    )
    assert request.status == ReliefStatus.PENDING
    with refused("relief_pending"):
        services.fee_relief_request(
            actor=alice, application_id=application.pk, kind="waiver", reasons=REASONS
        )
    with refused("not_found"):
        services.fee_relief_request(
            actor=bob, application_id=application.pk, kind="waiver", reasons=REASONS
        )
    [event] = events("ecourt.filing.fee_relief.requested", application)
    assert event.new_values == {"request": request.pk, "kind": "deferral"}


def test_a_draft_cannot_ask_for_relief(alice):
    application = draft_application(alice)
    with refused("not_payable"):
        services.fee_relief_request(
            actor=alice, application_id=application.pk, kind="waiver", reasons=REASONS
        )


def request_reduction(alice):
    application = submitted_application(alice)
    return services.fee_relief_request(
        actor=alice, application_id=application.pk, kind=FeeRelief.REDUCTION, reasons=REASONS
    )


@pytest.mark.parametrize("reduced", [None, "", "abc", "0", "-5", "1050", "2000", "1e30"])
def test_a_reduction_names_a_smaller_fee(alice, clerk, reduced):
    request = request_reduction(alice)
    with refused("reduced_fee_invalid", "reduced_fee"):
        services.fee_relief_decide(
            actor=clerk, request_id=request.pk, grant=True, reduced_fee=reduced
        )
    request.refresh_from_db()
    assert request.status == ReliefStatus.PENDING


def test_a_clerk_decides_a_request_once(alice, clerk, commit):
    request = request_reduction(alice)
    with pytest.raises(PermissionDenied) as info:
        services.fee_relief_decide(actor=alice, request_id=request.pk, grant=True)
    assert info.value.code == "not_clerk"
    with refused("reason_missing", "reason"):
        services.fee_relief_decide(actor=clerk, request_id=request.pk, grant=False)
    with refused("not_found"):
        services.fee_relief_decide(actor=clerk, request_id=987654, grant=True, reduced_fee="1")
    with commit():
        request = services.fee_relief_decide(
            actor=clerk, request_id=request.pk, grant=True, reduced_fee="525.00"
        )
    assert (request.status, request.reduced_fee, request.decided_by) == (
        ReliefStatus.GRANTED,
        Decimal("525.00"),
        clerk,
    )
    with refused("relief_decided"):
        services.fee_relief_decide(actor=clerk, request_id=request.pk, grant=False, reason="No.")
    [event] = events("ecourt.filing.fee_relief.decided", request.application)
    assert event.old_values == {"status": "pending"}
    assert event.new_values == {"request": request.pk, "status": "granted", "reduced_fee": "525.00"}
    standing = selectors.fee_standing_of(request.application)
    assert (standing.settled, standing.outstanding) == (False, Decimal("525.00"))
    assert any(m.to == alice.mobile and "was decided" in m.body for m in sms.outbox)


def test_the_latest_granted_relief_counts(alice, clerk):
    request = request_reduction(alice)
    services.fee_relief_decide(actor=clerk, request_id=request.pk, grant=True, reduced_fee="500")
    waiver = services.fee_relief_request(
        actor=alice, application_id=request.application_id, kind="waiver", reasons=REASONS
    )
    services.fee_relief_decide(actor=clerk, request_id=waiver.pk, grant=True)
    standing = selectors.fee_standing_of(request.application)
    assert (standing.settled, standing.how) == (True, "waived")
