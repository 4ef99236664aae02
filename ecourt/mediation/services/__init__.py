"""Writes of the mediation capability. Import from here; the modules split it by sub-domain."""

from ecourt.mediation.services.confirmation import confirmation_apply, confirmation_decide
from ecourt.mediation.services.consents import extension_consent, facts_agree, facts_record
from ecourt.mediation.services.diversion import (
    diversion_answer,
    diversion_propose,
    mediation_accept,
    mediation_decline,
    mediation_divert,
    mediation_link,
    mediation_reassign,
)
from ecourt.mediation.services.outcomes import (
    agreement_code_send,
    agreement_draft,
    agreement_sign,
    mediation_end_without_agreement,
    mediation_refuse,
    mediation_withdraw,
    mediations_expire,
)
from ecourt.mediation.services.registry import (
    mediator_register,
    mediator_update,
    organisation_register,
    organisation_set_active,
)
from ecourt.mediation.services.room import (
    message_post,
    proposal_make,
    proposal_respond,
    session_cancel,
    session_schedule,
)

__all__ = [
    "agreement_code_send",
    "agreement_draft",
    "agreement_sign",
    "confirmation_apply",
    "confirmation_decide",
    "diversion_answer",
    "diversion_propose",
    "extension_consent",
    "facts_agree",
    "facts_record",
    "mediation_accept",
    "mediation_decline",
    "mediation_divert",
    "mediation_end_without_agreement",
    "mediation_link",
    "mediation_reassign",
    "mediation_refuse",
    "mediation_withdraw",
    "mediations_expire",
    "mediator_register",
    "mediator_update",
    "message_post",
    "organisation_register",
    "organisation_set_active",
    "proposal_make",
    "proposal_respond",
    "session_cancel",
    "session_schedule",
]
