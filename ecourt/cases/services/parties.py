"""Parties and agents of a draft application."""

from __future__ import annotations

from functools import partial

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ecourt.accounts import rules as account_rules
from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import (
    Agent,
    AgentKind,
    Application,
    ApplicationStatus,
    AuthorityScope,
    FilingCapacity,
    Party,
    PartyKind,
    PartySide,
)
from ecourt.cases.rules.filing import (
    PartyFacts,
    same_party,
)
from ecourt.cases.services._drafts import (
    check_email,
    check_id_number,
    check_mobile,
    editable,
    party_facts,
)
from ecourt.core.audit import audit_record
from ecourt.core.errors import DomainError
from ecourt.core.text import clean_text
from ecourt.core.uploads import stored_upload

S = ApplicationStatus


def _delete_files_on_commit(names: list[str]) -> None:
    """Remove uploaded powers of attorney once the rows that referred to them are gone."""
    from django.core.files.storage import default_storage

    for name in filter(None, names):
        transaction.on_commit(partial(default_storage.delete, name))


def party_add(
    *,
    actor: User,
    application_id: int,
    side: str,
    kind: str,
    name: str,
    id_number: str = "",
    legal_representative: str = "",
    mobile: str = "",
    email: str = "",
    address: str = "",
    power_of_attorney: UploadedFile | None = None,
    scope: str = AuthorityScope.GENERAL,
) -> Party:
    """Add a plaintiff, defendant or third party. A lawyer filing for a client adds the client
    as plaintiff with the client's power of attorney, which makes the lawyer its agent."""
    if side not in PartySide.values:
        raise DomainError(_("Choose the party's side."), code="side_invalid", field="side")
    if kind not in PartyKind.values:
        raise DomainError(
            _("Say whether the party is a person or a company."),
            code="kind_invalid",
            field="kind",
        )
    name = clean_text(name, field="name", max_length=200, required=False)
    if not name:
        raise DomainError(_("Enter the party's legal name."), code="name_missing", field="name")
    id_number = check_id_number(kind, id_number)
    mobile = check_mobile(mobile)
    email = check_email(email)
    if side == PartySide.DEFENDANT and not (mobile or email):
        raise DomainError(
            _(
                "Give a mobile number or an email address for the defendant: the court sends "
                "the case association code there."
            ),
            code="contact_missing",
            field="mobile",
        )
    if scope not in AuthorityScope.values:
        raise DomainError(_("Choose the scope of authority."), code="scope_invalid", field="scope")
    if kind == PartyKind.COMPANY and not legal_representative.strip():
        raise DomainError(
            _("Enter the company's legal representative."),
            code="legal_representative_missing",
            field="legal_representative",
        )
    lawyer_for_client = side == PartySide.PLAINTIFF
    # Only a lawyer's client comes with a power of attorney; any other upload is not stored,
    # so it cannot become a file nothing refers to.
    capacity = (
        Application.objects.filter(pk=application_id).values_list("capacity", flat=True).first()
    )
    if not (lawyer_for_client and capacity == FilingCapacity.CLIENT):
        power_of_attorney = None
    with stored_upload("power_of_attorney", power_of_attorney) as stored, transaction.atomic():
        application = editable(actor, application_id)
        lawyer_for_client = lawyer_for_client and application.capacity == FilingCapacity.CLIENT
        if lawyer_for_client and not stored:
            raise DomainError(
                _("Upload your client's signed power of attorney."),
                code="power_of_attorney_missing",
                field="power_of_attorney",
            )
        candidate = PartyFacts(side, name, id_number, mobile, email)
        for other in application.parties.all():
            if same_party(candidate, party_facts(other)):
                if other.side == side:
                    raise DomainError(
                        _("This party is already on the application."),
                        code="party_duplicate",
                        field="name",
                    )
                raise DomainError(
                    _("The same person or company cannot be on both sides."),
                    code="party_on_both_sides",
                    field="name",
                )
        position = (
            application.parties.filter(side=side).aggregate(m=Max("position"))["m"] or 0
        ) + 1
        party = Party.objects.create(
            application=application,
            side=side,
            kind=kind,
            position=position,
            name=name,
            id_number=id_number,
            legal_representative=clean_text(
                legal_representative, field="legal_representative", max_length=100, required=False
            ),
            mobile=mobile,
            email=email,
            address=clean_text(address, field="address", max_length=300, required=False),
        )
        if lawyer_for_client:
            Agent.objects.create(
                party=party,
                kind=AgentKind.LAWYER,
                user=actor,
                scope=scope,
                power_of_attorney=stored,
                appointed_by=actor,
            )
        audit_record(
            code="ecourt.filing.party.added",
            actor=actor,
            target=application,
            new={
                "party": party.pk,
                "side": side,
                "kind": kind,
                "id_number": account_rules.mask_identifier(id_number) if id_number else "",
            },
        )
    return party


