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


def agenda_rows(user: User, meeting: MaracMeeting, *, chair: bool, invited=()) -> list[AgendaRow]:
    """The agenda items of a meeting the person may see, in agenda order."""
    items = _items(
        policy.visible(user, "marac.meeting_case.view", meeting.cases.all()).order_by(
            "position", "pk"
        )
    )
    own = set() if chair else set(partner_agencies_of(user).values_list("pk", flat=True))
    return [_row(item, chair=chair, invited=invited, own=own) for item in items]


def _row(item: MeetingCase, *, chair: bool, invited=(), own=frozenset()) -> AgendaRow:
    research = list(item.research.all())
    actions = list(item.actions.all())
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
    if chair:
        return _row(item, chair=True, invited=list(item.meeting.invited.order_by("name")))
    own = set(partner_agencies_of(user).values_list("pk", flat=True))
    return _row(item, chair=False, own=own)


def reviewed_actions_for(user: User, meeting: MaracMeeting, *, chair: bool) -> list[MaracAction]:
    """The open actions from earlier meetings fixed on this agenda for review: all of them for
    the chair, a partner's own agencies' only."""
    actions = meeting.reviewed_actions.select_related(
        "owner_agency", "meeting_case__meeting", "meeting_case__referral__case"
    ).order_by("due_on", "pk")
    if not chair:
        actions = actions.filter(owner_agency__in=partner_agencies_of(user))
    return list(actions)


def waiting_referrals(user: User, area: MaracArea) -> QuerySet[MaracReferral]:
    """Referrals to this MARAC waiting for a meeting, longest waiting first."""
    return (
        policy.visible(user, "marac.referral.view", MaracReferral.objects.all())
        .filter(area=area, state__in=WAITING_STATES)
        .select_related("case")
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
