"""The import page: for service managers only; a bad upload gets a clear error and saves
nothing; a good one is checked, then imported."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carepath.audit.models import TimelineEvent
from carepath.people.models import Role
from casework.models import Case
from casework.services.imports import COLUMNS
from tests.casework.test_import import csv_text, row
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

URL = reverse("casework:import_cases")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/London"))):
        yield


@pytest.fixture
def manager(client, manager_a, team_a):
    client.force_login(manager_a)
    return manager_a


def upload(text: str | bytes, name: str = "old-cases.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def post(client, team, file, action="import"):
    return client.post(URL, {"team": team.pk, "file": file, "action": action})


@pytest.mark.parametrize(
    "roles",
    [
        (Role.CASEWORKER,),
        (Role.ADMINISTRATOR,),
        (Role.ACCOMMODATION_MANAGER,),
        (Role.MARAC_CHAIR,),
        (Role.MARAC_PARTNER,),
    ],
)
def test_only_service_managers_find_the_page(client, make_user, org_a, team_a, roles):
    client.force_login(make_user(org_a, *roles, teams=[team_a]))
    assert client.get(URL).status_code == 404
    assert post(client, team_a, upload(csv_text(row()))).status_code == 404
    assert not Case.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response.url


def test_the_page_offers_the_organisations_teams_only(client, manager, org_a, org_b, team_a):
    TeamFactory(organisation=org_b, name="Elsewhere team")
    response = client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Team A" in content and "Elsewhere team" not in content
    assert "Check the file" in content
    for name in COLUMNS:
        assert f"<code>{name}</code>" in content


def test_a_team_of_another_organisation_is_refused(client, manager, org_b):
    other = TeamFactory(organisation=org_b)
    response = post(client, other, upload(csv_text(row())))
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not Case.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, manager, team_a, settings):
    text = csv_text(row())
    settings.CASE_IMPORT_MAX_BYTES = len(text.encode()) - 1
    response = post(client, team_a, upload(text))
    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (csv_text(row(given_name="Zoë")).encode("latin-1"), "not UTF-8"),
        (b"PK\x03\x04\x14\x00\x06\x00 workbook bytes", "spreadsheet workbook"),
        (b"Just a letter to the team\nwith no columns\n", "does not look like a CSV file"),
        (b"reference,gender\x00\n", "does not look like a CSV file"),
        (b"", "empty"),
    ],
)
def test_a_file_that_is_not_utf8_csv_gets_a_clear_error(client, manager, team_a, data, message):
    response = post(client, team_a, upload(data))
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content and message in content
    assert not Case.objects.exists()


def test_a_file_with_a_byte_order_mark_is_accepted(client, manager, team_a):
    response = post(client, team_a, upload(b"\xef\xbb\xbf" + csv_text(row()).encode()))
    assert response.status_code == 302
    assert Case.objects.get().reference == "OLD-1"


def test_checking_a_good_file_saves_nothing_and_says_what_would_happen(client, manager, team_a):
    text = csv_text(row(reference="A"), row(reference="B"))
    response = post(client, team_a, upload(text), action="check")
    content = response.content.decode()
    assert response.status_code == 200
    assert "The file is ready to import" in content and "2 new cases would be imported" in content
    assert not Case.objects.exists() and not TimelineEvent.objects.exists()


def test_importing_a_good_file_creates_the_cases_and_says_how_many(
    client, manager, team_a, manager_a
):
    text = csv_text(row(reference="A"), row(reference="B"))
    response = post(client, team_a, upload(text))
    assert response.status_code == 302 and response.url == URL
    assert Case.objects.filter(team=team_a).count() == 2
    event = TimelineEvent.objects.filter(kind="case.imported").first()
    assert event.actor == manager_a and "old-cases.csv, line" in event.reason

    page = client.get(response.url).content.decode()
    assert "2 cases imported from old-cases.csv." in page

    again = post(client, team_a, upload(text))
    assert Case.objects.count() == 2
    page = client.get(again.url).content.decode()
    assert "0 cases imported" in page and "2 were already imported" in page


def test_bad_rows_are_listed_by_line_column_and_reason_and_nothing_is_imported(
    client, manager, team_a
):
    text = csv_text(row(reference="A"), row(reference="B", gender="femal"), row(reference="A"))
    response = post(client, team_a, upload(text))
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content and "2 problems were found in the file." in content
    assert 'id="import-errors"' in content
    assert "<td>3</td><td>gender</td>" in content
    assert "<td>4</td><td>reference</td><td>This reference is also on line 2.</td>" in content
    assert not Case.objects.exists()


def test_a_reference_with_a_number_too_large_is_a_listed_problem_not_a_crash(
    client, manager, team_a
):
    text = csv_text(row(reference="ORGA-2026-99999999999999999999", referral_date="2026-01-05"))
    response = post(client, team_a, upload(text))
    assert response.status_code == 400
    content = response.content.decode()
    assert "<td>2</td><td>reference</td>" in content and "number above 99999" in content
    assert not Case.objects.exists()


def test_an_estimated_date_of_birth_is_imported_as_estimated(client, manager, team_a):
    text = csv_text(row(date_of_birth_estimated="yes"))
    assert post(client, team_a, upload(text)).status_code == 302
    assert Case.objects.get().date_of_birth_estimated is True
