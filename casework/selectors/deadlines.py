"""Deadlines and targets derived from a case's dates and the dated period rules."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carepath.clocks.models import PeriodRule, PeriodUnit
from carepath.clocks.selectors import NoPeriodRule, all_period_rules, deadline
from casework.models import (
    Case,
    CaseState,
    CicaClaim,
    CicaState,
    CriminalJusticeMatter,
    ImmigrationMatter,
    ImmigrationState,
    LegalMatter,
    LegalStep,
    MatterKind,
    NrmRecord,
    NrmState,
    StepKind,
    SupportGoal,
)
from casework.models.records import GoalStatus
from casework.selectors.legal import matter_deadlines
from returns.models import FollowUp, ReturnPlan, ReturnState

# A return's follow-up contacts are due from the departure until the return is complete.
RETURN_FOLLOWING_UP = (ReturnState.DEPARTED, ReturnState.ARRIVED, ReturnState.REINTEGRATING)

DUE_SOON = timedelta(days=7)


@dataclass(frozen=True)
class Deadline:
    label: str
    due: date
    today: date
    # A target is reported when missed, never enforced (e.g. the 5 working day RG target).
    is_target: bool = False
    # "nrm" for the NRM clocks, which the caseload shows in their own column.
    kind: str = ""

    @property
    def status(self) -> str:
        if self.due < self.today:
            return "overdue"
        if self.due - self.today <= DUE_SOON:
            return "due"
        return "upcoming"

    @property
    def status_label(self) -> str:
        if self.status == "overdue":
            return str(_("Target missed")) if self.is_target else str(_("Overdue"))
        return str(_("Due soon")) if self.status == "due" else str(_("Upcoming"))


def recovery_period_end(case: Case, *, rules: Sequence[PeriodRule] | None = None) -> date | None:
    nrm = case.nrm
    if nrm.rg_decision_on is None or not nrm.rg_positive:
        return None
    if nrm.recovery_curtailed_to:
        return nrm.recovery_curtailed_to
    return deadline(
        kind="nrm_recovery_period",
        jurisdiction=case.jurisdiction,
        start=nrm.rg_decision_on,
        extra_days=nrm.recovery_extension_days,
        rules=rules,
    )


def rg_target(case: Case, *, rules: Sequence[PeriodRule] | None = None) -> date | None:
    if case.nrm.submitted_on is None:
        return None
    return deadline(
        kind="nrm_rg_target",
        jurisdiction=case.jurisdiction,
        start=case.nrm.submitted_on,
        rules=rules,
    )


def move_on_end(case: Case, *, rules: Sequence[PeriodRule] | None = None) -> date | None:
    nrm = case.nrm
    if nrm.cg_decision_on is None or not nrm.cg_positive:
        return None
    return deadline(
        kind="nrm_move_on", jurisdiction=case.jurisdiction, start=nrm.cg_decision_on, rules=rules
    )


def case_deadlines(
    case: Case, *, today: date, rules: Sequence[PeriodRule] | None = None
) -> list[Deadline]:
    """The case's open deadlines, soonest first. Expects ``nrm``, ``support_goals``, the legal
    matters and the return plans to be loaded (``with_deadline_data``) when called for many
    cases."""
    if case.state not in (
        CaseState.ASSESSING,
        CaseState.SUPPORTED,
        CaseState.MOVING_ON,
        CaseState.MISSING,
        CaseState.REFERRED,
    ):
        return []
    rules = rules if rules is not None else all_period_rules()
    found: list[Deadline] = []
    state = case.nrm.state
    try:
        if state == NrmState.SUBMITTED:
            found.append(
                Deadline(
                    _("Reasonable grounds decision (5 working day target)"),
                    rg_target(case, rules=rules),
                    today,
                    is_target=True,
                    kind="nrm",
                )
            )
        elif state == NrmState.RG_POSITIVE:
            found.append(
                Deadline(
                    _("Recovery period ends"),
                    recovery_period_end(case, rules=rules),
                    today,
                    kind="nrm",
                )
            )
        elif state == NrmState.CG_POSITIVE:
            end = move_on_end(case, rules=rules)
            if end >= today:
                found.append(Deadline(_("Move-on support ends"), end, today, kind="nrm"))
    except NoPeriodRule:
        pass  # no rule configured for that date: nothing to show rather than a wrong date
    for goal in case.support_goals.all():
        if goal.status == GoalStatus.OPEN:
            found.append(
                Deadline(
                    _("Support plan review: %(area)s") % {"area": goal.get_area_display()},
                    goal.review_date,
                    today,
                )
            )
    for matter in case.legal_matters.all():
        found += [
            Deadline(label, due, today, kind="legal")
            for label, due in matter_deadlines(matter, case, rules=rules)
        ]
    for plan in case.return_plans.all():
        found += return_deadlines(plan, today=today)
    if (
        case.state == CaseState.MISSING
        and case.is_child
        and not (case.missing_police_notified_at and case.missing_local_authority_notified_at)
    ):
        found.append(
            Deadline(
                _("Missing child: notify the police and the local authority"),
                timezone.localdate(case.missing_since),
                today,
            )
        )
    return sorted(found, key=lambda d: d.due)


def return_deadlines(plan: ReturnPlan, *, today: date) -> list[Deadline]:
    """A voluntary return's departure while the travel is booked, and its follow-up contacts
    not yet made once the person has left. Reads ``follow_ups`` (prefetch them for many)."""
    if plan.state == ReturnState.TRAVEL_BOOKED and plan.departs_on is not None:
        return [Deadline(_("Departure"), plan.departs_on, today, kind="return")]
    if plan.state not in RETURN_FOLLOWING_UP:
        return []
    return [
        Deadline(
            ngettext(
                "Follow-up contact after return (%(months)d month)",
                "Follow-up contact after return (%(months)d months)",
                follow_up.months_after,
            )
            % {"months": follow_up.months_after},
            follow_up.due_on,
            today,
            kind="return",
        )
        for follow_up in plan.follow_ups.all()
        if follow_up.done_on is None
    ]


def with_deadlines(
    cases: Iterable[Case], *, today: date, rules: Sequence[PeriodRule] | None = None
) -> list[tuple[Case, list[Deadline]]]:
    rules = rules if rules is not None else all_period_rules()
    return [(case, case_deadlines(case, today=today, rules=rules)) for case in cases]


# --- Narrowing in the database -----------------------------------------------------------------


def _days(rule: PeriodRule, *, longest: bool = False) -> int:
    """The fewest (or most) calendar days a period of this rule can last."""
    if rule.unit == PeriodUnit.MONTHS:
        return rule.length * (31 if longest else 28)
    if rule.unit == PeriodUnit.YEARS:
        return rule.length * (366 if longest else 365)
    if rule.unit == PeriodUnit.WORKING_DAYS and longest:
        return rule.length * 2 + 14  # weekends and bank holidays: never used as a notice
    return rule.length


def _started_before(rules: Sequence[PeriodRule], kind: str, today: date) -> date | None:
    """A period of ``kind`` that has run out by today started before this day, whatever the
    jurisdiction or the rule in force (None: no rule, so no deadline of that kind)."""
    lengths = [_days(rule) for rule in rules if rule.kind == kind]
    return today - timedelta(days=min(lengths)) if lengths else None


def may_be_overdue(*, today: date, rules: Sequence[PeriodRule]) -> Q:
    """A condition on cases that every case with an overdue deadline meets (and a few without:
    each period is taken at its shortest, a claim still to be made whatever its dates). The
    database narrows the cases with it; ``case_deadlines`` then works out each one exactly. It
    follows ``case_deadlines`` clause by clause: a deadline added there is added here.

    Each kind of deadline is a query of the ids of the cases that may have one overdue, most
    answered from a partial index, and the database puts them together once (a UNION) rather
    than testing each case for each kind."""
    found = [SupportGoal.objects.filter(status=GoalStatus.OPEN, review_date__lt=today)]
    if (start := _started_before(rules, "nrm_rg_target", today)) is not None:
        found.append(NrmRecord.objects.filter(state=NrmState.SUBMITTED, submitted_on__lt=start))
    recovery = Q(recovery_curtailed_to__lt=today) | Q(recovery_extension_days__lt=0)
    if (start := _started_before(rules, "nrm_recovery_period", today)) is not None:
        recovery |= Q(recovery_curtailed_to=None, rg_decision_on__lt=start)
    found.append(NrmRecord.objects.filter(recovery, state=NrmState.RG_POSITIVE))
    # A positive conclusive grounds decision's move-on period is shown until it ends, never
    # as overdue.
    found.append(ReturnPlan.objects.filter(state=ReturnState.TRAVEL_BOOKED, departs_on__lt=today))
    found.append(
        LegalMatter.objects.filter(pk__in=_union(_legal_may_be_overdue(today=today, rules=rules)))
    )
    if (start := _started_before(rules, "police_update", today)) is not None:
        # Overdue only if the matter was opened, and last updated, before ``start``.
        updated_since = LegalStep.objects.filter(
            matter=OuterRef("pk"), kind=StepKind.POLICE_UPDATE, done_on__gte=start
        )
        found.append(
            LegalMatter.objects.filter(kind=MatterKind.CRIMINAL_JUSTICE, opened_on__lt=start)
            .exclude(justice__state__in=CriminalJusticeMatter.FINAL_STATES)
            .exclude(Exists(updated_since))
        )
    cases = [rows.values_list("case_id") for rows in found]
    cases.append(
        FollowUp.objects.filter(
            plan__state__in=RETURN_FOLLOWING_UP, done_on=None, due_on__lt=today
        ).values_list("plan__case_id")
    )
    missing = Q(state=CaseState.MISSING) & (
        Q(missing_police_notified_at=None) | Q(missing_local_authority_notified_at=None)
    )
    return Q(pk__in=_union(cases)) | missing


def _legal_may_be_overdue(*, today: date, rules: Sequence[PeriodRule]) -> list[QuerySet]:
    """The ids of the legal matters that may have a deadline overdue (the police updates aside)."""
    # A claim still to be made: its deadline depends on the person's age at the incident.
    claims = Q(state=CicaState.CONSIDERING) & ~Q(extended_to__gte=today)
    for state, field, kind in (
        (CicaState.DECIDED, "decided_on", "cica_review"),
        (CicaState.REVIEWED, "review_decided_on", "cica_appeal"),
    ):
        if (start := _started_before(rules, kind, today)) is not None:
            claims |= Q(state=state, **{f"{field}__lt": start})
    notices = [_days(r, longest=True) for r in rules if r.kind == "leave_extension_notice"]
    expiring = today + timedelta(days=max(notices, default=0))
    immigration = Q(state=ImmigrationState.GRANTED, leave_expires_on__lt=expiring)
    if (start := _started_before(rules, "immigration_appeal", today)) is not None:
        immigration |= Q(state=ImmigrationState.REFUSED, decided_on__lt=start)
    found = [
        LegalStep.objects.filter(due_on__lt=today, done_on=None),
        CicaClaim.objects.filter(claims),
        ImmigrationMatter.objects.filter(immigration),
    ]
    return [rows.values_list("matter_id") for rows in found]


def _union(queries: list[QuerySet]) -> QuerySet:
    """The rows of every query (each of one column), as one query to use in a filter."""
    first, *rest = (query.order_by() for query in queries)
    return first.union(*rest, all=True)


def matter_deadline_rows(matter: LegalMatter, case: Case, *, today, rules) -> list[Deadline]:
    """A matter's open deadlines, soonest first, labelled without the matter's title."""
    prefix = f"{matter.title}: "
    return sorted(
        (
            Deadline(label.removeprefix(prefix), due, today, kind="legal")
            for label, due in matter_deadlines(matter, case, rules=rules)
        ),
        key=lambda d: d.due,
    )
