from collections.abc import Sequence
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from carepath import policy
from carepath.audit import access_log
from carepath.audit.models import AccessLogEntry
from carepath.clocks.models import PeriodRule
from carepath.clocks.selectors import all_period_rules
from carepath.people.models import Role, User
from casework.models import Case, CaseState
from casework.models.case import ACTIVE_STATES, OPEN_STATES
from casework.models.records import GoalStatus, SupportGoal
from casework.selectors.deadlines import RETURN_FOLLOWING_UP, may_be_overdue, with_deadlines
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


def service_dashboard(
    user: User, *, today: date | None = None, rules: Sequence[PeriodRule] | None = None
) -> dict:
    """For a service manager: caseload per worker, unallocated referrals, breached targets and
    missing people, across their organisation. Each is a query the page shows a page of; the
    breached targets are the cases that may have an overdue deadline (``may_be_overdue``), each
    page's worked out by ``overdue_of``."""
    today = today or timezone.localdate()
    rules = rules if rules is not None else all_period_rules()
    # The referrer's contact details are not shown: they are not decrypted.
    cases = cases_visible_to(user).defer("referrer_contact")
    # A count per caseworker shown (a subquery), not a join of every case of the organisation.
    open_cases = (
        Case.objects.filter(caseworker=OuterRef("pk"), state__in=OPEN_STATES)
        .order_by()
        .values("caseworker")
        .annotate(n=Count("pk"))
        .values("n")
    )
    workers = (
        User.objects.filter(
            organisation_id=user.organisation_id,
            is_active=True,
            role_assignments__role=Role.CASEWORKER,
        )
        .annotate(open_cases=Coalesce(Subquery(open_cases), 0))
        .order_by("first_name", "last_name", "pk")
    )
    unallocated = (
        cases.filter(state=CaseState.REFERRED)
        .select_related("team")
        .order_by("referral_date", "pk")
    )
    watched = with_deadline_data(
        cases.filter(state__in=ACTIVE_STATES)
        .filter(may_be_overdue(today=today, rules=rules))
        .order_by("-referral_date", "-pk")
    )
    missing = (
        cases.filter(state=CaseState.MISSING)
        .select_related("caseworker")
        .order_by("missing_since", "pk")
    )
    return {
        "workers": workers,
        "unallocated": unallocated,
        "breached": watched,
        "missing": missing,
    }


def counted_page(rows: QuerySet, number, *, per_page: int) -> Page:
    """Page ``number`` of ``rows``, as ``Paginator.get_page`` gives it (the first page for a
    number that is not one, the last past the end), counted in the query that reads the page
    (``COUNT(*) OVER ()``) rather than in one of its own that runs the filter again."""
    paginator = Paginator(rows, per_page)
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    if start > 2**31:  # past any list's end, and past what a database takes as an offset
        return paginator.get_page(number)
    found = list(rows.annotate(counted=Window(Count("pk")))[start : start + per_page])
    if not found and number > 1:
        return paginator.get_page(number)
    paginator.count = found[0].counted if found else 0
    return Page(found, number, paginator)


def breached_page(breached: QuerySet[Case], number, *, per_page: int) -> Page:
    """Page ``number`` of the dashboard's breached targets (``service_dashboard``): found and
    counted from an index (``counted_page`` of their ids), then only the page's cases are read,
    with their deadline data."""
    # The state too: django-fsm reads it as each case is made (a query each if deferred).
    ids = breached.prefetch_related(None).select_related(None).only("pk", "state")
    page = counted_page(ids, number, per_page=per_page)
    cases = with_deadline_data(
        Case.objects.filter(pk__in=[case.pk for case in page]).defer("referrer_contact")
    )
    by_pk = {case.pk: case for case in cases}
    page.object_list = [by_pk[case.pk] for case in page.object_list]
    return page


def overdue_of(
    cases, *, today: date | None = None, rules: Sequence[PeriodRule] | None = None
) -> list[tuple[Case, list]]:
    """Each of ``cases`` that has an overdue deadline, with those deadlines."""
    today = today or timezone.localdate()
    return [
        (case, [d for d in deadlines if d.status == "overdue"])
        for case, deadlines in with_deadlines(cases, today=today, rules=rules)
        if any(d.status == "overdue" for d in deadlines)
    ]


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
    # "Wei Zhang" finds Wei Zhang: every word must be found, each in any of the names.
    for word in text.split():
        cases = cases.filter(
            Q(reference__icontains=word)
            | Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(verified_given_name__icontains=word)
            | Q(verified_family_name__icontains=word)
            | Q(aliases__icontains=word)
        )
    if date_of_birth:
        cases = cases.filter(
            Q(date_of_birth=date_of_birth) | Q(verified_date_of_birth=date_of_birth)
        )
    results = list(cases.select_related("caseworker", "team").order_by("-referral_date")[:limit])
    access_log.record_many(
        results,
        by=user,
        basis=gettext_noop("search"),
        action=AccessLogEntry.Action.SEARCH,
        path=path,
    )
    return results
