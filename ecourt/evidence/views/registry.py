"""The court administrator's evidence log page: institutions that deposit over the API and
their tokens (a new token is shown once, on the answer to the request that made it), the
witnesses the court trusts, the witness quorum, quarantined files and the log's state."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecourt.accounts.permissions import staff_required
from ecourt.accounts.roles import Role
from ecourt.cases.views.display import request_actor
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.evidence import selectors
from ecourt.evidence.forms import InstitutionForm, WitnessForm
from ecourt.evidence.models import Institution, InstitutionToken, QuarantinedFile, Witness
from ecourt.evidence.services.registry import (
    institution_create,
    institution_token_create,
    institution_token_revoke,
    witness_add,
    witness_set_active,
)

#: The newest quarantined files shown.
QUARANTINE_SHOWN = 50


def _registry_page(request: HttpRequest, **forms: Any) -> HttpResponse:
    latest = selectors.checkpoint_latest()
    witnesses = list(Witness.objects.order_by("-is_active", "name"))
    active = sum(1 for w in witnesses if w.is_active)
    cosigners = (
        sorted(latest.cosignatures.values_list("witness__name", flat=True)) if latest else []
    )
    context: dict[str, Any] = {
        "institutions": Institution.objects.prefetch_related(
            Prefetch("tokens", queryset=InstitutionToken.objects.order_by("-created_at"))
        ).order_by("name"),
        "witnesses": witnesses,
        "active_witnesses": active,
        "quorum": settings.ECOURT_LOG_WITNESS_QUORUM,
        "quarantined": QuarantinedFile.objects.select_related("uploaded_by").order_by(
            "-created_at"
        )[:QUARANTINE_SHOWN],
        "quarantined_count": QuarantinedFile.objects.count(),
        "log_size": selectors.log_size(),
        "checkpoint": latest,
        "root_hex": bytes(latest.root_hash).hex() if latest else "",
        "cosigners": cosigners,
        "institution_form": InstitutionForm(),
        "witness_form": WitnessForm(),
    }
    context.update(forms)
    return render(request, "evidence/registry.html", context, status=400 if forms else 200)


@staff_required(Role.COURT_ADMIN)
def registry(request: HttpRequest) -> HttpResponse:
    return _registry_page(request)


@staff_required(Role.COURT_ADMIN)
@require_POST
def institution_add(request: HttpRequest) -> HttpResponse:
    form = InstitutionForm(request.POST)
    if form.is_valid():
        try:
            institution = institution_create(
                actor=request_actor(request), name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is registered. Create a token for it to deposit over the API.")
                % {"name": institution.name},
            )
            return redirect("evidence:registry")
    return _registry_page(request, institution_form=form)


@staff_required(Role.COURT_ADMIN)
@require_POST
def token_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A new token, shown on this answer only: only its SHA-256 is kept."""
    institution = Institution.objects.filter(pk=pk).first()
    if institution is None:
        raise Http404
    try:
        row, secret = institution_token_create(
            actor=request_actor(request), institution=institution
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("evidence:registry")
    response = render(
        request,
        "evidence/token_created.html",
        {"institution": institution, "token": row, "secret": secret},
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_required(Role.COURT_ADMIN)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = InstitutionToken.objects.select_related("institution").filter(pk=pk).first()
    if token is None:
        raise Http404
    institution_token_revoke(actor=request_actor(request), token=token)
    messages.success(
        request,
        _("The token %(prefix)s… of %(name)s is revoked; it no longer deposits.")
        % {"prefix": token.prefix, "name": token.institution.name},
    )
    return redirect("evidence:registry")


@staff_required(Role.COURT_ADMIN)
@require_POST
def witness_register(request: HttpRequest) -> HttpResponse:
    form = WitnessForm(request.POST)
    if form.is_valid():
        try:
            witness = witness_add(
                actor=request_actor(request),
                verifier_key=form.cleaned_data["verifier_key"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The court now trusts the cosignatures of %(name)s.") % {"name": witness.name},
            )
            return redirect("evidence:registry")
    return _registry_page(request, witness_form=form)


@staff_required(Role.COURT_ADMIN)
@require_POST
def witness_active(request: HttpRequest, pk: int) -> HttpResponse:
    witness = Witness.objects.filter(pk=pk).first()
    if witness is None:
        raise Http404
    active = request.POST.get("active") == "1"
    witness = witness_set_active(actor=request_actor(request), witness=witness, active=active)
    messages.success(
        request,
        (
            _("%(name)s is trusted again.")
            if active
            else _("%(name)s is no longer trusted; its cosignatures no longer count.")
        )
        % {"name": witness.name},
    )
    return redirect("evidence:registry")
