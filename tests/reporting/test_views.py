"""The report pages: who reaches them, what a bad filter gets, and the downloads."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from carepath import exports
from carepath.people.models import Role
from carepath.reporting.registry import REPORTS
from tests.factories import CaseFactory, TeamFactory

JANUARY = {"from": "2026-01-01", "to": "2026-01-31"}
LIST = reverse("reports:list")


def _detail(key: str) -> str:
    return reverse("reports:detail", args=[key])


@pytest.fixture
def three_referrals(team_a, manager_a):
    """Three women referred to organisation A in January 2026: a count to keep small."""
    for day in (5, 12, 19):
        CaseFactory(team=team_a, by=manager_a, referral_date=datetime.date(2026, 1, day))


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- Who reaches the reports -------------------------------------------------------------------


def test_not_signed_in_is_sent_to_sign_in(client, db):
    for url in (LIST, _detail("nrm"), _detail("nrm") + "?format=csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "role",
    [
        Role.CASEWORKER,
        Role.ACCOMMODATION_MANAGER,
        Role.MARAC_CHAIR,
        Role.MARAC_PARTNER,
        Role.ADMINISTRATOR,
    ],
)
def test_only_service_managers_reach_the_reports(client, make_user, org_a, role):
    client.force_login(make_user(org_a, role))
    for url in (LIST, _detail("nrm"), _detail("nrm") + "?format=csv"):
        assert client.get(url).status_code == 404


def test_the_list_offers_every_report(client, manager_a):
    client.force_login(manager_a)
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    for kind in REPORTS.values():
        assert f'href="{_detail(kind.key)}"' in page
    assert 'href="/returns/report/"' in page and 'href="/sms/report/"' in page
    assert f'href="{LIST}" aria-current="page">Reports' in page


@pytest.mark.parametrize("key", sorted(REPORTS))
def test_every_report_page_shows_its_tables_and_charts(client, manager_a, three_referrals, key):
    client.force_login(manager_a)
    response = client.get(_detail(key), JANUARY)
    assert response.status_code == 200
    report = response.context["report"]
    page = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/charts.js" in page
    for table in report.tables:
        assert f'data-table="{table.key}"' in page
        if table.chart_data():
            assert f'data-chart="chart-data-{table.key}"' in page
            assert f'id="chart-data-{table.key}"' in page


def test_an_unknown_report_is_a_404(client, manager_a):
    client.force_login(manager_a)
    assert client.get(_detail("payroll")).status_code == 404
    assert client.get(_detail("payroll") + "?format=csv").status_code == 404


# --- Bad filters -------------------------------------------------------------------------------


def test_a_team_of_another_organisation_is_refused(client, manager_a, org_b, three_referrals):
    theirs = TeamFactory(organisation=org_b, name="Their team")
    client.force_login(manager_a)
    for extra in ({}, {"format": "csv"}, {"format": "xlsx"}):
        response = client.get(_detail("service"), {**JANUARY, "team": theirs.pk, **extra})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "report" not in response.context
        page = response.content.decode()
        assert "There is a problem" in page
        assert "Select a valid choice" in page
        assert "Their team" not in page


def test_a_team_of_another_chosen_organisation_is_refused(client, manager_a, team_a, org_b):
    client.force_login(manager_a)
    response = client.get(
        _detail("service"), {**JANUARY, "organisation": org_b.pk, "team": team_a.pk}
    )
    assert response.status_code == 400
    assert "report" not in response.context


def test_a_period_that_ends_before_it_starts_is_refused(client, manager_a):
    client.force_login(manager_a)
    for extra in ({}, {"format": "csv"}):
        response = client.get(_detail("nrm"), {"from": "2026-02-01", "to": "2026-01-01", **extra})
        assert response.status_code == 400
        assert "report" not in response.context
        assert "The end date must be on or after the start date." in response.content.decode()


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("1899-12-31", "2026-01-31", "Choose dates from 1900-01-01"),
        ("9999-12-01", "9999-12-31", "Choose dates from 1900-01-01"),
        ("2001-01-01", "2026-01-31", "Choose a period of at most 10 years."),
    ],
)
def test_periods_out_of_reach_are_refused(client, manager_a, since, until, message):
    client.force_login(manager_a)
    for key in REPORTS:
        response = client.get(_detail(key), {"from": since, "to": until, "format": "csv"})
        assert response.status_code == 400
        assert "report" not in response.context
        assert message in response.content.decode()


@pytest.mark.parametrize("day", ["2026-02-30", "yesterday", "99999-01-01"])
def test_a_date_that_is_no_date_is_refused(client, manager_a, day):
    client.force_login(manager_a)
    response = client.get(_detail("service"), {"from": day})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


# --- Downloads ---------------------------------------------------------------------------------


def test_an_unknown_table_is_a_404(client, manager_a):
    client.force_login(manager_a)
    response = client.get(_detail("service"), {**JANUARY, "format": "csv", "table": "nope"})
    assert response.status_code == 404


def test_one_table_as_csv(client, manager_a, three_referrals):
    client.force_login(manager_a)
    response = client.get(
        _detail("service"), {**JANUARY, "format": "csv", "table": "new_referrals"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="service-2026-01-01-2026-01-31-new_referrals.csv"'
    )
    rows = _csv(response)
    assert rows[0] == ["Month", "Female", "Male", "Other or not known", "Total"]
    assert rows[1] == ["January 2026", "3", "0", "0", "3"]
    assert rows[-1] == ["Total", "3", "0", "0", "3"]


def test_the_whole_report_as_xlsx_has_a_sheet_per_table(client, manager_a, three_referrals):
    client.force_login(manager_a)
    report = client.get(_detail("service"), JANUARY).context["report"]
    response = client.get(_detail("service"), {**JANUARY, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert 'filename="service-2026-01-01-2026-01-31.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [exports.sheet_title(table.title) for table in report.tables]
    sheet = workbook[exports.sheet_title(report.table("new_referrals").title)]
    assert [cell.value for cell in sheet[2]] == ["January 2026", 3, 0, 0, 3]


def test_a_download_for_outside_the_organisation_hides_small_counts(
    client, manager_a, three_referrals
):
    client.force_login(manager_a)
    query = {**JANUARY, "table": "new_referrals", "disclosure": "controlled"}
    response = client.get(_detail("service"), {**query, "format": "csv"})
    assert response.status_code == 200
    assert "-controlled" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[1] == ["January 2026", "<5", "0", "0", "<5"]
    assert rows[-1] == ["Total", "<5", "0", "0", "<5"]
    assert "3" not in {cell for row in rows[1:] for cell in row}
    response = client.get(_detail("service"), {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]] == ["January 2026", "<5", 0, 0, "<5"]


def test_the_page_offers_both_kinds_of_download(client, manager_a):
    client.force_login(manager_a)
    page = client.get(_detail("nrm"), JANUARY).content.decode()
    assert "format=csv&amp;disclosure=controlled" in page
    assert "format=xlsx&amp;disclosure=controlled" in page
    assert "for sharing outside your organisation" in page


def test_a_manager_counts_only_their_own_organisation(client, manager_b, three_referrals):
    client.force_login(manager_b)
    response = client.get(
        _detail("service"), {**JANUARY, "format": "csv", "table": "new_referrals"}
    )
    assert _csv(response)[-1] == ["Total", "0", "0", "0", "0"]


@pytest.mark.parametrize("key", sorted(REPORTS))
@pytest.mark.parametrize("outside", [False, True])
def test_every_report_downloads(client, manager_a, three_referrals, key, outside):
    client.force_login(manager_a)
    query = {**JANUARY, **({"disclosure": "controlled"} if outside else {})}
    for export_format in exports.FORMATS:
        response = client.get(_detail(key), {**query, "format": export_format})
        assert response.status_code == 200, export_format
        assert response["X-Content-Type-Options"] == "nosniff"
