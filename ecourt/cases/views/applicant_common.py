"""Helpers shared by the applicant's pages (the wizard and the application page)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ecourt.accounts.models import User
from ecourt.cases import selectors, services
from ecourt.cases.models import (
    Application,
    ApplicationStatus,
    Claim,
    PartySide,
)

# Reads the submit service uses to decide completeness; the review page shows the same gaps.
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error

S = ApplicationStatus

#: The wizard, in order: each step's URL slug and the title shown in the progress list.
STEPS: dict[str, Promise] = {
    "case_type": gettext_lazy("Type of dispute"),
    "jurisdiction": gettext_lazy("Can this court hear it?"),
    "plaintiffs": gettext_lazy("Plaintiffs"),
    "defendants": gettext_lazy("Defendants"),
    "agents": gettext_lazy("Agents"),
    "claims": gettext_lazy("Claims"),
    "facts": gettext_lazy("Facts and reasons"),
    "evidence": gettext_lazy("Evidence list"),
    "delivery": gettext_lazy("How the court reaches you"),
    "fees": gettext_lazy("Fee and options"),
    "review": gettext_lazy("Check and submit"),
}
STEP_NAMES = list(STEPS)

#: What each status means for the applicant, and what happens next.
NEXT_STEPS: dict[str, Promise] = {
    S.DRAFT: gettext_lazy(
        "This application has not been sent. Finish the steps and submit it: the court sees "
        "nothing before that."
    ),
    S.SUBMITTED: gettext_lazy(
        "The court received your application. A filing clerk decides within 7 days whether to "
        "accept the case."
    ),
    S.UNDER_REVIEW: gettext_lazy(
        "A filing clerk is checking your application. The court decides within 7 days of "
        "receiving it."
    ),
    S.CORRECTIONS_REQUESTED: gettext_lazy(
        "The court asks you to correct your application. Make the corrections and submit it "
        "again before the due date. The 7 days for the decision count again from then."
    ),
    S.DOCKETED: gettext_lazy(
        "The court accepted your case. It sends your complaint to the defendants. Follow the "
        "case on its own page."
    ),
    S.REFUSED: gettext_lazy("The court did not accept your application. The reasons are below."),
    S.WITHDRAWN: gettext_lazy(
        "This application was withdrawn. Nothing more happens with it. To go to court again, "
        "start a new application."
    ),
    S.DIVERTED: gettext_lazy(
        "Your dispute is in online mediation before the case is accepted. If you do not reach "
        "an agreement, the court goes on reviewing your application."
    ),
    S.SETTLED: gettext_lazy(
        "Your dispute was settled in mediation: every party signed the agreement. Within 30 "
        "days you and the other party may ask the court together to confirm it, so that it "
        "can be enforced."
    ),
}

FEE_STANDING_WORDS: dict[str, Promise] = {
    "no_fee": gettext_lazy("No fee is due."),
    "paid": gettext_lazy("Paid in full."),
    "deferred": gettext_lazy("Payment deferred by the court."),
    "waived": gettext_lazy("Waived by the court."),
    "reduced_paid": gettext_lazy("Reduced by the court, and paid."),
    "unpaid": gettext_lazy("Not paid yet."),
}


def yuan(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}"


def claim_rows(application: Application) -> list[tuple[Claim, str]]:
    """The claims, each with its amount written for people (1,050.00)."""
    return [(claim, yuan(claim.amount)) for claim in application.claims.all()]


def request_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def visible_application(request: HttpRequest, pk: int) -> Application:
    """The application if this person may see it, else 404."""
    application = selectors.application_for_user(request_user(request), pk)
    if application is None:
        raise Http404
    return application


def own_application(request: HttpRequest, pk: int) -> Application:
    """The application if this person wrote it, else 404 (parties and clerks only read)."""
    application = visible_application(request, pk)
    if application.created_by_id != request.user.pk:
        raise Http404
    return application


def step_url(application: Application, step: str) -> str:
    return reverse("cases:wizard_step", args=[application.pk, step])


def resume_url(application: Application) -> str:
    """Where "continue" leads: the review page when corrections are asked for (it lists them
    and links to every step), else the furthest step reached."""
    if application.status == S.CORRECTIONS_REQUESTED:
        return step_url(application, "review")
    return step_url(application, application.step if application.step in STEPS else "case_type")


def detail_redirect(application: Application) -> HttpResponse:
    return redirect("cases:application_detail", pk=application.pk)


def parse_pk(raw: str) -> int:
    """A row id sent by a form; 0 (no such row) for anything else, so a tampered value is
    "not found" rather than an error. (str.isdigit() also says yes to "²".)"""
    return int(raw) if re.fullmatch(r"[0-9]{1,18}", raw) else 0


def post_data(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


class NotEditable(Exception):
    """The application stopped being editable while the person was on a step."""


def form_error(form: Any, exc: DomainError) -> None:
    if exc.code == "not_editable":
        raise NotEditable
    add_domain_error(form, exc)


def fee_context(application: Application) -> dict[str, Any]:
    estimate = services.application_fee(application)
    amounts = [c.amount for c in application.claims.all() if c.amount is not None]
    return {
        "estimate": estimate,
        "estimate_fee": yuan(estimate.fee) if estimate else "",
        "amount_claimed": yuan(sum(amounts, Decimal(0))) if amounts else "",
    }


def summary_context(application: Application) -> dict[str, Any]:
    parties = selectors.application_parties(application)
    return {
        "plaintiffs": [p for p in parties if p.side == PartySide.PLAINTIFF],
        "defendants": [p for p in parties if p.side == PartySide.DEFENDANT],
        "claims": claim_rows(application),
        "items": list(application.evidence_list.all()),
        **fee_context(application),
    }
