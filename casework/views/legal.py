"""Legal matters of a case: opening one, its page, its details and its steps. The kinds'
transitions have their own page (``casework.views.legal_transitions``)."""

from collections.abc import Callable
from contextlib import suppress

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import history
from carepath.clocks.selectors import NoPeriodRule, all_period_rules
from carepath.decorators import role_required
from carepath.pathway import PathwayError, available_transitions
from casework import legal_forms as forms
from casework.models import Case, LegalMatter, MatterKind
from casework.selectors import cases as selectors
from casework.selectors.deadlines import matter_deadline_rows
from casework.selectors.legal import cica_application_deadline, matters_of
from casework.services import legal as services
from casework.views.actions import editable_case, refuse
from casework.views.cases import CASE_READ_ROLES, CASE_ROLES


def _matter(case: Case, matter_pk: int) -> LegalMatter:
    """A matter of this case only: another case's matter in the address is a 404."""
    return get_object_or_404(matters_of(case), pk=matter_pk)


def _matter_url(matter: LegalMatter) -> str:
    return reverse("casework:legal_matter", args=[matter.case_id, matter.pk])


def _form_page(
    request,
    *,
    case: Case,
    form,
    title: str,
    save: Callable[[dict], object],
    done: str,
    to: Callable[[object], str],
    back: str,
    matter: LegalMatter | None = None,
):
    """``action_page`` with a way back to the matter rather than the case."""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.success(request, done)
            return redirect(to(result))
    return render(
        request,
        "casework/legal/form.html",
        {"case": case, "matter": matter, "form": form, "title": title, "back": back},
        status=status,
    )


@role_required(*CASE_ROLES)
def matter_new(request, pk: int, kind: str):
    if kind not in MatterKind.values:
        raise Http404
    case = editable_case(request, pk)
    form_class = forms.matter_open_form(kind)
    form = form_class(request.POST or None, initial=forms.matter_open_initial(kind))
    return _form_page(
        request,
        case=case,
        form=form,
        title=_("Open a legal matter: %(kind)s") % {"kind": MatterKind(kind).label},
        save=lambda _data: services.legal_matter_open(
            by=request.user, case=case, kind=kind, **form.split()
        ),
        done=_("Legal matter opened."),
        to=_matter_url,
        back=reverse("casework:case", args=[case.pk]),
    )


@role_required(*CASE_READ_ROLES)
def matter_detail(request, pk: int, matter_pk: int):
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    matter = _matter(case, matter_pk)
    detail = matter.detail
    today = timezone.localdate()
    rules = all_period_rules()
    application_deadline = None
    if matter.kind == MatterKind.CICA:
        with suppress(NoPeriodRule):
            application_deadline = cica_application_deadline(detail, case, rules=rules)
    can_edit = policy.can(request.user, "legal.edit", matter)
    revisions = sorted(
        [*history.revisions(matter), *history.revisions(detail)],
        key=lambda revision: revision.when,
        reverse=True,
    )
    return render(
        request,
        "casework/legal/matter_detail.html",
        {
            "case": case,
            "matter": matter,
            "detail": detail,
            "today": today,
            "deadlines": matter_deadline_rows(matter, case, today=today, rules=rules),
            "application_deadline": application_deadline,
            "steps": matter.steps.all(),
            "appointments": matter.appointments.all(),
            "transitions": available_transitions(detail, request.user, permission="legal.edit")
            if detail is not None
            else [],
            "can_edit": can_edit,
            "revisions": revisions,
        },
    )


@role_required(*CASE_ROLES)
def matter_edit(request, pk: int, matter_pk: int):
    case = editable_case(request, pk)
    matter = _matter(case, matter_pk)
    form_class = forms.matter_edit_form(matter.kind)
    form = form_class(request.POST or None, initial=forms.matter_edit_initial(matter))
    return _form_page(
        request,
        case=case,
        matter=matter,
        form=form,
        title=_("Change the details of %(title)s") % {"title": matter.title},
        save=lambda _data: services.legal_matter_update(
            by=request.user, matter=matter, **form.split()
        ),
        done=_("Legal matter details saved."),
        to=_matter_url,
        back=_matter_url(matter),
    )


@role_required(*CASE_ROLES)
def step_new(request, pk: int, matter_pk: int):
    case = editable_case(request, pk)
    matter = _matter(case, matter_pk)
    form = forms.StepForm(request.POST or None)
    return _form_page(
        request,
        case=case,
        matter=matter,
        form=form,
        title=_("Add a step to %(title)s") % {"title": matter.title},
        save=lambda data: services.legal_step_add(by=request.user, matter=matter, **data),
        done=_("Step recorded."),
        to=lambda _step: _matter_url(matter),
        back=_matter_url(matter),
    )


@role_required(*CASE_ROLES)
def step_update(request, pk: int, matter_pk: int, step_pk: int):
    case = editable_case(request, pk)
    matter = _matter(case, matter_pk)
    step = get_object_or_404(matter.steps.all(), pk=step_pk)
    form = forms.StepDoneForm(request.POST or None, initial={"done_on": timezone.localdate()})
    return _form_page(
        request,
        case=case,
        matter=matter,
        form=form,
        title=_("Mark done: %(step)s") % {"step": step.description},
        save=lambda data: services.legal_step_done(
            by=request.user, step=step, done_on=data["done_on"]
        ),
        done=_("Step marked done."),
        to=lambda _step: _matter_url(matter),
        back=_matter_url(matter),
    )
