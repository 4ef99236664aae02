"""Account endpoints: sign-up, the signed-in person's profile, identity, companies, lawyer
licence, consent and sign-in history. Staff endpoints are in ``api_staff.py``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.security import django_auth
from pydantic import Field

from ecourt.accounts import selectors
from ecourt.accounts.models import CompanyRepresentative, User
from ecourt.accounts.rules import mask_mobile, normalise_mobile
from ecourt.accounts.services import (
    company_register,
    consent_accept,
    consent_withdraw,
    identity_submit,
    lawyer_apply,
    registration_start,
    user_register,
    user_update_profile,
)
from ecourt.core.errors import DomainError
from ecourt.core.forms import BoundedImageField

router = Router(tags=["accounts"])


class IdentityOut(Schema):
    status: str
    document_type: str
    legal_name: str
    document_number: str = Field(description="Shown in full to the owner only.")


class MeOut(Schema):
    id: int
    display_name: str
    mobile: str
    email: str | None
    preferred_language: str
    roles: list[str]
    identity_verified: bool
    identity: IdentityOut | None
    consent_terms_version: str | None


class MeIn(Schema):
    # pattern: at least one non-space character, as the name is stripped before it is saved.
    display_name: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"\S")
    preferred_language: Literal["zh-hans", "en"] | None = None


class TermsOut(Schema):
    version: str
    title_en: str
    title_zh: str
    body_en: str
    body_zh: str
    effective_from: datetime


class ConsentIn(Schema):
    terms_version: str


class ConsentOut(Schema):
    terms_version: str
    accepted_at: datetime


class LoginEventOut(Schema):
    created_at: datetime
    succeeded: bool
    method: str


def _me(user: User) -> MeOut:
    identity = selectors.identity_latest(user)
    consent = selectors.consent_current(user)
    return MeOut(
        id=user.pk,
        display_name=user.display_name,
        mobile=user.mobile,
        email=user.email,
        preferred_language=user.preferred_language,
        roles=sorted(user.role_set),
        identity_verified=user.is_identity_verified,
        identity=IdentityOut(
            status=identity.status,
            document_type=identity.document_type,
            legal_name=identity.legal_name,
            document_number=identity.document_number,
        )
        if identity
        else None,
        consent_terms_version=consent.terms.version if consent else None,
    )


@router.get("/me", response=MeOut, auth=django_auth, summary="The signed-in person")
def me(request: HttpRequest) -> MeOut:
    assert isinstance(request.user, User)
    return _me(request.user)


@router.patch("/me", response=MeOut, auth=django_auth, summary="Change name or language")
def me_update(request: HttpRequest, payload: MeIn) -> MeOut:
    user = request.user
    assert isinstance(user, User)
    user = user_update_profile(
        actor=user,
        user=user,
        display_name=(payload.display_name or user.display_name).strip(),
        preferred_language=payload.preferred_language or user.preferred_language,
    )
    return _me(user)


@router.get(
    "/terms/current",
    response={200: TermsOut},
    auth=None,
    summary="The terms of online litigation in force",
)
def terms_current(request: HttpRequest) -> TermsOut:
    terms = selectors.terms_current()
    if terms is None:
        raise DomainError(_("The court has not published its terms yet."), code="no_terms")
    return TermsOut.from_orm(terms)


@router.post(
    "/me/consent",
    response=ConsentOut,
    auth=django_auth,
    summary="Accept the terms of online litigation",
)
def consent_give(request: HttpRequest, payload: ConsentIn) -> ConsentOut:
    user = request.user
    assert isinstance(user, User)
    terms = selectors.terms_current()
    if terms is None or terms.version != payload.terms_version:
        raise DomainError(
            _("Only the terms version in force can be accepted; read /api/v1/terms/current."),
            code="terms_version_mismatch",
            field="terms_version",
        )
    record = consent_accept(actor=user, terms_id=terms.pk)
    return ConsentOut(terms_version=terms.version, accepted_at=record.accepted_at)


@router.delete(
    "/me/consent",
    response={204: None},
    auth=django_auth,
    summary="Withdraw consent to online litigation",
)
def consent_remove(request: HttpRequest) -> Status:
    assert isinstance(request.user, User)
    consent_withdraw(actor=request.user)
    return Status(204, None)


@router.get(
    "/me/logins",
    response=list[LoginEventOut],
    auth=django_auth,
    summary="Recent sign-in attempts on this account",
)
def logins(request: HttpRequest) -> list[LoginEventOut]:
    assert isinstance(request.user, User)
    return [LoginEventOut.from_orm(e) for e in selectors.login_history(request.user)]


# --- Sign-up ------------------------------------------------------------------------------


class RegistrationCodeIn(Schema):
    mobile: str
    preferred_language: Literal["zh-hans", "en"] = "zh-hans"


class CodeSentOut(Schema):
    sent_to: str = Field(description="The number the code went to, masked.")


class RegistrationIn(Schema):
    mobile: str
    display_name: str = Field(min_length=1, max_length=100, pattern=r"\S")
    password: str = Field(min_length=1, max_length=200)
    preferred_language: Literal["zh-hans", "en"] = "zh-hans"
    code: str = Field(pattern=r"^[0-9]{6}$")


@router.post(
    "/registrations/code",
    response={202: CodeSentOut},
    auth=None,
    summary="Send a sign-up code to a mobile number",
)
def registration_code(request: HttpRequest, payload: RegistrationCodeIn) -> Status:
    _require_json(request)
    mobile = normalise_mobile(payload.mobile)
    registration_start(mobile=mobile, language=payload.preferred_language)
    return Status(202, CodeSentOut(sent_to=mask_mobile(mobile)))


@router.post(
    "/registrations",
    response={201: MeOut},
    auth=None,
    summary="Create a litigant account with the code sent to the mobile number",
)
def registration_create(request: HttpRequest, payload: RegistrationIn) -> Status:
    _require_json(request)
    mobile = normalise_mobile(payload.mobile)
    display_name = " ".join(payload.display_name.split())
    try:
        validate_password(payload.password, User(display_name=display_name, mobile=mobile))
    except DjangoValidationError as exc:
        raise DomainError(
            " ".join(exc.messages), code="password_invalid", field="password"
        ) from exc
    user = user_register(
        mobile=mobile,
        display_name=display_name,
        password=payload.password,
        preferred_language=payload.preferred_language,
        code=payload.code,
    )
    return Status(201, _me(user))


def _require_json(request: HttpRequest) -> None:
    """Unauthenticated writes accept JSON only: a browser cannot send JSON to another site
    without a CORS preflight, so other sites cannot make visitors' browsers call these."""
    if request.content_type != "application/json":
        raise DomainError(_("Send this request as application/json."), code="json_required")


