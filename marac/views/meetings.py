"""Running a MARAC meeting in the browser: the chair builds the agenda, publishes it, records who
came, summarises each case, sets actions and approves the minutes; an invited partner reads the
agenda and the minutes as their agency may see them. A referral's own page sits here too."""

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepath import policy
from carepath.audit import access_log
from carepath.audit.models import AccessLogEntry
from carepath.decorators import role_required
from carepath.forms import Form
from carepath.pathway import PathwayError, available_transitions
from carepath.people.models import Role
from casework.views.actions import refuse
from marac.forms import meetings as forms
from marac.models import (
    AWAITING_HEARING,
    CaseOutcome,
    MaracArea,
    MaracReferral,
    MeetingState,
    ReferralState,
)
from marac.selectors import meetings as selectors
from marac.services import meetings as services

CHAIR = Role.MARAC_CHAIR
MEETING_ROLES = (Role.MARAC_CHAIR, Role.MARAC_PARTNER)
# The chair, and the case's own caseworker or service manager (read only).
REFERRAL_ROLES = (Role.MARAC_CHAIR, Role.CASEWORKER, Role.SERVICE_MANAGER)
PAST_PER_PAGE = 20
BEFORE_MEETING = (MeetingState.SCHEDULED, MeetingState.AGENDA_PUBLISHED)
AT_MEETING = (MeetingState.AGENDA_PUBLISHED, MeetingState.HELD)


# --- Shared helpers -----------------------------------------------------------------------------


def _is_chair(user, meeting) -> bool:
    return policy.can(user, "marac.meeting.manage", meeting)


def _managed_meeting(request, pk: int):
    """A meeting this person runs; anyone else, a partner included, is told it does not exist."""
    meeting, basis = selectors.meeting_for(request.user, pk=pk)
    if not _is_chair(request.user, meeting):
        raise Http404
    return meeting, basis


def _managed_item(request, pk: int):
    item, basis = selectors.item_for(request.user, pk=pk)
    if not _is_chair(request.user, item.meeting):
        raise Http404
    return item, basis


def _log_cases(request, cases, basis: str) -> None:
    """A page that shows survivors' details is a read of each of their cases."""
    access_log.record_many(
        {case.pk: case for case in cases}.values(),
        by=request.user,
        basis=basis,
        action=AccessLogEntry.Action.VIEW,
        path=request.path,
    )


def _attempt(form, save: Callable[[], object]) -> tuple[object, int]:
    """Call a service; a refusal goes on the form (a lost race is a 409), and an action the
    person may not take is a 404. Returns (result or None, status)."""
    try:
        return save(), 200
    except policy.PolicyDenied:
        raise Http404 from None
    except PathwayError as error:
        return None, refuse(form, error)


def _posted(request):
    """The posted data, even when empty, so that an empty post is shown its errors."""
    return request.POST if request.method == "POST" else None


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _next_or(request, default: str) -> str:
    """Back to the page the form was posted from (the area page lists cases too), if it is ours."""
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


