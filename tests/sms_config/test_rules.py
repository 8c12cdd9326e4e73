import pytest
from django.urls import reverse

from carepath.people.models import Role
from carepath.sms.models import ReminderRule


@pytest.fixture
def admin_client(client, admin_a):
    client.force_login(admin_a)
    return client


@pytest.mark.django_db
def test_the_rules_page_lists_the_rules_in_words(admin_client):
    body = admin_client.get(reverse("sms:rules")).content.decode()
    assert "1 day before (1440 minutes)" in body
    assert "2 hours before (120 minutes)" in body


@pytest.mark.django_db
def test_adding_a_rule_records_who_and_says_so(admin_client, admin_a):
    response = admin_client.post(
        reverse("sms:rules"), {"purpose": "appointment.gp", "minutes_before": "90"}, follow=True
    )
    rule = ReminderRule.objects.get(purpose="appointment.gp")
    assert rule.minutes_before == 90
    assert rule.history.get().history_user == admin_a
    assert "Reminder 1 hour 30 minutes before for appointment.gp added." in (
        response.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"purpose": "appointment", "minutes_before": "4"}, "minutes_before", "greater than"),
        ({"purpose": "appointment", "minutes_before": "20161"}, "minutes_before", "less than"),
        ({"purpose": "appointment", "minutes_before": "soon"}, "minutes_before", "whole number"),
        ({"purpose": "a gp visit", "minutes_before": "60"}, "purpose", "appointment.gp"),
        ({"purpose": "", "minutes_before": "60"}, "purpose", "required"),
    ],
)
def test_a_bad_rule_is_a_form_error(admin_client, data, field, message):
    before = ReminderRule.objects.count()
    response = admin_client.post(reverse("sms:rules"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert "There is a problem" in response.content.decode()
    assert ReminderRule.objects.count() == before


@pytest.mark.django_db
def test_the_limits_themselves_are_allowed(admin_client):
    for minutes in ("5", "20160"):
        response = admin_client.post(
            reverse("sms:rules"), {"purpose": "staff.deadline", "minutes_before": minutes}
        )
        assert response.status_code == 302
    assert ReminderRule.objects.filter(purpose="staff.deadline").count() == 2


@pytest.mark.django_db
def test_a_duplicate_rule_is_a_form_error(admin_client):
    response = admin_client.post(
        reverse("sms:rules"), {"purpose": "Appointment", "minutes_before": "1440"}
    )
    assert response.status_code == 200
    assert "There is already a reminder 1440 minutes before for appointment." in (
        response.content.decode()
    )
    assert ReminderRule.objects.filter(purpose="appointment", minutes_before=1440).count() == 1


@pytest.mark.django_db
def test_deleting_a_rule_keeps_its_history(admin_client, admin_a):
    rule = ReminderRule.objects.get(purpose="appointment", minutes_before=120)
    response = admin_client.post(reverse("sms:rule_delete", args=[rule.pk]), follow=True)
    assert not ReminderRule.objects.filter(pk=rule.pk).exists()
    deleted = ReminderRule.history.filter(id=rule.pk).first()
    assert deleted.history_type == "-" and deleted.history_user == admin_a
    assert "Reminder 2 hours before for appointment deleted." in response.content.decode()


@pytest.mark.django_db
def test_delete_only_by_post(admin_client):
    rule = ReminderRule.objects.first()
    assert admin_client.get(reverse("sms:rule_delete", args=[rule.pk])).status_code == 405
    assert ReminderRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SERVICE_MANAGER, Role.MARAC_PARTNER])
def test_only_administrators_reach_the_rules_page(client, make_user, org_a, role):
    client.force_login(make_user(org_a, role))
    rule = ReminderRule.objects.first()
    assert client.get(reverse("sms:rules")).status_code == 404
    response = client.post(reverse("sms:rules"), {"purpose": "x", "minutes_before": "60"})
    assert response.status_code == 404
    assert client.post(reverse("sms:rule_delete", args=[rule.pk])).status_code == 404
    assert ReminderRule.objects.filter(pk=rule.pk).exists()
    assert not ReminderRule.objects.filter(purpose="x").exists()
