"""Scheduling pages: a case's hearings (and the judge's scheduling form), a hearing with its
participants and actions, a person's upcoming hearings, requests to reschedule and their
decision, and the division head's judge assignment.

Whoever may not see the case gets a 404 on every page; a person who sees it but may not act
gets the service's refusal as a message. Actions are POST-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ecourt.accounts.models import User
from ecourt.accounts.roles import Role
from ecourt.cases.models import Case
from ecourt.cases.selectors import case_for_user
from ecourt.cases.views.display import request_actor
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.delivery.models import Delivery
from ecourt.hearings import rules, selectors
from ecourt.hearings.models import Hearing, HearingStatus, RescheduleRequest, RescheduleStatus
from ecourt.hearings.services import scheduling as services
from ecourt.hearings.services.common import is_case_judge, parties_for

WARNING_TEXT = {
    rules.WEEKEND: gettext_lazy("The hearing falls on a weekend."),
    rules.HOLIDAY: gettext_lazy("The hearing falls on a statutory holiday."),
}

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_FORMAT)


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class ScheduleForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at (Beijing time)"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=_DateTimeInput(),
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Length in minutes"),
        min_value=rules.MIN_MINUTES,
        max_value=rules.MAX_MINUTES,
        initial=60,
    )
    courtroom = forms.ModelChoiceField(
        label=gettext_lazy("Courtroom"), queryset=selectors.courtrooms(), empty_label=None
    )
    clerk = _PersonChoice(
        label=gettext_lazy("Clerk keeping the record"),
        queryset=selectors.judicial_assistants(),
        empty_label=None,
    )


class RescheduleRequestForm(forms.Form):
    reasons = forms.CharField(
        label=gettext_lazy("Why the hearing should move"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )


class RescheduleDecideForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            ("yes", gettext_lazy("Grant and move the hearing")),
            ("no", gettext_lazy("Refuse")),
        ],
        widget=forms.RadioSelect,
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("New start (Beijing time)"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=_DateTimeInput(),
        required=False,
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Length in minutes"),
        min_value=rules.MIN_MINUTES,
        max_value=rules.MAX_MINUTES,
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note to the parties (required to refuse)"),
        max_length=500,
        required=False,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


class JudgeAssignForm(forms.Form):
    judge = _PersonChoice(
        label=gettext_lazy("Judge"),
        queryset=selectors.active_judges(),
        required=False,
        empty_label=gettext_lazy("Pick automatically (fewest open cases)"),
    )


# --- Helpers -----------------------------------------------------------------------------------


def _case(request: HttpRequest, case_pk: int) -> Case:
    case = case_for_user(request_actor(request), case_pk)
    if case is None:
        raise Http404
    return case


def _hearing(request: HttpRequest, pk: int) -> Hearing:
    hearing = selectors.hearing_for_user(request_actor(request), pk)
    if hearing is None:
        raise Http404
    return hearing


def room_url(hearing: Hearing) -> str:
    """The hearing room (another part of the trial capability), by name when it is there."""
    try:
        return reverse("hearings:room", args=[hearing.pk])
    except NoReverseMatch:
        return f"/hearings/{hearing.pk}/room/"


def warning_texts(codes: list[str]) -> list[str]:
    return [str(WARNING_TEXT.get(code, code)) for code in codes]


def _summons_link(user: User, hearing: Hearing) -> str | None:
    """Parties open their own delivery of the summons; court staff see the case's
    deliveries."""
    if hearing.summons_id is None:
        return None
    delivery = (
        Delivery.objects.filter(
            document_id=hearing.summons_id, party__in=parties_for(user, hearing.case)
        )
        .order_by("pk")
        .first()
    )
    if delivery is not None:
        return reverse("delivery:open", args=[delivery.pk])
    if user.pk in (hearing.judge_id, hearing.clerk_id) or user.has_role(Role.FILING_CLERK):
        return reverse("delivery:case", args=[hearing.case_id])
    return None


# --- Pages -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_hearings(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The hearings of a case; its judge schedules one here."""
    user = request_actor(request)
    case = _case(request, case_pk)
    may_schedule = is_case_judge(user, case)
    form = ScheduleForm(request.POST or None) if may_schedule else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                hearing = services.hearing_schedule(
                    actor=user,
                    case_id=case.pk,
                    starts_at=data["starts_at"],
                    minutes=data["minutes"],
                    courtroom_id=data["courtroom"].pk,
                    clerk_id=data["clerk"].pk,
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Hearing scheduled; the summons is being served."))
                for text in warning_texts(hearing.warnings):
                    messages.warning(request, text)
                return redirect("hearings:case_hearings", case_pk=case.pk)
    hearings = list(selectors.case_hearings(case))
    return render(
        request,
        "hearings/schedule.html",
        {"case": case, "hearings": hearings, "form": form, "may_schedule": may_schedule},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_safe
def hearing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_actor(request)
    hearing = _hearing(request, pk)
    case = hearing.case
    acting_for = parties_for(user, case)
    scheduled = hearing.status == HearingStatus.SCHEDULED
    is_judge = is_case_judge(user, case)
    requests = list(selectors.reschedule_requests(hearing))
    if not is_judge and user.pk != hearing.clerk_id and acting_for:
        # A party sees its own requests only.
        mine = {p.pk for p in acting_for}
        requests = [r for r in requests if r.party_id in mine]
    return render(
        request,
        "hearings/hearing_detail.html",
        {
            "case": case,
            "hearing": hearing,
            "participants": list(hearing.participants.all()),
            "warnings": warning_texts(hearing.warnings),
            "summons_url": _summons_link(user, hearing),
            "room_url": room_url(hearing),
            "requests": requests,
            "may_confirm": scheduled and bool(acting_for),
            "may_request": scheduled and bool(acting_for),
            "is_judge": is_judge,
            "may_cancel": scheduled and is_judge,
            "cancel_form": CancelForm(),
            "pending": RescheduleStatus.PENDING,
        },
    )


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    hearing = _hearing(request, pk)
    try:
        services.attendance_confirm(actor=request_actor(request), hearing_id=hearing.pk)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your attendance is confirmed."))
    return redirect("hearings:hearing_detail", pk=hearing.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    hearing = _hearing(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the hearing is cancelled."))
        return redirect("hearings:hearing_detail", pk=hearing.pk)
    try:
        services.hearing_cancel(
            actor=request_actor(request), hearing_id=hearing.pk, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The hearing is cancelled; the parties are told."))
    return redirect("hearings:hearing_detail", pk=hearing.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reschedule_request(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_actor(request)
    hearing = _hearing(request, pk)
    form = RescheduleRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reschedule_request(
                actor=user, hearing_id=hearing.pk, reasons=form.cleaned_data["reasons"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Your request is with the judge."))
            return redirect("hearings:hearing_detail", pk=hearing.pk)
    return render(
        request,
        "hearings/reschedule_request.html",
        {"case": hearing.case, "hearing": hearing, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reschedule_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_actor(request)
    found = RescheduleRequest.objects.filter(pk=pk).values_list("hearing_id", flat=True).first()
    if found is None:
        raise Http404
    hearing = _hearing(request, found)
    reschedule = selectors.reschedule_requests(hearing).get(pk=pk)
    if not is_case_judge(user, hearing.case):
        raise Http404
    form = RescheduleDecideForm(
        request.POST or None, initial={"minutes": hearing.minutes, "grant": "yes"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reschedule_decide(
                actor=user,
                request_id=reschedule.pk,
                grant=data["grant"] == "yes",
                note=data["note"],
                starts_at=data["starts_at"],
                minutes=data["minutes"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Decision recorded; the parties are told."))
            return redirect("hearings:hearing_detail", pk=hearing.pk)
    return render(
        request,
        "hearings/reschedule_decide.html",
        {"case": hearing.case, "hearing": hearing, "reschedule": reschedule, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def my_hearings(request: HttpRequest) -> HttpResponse:
    user = request_actor(request)
    hearings = list(selectors.upcoming_hearings(user))
    return render(request, "hearings/my_hearings.html", {"hearings": hearings, "room_urls": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_judge(request: HttpRequest, case_pk: int) -> HttpResponse:
    """A division head assigns the judge (or lets the system pick by load)."""
    user = request_actor(request)
    case = _case(request, case_pk)
    if not user.has_role(Role.DIVISION_HEAD):
        raise Http404
    form = JudgeAssignForm(request.POST or None, initial={"judge": case.judge_id})
    if request.method == "POST" and form.is_valid():
        judge = form.cleaned_data["judge"]
        try:
            case = services.case_judge_assign(
                actor=user, case_id=case.pk, judge_id=judge.pk if judge else None
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            assert case.judge is not None
            messages.success(
                request,
                _("%(judge)s is the judge of this case.") % {"judge": case.judge.display_name},
            )
            return redirect("hearings:case_judge", case_pk=case.pk)
    return render(
        request,
        "hearings/schedule_judge.html",
        {"case": case, "form": form},
        status=400 if form.errors else 200,
    )
