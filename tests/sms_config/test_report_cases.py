"""The delivery report's reminders to check lead to their case, and its dates stay in range."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carepath.sms import selectors
from carepath.sms.models import Reminder
from casework.models import Case
from tests.factories import CaseFactory, TeamFactory

LONDON = ZoneInfo("Europe/London")
MARCH = {"from": "2025-03-01", "to": "2025-03-31"}
pytestmark = pytest.mark.django_db


def to_check(case, day: int = 11, **values) -> Reminder:
    return Reminder.objects.create(
        organisation_id=values.pop("organisation_id", case.organisation_id),
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        purpose="appointment",
        due_at=datetime(2025, 3, day, 10, tzinfo=LONDON),
        state="sending",
        needs_review=True,
        outcome="Outcome unknown: timeout",
        **values,
    )


@pytest.fixture
def case_a(team_a, manager_a):
    return CaseFactory(team=team_a, by=manager_a)


def test_each_reminder_to_check_names_and_links_its_case(client, manager_a, case_a):
    reminder = to_check(case_a)
    client.force_login(manager_a)
    response = client.get(reverse("sms:report"), MARCH)

    assert response.status_code == 200
    [listed] = response.context["report"].needs_review
    assert (listed.pk, listed.case_reference) == (reminder.pk, case_a.reference)
    case_url = reverse("casework:case", args=[case_a.pk])
    assert f'<a href="{case_url}">{case_a.reference}</a>' in response.content.decode()
    # The link leads to a page the service manager may open.
    assert client.get(case_url).status_code == 200


def test_a_case_of_another_organisation_is_not_named(manager_a, org_a, org_b, case_a):
    # A reminder of organisation A whose subject id is a case of organisation B: a broken row
    # must not show B's reference to A's manager.
    case_b = CaseFactory(team=TeamFactory(organisation=org_b))
    to_check(case_b, organisation_id=org_a.pk)
    report = selectors.delivery_report(manager_a, since=date(2025, 3, 1), until=date(2025, 3, 31))
    assert [r.case_reference for r in report.needs_review] == [None]


def test_the_number_of_queries_does_not_grow_with_the_cases(client, manager_a, team_a):
    client.force_login(manager_a)

    def page_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("sms:report"), MARCH)
        assert response.status_code == 200
        return len(queries), response

    def seed(n):
        for i in range(n):
            to_check(CaseFactory(team=team_a, by=manager_a), day=1 + i % 28)

    seed(2)
    few, _response = page_queries()
    seed(15)
    many, response = page_queries()
    assert many == few
    body = response.content.decode()
    cases = Case.objects.filter(team=team_a)
    assert len(cases) == 17
    for case in cases:
        assert f'<a href="{reverse("casework:case", args=[case.pk])}">{case.reference}</a>' in body
    with CaptureQueriesContext(connection) as queries:
        selectors.delivery_report(manager_a, since=date(2025, 3, 1), until=date(2025, 3, 31))
    assert len(queries) == 3  # the counts, the reasons, the reminders to check with their cases


@pytest.mark.parametrize(
    "query",
    [
        {"to": "9999-12-31"},
        {"from": "9999-12-30", "to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"from": "1999-12-31", "to": "2025-03-31"},
        {"from": "2025-03-01", "to": "2101-01-01"},
    ],
)
def test_a_date_out_of_range_is_a_form_error(client, manager_a, query):
    client.force_login(manager_a)
    response = client.get(reverse("sms:report"), query)
    assert response.status_code == 400
    assert response.context["report"] is None
    body = response.content.decode()
    assert "There is a problem" in body and "Enter a date in the years 2000 to 2100." in body


def test_the_first_and_last_days_allowed_work(client, manager_a):
    client.force_login(manager_a)
    response = client.get(reverse("sms:report"), {"from": "2000-01-01", "to": "2100-12-31"})
    assert response.status_code == 200
    assert response.context["report"].total == 0
    assert 'min="2000-01-01"' in response.content.decode()
