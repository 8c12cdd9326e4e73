from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
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
from casework.models.case import ACTIVE_STATES, ENDED_STATES, OPEN_STATES
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
    breached targets are the cases that may have an overdue deadline (``may_be_overdue``), for
    ``breached_page``."""
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


def _page_number(number) -> int:
    """A page number from a URL: 1 for anything that is not one."""
    try:
        return max(int(number), 1)
    except (TypeError, ValueError):
        return 1


def counted_page(rows: QuerySet, number, *, per_page: int) -> Page:
    """Page ``number`` of ``rows``, as ``Paginator.get_page`` gives it (the first page for a
    number that is not one, the last past the end), counted in the query that reads the page
    (``COUNT(*) OVER ()``) rather than in one of its own that runs the filter again."""
    paginator = Paginator(rows, per_page)
    number = _page_number(number)
    start = (number - 1) * per_page
    if start > 2**31:  # past any list's end, and past what a database takes as an offset
        return paginator.get_page(number)
    found = list(rows.annotate(counted=Window(Count("pk")))[start : start + per_page])
    if not found and number > 1:
        return paginator.get_page(number)
    paginator.count = found[0].counted if found else 0
    return Page(found, number, paginator)


# The most cases whose deadlines ``breached_page`` works out at a time.
BREACHED_BATCH_MAX = 500


@dataclass
class WalkedPage:
    """A page of a list read from its start up to the page and one row beyond it: whether
    another page follows is known, how many pages there are is not (``paginator`` is None)."""

    object_list: list
    number: int
    more: bool
    paginator = None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.more

    def has_other_pages(self) -> bool:
        return self.has_previous() or self.has_next()

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def breached_page(
    breached: QuerySet[Case],
    number,
    *,
    per_page: int,
    today: date,
    rules: Sequence[PeriodRule],
) -> WalkedPage:
    """Page ``number`` of the dashboard's breached targets (``service_dashboard``): each case
    with a deadline overdue, with those deadlines (as ``overdue_of`` gives them).

    ``may_be_overdue`` finds the cases that may have one from indexes, and some of them have
    none (a clock at its shortest possible length, say). So their deadlines are worked out a batch
    at a time, in the list's order, until the page and one case beyond it are found: every page
    is full, and every case with something overdue is on one. The number of pages would need
    every case worked out, so the page says only whether another follows. A number past the end
    gives the last page."""
    number = _page_number(number)
    skip = (number - 1) * per_page
    ids = breached.prefetch_related(None).select_related(None).values_list("pk", flat=True)
    found: list[tuple[Case, list]] = []
    before = deque(maxlen=per_page)  # the last ones before the page, for a number past the end
    seen = offset = 0
    while len(found) <= per_page:
        # Most cases found have something overdue: half as many again as still wanted.
        wanted = skip + per_page + 1 - seen
        size = min(wanted + wanted // 2 + 1, BREACHED_BATCH_MAX)
        batch = list(ids[offset : offset + size])
        offset += len(batch)
        for row in _overdue_in_order(batch, today=today, rules=rules):
            (found if seen >= skip else before).append(row)
            seen += 1
        if len(batch) < size:  # the list's end
            break
    if not found and number > 1:
        number = max(-(-seen // per_page), 1)
        on_last = seen - (number - 1) * per_page
        found = list(before)[len(before) - on_last :]
    return WalkedPage(found[:per_page], number, more=len(found) > per_page)


def _overdue_in_order(ids: list[int], *, today: date, rules: Sequence[PeriodRule]):
    if not ids:
        return []
    cases = with_deadline_data(Case.objects.filter(pk__in=ids).defer("referrer_contact"))
    position = {pk: n for n, pk in enumerate(ids)}
    return overdue_of(sorted(cases, key=lambda case: position[case.pk]), today=today, rules=rules)


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


def episodes_of(case: Case) -> dict:
    """The episodes before and after this one, for their links: in one query, and only what
    the links show. Only an ended case is re-opened (``case_reopen``): an open one has no next
    episode to look for."""
    episodes = {"previous": None, "next": None}
    linked = Q(pk__in=[case.previous_episode_id] if case.previous_episode_id else [])
    if case.state in ENDED_STATES:
        linked |= Q(previous_episode=case)
    # The state too: django-fsm reads it as each case is made (a query each if deferred).
    for other in Case.objects.filter(linked).only("reference", "previous_episode", "state"):
        episodes["next" if other.previous_episode_id == case.pk else "previous"] = other
    return episodes


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
