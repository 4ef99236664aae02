"""Staff endpoints for accounts: the review queue and decisions, people and their roles.

The same services and permission rules as the staff pages; staff sessions must have passed
the TOTP step.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.security import django_auth

from ecourt.accounts import selectors
from ecourt.accounts.models import (
    CompanyRepresentative,
    IdentityVerification,
    LawyerProfile,
    User,
)
from ecourt.accounts.permissions import require_roles
from ecourt.accounts.roles import IDENTITY_REVIEWER_ROLES, Role
from ecourt.accounts.rules import mask_mobile
from ecourt.accounts.services import (
    company_representative_review,
    identity_review,
    lawyer_review,
    role_grant,
    role_revoke,
)

router = Router(tags=["staff"], auth=django_auth)

ReviewKind = Literal["identity", "company", "lawyer"]


class ReviewItemOut(Schema):
    kind: ReviewKind
    id: int
    status: str
    applicant_id: int
    applicant_name: str
    created_at: datetime
    details: dict[str, str | None]
    decision_reason: str


class ReviewQueueOut(Schema):
    identities: list[ReviewItemOut]
    companies: list[ReviewItemOut]
    lawyers: list[ReviewItemOut]


class DecisionIn(Schema):
    approve: bool
    reason: str = ""


class PersonOut(Schema):
    id: int
    display_name: str
    mobile: str
    roles: list[str]
    identity_verified: bool


class RoleIn(Schema):
    role: str


def _item(kind: ReviewKind, submission: object) -> ReviewItemOut:
    details: dict[str, str | None]
    if isinstance(submission, IdentityVerification):
        birth: date | None = submission.birth_date
        details = {
            "document_type": submission.document_type,
            "legal_name": submission.legal_name,
            "document_number": submission.document_number,
            "birth_date": birth.isoformat() if birth else None,
        }
    elif isinstance(submission, CompanyRepresentative):
        # What this applicant stated, which staff check against the letter; the record's
        # current details separately.
        details = {
            "company": submission.company_name or submission.company.name,
            "uscc": submission.company.uscc,
            "legal_representative": (
                submission.legal_representative or submission.company.legal_representative
            ),
            "position": submission.position,
            "company_on_record": submission.company.name,
            "company_status": submission.company.status,
        }
    else:
        assert isinstance(submission, LawyerProfile)
        details = {"licence_number": submission.licence_number, "law_firm": submission.law_firm}
    return ReviewItemOut(
        kind=kind,
        id=submission.pk,
        status=submission.status,
        applicant_id=submission.user_id,
        applicant_name=submission.user.display_name,
        created_at=submission.created_at,
        details=details,
        decision_reason=submission.decision_reason,
    )


def _person(user: User) -> PersonOut:
    return PersonOut(
        id=user.pk,
        display_name=user.display_name,
        mobile=mask_mobile(user.mobile),
        roles=sorted(grant.role for grant in user.role_grants.all()),
        identity_verified=user.is_identity_verified,
    )


@router.get("/reviews", response=ReviewQueueOut, summary="Submissions waiting for review")
def reviews(request: HttpRequest) -> ReviewQueueOut:
    require_roles(request.user, *IDENTITY_REVIEWER_ROLES)
    pending = selectors.reviews_pending()
    return ReviewQueueOut(
        identities=[_item("identity", s) for s in pending["identities"]],
        companies=[_item("company", s) for s in pending["companies"]],
        lawyers=[_item("lawyer", s) for s in pending["lawyers"]],
    )


@router.post(
    "/reviews/{kind}/{pk}/decision",
    response=ReviewItemOut,
    summary="Approve or refuse a submission (a reason is required to refuse)",
)
def review_decide(request: HttpRequest, kind: ReviewKind, pk: int, payload: DecisionIn) -> object:
    require_roles(request.user, *IDENTITY_REVIEWER_ROLES)
    actor = request.user
    assert isinstance(actor, User)
    if kind == "identity":
        get_object_or_404(IdentityVerification, pk=pk)
        result: object = identity_review(
            actor=actor, verification_id=pk, approve=payload.approve, reason=payload.reason
        )
    elif kind == "company":
        get_object_or_404(CompanyRepresentative, pk=pk)
        result = company_representative_review(
            actor=actor, link_id=pk, approve=payload.approve, reason=payload.reason
        )
    else:
        get_object_or_404(LawyerProfile, pk=pk)
        result = lawyer_review(
            actor=actor, profile_id=pk, approve=payload.approve, reason=payload.reason
        )
    return _item(kind, result)


@router.get("/users", response=list[PersonOut], summary="Find people (court administrators)")
def users(request: HttpRequest, q: str = "") -> list[PersonOut]:
    require_roles(request.user, Role.COURT_ADMIN)
    return [_person(user) for user in selectors.users_search(q)]


@router.post("/users/{pk}/roles", response=PersonOut, summary="Grant a staff role")
def user_role_grant(request: HttpRequest, pk: int, payload: RoleIn) -> PersonOut:
    require_roles(request.user, Role.COURT_ADMIN)
    person = get_object_or_404(User, pk=pk)
    assert isinstance(request.user, User)
    role_grant(actor=request.user, user_id=person.pk, role=payload.role)
    return _person(User.objects.prefetch_related("role_grants").get(pk=person.pk))


@router.delete("/users/{pk}/roles/{role}", response={204: None}, summary="Revoke a staff role")
def user_role_revoke(request: HttpRequest, pk: int, role: str) -> Status:
    require_roles(request.user, Role.COURT_ADMIN)
    person = get_object_or_404(User, pk=pk)
    assert isinstance(request.user, User)
    role_revoke(actor=request.user, user_id=person.pk, role=role)
    return Status(204, None)
