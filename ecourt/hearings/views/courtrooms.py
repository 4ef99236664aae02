"""The court administrator's courtrooms page: every courtroom with its status and hearings to
come, a form to add one and, per courtroom, a form to rename it, change its meeting link or
(de)activate it.

Court administrators only; everyone else gets a 404, as if the page were not there. A
DomainError shows the page again (400) with the message next to the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from ecourt.accounts.models import User
from ecourt.accounts.permissions import otp_verified
from ecourt.accounts.roles import Role
from ecourt.cases.views.display import request_actor
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.hearings.models import BUSY_STATUSES, Courtroom, Hearing
from ecourt.hearings.services import courtrooms as services

URL_HELP = gettext_lazy(
    "An http(s) address with {room} where the meeting room's name goes, e.g. "
    "https://meet.example.cn/{room}. Leave it empty to use the court's."
)


class CourtroomAddForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=services.NAME_MAX)
    code = forms.CharField(
        label=gettext_lazy("Code"),
        min_length=services.CODE_MIN,
        max_length=services.CODE_MAX,
        help_text=gettext_lazy(
            "Lower-case letters, digits and hyphens, e.g. online-2. It cannot change later."
        ),
    )
    meeting_url_template = forms.CharField(
        label=gettext_lazy("Meeting link template"),
        max_length=services.URL_MAX,
        required=False,
        help_text=URL_HELP,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "add_%s")
        super().__init__(*args, **kwargs)


class CourtroomEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=services.NAME_MAX)
    meeting_url_template = forms.CharField(
        label=gettext_lazy("Meeting link template"),
        max_length=services.URL_MAX,
        required=False,
        help_text=URL_HELP,
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Active (judges can schedule hearings in it)"), required=False
    )

    def __init__(self, *args: Any, room: Courtroom, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"room{room.pk}_%s")
        kwargs.setdefault(
            "initial",
            {
                "name": room.name,
                "meeting_url_template": room.meeting_url_template,
                "is_active": room.is_active,
            },
        )
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class CourtroomRow:
    room: Courtroom
    upcoming: int  # hearings scheduled or running, not yet over
    form: CourtroomEditForm


def _upcoming_by_room() -> dict[int, int]:
    """How many hearings are scheduled or running, and not yet over, per courtroom."""
    rows = (
        Hearing.objects.filter(status__in=BUSY_STATUSES, ends_at__gt=timezone.now())
        .values("courtroom")
        .annotate(n=Count("pk"))
    )
    return {row["courtroom"]: row["n"] for row in rows}


def _admin(request: HttpRequest) -> User:
    """The court administrator making the request; 404 for anyone else."""
    user = request_actor(request)
    if not user.has_role(Role.COURT_ADMIN):
        raise Http404
    if not otp_verified(user):
        # StaffOtpRequiredMiddleware normally redirects first; this is the backstop.
        raise PermissionDenied
    return user


def _page(
    request: HttpRequest,
    *,
    add_form: CourtroomAddForm | None = None,
    edited: tuple[int, CourtroomEditForm] | None = None,
) -> HttpResponse:
    upcoming = _upcoming_by_room()
    rows = []
    for room in Courtroom.objects.order_by("-is_active", "name"):
        if edited is not None and edited[0] == room.pk:
            form = edited[1]
        else:
            form = CourtroomEditForm(room=room)
        rows.append(CourtroomRow(room=room, upcoming=upcoming.get(room.pk, 0), form=form))
    failed = add_form is not None or edited is not None
    return render(
        request,
        "hearings/courtrooms.html",
        {
            "rows": rows,
            "add_form": add_form or CourtroomAddForm(),
            "edited_pk": edited[0] if edited else None,
        },
        status=400 if failed else 200,
    )


@login_required
@require_safe
def courtrooms(request: HttpRequest) -> HttpResponse:
    """Every courtroom, active ones first, with the forms to add and change them."""
    _admin(request)
    return _page(request)


@login_required
@require_POST
def courtroom_add(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    form = CourtroomAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            room = services.courtroom_create(
                actor=user,
                name=data["name"],
                code=data["code"],
                meeting_url_template=data["meeting_url_template"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": room.name})
            return redirect("hearings:courtrooms")
    return _page(request, add_form=form)


@login_required
@require_POST
def courtroom_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    room = Courtroom.objects.filter(pk=pk).first()
    if room is None:
        raise Http404
    form = CourtroomEditForm(request.POST, room=room)
    if form.is_valid():
        data = form.cleaned_data
        try:
            room = services.courtroom_update(
                actor=user,
                courtroom_id=room.pk,
                name=data["name"],
                meeting_url_template=data["meeting_url_template"],
                is_active=data["is_active"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": room.name})
            return redirect("hearings:courtrooms")
    return _page(request, edited=(room.pk, form))
