from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepath import policy
from carepath.decorators import role_required
from carepath.pathway import PathwayError
from casework import forms
from casework.selectors import cases as selectors
from casework.services import records as services
from casework.views.cases import CASE_ROLES, _fail

TITLES = {
    "consent": gettext_lazy("Record consent"),
    "disclosure": gettext_lazy("Record information shared with another agency"),
    "charge": gettext_lazy("Record a charge the person faces"),
    "dependant": gettext_lazy("Add a dependant"),
    "goal": gettext_lazy("Add a support plan goal"),
    "note": gettext_lazy("Add a case note"),
}


def _editable_case(request, pk):
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    if not policy.can(request.user, "case.edit", case):
        raise Http404
    return case


@role_required(*CASE_ROLES)
def record_add(request, pk: int, kind: str):
    if kind not in forms.RECORD_FORMS:
        raise Http404
    case = _editable_case(request, pk)
    today = timezone.localdate()
    form = forms.RECORD_FORMS[kind](
        request.POST or None,
        initial={"given_on": today, "disclosed_on": today, "status_date": today},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.case_record_add(
                by=request.user, case=case, kind=kind, values=form.cleaned_data
            )
        except PathwayError as error:
            status = _fail(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("casework:case", pk=case.pk)
    return render(
        request,
        "casework/action_form.html",
        {"case": case, "form": form, "title": TITLES[kind]},
        status=status,
    )


@role_required(*CASE_ROLES)
def consent_withdraw(request, pk: int, consent_pk: int):
    case = _editable_case(request, pk)
    consent = get_object_or_404(case.consents, pk=consent_pk)
    form = forms.ConsentWithdrawForm(
        request.POST or None, initial={"withdrawn_on": timezone.localdate()}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(by=request.user, consent=consent, **form.cleaned_data)
        except PathwayError as error:
            status = _fail(form, error)
        else:
            messages.success(request, _("Consent withdrawal recorded."))
            return redirect("casework:case", pk=case.pk)
    return render(
        request,
        "casework/action_form.html",
        {
            "case": case,
            "form": form,
            "title": _("Withdraw consent: %(scope)s") % {"scope": consent.get_scope_display()},
        },
        status=status,
    )


@role_required(*CASE_ROLES)
def goal_update(request, pk: int, goal_pk: int):
    case = _editable_case(request, pk)
    goal = get_object_or_404(case.support_goals, pk=goal_pk)
    form = forms.GoalStatusForm(
        request.POST or None, initial={"status": goal.status, "review_date": goal.review_date}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_set_status(by=request.user, goal=goal, **form.cleaned_data)
        except PathwayError as error:
            status = _fail(form, error)
        else:
            messages.success(request, _("Goal updated."))
            return redirect("casework:case", pk=case.pk)
    return render(
        request,
        "casework/action_form.html",
        {"case": case, "form": form, "title": _("Update goal")},
        status=status,
    )


@role_required(*CASE_ROLES)
def immediate_needs(request, pk: int):
    case = _editable_case(request, pk)
    current = {n.need: n.status for n in case.immediate_needs.all()}
    form = forms.ImmediateNeedsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.immediate_needs_update(by=request.user, case=case, statuses=form.cleaned_data)
        messages.success(request, _("Immediate needs updated."))
        return redirect("casework:case", pk=case.pk)
    return render(
        request,
        "casework/action_form.html",
        {"case": case, "form": form, "title": _("Immediate needs")},
    )
