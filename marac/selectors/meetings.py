"""Reads for running a MARAC: meetings, agendas, actions to review, a referral's history."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from carepath import policy
from carepath.people.models import User
from marac.models import (
    ActionState,
    AgencyResearch,
    MaracAction,
    MaracArea,
    MaracMeeting,
    MaracReferral,
    MeetingCase,
    MeetingState,
    PartnerAgency,
    ReferralState,
    RiskLevel,
)


def actions_to_review(meeting: MaracMeeting):
    """Open actions from this MARAC's earlier meetings, and from cases transferred in."""
    return (
        MaracAction.objects.filter(
            state=ActionState.OPEN,
            meeting_case__meeting__starts_at__lt=meeting.starts_at,
        )
        .filter(
            Q(meeting_case__meeting__area_id=meeting.area_id)
            | Q(meeting_case__referral__transfers__area_id=meeting.area_id)
        )
        .distinct()
    )


def referral_lineage(referral: MaracReferral) -> list[MaracReferral]:
    """This referral and the ones it was transferred from, newest first."""
    chain, seen = [], set()
    while referral is not None and referral.pk not in seen:
        chain.append(referral)
        seen.add(referral.pk)
        referral = referral.transferred_from
    return chain


# --- Meetings, agendas and minutes, as the person may see them -----------------------------------

CURRENT_STATES = (MeetingState.SCHEDULED, MeetingState.AGENDA_PUBLISHED, MeetingState.HELD)
WAITING_STATES = (ReferralState.REFERRED, ReferralState.DEFERRED)


def meetings_visible_to(user: User) -> QuerySet[MaracMeeting]:
    """The chair: every meeting of the organisation's MARACs; a partner: the published meetings
    an agency of theirs is invited to."""
    return policy.visible(user, "marac.meeting.view", MaracMeeting.objects.select_related("area"))


def meetings_by_stage(user: User) -> tuple[QuerySet[MaracMeeting], QuerySet[MaracMeeting]]:
    """Meetings still to be held or whose minutes wait for approval, soonest first; and past
    meetings (minutes approved, or cancelled), most recent first."""
    visible = meetings_visible_to(user)
    current = visible.filter(state__in=CURRENT_STATES).order_by("starts_at", "pk")
    past = visible.exclude(state__in=CURRENT_STATES).order_by("-starts_at", "-pk")
    return current, past


def items_visible_to(user: User) -> QuerySet[MeetingCase]:
    return policy.visible(user, "marac.meeting_case.view", MeetingCase.objects.all())


def item_counts(user: User, meetings) -> dict[int, int]:
    """How many agenda items of each meeting the person may see, in one query."""
    ids = [meeting.pk for meeting in meetings]
    if not ids:
        return {}
    rows = (
        items_visible_to(user)
        .filter(meeting_id__in=ids)
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
    )
    return {row["meeting_id"]: row["n"] for row in rows}


def meeting_for(user: User, *, pk: int) -> tuple[MaracMeeting, str]:
    """One meeting and the basis of access; a 404 for anyone who may not see it."""
    return policy.get_or_404(
        user,
        "marac.meeting.view",
        MaracMeeting.objects.select_related("area", "minutes_approved_by"),
        pk=pk,
    )


def partner_agencies_of(user: User) -> QuerySet[PartnerAgency]:
    """The agencies a partner acts for, in their own organisation."""
    return PartnerAgency.objects.filter(
        members=user, active=True, area__organisation_id=user.organisation_id
    )


def risk_level_label(assessment) -> str:
    return str(RiskLevel(assessment.level).label) if assessment is not None else ""


@dataclass
class AgendaRow:
    """An agenda item as one person may see it: a partner sees only their own agencies' research
    and actions, and how many actions other agencies hold."""

    item: MeetingCase
    research: list[AgencyResearch] = field(default_factory=list)
    # The chair: each invited agency and its research on this item, or None when not yet given.
    research_by_agency: list[tuple[PartnerAgency, AgencyResearch | None]] = field(
        default_factory=list
    )
    actions: list[MaracAction] = field(default_factory=list)
    other_actions: int = 0

    @property
    def referral(self) -> MaracReferral:
        return self.item.referral

    @property
    def case(self):
        return self.item.referral.case

    @property
    def risk_level(self) -> str:
        return risk_level_label(self.item.referral.assessment)


