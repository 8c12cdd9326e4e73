import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carepath.people.models import Role
from tests.calendar.conftest import london
from tests.factories import CaseFactory

WEEK = "2026-01-07"  # a Wednesday: the week of Monday 5 January 2026


@pytest.fixture
def booked(team_a, caseworker_a, allocated_case, appointment):
    case = allocated_case(team_a, caseworker_a, given_name="Ottilie", family_name="Marchbanks")
    return appointment(case, london(2026, 1, 6, 14, 15), kind="sexual_health")


def test_my_week_shows_each_appointment_under_its_day_with_time_kind_reference_and_name(
    client, caseworker_a, booked
):
    client.force_login(caseworker_a)
    response = client.get(reverse("calendar:week"), {"week": WEEK})
    assert response.status_code == 200
    html = response.content.decode()
    tuesday = html.index("Tuesday 6 January")
    row = html[tuesday : html.index("Wednesday 7 January")]
    assert "14:15" in row
    assert "Sexual health" in row
    assert booked.case.reference in row
    assert "Ottilie Marchbanks" in row
    assert reverse("casework:case", args=[booked.case.pk]) in row
    assert "Monday 5 January 2026 to Sunday 11 January 2026" in html
    assert "?week=2025-12-29" in html
    assert "?week=2026-01-12" in html


def test_team_view_names_the_caseworker_of_each_row(client, teammate_a, caseworker_a, booked):
    client.force_login(teammate_a)
    response = client.get(reverse("calendar:team"), {"week": WEEK})
    assert response.status_code == 200
    html = response.content.decode()
    assert booked.case.reference in html
    assert str(caseworker_a) in html
    # The teammate's own week has none of it: the case is not allocated to them.
    mine = client.get(reverse("calendar:week"), {"week": WEEK}).content.decode()
    assert booked.case.reference not in mine


@pytest.mark.parametrize("who", ["caseworker_b", "caseworker_other_org", "manager_b"])
def test_team_view_shows_nothing_of_cases_the_person_may_not_see(client, request, booked, who):
    client.force_login(request.getfixturevalue(who))
    for name in ("calendar:team", "calendar:week"):
        response = client.get(reverse(name), {"week": WEEK})
        assert response.status_code == 200
        assert booked.case.reference not in response.content.decode()
        assert "Marchbanks" not in response.content.decode()


def test_a_service_manager_sees_every_team_of_their_organisation(client, manager_a, booked):
    client.force_login(manager_a)
    response = client.get(reverse("calendar:team"), {"week": WEEK})
    assert booked.case.reference in response.content.decode()


@pytest.mark.parametrize(
    "role", [Role.ADMINISTRATOR, Role.ACCOMMODATION_MANAGER, Role.MARAC_CHAIR, Role.MARAC_PARTNER]
)
@pytest.mark.parametrize("name", ["calendar:week", "calendar:team", "calendar:feed_settings"])
def test_other_roles_are_told_the_calendar_does_not_exist(client, make_user, org_a, role, name):
    client.force_login(make_user(org_a, role))
    assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse(name)).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client):
    for name in ("calendar:week", "calendar:team", "calendar:feed_settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("value", ["next tuesday", "2026-02-31", "0001-01-01", "%00"])
def test_a_week_that_is_not_a_date_says_so_and_shows_this_week(
    client, caseworker_a, time_machine, value
):
    time_machine.move_to(london(2026, 3, 4, 9, 0), tick=False)
    client.force_login(caseworker_a)
    response = client.get(reverse("calendar:week"), {"week": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That week could not be shown" in html
    assert "Monday 2 March 2026 to Sunday 8 March 2026" in html


def test_without_a_week_it_is_this_week(client, caseworker_a, time_machine):
    time_machine.move_to(london(2026, 3, 8, 23, 30), tick=False)  # Sunday night
    client.force_login(caseworker_a)
    html = client.get(reverse("calendar:week")).content.decode()
    assert "Monday 2 March 2026 to Sunday 8 March 2026" in html
    assert "That week could not be shown" not in html


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"week": WEEK}).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_appointments(
    client, team_a, caseworker_a, manager_a, allocated_case, appointment
):
    def add(n):
        for i in range(n):
            case = allocated_case(team_a, caseworker_a)
            appointment(case, london(2026, 1, 5 + i % 7, 9 + i % 8, 0))
        appointment(
            CaseFactory(team=team_a, by=manager_a), london(2026, 1, 8, 9), state="requested"
        )

    add(2)
    client.force_login(caseworker_a)
    small = {name: _count(client, reverse(name)) for name in ("calendar:week", "calendar:team")}
    client.force_login(manager_a)
    small_manager = _count(client, reverse("calendar:team"))

    add(12)
    client.force_login(caseworker_a)
    assert {name: _count(client, reverse(name)) for name in small} == small
    client.force_login(manager_a)
    assert _count(client, reverse("calendar:team")) == small_manager
    html = client.get(reverse("calendar:team"), {"week": WEEK}).content.decode()
    assert len(re.findall(r'href="/cases/\d+/"', html)) == 16


def test_the_week_on_the_day_the_clocks_go_back_shows_local_times(
    client, team_a, caseworker_a, allocated_case, appointment
):
    case = allocated_case(team_a, caseworker_a)
    appointment(case, datetime.datetime(2026, 10, 25, 23, 30, tzinfo=datetime.UTC))
    client.force_login(caseworker_a)
    html = client.get(reverse("calendar:week"), {"week": "2026-10-19"}).content.decode()
    sunday = html[html.index("Sunday 25 October") :]
    assert "23:30" in sunday  # GMT again: the same as UTC