def _meeting_url(meeting, anchor: str = "") -> str:
    return reverse("marac:meeting", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")


def _form_page(request, *, form, title: str, back: str, context: dict | None = None, status=200):
    return render(
        request,
        "marac/meetings/form_page.html",
        {"form": form, "title": title, "back": back, **(context or {})},
        status=status,
    )


# --- The list of meetings ------------------------------------------------------------------------


@role_required(*MEETING_ROLES)
def meeting_list(request):
    user = request.user
    current, past = selectors.meetings_by_stage(user)
    current = list(current)
    past = Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page"))
    counts = selectors.item_counts(user, current + list(past.object_list))
    today = timezone.localdate()
    for meeting in [*current, *past.object_list]:
        meeting.case_count = counts.get(meeting.pk, 0)
        waiting_to_publish = meeting.state == MeetingState.SCHEDULED
        meeting.agenda_overdue = waiting_to_publish and meeting.agenda_due_on < today
        meeting.agenda_due_today = waiting_to_publish and meeting.agenda_due_on == today
    return render(
        request,
        "marac/meetings/meeting_list.html",
        {
            "current": current,
            "past": past,
            "page": past,
            "is_chair": user.has_role(CHAIR),
            "today": today,
        },
    )


# --- One meeting ---------------------------------------------------------------------------------


def _list_form(request, meeting, data=None):
    waiting = list(selectors.waiting_referrals(request.user, meeting.area))
    referrals = policy.visible(request.user, "marac.referral.view", MaracReferral.objects.all())
    return forms.ListCaseForm(data, referrals=referrals, waiting=waiting), waiting


def _meeting_context(
    request, meeting, basis: str, bound: dict | None = None, *, printing: bool = False
) -> dict:
    """Everything the meeting page shows at its current stage, for this person. A printout
    leaves off the forms and the waiting list."""
    user = request.user
    bound = bound or {}
    chair = _is_chair(user, meeting)
    minutes = meeting.state == MeetingState.MINUTES_APPROVED
    # Only the chair sees the invitations and the research of every agency, and not in the
    # approved minutes (which show no research).
    invited = list(meeting.invited.order_by("name")) if chair and not minutes else []
    rows = selectors.agenda_rows(user, meeting, chair=chair, invited=invited, minutes=minutes)
    reviewed = selectors.reviewed_actions_for(user, meeting, chair=chair)
    shown = [row.case for row in rows]
    context = {
        "meeting": meeting,
        "rows": rows,
        "chair": chair,
        "invited": invited,
        "reviewed": reviewed,
        "state": meeting.state,
        "states": MeetingState,
        "minutes": minutes,
        "today": timezone.localdate(),
    }
    if chair and printing:
        context["attendance"] = list(meeting.attendance.select_related("agency"))
        if meeting.state == MeetingState.SCHEDULED:
            # A draft agenda lists what will come back for review when it is published.
            context["reviewed"] = reviewed = selectors.actions_to_review_listed(meeting)
        shown += [action.meeting_case.referral.case for action in reviewed]
    elif chair:
        shown += [action.meeting_case.referral.case for action in reviewed]
        context["attendance"] = list(meeting.attendance.select_related("agency"))
        # The step forward first; cancelling, which asks for a reason, last.
        context["transitions"] = sorted(
            available_transitions(meeting, user, permission="marac.meeting.manage"),
            key=lambda step: bool(step["form"]),
        )
        if meeting.state == MeetingState.SCHEDULED:
            # What will come back for review when the agenda goes out.
            context["to_review"] = selectors.actions_to_review_listed(meeting)
            shown += [action.meeting_case.referral.case for action in context["to_review"]]
        if meeting.state in BEFORE_MEETING:
            list_form, waiting = _list_form(request, meeting)
            context["list_form"] = bound.get("list_form", list_form)
            context["waiting"] = waiting
            shown += [referral.case for referral in waiting]
        if meeting.state in AT_MEETING:
            context["attendance_form"] = bound.get(
                "attendance_form", forms.AttendanceForm(area=meeting.area)
            )
        if meeting.state == MeetingState.HELD:
            context["notes_form"] = bound.get(
                "notes_form",
                forms.NotesForm(initial={"version": meeting.version, "notes": meeting.notes}),
            )
        context["undecided"] = sum(1 for row in rows if not row.item.outcome)
    elif meeting.state == MeetingState.MINUTES_APPROVED:
        context["attendance"] = list(meeting.attendance.select_related("agency"))
    _log_cases(request, shown, basis)
    return context


def _meeting_page(request, meeting, basis: str, *, bound: dict | None = None, status: int = 200):
    context = _meeting_context(request, meeting, basis, bound)
    return render(request, "marac/meetings/meeting_detail.html", context, status=status)


@role_required(*MEETING_ROLES)
def meeting_detail(request, pk: int):
    meeting, basis = selectors.meeting_for(request.user, pk=pk)
    return _meeting_page(request, meeting, basis)


@role_required(*MEETING_ROLES)
def meeting_print(request, pk: int):
    meeting, basis = selectors.meeting_for(request.user, pk=pk)
    chair = _is_chair(request.user, meeting)
    context = _meeting_context(request, meeting, basis, printing=True)
    # Partners see the minutes once approved; the chair also prints a draft once it is held.
    if meeting.state == MeetingState.MINUTES_APPROVED:
        context["document"] = "minutes"
    elif chair and meeting.state == MeetingState.HELD:
        context["document"] = "draft_minutes"
    else:
        context["document"] = "agenda"
    context["printed_at"] = timezone.now()
    return render(request, "marac/meetings/print.html", context)


@role_required(CHAIR)
def meeting_edit(request, pk: int):
    meeting, _basis = _managed_meeting(request, pk)
    form = forms.MeetingEditForm(_posted(request), meeting=meeting)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def save():
            with transaction.atomic():
                version = data["version"]
                starts_at = form.starts_at()
                changed = False
                if starts_at != meeting.starts_at or data["location"].strip() != meeting.location:
                    services.marac_meeting_update(
                        by=request.user,
                        meeting=meeting,
                        expected_version=version,
                        starts_at=starts_at,
                        location=data["location"],
                    )
                    version, changed = meeting.version, True
                if {a.pk for a in data["invited"]} != set(
                    meeting.invited.values_list("pk", flat=True)
                ):
                    services.marac_meeting_invite(
                        by=request.user,
                        meeting=meeting,
                        agencies=data["invited"],
                        expected_version=version,
                    )
                    changed = True
                return changed

        changed, status = _attempt(form, save)
        if status == 200 and changed is not None:
            messages.success(
                request, _("Meeting details saved.") if changed else _("Nothing was changed.")
            )
            return redirect(_meeting_url(meeting))
        meeting.refresh_from_db()
    return _form_page(
        request,
        form=form,
        title=_("Change the meeting"),
        back=_meeting_url(meeting),
        context={"meeting": meeting, "submit": _("Save")},
        status=status,
    )


@role_required(CHAIR)
def meeting_list_case(request, pk: int):
    meeting, basis = _managed_meeting(request, pk)
    if request.method != "POST":
        return redirect(_meeting_url(meeting, "list-case"))
    form, _waiting = _list_form(request, meeting, request.POST)
    status = 200
    if form.is_valid():
        referral = form.cleaned_data["referral"]
        item, status = _attempt(
            form,
            lambda: services.marac_meeting_list_case(
                by=request.user, meeting=meeting, referral=referral
            ),
        )
        if item is not None:
            messages.success(
                request,
                _("%(name)s is listed on the agenda.")
                % {"name": referral.case.display_name or referral.case.reference},
            )
            return redirect(_next_or(request, _meeting_url(meeting, "agenda")))
    return _meeting_page(request, meeting, basis, bound={"list_form": form}, status=status)


def _meeting_step(service, **extra):
    def run(by, meeting, data):
        values = {key: data[key] for key in extra}
        return service(by=by, meeting=meeting, expected_version=data["version"], **values)

    return run


MEETING_STEPS = {
    "publish_agenda": (
        forms.VersionForm,
        _meeting_step(services.marac_meeting_publish_agenda),
        gettext_lazy(
            "The agenda is published: the invited agencies can now see it and record research."
        ),
    ),
    "hold": (
        forms.VersionForm,
        _meeting_step(services.marac_meeting_hold),
        gettext_lazy(
            "The meeting has started. Record who attended and the discussion of each case."
        ),
    ),
    "approve_minutes": (
        forms.VersionForm,
        _meeting_step(services.marac_meeting_approve_minutes),
        gettext_lazy("The minutes are approved and locked."),
    ),
    "cancel": (
        forms.CancelForm,
        _meeting_step(services.marac_meeting_cancel, reason=True),
        gettext_lazy("The meeting is cancelled. Its cases are back on the waiting list."),
    ),
}


@role_required(CHAIR)
def meeting_transition(request, pk: int, name: str):
    meeting, _basis = _managed_meeting(request, pk)
    if name not in MEETING_STEPS:
        raise Http404
    make_form, run, done = MEETING_STEPS[name]
    form = make_form(_posted(request), initial={"version": meeting.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        result, status = _attempt(form, lambda: run(request.user, meeting, form.cleaned_data))
        if result is not None:
            messages.success(request, str(done))
            return redirect(_meeting_url(meeting))
        meeting.refresh_from_db()
    step = next(
        (
            t
            for t in available_transitions(meeting, request.user, permission="marac.meeting.manage")
            if t["name"] == name
        ),
        None,
    )
    title = step["label"] if step else name.replace("_", " ").capitalize()
    return _form_page(
        request,
        form=form,
        title=title,
        back=_meeting_url(meeting),
        context={
            "meeting": meeting,
            "blocked_by": step["blocked_by"] if step else [],
            "not_now": step is None,
            "submit": title,
            "warning": name == "cancel",
        },
        status=status,
    )


@role_required(CHAIR)
def attendance(request, pk: int):
    meeting, basis = _managed_meeting(request, pk)
    if request.method != "POST":
        return redirect(_meeting_url(meeting, "attendance"))
    if "remove" in request.POST:
        found = meeting.attendance.filter(pk=_int_or_none(request.POST["remove"])).first()
        if found is None:
            messages.error(request, _("That attendance record was not found: nothing changed."))
            return redirect(_meeting_url(meeting, "attendance"))
        form = Form(request.POST)
        done, status = _attempt(
            form, lambda: services.attendance_remove(by=request.user, attendance=found) or True
        )
        if done:
            messages.success(
                request, _("%(person)s removed from the attendance.") % {"person": found}
            )
        else:
            messages.error(request, " ".join(form.non_field_errors()))
        return redirect(_meeting_url(meeting, "attendance"))
    form = forms.AttendanceForm(request.POST, area=meeting.area)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        recorded, status = _attempt(
            form,
            lambda: services.attendance_record(
                by=request.user,
                meeting=meeting,
                agency=data["agency"],
                person=data["person"],
                status=data["status"],
                deputy_for=data["deputy_for"],
            ),
        )
        if recorded is not None:
            messages.success(
                request,
                _("Attendance recorded: %(person)s, %(status)s.")
                % {"person": recorded, "status": recorded.get_status_display()},
            )
            return redirect(_meeting_url(meeting, "attendance"))
    return _meeting_page(request, meeting, basis, bound={"attendance_form": form}, status=status)


@role_required(CHAIR)
def meeting_notes(request, pk: int):
    meeting, basis = _managed_meeting(request, pk)
    if request.method != "POST":
        return redirect(_meeting_url(meeting, "notes"))
    form = forms.NotesForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        saved, status = _attempt(
            form,
            lambda: services.marac_meeting_notes_update(
                by=request.user,
                meeting=meeting,
                notes=data["notes"],
                expected_version=data["version"],
            ),
        )
        if saved is not None:
            messages.success(request, _("General minutes saved."))
            return redirect(_meeting_url(meeting, "notes"))
        meeting.refresh_from_db()
    return _meeting_page(request, meeting, basis, bound={"notes_form": form}, status=status)


# --- One agenda item -----------------------------------------------------------------------------


def _item_page(request, item, basis: str, *, bound: dict | None = None, status: int = 200):
    user = request.user
    bound = bound or {}
    meeting = item.meeting
    referral = item.referral
    chair = _is_chair(user, meeting)
    row = selectors.item_row(user, item, chair=chair)
    access_log.record(referral.case, by=user, basis=basis, path=request.path)
    context = {
        "item": item,
        "meeting": meeting,
        "referral": referral,
        "case": referral.case,
        "row": row,
        "chair": chair,
        "minutes": meeting.state == MeetingState.MINUTES_APPROVED,
        "research_open": meeting.state == MeetingState.AGENDA_PUBLISHED,
        "today": timezone.localdate(),
    }
    if chair:
        lineage = selectors.referral_lineage(referral)
        context.update(
            lineage=lineage,
            history=selectors.listings_of(lineage, exclude=item),
            criteria=referral.criteria_labels,
            assessment=referral.assessment,
            assessment_level=selectors.risk_level_label(referral.assessment),
            withheld=list(referral.withheld_from.order_by("name")),
            can_withhold=referral.state in AWAITING_HEARING + (ReferralState.HEARD,),
            can_unlist=meeting.state in BEFORE_MEETING,
        )
        if meeting.state == MeetingState.HELD:
            context["discussion_form"] = bound.get(
                "discussion_form", forms.DiscussionForm(initial={"summary": item.summary})
            )
            if item.outcome != CaseOutcome.HEARD:
                context["defer_form"] = bound.get(
                    "defer_form", forms.DeferForm(initial={"reason": item.deferred_reason})
                )
            if item.outcome == CaseOutcome.HEARD:
                context["action_form"] = forms.ActionForm(
                    agencies=selectors.action_agencies_for(item)
                )
        else:
            # A change refused because the minutes were locked meanwhile is still explained.
            context["refused"] = next(iter(bound.values()), None)
    return render(request, "marac/meetings/item_detail.html", context, status=status)


@role_required(*MEETING_ROLES)
def item_detail(request, pk: int):
    item, basis = selectors.item_for(request.user, pk=pk)
    return _item_page(request, item, basis)


@role_required(CHAIR)
def item_discussion(request, pk: int):
    item, basis = _managed_item(request, pk)
    if request.method != "POST":
        return redirect("marac:item", pk=item.pk)
    if request.POST.get("decision") == "defer":
        form, key = forms.DeferForm(request.POST), "defer_form"
        save = lambda data: services.meeting_case_defer(  # noqa: E731
            by=request.user, item=item, reason=data["reason"]
        )
        done = _("The case is deferred.")
    else:
        form, key = forms.DiscussionForm(request.POST), "discussion_form"
        save = lambda data: services.meeting_case_hear(  # noqa: E731
            by=request.user, item=item, summary=data["summary"]
        )
        done = _("Discussion summary saved. The case is heard: now set its actions.")
    status = 200
    if form.is_valid():
        saved, status = _attempt(form, lambda: save(form.cleaned_data))
        if saved is not None:
            messages.success(request, done)
            return redirect("marac:item", pk=item.pk)
        item.refresh_from_db()
    return _item_page(request, item, basis, bound={key: form}, status=status)


@role_required(CHAIR)
def item_unlist(request, pk: int):
    item, _basis = _managed_item(request, pk)
    meeting = item.meeting
    form = Form(_posted(request))
    status = 200
    if request.method == "POST":
        name = item.referral.case.display_name or item.referral.case.reference
        done, status = _attempt(
            form, lambda: services.marac_meeting_unlist_case(by=request.user, item=item) or True
        )
        if done:
            messages.success(
                request,
                _("%(name)s is taken off the agenda and waits for a meeting.") % {"name": name},
            )
            return redirect(_meeting_url(meeting, "agenda"))
    return _form_page(
        request,
        form=form,
        title=_("Take this case off the agenda"),
        back=reverse("marac:item", args=[item.pk]),
        context={
            "meeting": meeting,
            "lead": _(
                "The referral goes back to the waiting list and can be listed on another meeting."
            ),
            "submit": _("Take off the agenda"),
            "warning": True,
        },
        status=status,
    )


@role_required(CHAIR)
def action_new(request, pk: int):
    item, basis = _managed_item(request, pk)
    meeting = item.meeting
    item_url = reverse("marac:item", args=[item.pk])
    if request.method == "POST" and "remove" in request.POST:
        action = item.actions.filter(pk=_int_or_none(request.POST["remove"])).first()
        if action is None:
            messages.error(request, _("That action was not found: nothing changed."))
            return redirect(item_url + "#actions")
        form = Form(request.POST)
        done, _status = _attempt(
            form, lambda: services.marac_action_remove(by=request.user, action=action) or True
        )
        if done:
            messages.success(request, _("The action is removed."))
        else:
            messages.error(request, " ".join(form.non_field_errors()))
        return redirect(item_url + "#actions")
    form = forms.ActionForm(_posted(request), agencies=selectors.action_agencies_for(item))
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action, status = _attempt(
            form,
            lambda: services.marac_action_create(
                by=request.user,
                item=item,
                description=data["description"],
                owner_agency=data["owner_agency"],
                owner_person=data["owner_person"],
                due_on=data["due_on"],
            ),
        )
        if action is not None:
            messages.success(
                request,
                _("Action set for %(agency)s.") % {"agency": action.owner_agency.name},
            )
            return redirect(item_url + "#actions")
    access_log.record(item.referral.case, by=request.user, basis=basis, path=request.path)
    return _form_page(
        request,
        form=form,
        title=_("Set an action"),
        back=item_url,
        context={
            "meeting": meeting,
            "lead": _("For %(name)s, on the agenda of %(date)s.")
            % {
                "name": item.referral.case.display_name or item.referral.case.reference,
                "date": timezone.localtime(meeting.starts_at).strftime("%-d %b %Y"),
            },
            "submit": _("Set the action"),
        },
        status=status,
    )


# --- A referral ----------------------------------------------------------------------------------


def _other_areas(referral):
    return MaracArea.objects.filter(organisation_id=referral.area.organisation_id).exclude(
        pk=referral.area_id
    )


def _referral_steps(request, referral) -> list[dict]:
    """The chair's steps on a referral now. A listed case is deferred at the meeting instead."""
    steps = available_transitions(referral, request.user, permission="marac.referral.manage")
    return [
        step
        for step in steps
        if not (step["name"] == "defer" and referral.state == ReferralState.LISTED)
    ]


@role_required(*REFERRAL_ROLES)
def referral_detail(request, pk: int):
    user = request.user
    referral, basis = selectors.referral_for(user, pk=pk)
    case = referral.case
    access_log.record(case, by=user, basis=basis, path=request.path)
    chair = policy.can(user, "marac.referral.manage", referral)
    lineage = selectors.referral_lineage(referral)
    context = {
        "referral": referral,
        "case": case,
        "chair": chair,
        "lineage": lineage,
        "listings": selectors.listings_of(lineage),
        "transfers": list(referral.transfers.select_related("area")),
        "criteria": referral.criteria_labels,
        "assessment": referral.assessment,
        "assessment_level": selectors.risk_level_label(referral.assessment),
        "steps": _referral_steps(request, referral) if chair else [],
        "withheld": list(referral.withheld_from.order_by("name")),
        "can_withhold": chair and referral.state in AWAITING_HEARING + (ReferralState.HEARD,),
        "can_see_case": policy.can(user, "case.view", case),
        "today": timezone.localdate(),
    }
    return render(request, "marac/meetings/referral_detail.html", context)


def _referral_step(service, **extra):
    def run(by, referral, data):
        values = {key: data[key] for key in extra}
        return service(by=by, referral=referral, expected_version=data["version"], **values)

    return run


REFERRAL_STEPS = {
    "defer": (forms.ReasonForm, _referral_step(services.marac_referral_defer, reason=True)),
    "close": (forms.ReasonForm, _referral_step(services.marac_referral_close, reason=True)),
    "transfer": (
        forms.TransferForm,
        _referral_step(services.marac_referral_transfer, reason=True, area=True),
    ),
    "withhold": (
        forms.WithholdForm,
        _referral_step(services.marac_referral_withhold, agencies=True),
    ),
}
REFERRAL_DONE = {
    "defer": gettext_lazy("The referral is deferred."),
    "close": gettext_lazy("The referral is closed."),
    "transfer": gettext_lazy("The case is transferred: this is its referral to the new MARAC."),
    "withhold": gettext_lazy("Saved: the case is not shared with the agencies ticked."),
}


@role_required(CHAIR)
def referral_transition(request, pk: int, name: str):
    referral, basis = selectors.referral_for(request.user, pk=pk)
    if (
        not policy.can(request.user, "marac.referral.manage", referral)
        or name not in REFERRAL_STEPS
    ):
        raise Http404
    make_form, run = REFERRAL_STEPS[name]
    data = _posted(request)
    initial = {"version": referral.version}
    if name == "transfer":
        form = make_form(data, areas=_other_areas(referral), initial=initial)
    elif name == "withhold":
        initial["agencies"] = list(referral.withheld_from.all())
        form = make_form(data, agencies=referral.area.agencies.order_by("name"), initial=initial)
    else:
        form = make_form(data, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        result, status = _attempt(form, lambda: run(request.user, referral, form.cleaned_data))
        if result is not None:
            messages.success(request, str(REFERRAL_DONE[name]))
            return redirect("marac:referral", pk=result.pk)
        referral.refresh_from_db()
    access_log.record(referral.case, by=request.user, basis=basis, path=request.path)
    if name == "withhold":
        step = {"label": _("Choose who the case is not shared with"), "blocked_by": []}
    else:
        step = next((s for s in _referral_steps(request, referral) if s["name"] == name), None)
    title = step["label"] if step else name.capitalize()
    return _form_page(
        request,
        form=form,
        title=title,
        back=reverse("marac:referral", args=[referral.pk]),
        context={
            "lead": _("%(name)s, referred to %(area)s on %(date)s.")
            % {
                "name": referral.case.display_name or referral.case.reference,
                "area": referral.area.name,
                "date": referral.referred_on.strftime("%-d %b %Y"),
            },
            "blocked_by": step["blocked_by"] if step else [],
            "not_now": step is None,
            "submit": title,
        },
        status=status,
    )
