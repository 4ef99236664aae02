"""Applications and cases built through the services, as people would build them.

Nothing here writes rows directly: a test that uses these helpers exercises the same guards,
audit events and deadlines as production.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ecourt.accounts.models import Company, CompanyRepresentative, ReviewStatus, User
from ecourt.accounts.roles import Role
from ecourt.accounts.selectors import terms_current
from ecourt.accounts.services import consent_accept
from ecourt.accounts.tests.factories import image_upload, valid_uscc
from ecourt.cases import services
from ecourt.cases.models import Application, Case, FilingCapacity, PartyKind, PartySide

BETA_USCC = valid_uscc("91110108MA01BETA0")
DEFENDANT_MOBILE = "+8613900000099"


def pdf_upload(name: str = "power-of-attorney.pdf") -> SimpleUploadedFile:
    """A minimal PDF, as a browser would upload it."""
    content = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def consent(user: User) -> User:
    """The person accepts the current terms of online litigation (needed to file)."""
    terms = terms_current()
    assert terms is not None, "the terms migration ships a version"
    consent_accept(actor=user, terms_id=terms.pk)
    return user


def company_for(user: User, *, name: str = "Beta Tech Co., Ltd.", uscc: str = BETA_USCC) -> Company:
    """An approved company whose representative is ``user``."""
    company = Company.objects.create(
        name=name,
        uscc=uscc,
        legal_representative="Li Beta",
        created_by=user,
        status=ReviewStatus.VERIFIED,
    )
    CompanyRepresentative.objects.create(
        company=company,
        user=user,
        company_name=name,
        legal_representative="Li Beta",
        authorisation_letter=image_upload(),
        status=ReviewStatus.VERIFIED,
    )
    user.role_grants.get_or_create(role=Role.COMPANY_REPRESENTATIVE)
    return company


def draft_application(
    plaintiff: User,
    *,
    case_type: str = "online_copyright_infringement",
    defendant_name: str = "Beta Tech Co., Ltd.",
    defendant_kind: str = PartyKind.COMPANY,
    defendant_id: str = BETA_USCC,
    defendant_mobile: str = DEFENDANT_MOBILE,
    amount: str | None = "50000",
    complete: bool = True,
) -> Application:
    """A draft filed by ``plaintiff`` for themselves; ``complete`` fills every step."""
    consent(plaintiff)
    application = services.application_create(actor=plaintiff, capacity=FilingCapacity.SELF)
    services.application_set_case_type(
        actor=plaintiff, application_id=application.pk, code=case_type
    )
    if not complete:
        return application
    services.party_add(
        actor=plaintiff,
        application_id=application.pk,
        side=PartySide.DEFENDANT,
        kind=defendant_kind,
        name=defendant_name,
        id_number=defendant_id,
        legal_representative="Li Beta" if defendant_kind == PartyKind.COMPANY else "",
        mobile=defendant_mobile,
    )
    services.claim_add(
        actor=plaintiff,
        application_id=application.pk,
        text="Order the defendant to pay damages for copying my photographs.",
        amount=amount,
    )
    services.claim_add(
        actor=plaintiff,
        application_id=application.pk,
        text="Order the defendant to stop publishing the photographs.",
    )
    services.application_set_facts(
        actor=plaintiff,
        application_id=application.pk,
        facts="The defendant published twelve of my photographs on its website without "
        "permission on 2026-03-01.",
    )
    services.evidence_listing_add(
        actor=plaintiff,
        application_id=application.pk,
        title="Screenshots of the defendant's website",
        form="web_page",
        purpose="The defendant published the photographs.",
    )
    services.application_confirm_delivery(
        actor=plaintiff,
        application_id=application.pk,
        mobile=plaintiff.mobile,
        electronic_service_consent=True,
        confirmed=True,
    )
    application.refresh_from_db()
    return application


def submitted_application(plaintiff: User, **kwargs: Any) -> Application:
    application = draft_application(plaintiff, **kwargs)
    return services.application_submit(actor=plaintiff, application_id=application.pk)


def paid(application: Application, clerk: User) -> Application:
    """The plaintiff pays by bank transfer and the clerk confirms it."""
    if (application.fee_amount or Decimal(0)) > 0:
        payment = services.payment_start(
            actor=application.created_by, application_id=application.pk
        )
        services.payment_confirm(actor=clerk, payment_id=payment.pk, record="ICBC 2026 transfer")
    return application


def docketed_case(
    plaintiff: User, clerk: User, *, judge: User | None = None, **kwargs: Any
) -> Case:
    """A case filed by ``plaintiff``, paid and accepted by ``clerk``."""
    application = paid(submitted_application(plaintiff, **kwargs), clerk)
    return services.filing_accept(
        actor=clerk, application_id=application.pk, judge_id=judge.pk if judge else None
    )


def defendant_party(case: Case) -> Any:
    return case.parties.get(side=PartySide.DEFENDANT)
