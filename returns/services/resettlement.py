"""Every write to a resettlement in the UK: starting it when leave is applied for, and its steps
to settled. Each step's date is checked against the step before it; settling closes the case
with the reason "moved on" and the outcomes achieved, in the same transaction, so a case that
cannot close (someone still living in a place) refuses the whole step."""

from django.db import transaction
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import timeline
from carepath.checks import dated, not_before, text
from carepath.pathway import (
    PathwayError,
    declared_transition,
    lock,
    refuse_from_wrong_state,
    run_transition,
    transition_form_of,
)
from carepath.people.models import User
from casework.models import Case
from casework.models.choices import Outcome
from casework.services.cases import case_close
from returns.models import ResettlementPlan, ResettlementState, ReturnState

ENDED = (ResettlementState.SETTLED, ResettlementState.WITHDRAWN)
RETURN_ENDED = (ReturnState.COMPLETED, ReturnState.WITHDRAWN, ReturnState.INELIGIBLE)

# The values each step takes; every one of them is required.
STEP_VALUES: dict[str, tuple[str, ...]] = {
    "grant_leave": ("on",),
    "secure_housing": ("on", "housing"),
    "secure_income": ("on", "income"),
    "settle": ("on", "outcomes"),
    "withdraw": ("reason",),
}
TEXT_LIMITS = {"housing": 200, "income": 200}


def _outcomes(values: dict) -> list[str]:
    chosen = list(values.get("outcomes") or [])
    if not chosen:
        raise PathwayError(_("Choose at least one outcome the person achieved."))
    unknown = [value for value in chosen if value not in Outcome.values]
    if unknown:
        raise PathwayError(_("Choose the outcomes from the list."))
    return sorted(set(chosen))


def transition_of(name: str):
    """The declared transition ``name`` of a resettlement plan, or None."""
    return declared_transition(ResettlementPlan, name)


def transition_form(name: str) -> str | None:
    return transition_form_of(ResettlementPlan, name)


def _record(plan: ResettlementPlan, *, by: User, kind: str, reason: str = "", **detail) -> None:
    timeline.record(plan.case, by=by, kind=kind, reason=reason, detail={"plan": plan.pk, **detail})


@transaction.atomic
def resettlement_start(*, by: User, case: Case, leave_applied_on) -> ResettlementPlan:
    """Start a resettlement in the UK when leave to remain is applied for. One at a time: an
    earlier one must be settled or withdrawn first."""
    policy.require(by, "case.edit", case)
    # Two people starting a resettlement at once: the case row serialises them.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise PathwayError(_("A resettlement can only be planned on an open case."))
    leave_applied_on = dated(leave_applied_on, what=_("the date leave was applied for"))
    if case.resettlement_plans.exclude(state__in=ENDED).exists():
        raise PathwayError(
            _(
                "This case already has a resettlement in progress: carry on with it, or withdraw "
                "it before starting another."
            )
        )
    plan = ResettlementPlan(case=case, leave_applied_on=leave_applied_on, created_by=by)
    plan._history_user = by
    plan.save()
    _record(plan, by=by, kind="resettlement.started")
    return plan


def _checked(plan: ResettlementPlan, name: str, values: dict) -> dict:
    if name == "withdraw":
        return {
            "reason": text(
                values, "reason", limit=TEXT_LIMITS.get("reason"), missing=_("Give the reason.")
            )
        }
    if name == "grant_leave":
        what = _("the date leave was granted")
        on = dated(values.get("on"), what=what)
        not_before(on, plan.leave_applied_on, what=what, after=_("the application for leave"))
        return {"on": on}
    if name == "secure_housing":
        what = _("the date housing was secured")
        on = dated(values.get("on"), what=what)
        not_before(on, plan.leave_granted_on, what=what, after=_("the grant of leave"))
        housing = text(
            values,
            "housing",
            limit=TEXT_LIMITS.get("housing"),
            missing=_("Say what housing the person has."),
        )
        return {"on": on, "housing": housing}
    if name == "secure_income":
        what = _("the date the income, work or study was in place")
        on = dated(values.get("on"), what=what)
        not_before(on, plan.housing_secured_on, what=what, after=_("the housing"))
        income = text(
            values,
            "income",
            limit=TEXT_LIMITS.get("income"),
            missing=_("Say what income, work or study the person has."),
        )
        return {"on": on, "income": income}
    what = _("the date the person was settled")
    on = dated(values.get("on"), what=what)
    not_before(
        on, plan.income_in_place_on, what=what, after=_("the income, work or study in place")
    )
    return {"on": on}


@transaction.atomic
def resettlement_transition(
    *,
    by: User,
    plan: ResettlementPlan,
    name: str,
    expected_version: int | None,
    values: dict,
) -> ResettlementPlan:
    """Take the step ``name`` with ``values`` (on, housing, income, outcomes, reason: the
    step's own). ``settle`` also closes the case, with the outcomes achieved."""
    found = transition_of(name)
    if found is None:
        raise PathwayError(_("This step does not apply to a resettlement."))
    unknown = set(values) - set(STEP_VALUES[name])
    if unknown:
        raise TypeError(f"{name} does not take {', '.join(sorted(unknown))}")
    policy.require(by, "returns.edit", plan)
    # A stale form is told so before anything else: the person is looking at an old record.
    lock(plan, expected_version=expected_version, by=by)
    refuse_from_wrong_state(plan, name, what=_("the resettlement"))
    case = Case.objects.select_for_update().get(pk=plan.case_id)
    plan.case = case
    if name != "withdraw" and not case.is_open:
        raise PathwayError(
            _("The case is “%(state)s”: re-open it to carry on with the resettlement.")
            % {"state": case.get_state_display()}
        )
    kwargs = _checked(plan, name, values)
    outcomes = _outcomes(values) if name == "settle" else None
    if name == "settle" and not case.close._django_fsm.has_transition(case.state):
        raise PathwayError(
            _(
                "The case is “%(state)s” and cannot close yet, so the person cannot be recorded "
                "as settled: take the case on first."
            )
            % {"state": case.get_state_display()}
        )
    run_transition(
        plan,
        name,
        by=by,
        permission="returns.edit",
        expected_version=expected_version,
        **kwargs,
    )
    _record(plan, by=by, kind=f"resettlement.{name}", reason=kwargs.get("reason", ""))
    if name == "settle":
        if plan.case.return_plans.exclude(state__in=RETURN_ENDED).exists():
            raise PathwayError(
                _("A voluntary return is in progress on this case: withdraw it before settling.")
            )
        # A refusal here (an open placement...) undoes the step with it.
        case_close(
            by=by,
            case=case,
            expected_version=case.version,
            closure_reason="moved_on",
            outcomes=outcomes,
            closed_on=kwargs["on"],
            reason=_("Resettled in the UK"),
        )
    return plan
