from importlib import import_module

import pytest
from django.apps import apps

from carepath.sms.forms import MessageTemplateForm
from carepath.sms.models import MessageTemplate, ReminderRule

shipped = import_module("carepath.sms.migrations.0002_default_templates_and_rules")


@pytest.mark.django_db
def test_default_texts_ship_in_english_and_welsh():
    texts = {(t.key, t.language): t.body for t in MessageTemplate.objects.all()}
    assert texts[("appointment", "en")] == "Reminder: {date} at {time}."
    assert texts[("appointment", "cy")] == "Nodyn atgoffa: {date} am {time}."
    assert "{date}" in texts[("staff.deadline", "en")]
    assert "{date}" in texts[("staff.deadline", "cy")]


@pytest.mark.django_db
def test_default_rules_remind_a_day_and_two_hours_before_an_appointment():
    assert set(ReminderRule.objects.values_list("purpose", "minutes_before")) >= {
        ("appointment", 1440),
        ("appointment", 120),
    }


@pytest.mark.django_db
def test_the_shipped_texts_pass_the_checks_an_administrator_faces(org_a, org_b):
    for template in MessageTemplate.objects.all():
        form = MessageTemplateForm(
            {"key": template.key, "language": template.language, "body": template.body},
            instance=template,
        )
        assert form.is_valid(), (template, form.errors)


@pytest.mark.django_db
def test_the_shipped_texts_have_a_created_revision():
    template = MessageTemplate.objects.get(key="appointment", language="cy")
    assert [row.history_type for row in template.history.all()] == ["+"]


@pytest.mark.django_db
def test_reversing_the_migration_removes_the_defaults_and_reapplying_restores_them():
    shipped.remove(apps, None)
    assert not MessageTemplate.objects.filter(key__in=["appointment", "staff.deadline"]).exists()
    assert not ReminderRule.objects.filter(purpose="appointment").exists()
    shipped.ship(apps, None)
    assert MessageTemplate.objects.filter(key="appointment").count() == 2
    assert ReminderRule.objects.filter(purpose="appointment").count() == 2
