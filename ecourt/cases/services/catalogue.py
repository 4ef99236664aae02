"""Publishing a new version of the case-type catalogue (court administrators only)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import CaseType, CatalogueVersion
from ecourt.cases.rules.case_numbers import CaseTypeCode
from ecourt.cases.rules.fees import FeeCategory
from ecourt.cases.rules.jurisdiction import CaseTypeSpec
from ecourt.cases.services._common import today
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError, PermissionDenied
from ecourt.core.text import clean_text

_LIMITS = {
    "name_en": 200,
    "name_zh": 200,
    "hint_en": 300,
    "hint_zh": 300,
    "competent_court_en": 300,
    "competent_court_zh": 300,
}


def _clean_spec(spec: CaseTypeSpec) -> CaseTypeSpec:
    """Check a type's code and texts as the database will store them (the API and the form
    both end here): a slug code, no control characters, within the column lengths."""
    from dataclasses import replace

    if not re.fullmatch(r"[a-z0-9_-]{1,60}", spec.code or ""):
        raise DomainError(
            _("“%(code)s”: a code is 1–60 lower-case letters, digits, - or _.")
            % {"code": (spec.code or "")[:60]},
            code="code_invalid",
        )
    texts = {
        name: clean_text(getattr(spec, name), field=name, max_length=limit, required=False)
        for name, limit in _LIMITS.items()
    }
    return replace(spec, **texts)  # type: ignore[arg-type]  # every key names a str field


def catalogue_publish(
    *,
    actor: User,
    effective_from: date,
    basis: str,
    note: str,
    types: Sequence[CaseTypeSpec],
) -> CatalogueVersion:
    """Publish a catalogue version. It takes effect on a future day only, after every existing
    version, so no application already submitted is ever judged by a different list."""
    if not actor.has_role(Role.COURT_ADMIN):
        raise PermissionDenied(
            _("Only a court administrator may change the catalogue."), code="not_admin"
        )
    if effective_from <= today():
        raise DomainError(
            _("A new catalogue can take effect tomorrow at the earliest."),
            code="effective_date_past",
            field="effective_from",
        )
    basis = clean_text(basis, field="basis", max_length=300, required=False)
    note = clean_text(note, field="note", max_length=5000, required=False, multiline=True)
    if not basis.strip():
        raise DomainError(
            _("Name the instrument that sets this list."), code="basis_missing", field="basis"
        )
    types = [_clean_spec(spec) for spec in types]
    codes = [spec.code for spec in types]
    if len(set(codes)) != len(codes):
        raise DomainError(_("Each case type code may appear once."), code="duplicate_code")
    if not any(spec.accepted for spec in types):
        raise DomainError(
            _("The catalogue must list at least one case type the court hears."),
            code="empty_catalogue",
        )
    for spec in types:
        if not (spec.code and spec.name_en.strip() and spec.name_zh.strip()):
            raise DomainError(
                _("Every case type needs a code and names in both languages."),
                code="case_type_incomplete",
            )
        if spec.accepted and (
            spec.fee_category not in FeeCategory.__members__.values()
            or spec.number_type not in CaseTypeCode.__members__.values()
        ):
            raise DomainError(
                _(
                    "“%(code)s”: a case type the court hears needs a fee category and a "
                    "case-number type."
                )
                % {"code": spec.code},
                code="case_type_incomplete",
            )
        if not spec.accepted and not (spec.competent_court_en and spec.competent_court_zh):
            raise DomainError(
                _(
                    "“%(code)s”: a case type the court does not hear must name the competent "
                    "court in both languages."
                )
                % {"code": spec.code},
                code="competent_court_missing",
            )
    with transaction.atomic():
        latest = CatalogueVersion.objects.select_for_update().aggregate(m=Max("effective_from"))[
            "m"
        ]
        if latest is not None and effective_from <= latest:
            raise DomainError(
                _("A version already takes effect on or after that day; choose a later date."),
                code="effective_date_taken",
                field="effective_from",
            )
        version = CatalogueVersion.objects.create(
            effective_from=effective_from,
            basis=basis.strip(),
            note=note.strip(),
            published_by=actor,
        )
        CaseType.objects.bulk_create(
            CaseType(version=version, position=index, **spec.__dict__)
            for index, spec in enumerate(types)
        )
        audit_record(
            code="ecourt.filing.catalogue.published",
            actor=actor,
            target=version,
            new={"effective_from": effective_from, "codes": codes, "basis": basis},
        )
    return version
