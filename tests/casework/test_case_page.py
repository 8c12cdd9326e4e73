"""What the case page reads once and shares between its sections still shows as before: the
links between episodes, and the number each text went to."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carepath.sms.models import Reminder
from casework.models import Case
from casework.services import cases as case_services
from casework.services import contact as contact_services
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("casework:case", args=[case.pk])).status_code == 200
    return len(queries)


def _page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("casework:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _declined_then_reopened(team, manager):
    """A referral declined, then re-opened as a second episode: (first, second)."""
    first = CaseFactory(team=team, by=manager)
    case_services.case_decline(
        by=manager,
        case=first,
        expected_version=first.version,
        decline_reason="no_capacity",
        reason="No space this week",
    )
    return first, case_services.case_reopen(by=manager, case=first, reason="Came back for support")


def test_each_episode_links_to_the_other(client, team_a, manager_a):
    first, second = _declined_then_reopened(team_a, manager_a)
    assert second.reference != first.reference

    page = _page(client, manager_a, first)
    assert f'href="{reverse("casework:case", args=[second.pk])}">{second.reference}</a>' in page
    assert "Re-opened as" in page
    assert "Previous episode" not in page
    page = _page(client, manager_a, second)
    assert f'href="{reverse("casework:case", args=[first.pk])}">{first.reference}</a>' in page
    assert "Previous episode" in page
    assert "Re-opened as" not in page


def test_the_episode_links_take_one_query(client, team_a, manager_a):
    _first, second = _declined_then_reopened(team_a, manager_a)
    alone = CaseFactory(team=team_a, by=manager_a)
    _page(client, manager_a, alone)  # the session's first request records it
    assert _queries(client, second) == _queries(client, alone) + 1


def _text(case, contact, day: int) -> Reminder:
    return Reminder.objects.create(
        organisation=case.organisation,
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        purpose="appointment",
        safe_contact=contact,
        due_at=datetime.datetime(2026, 3, day, 10, tzinfo=LONDON),
        state="delivered",
    )


def test_each_text_shows_the_number_it_went_to(client, team_a, manager_a):
    case = CaseFactory(team=team_a, by=manager_a)
    own = contact_services.safe_contact_add(
        by=manager_a,
        case=case,
        values={"number": "+447700900123", "label": "Own mobile", "language": "en"},
    )
    # A number recorded on another case (a shared phone): the text still shows where it went.
    other_case = CaseFactory(team=team_a, by=manager_a)
    shared = contact_services.safe_contact_add(
        by=manager_a, case=other_case, values={"number": "+447700900456", "language": "en"}
    )
    _text(case, own, 2)
    _text(case, shared, 3)
    _text(case, None, 4)

    page = _page(client, manager_a, case)
    texts = page[page.index('id="sms-title"') :].split("</table>")[0]
    rows = texts.split("<tr>")[2:]
    assert [row.split("</td>")[1].removeprefix("\n      <td>") for row in rows] == [
        "Text message",
        "phone ••• 0456",
        "Own mobile ••• 0123",
    ]