# --- Identity, companies, lawyer licence ---------------------------------------------------


class SubmissionOut(Schema):
    id: int
    status: str
    decision_reason: str
    created_at: datetime


class CompanyLinkOut(SubmissionOut):
    company_name: str
    uscc: str


def _company_link_out(link: CompanyRepresentative) -> CompanyLinkOut:
    return CompanyLinkOut(
        id=link.pk,
        status=link.status,
        decision_reason=link.decision_reason,
        created_at=link.created_at,
        company_name=link.company_name or link.company.name,
        uscc=link.company.uscc,
    )


def _image(upload: UploadedFile | None, field: str) -> UploadedFile | None:
    """Check an uploaded picture by its content, as the web form does."""
    if upload is None:
        return None
    try:
        return BoundedImageField(required=False).clean(upload)
    except DjangoValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="invalid_image", field=field) from exc


@router.post(
    "/me/identity",
    response={201: SubmissionOut},
    auth=django_auth,
    summary="Submit real-name verification (multipart; an image for non-PRC-ID documents)",
)
def identity_create(
    request: HttpRequest,
    document_type: str = Form(...),
    legal_name: str = Form(...),
    document_number: str = Form(...),
    birth_date: date | None = Form(None),
    document_image: UploadedFile | None = File(None),
) -> Status:
    assert isinstance(request.user, User)
    verification = identity_submit(
        actor=request.user,
        document_type=document_type,
        legal_name=legal_name,
        document_number=document_number,
        birth_date=birth_date,
        document_image=_image(document_image, "document_image"),
    )
    return Status(201, SubmissionOut.from_orm(verification))


@router.get(
    "/me/companies",
    response=list[CompanyLinkOut],
    auth=django_auth,
    summary="Companies the signed-in person represents or asked to",
)
def companies(request: HttpRequest) -> list[CompanyLinkOut]:
    assert isinstance(request.user, User)
    return [_company_link_out(link) for link in selectors.company_links_for(request.user)]


@router.post(
    "/me/companies",
    response={201: CompanyLinkOut},
    auth=django_auth,
    summary="Ask to represent a company (multipart, with the letter of authorisation)",
)
def company_create(
    request: HttpRequest,
    name: str = Form(...),
    uscc: str = Form(...),
    legal_representative: str = Form(...),
    position: str = Form(""),
    authorisation_letter: UploadedFile = File(...),
) -> Status:
    assert isinstance(request.user, User)
    letter = _image(authorisation_letter, "authorisation_letter")
    assert letter is not None
    link = company_register(
        actor=request.user,
        name=name,
        uscc=uscc,
        legal_representative=legal_representative,
        position=position,
        authorisation_letter=letter,
    )
    return Status(201, _company_link_out(link))


@router.post(
    "/me/lawyer",
    response={201: SubmissionOut},
    auth=django_auth,
    summary="Submit a lawyer's practising licence for review (multipart)",
)
def lawyer_create(
    request: HttpRequest,
    licence_number: str = Form(...),
    law_firm: str = Form(...),
    licence_image: UploadedFile = File(...),
) -> Status:
    assert isinstance(request.user, User)
    image = _image(licence_image, "licence_image")
    assert image is not None
    profile = lawyer_apply(
        actor=request.user, licence_number=licence_number, law_firm=law_firm, licence_image=image
    )
    return Status(201, SubmissionOut.from_orm(profile))
