"""A voluntary return on a case: starting one, its page, its details, its steps and the
follow-up contacts after arrival. Only people who may change the case reach these pages."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carepath.audit import history
from carepath.decorators import role_required
from carepath.pathway import PathwayError, available_transitions, state_label
from casework.models import Case
from casework.views.actions import editable_case, refuse
from casework.views.cases import CASE_ROLES
from returns import forms
from returns.models import FollowUp, ReturnPlan, ReturnState
from returns.services import returns as services

PERMISSION = "returns.edit"


def _plan(case: Case, plan_pk: int) -> ReturnPlan:
    """A return of this case only: another case's return in the address is a 404."""
    plan = get_object_or_404(ReturnPlan, case=case, pk=plan_pk)
    plan.case = case
    return plan


def _plan_url(plan: ReturnPlan) -> str:
    return reverse("returns:return", args=[plan.case_id, plan.pk])


def _form_page(request, *, case, plan, form, title, save, done, template):
    """Show ``form``; on a valid POST call ``save(cleaned_data)`` and go to the return. A
    refusal is shown on the form; a lost race is a 409."""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.success(request, done)
            return redirect(_plan_url(result if isinstance(result, ReturnPlan) else plan))
    back = _plan_url(plan) if plan else reverse("casework:case", args=[case.pk])
    return render(
        request,
        template,
        {"case": case, "plan": plan, "form": form, "title": title, "back": back},
        status=status,
    )


@role_required(*CASE_ROLES)
def return_new(request, pk: int):
    case = editable_case(request, pk)
    form = forms.ReturnStartForm(request.POST or None)
    return _form_page(
        request,
        case=case,
        plan=None,
        form=form,
        title=_("Explore a voluntary return"),
        save=lambda data: services.return_plan_start(
            by=request.user, case=case, country=data["country"], wishes=data["wishes"]
        ),
        done=_("Return started: record the risk-of-return assessment before applying."),
        template="returns/return_form.html",
    )


def _follow_up_rows(plan: ReturnPlan, today) -> list[dict]:
    rows = []
    for follow_up in plan.follow_ups.all():
        if follow_up.done_on:
            status, tag = _("Done"), "tag--ok"
        elif follow_up.due_on < today:
            status, tag = _("Overdue"), "tag--overdue"
        elif follow_up.due_on == today:
            status, tag = _("Due today"), "tag--due"
        else:
            status, tag = _("Due"), ""
        rows.append({"follow_up": follow_up, "status": status, "tag": tag})
    return rows


@role_required(*CASE_ROLES)
def return_detail(request, pk: int, plan_pk: int):
    case = editable_case(request, pk)
    plan = _plan(case, plan_pk)
    today = timezone.localdate()
    follow_ups = list(plan.follow_ups.all())
    revisions = sorted(
        [*history.revisions(plan), *(r for f in follow_ups for r in history.revisions(f))],
        key=lambda revision: revision.when,
        reverse=True,
    )
    return render(
        request,
        "returns/return_detail.html",
        {
            "case": case,
            "plan": plan,
            "state": state_label(plan, plan._meta.get_field("state")),
            "today": today,
            "transitions": available_transitions(plan, request.user, permission=PERMISSION),
            "follow_ups": _follow_up_rows(plan, today),
            "open_follow_ups": sum(1 for f in follow_ups if f.done_on is None),
            "has_follow_ups": bool(follow_ups),
            "ended": plan.state in services.ENDED,
            "departed": plan.state in services.AFTER_DEPARTURE,
            "completed": plan.state == ReturnState.COMPLETED,
            "revisions": revisions,
        },
    )


def _edit_initial(plan: ReturnPlan) -> dict:
    return {
        "version": plan.version,
        **{name: getattr(plan, name) for name in services.UPDATE_FIELDS},
    }


