"""Ship the default reminder texts (English and Welsh) and the default appointment reminder rules.

Self-contained on purpose: a migration must not import the app's current code.

DESIGN.md "Reminders and SMS": message text is discreet by default: no organisation name, no
case detail, no kind of appointment, no place. A staff reminder names no one.
"""

from django.db import migrations
from django.utils import timezone

TEMPLATES = [
    ("appointment", "en", "Reminder: {date} at {time}."),
    ("appointment", "cy", "Nodyn atgoffa: {date} am {time}."),
    ("staff.deadline", "en", "A Carepath deadline is due on {date}. Sign in to see it."),
    # "Dyddiad cau Carepath:" rather than "... ar {date}": the date starts "Dydd ..." and would
    # need the soft mutation after "ar" ("ar ddydd Llun"), which a filled-in date cannot take.
    ("staff.deadline", "cy", "Dyddiad cau Carepath: {date}. Mewngofnodwch i'w weld."),
]

# A day before and two hours before every appointment, unless a kind has its own rules.
RULES = [("appointment", 1440), ("appointment", 120)]

REASON = "Shipped default"


def ship(apps, schema_editor):
    MessageTemplate = apps.get_model("sms", "MessageTemplate")
    HistoricalMessageTemplate = apps.get_model("sms", "HistoricalMessageTemplate")
    ReminderRule = apps.get_model("sms", "ReminderRule")
    HistoricalReminderRule = apps.get_model("sms", "HistoricalReminderRule")
    now = timezone.now()
    # Historical models in migrations send no simple-history signals: write the "created" rows
    # so the first edit of a shipped text shows what it was before.
    for key, language, body in TEMPLATES:
        template, created = MessageTemplate.objects.get_or_create(
            key=key, language=language, defaults={"body": body}
        )
        if created:
            HistoricalMessageTemplate.objects.create(
                id=template.pk,
                key=key,
                language=language,
                body=body,
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
            )
    for purpose, minutes in RULES:
        rule, created = ReminderRule.objects.get_or_create(purpose=purpose, minutes_before=minutes)
        if created:
            HistoricalReminderRule.objects.create(
                id=rule.pk,
                purpose=purpose,
                minutes_before=minutes,
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
            )


def remove(apps, schema_editor):
    MessageTemplate = apps.get_model("sms", "MessageTemplate")
    ReminderRule = apps.get_model("sms", "ReminderRule")
    for key, language, _body in TEMPLATES:
        MessageTemplate.objects.filter(key=key, language=language).delete()
    for purpose, minutes in RULES:
        ReminderRule.objects.filter(purpose=purpose, minutes_before=minutes).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sms", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(ship, remove),
    ]
