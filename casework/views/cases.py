from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import history
from carepath.audit.selectors import timeline_of
from carepath.clocks.selectors import all_period_rules
from carepath.decorators import role_required
from carepath.pathway import PathwayError, available_transitions
from carepath.people.models import Role
from carepath.people.selectors import teams_for_intake
from casework import forms
from casework.models import CaseState, MatterKind
from casework.selectors import cases as selectors
from casework.selectors.contact import contacts_of, latest_texts_of
from casework.selectors.deadlines import (
    case_deadlines,
    matter_deadline_rows,
    move_on_end,
    recovery_period_end,
    rg_target,
)
from casework.selectors.legal import legal_prefetch
from casework.services import cases as services
from casework.views.actions import action_page, editable_case, refuse
from marac.selectors.risk import risk_summary
from returns.selectors import exit_plans_of, exit_plans_prefetch

CASE_ROLES = (Role.CASEWORKER, Role.SERVICE_MANAGER)
# The read-only pages of a case also admit whoever may hold an emergency access grant; the
# policy decides which case each of them may read (a 404 for any other).
CASE_READ_ROLES = policy.EMERGENCY_ACCESS_ROLES


# The lists a page shows a page of at a time, however large the service grows.
CASELOAD_PER_PAGE = 50
DASHBOARD_PER_PAGE = 25

# Encrypted fields the case page does not show, left undecrypted (``defer``): where an
# appointment is, and a placement's address and where the person moved on to.
PLACEMENT_NOT_SHOWN = (
    "move_on_destination",
    "bed_space__unit__property__address",
    "bed_space__unit__property__postcode",
)


@role_required(Role.CASEWORKER)
def caseload(request):
    rows = Paginator(selectors.caseload_for(request.user), CASELOAD_PER_PAGE)
    page = rows.get_page(request.GET.get("page"))
    return render(request, "casework/caseload.html", {"rows": page.object_list, "page": page})


@role_required(Role.SERVICE_MANAGER)
def dashboard(request):
    today = timezone.localdate()
    rules = all_period_rules()
    data = selectors.service_dashboard(request.user, today=today, rules=rules)
    pages = {
        name: selectors.counted_page(
            data[name], request.GET.get(f"{name}_page"), per_page=DASHBOARD_PER_PAGE
        )
        for name in ("unallocated", "missing", "workers")
    }
    pages["breached"] = selectors.breached_page(
        data["breached"],
        request.GET.get("breached_page"),
        per_page=DASHBOARD_PER_PAGE,
        today=today,
        rules=rules,
    )
    context = {name: page.object_list for name, page in pages.items()}
    context["pages"] = pages
    return render(request, "casework/dashboard.html", context)


