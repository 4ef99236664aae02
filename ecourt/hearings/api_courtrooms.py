"""Courtrooms in the JSON API (tag "trial"): court staff list the active ones (to schedule in);
the court administrator sees all, adds courtrooms and changes them.

Session authentication (CSRF header on writes). Anyone who is not court staff gets 403, and
so does staff other than the court administrator on writes."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from ecourt.accounts.permissions import require_roles
from ecourt.accounts.roles import STAFF_ROLES, Role
from ecourt.cases.api_common import NO_CONTROL, SIGNED_IN, PathId, actor, problems
from ecourt.hearings import selectors
from ecourt.hearings.models import Courtroom
from ecourt.hearings.services import courtrooms as services

router = Router(auth=django_auth)

WRITE = problems(400, *SIGNED_IN)


class CourtroomOut(Schema):
    id: int
    name: str
    code: str
    meeting_url_template: str = Field(
        description="An http(s) URL with {room}; empty: the court's default."
    )
    is_active: bool


class CourtroomCreateIn(Schema):
    name: str = Field(max_length=services.NAME_MAX, pattern=NO_CONTROL)
    code: str = Field(
        min_length=services.CODE_MIN,
        max_length=services.CODE_MAX,
        description="A slug, e.g. online-2; cannot change later.",
    )
    meeting_url_template: str = Field("", max_length=services.URL_MAX, pattern=NO_CONTROL)


class CourtroomUpdateIn(Schema):
    """Only the fields sent change."""

    name: str | None = Field(None, max_length=services.NAME_MAX, pattern=NO_CONTROL)
    meeting_url_template: str | None = Field(None, max_length=services.URL_MAX, pattern=NO_CONTROL)
    is_active: bool | None = None


def _out(room: Courtroom) -> CourtroomOut:
    return CourtroomOut(
        id=room.pk,
        name=room.name,
        code=room.code,
        meeting_url_template=room.meeting_url_template,
        is_active=room.is_active,
    )


@router.get(
    "/courtrooms",
    response=list[CourtroomOut],
    summary="Courtrooms: the active ones, or all for the court administrator (court staff)",
    description="403 `forbidden` for anyone who is not court staff.",
    openapi_extra=problems(*SIGNED_IN),
)
def courtrooms_list(request: HttpRequest) -> list[CourtroomOut]:
    user = actor(request)
    require_roles(user, *STAFF_ROLES)
    if user.has_role(Role.COURT_ADMIN):
        rooms = Courtroom.objects.order_by("-is_active", "name")
    else:
        rooms = selectors.courtrooms()
    return [_out(room) for room in rooms]


@router.post(
    "/courtrooms",
    response={201: CourtroomOut},
    summary="Add a courtroom (the court administrator)",
    description="400 `required`, `name_taken`, `code_invalid`, `code_taken`, "
    "`meeting_url_invalid`; 403 `not_court_admin`.",
    openapi_extra=WRITE,
)
def courtroom_create(request: HttpRequest, payload: CourtroomCreateIn) -> Status:
    room = services.courtroom_create(
        actor=actor(request),
        name=payload.name,
        code=payload.code,
        meeting_url_template=payload.meeting_url_template,
    )
    return Status(201, _out(room))


@router.patch(
    "/courtrooms/{courtroom_id}",
    response=CourtroomOut,
    summary="Rename a courtroom, change its meeting link or (de)activate it (the court "
    "administrator)",
    description="400 `required`, `name_taken`, `meeting_url_invalid`, `courtroom_in_use` "
    "(deactivating with hearings to come; the message says how many); 403 `not_court_admin`.",
    openapi_extra=problems(400, 404, *SIGNED_IN),
)
def courtroom_update(
    request: HttpRequest, courtroom_id: PathId, payload: CourtroomUpdateIn
) -> CourtroomOut:
    user = actor(request)
    services.require_court_admin(user)  # before the 404: no probing for inactive rooms
    room = Courtroom.objects.filter(pk=courtroom_id).first()
    if room is None:
        raise Http404
    room = services.courtroom_update(
        actor=user,
        courtroom_id=room.pk,
        name=room.name if payload.name is None else payload.name,
        meeting_url_template=(
            room.meeting_url_template
            if payload.meeting_url_template is None
            else payload.meeting_url_template
        ),
        is_active=room.is_active if payload.is_active is None else payload.is_active,
    )
    return _out(room)
