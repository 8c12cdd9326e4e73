from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carepath import policy
from carepath.decorators import role_required
from carepath.pathway import PathwayError
from carepath.people.models import Role
from carepath.retention import selectors, services
from carepath.retention.forms import CaseReferenceForm, LegalHoldForm

RETENTION_ROLES = (Role.DATA_PROTECTION, Role.SERVICE_MANAGER)


def _require(request, permission: str, obj=None) -> None:
    if not policy.can(request.user, permission, obj):
        raise Http404


@role_required(*RETENTION_ROLES)
def runs(request):
    _require(request, "retention.view")
    page = Paginator(selectors.runs_for(request.user), 25).get_page(request.GET.get("page"))
    organisation_id = request.user.organisation_id
    rows = [
        {
            "run": run,
            "started_by": selectors.run_started_by(run),
            "outcomes": [
                outcome
                for outcome in selectors.run_outcomes(run, organisation_id)
                if not outcome.is_empty
            ],
        }
        for run in page
    ]
    return render(
        request,
        "retention/runs.html",
        {
            "page": page,
            "rows": rows,
            "can_preview": policy.can(request.user, "retention.preview"),
        },
    )


@role_required(*RETENTION_ROLES)
def run(request, pk: int):
    found = selectors.run_for(request.user, pk=pk)
    return render(
        request,
        "retention/run.html",
        {
            "run": found,
            "started_by": selectors.run_started_by(found),
            "outcomes": selectors.run_outcomes(found, request.user.organisation_id),
        },
    )


@role_required(Role.DATA_PROTECTION)
@require_POST
def preview(request):
    _require(request, "retention.preview")
    found = services.cases_anonymise_due(
        today=timezone.localdate(),
        by=request.user,
        dry_run=True,
        organisation_id=request.user.organisation_id,
        trigger="preview",
    )
    messages.success(request, _("Preview made: nothing was changed."))
    return redirect("retention:run", pk=found.pk)


@role_required(*RETENTION_ROLES)
def holds(request):
    _require(request, "case.legal_hold")
    form = CaseReferenceForm(request.GET or None)
    if form.is_bound and form.is_valid():
        case = selectors.case_by_reference(request.user, form.cleaned_data["reference"])
        if case is not None:
            return redirect("retention:hold", pk=case.pk)
        form.add_error("reference", _("No case of your organisation has this reference."))
    return render(
        request,
        "retention/holds.html",
        {"form": form, "cases": selectors.legal_holds_for(request.user)},
    )


@role_required(*RETENTION_ROLES)
def hold(request, pk: int):
    case = selectors.case_for_hold(request.user, pk=pk, path=request.path)
    form = LegalHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The form says which it asks for: a second submit of "place" never releases a hold.
        release = request.POST.get("action") == "release"
        if release != case.legal_hold:
            already = (
                _("The legal hold on case %(ref)s was already released.")
                if release
                else _("Case %(ref)s was already under a legal hold.")
            )
            messages.info(request, already % {"ref": case.reference})
            return redirect("retention:hold", pk=case.pk)
        change = services.case_legal_hold_release if release else services.case_legal_hold_set
        try:
            change(case=case, by=request.user, reason=form.cleaned_data["reason"])
        except policy.PolicyDenied:
            raise Http404 from None
        except PathwayError as error:
            form.add_error(None, str(error))
        else:
            if case.legal_hold:
                messages.success(
                    request, _("Case %(ref)s is under a legal hold.") % {"ref": case.reference}
                )
            else:
                messages.success(
                    request,
                    _("The legal hold on case %(ref)s is released.") % {"ref": case.reference},
                )
            return redirect("retention:hold", pk=case.pk)
    return render(
        request,
        "retention/hold.html",
        {
            "case": case,
            "form": form,
            "kept_until": selectors.case_kept_until(case),
            "can_open_case": policy.can(request.user, "case.view", case),
        },
    )
