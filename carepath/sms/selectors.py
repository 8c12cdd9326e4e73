from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import policy
from carepath.sms.models import Channel, MessageTemplate, Reminder, ReminderRule, ReminderState

REVIEW_LIST_LIMIT = 200

# The order a manager reads the outcome in: what went, then what did not, then what is pending.
REPORT_STATES = (
    ReminderState.SENT,
    ReminderState.DELIVERED,
    ReminderState.FAILED,
    ReminderState.SUPPRESSED,
    ReminderState.CANCELLED,
    ReminderState.SCHEDULED,
    ReminderState.SENDING,
)


def message_templates_for(user) -> QuerySet[MessageTemplate]:
    return policy.visible(user, "sms.template.manage", MessageTemplate.objects.all())


def message_template_for(user, *, pk: int) -> MessageTemplate:
    template, _why = policy.get_or_404(
        user, "sms.template.manage", MessageTemplate.objects.all(), pk=pk
    )
    return template


def reminder_rules_for(user) -> QuerySet[ReminderRule]:
    return policy.visible(user, "sms.rule.manage", ReminderRule.objects.all())


def reminder_rule_for(user, *, pk: int) -> ReminderRule:
    rule, _why = policy.get_or_404(user, "sms.rule.manage", ReminderRule.objects.all(), pk=pk)
    return rule


@dataclass
class StateRow:
    state: str
    label: str
    by_channel: list[int]
    total: int


@dataclass
class DeliveryReport:
    since: date
    until: date
    channels: list[tuple[str, str]]
    states: list[StateRow]
    channel_totals: list[int]
    total: int
    suppression_reasons: list[tuple[str, int]]
    needs_review_count: int
    needs_review: list[Reminder]


def _period(since: date, until: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(since, time.min))
    end = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
    return start, end


def delivery_report(user, *, since: date, until: date) -> DeliveryReport:
    """Reminders of the person's organisation due from ``since`` to ``until`` (both included):
    counts by state and channel, why texts were suppressed, and those a person must check.
    Three queries whatever the number of reminders."""
    start, end = _period(since, until)
    reminders = policy.visible(user, "sms.report.view", Reminder.objects.all()).filter(
        due_at__gte=start, due_at__lt=end
    )
    channels = list(Channel.choices)
    counts = reminders.aggregate(
        needs_review=Count("pk", filter=Q(needs_review=True)),
        **{
            f"{state}_{channel}": Count("pk", filter=Q(state=state, channel=channel))
            for state in REPORT_STATES
            for channel, _label in channels
        },
    )
    states = []
    for state in REPORT_STATES:
        by_channel = [counts[f"{state}_{channel}"] for channel, _label in channels]
        states.append(StateRow(state, state.label, by_channel, sum(by_channel)))
    channel_totals = [sum(row.by_channel[i] for row in states) for i in range(len(channels))]
    reasons = (
        reminders.filter(state=ReminderState.SUPPRESSED)
        .values("outcome")
        .annotate(count=Count("pk"))
        .order_by("-count", "outcome")
    )
    return DeliveryReport(
        since=since,
        until=until,
        channels=channels,
        states=states,
        channel_totals=channel_totals,
        total=sum(channel_totals),
        suppression_reasons=[
            (row["outcome"] or _("No reason recorded"), row["count"]) for row in reasons
        ],
        needs_review_count=counts["needs_review"],
        needs_review=list(
            reminders.filter(needs_review=True).order_by("due_at", "pk")[:REVIEW_LIST_LIMIT]
        ),
    )
