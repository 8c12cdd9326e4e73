"""Reads for the work after and before a meeting: actions (lists, one action) and an agency's
research on an agenda item. Every read goes through the access policy."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from carepath import policy
from carepath.people.models import Role, User
from casework.models import Case
from marac.models import (
    ActionState,
    AgencyResearch,
    MaracAction,
    MaracArea,
    MeetingCase,
    PartnerAgency,
)

# The list filter's "any state".
ANY_STATE = "any"


def _actions() -> QuerySet[MaracAction]:
    return MaracAction.objects.select_related(
        "owner_agency",
        "meeting_case__meeting__area",
        "meeting_case__referral__case",
        "resolved_by",
    )


def actions_visible_to(user: User) -> QuerySet[MaracAction]:
    """The chair: every action of the organisation's MARACs; a partner: their own agencies'."""
    return policy.visible(user, "marac.action.view", _actions())


def actions_for(
    user: User,
    *,
    state: str = ActionState.OPEN,
    overdue_only: bool = False,
    agency: PartnerAgency | None = None,
    area: MaracArea | None = None,
    today: date | None = None,
) -> QuerySet[MaracAction]:
    """The actions a person may see, filtered as the list asks. Overdue means open and past its
    due date, whatever state was asked for."""
    today = today or timezone.localdate()
    actions = actions_visible_to(user)
    if overdue_only:
        actions = actions.filter(state=ActionState.OPEN, due_on__lt=today)
    elif state != ANY_STATE:
        actions = actions.filter(state=state)
    if agency is not None:
        actions = actions.filter(owner_agency=agency)
    if area is not None:
        actions = actions.filter(meeting_case__meeting__area=area)
    return actions.order_by("due_on", "pk")


def action_filter_choices(user: User) -> tuple[QuerySet[PartnerAgency], QuerySet[MaracArea]]:
    """The agencies and areas the list can be narrowed to: those of the actions the person may
    see, so a filter never names an agency or MARAC they have nothing to do with."""
    visible = actions_visible_to(user)
    agencies = PartnerAgency.objects.filter(pk__in=visible.values("owner_agency")).order_by("name")
    areas = MaracArea.objects.filter(pk__in=visible.values("meeting_case__meeting__area")).order_by(
        "name"
    )
    return agencies, areas


def action_for(user: User, *, pk: int) -> tuple[MaracAction, str]:
    """One action and the basis of access; a 404 for anyone who may not see it."""
    return policy.get_or_404(user, "marac.action.view", _actions(), pk=pk)


@dataclass
class ActionRow:
    action: MaracAction
    overdue: bool
    # The survivor's name, for those who may see the agenda item or the case; None otherwise.
    survivor_name: str | None

    @property
    def meeting(self):
        return self.action.meeting_case.meeting

    @property
    def case(self) -> Case:
        return self.action.meeting_case.referral.case


def items_named_for(user: User, items: list[MeetingCase]) -> set[int]:
    """Of these agenda items, those whose survivor this person may see by name: the item is
    visible to them (the chair; a partner invited and not withheld from), or its case is."""
    ids = {item.pk for item in items}
    if not ids:
        return set()
    named = set(
        policy.visible(
            user, "marac.meeting_case.view", MeetingCase.objects.filter(pk__in=ids)
        ).values_list("pk", flat=True)
    )
    rest = {item.referral.case_id: item.pk for item in items if item.pk not in named}
    if rest:
        cases = policy.visible(user, "case.view", Case.objects.filter(pk__in=rest.keys()))
        named |= {rest[pk] for pk in cases.values_list("pk", flat=True)}
    return named


def action_rows(user: User, actions, *, today: date | None = None) -> list[ActionRow]:
    today = today or timezone.localdate()
    actions = list(actions)
    named = items_named_for(user, [action.meeting_case for action in actions])
    return [
        ActionRow(
            action=action,
            overdue=action.is_overdue(today),
            survivor_name=(
                action.meeting_case.referral.case.display_name
                if action.meeting_case_id in named
                else None
            ),
        )
        for action in actions
    ]


def list_basis(user: User) -> str:
    """Why a list of actions may show names, for the access log."""
    if user.has_role(Role.MARAC_CHAIR):
        return gettext_noop("MARAC chair: action list")
    if user.has_role(Role.MARAC_PARTNER):
        return gettext_noop("MARAC partner: invited agency, action list")
    return gettext_noop("case access: MARAC action list")


def name_basis(user: User, item: MeetingCase) -> str | None:
    """Why this person may see the survivor of an agenda item by name, or None."""
    return policy.basis(user, "marac.meeting_case.view", item) or policy.basis(
        user, "case.view", item.referral.case
    )


# --- Research --------------------------------------------------------------------------------


def agenda_item_for(user: User, *, pk: int) -> tuple[MeetingCase, str]:
    return policy.get_or_404(
        user,
        "marac.meeting_case.view",
        MeetingCase.objects.select_related("meeting__area", "referral__case"),
        pk=pk,
    )


def research_agencies_for(user: User, item: MeetingCase) -> list[PartnerAgency]:
    """The person's agencies invited to the item's meeting that may record research on it."""
    candidates = PartnerAgency.objects.filter(members=user, meetings=item.meeting_id).order_by(
        "name"
    )
    return [
        agency
        for agency in candidates
        if policy.can(user, "marac.research.edit", AgencyResearch(meeting_case=item, agency=agency))
    ]


def research_of(item: MeetingCase, agency: PartnerAgency) -> AgencyResearch | None:
    return (
        AgencyResearch.objects.filter(meeting_case=item, agency=agency)
        .select_related("recorded_by")
        .first()
    )
