"""Decision pages: the judge's drafts of a case (list, new draft), one draft (edit, preview
with the slot errors, issue), and a party's appeal page (its windows and the appeal form).

Whoever may not see the case gets a 404; parties and other staff get a 404 on drafts too.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from ecourt.cases import selectors as case_selectors
from ecourt.cases.models import Case, CaseStatus
from ecourt.cases.views.display import request_actor
from ecourt.core.errors import DomainError
from ecourt.core.forms import add_domain_error
from ecourt.documents import decisions
from ecourt.documents.appeals import appeal_file, appeal_windows, may_appeal_for
from ecourt.documents.decision_slots import SLOTS
from ecourt.documents.models import CourtDocument, DecisionDraft, DocumentKind, DraftStatus
from ecourt.hearings.services.common import is_case_judge


class DraftCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(DocumentKind.JUDGMENT, _("Judgment")), (DocumentKind.RULING, _("Ruling"))],
    )
    language = forms.ChoiceField(
        label=_("Language of the document"),
        choices=[("zh-hans", _("Chinese")), ("en", _("English"))],
    )
    corrects = forms.TypedChoiceField(
        label=_("Corrects (for a correcting ruling)"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: object, documents: list[CourtDocument], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["corrects"].choices = [("", _("— none: a decision on the merits —"))] + [  # type: ignore[attr-defined]
            (d.pk, f"{d.title} ({d.issued_at:%Y-%m-%d})") for d in documents
        ]


class DraftForm(forms.Form):
    reasoning = forms.CharField(
        label=_("Reasoning (本院认为)"), widget=forms.Textarea(attrs={"rows": 12}), required=False
    )
    decision = forms.CharField(
        label=_("Decision"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    fee_defendants = forms.CharField(
        label=_("Part of the court fee the defendants bear (yuan)"),
        required=False,
        help_text=_("The plaintiffs bear the rest. Leave empty until decided."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AppealForm(forms.Form):
    party = forms.TypedChoiceField(label=_("Appellant"), coerce=int)
    requests = forms.CharField(
        label=_("What you ask the appellate court to do"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reasons = forms.CharField(
        label=_("Facts and reasons of the appeal"), widget=forms.Textarea(attrs={"rows": 10})
    )


def _judge_case_or_404(request: HttpRequest, case_pk: int) -> Case:
    case = case_selectors.case_for_user(request_actor(request), case_pk)
    if case is None or not is_case_judge(request_actor(request), case):
        raise Http404
    return case


def _judge_draft_or_404(request: HttpRequest, pk: int) -> DecisionDraft:
    draft = (
        DecisionDraft.objects.select_related("case", "corrects", "document").filter(pk=pk).first()
    )
    if draft is None:
        raise Http404
    _judge_case_or_404(request, draft.case_id)
    return draft


@login_required
@require_http_methods(["GET", "POST"])
def drafts(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The judge's drafts of the case, and a form to start one."""
    case = _judge_case_or_404(request, case_pk)
    documents = list(
        CourtDocument.objects.filter(case=case, kind__in=decisions.DECISION_KINDS).order_by(
            "issued_at"
        )
    )
    form = DraftCreateForm(request.POST or None, documents=documents)
    if request.method == "POST" and form.is_valid():
        try:
            draft = decisions.decision_draft_create(
                actor=request_actor(request),
                case_id=case.pk,
                kind=form.cleaned_data["kind"],
                language=form.cleaned_data["language"],
                corrects_id=form.cleaned_data["corrects"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("documents:draft", pk=draft.pk)
    return render(
        request,
        "documents/drafts.html",
        {
            "case": case,
            "drafts": DecisionDraft.objects.filter(case=case).select_related("document"),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the reasoning, the decision and the fee allocation; preview; issue."""
    draft = _judge_draft_or_404(request, pk)
    actor = request_actor(request)
    initial = {
        "reasoning": draft.reasoning,
        "decision": draft.decision,
        "fee_defendants": "" if draft.fee_defendants is None else str(draft.fee_defendants),
        "version": draft.version,
    }
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.decision_draft_update(
                actor=actor,
                draft_id=draft.pk,
                reasoning=form.cleaned_data["reasoning"],
                decision=form.cleaned_data["decision"],
                fee_defendants=form.cleaned_data["fee_defendants"],
                version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("documents:draft", pk=draft.pk)
    filled = None
    if draft.status == DraftStatus.DRAFT:
        try:
            filled = decisions.decision_preview_check(actor=actor, draft_id=draft.pk)
        except DomainError as exc:  # a missing template file
            messages.error(request, str(exc.message))
    return render(
        request,
        "documents/draft.html",
        {
            "case": draft.case,
            "draft": draft,
            "form": form,
            "filled": filled,
            "slots": SLOTS.items(),
        },
    )


@login_required
@require_POST
def draft_issue(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _judge_draft_or_404(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        document = decisions.decision_issue(
            actor=request_actor(request), draft_id=draft.pk, version=version
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("documents:draft", pk=draft.pk)
    messages.success(
        request,
        _("%(title)s issued and sent for service to every party.") % {"title": document.title},
    )
    return redirect("documents:draft", pk=draft.pk)


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, case_pk: int) -> HttpResponse:
    """A party's appeal windows (served, due) and the appeal form."""
    user = request_actor(request)
    case = case_selectors.case_for_user(user, case_pk)
    if case is None:
        raise Http404
    parties = sorted(
        case_selectors.parties_acting_for(user, case=case),
        key=lambda p: (p.side, p.position, p.pk),
    )
    if not parties:
        raise Http404
    decided = case.status in (CaseStatus.DECIDED, CaseStatus.APPEALED) and bool(case.decision_kind)
    windows = appeal_windows(case, parties) if decided else []
    can_appeal = [w.party for w in windows if w.is_open and may_appeal_for(user, w.party)]
    form = AppealForm(request.POST or None)
    form.fields["party"].choices = [(p.pk, p.name) for p in can_appeal]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            appeal_file(
                actor=user,
                case_id=case.pk,
                party_id=form.cleaned_data["party"],
                reasons=form.cleaned_data["reasons"],
                requests=form.cleaned_data["requests"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your appeal is filed."))
            return redirect("documents:appeal", case_pk=case.pk)
    return render(
        request,
        "documents/appeal.html",
        {
            "case": case,
            "decided": decided,
            "windows": windows,
            "form": form,
            "can_appeal": can_appeal,
        },
    )