@role_required(*CASE_ROLES)
def return_edit(request, pk: int, plan_pk: int):
    case = editable_case(request, pk)
    plan = _plan(case, plan_pk)
    form = forms.ReturnPlanForm(request.POST or None, initial=_edit_initial(plan))
    if plan.state in services.AFTER_DEPARTURE:
        consent = form.fields["follow_up_consent"]
        consent.disabled = True
        consent.help_text = _("Settled at departure, when the follow-ups were planned.")
    return _form_page(
        request,
        case=case,
        plan=plan,
        form=form,
        title=_("Change the return's details"),
        save=lambda data: services.return_plan_update(
            by=request.user,
            plan=plan,
            expected_version=data["version"],
            values={k: v for k, v in data.items() if k != "version"},
        ),
        done=_("Return details saved."),
        template="returns/return_form.html",
    )


def _label(name: str) -> str:
    found = services.transition_of(name)
    return str((found.custom or {}).get("label", name.replace("_", " ")))


def _done(plan: ReturnPlan, name: str) -> str:
    message = _("Recorded: the return is now “%(state)s”.") % {
        "state": state_label(plan, plan._meta.get_field("state"))
    }
    if name == "depart":
        if plan.follow_up_consent:
            message += " " + _(
                "Follow-up contacts are planned: the case closes when the last one is recorded."
            )
        else:
            message += " " + _(
                "No follow-up contact was agreed: close the case from the case page when "
                "support ends."
            )
    return message


@role_required(*CASE_ROLES)
def return_action(request, pk: int, plan_pk: int, name: str):
    case = editable_case(request, pk)
    plan = _plan(case, plan_pk)
    form_name = services.transition_form(name)
    if form_name is None:
        raise Http404
    form = forms.transition_form(
        form_name, name=name, data=request.POST or None, initial={"version": plan.version}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        values = {key: value for key, value in form.cleaned_data.items() if key != "version"}
        try:
            services.return_transition(
                by=request.user,
                plan=plan,
                name=name,
                expected_version=form.cleaned_data["version"],
                values=values,
            )
        except PathwayError as error:
            status = refuse(form, error)
            # What the record is now, for the page to say (someone else may have moved it).
            plan = _plan(case, plan_pk)
        else:
            messages.success(request, _done(plan, name))
            return redirect(_plan_url(plan))
    step = next(
        (
            t
            for t in available_transitions(plan, request.user, permission=PERMISSION)
            if t["name"] == name
        ),
        None,
    )
    return render(
        request,
        "returns/return_action.html",
        {
            "case": case,
            "plan": plan,
            "state": state_label(plan, plan._meta.get_field("state")),
            "form": form,
            "title": step["label"] if step else _label(name),
            "not_now": step is None,
            "blocked_by": step["blocked_by"] if step else [],
        },
        status=status,
    )


@role_required(*CASE_ROLES)
def follow_up(request, pk: int, plan_pk: int, follow_up_pk: int):
    case = editable_case(request, pk)
    plan = _plan(case, plan_pk)
    record = get_object_or_404(FollowUp, plan=plan, pk=follow_up_pk)
    record.plan = plan
    form = forms.FollowUpForm(
        request.POST or None,
        initial={
            "done_on": record.done_on,
            "contact_made": record.contact_made,
            "outcome": record.outcome,
        },
    )
    title = ngettext(
        "Follow-up %(months)s month after departure",
        "Follow-up %(months)s months after departure",
        record.months_after,
    ) % {"months": record.months_after}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_record(by=request.user, follow_up=record, **form.cleaned_data)
        except PathwayError as error:
            status = refuse(form, error)
        else:
            plan.refresh_from_db()
            if plan.state == ReturnState.COMPLETED:
                case.refresh_from_db()
                if case.closure_reason == "returned_home":
                    message = _(
                        "Follow-up recorded. Every follow-up is done: the return is complete "
                        "and the case is closed (returned home)."
                    )
                else:
                    message = _(
                        "Follow-up recorded. Every follow-up is done: the return is complete."
                    )
            else:
                message = _("Follow-up recorded.")
            messages.success(request, message)
            return redirect(_plan_url(plan))
    return render(
        request,
        "returns/follow_up.html",
        {
            "case": case,
            "plan": plan,
            "follow_up": record,
            "form": form,
            "title": title,
            "completed": plan.state == ReturnState.COMPLETED,
            "back": _plan_url(plan),
        },
        status=status,
    )
