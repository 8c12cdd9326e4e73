"""Bench legal matters (each kind's own record and dated steps) and exit plans: voluntary
returns and resettlements, with a closed case's plan finished when the case closed for it."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings

from carepath.bench.base import Bench, set_state
from carepath.bench.cases import CaseFacts, Events
from casework.models import (
    CaseState,
    CicaClaim,
    CicaState,
    CivilKind,
    CivilMatter,
    CivilState,
    CriminalJusticeMatter,
    ImmigrationMatter,
    ImmigrationRoute,
    ImmigrationState,
    JusticeState,
    LegalMatter,
    LegalStep,
    MatterKind,
    StepKind,
)
from casework.models import choices as c
from returns.models import (
    FollowUp,
    Programme,
    ResettlementPlan,
    ResettlementState,
    ReturnPlan,
    ReturnState,
    TravelDocument,
)

MATTER_KINDS = (
    (MatterKind.IMMIGRATION, 35),
    (MatterKind.CRIMINAL_JUSTICE, 30),
    (MatterKind.CICA, 20),
    (MatterKind.CIVIL, 15),
)
TITLES = {
    MatterKind.IMMIGRATION: "Immigration application",
    MatterKind.CRIMINAL_JUSTICE: "Police investigation",
    MatterKind.CICA: "Compensation claim",
    MatterKind.CIVIL: "Wages owed",
}


def seed_legal(bench: Bench, cases: list[CaseFacts]) -> None:
    rng = bench.rng
    events = Events(bench)
    matters: list[tuple[LegalMatter, CaseFacts, date, date]] = []
    for facts in cases:
        if facts.accepted_on is None or not bench.chance(0.3):
            continue
        end = min(facts.closed_on or bench.today, bench.today)
        for _m in range(1 if bench.chance(0.8) else 2):
            kind = bench.covering(len(matters), MATTER_KINDS)
            opened = bench.day_between(facts.accepted_on, end)
            matter = LegalMatter(
                case_id=facts.pk,
                kind=kind,
                title=TITLES[kind],
                opened_on=opened,
                solicitor="Solicitor" if kind != MatterKind.CRIMINAL_JUSTICE else "",
                firm="Bench Law LLP" if kind != MatterKind.CRIMINAL_JUSTICE else "",
                created_by=facts.actor,
                created_at=bench.at(opened),
            )
            matters.append((matter, facts, opened, end))
            events.add(facts, "legal.opened", matter.created_at, kind=kind)
    bench.insert([m for m, _f, _o, _e in matters])
    details = {CicaClaim: [], ImmigrationMatter: [], CriminalJusticeMatter: [], CivilMatter: []}
    steps = []
    for matter, facts, opened, end in matters:
        closed = facts.state == CaseState.CLOSED
        detail = _detail(bench, matter, opened, end, closed)
        details[type(detail)].append(detail)
        for _s in range(rng.randint(0, 3)):
            kind = rng.choice(StepKind.values)
            done = bench.chance(0.6) or closed
            day = bench.day_between(opened, end)
            steps.append(
                LegalStep(
                    matter=matter,
                    kind=kind,
                    description="A step of the matter.",
                    done_on=day if done else None,
                    due_on=None if done else day + timedelta(days=rng.randint(-10, 60)),
                    created_by=facts.actor,
                    created_at=bench.at(opened),
                )
            )
    for rows in details.values():
        bench.insert(rows)
    bench.insert(steps)
    events.flush()


def _detail(bench: Bench, matter: LegalMatter, opened: date, end: date, closed: bool):
    rng = bench.rng
    later = bench.day_between(opened, end)
    if matter.kind == MatterKind.CICA:
        claim = CicaClaim(matter=matter, incident_on=opened - timedelta(days=rng.randint(30, 500)))
        state = (
            CicaState.CLOSED
            if closed
            else rng.choice((CicaState.CONSIDERING, CicaState.APPLIED, CicaState.DECIDED))
        )
        set_state(claim, state)
        if state != CicaState.CONSIDERING:
            claim.applied_on = opened
            claim.reference = f"CICA/{matter.case_id}"
        if state in (CicaState.DECIDED, CicaState.CLOSED):
            claim.decided_on = later
            claim.amount_awarded = rng.choice((0, 1000, 2200, 11000))
        return claim
    if matter.kind == MatterKind.IMMIGRATION:
        immigration = ImmigrationMatter(matter=matter, route=rng.choice(ImmigrationRoute.values))
        state = (
            ImmigrationState.CLOSED
            if closed
            else rng.choice(
                (
                    ImmigrationState.PREPARING,
                    ImmigrationState.APPLIED,
                    ImmigrationState.GRANTED,
                    ImmigrationState.REFUSED,
                )
            )
        )
        set_state(immigration, state)
        if state != ImmigrationState.PREPARING:
            immigration.applied_on = opened
        if state in (ImmigrationState.GRANTED, ImmigrationState.REFUSED, ImmigrationState.CLOSED):
            immigration.decided_on = later
        if state == ImmigrationState.GRANTED:
            immigration.leave_granted = "Temporary Permission to Stay, 12 months"
            immigration.leave_expires_on = later + timedelta(days=365)
        return immigration
    if matter.kind == MatterKind.CRIMINAL_JUSTICE:
        justice = CriminalJusticeMatter(
            matter=matter, police_force="Police", crime_reference=f"CR/{matter.case_id}"
        )
        set_state(
            justice,
            (
                rng.choice((JusticeState.CONCLUDED, JusticeState.NO_FURTHER_ACTION))
                if closed
                else rng.choice(
                    (
                        JusticeState.REPORTED,
                        JusticeState.INVESTIGATING,
                        JusticeState.CHARGED,
                        JusticeState.AT_COURT,
                    )
                )
            ),
        )
        if justice.state in (JusticeState.CHARGED, JusticeState.AT_COURT, JusticeState.CONCLUDED):
            justice.charged_on = later
        if justice.state in (JusticeState.CONCLUDED, JusticeState.NO_FURTHER_ACTION):
            justice.concluded_on = end
            justice.outcome = "Recorded."
        return justice
    civil = CivilMatter(matter=matter, civil_kind=rng.choice(CivilKind.values))
    if closed or bench.chance(0.3):
        set_state(civil, CivilState.CLOSED)
        civil.closed_on, civil.outcome = later, "Settled."
    return civil


# --- Voluntary returns and resettlement ----------------------------------------------------------


def seed_exit_plans(bench: Bench, cases: list[CaseFacts]) -> None:
    events = Events(bench)
    returns, resettlements, follow_ups = [], [], []
    for facts in cases:
        if facts.state == CaseState.CLOSED and facts.closure_reason == c.ClosureReason.RETURNED:
            plan, due = _completed_return(bench, facts)
            returns.append(plan)
            follow_ups.append((plan, due))
            events.add(facts, "return.started", plan.created_at)
            events.add(facts, "return.complete", bench.at(facts.closed_on))
        elif facts.state == CaseState.CLOSED and facts.closure_reason == c.ClosureReason.MOVED_ON:
            if bench.chance(0.3):
                resettlements.append(_settled(bench, facts))
                events.add(facts, "resettlement.started", resettlements[-1].created_at)
        elif facts.state == CaseState.MOVING_ON:
            if bench.chance(0.3):
                plan, due = _return_in_progress(bench, facts, len(returns))
                returns.append(plan)
                follow_ups.append((plan, due))
                events.add(facts, "return.started", plan.created_at)
            elif bench.chance(0.25):
                resettlements.append(_resettling(bench, facts))
                events.add(facts, "resettlement.started", resettlements[-1].created_at)
    bench.insert(returns)
    bench.insert(resettlements)
    bench.insert(
        [
            FollowUp(
                plan=plan,
                months_after=months,
                due_on=due_on,
                done_on=done_on,
                contact_made=done_on is not None,
                outcome="Safe and settled." if done_on else "",
                recorded_by=plan.created_by if done_on else None,
            )
            for plan, due in follow_ups
            for months, due_on, done_on in due
        ]
    )
    events.flush()


def _follow_ups(departed: date, *, done_by: date) -> list[tuple[int, date, date | None]]:
    """(months after, due on, done on) of each follow-up: those due by ``done_by`` were made."""
    rows = []
    for months in settings.RETURN_FOLLOW_UP_MONTHS:
        due = departed + relativedelta(months=months)
        rows.append((months, due, due if due <= done_by else None))
    return rows


def _return(bench: Bench, facts: CaseFacts, started: date) -> ReturnPlan:
    return ReturnPlan(
        case_id=facts.pk,
        country=bench.rng.choice(("AL", "VN", "RO", "NG", "PL")),
        wishes="Wants to go home to family.",
        risk_assessed_on=started,
        retrafficking_risk=bench.rng.choice(("low", "medium", "high")),
        exploiters_can_reach="no",
        created_by=facts.actor,
        created_at=bench.at(started),
    )


def _completed_return(bench: Bench, facts: CaseFacts):
    closed = facts.closed_on
    departed = max(facts.accepted_on, closed - timedelta(days=200))
    started = max(facts.accepted_on, departed - timedelta(days=60))
    plan = _return(bench, facts, started)
    set_state(plan, ReturnState.COMPLETED)
    plan.programme = Programme.IOM
    plan.applied_on = plan.eligibility_decided_on = started
    plan.travel_document = TravelDocument.ISSUED
    plan.booked_on = started
    plan.departs_on = plan.departed_on = plan.arrived_on = departed
    plan.partner_organisation = "Partner NGO"
    plan.follow_up_consent = True
    # Only the follow-ups due before the case closed were made: the rest were never planned.
    due = [row for row in _follow_ups(departed, done_by=closed) if row[2] is not None]
    return plan, due


def _return_in_progress(bench: Bench, facts: CaseFacts, index: int):
    today = bench.today
    state = bench.covering(
        index,
        (
            (ReturnState.EXPLORING, 25),
            (ReturnState.APPLIED, 15),
            (ReturnState.ELIGIBLE, 10),
            (ReturnState.INELIGIBLE, 5),
            (ReturnState.DOCUMENTS_READY, 10),
            (ReturnState.TRAVEL_BOOKED, 10),
            (ReturnState.DEPARTED, 8),
            (ReturnState.ARRIVED, 7),
            (ReturnState.REINTEGRATING, 5),
            (ReturnState.WITHDRAWN, 5),
        ),
    )
    order = [s for s, _w in ReturnState.choices]
    reached = order.index(state)
    started = max(facts.accepted_on, today - timedelta(days=120))
    plan = _return(bench, facts, started)
    set_state(plan, state)
    due = []
    if state == ReturnState.WITHDRAWN:
        plan.state_reason = "Decided to stay."
        return plan, due
    if reached >= order.index(ReturnState.APPLIED):
        plan.applied_on, plan.programme = started + timedelta(days=7), Programme.HOME_OFFICE
    if state == ReturnState.INELIGIBLE or reached >= order.index(ReturnState.ELIGIBLE):
        plan.eligibility_decided_on = started + timedelta(days=21)
    if reached >= order.index(ReturnState.DOCUMENTS_READY) and state != ReturnState.INELIGIBLE:
        plan.travel_document = TravelDocument.ISSUED
    if reached >= order.index(ReturnState.TRAVEL_BOOKED) and state != ReturnState.INELIGIBLE:
        plan.booked_on = started + timedelta(days=40)
        plan.departs_on = today + timedelta(days=bench.rng.randint(2, 30))
        plan.flight = "BA 0000"
    if reached >= order.index(ReturnState.DEPARTED) and state != ReturnState.INELIGIBLE:
        departed = today - timedelta(days=bench.rng.randint(20, 100))
        plan.departs_on = plan.departed_on = departed
        plan.follow_up_consent = True
        due = _follow_ups(departed, done_by=today - timedelta(days=5))
        if state != ReturnState.DEPARTED:
            plan.arrived_on = departed
            plan.partner_organisation = "Partner NGO"
    return plan, due


def _settled(bench: Bench, facts: CaseFacts) -> ResettlementPlan:
    applied = facts.accepted_on
    closed = facts.closed_on
    return ResettlementPlan(
        case_id=facts.pk,
        state=ResettlementState.SETTLED,
        leave_applied_on=applied,
        leave_granted_on=applied,
        housing_secured_on=closed,
        housing="Own tenancy",
        income_in_place_on=closed,
        income="Employment",
        settled_on=closed,
        created_by=facts.actor,
        created_at=bench.at(applied),
    )


def _resettling(bench: Bench, facts: CaseFacts) -> ResettlementPlan:
    applied = max(facts.accepted_on, bench.today - timedelta(days=90))
    state = bench.rng.choice(
        (
            ResettlementState.LEAVE_APPLIED,
            ResettlementState.LEAVE_GRANTED,
            ResettlementState.HOUSING_SECURED,
            ResettlementState.INCOME_IN_PLACE,
        )
    )
    plan = ResettlementPlan(
        case_id=facts.pk,
        state=state,
        leave_applied_on=applied,
        created_by=facts.actor,
        created_at=bench.at(applied),
    )
    order = [s for s, _w in ResettlementState.choices]
    if order.index(state) >= 1:
        plan.leave_granted_on = applied + timedelta(days=30)
    if order.index(state) >= 2:
        plan.housing_secured_on, plan.housing = applied + timedelta(days=45), "Own tenancy"
    if order.index(state) >= 3:
        plan.income_in_place_on, plan.income = applied + timedelta(days=60), "Employment"
    return plan
