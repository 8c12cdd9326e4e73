"""Writes to what administrators configure: the reminder texts and when reminders go."""

from django.db import transaction

from carepath import policy
from carepath.people.models import User
from carepath.sms.models import MessageTemplate, ReminderRule


@transaction.atomic
def message_template_save(*, by: User, template: MessageTemplate) -> MessageTemplate:
    """Save a new or changed text (validated by its form); history records who changed it."""
    policy.require(by, "sms.template.manage", template if template.pk else None)
    template._history_user = by
    template.save()
    return template


@transaction.atomic
def reminder_rule_add(*, by: User, purpose: str, minutes_before: int) -> ReminderRule:
    policy.require(by, "sms.rule.manage")
    rule = ReminderRule(purpose=purpose, minutes_before=minutes_before)
    rule._history_user = by
    rule.save()
    return rule


@transaction.atomic
def reminder_rule_delete(*, by: User, rule: ReminderRule) -> None:
    policy.require(by, "sms.rule.manage", rule)
    rule._history_user = by
    rule.delete()
