"""Writes for accounts, one module per sub-domain. Import from here: ``services.user_register``.

Each function: atomic → lock → guard → mutate → audit → side effects on commit.
"""

from ecourt.accounts.services.consent import consent_accept, consent_withdraw
from ecourt.accounts.services.identity import (
    company_register,
    company_representative_review,
    document_view_record,
    identity_review,
    identity_submit,
    lawyer_apply,
    lawyer_review,
)
from ecourt.accounts.services.people import (
    registration_start,
    user_change_email,
    user_change_mobile,
    user_change_password,
    user_register,
    user_reset_password,
    user_set_language,
    user_update_profile,
)
from ecourt.accounts.services.roles import (
    account_unlock,
    grant_role_from_review,
    role_grant,
    role_revoke,
)

__all__ = [
    "account_unlock",
    "company_register",
    "company_representative_review",
    "consent_accept",
    "consent_withdraw",
    "document_view_record",
    "grant_role_from_review",
    "identity_review",
    "identity_submit",
    "lawyer_apply",
    "lawyer_review",
    "registration_start",
    "role_grant",
    "role_revoke",
    "user_change_email",
    "user_change_mobile",
    "user_change_password",
    "user_register",
    "user_reset_password",
    "user_set_language",
    "user_update_profile",
]
