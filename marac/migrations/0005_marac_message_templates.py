"""Ship the texts of the MARAC staff emails (English and Welsh): an action falling due, and an
agenda going out.

Self-contained on purpose: a migration must not import the app's current code.

DESIGN.md "Reminders and SMS": a staff reminder names no case and no person; the reader signs in
to see what it is about.
"""

from django.db import migrations
from django.utils import timezone

TEMPLATES = [
    ("staff.marac_action", "en", "A MARAC action is due on {date}. Sign in to see it."),
    # "..., dyddiad cau: {date}" rather than "... ar {date}": the date starts "Dydd ..." and would
    # need the soft mutation after "ar" ("ar ddydd Llun"), which a filled-in date cannot take.
    (
        "staff.marac_action",
        "cy",
        "Cam gweithredu MARAC, dyddiad cau: {date}. Mewngofnodwch i'w weld.",
    ),
    (
        "staff.marac_agenda",
        "en",
        "A MARAC agenda is out for the meeting on {date}. Sign in to see it.",
    ),
    (
        "staff.marac_agenda",
        "cy",
        "Mae agenda MARAC ar gael. Dyddiad y cyfarfod: {date}. Mewngofnodwch i weld yr agenda.",
    ),
]

REASON = "Shipped default"


def ship(apps, schema_editor):
    MessageTemplate = apps.get_model("sms", "MessageTemplate")
    HistoricalMessageTemplate = apps.get_model("sms", "HistoricalMessageTemplate")
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


def remove(apps, schema_editor):
    MessageTemplate = apps.get_model("sms", "MessageTemplate")
    for key, language, _body in TEMPLATES:
        MessageTemplate.objects.filter(key=key, language=language).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("marac", "0004_meetings_actions"),
        ("sms", "0002_default_templates_and_rules"),
    ]

    operations = [
        migrations.RunPython(ship, remove),
    ]
