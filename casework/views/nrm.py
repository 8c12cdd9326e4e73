from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from carepath import policy
from carepath.audit import access_log
from carepath.decorators import role_required
from casework import forms
from casework.models import NrmState
from casework.models.nrm import awaiting_rg
from casework.selectors import cases as selectors
from casework.services import nrm as services
from casework.views.actions import action_page
from casework.views.cases import CASE_ROLES


def _decision(by, nrm, d):
    return services.nrm_record_decision(
        by=by,
        nrm=nrm,
        expected_version=d["version"],
        stage="rg" if awaiting_rg(nrm) else "cg",
        positive=d["positive"],
        decided_on=d["decided_on"],
        authority=d["authority"],
        reason=d["reason"],
    )


ACTIONS = {
    "submit": (
        forms.NrmSubmitForm,
        _("Record the NRM submission"),
        lambda by, nrm, d: services.nrm_submit(
            by=by,
            nrm=nrm,
            expected_version=d["version"],
            submitted_on=d["submitted_on"],
            first_responder=d["first_responder"],
        ),
    ),
    "decision": (forms.NrmDecisionForm, _("Record a decision"), _decision),
    "reconsideration": (
        forms.NrmReconsiderationForm,
        _("Request reconsideration"),
        lambda by, nrm, d: services.nrm_request_reconsideration(
            by=by,
            nrm=nrm,
            expected_version=d["version"],
            requested_on=d["requested_on"],
            reason=d["reason"],
        ),
    ),
    "duty_to_notify": (
        forms.NrmDutyToNotifyForm,
        _("Adult does not consent: Duty to Notify"),
        lambda by, nrm, d: services.nrm_decline_consent(
            by=by,
            nrm=nrm,
            expected_version=d["version"],
            notified_on=d["notified_on"],
            reason=d["reason"],
        ),
    ),
    "withdraw": (
        forms.NrmWithdrawForm,
        _("Withdraw from the NRM"),
        lambda by, nrm, d: services.nrm_withdraw(
            by=by,
            nrm=nrm,
            expected_version=d["version"],
            withdrawn_on=d["withdrawn_on"],
            reason=d["reason"],
        ),
    ),
    "recovery": (
        forms.RecoveryAdjustForm,
        _("Extend or curtail the recovery period"),
        lambda by, nrm, d: services.nrm_adjust_recovery_period(
            by=by,
            nrm=nrm,
            expected_version=d["version"],
            extend_by_days=d["extend_by_days"] or 0,
            curtail_to=d["curtail_to"],
            reason=d["reason"],
        ),
    ),
    "local_authority": (
        forms.NrmLocalAuthorityForm,
        _("Record the local authority notification"),
        lambda by, nrm, d: services.nrm_notify_local_authority(
            by=by, nrm=nrm, expected_version=d["version"], notified_on=d["notified_on"]
        ),
    ),
}


@role_required(*CASE_ROLES)
def nrm_action(request, pk: int, name: str):
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    nrm = case.nrm
    if name not in ACTIONS or not policy.can(request.user, "nrm.edit", nrm):
        raise Http404
    form_class, title, run = ACTIONS[name]
    today = timezone.localdate()
    form = form_class(
        request.POST or None,
        initial={
            "version": nrm.version,
            "submitted_on": today,
            "decided_on": today,
            "requested_on": today,
            "notified_on": today,
            "withdrawn_on": today,
        },
    )
    return action_page(
        request,
        case=case,
        form=form,
        title=title,
        save=lambda data: run(request.user, nrm, data),
        done=lambda _result: (
            _("NRM record updated: %(state)s.") % {"state": nrm.get_state_display()}
        ),
    )


@role_required(*CASE_ROLES)
def duty_to_notify_report(request, pk: int):
    """The anonymised report for an adult who did not consent to an NRM referral: what the
    Home Office needs to know of the crime, and nothing that identifies the person."""
    case = selectors.case_for(request.user, pk=pk, path=request.path)
    if case.nrm.state != NrmState.DECLINED_CONSENT:
        raise Http404
    why = policy.basis(request.user, "case.view", case)
    access_log.record(
        case.nrm,
        by=request.user,
        basis=policy.for_purpose(why, gettext_noop("duty to notify report")),
        action="export",
        path=request.path,
    )
    age = case.age_at_referral
    age_band = (
        _("Not known")
        if age is None
        else _("18 to 24")
        if age < 25
        else _("25 to 34")
        if age < 35
        else _("35 to 49")
        if age < 50
        else _("50 or over")
    )
    first = case.first_exploitation_date
    return render(
        request,
        "casework/duty_to_notify.html",
        {
            "case": case,
            "report": {
                "gender": case.get_gender_display(),
                "age_band": age_band,
                "nationality": case.claimed_nationality.name if case.claimed_nationality else "",
                "exploitation_types": case.exploitation_type_labels,
                "exploitation_sectors": case.sector_labels,
                "exploitation_country": (
                    case.exploitation_country.name if case.exploitation_country else ""
                ),
                "first_exploitation_year": first.year if first else None,
                "local_authority": case.local_authority,
                "police_force_area": case.police_force_area,
                "notified_on": case.nrm.duty_to_notify_sent_on,
            },
        },
    )
