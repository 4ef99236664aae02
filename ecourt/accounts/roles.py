"""The roles a person can hold. Kept apart from models so rules and templates can import it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LITIGANT = "litigant", _("Litigant")
    COMPANY_REPRESENTATIVE = "company_representative", _("Company representative")
    LAWYER = "lawyer", _("Lawyer")
    FILING_CLERK = "filing_clerk", _("Filing clerk")
    JUDGE = "judge", _("Judge")
    DIVISION_HEAD = "division_head", _("Division head")
    JUDICIAL_ASSISTANT = "judicial_assistant", _("Judicial assistant")
    MEDIATOR = "mediator", _("Mediator")
    ENFORCEMENT_OFFICER = "enforcement_officer", _("Enforcement officer")
    SUPPORT_AGENT = "support_agent", _("Support agent")
    COURT_ADMIN = "court_admin", _("Court administrator")


#: Roles held by court staff: granted only by a court administrator, and their holders must
#: sign in with a TOTP code as well as a password.
STAFF_ROLES: frozenset[str] = frozenset(
    {
        Role.FILING_CLERK,
        Role.JUDGE,
        Role.DIVISION_HEAD,
        Role.JUDICIAL_ASSISTANT,
        Role.MEDIATOR,
        Role.ENFORCEMENT_OFFICER,
        Role.SUPPORT_AGENT,
        Role.COURT_ADMIN,
    }
)

#: Roles that come from the person's own registration and its review, not from a grant.
PUBLIC_ROLES: frozenset[str] = frozenset({Role.LITIGANT, Role.COMPANY_REPRESENTATIVE, Role.LAWYER})

#: Who may review identity documents, company authorisations and lawyer licences.
IDENTITY_REVIEWER_ROLES: frozenset[str] = frozenset({Role.COURT_ADMIN, Role.FILING_CLERK})
