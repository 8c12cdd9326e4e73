"""Emergency ("break-glass") access, its review, and sealing a case."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carepath import policy
from carepath.decorators import role_required
from carepath.pathway import PathwayError
from carepath.people.models import Role
from casework import access_forms as forms
from casework.models import Case
from casework.selectors import access as selectors
from casework.selectors.cases import case_for
from casework.services import access as services
from casework.views.actions import refuse

REVIEWER_ROLES = (Role.SERVICE_MANAGER, Role.DATA_PROTECTION)


def _until(grant) -> str:
    return date_format(timezone.localtime(grant.expires_at), "j M Y H:i")


# --- Emergency access -----------------------------------------------------------------------


@role_required(*policy.EMERGENCY_ACCESS_ROLES)
def emergency_access(request):
    form = forms.EmergencyAccessForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.emergency_access_start(
                user=request.user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except services.AlreadyOpen as already:
            if already.grant is not None:
                messages.info(
                    request,
                    _("You already have emergency access to this case until %(until)s.")
                    % {"until": _until(already.grant)},
                )
            else:
                messages.info(request, _("You can already open this case: no emergency access."))
            return redirect("casework:case", pk=already.case.pk)
        except services.EmergencyAccessRefused as error:
            form.add_error("reference", str(error))
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.warning(
                request,
                _(
                    "Emergency access started. It ends at %(until)s. Every page you open is "
                    "logged and the service managers have been told."
                )
                % {"until": _until(grant)},
            )
            return redirect("casework:case", pk=grant.case_id)
    grants = selectors.own_emergency_accesses(request.user)[:50]
    return render(
        request,
        "casework/emergency_access.html",
        {
            "form": form,
            "grants": grants,
            "now": timezone.now(),
            "access_minutes": settings.EMERGENCY_ACCESS_MINUTES,
        },
        status=status,
    )


@require_POST
@role_required(*policy.EMERGENCY_ACCESS_ROLES)
def emergency_access_end(request, grant_pk: int):
    grant = selectors.own_emergency_access(request.user, pk=grant_pk)
    try:
        services.emergency_access_end(grant=grant, by=request.user)
    except PathwayError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Emergency access to case %(ref)s has ended.") % {"ref": grant.case.reference},
        )
    return redirect("casework:emergency_access")


@role_required(*REVIEWER_ROLES)
def emergency_reviews(request):
    grants = selectors.emergency_accesses_for_review(request.user)
    page = Paginator(grants, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/emergency_reviews.html",
        {
            "page": page,
            "waiting": selectors.emergency_reviews_waiting(request.user),
            "now": timezone.now(),
        },
    )


@role_required(*REVIEWER_ROLES)
def emergency_review(request, grant_pk: int):
    grant = selectors.emergency_access_for_review(request.user, pk=grant_pk)
    may_review = grant.reviewed_at is None and grant.user_id != request.user.pk
    form = forms.EmergencyReviewForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_access_review(
                grant=grant,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("casework:emergency_review", grant_pk=grant.pk)
    reads = Paginator(selectors.reads_under(grant), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/emergency_review.html",
        {
            "grant": grant,
            "reads": reads,
            "page": reads,
            "form": form,
            "may_review": may_review or bool(form.errors),
            "own": grant.user_id == request.user.pk,
            "active": services.emergency_access_active(grant),
            "can_open_case": policy.can(request.user, "case.view", grant.case),
        },
        status=status,
    )


# --- Sealed cases ---------------------------------------------------------------------------


def _sealable_case(request, pk: int) -> Case:
    case = case_for(request.user, pk=pk, path=request.path)
    if not policy.can(request.user, "case.seal", case):
        raise Http404
    return case


@role_required(Role.SERVICE_MANAGER)
def case_seal(request, pk: int):
    """Seal the case; once sealed, the same page names and removes people and unseals it."""
    case = _sealable_case(request, pk)
    if not case.sealed:
        return _seal_page(request, case)
    return _sealed_page(request, case)


def _seal_page(request, case: Case):
    candidates = services.seal_candidates(case.organisation_id).exclude(pk=request.user.pk)
    initial = [case.caseworker_id] if case.caseworker_id else []
    data = request.POST if request.POST.get("action") == "seal" else None
    form = forms.SealForm(data, candidates=candidates, initial={"members": initial})
    status = 200
    if data is not None and form.is_valid():
        try:
            services.case_seal(
                case=case,
                by=request.user,
                members=list(form.cleaned_data["members"]),
                reason=form.cleaned_data["reason"],
            )
        except PathwayError as error:
            status = refuse(form, error)
        else:
            messages.success(request, _("The case is sealed: only the people named may open it."))
            return redirect("casework:case_seal", pk=case.pk)
    return render(request, "casework/seal_form.html", {"case": case, "form": form}, status=status)


def _sealed_page(request, case: Case):
    action = request.POST.get("action")
    members = list(selectors.seal_members_of(case))
    candidates = services.seal_candidates(case.organisation_id).exclude(
        pk__in=[m.user_id for m in members]
    )
    add_form = forms.SealMemberForm(
        request.POST if action == "add" else None, candidates=candidates
    )
    unseal_form = forms.UnsealForm(request.POST if action == "unseal" else None)
    status = 200
    if action == "remove":
        member = next((m for m in members if str(m.user_id) == request.POST.get("person")), None)
        if member is None:
            raise Http404
        try:
            services.case_seal_member_remove(case=case, by=request.user, person=member.user)
        except PathwayError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(person)s is no longer named.") % {"person": member.user})
        return redirect("casework:case_seal", pk=case.pk)
    if action == "add" and add_form.is_valid():
        person = add_form.cleaned_data["person"]
        try:
            services.case_seal_member_add(case=case, by=request.user, person=person)
        except PathwayError as error:
            status = refuse(add_form, error)
        else:
            messages.success(request, _("%(person)s is now named.") % {"person": person})
            return redirect("casework:case_seal", pk=case.pk)
    if action == "unseal" and unseal_form.is_valid():
        try:
            services.case_unseal(
                case=case, by=request.user, reason=unseal_form.cleaned_data["reason"]
            )
        except PathwayError as error:
            status = refuse(unseal_form, error)
        else:
            messages.success(request, _("The case is no longer sealed."))
            return redirect("casework:case", pk=case.pk)
    named = {m.user_id for m in members}
    return render(
        request,
        "casework/seal_members.html",
        {
            "case": case,
            "members": members,
            "form": add_form,
            "unseal_form": unseal_form,
            "caseworker_not_named": bool(case.caseworker_id) and case.caseworker_id not in named,
        },
        status=status,
    )
