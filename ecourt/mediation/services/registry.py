"""Court administrators register mediation organisations and mediators."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import CaseType
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.text import clean_text
from ecourt.mediation.models import MediationOrganisation, Mediator, OrganisationKind
from ecourt.mediation.services._common import require_admin

LANGUAGES = frozenset({"zh-hans", "en"})
MAX_CAPACITY = 500


def organisation_register(
    *, actor: User, name_zh: str, name_en: str = "", kind: str
) -> MediationOrganisation:
    require_admin(actor)
    name_zh = clean_text(name_zh, field="name_zh", max_length=200, required=False)
    name_en = clean_text(name_en, field="name_en", max_length=200, required=False)
    if not name_zh:
        raise DomainError(_("Give the organisation's name."), code="name_required", field="name_zh")
    if kind not in OrganisationKind.values:
        raise DomainError(_("Choose the kind of organisation."), code="kind_invalid", field="kind")
    try:
        with transaction.atomic():
            organisation = MediationOrganisation.objects.create(
                name_zh=name_zh[:200], name_en=name_en[:200], kind=kind
            )
            audit_record(
                code="ecourt.mediation.organisation.registered",
                actor=actor,
                target=organisation,
                new={"name_zh": name_zh, "name_en": name_en, "kind": kind},
            )
    except IntegrityError:
        raise DomainError(
            _("An organisation with this name is already registered."),
            code="organisation_exists",
            field="name_zh",
        ) from None
    return organisation


def organisation_set_active(
    *, actor: User, organisation_id: int, active: bool
) -> MediationOrganisation:
    require_admin(actor)
    with transaction.atomic():
        organisation = (
            MediationOrganisation.objects.select_for_update().filter(pk=organisation_id).first()
        )
        if organisation is None:
            raise DomainError(_("No such organisation."), code="not_found")
        if organisation.active != active:
            organisation.active = active
            organisation.save(update_fields=["active"])
            audit_record(
                code="ecourt.mediation.organisation.updated",
                actor=actor,
                target=organisation,
                old={"active": not active},
                new={"active": active},
            )
    return organisation


def _clean_profile(
    specialties: Iterable[str], languages: Iterable[str], capacity: int
) -> tuple[list[str], list[str]]:
    codes = sorted({str(c).strip() for c in specialties if str(c).strip()})
    if not codes:
        raise DomainError(
            _("Choose at least one case type the mediator takes on."),
            code="specialties_required",
            field="specialties",
        )
    known = set(CaseType.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise DomainError(
            _("Unknown case type: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="specialty_unknown",
            field="specialties",
        )
    langs = sorted({str(lang).strip().lower() for lang in languages if str(lang).strip()})
    if set(langs) - LANGUAGES:
        raise DomainError(
            _("Languages can be zh-hans or en."), code="language_invalid", field="languages"
        )
    if not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(
            _("Capacity is 1 to %(n)d open matters.") % {"n": MAX_CAPACITY},
            code="capacity_invalid",
            field="capacity",
        )
    return codes, langs


def _organisation(
    organisation_id: int | None, *, current: int | None = None
) -> MediationOrganisation | None:
    """An active organisation, or the mediator's ``current`` one even if since deactivated
    (so their other details can still be edited)."""
    if organisation_id is None:
        return None
    organisation = MediationOrganisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not (organisation.active or organisation.pk == current):
        raise DomainError(
            _("Choose an active organisation."), code="organisation_invalid", field="organisation"
        )
    return organisation


def mediator_register(
    *,
    actor: User,
    user_id: int,
    specialties: Iterable[str],
    capacity: int,
    languages: Iterable[str] = (),
    organisation_id: int | None = None,
) -> Mediator:
    """Register a person who holds the mediator role (granted on the staff page)."""
    require_admin(actor)
    codes, langs = _clean_profile(specialties, languages, capacity)
    organisation = _organisation(organisation_id)
    with transaction.atomic():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.has_role(Role.MEDIATOR):
            raise DomainError(
                _("Grant this person the mediator role first."),
                code="not_mediator_role",
                field="user",
            )
        if Mediator.objects.filter(user=user).exists():
            raise DomainError(
                _("This person is already registered as a mediator."),
                code="mediator_exists",
                field="user",
            )
        mediator = Mediator.objects.create(
            user=user,
            organisation=organisation,
            specialties=codes,
            languages=langs,
            capacity=capacity,
        )
        audit_record(
            code="ecourt.mediation.mediator.registered",
            actor=actor,
            target=mediator,
            new={
                "user": user.pk,
                "organisation": organisation.pk if organisation else None,
                "specialties": codes,
                "languages": langs,
                "capacity": capacity,
            },
        )
    return mediator


def mediator_update(
    *,
    actor: User,
    mediator_id: int,
    specialties: Iterable[str],
    capacity: int,
    languages: Iterable[str] = (),
    organisation_id: int | None = None,
    active: bool = True,
) -> Mediator:
    """Change what a mediator takes on. Matters already assigned stay with them."""
    require_admin(actor)
    codes, langs = _clean_profile(specialties, languages, capacity)
    with transaction.atomic():
        mediator = Mediator.objects.select_for_update().filter(pk=mediator_id).first()
        if mediator is None:
            raise DomainError(_("No such mediator."), code="not_found")
        organisation = _organisation(organisation_id, current=mediator.organisation_id)
        old = {
            "organisation": mediator.organisation_id,
            "specialties": mediator.specialties,
            "languages": mediator.languages,
            "capacity": mediator.capacity,
            "active": mediator.active,
        }
        mediator.organisation = organisation
        mediator.specialties, mediator.languages = codes, langs
        mediator.capacity, mediator.active = capacity, active
        mediator.save(
            update_fields=["organisation", "specialties", "languages", "capacity", "active"]
        )
        audit_record(
            code="ecourt.mediation.mediator.updated",
            actor=actor,
            target=mediator,
            old=old,
            new={
                "organisation": organisation.pk if organisation else None,
                "specialties": codes,
                "languages": langs,
                "capacity": capacity,
                "active": active,
            },
        )
    return mediator
