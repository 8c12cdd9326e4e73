"""Partner agencies' research before a meeting, and the actions after it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import access_log, history
from carepath.audit.models import AccessLogEntry
from carepath.decorators import role_required
from carepath.pathway import PathwayError
from carepath.people.models import Role
from casework.views.actions import refuse
from marac.forms.actions import ActionFilterForm, ActionResolveForm, ResearchForm
from marac.models import ActionState, MaracAction, MeetingState
from marac.selectors import actions as selectors
from marac.services.actions import marac_action_resolve
from marac.services.meetings import research_record

PAGE_SIZE = 50
# Anyone the policy may let see an action: the chair, partners, and the case's own team.
ACTION_ROLES = (Role.MARAC_CHAIR, Role.MARAC_PARTNER, Role.CASEWORKER, Role.SERVICE_MANAGER)


# --- Research before the meeting ---------------------------------------------------------------


@role_required(Role.MARAC_PARTNER)
def research_edit(request, pk: int):
    item, why = selectors.agenda_item_for(request.user, pk=pk)
    agencies = selectors.research_agencies_for(request.user, item)
    if not agencies:
        raise Http404
    agency = agencies[0]
    chosen = request.GET.get("agency")
    if chosen:
        agency = next((a for a in agencies if str(a.pk) == chosen), None)
        if agency is None:
            raise Http404
    referral = item.referral
    access_log.record(referral.case, by=request.user, basis=why, path=request.path)
    research = selectors.research_of(item, agency)
    meeting = item.meeting
    is_open = meeting.state == MeetingState.AGENDA_PUBLISHED
    form = None
    status = 200
    if is_open:
        initial = (
            {"nothing_held": research.nothing_held, "findings": research.findings}
            if research
            else {}
        )
        form = ResearchForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                research_record(
                    by=request.user,
                    item=item,
                    agency=agency,
                    nothing_held=form.cleaned_data["nothing_held"],
                    findings=form.cleaned_data["findings"],
                )
            except PathwayError as error:
                status = refuse(form, error)
            else:
                messages.success(
                    request, _("Research saved for %(agency)s.") % {"agency": agency.name}
                )
                return redirect("marac:meeting", pk=meeting.pk)
    elif request.method == "POST":
        messages.error(request, _("The meeting has been held: research can no longer change."))
    return render(
        request,
        "marac/actions/research_form.html",
        {
            "item": item,
            "meeting": meeting,
            "referral": referral,
            "case": referral.case,
            "agency": agency,
            "agencies": agencies,
            "research": research,
            "form": form,
            "is_open": is_open,
        },
        status=status,
    )


# --- Actions -----------------------------------------------------------------------------------


@role_required(Role.MARAC_CHAIR, Role.MARAC_PARTNER)
def action_list(request):
    user = request.user
    is_chair = user.has_role(Role.MARAC_CHAIR)
    agencies, areas = selectors.action_filter_choices(user)
    form = ActionFilterForm(
        request.GET or None, agencies=agencies, areas=areas, show_agency=is_chair
    )
    today = timezone.localdate()
    actions = selectors.actions_for(user, today=today, **form.filters())
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.action_rows(user, page.object_list, today=today)
    shown = {row.case.pk: row.case for row in rows if row.survivor_name is not None}
    access_log.record_many(
        shown.values(),
        by=user,
        basis=selectors.list_basis(user),
        action=AccessLogEntry.Action.VIEW,
        path=request.path,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "marac/actions/action_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "today": today},
    )


def _detail(request, action: MaracAction, *, form=None, status: int = 200):
    user = request.user
    item = action.meeting_case
    meeting = item.meeting
    name_basis = selectors.name_basis(user, item)
    if name_basis:
        access_log.record(item.referral.case, by=user, basis=name_basis, path=request.path)
    can_resolve = action.state == ActionState.OPEN and policy.can(
        user, "marac.action.update", action
    )
    if can_resolve and form is None:
        form = ActionResolveForm(initial={"version": action.version})
    version_label = str(MaracAction._meta.get_field("version").verbose_name)
    revisions = history.revisions(action)
    for revision in revisions:
        revision.changes = [c for c in revision.changes if c.field != version_label]
    return render(
        request,
        "marac/actions/action_detail.html",
        {
            "action": action,
            "item": item,
            "meeting": meeting,
            "survivor_name": item.referral.case.display_name if name_basis else None,
            "can_see_item": bool(policy.can(user, "marac.meeting_case.view", item)),
            "can_see_meeting": policy.can(user, "marac.meeting.view", meeting),
            "overdue": action.is_overdue(),
            "form": form,
            "can_resolve": can_resolve,
            "revisions": revisions,
        },
        status=status,
    )


@role_required(*ACTION_ROLES)
def action_detail(request, pk: int):
    action, _why = selectors.action_for(request.user, pk=pk)
    return _detail(request, action)


@role_required(*ACTION_ROLES)
def action_resolve(request, pk: int):
    action, _why = selectors.action_for(request.user, pk=pk)
    if not policy.can(request.user, "marac.action.update", action):
        raise Http404
    if request.method != "POST":
        return redirect("marac:action", pk=action.pk)
    form = ActionResolveForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            marac_action_resolve(
                by=request.user,
                action=action,
                state=data["state"],
                outcome=data["outcome"],
                expected_version=data["version"],
            )
        except PathwayError as error:
            status = refuse(form, error)
            # Show the action as it now is: someone else may have resolved it meanwhile.
            action, _why = selectors.action_for(request.user, pk=pk)
        else:
            messages.success(
                request,
                _("Action recorded as “%(state)s”.") % {"state": action.get_state_display()},
            )
            return redirect("marac:action", pk=action.pk)
    return _detail(request, action, form=form, status=status)
