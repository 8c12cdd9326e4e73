"""Every write to a voluntary return: starting it, its details, its steps and the follow-up
contacts after arrival. The last follow-up completes the return and closes the case with the
reason "returned home"; nothing closes it before then. Legal matters are left alone: they
continue after a return."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from carepath import policy
from carepath.audit import timeline
from carepath.checks import amount, dated, day_label, not_before, text
from carepath.pathway import (
    PathwayError,
    declared_transition,
    lock,
    refuse_from_wrong_state,
    run_transition,
    transition_form_of,
    unmet_conditions,
)
from carepath.people.models import User
from casework.models import Case, CaseState
from casework.services.cases import case_close
from returns.models import (
    FollowUp,
    Programme,
    ReturnPlan,
    ReturnState,
    RiskLevel,
    TravelDocument,
    YesNoUnknown,
)

UK = "GB"
ENDED = (ReturnState.COMPLETED, ReturnState.WITHDRAWN)
AFTER_DEPARTURE = (ReturnState.DEPARTED, ReturnState.ARRIVED, ReturnState.REINTEGRATING)

# The values each form of transition (custom["form"]) takes: (required, optional).
FORM_VALUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "apply": (("on", "programme"), ()),
    "decision": (("on", "reasons"), ()),
    "documents": (("travel_document",), ("passport_held_by",)),
    "booking": (
        ("booked_on", "departs_on"),
        ("flight", "departure_point", "escort", "arrival_reception"),
    ),
    "dated": (("on",), ()),
    "arrival": (("on",), ("partner_organisation",)),
    "reintegration": (
        (),
        ("grant_amount", "business_start_up", "vocational_training", "education", "notes"),
    ),
    "reason": (("reason",), ()),
}
TEXT_LIMITS = {
    "passport_held_by": 150,
    "flight": 100,
    "departure_point": 150,
    "escort": 150,
    "arrival_reception": 200,
    "partner_organisation": 200,
    "best_interests_by": 150,
}
UPDATE_FIELDS = (
    "wishes",
    "risk_assessed_on",
    "retrafficking_risk",
    "exploiters_can_reach",
    "safety_on_arrival",
    "best_interests_decided_on",
    "best_interests_by",
    "passport_held_by",
    "follow_up_consent",
)
READY_DOCUMENTS = (TravelDocument.ISSUED, TravelDocument.HELD)


def _refuse_if_ended(plan: ReturnPlan) -> None:
    if plan.state in ENDED:
        raise PathwayError(
            _("This return is “%(state)s”: it can no longer be changed.")
            % {"state": plan.get_state_display()}
        )
    if not plan.case.is_open:
        raise PathwayError(_("The case is closed: re-open it to carry on with the return."))


def _record(plan: ReturnPlan, *, by: User, kind: str, reason: str = "", **detail) -> None:
    timeline.record(plan.case, by=by, kind=kind, reason=reason, detail={"plan": plan.pk, **detail})


# --- Starting and changing a return -------------------------------------------------------


@transaction.atomic
def return_plan_start(*, by: User, case: Case, country: str, wishes: str = "") -> ReturnPlan:
    """Start exploring a return with the person. One return at a time: an earlier one must be
    completed or withdrawn first."""
    policy.require(by, "case.edit", case)
    # Two people starting a return at once: the case row serialises them.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise PathwayError(_("A return can only be planned on an open case."))
    country = (country or "").strip().upper()
    if not country:
        raise PathwayError(_("Choose the country of return."))
    if country == UK:
        raise PathwayError(
            _("A return is to a country outside the UK: for a life in the UK, plan a resettlement.")
        )
    if country not in dict(countries):
        raise PathwayError(_("Choose the country of return from the list."))
    if case.return_plans.exclude(state__in=ENDED).exists():
        raise PathwayError(
            _(
                "This case already has a return in progress: complete or withdraw it before "
                "starting another."
            )
        )
    plan = ReturnPlan(case=case, country=country, wishes=(wishes or "").strip(), created_by=by)
    plan._history_user = by
    plan.save()
    _record(plan, by=by, kind="return.started", country=country)
    return plan


def _checked_update(plan: ReturnPlan, merged: dict) -> None:
    today = timezone.localdate()
    assessed = merged["risk_assessed_on"]
    answers = (
        merged["retrafficking_risk"],
        merged["exploiters_can_reach"],
        merged["safety_on_arrival"],
    )
    if assessed is None:
        if any(answers):
            raise PathwayError(_("Enter the date the risk of return was assessed."))
        if plan.state != ReturnState.EXPLORING:
            raise PathwayError(
                _("The risk-of-return assessment cannot be removed once the return is applied for.")
            )
    else:
        if not isinstance(assessed, date):
            raise PathwayError(_("Enter the date the risk of return was assessed."))
        if assessed > today:
            raise PathwayError(_("The risk-of-return assessment cannot be dated in the future."))
        if merged["retrafficking_risk"] not in RiskLevel.values:
            raise PathwayError(_("Say how high the risk of re-trafficking is."))
        if merged["exploiters_can_reach"] not in YesNoUnknown.values:
            raise PathwayError(
                _("Say whether the exploiters can reach the person or their family.")
            )
        if not merged["safety_on_arrival"]:
            raise PathwayError(_("Describe how safe the person will be on arrival."))
    decided, decided_by = merged["best_interests_decided_on"], merged["best_interests_by"]
    if decided is not None and not isinstance(decided, date):
        raise PathwayError(_("Enter the date of the best-interests decision."))
    if decided is not None and decided > today:
        raise PathwayError(_("The best-interests decision cannot be dated in the future."))
    if decided is not None and not decided_by:
        raise PathwayError(_("Say which local authority made the best-interests decision."))
    if decided is None and decided_by:
        raise PathwayError(_("Enter the date of the best-interests decision."))
    if decided is None and plan.case.is_child and plan.state != ReturnState.EXPLORING:
        raise PathwayError(
            _("A child's best-interests decision cannot be removed once the return is applied for.")
        )
    if merged["follow_up_consent"] != plan.follow_up_consent and plan.state in AFTER_DEPARTURE:
        raise PathwayError(
            _(
                "Consent to follow-up contact was settled at departure, when the follow-ups "
                "were planned: it cannot be changed now."
            )
        )


@transaction.atomic
def return_plan_update(
    *, by: User, plan: ReturnPlan, expected_version: int | None, values: dict
) -> ReturnPlan:
    """The details that are not a step: wishes, the risk-of-return assessment, a child's
    best-interests decision, where the passport is held and consent to follow-up contact."""
    unknown = set(values) - set(UPDATE_FIELDS)
    if unknown:
        raise TypeError(f"return_plan_update does not take {', '.join(sorted(unknown))}")
    policy.require(by, "returns.edit", plan)
    lock(plan, expected_version=expected_version, by=by)
    _refuse_if_ended(plan)
    merged = {name: getattr(plan, name) for name in UPDATE_FIELDS}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "follow_up_consent":
            value = bool(value)
        merged[name] = value
    for name in ("passport_held_by", "best_interests_by"):
        text(merged, name, limit=TEXT_LIMITS.get(name))
    _checked_update(plan, merged)
    changed = [name for name in UPDATE_FIELDS if merged[name] != getattr(plan, name)]
    for name in changed:
        setattr(plan, name, merged[name])
    plan.save()
    _record(plan, by=by, kind="return.updated", fields=changed)
    return plan


# --- The steps of a return ----------------------------------------------------------------


def transition_of(name: str):
    """The declared, visible transition ``name`` of a return plan, or None."""
    return declared_transition(ReturnPlan, name, include_hidden=False)


def transition_form(name: str) -> str | None:
    return transition_form_of(ReturnPlan, name, include_hidden=False)


def _checked(plan: ReturnPlan, name: str, values: dict) -> dict:
    if name == "apply":
        on = dated(values.get("on"), what=_("the date of the application"))
        programme = values.get("programme") or ""
        if programme not in Programme.values:
            raise PathwayError(_("Choose the programme the return was applied to."))
        return {"on": on, "programme": programme}
    if name in ("find_eligible", "find_ineligible"):
        what = _("the date of the eligibility decision")
        on = dated(values.get("on"), what=what)
        not_before(on, plan.applied_on, what=what, after=_("the application"))
        reasons = text(
            values,
            "reasons",
            limit=TEXT_LIMITS.get("reasons"),
            missing=_("Give the reasons for the decision."),
        )
        return {"on": on, "reasons": reasons}
    if name == "documents_ready":
        document = values.get("travel_document") or ""
        if document not in READY_DOCUMENTS:
            raise PathwayError(
                _(
                    "Travel documents are ready only once issued or held by the person: until "
                    "then, leave the return where it is."
                )
            )
        return {
            "travel_document": document,
            "passport_held_by": text(
                values, "passport_held_by", limit=TEXT_LIMITS.get("passport_held_by")
            ),
        }
    if name == "book_travel":
        what = _("the date the travel was booked")
        booked_on = dated(values.get("booked_on"), what=what)
        not_before(
            booked_on,
            plan.eligibility_decided_on,
            what=what,
            after=_("the eligibility decision"),
        )
        # A booked departure is usually still to come.
        departs_on = dated(values.get("departs_on"), what=_("the departure date"), future=True)
        not_before(
            departs_on,
            booked_on,
            what=_("the departure date"),
            after=_("the date the travel was booked"),
        )
        return {
            "booked_on": booked_on,
            "departs_on": departs_on,
            **{
                key: text(values, key, limit=TEXT_LIMITS.get(key))
                for key in ("flight", "departure_point", "escort", "arrival_reception")
            },
        }
    if name == "depart":
        what = _("the date of departure")
        on = dated(values.get("on"), what=what)
        not_before(on, plan.booked_on, what=what, after=_("the date the travel was booked"))
        return {"on": on}
    if name == "arrive":
        what = _("the date of arrival")
        on = dated(values.get("on"), what=what)
        not_before(on, plan.departed_on, what=what, after=_("the departure"))
        return {
            "on": on,
            "partner_organisation": text(
                values, "partner_organisation", limit=TEXT_LIMITS.get("partner_organisation")
            ),
        }
    if name == "reintegrate":
        return {
            "grant_amount": amount(values.get("grant_amount"), noun=_("the grant")),
            "business_start_up": bool(values.get("business_start_up")),
            "vocational_training": bool(values.get("vocational_training")),
            "education": bool(values.get("education")),
            "notes": (values.get("notes") or "").strip(),
        }
    return {
        "reason": text(
            values, "reason", limit=TEXT_LIMITS.get("reason"), missing=_("Give the reason.")
        )
    }


@transaction.atomic
def return_transition(
    *, by: User, plan: ReturnPlan, name: str, expected_version: int | None, values: dict
) -> ReturnPlan:
    """Take the step ``name`` with ``values`` (the step's own: on, programme, reasons,
    travel_document, passport_held_by, booked_on, departs_on, flight, departure_point, escort,
    arrival_reception, partner_organisation, grant_amount, business_start_up,
    vocational_training, education, notes, reason). ``complete`` is not one of them: it is
    taken when the last follow-up is recorded."""
    found = transition_of(name)
    if found is None:
        raise PathwayError(_("This step does not apply to a return."))
    required, optional = FORM_VALUES[(found.custom or {}).get("form", "")]
    unknown = set(values) - {*required, *optional}
    if unknown:
        raise TypeError(f"{name} does not take {', '.join(sorted(unknown))}")
    policy.require(by, "returns.edit", plan)
    # A stale form is told so before anything else: the person is looking at an old record.
    lock(plan, expected_version=expected_version, by=by)
    refuse_from_wrong_state(plan, name, what=_("the return"))
    if name != "withdraw" and not plan.case.is_open:
        raise PathwayError(_("The case is closed: re-open it to carry on with the return."))
    if name == "apply" and plan.case.state == CaseState.REFERRED:
        raise PathwayError(
            _("Take the case on first: a return ends the case's support, which has not begun.")
        )
    # What is missing on the plan (the risk assessment...) matters more than the form's values.
    missing = unmet_conditions(plan, name)
    if missing:
        raise PathwayError(" ".join(missing))
    kwargs = _checked(plan, name, values)
    run_transition(
        plan, name, by=by, permission="returns.edit", expected_version=expected_version, **kwargs
    )
    _record(plan, by=by, kind=f"return.{name}", reason=kwargs.get("reason", ""))
    if name == "depart" and plan.follow_up_consent:
        _plan_follow_ups(plan, by=by)
    if name == "reintegrate":
        # Every follow-up may already be done (contact kept up before support was recorded).
        _complete_if_done(plan, by=by)
    return plan


def _plan_follow_ups(plan: ReturnPlan, *, by: User) -> None:
    for months in settings.RETURN_FOLLOW_UP_MONTHS:
        follow_up = FollowUp(
            plan=plan,
            months_after=months,
            due_on=plan.departed_on + relativedelta(months=months),
        )
        follow_up._history_user = by
        follow_up.save()


def _complete_if_done(plan: ReturnPlan, *, by: User) -> None:
    """The return is complete, and the case's support ends with it, when the person is being
    supported to reintegrate and every follow-up agreed at departure has been made. Without
    agreed follow-ups nothing is automatic: the caseworker closes the case."""
    follow_ups = plan.follow_ups.all()
    if plan.state != ReturnState.REINTEGRATING or not follow_ups.exists():
        return
    if follow_ups.filter(done_on__isnull=True).exists():
        return
    last = follow_ups.aggregate(last=Max("done_on"))["last"]
    run_transition(plan, "complete", by=by, permission="returns.edit")
    _record(plan, by=by, kind="return.complete")
    case = Case.objects.select_for_update().get(pk=plan.case_id)
    if not case.close._django_fsm.has_transition(case.state):
        raise PathwayError(
            _("The case cannot close while it is “%(state)s”, so the return cannot complete.")
            % {"state": case.get_state_display()}
        )
    case_close(
        by=by,
        case=case,
        expected_version=case.version,
        closure_reason="returned_home",
        outcomes=["safe_return"],
        closed_on=last,
        reason=_("Returned home; follow-ups complete"),
    )
    plan.case = case


# --- Follow-up contacts after return ------------------------------------------------------


@transaction.atomic
def follow_up_record(
    *, by: User, follow_up: FollowUp, done_on, contact_made: bool, outcome: str
) -> FollowUp:
    """Record (or correct, until the return completes) a follow-up contact. The last one
    completes the return and closes the case with the reason "returned home"."""
    policy.require(by, "returns.edit", follow_up)
    # The plan row serialises two people recording the last follow-ups at once.
    plan = ReturnPlan.objects.select_for_update().select_related("case").get(pk=follow_up.plan_id)
    plan._history_user = by
    _refuse_if_ended(plan)
    if plan.state not in AFTER_DEPARTURE or plan.departed_on is None:
        raise PathwayError(_("Follow-up contacts start after the departure."))
    what = _("the date of the follow-up")
    done_on = dated(done_on, what=what)
    if done_on < plan.departed_on:
        raise PathwayError(
            _("A follow-up cannot be before the departure (%(day)s).")
            % {"day": day_label(plan.departed_on)}
        )
    outcome = (outcome or "").strip()
    if not outcome:
        raise PathwayError(_("Describe the outcome of the follow-up."))
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    corrected = follow_up.done_on is not None
    follow_up.done_on, follow_up.contact_made = done_on, bool(contact_made)
    follow_up.outcome, follow_up.recorded_by = outcome, by
    follow_up._history_user = by
    follow_up.save()
    _record(
        plan,
        by=by,
        kind="return.follow_up",
        follow_up=follow_up.pk,
        months_after=follow_up.months_after,
        contact_made=follow_up.contact_made,
        corrected=corrected,
    )
    _complete_if_done(plan, by=by)
    return follow_up