def party_remove(*, actor: User, application_id: int, party_id: int) -> None:
    with transaction.atomic():
        application = editable(actor, application_id)
        party = application.parties.filter(pk=party_id).first()
        if party is None:
            raise DomainError(_("No such party."), code="not_found")
        if party.user_id == actor.pk and party.side == PartySide.PLAINTIFF:
            raise DomainError(
                _("You file as this plaintiff; start a new application to file for someone else."),
                code="own_party",
            )
        audit_record(
            code="ecourt.filing.party.removed",
            actor=actor,
            target=application,
            old={"party": party.pk, "side": party.side},
        )
        _delete_files_on_commit([a.power_of_attorney.name for a in party.agents.all()])
        party.agents.all().delete()
        party.delete()


def agent_appoint(
    *,
    actor: User,
    application_id: int,
    party_id: int,
    agent_mobile: str,
    kind: str,
    scope: str,
    power_of_attorney: UploadedFile | None,
) -> Agent:
    """A plaintiff appoints an agent (CPL Arts. 61–62) by the agent's registered mobile number.
    A lawyer must hold an approved licence; any agent must have verified their identity."""
    if kind not in AgentKind.values:
        raise DomainError(_("Choose the kind of agent."), code="agent_kind_invalid", field="kind")
    if scope not in AuthorityScope.values:
        raise DomainError(_("Choose the scope of authority."), code="scope_invalid", field="scope")
    mobile = check_mobile(agent_mobile)
    agent_user = User.objects.filter(mobile=mobile, is_active=True).first() if mobile else None
    if agent_user is None:
        raise DomainError(
            _("No one with that mobile number has an account. Ask your agent to register first."),
            code="agent_unknown",
            field="agent_mobile",
        )
    if agent_user.pk == actor.pk:
        raise DomainError(
            _("You cannot appoint yourself."), code="agent_self", field="agent_mobile"
        )
    if not agent_user.is_identity_verified:
        raise DomainError(
            _("Your agent must verify their identity first."),
            code="agent_not_verified",
            field="agent_mobile",
        )
    if kind == AgentKind.LAWYER and not agent_user.has_role(Role.LAWYER):
        raise DomainError(
            _("That person is not a lawyer approved by the court."),
            code="agent_not_lawyer",
            field="agent_mobile",
        )
    if power_of_attorney is None:
        raise DomainError(
            _("Upload the signed power of attorney."),
            code="power_of_attorney_missing",
            field="power_of_attorney",
        )
    with stored_upload("power_of_attorney", power_of_attorney) as stored, transaction.atomic():
        application = editable(actor, application_id)
        party = application.parties.filter(pk=party_id, side=PartySide.PLAINTIFF).first()
        if party is None:
            raise DomainError(
                _("Choose one of your plaintiffs."), code="party_invalid", field="party"
            )
        if party.agents.count() >= 2:
            raise DomainError(
                _("A party may appoint at most two agents (CPL Art. 61)."),
                code="too_many_agents",
            )
        if party.agents.filter(user=agent_user).exists():
            raise DomainError(
                _("This agent is already appointed."), code="agent_duplicate", field="agent_mobile"
            )
        agent = Agent.objects.create(
            party=party,
            kind=kind,
            user=agent_user,
            scope=scope,
            power_of_attorney=stored,
            appointed_by=actor,
        )
        audit_record(
            code="ecourt.filing.agent.appointed",
            actor=actor,
            target=application,
            new={"party": party.pk, "agent": agent_user.pk, "kind": kind, "scope": scope},
        )
    return agent


def agent_remove(*, actor: User, application_id: int, agent_id: int) -> None:
    with transaction.atomic():
        application = editable(actor, application_id)
        agent = Agent.objects.filter(pk=agent_id, party__application=application).first()
        if agent is None:
            raise DomainError(_("No such agent."), code="not_found")
        if agent.user_id == actor.pk:
            raise DomainError(
                _("You cannot remove yourself; remove the client instead."), code="own_agency"
            )
        audit_record(
            code="ecourt.filing.agent.removed",
            actor=actor,
            target=application,
            old={"party": agent.party_id, "agent": agent.user_id},
        )
        _delete_files_on_commit([agent.power_of_attorney.name])
        agent.delete()
