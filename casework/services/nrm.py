"""Every write to a case's NRM record."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import timeline
from carepath.pathway import PathwayError, lock, run_transition
from carepath.people.models import User
from casework.models import CompetentAuthority, NrmRecord, NrmState, ReferringAgency
from casework.selectors.deadlines import recovery_period_end


def _not_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise PathwayError(_("%(what)s cannot be in the future.") % {"what": what})


def _not_before_referral(nrm: NrmRecord, day: date) -> None:
    if day < nrm.case.referral_date:
        raise PathwayError(_("This date cannot be before the referral date."))


def _run(
    nrm: NrmRecord,
    name: str,
    *,
    by: User,
    expected_version: int,
    kind: str,
    reason: str = "",
    detail: dict | None = None,
    **kwargs,
) -> NrmRecord:
    run_transition(
        nrm, name, by=by, permission="nrm.edit", expected_version=expected_version, **kwargs
    )
    # NRM events sit on the case's timeline, where caseworkers follow the whole pathway.
    timeline.record(nrm.case, by=by, kind=kind, reason=reason, detail=detail or {})
    return nrm


@transaction.atomic
def nrm_submit(
    *,
    by: User,
    nrm: NrmRecord,
    expected_version: int,
    submitted_on: date,
    first_responder: ReferringAgency | None,
) -> NrmRecord:
    _not_future(submitted_on, _("The submission date"))
    if submitted_on < nrm.case.referral_date:
        raise PathwayError(_("The NRM submission cannot be before the referral date."))
    return _run(
        nrm,
        "submit",
        by=by,
        expected_version=expected_version,
        kind="nrm.submitted",
        submitted_on=submitted_on,
        first_responder=first_responder,
    )


@transaction.atomic
def nrm_notify_local_authority(
    *, by: User, nrm: NrmRecord, expected_version: int, notified_on: date
) -> NrmRecord:
    """Children are referred through the local authority: record when it was told."""
    policy.require(by, "nrm.edit", nrm)
    lock(nrm, expected_version=expected_version, by=by)
    _not_future(notified_on, _("The notification date"))
    _not_before_referral(nrm, notified_on)
    nrm.local_authority_notified_on = notified_on
    nrm.save()
    timeline.record(nrm.case, by=by, kind="nrm.local_authority_notified")
    return nrm


@transaction.atomic
def nrm_record_decision(
    *,
    by: User,
    nrm: NrmRecord,
    expected_version: int,
    stage: str,
    positive: bool,
    decided_on: date,
    authority: str,
    reason: str = "",
) -> NrmRecord:
    """A reasonable grounds (``rg``) or conclusive grounds (``cg``) decision."""
    _not_future(decided_on, _("The decision date"))
    if stage not in ("rg", "cg"):
        raise PathwayError(_("Choose reasonable or conclusive grounds."))
    if authority and authority not in CompetentAuthority.values:
        raise PathwayError(_("Choose who made the decision from the list."))
    if nrm.submitted_on and decided_on < nrm.submitted_on:
        raise PathwayError(_("A decision cannot be dated before the NRM submission."))
    if stage == "cg" and nrm.rg_decision_on and decided_on < nrm.rg_decision_on:
        raise PathwayError(
            _("A conclusive grounds decision cannot be dated before the reasonable grounds one.")
        )
    if (
        nrm.reconsideration_requested_on
        and decided_on < nrm.reconsideration_requested_on
        and (nrm.state == NrmState.RECONSIDERATION)
    ):
        raise PathwayError(_("The decision cannot be dated before reconsideration was asked."))
    outcome = "positive" if positive else "negative"
    return _run(
        nrm,
        f"{stage}_decide_{outcome}",
        by=by,
        expected_version=expected_version,
        kind=f"nrm.{stage}_{outcome}",
        reason=reason,
        detail={"decided_on": decided_on.isoformat(), "authority": authority},
        decided_on=decided_on,
        authority=authority,
    )


@transaction.atomic
def nrm_request_reconsideration(
    *, by: User, nrm: NrmRecord, expected_version: int, requested_on: date, reason: str
) -> NrmRecord:
    _not_future(requested_on, _("The request date"))
    decided = nrm.cg_decision_on if nrm.state == NrmState.CG_NEGATIVE else nrm.rg_decision_on
    if decided and requested_on < decided:
        raise PathwayError(_("Reconsideration cannot be asked before the decision."))
    if not reason.strip():
        raise PathwayError(_("Give the grounds for reconsideration."))
    return _run(
        nrm,
        "request_reconsideration",
        by=by,
        expected_version=expected_version,
        kind="nrm.reconsideration_requested",
        reason=reason,
        requested_on=requested_on,
    )


@transaction.atomic
def nrm_decline_consent(
    *, by: User, nrm: NrmRecord, expected_version: int, notified_on: date, reason: str = ""
) -> NrmRecord:
    """An adult who does not consent is not referred; the Home Office gets an anonymised Duty
    to Notify report instead (Modern Slavery Act 2015 s.52)."""
    _not_future(notified_on, _("The notification date"))
    _not_before_referral(nrm, notified_on)
    return _run(
        nrm,
        "decline_consent",
        by=by,
        expected_version=expected_version,
        kind="nrm.duty_to_notify",
        reason=reason,
        notified_on=notified_on,
    )


@transaction.atomic
def nrm_withdraw(
    *, by: User, nrm: NrmRecord, expected_version: int, withdrawn_on: date, reason: str
) -> NrmRecord:
    _not_future(withdrawn_on, _("The withdrawal date"))
    if nrm.submitted_on and withdrawn_on < nrm.submitted_on:
        raise PathwayError(_("A withdrawal cannot be dated before the NRM submission."))
    if not reason.strip():
        raise PathwayError(_("Give the reason for withdrawing."))
    return _run(
        nrm,
        "withdraw",
        by=by,
        expected_version=expected_version,
        kind="nrm.withdrawn",
        reason=reason,
        withdrawn_on=withdrawn_on,
    )


@transaction.atomic
def nrm_adjust_recovery_period(
    *,
    by: User,
    nrm: NrmRecord,
    expected_version: int,
    extend_by_days: int = 0,
    curtail_to: date | None = None,
    reason: str,
) -> NrmRecord:
    """Extend the recovery period by some days, or curtail it to a date, with a reason."""
    policy.require(by, "nrm.edit", nrm)
    lock(nrm, expected_version=expected_version, by=by)
    if nrm.state != NrmState.RG_POSITIVE:
        raise PathwayError(
            _(
                "A recovery period runs only after a positive reasonable grounds "
                "decision and before the conclusive grounds decision."
            )
        )
    if not reason.strip():
        raise PathwayError(_("Give the reason for changing the recovery period."))
    if bool(extend_by_days) == bool(curtail_to):
        raise PathwayError(_("Either extend by a number of days or curtail to a date."))
    if extend_by_days:
        if extend_by_days < 0:
            raise PathwayError(_("An extension must be a positive number of days."))
        nrm.recovery_extension_days += extend_by_days
        if nrm.recovery_curtailed_to:
            # A curtailment replaced the end; a later extension runs on from that end.
            nrm.recovery_curtailed_to += timedelta(days=extend_by_days)
        kind, detail = "nrm.recovery_extended", {"days": extend_by_days}
    else:
        if curtail_to < nrm.rg_decision_on:
            raise PathwayError(_("The recovery period cannot end before the decision."))
        if curtail_to >= recovery_period_end(nrm.case):
            raise PathwayError(
                _("Curtailing must bring the end earlier; to give more time, extend instead.")
            )
        nrm.recovery_curtailed_to = curtail_to
        kind, detail = "nrm.recovery_curtailed", {"to": curtail_to.isoformat()}
    nrm.save()
    timeline.record(nrm.case, by=by, kind=kind, reason=reason, detail=detail)
    return nrm
