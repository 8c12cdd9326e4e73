from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Case, CharField, Count, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepath import policy
from carepath.reporting.tables import LABEL, TOTAL, Chart, Column, Table, totals_of
from carepath.sms.models import Channel, MessageTemplate, Reminder, ReminderRule, ReminderState

REVIEW_LIST_LIMIT = 200
# The days a report may cover: beyond them a date is a typing slip, and date arithmetic on the
# far side of year 9999 fails.
REPORT_FIRST_DAY = date(2000, 1, 1)
REPORT_LAST_DAY = date(2100, 12, 31)

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
    to_check = with_case_reference(reminders.filter(needs_review=True)).order_by("due_at", "pk")
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
        needs_review=list(to_check[:REVIEW_LIST_LIMIT]),
    )


def delivery_report_tables(report: DeliveryReport) -> list[Table]:
    """The report's figures as report tables, for its charts and downloads: reminders by state
    and channel (the channels add up to each state's total, the states to the total row), and
    the suppressed reminders by reason (adding up to the suppressed reminders). The reminders
    to check are not in them: they name cases."""
    channels = tuple(value for value, _label in report.channels)
    rows = [
        {"state": row.label, **dict(zip(channels, row.by_channel, strict=True)), TOTAL: row.total}
        for row in report.states
    ]
    by_state = Table(
        key="by_state",
        title=_("Reminders by state and channel"),
        columns=[
            Column("state", gettext_lazy("State"), LABEL),
            *(Column(value, label) for value, label in report.channels),
            Column(TOTAL, gettext_lazy("Total")),
        ],
        rows=rows,
        total_row={
            "state": _("Total"),
            **dict(zip(channels, report.channel_totals, strict=True)),
            TOTAL: report.total,
        },
        sums=channels,
        chart=Chart("state", channels, stacked=True),
    )
    reasons = [
        {"reason": reason, "reminders": count} for reason, count in report.suppression_reasons
    ]
    by_reason = Table(
        key="suppression_reasons",
        title=_("Why reminders were suppressed"),
        columns=[
            Column("reason", gettext_lazy("Reason"), LABEL),
            Column("reminders", gettext_lazy("Reminders")),
        ],
        rows=reasons,
        total_row=totals_of(reasons, ("reminders",), reason=_("Total")),
        chart=Chart("reason", ("reminders",), horizontal=True),
    )
    return [by_state, by_reason]


def with_case_reference(reminders: QuerySet[Reminder]) -> QuerySet[Reminder]:
    """Each reminder with ``case_reference``, the reference of the case it is about, read in the
    same query; None when its subject is not a case of the reminder's organisation."""
    case = apps.get_model("casework", "Case")
    reference = case.objects.filter(
        pk=OuterRef("subject_id"), organisation_id=OuterRef("organisation_id")
    ).values("reference")[:1]
    return reminders.annotate(
        case_reference=Case(
            # The content type is matched by name in the join: no query to look it up first.
            When(
                subject_type__app_label=case._meta.app_label,
                subject_type__model=case._meta.model_name,
                then=Subquery(reference),
            ),
            default=None,
            output_field=CharField(),
        )
    )
