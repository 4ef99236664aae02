"""Asynchronous trial pages: the case's consents and the judge's form to open a trial, and
the trial page with its rounds, the answer forms of the parties the person acts for, and the
judge's controls (add a round, close a round, close the trial).

Who sees which answer is decided in ``services.async_trial.rounds_for_viewer``: a party sees
the other side's answers of a round once its window has ended (due time passed or round
closed), not before, so no one copies within a round; court staff see all. Everyone who may
not see the case gets 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ecourt.cases import selectors as case_selectors
from ecourt.cases.models import Case, Party
from ecourt.cases.views.display import request_actor
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.hearings.models import AsyncRound, AsyncTrial, AsyncTrialStatus
from ecourt.hearings.services import async_trial as service
from ecourt.hearings.services.common import is_case_judge, parties_for

# --- Forms --------------------------------------------------------------------------------------


class ConsentForm(forms.Form):
    party = forms.TypedChoiceField(label=gettext_lazy("Party"), coerce=int)
    consent = forms.TypedChoiceField(
        label=gettext_lazy("Asynchronous trial"),
        choices=[
            ("yes", gettext_lazy("I consent to asynchronous trial")),
            ("no", gettext_lazy("I refuse asynchronous trial")),
        ],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
    )

    def __init__(self, *args: Any, parties: list[Party], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        party = self.fields["party"]
        assert isinstance(party, forms.TypedChoiceField)
        party.choices = [(p.pk, p.name) for p in parties]
        if len(parties) == 1:
            self.fields["party"].widget = forms.HiddenInput()
            self.fields["party"].initial = parties[0].pk


class QuestionsForm(forms.Form):
    questions = forms.CharField(
        label=gettext_lazy("Questions to the parties"),
        max_length=service.MAX_QUESTIONS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("The issues in dispute and what each party should answer."),
    )
    window_hours = forms.IntegerField(
        label=gettext_lazy("Answer window (hours)"),
        min_value=service.MIN_WINDOW_HOURS,
        max_value=service.MAX_WINDOW_HOURS,
        initial=72,
        help_text=gettext_lazy("From 24 hours to 14 days (336 hours)."),
    )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Answer"),
        max_length=service.MAX_ANSWER_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One answer per round: it cannot be changed once submitted."),
    )


# --- Access -------------------------------------------------------------------------------------


def _case_or_404(request: HttpRequest, case_pk: int) -> Case:
    case = case_selectors.case_for_user(request_actor(request), case_pk)
    if case is None:
        raise Http404
    return case


def _trial_or_404(request: HttpRequest, pk: int) -> AsyncTrial:
    case_id = AsyncTrial.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None or case_selectors.case_for_user(request_actor(request), case_id) is None:
        raise Http404
    return AsyncTrial.objects.select_related("case", "judge").get(pk=pk)


def _round_or_404(request: HttpRequest, round_pk: int) -> AsyncRound:
    round_ = AsyncRound.objects.filter(pk=round_pk).select_related("trial").first()
    if round_ is None:
        raise Http404
    _trial_or_404(request, round_.trial_id)
    return round_


def _answer_form(round_pk: int, party_pk: int, data: Any = None) -> AnswerForm:
    return AnswerForm(data, auto_id=f"id_answer_{round_pk}_{party_pk}_%s")


# --- The case's page ----------------------------------------------------------------------------


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    consent_form: ConsentForm | None = None,
    open_form: QuestionsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_actor(request)
    own = parties_for(user, case)
    consents = service.consents_of(case)
    current = service.open_trial_of(case)
    if consent_form is None and own and current is None:
        consent_form = ConsentForm(parties=own)
    judge = is_case_judge(user, case)
    may_open = service.may_open(user, case)
    if open_form is None and may_open:
        open_form = QuestionsForm()
    return render(
        request,
        "hearings/async_case.html",
        {
            "case": case,
            "consents": consents,
            "own_ids": {p.pk for p in own},
            "consent_form": consent_form if own and current is None else None,
            "open_form": open_form if judge else None,
            "may_open": may_open,
            "is_judge": judge,
            "current": current,
            "trials": list(case.async_trials.order_by("-opened_at")),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_async(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Each party's consent to asynchronous trial, the consent form for the parties the person
    acts for, the judge's form to open a trial once all consented, and the trials."""
    case = _case_or_404(request, case_pk)
    if request.method != "POST":
        return _case_page(request, case)
    user = request_actor(request)
    own = parties_for(user, case)
    if not own:
        raise Http404
    form = ConsentForm(request.POST, parties=own)
    if form.is_valid():
        try:
            service.async_consent_record(
                actor=user,
                case_id=case.pk,
                party_id=form.cleaned_data["party"],
                consent=form.cleaned_data["consent"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your answer on asynchronous trial is recorded."))
            return redirect("hearings:async_case", case_pk=case.pk)
    return _case_page(request, case, consent_form=form, status=400)


@login_required
@require_POST
def trial_open(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The judge opens the trial with its first round of questions."""
    case = _case_or_404(request, case_pk)
    form = QuestionsForm(request.POST)
    if form.is_valid():
        try:
            trial = service.async_trial_open(
                actor=request_actor(request),
                case_id=case.pk,
                questions=form.cleaned_data["questions"],
                window_hours=form.cleaned_data["window_hours"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The asynchronous trial is open; the parties are told."))
            return redirect("hearings:async_trial", pk=trial.pk)
    return _case_page(request, case, open_form=form, status=400)


# --- The trial page -----------------------------------------------------------------------------


def _trial_page(
    request: HttpRequest,
    trial: AsyncTrial,
    *,
    answer_errors: tuple[int, int, AnswerForm] | None = None,
    round_form: QuestionsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_actor(request)
    judge = is_case_judge(user, trial.case)
    rounds = service.rounds_for_viewer(user, trial)
    rows = []
    for view in rounds:
        answer_forms = []
        for party in view.answerable:
            if answer_errors is not None and answer_errors[:2] == (view.round.pk, party.pk):
                form = answer_errors[2]
            else:
                form = _answer_form(view.round.pk, party.pk)
            answer_forms.append((party, form))
        rows.append({"view": view, "answer_forms": answer_forms})
    is_open = trial.status == AsyncTrialStatus.OPEN
    if judge and is_open and round_form is None:
        round_form = QuestionsForm()
    record = getattr(trial, "record", None) if not is_open else None
    return render(
        request,
        "hearings/async_trial.html",
        {
            "case": trial.case,
            "trial": trial,
            "rows": rows,
            "is_judge": judge,
            "is_open": is_open,
            "round_form": round_form if judge and is_open else None,
            "record": record,
            "is_party": bool(parties_for(user, trial.case)),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def trial_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The trial's rounds with their questions and the answers the person may read."""
    return _trial_page(request, _trial_or_404(request, pk))


@login_required
@require_POST
def answer_submit(request: HttpRequest, round_pk: int, party_pk: int) -> HttpResponse:
    """A party (or its agent) answers a round, once."""
    round_ = _round_or_404(request, round_pk)
    trial = _trial_or_404(request, round_.trial_id)
    form = _answer_form(round_pk, party_pk, request.POST)
    if form.is_valid():
        try:
            answer = service.async_answer_submit(
                actor=request_actor(request),
                round_id=round_.pk,
                party_id=party_pk,
                text=form.cleaned_data["text"],
            )
        except DomainError as exc:
            if exc.code == "not_your_party":
                raise Http404 from None
            if exc.field != "text":
                # Already answered, round or trial closed: the form is gone from the page.
                messages.error(request, str(exc.message))
                return redirect("hearings:async_trial", pk=trial.pk)
            add_domain_error(form, exc)
        else:
            if answer.late:
                messages.warning(
                    request,
                    _("Your answer is recorded, marked late: the answer window ended at %(due)s.")
                    % {"due": service.court_time(round_.due_at)},
                )
            else:
                messages.success(request, _("Your answer is recorded."))
            return redirect("hearings:async_trial", pk=trial.pk)
    if not any(p.pk == party_pk for p in parties_for(request_actor(request), trial.case)):
        raise Http404
    return _trial_page(request, trial, answer_errors=(round_pk, party_pk, form), status=400)


@login_required
@require_POST
def round_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The judge posts the next round (the current one closes)."""
    trial = _trial_or_404(request, pk)
    form = QuestionsForm(request.POST)
    if form.is_valid():
        try:
            round_ = service.async_round_add(
                actor=request_actor(request),
                trial_id=trial.pk,
                questions=form.cleaned_data["questions"],
                window_hours=form.cleaned_data["window_hours"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Round %(round)s is open; the parties are told.") % {"round": round_.number},
            )
            return redirect("hearings:async_trial", pk=trial.pk)
    return _trial_page(request, trial, round_form=form, status=400)


@login_required
@require_POST
def round_close(request: HttpRequest, round_pk: int) -> HttpResponse:
    """The judge closes a round."""
    round_ = _round_or_404(request, round_pk)
    try:
        service.async_round_close(actor=request_actor(request), round_id=round_.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Round %(round)s is closed.") % {"round": round_.number})
    return redirect("hearings:async_trial", pk=round_.trial_id)


@login_required
@require_POST
def trial_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The judge closes the trial; the exchange becomes the frozen court record."""
    trial = _trial_or_404(request, pk)
    try:
        service.async_trial_close(actor=request_actor(request), trial_id=trial.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("The asynchronous trial is closed; its record is frozen and on the docket.")
        )
    return redirect("hearings:async_trial", pk=trial.pk)
