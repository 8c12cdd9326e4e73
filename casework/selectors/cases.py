from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from carepath import policy
from carepath.audit import access_log
from carepath.audit.models import AccessLogEntry
from carepath.people.models import Role, User
from casework.models import Case, CaseState
from casework.models.case import OPEN_STATES
from casework.models.records import GoalStatus, SupportGoal
from casework.selectors.deadlines import RETURN_FOLLOWING_UP, with_deadlines
from casework.selectors.legal import legal_prefetch
from returns.models import FollowUp, ReturnPlan, ReturnState


def cases_visible_to(user: User) -> QuerySet[Case]:
    return policy.visible(user, "case.view", Case.objects.all())


def with_deadline_data(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("nrm", "caseworker", "team").prefetch_related(
        Prefetch("support_goals", queryset=SupportGoal.objects.filter(status=GoalStatus.OPEN)),
        *legal_prefetch(),
        # The returns that have deadlines: a booked departure, follow-ups not yet made.
        Prefetch(
            "return_plans",
            queryset=ReturnPlan.objects.filter(
                state__in=[ReturnState.TRAVEL_BOOKED, *RETURN_FOLLOWING_UP]
            ).prefetch_related(
                Prefetch("follow_ups", queryset=FollowUp.objects.filter(done_on__isnull=True))
            ),
        ),
    )


def case_for(user: User, *, pk: int, path: str = "") -> Case:
    """One case for a person allowed to read it; the read is logged. Anyone else: 404."""
    case, why = policy.get_or_404(
        user,
        "case.view",
        Case.objects.select_related(
            "nrm", "team", "caseworker", "organisation", "referring_agency"
        ),
        pk=pk,
    )
    access_log.record(case, by=user, basis=why, path=path)
    return case


def caseload_for(user: User, *, today: date | None = None) -> list[dict]:
    """The caseworker's open cases, each with its deadlines; overdue first, then soonest."""
    today = today or timezone.localdate()
    cases = with_deadline_data(
        cases_visible_to(user).filter(caseworker=user, state__in=OPEN_STATES)
    )
    rows = []
    for case, deadlines in with_deadlines(cases, today=today):
        next_deadline = deadlines[0] if deadlines else None
        nrm_clock = next((d for d in deadlines if d.kind == "nrm"), None)
        rows.append(
            {"case": case, "deadlines": deadlines, "next": next_deadline, "nrm_clock": nrm_clock}
        )
    rows.sort(
        key=lambda r: (
            r["next"] is None,
            r["next"].status != "overdue" if r["next"] else True,
            r["next"].due if r["next"] else date.max,
            r["case"].reference,
        )
    )
    return rows


def service_dashboard(user: User, *, today: date | None = None) -> dict:
    """For a service manager: caseload per worker, unallocated referrals, breached targets and
    missing people, across their organisation."""
    today = today or timezone.localdate()
    cases = cases_visible_to(user)
    workers = (
        User.objects.filter(
            organisation_id=user.organisation_id,
            is_active=True,
            role_assignments__role=Role.CASEWORKER,
        )
        .annotate(open_cases=Count("caseload", filter=Q(caseload__state__in=OPEN_STATES)))
        .order_by("first_name", "last_name")
    )
    unallocated = (
        cases.filter(state=CaseState.REFERRED)
        .select_related("team")
        .order_by("referral_date", "pk")
    )
    watched = with_deadline_data(
        cases.filter(state__in=OPEN_STATES).exclude(state=CaseState.REFERRED)
    )
    breached = [
        (case, [d for d in deadlines if d.status == "overdue"])
        for case, deadlines in with_deadlines(watched, today=today)
        if any(d.status == "overdue" for d in deadlines)
    ]
    missing = cases.filter(state=CaseState.MISSING).select_related("caseworker")
    return {
        "workers": workers,
        "unallocated": unallocated,
        "breached": breached,
        "missing": missing,
    }


def caseworkers_of(user: User) -> QuerySet[User]:
    return User.objects.filter(
        organisation_id=user.organisation_id,
        is_active=True,
        role_assignments__role=Role.CASEWORKER,
    ).order_by("first_name", "last_name")


def case_search(
    user: User,
    *,
    text: str = "",
    date_of_birth: date | None = None,
    path: str = "",
    limit: int = 50,
) -> list[Case]:
    """By reference, name, alias and date of birth, within what the person may see. Every
    case shown in the results is logged as found in a search."""
    text = text.strip()
    if not text and not date_of_birth:
        return []
    cases = cases_visible_to(user)
    if text:
        cases = cases.filter(
            Q(reference__icontains=text)
            | Q(given_name__icontains=text)
            | Q(family_name__icontains=text)
            | Q(verified_given_name__icontains=text)
            | Q(verified_family_name__icontains=text)
            | Q(aliases__icontains=text)
        )
    if date_of_birth:
        cases = cases.filter(
            Q(date_of_birth=date_of_birth) | Q(verified_date_of_birth=date_of_birth)
        )
    results = list(cases.select_related("caseworker", "team").order_by("-referral_date")[:limit])
    access_log.record_many(
        results, by=user, basis="search", action=AccessLogEntry.Action.SEARCH, path=path
    )
    return results
