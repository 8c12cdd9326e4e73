"""The chair's pages for MARAC areas, partner agencies and the meeting schedule."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from carepath.audit.models import AccessLogEntry
from marac.models import MaracArea, MaracMeeting, PartnerAgency
from marac.services import meetings as svc

UK = ZoneInfo("Europe/London")
AREA_POST = {
    "name": "Southtown MARAC",
    "escalation_incidents": 3,
    "agenda_days_before": 7,
    "meets_every_days": 28,
    "default_location": "Room 4, Civic Centre",
}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _area_urls(area, agency) -> list[str]:
    return [
        reverse("marac:area", args=[area.pk]),
        reverse("marac:area_edit", args=[area.pk]),
        reverse("marac:agency_new", args=[area.pk]),
        reverse("marac:agency_edit", args=[agency.pk]),
        reverse("marac:meeting_new", args=[area.pk]),
    ]


def _state(area) -> dict:
    area.refresh_from_db()
    return {
        "area": (area.name, area.escalation_incidents, area.meets_every_days),
        "agencies": sorted(
            (a.pk, a.name, a.active, tuple(a.members.values_list("pk", flat=True)))
            for a in PartnerAgency.objects.all()
        ),
        "meetings": sorted(MaracMeeting.objects.values_list("pk", flat=True)),
        "areas": MaracArea.objects.count(),
    }


def test_chair_creates_an_area_and_changes_its_settings(client, chair_a, org_a):
    client.force_login(chair_a)
    page = client.get(reverse("marac:area_new")).content.decode()
    assert 'name="escalation_incidents"' in page and 'value="28"' in page

    response = client.post(reverse("marac:area_new"), AREA_POST)
    area = MaracArea.objects.get()
    assert response.status_code == 302 and response.url == reverse("marac:area", args=[area.pk])
    assert (area.organisation, area.name, area.default_location) == (
        org_a,
        "Southtown MARAC",
        "Room 4, Civic Centre",
    )

    url = reverse("marac:area_edit", args=[area.pk])
    assert 'value="Southtown MARAC"' in client.get(url).content.decode()
    response = client.post(
        url, {**AREA_POST, "escalation_incidents": 4, "meets_every_days": 14}, follow=True
    )
    assert "Settings saved." in response.content.decode()
    area.refresh_from_db()
    assert (area.escalation_incidents, area.meets_every_days) == (4, 14)
    assert "meets every 14 days" in client.get(reverse("marac:areas")).content.decode()


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("escalation_incidents", 0, "greater than or equal to 1"),
        ("escalation_incidents", 21, "less than or equal to 20"),
        ("agenda_days_before", 0, "greater than or equal to 1"),
        ("meets_every_days", 6, "greater than or equal to 7"),
        ("meets_every_days", 92, "less than or equal to 91"),
        ("name", "", "This field is required."),
    ],
)
def test_bad_area_settings_show_an_error_and_change_nothing(
    client, chair_a, area, field, value, error
):
    client.force_login(chair_a)
    before = _state(area)
    response = client.post(reverse("marac:area_edit", args=[area.pk]), {**AREA_POST, field: value})
    page = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in page and error in page
    assert _state(area) == before


def test_chair_adds_and_changes_a_partner_agency(client, chair_a, area, org_a, make_user):
    partner = make_user(org_a, "marac_partner", username="pc.jones", first_name="Sam")
    make_user(org_a, "caseworker", username="not.a.partner")
    client.force_login(chair_a)
    url = reverse("marac:agency_new", args=[area.pk])
    page = client.get(url).content.decode()
    assert "Sam" in page and "pc.jones" in page and "not.a.partner" not in page

    response = client.post(
        url, {"name": "Northtown Police", "kind": "police", "active": "on", "members": partner.pk}
    )
    assert response.status_code == 302
    agency = PartnerAgency.objects.get()
    assert (agency.area, agency.kind, agency.active) == (area, "police", True)
    assert list(agency.members.all()) == [partner]

    detail = client.get(reverse("marac:area", args=[area.pk])).content.decode()
    assert "Northtown Police" in detail and "Sam" in detail
    assert reverse("marac:agency_edit", args=[agency.pk]) in detail

    edit = reverse("marac:agency_edit", args=[agency.pk])
    assert "checked" in client.get(edit).content.decode()
    response = client.post(edit, {"name": "Northtown Constabulary", "kind": "police"})
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.name, agency.active) == ("Northtown Constabulary", False)
    assert not agency.members.exists()


def test_bad_agency_input_shows_an_error_and_changes_nothing(
    client, chair_a, area, police, health, caseworker_a
):
    client.force_login(chair_a)
    before = _state(area)
    new = reverse("marac:agency_new", args=[area.pk])
    response = client.post(new, {"name": "NORTHTOWN POLICE", "kind": "police", "active": "on"})
    assert response.status_code == 200
    assert "already has an agency of that name" in response.content.decode()

    response = client.post(
        reverse("marac:agency_edit", args=[health.pk]),
        {"name": "Northtown Police", "kind": "health", "active": "on"},
    )
    assert "already has an agency of that name" in response.content.decode()

    response = client.post(
        new, {"name": "Housing", "kind": "housing", "active": "on", "members": caseworker_a.pk}
    )
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    response = client.post(new, {"name": "Housing", "kind": "no-such-kind"})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert _state(area) == before


def test_chair_schedules_a_series_of_meetings(client, chair_a, area, police, health):
    PartnerAgency.objects.create(area=area, name="Old Housing", kind="housing", active=False)
    area.default_location = "Room 4"
    area.save()
    client.force_login(chair_a)
    url = reverse("marac:meeting_new", args=[area.pk])
    page = client.get(url).content.decode()
    assert "every 28 days" in page and 'value="10:00"' in page and 'value="Room 4"' in page

    response = client.post(url, {"date": "2026-03-16", "time": "10:00", "count": 3})
    assert response.status_code == 302 and response.url == reverse("marac:area", args=[area.pk])
    assert _messages(response) == ["3 meetings scheduled."]
    meetings = list(MaracMeeting.objects.order_by("starts_at"))
    # The clocks go forward on 29 March: the meetings stay at 10:00 UK time.
    assert [timezone.localtime(m.starts_at, UK) for m in meetings] == [
        datetime.datetime(2026, 3, 16, 10, 0, tzinfo=UK),
        datetime.datetime(2026, 4, 13, 10, 0, tzinfo=UK),
        datetime.datetime(2026, 5, 11, 10, 0, tzinfo=UK),
    ]
    for meeting in meetings:
        assert set(meeting.invited.all()) == {police, health}
        assert meeting.location == "Room 4"

    client.get(response.url)  # the message is shown once
    response = client.post(
        url, {"date": "2026-05-11", "time": "14:00", "count": 2, "location": "Video call"}
    )
    assert _messages(response) == [
        "1 of 2 meetings scheduled: days that already had a meeting were skipped."
    ]
    new = MaracMeeting.objects.latest("starts_at")
    assert timezone.localtime(new.starts_at, UK) == datetime.datetime(2026, 6, 8, 14, 0, tzinfo=UK)
    assert new.location == "Video call"

    detail = client.get(reverse("marac:area", args=[area.pk])).content.decode()
    for meeting in MaracMeeting.objects.all():
        assert reverse("marac:meeting", args=[meeting.pk]) in detail
    areas = client.get(reverse("marac:areas")).content.decode()
    assert "16 Mar 2026, 10:00" in areas


@pytest.mark.parametrize(
    "data, error",
    [
        ({"date": "2026-03-01", "time": "10:00", "count": 1}, "cannot be in the past"),
        ({"date": "2026-03-02", "time": "08:00", "count": 1}, "must be in the future"),
        ({"date": "2026-03-16", "time": "10:00", "count": 27}, "less than or equal to 26"),
        ({"date": "2026-03-16", "time": "10:00", "count": 0}, "greater than or equal to 1"),
        ({"date": "2026-03-09", "time": "14:00", "count": 1}, "already meets on each"),
    ],
)
def test_bad_schedule_shows_an_error_and_creates_nothing(
    client, chair_a, area, meeting, data, error
):
    client.force_login(chair_a)
    before = _state(area)
    response = client.post(reverse("marac:meeting_new", args=[area.pk]), data)
    assert response.status_code == 200
    assert "error-summary" in response.content.decode() and error in response.content.decode()
    assert _state(area) == before


def test_another_organisations_chair_gets_a_404(client, area, police, make_user, org_b):
    chair_b = make_user(org_b, "marac_chair", username="chair.b")
    client.force_login(chair_b)
    before = _state(area)
    data = {**AREA_POST, "kind": "police", "date": "2026-03-16", "time": "10:00", "count": 1}
    for url in _area_urls(area, police):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    assert area.name not in client.get(reverse("marac:areas")).content.decode()
    assert _state(area) == before


@pytest.mark.parametrize("role", ["caseworker", "service_manager", "marac_partner"])
def test_other_roles_get_a_404(client, area, police, make_user, org_a, role):
    client.force_login(make_user(org_a, role, username="someone"))
    before = _state(area)
    urls = [reverse("marac:areas"), reverse("marac:area_new"), *_area_urls(area, police)]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, AREA_POST).status_code == 404, url
    assert _state(area) == before


def test_area_page_lists_waiting_referrals_and_logs_the_case_reads(
    client, chair_a, area, meeting, make_referral, police
):
    waiting = make_referral(referring_agency="police")
    listed = make_referral()
    svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=listed)
    client.force_login(chair_a)
    url = reverse("marac:area", args=[area.pk])
    page = client.get(url).content.decode()

    assert waiting.case.display_name in page
    assert listed.case.display_name not in page
    assert reverse("marac:referral", args=[waiting.pk]) in page
    assert "2 Mar 2026" in page and "Visible high risk" in page and "Police" in page
    assert f'action="{reverse("marac:meeting_list_case", args=[meeting.pk])}"' in page
    assert f'name="referral" value="{waiting.pk}"' in page
    assert reverse("marac:data_return", args=[area.pk]) in page
    assert reverse("marac:meeting_new", args=[area.pk]) in page

    entry = AccessLogEntry.objects.get(path=url)
    assert (entry.actor, entry.object_id, entry.action, entry.basis) == (
        chair_a,
        waiting.case.pk,
        "view",
        "MARAC chair",
    )


def test_area_list_counts_without_a_query_per_area(
    client, chair_a, org_a, make_referral, django_assert_max_num_queries
):
    for n in range(4):
        area = svc.marac_area_create(by=chair_a, values={"name": f"Area {n}"})
        for k in range(n):
            svc.partner_agency_save(by=chair_a, area=area, name=f"Agency {k}", kind="police")
        for _ in range(n):
            make_referral(to=area)
        svc.marac_meetings_schedule(
            by=chair_a,
            area=area,
            first_starts_at=datetime.datetime(2026, 3, 10 + n, 10, 0, tzinfo=UK),
            count=2,
        )
    client.force_login(chair_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("marac:areas"))
    rows = {
        row.split("</a>")[0].rsplit(">", 1)[-1]: row
        for row in response.content.decode().split('<th scope="row">')[1:]
    }
    # The four areas, and the one the make_referral fixture brings with it.
    assert len(rows) == 5
    assert "<td>3</td>" in rows["Area 3"] and "<strong>3</strong>" in rows["Area 3"]
    assert "13 Mar 2026, 10:00" in rows["Area 3"]
    assert "<td>0</td>" in rows["Area 0"] and "10 Mar 2026, 10:00" in rows["Area 0"]