def _items(queryset: QuerySet[MeetingCase]) -> QuerySet[MeetingCase]:
    return queryset.select_related(
        "meeting__area", "referral__case", "referral__assessment"
    ).prefetch_related(
        Prefetch(
            "research",
            queryset=AgencyResearch.objects.select_related("agency", "recorded_by"),
        ),
        Prefetch(
            "actions",
            queryset=MaracAction.objects.select_related("owner_agency").order_by("due_on", "pk"),
        ),
    )


# What the meeting page shows of a case (and the reference and organisation its access log
# names), of a referral and of an action; django-fsm reads each state as the row loads. The
# rest, the encrypted fields among it, is left in the database.
CASE_SHOWN = (
    "state",
    "organisation_id",
    "reference",
    "given_name",
    "family_name",
    "date_of_birth",
    "date_of_birth_estimated",
    "verified_date_of_birth",
)
REFERRAL_SHOWN = (
    "state",
    "case",
    "assessment",
    "referred_on",
    "referring_agency",
    "is_repeat",
    "children_in_household",
    "perpetrators",
)
ACTION_SHOWN = (
    "state",
    "meeting_case_id",
    "description",
    "owner_agency__name",
    "owner_person",
    "due_on",
)


def _shown(prefix: str, names) -> list[str]:
    return [prefix + name for name in names]


def _agenda_items(
    queryset: QuerySet[MeetingCase], *, minutes: bool, actions: bool, own: set[int] | None
) -> QuerySet[MeetingCase]:
    """The items with only what the meeting page shows: their actions, if asked for, as
    ``shown_actions``; unless for the ``minutes``, the risk assessment and the research as
    ``shown_research`` (a partner's own agencies' only). Each item's meeting is the one asked
    for (its related manager sets it)."""
    related, columns, prefetches = ["referral__case"], [], []
    if not minutes:
        related.append("referral__assessment")
        columns += ["referral__assessment__score_level", "referral__assessment__judgement_level"]
        research = AgencyResearch.objects.only("meeting_case_id", "agency_id", "nothing_held")
        if own is not None:
            research = research.filter(agency_id__in=own)
        prefetches.append(
            Prefetch("research", queryset=research.order_by("pk"), to_attr="shown_research")
        )
    if actions:
        prefetches.append(
            Prefetch(
                "actions",
                queryset=_shown_actions().order_by("due_on", "pk"),
                to_attr="shown_actions",
            )
        )
    return (
        queryset.select_related(*related)
        .only(
            "meeting_id",
            "referral",
            "position",
            "outcome",
            "summary",
            "deferred_reason",
            *_shown("referral__", REFERRAL_SHOWN),
            *_shown("referral__case__", CASE_SHOWN),
            *columns,
        )
        .prefetch_related(*prefetches)
    )


def _shown_actions() -> QuerySet[MaracAction]:
    return MaracAction.objects.select_related("owner_agency").only(*ACTION_SHOWN)


def agenda_rows(
    user: User, meeting: MaracMeeting, *, chair: bool, invited=(), minutes: bool = False
) -> list[AgendaRow]:
    """The agenda items of a meeting the person may see, in agenda order; for the ``minutes``,
    without the agencies' research and the risk levels, which they do not show."""
    own = None if chair else set(partner_agencies_of(user).values_list("pk", flat=True))
    items = _agenda_items(
        policy.visible(user, "marac.meeting_case.view", meeting.cases.all()).order_by(
            "position", "pk"
        ),
        minutes=minutes,
        # Actions are set at the meeting: before it, an agenda has none.
        actions=meeting.state in (MeetingState.HELD, MeetingState.MINUTES_APPROVED),
        own=own,
    )
    return [
        _row(
            item,
            getattr(item, "shown_research", []),
            getattr(item, "shown_actions", []),
            chair=chair,
            invited=invited,
            own=own or set(),
        )
        for item in items
    ]


