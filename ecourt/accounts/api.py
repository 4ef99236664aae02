"""Account endpoints: the signed-in person's profile, consent and sign-in history."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from ecourt.accounts import selectors
from ecourt.accounts.models import User
from ecourt.accounts.rules import mask_identifier, mask_mobile
from ecourt.accounts.services import consent_accept, consent_withdraw, user_update_profile
from ecourt.core.errors import DomainError

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
        raise DomainError("No terms are in force.", code="no_terms")
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
            "Only the terms version in force can be accepted; read /api/v1/terms/current.",
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


__all__ = ["mask_identifier", "mask_mobile", "router"]
