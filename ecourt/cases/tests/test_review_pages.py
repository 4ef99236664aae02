"""The filing clerk's pages: the queue and an application's review with its decisions.

Personas: Alice files against Beta Tech; the clerk reviews; Oscar (no role) and the judge
(staff, not a clerk) get 403 from these staff-only pages.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ecourt.accounts.rules import mask_identifier
from ecourt.cases import services
from ecourt.cases.models import (
    Application,
    ApplicationStatus,
    Case,
    FeeRelief,
    Payment,
    PaymentStatus,
    ReliefStatus,
)
from ecourt.cases.tests.factories import (
    BETA_USCC,
    draft_application,
    paid,
    submitted_application,
)
from ecourt.core import sms
from ecourt.core.selectors import court_today

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
_ID = re.compile(r'\sid="([^"]+)"')


def _duplicate_ids(html: str) -> list[str]:
    return [name for name, n in Counter(_ID.findall(html)).items() if n > 1]


def _post_urls(application: Application) -> list[str]:
    pk = application.pk
    return [
        reverse("cases:filing_review_start", args=[pk]),
        reverse("cases:filing_accept", args=[pk]),
        reverse("cases:filing_request_corrections", args=[pk]),
        reverse("cases:filing_refuse", args=[pk]),
        reverse("cases:filing_payment_confirm", args=[pk, 1]),
        reverse("cases:filing_fee_relief_decide", args=[pk, 1]),
    ]


# --- Who may open what -------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_sign_in(alice):
    application = submitted_application(alice)
    client = Client()
    pages = [reverse("cases:filing_queue"), reverse("cases:filing_application", args=[1])]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    for url in _post_urls(application):
        response = client.post(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["oscar", "alice", "judge", "admin"])
def test_it_refuses_the_clerk_pages_to_everyone_else(request, login, alice, persona):
    application = submitted_application(alice)
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("cases:filing_queue")).status_code == 403
    url = reverse("cases:filing_application", args=[application.pk])
    assert client.get(url).status_code == 403
    for url in _post_urls(application):
        assert client.post(url).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_it_never_shows_a_draft_to_the_clerk(login, alice, clerk):
    draft = draft_application(alice)
    client = login(clerk)
    assert client.get(reverse("cases:filing_application", args=[draft.pk])).status_code == 404
    assert client.post(reverse("cases:filing_refuse", args=[draft.pk])).status_code == 404
    assert client.get(reverse("cases:filing_application", args=[99999])).status_code == 404
    assert str(draft.pk) not in _queue_numbers(client)


def test_it_takes_decisions_by_post_only(login, alice, clerk):
    application = submitted_application(alice)
    response = login(clerk).get(reverse("cases:filing_accept", args=[application.pk]))
    assert response.status_code == 405


# --- The queue ---------------------------------------------------------------------------------


def _queue_numbers(client: Client) -> list[str]:
    html = client.get(reverse("cases:filing_queue")).content.decode()
    return re.findall(r'<th scope="row"><a href="/filing/\d+/">(\d+)</a></th>', html)


def test_it_lists_the_oldest_receipt_first(login, alice, clerk):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False) as trip:
        first = submitted_application(alice)
        trip.move_to(datetime(2026, 3, 3, 10, tzinfo=SHANGHAI))
        second = submitted_application(alice)
        trip.move_to(datetime(2026, 3, 4, 10, tzinfo=SHANGHAI))
        client = login(clerk)
        html = client.get(reverse("cases:filing_queue")).content.decode()
        assert _queue_numbers(client) == [str(first.pk), str(second.pk)]
    assert "Alice Zhang" in html
    assert "2026-03-02" in html
    assert "Infringement of copyright" in html
    assert "Nobody yet" in html
    assert "Overdue" not in html


def test_it_marks_late_decisions_overdue_in_words(login, alice, clerk):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False) as trip:
        application = submitted_application(alice)
        due = application.deadlines.get(code="filing_decision").due_date
        assert due == date(2026, 3, 9)  # 7 days from Monday 2 March, a working day
        trip.move_to(datetime(2026, 3, 9, 10, tzinfo=SHANGHAI))
        html = login(clerk).get(reverse("cases:filing_queue")).content.decode()
        assert "Due today" in html
        assert "Overdue" not in html
        trip.move_to(datetime(2026, 3, 11, 10, tzinfo=SHANGHAI))
        html = login(clerk).get(reverse("cases:filing_queue")).content.decode()
    assert 'class="overdue"' in html
    assert '<strong class="badge badge-overdue">Overdue</strong>' in html
    assert "Missed by 2 days" in html


def test_it_pages_the_queue_with_a_bounded_number_of_queries(
    login, alice, clerk, django_assert_max_num_queries
):
    for _ in range(4):
        submitted_application(alice)
    client = login(clerk)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("cases:filing_queue"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 4


# --- The application page ----------------------------------------------------------------------


def test_it_shows_the_whole_application_with_masked_numbers(login, alice, clerk):
    application = submitted_application(alice)
    response = login(clerk).get(reverse("cases:filing_application", args=[application.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Beta Tech Co., Ltd." in html
    assert BETA_USCC not in html
    assert mask_identifier(BETA_USCC) in html
    assert "Order the defendant to pay damages" in html
    assert "twelve of my photographs" in html
    assert "Screenshots of the defendant&#x27;s website" in html
    assert "1050.00 yuan" in html
    assert "Not paid." in html
    assert "lists “" in html and "as heard by this court" in html
    assert "CPL Art. 126" in html
    assert "Docketing is blocked:" in html
    assert _duplicate_ids(html) == []


def test_it_lets_a_clerk_start_and_take_over_a_review(login, alice, clerk):
    from ecourt.conftest import _staff

    application = submitted_application(alice)
    client = login(clerk)
    url = reverse("cases:filing_review_start", args=[application.pk])
    assert client.post(url).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.reviewer == clerk
    other = _staff("filing_clerk", "Clerk Sun")
    html = login(other).get(reverse("cases:filing_application", args=[application.pk]))
    assert "Take over the review" in html.content.decode()
    login(other).post(url)
    application.refresh_from_db()
    assert application.reviewer == other


def test_it_asks_for_corrections_that_alice_then_sees(login, alice, clerk, commit):
    application = submitted_application(alice)
    due = court_today() + timedelta(days=10)
    with commit():
        response = login(clerk).post(
            reverse("cases:filing_request_corrections", args=[application.pk]),
            {"items": "Add the defendant's address.\n\n  Attach the screenshots.  \n", "due": due},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CORRECTIONS_REQUESTED
    assert application.corrections == ["Add the defendant's address.", "Attach the screenshots."]
    assert application.corrections_due == due
    assert application.deadlines.get(code="correction", met_at__isnull=True).due_date == due
    assert any("correct application" in m.body for m in sms.outbox if m.to == alice.mobile)
    html = login(clerk).get(reverse("cases:filing_application", args=[application.pk]))
    assert "Attach the screenshots." in html.content.decode()


def test_it_shows_a_bad_correction_deadline_next_to_the_field(login, alice, clerk):
    application = submitted_application(alice)
    response = login(clerk).post(
        reverse("cases:filing_request_corrections", args=[application.pk]),
        {"items": "Add the address.", "due": court_today()},
    )
    assert response.status_code == 400
    form = response.context["corrections_form"]
    assert form.errors["due"] == ["The correction deadline must be a future day."]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_it_accepts_only_once_the_fee_is_paid(login, alice, clerk, judge, commit):
    application = submitted_application(alice)
    client = login(clerk)
    url = reverse("cases:filing_accept", args=[application.pk])
    page = client.get(reverse("cases:filing_application", args=[application.pk])).content.decode()
    assert "Docketing is blocked:" in page
    assert url not in page  # no accept form while the fee is unsettled

    response = client.post(url, {"judge": judge.pk, "procedure": "ordinary"})
    assert response.status_code == 400
    assert "neither paid nor deferred or waived" in response.content.decode()
    assert not Case.objects.exists()

    paid(application, clerk)
    page = client.get(reverse("cases:filing_application", args=[application.pk])).content.decode()
    assert "Docketing is blocked:" not in page
    assert f'<option value="{judge.pk}" selected>' in page
    with commit():
        response = client.post(url, {"judge": judge.pk, "procedure": "simplified"})
    case = Case.objects.get(application=application)
    assert response.status_code == 302
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    assert case.judge == judge
    assert case.procedure == "simplified"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DOCKETED


def test_it_refuses_only_with_reasons(login, alice, clerk):
    application = submitted_application(alice)
    client = login(clerk)
    url = reverse("cases:filing_refuse", args=[application.pk])
    response = client.post(url, {"reason": "No."})
    assert response.status_code == 400
    assert response.context["refuse_form"].errors["reason"] == [
        "Give the reasons for refusing (at least 10 characters)."
    ]
    assert client.post(url, {"reason": ""}).status_code == 400
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    reason = "The contract was signed and performed offline; go to the Haidian court."
    assert client.post(url, {"reason": reason}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert application.decision_reason == reason
    page = client.get(reverse("cases:filing_application", args=[application.pk])).content.decode()
    assert reason in page
    assert "Issue the ruling not to accept" not in page


def test_it_confirms_a_bank_transfer_from_the_statement_line(login, alice, clerk):
    application = submitted_application(alice)
    payment = services.payment_start(actor=alice, application_id=application.pk)
    client = login(clerk)
    url = reverse("cases:filing_payment_confirm", args=[application.pk, payment.pk])
    response = client.post(url, {"record": ""})
    assert response.status_code == 400
    assert response.context["payment_form"].errors["record"]
    assert client.post(url, {"record": "ICBC 2026-03-02 FEE transfer"}).status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert payment.confirmed_by == clerk
    page = client.get(reverse("cases:filing_application", args=[application.pk])).content.decode()
    assert "Paid in full." in page


def test_it_confirms_only_the_payments_of_this_application(login, alice, clerk):
    first = submitted_application(alice)
    second = submitted_application(alice)
    payment = services.payment_start(actor=alice, application_id=first.pk)
    url = reverse("cases:filing_payment_confirm", args=[second.pk, payment.pk])
    assert login(clerk).post(url, {"record": "ICBC"}).status_code == 404
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_it_decides_a_fee_relief_request(login, alice, clerk):
    application = submitted_application(alice)
    relief = services.fee_relief_request(
        actor=alice,
        application_id=application.pk,
        kind=FeeRelief.REDUCTION,
        reasons="I lost my job in January and live on savings.",
    )
    client = login(clerk)
    url = reverse("cases:filing_fee_relief_decide", args=[application.pk, relief.pk])
    response = client.post(url, {"decision": "refuse", "reason": ""})
    assert response.status_code == 400
    assert response.context["relief_form"].errors["reason"] == ["Give the reason for refusing."]
    response = client.post(url, {"decision": "grant", "reduced_fee": "2000"})
    assert response.status_code == 400
    assert response.context["relief_form"].errors["reduced_fee"] == [
        "A reduced fee must be less than the full fee."
    ]
    assert client.post(url, {"decision": "grant", "reduced_fee": "500"}).status_code == 302
    relief.refresh_from_db()
    assert relief.status == ReliefStatus.GRANTED
    assert relief.reduced_fee == Decimal("500.00")
    page = client.get(reverse("cases:filing_application", args=[application.pk])).content.decode()
    assert "Outstanding: 500.00 yuan." in page


def test_it_offers_only_a_refusal_while_corrections_are_awaited(login, alice, clerk):
    application = submitted_application(alice)
    services.filing_request_corrections(
        actor=clerk,
        application_id=application.pk,
        items=["Add the address."],
        due=court_today() + timedelta(days=5),
    )
    paid(application, clerk)
    page = login(clerk).get(reverse("cases:filing_application", args=[application.pk]))
    html = page.content.decode()
    assert reverse("cases:filing_refuse", args=[application.pk]) in html
    assert reverse("cases:filing_accept", args=[application.pk]) not in html
    assert reverse("cases:filing_review_start", args=[application.pk]) not in html
    response = login(clerk).post(
        reverse("cases:filing_accept", args=[application.pk]), {"procedure": "ordinary"}
    )
    assert response.status_code == 400
    assert "Corrections requested" in response.content.decode()


def test_it_offers_docketing_under_the_simplified_procedure_when_half_is_paid(
    login, alice, clerk, judge
):
    application = submitted_application(alice)
    payment = services.payment_start(actor=alice, application_id=application.pk)
    Payment.objects.filter(pk=payment.pk).update(amount=Decimal("525.00"))
    services.payment_confirm(actor=clerk, payment_id=payment.pk, record="ICBC half")
    client = login(clerk)
    url = reverse("cases:filing_application", args=[application.pk])
    page = client.get(url).content.decode()
    assert 'id="fee-half"' in page and 'id="fee-blocked"' not in page
    accept = reverse("cases:filing_accept", args=[application.pk])
    response = client.post(accept, {"judge": judge.pk, "procedure": "ordinary"})
    assert response.status_code == 400
    response = client.post(accept, {"judge": judge.pk, "procedure": "simplified"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.case.fee_amount == Decimal("525.00")