def _row(
    item: MeetingCase,
    research: list[AgencyResearch],
    actions: list[MaracAction],
    *,
    chair: bool,
    invited=(),
    own=frozenset(),
) -> AgendaRow:
    if chair:
        given = {r.agency_id: r for r in research}
        return AgendaRow(
            item=item,
            research=research,
            research_by_agency=[(agency, given.get(agency.pk)) for agency in invited],
            actions=actions,
        )
    shown = [a for a in actions if a.owner_agency_id in own]
    return AgendaRow(
        item=item,
        research=[r for r in research if r.agency_id in own],
        actions=shown,
        other_actions=len(actions) - len(shown),
    )


def item_for(user: User, *, pk: int) -> tuple[MeetingCase, str]:
    """One agenda item and the basis of access; a 404 for anyone who may not see it."""
    return policy.get_or_404(
        user,
        "marac.meeting_case.view",
        MeetingCase.objects.select_related(
            "meeting__area", "referral__case", "referral__area", "referral__assessment__checklist"
        ),
        pk=pk,
    )


def item_row(user: User, item: MeetingCase, *, chair: bool) -> AgendaRow:
    item = _items(MeetingCase.objects.filter(pk=item.pk)).get()
    research, actions = list(item.research.all()), list(item.actions.all())
    if chair:
        invited = list(item.meeting.invited.order_by("name"))
        return _row(item, research, actions, chair=True, invited=invited)
    own = set(partner_agencies_of(user).values_list("pk", flat=True))
    return _row(item, research, actions, chair=False, own=own)


def reviewed_actions_for(user: User, meeting: MaracMeeting, *, chair: bool) -> list[MaracAction]:
    """The open actions from earlier meetings fixed on this agenda for review: all of them for
    the chair, a partner's own agencies' only."""
    actions = _for_review_list(meeting.reviewed_actions.all()).order_by("due_on", "pk")
    if not chair:
        actions = actions.filter(owner_agency__in=partner_agencies_of(user))
    return list(actions)


def actions_to_review_listed(meeting: MaracMeeting) -> list[MaracAction]:
    """``actions_to_review``, as a draft agenda lists them."""
    return list(_for_review_list(actions_to_review(meeting)))


def _for_review_list(actions: QuerySet[MaracAction]) -> QuerySet[MaracAction]:
    """With what a list of actions to review shows: the meeting that set each, whose case."""
    return actions.select_related(
        "owner_agency", "meeting_case__meeting", "meeting_case__referral__case"
    ).only(
        *ACTION_SHOWN,
        "meeting_case__meeting__state",
        "meeting_case__meeting__starts_at",
        "meeting_case__referral__state",
        *_shown("meeting_case__referral__case__", CASE_SHOWN),
    )


def waiting_referrals(user: User, area: MaracArea) -> QuerySet[MaracReferral]:
    """Referrals to this MARAC waiting for a meeting, longest waiting first."""
    return (
        policy.visible(user, "marac.referral.view", MaracReferral.objects.all())
        .filter(area=area, state__in=WAITING_STATES)
        .select_related("case")
        .only("state", "case", "referred_on", *_shown("case__", CASE_SHOWN))
        .order_by("referred_on", "pk")
    )


def referral_for(user: User, *, pk: int) -> tuple[MaracReferral, str]:
    return policy.get_or_404(
        user,
        "marac.referral.view",
        MaracReferral.objects.select_related(
            "case", "area", "assessment__checklist", "transferred_from__area"
        ),
        pk=pk,
    )


def listings_of(referrals, *, exclude: MeetingCase | None = None) -> list[MeetingCase]:
    """The agenda items of these referrals (a referral and those it was transferred from), most
    recent meeting first, each with its actions."""
    items = (
        MeetingCase.objects.filter(referral__in=referrals)
        .select_related("meeting__area", "referral__area")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=MaracAction.objects.select_related("owner_agency").order_by(
                    "due_on", "pk"
                ),
            )
        )
        .order_by("-meeting__starts_at", "-pk")
    )
    if exclude is not None:
        items = items.exclude(pk=exclude.pk)
    return list(items)


def action_agencies_for(item: MeetingCase) -> QuerySet[PartnerAgency]:
    """The agencies that may own an action on this case: invited to the meeting, still sitting
    on the MARAC, and not ones the case is withheld from."""
    return (
        item.meeting.invited.filter(active=True)
        .exclude(pk__in=item.referral.withheld_from.values("pk"))
        .order_by("name")
    )
