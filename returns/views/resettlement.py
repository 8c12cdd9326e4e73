"""Resettlement in the UK on a case: starting it, its page, and the page behind each step."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import history
from carepath.decorators import role_required
from carepath.pathway import PathwayError, available_transitions, state_label
from casework.models import Case
from casework.selectors import cases as case_selectors
from casework.views.actions import editable_case, refuse
from casework.views.cases import CASE_READ_ROLES, CASE_ROLES
from returns import resettlement_forms as forms
from returns.models import ResettlementPlan
from returns.services.resettlement import (
    resettlement_start,
    resettlement_transition,
    transition_form,
    transition_of,
)


def _plan(case: Case, plan_pk: int) -> ResettlementPlan:
    """A plan of this case only: another case's plan in the address is a 404."""
    plan = get_object_or_404(case.resettlement_plans.all(), pk=plan_pk)
    plan.case = case
    return plan


def _plan_url(plan: ResettlementPlan) -> str:
    return reverse("returns:resettlement", args=[plan.case_id, plan.pk])


@role_required(*CASE_ROLES)
def resettlement_new(request, pk: int):
    case = editable_case(request, pk)
    form = forms.StartForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            plan = resettlement_start(
                by=request.user, case=case, leave_applied_on=form.cleaned_data["leave_applied_on"]
            )
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.success(request, _("Resettlement started: leave applied for."))
            return redirect(_plan_url(plan))
    return render(
        request,
        "returns/resettlement_form.html",
        {"case": case, "form": form, "title": _("Start a resettlement in the UK")},
        status=status,
    )


@role_required(*CASE_READ_ROLES)
def resettlement_detail(request, pk: int, plan_pk: int):
    case = case_selectors.case_for(request.user, pk=pk, path=request.path)
    plan = _plan(case, plan_pk)
    transitions = available_transitions(plan, request.user, permission="returns.edit")
    if not case.is_open:
        # A closed case takes no more steps; a plan left open can still be withdrawn.
        transitions = [t for t in transitions if t["name"] == "withdraw"]
    return render(
        request,
        "returns/resettlement_detail.html",
        {
            "case": case,
            "plan": plan,
            "transitions": transitions,
            "can_edit": policy.can(request.user, "returns.edit", plan),
            "revisions": history.revisions(plan),
        },
    )


def _done(plan: ResettlementPlan, name: str) -> str:
    if name == "settle":
        return _("Settled: case %(ref)s is closed, moved on.") % {"ref": plan.case.reference}
    field = plan._meta.get_field("state")
    return _("Recorded: the resettlement is now “%(state)s”.") % {"state": state_label(plan, field)}


@role_required(*CASE_ROLES)
def resettlement_action(request, pk: int, plan_pk: int, name: str):
    case = editable_case(request, pk)
    plan = _plan(case, plan_pk)
    form_name = transition_form(name)
    if form_name is None:
        raise Http404
    form = forms.transition_form(
        form_name, name=name, data=request.POST or None, initial={"version": plan.version}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        values = {key: value for key, value in form.cleaned_data.items() if key != "version"}
        try:
            resettlement_transition(
                by=request.user,
                plan=plan,
                name=name,
                expected_version=form.cleaned_data["version"],
                values=values,
            )
        except PathwayError as error:
            status = refuse(form, error)
            # What the plan is now, for the page to say (someone else may have moved it).
            plan = _plan(case, plan_pk)
        else:
            messages.success(request, _done(plan, name))
            return redirect(_plan_url(plan))
    step = next(
        (
            t
            for t in available_transitions(plan, request.user, permission="returns.edit")
            if t["name"] == name
        ),
        None,
    )
    field = plan._meta.get_field("state")
    return render(
        request,
        "returns/resettlement_action.html",
        {
            "case": case,
            "plan": plan,
            "state": state_label(plan, field),
            "form": form,
            "title": step["label"] if step else (transition_of(name).custom or {})["label"],
            "not_now": step is None,
            "blocked_by": step["blocked_by"] if step else [],
            "settle": name == "settle",
        },
        status=status,
    )
