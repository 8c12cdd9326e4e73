from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepath.decorators import role_required
from casework import forms
from casework.services import records as services
from casework.views.actions import action_page, editable_case
from casework.views.cases import CASE_ROLES

TITLES = {
    "consent": gettext_lazy("Record consent"),
    "disclosure": gettext_lazy("Record information shared with another agency"),
    "charge": gettext_lazy("Record a charge the person faces"),
    "dependant": gettext_lazy("Add a dependant"),
    "goal": gettext_lazy("Add a support plan goal"),
    "note": gettext_lazy("Add a case note"),
}


@role_required(*CASE_ROLES)
def record_add(request, pk: int, kind: str):
    if kind not in forms.RECORD_FORMS:
        raise Http404
    case = editable_case(request, pk)
    today = timezone.localdate()
    form = forms.RECORD_FORMS[kind](
        request.POST or None,
        initial={"given_on": today, "disclosed_on": today, "status_date": today},
    )
    return action_page(
        request,
        case=case,
        form=form,
        title=TITLES[kind],
        done=_("Saved."),
        save=lambda data: services.case_record_add(
            by=request.user, case=case, kind=kind, values=data
        ),
    )


@role_required(*CASE_ROLES)
def consent_withdraw(request, pk: int, consent_pk: int):
    case = editable_case(request, pk)
    consent = get_object_or_404(case.consents, pk=consent_pk)
    form = forms.ConsentWithdrawForm(
        request.POST or None, initial={"withdrawn_on": timezone.localdate()}
    )
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Withdraw consent: %(scope)s") % {"scope": consent.get_scope_display()},
        done=_("Consent withdrawal recorded."),
        save=lambda data: services.consent_withdraw(by=request.user, consent=consent, **data),
    )


@role_required(*CASE_ROLES)
def goal_update(request, pk: int, goal_pk: int):
    case = editable_case(request, pk)
    goal = get_object_or_404(case.support_goals, pk=goal_pk)
    form = forms.GoalStatusForm(
        request.POST or None, initial={"status": goal.status, "review_date": goal.review_date}
    )
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Update goal"),
        done=_("Goal updated."),
        save=lambda data: services.goal_set_status(by=request.user, goal=goal, **data),
    )


@role_required(*CASE_ROLES)
def immediate_needs(request, pk: int):
    case = editable_case(request, pk)
    current = {n.need: n.status for n in case.immediate_needs.all()}
    form = forms.ImmediateNeedsForm(request.POST or None, current=current)
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Immediate needs"),
        done=_("Immediate needs updated."),
        save=lambda data: services.immediate_needs_update(
            by=request.user, case=case, statuses=data
        ),
    )
