"""Writes for MARAC actions after the meeting: resolving them, and telling people what is due."""

from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath.audit import timeline
from carepath.pathway import PathwayError, run_transition
from carepath.people.models import Role, User
from carepath.sms.models import Channel, Reminder
from carepath.sms.services import reminder_plan, reminders_cancel_for
from marac.models import ActionState, MaracAction, MaracMeeting, MeetingState

AGENDA_PURPOSE = "staff.marac_agenda"
ACTION_PURPOSE = "staff.marac_action"
# The owning agency hears of an action this many days before it is due, and once more when it
# is missed.
ACTION_NOTICE = timedelta(days=3)
RESOLUTIONS = {
    ActionState.DONE: "complete",
    ActionState.NOT_POSSIBLE: "mark_not_possible",
    ActionState.NOT_UNDERTAKEN: "mark_not_undertaken",
}


@transaction.atomic
def marac_action_resolve(
    *,
    by: User,
    action: MaracAction,
    state: str,
    outcome: str,
    expected_version: int | None = None,
) -> MaracAction:
    """Done, not possible (a change in circumstance) or not undertaken. The last two need a
    reason; the chair or a member of the owning agency records it."""
    name = RESOLUTIONS.get(state)
    if name is None:
        raise PathwayError(_("Choose what became of the action."))
    outcome = outcome.strip()
    if state != ActionState.DONE and not outcome:
        raise PathwayError(_("Give the reason the action was not done."))
    run_transition(
        action,
        name,
        by=by,
        permission="marac.action.update",
        expected_version=expected_version,
        resolver=by,
        outcome=outcome,
        on=timezone.localdate(),
    )
    reminders_cancel_for(action, why=_("The action was resolved"))
    referral = action.meeting_case.referral
    timeline.record(
        referral.case,
        by=by,
        kind="marac.action_resolved",
        detail={"referral": referral.pk, "action": action.pk, "state": state},
    )
    return action


def agenda_published_notify(*, meeting: MaracMeeting) -> int:
    """Tell each member of each invited agency that an agenda is out, by email through the
    outbox. The message names no case."""
    members = User.objects.filter(
        marac_agencies__in=meeting.invited.filter(active=True),
        organisation_id=meeting.organisation_id,
        is_active=True,
        role_assignments__role=Role.MARAC_PARTNER,
    ).distinct()
    now = timezone.now()
    planned = 0
    for member in members:
        reminder_plan(
            organisation_id=meeting.organisation_id,
            subject=meeting,
            purpose=AGENDA_PURPOSE,
            due_at=now,
            staff=member,
            channel=Channel.EMAIL,
            context={"at": meeting.starts_at.isoformat()},
        )
        planned += 1
    return planned


def _key(action: MaracAction, *, overdue: bool) -> str:
    return f"{action.due_on.isoformat()}|{overdue}"


def marac_action_reminders_plan(*, today: date | None = None) -> int:
    """Plan one email per member of the owning agency for each open action due within three
    days, and once more when it is overdue; never twice for the same action, due date and
    overdue flag. The message names no case."""
    today = today or timezone.localdate()
    members = User.objects.filter(
        is_active=True, role_assignments__role=Role.MARAC_PARTNER
    ).distinct()
    actions = list(
        MaracAction.objects.filter(
            state=ActionState.OPEN,
            due_on__lte=today + ACTION_NOTICE,
            owner_agency__active=True,
            # Actions in minutes not yet approved are drafts nobody but the chair sees.
            meeting_case__meeting__state=MeetingState.MINUTES_APPROVED,
        )
        .select_related("owner_agency__area")
        .prefetch_related(Prefetch("owner_agency__members", queryset=members, to_attr="to_remind"))
    )
    if not actions:
        return 0
    already = set(
        Reminder.objects.filter(
            purpose=ACTION_PURPOSE,
            source_type=ContentType.objects.get_for_model(MaracAction),
            source_id__in=[action.pk for action in actions],
        ).values_list("source_id", "staff_id", "context__key")
    )
    now = timezone.now()
    planned = 0
    for action in actions:
        key = _key(action, overdue=action.is_overdue(today))
        due_at = timezone.make_aware(datetime.combine(action.due_on, time(9, 0)))
        organisation_id = action.owner_agency.area.organisation_id
        for member in action.owner_agency.to_remind:
            # A member of another organisation could not see the action.
            if member.organisation_id != organisation_id or (action.pk, member.pk, key) in already:
                continue
            reminder_plan(
                organisation_id=organisation_id,
                subject=action,
                source=action,
                purpose=ACTION_PURPOSE,
                due_at=now,
                staff=member,
                channel=Channel.EMAIL,
                context={"at": due_at.isoformat(), "key": key},
            )
            already.add((action.pk, member.pk, key))
            planned += 1
    return planned
