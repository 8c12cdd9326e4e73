import pytest
from django.urls import reverse

from carepath.audit import access_log, timeline
from carepath.audit.models import AccessLogEntry, AppendOnlyError, TimelineEvent
from carepath.people.models import Role, User


def test_editing_a_user_writes_history_and_reading_writes_the_access_log(
    client, admin_a, make_user, org_a
):
    colleague = make_user(org_a, Role.CASEWORKER, first_name="Jo")
    client.force_login(admin_a)

    response = client.get(reverse("people:user", args=[colleague.pk]))
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(object_id=colleague.pk)
    assert entry.actor == admin_a
    assert entry.basis == "organisation administrator"
    assert entry.organisation == org_a
    assert "Jo" not in entry.object_label  # no personal data in the log's record label

    response = client.post(
        reverse("people:user", args=[colleague.pk]),
        {
            "first_name": "Joanna",
            "last_name": colleague.last_name,
            "email": colleague.email,
            "roles": [Role.CASEWORKER, Role.SERVICE_MANAGER],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    latest = colleague.history.latest()
    assert latest.history_user == admin_a
    assert latest.first_name == "Joanna"
    event = TimelineEvent.objects.get(kind="user.updated", subject_id=colleague.pk)
    assert event.actor == admin_a
    assert event.detail["roles"] == [Role.CASEWORKER, Role.SERVICE_MANAGER]

    page = client.get(reverse("people:user", args=[colleague.pk]))
    assert "Joanna" in page.content.decode()  # the history view shows the field difference


def test_access_log_rows_are_append_only(admin_a):
    entry = access_log.record(admin_a, by=admin_a, basis="test")
    entry.basis = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().update(basis="x")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()


def test_timeline_rows_are_append_only(admin_a):
    event = timeline.record(admin_a, by=admin_a, kind="test")
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_service_manager_sees_only_their_organisations_access_log(
    client, manager_a, manager_b, admin_a, admin_b
):
    access_log.record(admin_a, by=admin_a, basis="in A")
    access_log.record(admin_b, by=admin_b, basis="in B")
    client.force_login(manager_a)
    page = client.get(reverse("audit:access_log")).content.decode()
    assert "in A" in page
    assert "in B" not in page


def test_access_log_filters_by_person_and_date(client, manager_a, admin_a, make_user, org_a):
    other = make_user(org_a, Role.ADMINISTRATOR)
    access_log.record(admin_a, by=admin_a, basis="by admin a")
    access_log.record(admin_a, by=other, basis="by other")
    client.force_login(manager_a)
    page = client.get(reverse("audit:access_log"), {"actor": other.pk}).content.decode()
    assert "by other" in page and "by admin a" not in page
    bad = client.get(reverse("audit:access_log"), {"since": "2026-02-01", "until": "2026-01-01"})
    assert bad.status_code == 200
    assert "The end date must be on or after the start date." in bad.content.decode()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.ADMINISTRATOR, Role.MARAC_PARTNER])
def test_only_service_managers_open_the_access_log(client, make_user, org_a, role):
    client.force_login(make_user(org_a, role))
    assert client.get(reverse("audit:access_log")).status_code == 404


def test_user_list_has_no_n_plus_one(
    client, admin_a, make_user, org_a, team_a, django_assert_max_num_queries
):
    for _ in range(15):
        make_user(org_a, Role.CASEWORKER, teams=[team_a])
    client.force_login(admin_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people:users"))
    assert response.status_code == 200
    assert User.objects.count() == 16
