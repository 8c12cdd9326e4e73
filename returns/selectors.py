"""Reads of the exit pathways: a case's return and resettlement plans for its page, and the
returns report for service managers (counts only, no person)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from carepath.people.models import Role, Team, User
from carepath.reporting.tables import LABEL, NUMBER, TOTAL, Chart, Column, Table
from casework.models import Case
from casework.selectors.deadlines import return_deadlines
from returns.models import ResettlementState, ReturnPlan, ReturnState

UK = "GB"

# What comes next on a plan, as the case page says it.
RETURN_NEXT_STEP = {
    ReturnState.EXPLORING: gettext_lazy(
        "Talk through the person's wishes, assess the risk of return, then record the application"
    ),
    ReturnState.APPLIED: gettext_lazy("Record the eligibility decision"),
    ReturnState.ELIGIBLE: gettext_lazy("Get the travel documents ready"),
    ReturnState.INELIGIBLE: gettext_lazy("Not eligible: withdraw the return or plan another way"),
    ReturnState.DOCUMENTS_READY: gettext_lazy("Book the travel"),
    ReturnState.TRAVEL_BOOKED: gettext_lazy("Record the departure"),
    ReturnState.DEPARTED: gettext_lazy("Record the arrival"),
    ReturnState.ARRIVED: gettext_lazy("Record the reintegration support"),
    ReturnState.REINTEGRATING: gettext_lazy("Record the follow-up contacts"),
}
RESETTLEMENT_NEXT_STEP = {
    ResettlementState.LEAVE_APPLIED: gettext_lazy("Record the grant of leave"),
    ResettlementState.LEAVE_GRANTED: gettext_lazy("Record the housing secured"),
    ResettlementState.HOUSING_SECURED: gettext_lazy("Record the income, work or study in place"),
    ResettlementState.INCOME_IN_PLACE: gettext_lazy(
        "Record the person as settled: the case closes"
    ),
}
RETURN_ENDED = (ReturnState.COMPLETED, ReturnState.WITHDRAWN)
RESETTLEMENT_ENDED = (ResettlementState.SETTLED, ResettlementState.WITHDRAWN)


# --- The case page ----------------------------------------------------------------------


def exit_plans_prefetch() -> list:
    """Prefetches for ``exit_plans_of`` (and the case's return deadlines): a fixed number of
    queries whatever the number of plans."""
    return [
        Prefetch("return_plans", queryset=ReturnPlan.objects.prefetch_related("follow_ups")),
        "resettlement_plans",
    ]


@dataclass
class ExitPlans:
    returns: list[dict]
    resettlements: list[dict]
    # Every survivor who is not a UK national must be told about assisted voluntary return.
    tell_about_return: bool
    can_start_return: bool
    can_start_resettlement: bool


def is_uk_national(case: Case) -> bool:
    """The verified nationality where there is one, otherwise the one the person gave."""
    nationality = case.verified_nationality or case.claimed_nationality
    return nationality == UK


def exit_plans_of(case: Case, *, today: date) -> ExitPlans:
    """The case's return and resettlement plans, newest first, each with its next step; a
    return with its follow-ups due. Expects ``exit_plans_prefetch`` on the case."""
    return_plans = list(case.return_plans.all())
    resettlement_plans = list(case.resettlement_plans.all())
    returns = []
    for plan in return_plans:
        deadlines = return_deadlines(plan, today=today)
        booked = plan.state == ReturnState.TRAVEL_BOOKED
        returns.append(
            {
                "plan": plan,
                "next_step": RETURN_NEXT_STEP.get(plan.state, ""),
                "departure": deadlines[0] if booked and deadlines else None,
                "follow_ups_due": [] if booked else deadlines,
            }
        )
    resettlements = [
        {"plan": plan, "next_step": RESETTLEMENT_NEXT_STEP.get(plan.state, "")}
        for plan in resettlement_plans
    ]
    return ExitPlans(
        returns=returns,
        resettlements=resettlements,
        tell_about_return=case.is_open and not return_plans and not is_uk_national(case),
        can_start_return=case.is_open
        and not any(plan.state not in RETURN_ENDED for plan in return_plans),
        can_start_resettlement=case.is_open
        and not any(plan.state not in RESETTLEMENT_ENDED for plan in resettlement_plans),
    )


# --- The returns report -------------------------------------------------------------------

BY_CREATED = "created"
BY_DEPARTED = "departed"
BASES = (
    (BY_CREATED, gettext_lazy("the date the return was started")),
    (BY_DEPARTED, gettext_lazy("the date the person departed")),
)
REPORT_STATES = list(ReturnState)


@dataclass
class CountryRow:
    country: str
    label: str
    by_state: list[int]
    total: int


@dataclass
class Support:
    with_grant: int = 0
    grant_total: Decimal = Decimal("0.00")
    business_start_up: int = 0
    vocational_training: int = 0
    education: int = 0


@dataclass
class ReturnsReport:
    since: date | None
    until: date | None
    basis: str
    team: Team | None
    states: list[tuple[str, str]]
    countries: list[CountryRow]
    state_totals: list[int]
    total: int
    support: Support = field(default_factory=Support)


def report_plans(
    user: User,
    *,
    since: date | None = None,
    until: date | None = None,
    basis: str = BY_CREATED,
    team: Team | None = None,
) -> QuerySet[ReturnPlan]:
    """The return plans of the service manager's organisation (none for anyone else) in the
    period: started in it, or, by ``BY_DEPARTED``, departed in it (the others are left out)."""
    if not user.has_role(Role.SERVICE_MANAGER) or not user.organisation_id:
        return ReturnPlan.objects.none()
    plans = ReturnPlan.objects.filter(case__organisation_id=user.organisation_id)
    if team is not None:
        plans = plans.filter(case__team=team)
    if basis == BY_DEPARTED:
        plans = plans.filter(departed_on__isnull=False)
        if since:
            plans = plans.filter(departed_on__gte=since)
        if until:
            plans = plans.filter(departed_on__lte=until)
    else:
        # The day the return was started, in UK time.
        if since:
            plans = plans.filter(created_at__date__gte=since)
        if until:
            plans = plans.filter(created_at__date__lte=until)
    return plans


def report_teams(user: User) -> list[Team]:
    """The teams of the manager's organisation, to narrow the report to one."""
    return list(Team.objects.filter(organisation_id=user.organisation_id).order_by("name", "pk"))


def returns_report(
    user: User,
    *,
    since: date | None = None,
    until: date | None = None,
    basis: str = BY_CREATED,
    team: Team | None = None,
) -> ReturnsReport:
    """Returns by country of return and state, with totals, and the reintegration support
    given. Two queries whatever the number of returns."""
    plans = report_plans(user, since=since, until=until, basis=basis, team=team)
    counts: dict[str, dict[str, int]] = {}
    for row in plans.order_by().values("country", "state").annotate(n=Count("pk")):
        counts.setdefault(row["country"], {})[row["state"]] = row["n"]
    rows = []
    for code, by_state in counts.items():
        cells = [by_state.get(state, 0) for state in REPORT_STATES]
        rows.append(CountryRow(code, str(countries.name(code) or code), cells, sum(cells)))
    rows.sort(key=lambda row: row.label)
    state_totals = [sum(row.by_state[i] for row in rows) for i in range(len(REPORT_STATES))]
    support = plans.aggregate(
        with_grant=Count("pk", filter=Q(grant_amount__gt=0)),
        grant_total=Sum("grant_amount", filter=Q(grant_amount__gt=0)),
        business_start_up=Count("pk", filter=Q(business_start_up=True)),
        vocational_training=Count("pk", filter=Q(vocational_training=True)),
        education=Count("pk", filter=Q(education=True)),
    )
    return ReturnsReport(
        since=since,
        until=until,
        basis=basis,
        team=team,
        states=[(state.value, state.label) for state in REPORT_STATES],
        countries=rows,
        state_totals=state_totals,
        total=sum(state_totals),
        support=Support(
            with_grant=support["with_grant"],
            grant_total=(support["grant_total"] or Decimal("0")).quantize(Decimal("0.01")),
            business_start_up=support["business_start_up"],
            vocational_training=support["vocational_training"],
            education=support["education"],
        ),
    )


def returns_report_table(report: ReturnsReport) -> tuple[list, list[list]]:
    """The report as one table for CSV and XLSX: the countries by state with their total, then
    the reintegration support given."""
    headings = [_("Country of return"), *(label for _value, label in report.states), _("Total")]
    rows: list[list] = [[row.label, *row.by_state, row.total] for row in report.countries]
    rows.append([_("Total"), *report.state_totals, report.total])
    rows.append([])
    rows.append([_("Reintegration support given"), _("Returns")])
    support = report.support
    rows += [
        [_("With a reintegration grant"), support.with_grant],
        [_("Total of the grants (£)"), support.grant_total],
        [_("Business start-up support"), support.business_start_up],
        [_("Vocational training"), support.vocational_training],
        [_("Education"), support.education],
    ]
    return headings, rows


def returns_report_tables(report: ReturnsReport) -> list[Table]:
    """The report as report tables, for its charts and for the disclosure-controlled
    downloads: returns by country of return and state (the states add up to each country's
    total, the countries to the total row), and the reintegration support given, whose grant
    total goes with the number of grants it adds up."""
    states = tuple(value for value, _label in report.states)
    rows = [
        {"country": row.label, **dict(zip(states, row.by_state, strict=True)), TOTAL: row.total}
        for row in report.countries
    ]
    by_country = Table(
        key="by_country",
        title=_("Returns by country of return and state"),
        columns=[
            Column("country", gettext_lazy("Country of return"), LABEL),
            *(Column(value, label) for value, label in report.states),
            Column(TOTAL, gettext_lazy("Total")),
        ],
        rows=rows,
        total_row={
            "country": _("Total"),
            **dict(zip(states, report.state_totals, strict=True)),
            TOTAL: report.total,
        },
        sums=states,
        chart=Chart("country", states, stacked=True, horizontal=True, limit=20),
    )
    support = report.support
    support_table = Table(
        key="support",
        title=_("Reintegration support given"),
        description=_("In the returns counted above; a return may have more than one."),
        columns=[
            Column("returns", gettext_lazy("Returns"), LABEL),
            Column("with_grant", gettext_lazy("With a reintegration grant")),
            Column(
                "grant_total",
                gettext_lazy("Total of the grants (£)"),
                NUMBER,
                depends_on=("with_grant",),
            ),
            Column("business_start_up", gettext_lazy("Business start-up support")),
            Column("vocational_training", gettext_lazy("Vocational training")),
            Column("education", gettext_lazy("Education")),
        ],
        rows=[
            {
                "returns": _("Returns with this support"),
                "with_grant": support.with_grant,
                "grant_total": support.grant_total,
                "business_start_up": support.business_start_up,
                "vocational_training": support.vocational_training,
                "education": support.education,
            }
        ],
        chart=Chart(
            "returns", ("with_grant", "business_start_up", "vocational_training", "education")
        ),
    )
    return [by_country, support_table]