@role_required(*CASE_ROLES)
def case_new(request):
    teams = teams_for_intake(request.user)
    form = forms.IntakeForm(
        request.POST or None, teams=teams, initial={"referral_date": timezone.localdate()}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(
                by=request.user,
                team=form.cleaned_data["team"],
                values=form.values(),
                immediate_needs=form.cleaned_data["immediate_needs"],
            )
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.success(request, _("Referral %(ref)s recorded.") % {"ref": case.reference})
            return redirect("casework:case", pk=case.pk)
    return render(
        request,
        "casework/case_form.html",
        {"form": form, "title": _("Record a referral")},
        status=status,
    )


@role_required(*CASE_ROLES)
def batch_new(request):
    teams = teams_for_intake(request.user)
    form = forms.BatchForm(request.POST or None, teams=teams, prefix="batch")
    people = forms.BatchPeopleFormSet(request.POST or None, prefix="people")
    status = 200
    if request.method == "POST" and form.is_valid() and people.is_valid():
        shared = {k: v for k, v in form.cleaned_data.items() if k != "team"}
        rows = [p for p in people.cleaned_data if p]
        try:
            batch = services.batch_create(
                by=request.user, team=form.cleaned_data["team"], shared=shared, people=rows
            )
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.success(
                request,
                _("%(n)d referrals recorded for %(op)s.")
                % {"n": len(rows), "op": batch.operation_name},
            )
            return redirect(
                "casework:caseload"
                if request.user.has_role(Role.CASEWORKER)
                else "casework:dashboard"
            )
    return render(
        request, "casework/batch_form.html", {"form": form, "people": people}, status=status
    )


@role_required(*CASE_READ_ROLES)
def case_detail(request, pk: int):
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    today = timezone.localdate()
    events = selectors.counted_page(timeline_of(case), request.GET.get("page"), per_page=20)
    if request.htmx and request.GET.get("page"):
        return render(request, "casework/_timeline.html", {"case": case, "events": events})
    nrm = case.nrm
    rules = all_period_rules()
    # The matters with their steps and kinds' records, the support goals, the return plans
    # with their follow-ups and the resettlements, once: the deadlines and the sections read
    # them from here rather than querying again.
    prefetch_related_objects([case], *legal_prefetch(), "support_goals", *exit_plans_prefetch())
    contacts = list(contacts_of(case))
    context = {
        "case": case,
        "nrm": nrm,
        "today": today,
        "deadlines": case_deadlines(case, today=today, rules=rules),
        "legal_matters": [
            (matter, matter_deadline_rows(matter, case, today=today, rules=rules))
            for matter in case.legal_matters.all()
        ],
        "legal_kinds": MatterKind.choices,
        "exit_plans": exit_plans_of(case, today=today),
        "transitions": available_transitions(case, request.user, permission="case.transition"),
        "nrm_transitions": available_transitions(nrm, request.user, permission="nrm.edit"),
        "can_edit": policy.can(request.user, "case.edit", case),
        "can_allocate": policy.can(request.user, "case.allocate", case),
        "rg_target": rg_target(case, rules=rules),
        "recovery_end": recovery_period_end(case, rules=rules),
        "move_on_end": move_on_end(case, rules=rules),
        "events": events,
        "consents": case.consents.all(),
        "disclosures": case.disclosures.all(),
        "charges": case.charges.all(),
        "dependants": case.dependants.all(),
        "goals": case.support_goals.all(),
        "needs": case.immediate_needs.all(),
        "notes": case.notes.select_related("recorded_by")[:20],
        "episodes": selectors.episodes_of(case),
        "appointments": case.appointments.prefetch_related("interpreters")
        .defer("location")
        .order_by("-starts_at", "-pk")[:20],
        "contacts": contacts,
        "sms_log": latest_texts_of(case, contacts=contacts),
        "placements": case.placements.select_related("provider", "bed_space__unit__property").defer(
            *PLACEMENT_NOT_SHOWN
        ),
        "risk": risk_summary(case, today=today),
    }
    return render(request, "casework/case_detail.html", context)


@role_required(*CASE_ROLES)
def case_edit(request, pk: int):
    case = editable_case(request, pk)
    form = forms.CaseEditForm(
        request.POST or None, instance=case, initial={"version": case.version}
    )

    def save(data):
        values = form.values()
        case.refresh_from_db()  # the form validated onto the instance; the service re-reads
        return services.case_update(
            by=request.user, case=case, expected_version=data["version"], values=values
        )

    return action_page(
        request,
        case=case,
        form=form,
        title=_("Edit case details"),
        done=_("Case details saved."),
        save=save,
        template="casework/case_form.html",
    )


@role_required(*CASE_READ_ROLES)
def case_history(request, pk: int):
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    return render(
        request,
        "casework/case_history.html",
        {
            "case": case,
            "revisions": history.revisions(case),
            "nrm_revisions": history.revisions(case.nrm),
        },
    )


def _allocate_form(request, case, data):
    caseworkers = selectors.caseworkers_of(request.user)
    if not policy.can(request.user, "case.allocate", case):
        caseworkers = caseworkers.filter(pk=request.user.pk)
    return forms.AllocateForm(data, caseworkers=caseworkers, initial={"version": case.version})


def _simple(service):
    return (
        forms.ReasonForm,
        lambda by, case, d: service(
            by=by, case=case, expected_version=d["version"], reason=d["reason"]
        ),
    )


TRANSITIONS = {
    "accept": (
        _allocate_form,
        lambda by, case, d: services.case_accept(
            by=by,
            case=case,
            caseworker=d["caseworker"],
            expected_version=d["version"],
            reason=d["reason"],
        ),
    ),
    "decline": (
        forms.DeclineForm,
        lambda by, case, d: services.case_decline(
            by=by,
            case=case,
            expected_version=d["version"],
            decline_reason=d["decline_reason"],
            reason=d["reason"],
        ),
    ),
    "start_support": _simple(services.case_start_support),
    "plan_move_on": _simple(services.case_plan_move_on),
    "resume_support": _simple(services.case_resume_support),
    "found": _simple(services.case_found),
    "report_missing": (
        forms.MissingForm,
        lambda by, case, d: services.case_report_missing(
            by=by, case=case, expected_version=d["version"], since=d["since"], reason=d["reason"]
        ),
    ),
    "close": (
        forms.CloseForm,
        lambda by, case, d: services.case_close(
            by=by,
            case=case,
            expected_version=d["version"],
            closure_reason=d["closure_reason"],
            outcomes=d["outcomes"],
            closed_on=d["closed_on"],
            reason=d["reason"],
            none_achieved=d["no_outcomes"],
        ),
    ),
}


@role_required(*CASE_ROLES)
def case_transition(request, pk: int, name: str):
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    if name not in TRANSITIONS:
        raise Http404
    make_form, run = TRANSITIONS[name]
    data = request.POST if request.method == "POST" else None
    if make_form is _allocate_form:
        form = make_form(request, case, data)
    else:
        form = make_form(
            data,
            initial={
                "version": case.version,
                "closed_on": timezone.localdate(),
                "since": timezone.localtime().replace(second=0, microsecond=0),
            },
        )
    label = next(
        (
            t["label"]
            for t in available_transitions(case, request.user, permission="case.transition")
            if t["name"] == name
        ),
        name.replace("_", " ").capitalize(),
    )
    return action_page(
        request,
        case=case,
        form=form,
        title=label,
        save=lambda data: run(request.user, case, data),
        done=lambda _result: (
            _("Done: the case is now “%(state)s”.") % {"state": case.get_state_display()}
        ),
    )


@role_required(*CASE_ROLES)
def case_allocate(request, pk: int):
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    if not policy.can(request.user, "case.allocate", case):
        raise Http404
    form = _allocate_form(request, case, request.POST or None)

    def back(_result) -> str:
        # Only a page of this site: a posted "next" must not send staff elsewhere.
        next_url = request.POST.get("next", "")
        if next_url.startswith("/") and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return next_url
        return reverse("casework:dashboard")

    return action_page(
        request,
        case=case,
        form=form,
        title=_("Reallocate the case"),
        done=_("Case reallocated."),
        to=back,
        save=lambda data: services.case_allocate(
            by=request.user,
            case=case,
            caseworker=data["caseworker"],
            expected_version=data["version"],
            reason=data["reason"],
        ),
    )


@role_required(*CASE_ROLES)
def case_missing_notified(request, pk: int):
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    form = forms.MissingNotifiedForm(request.POST or None, initial={"version": case.version})
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Record police and local authority notification"),
        done=_("Notification recorded."),
        save=lambda data: services.case_record_missing_notification(
            by=request.user,
            case=case,
            expected_version=data["version"],
            police_at=data["police_at"],
            local_authority_at=data["local_authority_at"],
        ),
    )


@role_required(*CASE_ROLES)
def case_reopen(request, pk: int):
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    if case.state not in (CaseState.CLOSED, CaseState.DECLINED):
        raise Http404
    form = forms.ReopenForm(request.POST or None)
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Re-open as a new episode"),
        done=lambda episode: _("Re-opened as a new episode, %(ref)s.") % {"ref": episode.reference},
        to=lambda episode: reverse("casework:case", args=[episode.pk]),
        save=lambda data: services.case_reopen(by=request.user, case=case, reason=data["reason"]),
    )


@role_required(*CASE_ROLES)
def search(request):
    # Posted, not in the address: names and dates of birth must not reach proxy and server
    # access logs or browser history.
    form = forms.SearchForm(request.POST or None)
    results = None
    if form.is_bound and form.is_valid():
        results = selectors.case_search(
            request.user,
            text=form.cleaned_data["q"],
            date_of_birth=form.cleaned_data["dob"],
            path=request.path,
        )
    return render(request, "casework/search.html", {"form": form, "results": results})
