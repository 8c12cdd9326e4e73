"""Reminders to caseworkers about their cases' deadlines, through the same outbox as texts."""

from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from carepath.sms.models import Channel, Reminder
from carepath.sms.services import reminder_plan
from casework.models import Case
from casework.models.case import OPEN_STATES
from casework.selectors.cases import with_deadline_data
from casework.selectors.deadlines import with_deadlines

PURPOSE = "staff.deadline"
# A caseworker hears of a deadline this many days ahead, and once more if it is missed.
NOTICE = timedelta(days=3)


def staff_reminders_plan(*, today: date | None = None) -> int:
    """Plan one email per caseworker per deadline that is due within three days or overdue;
    a deadline already reminded of is not reminded of again."""
    today = today or timezone.localdate()
    cases = with_deadline_data(Case.objects.filter(state__in=OPEN_STATES, caseworker__isnull=False))
    already = {
        (subject_id, key)
        for subject_id, key in Reminder.objects.filter(
            purpose=PURPOSE,
            subject_type=ContentType.objects.get_for_model(Case),
            created_at__gte=timezone.now() - timedelta(days=60),
        ).values_list("subject_id", "context__key")
    }
    now = timezone.now()
    planned = 0
    for case, deadlines in with_deadlines(cases, today=today):
        for deadline in deadlines:
            if deadline.due - today > NOTICE:
                continue
            key = f"{deadline.label}|{deadline.due.isoformat()}|{deadline.status == 'overdue'}"
            if (case.pk, key) in already:
                continue
            due_at = timezone.make_aware(datetime.combine(deadline.due, time(9, 0)))
            reminder_plan(
                organisation_id=case.organisation_id,
                subject=case,
                purpose=PURPOSE,
                due_at=now,
                staff=case.caseworker,
                channel=Channel.EMAIL,
                context={"at": due_at.isoformat(), "key": key},
            )
            already.add((case.pk, key))
            planned += 1
    return planned
