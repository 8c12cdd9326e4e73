"""The returns report: returns by country of return and state, and the reintegration support
given, for service managers of the organisation only, on a page and as CSV and XLSX."""

import datetime
import io
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from carepath.reporting.disclosure import SECONDARY
from carepath.reporting.tables import TOTAL
from returns import selectors
from returns.models import ReturnPlan, ReturnState
from tests.factories import CaseFactory, TeamFactory

LONDON = ZoneInfo("Europe/London")
URL = reverse("returns:report")


def _at(day: date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON)


@pytest.fixture
def plans(team_a, team_b, manager_a, org_b, manager_b):
    """Six returns of organisation A and one of organisation B; the figures in the tests are
    worked out by hand from this list."""

    def plan(team, by, country, state, created, departed=None, **support):
        case = CaseFactory(team=team, by=by)
        made = ReturnPlan.objects.create(
            case=case, country=country, state=state, created_by=by, departed_on=departed, **support
        )
        ReturnPlan.objects.filter(pk=made.pk).update(created_at=_at(created))
        return made

    plan(team_a, manager_a, "AL", ReturnState.EXPLORING, date(2026, 1, 10))
    plan(team_a, manager_a, "AL", ReturnState.TRAVEL_BOOKED, date(2026, 2, 5))
    plan(
        team_a,
        manager_a,
        "AL",
        ReturnState.COMPLETED,
        date(2025, 11, 1),
        departed=date(2025, 12, 1),
        grant_amount=Decimal("1500.00"),
        business_start_up=True,
        education=True,
    )
    plan(
        team_a,
        manager_a,
        "VN",
        ReturnState.REINTEGRATING,
        date(2026, 1, 20),
        departed=date(2026, 2, 15),
        grant_amount=Decimal("2000.50"),
        vocational_training=True,
    )
    plan(team_b, manager_a, "VN", ReturnState.WITHDRAWN, date(2026, 2, 20))
    plan(
        team_a,
        manager_a,
        "NG",
        ReturnState.ARRIVED,
        date(2026, 1, 5),
        departed=date(2026, 3, 1),
        grant_amount=Decimal("0"),
        education=True,
    )
    team_of_b = TeamFactory(organisation=org_b, name="Team of B")
    plan(
        team_of_b,
        manager_b,
        "AL",
        ReturnState.COMPLETED,
        date(2026, 1, 10),
        departed=date(2026, 2, 1),
        grant_amount=Decimal("999.00"),
        business_start_up=True,
    )


def _grid(report) -> dict[str, dict[str, int]]:
    """country -> {state: count} for the non-zero cells, and the row total."""
    return {
        row.label: {
            **{
                state: count
                for (state, _label), count in zip(report.states, row.by_state, strict=True)
                if count
            },
            "total": row.total,
        }
        for row in report.countries
    }


def _support(report) -> tuple:
    s = report.support
    return (
        s.with_grant,
        s.grant_total,
        s.business_start_up,
        s.vocational_training,
        s.education,
    )


def test_every_return_of_the_organisation_by_country_and_state(
    plans, manager_a, django_assert_num_queries
):
    with django_assert_num_queries(2):
        report = selectors.returns_report(manager_a)
    assert _grid(report) == {
        "Albania": {"exploring": 1, "travel_booked": 1, "completed": 1, "total": 3},
        "Nigeria": {"arrived": 1, "total": 1},
        "Vietnam": {"reintegrating": 1, "withdrawn": 1, "total": 2},
    }
    assert [label for _state, label in report.states][:3] == [
        "Exploring a return",
        "Applied",
        "Eligible",
    ]
    by_state = dict(zip([s for s, _l in report.states], report.state_totals, strict=True))
    assert by_state == {
        "exploring": 1,
        "applied": 0,
        "eligible": 0,
        "ineligible": 0,
        "documents_ready": 0,
        "travel_booked": 1,
        "departed": 0,
        "arrived": 1,
        "reintegrating": 1,
        "completed": 1,
        "withdrawn": 1,
    }
    assert report.total == 6
    # Grants of £1,500 and £2,000.50 (the £0 grant is no grant); one start-up, one vocational
    # training, two in education.
    assert _support(report) == (2, Decimal("3500.50"), 1, 1, 2)


def test_started_in_a_period(plans, manager_a):
    report = selectors.returns_report(
        manager_a, since=date(2026, 1, 1), until=date(2026, 1, 31), basis=selectors.BY_CREATED
    )
    assert _grid(report) == {
        "Albania": {"exploring": 1, "total": 1},
        "Nigeria": {"arrived": 1, "total": 1},
        "Vietnam": {"reintegrating": 1, "total": 1},
    }
    assert _support(report) == (1, Decimal("2000.50"), 0, 1, 1)


def test_the_first_and_last_days_are_included(plans, manager_a):
    report = selectors.returns_report(manager_a, since=date(2026, 1, 10), until=date(2026, 1, 20))
    assert report.total == 2  # 10 January (Albania) and 20 January (Vietnam)


def test_departed_in_a_period(plans, manager_a):
    report = selectors.returns_report(
        manager_a, since=date(2026, 2, 1), until=date(2026, 3, 31), basis=selectors.BY_DEPARTED
    )
    assert _grid(report) == {
        "Nigeria": {"arrived": 1, "total": 1},
        "Vietnam": {"reintegrating": 1, "total": 1},
    }
    assert _support(report) == (1, Decimal("2000.50"), 0, 1, 1)


def test_by_departure_leaves_out_returns_not_departed(plans, manager_a):
    report = selectors.returns_report(manager_a, basis=selectors.BY_DEPARTED)
    assert report.total == 3
    assert report.state_totals[list(ReturnState).index(ReturnState.EXPLORING)] == 0


def test_one_team(plans, manager_a, team_b):
    report = selectors.returns_report(manager_a, team=team_b)
    assert _grid(report) == {"Vietnam": {"withdrawn": 1, "total": 1}}


def test_another_organisation_counts_only_its_own(plans, manager_b):
    report = selectors.returns_report(manager_b)
    assert _grid(report) == {"Albania": {"completed": 1, "total": 1}}
    assert _support(report) == (1, Decimal("999.00"), 1, 0, 0)


def test_nobody_but_a_service_manager_gets_figures(plans, caseworker_a):
    assert selectors.returns_report(caseworker_a).total == 0


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_the_table_with_totals(client, plans, manager_a):
    client.force_login(manager_a)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<th scope="row">Albania</th>' in page
    assert '<tr data-country="total">' in page
    assert '<th scope="col">Travel booked</th>' in page
    assert (
        '<tr data-support="grant_total"><th scope="row">Total of the grants</th><td>£3500.50'
        in (page)
    )
    assert "Counts only: no person is named." in page
    for case_pk in ReturnPlan.objects.values_list("case_id", flat=True):
        assert reverse("casework:case", args=[case_pk]) not in page
    # The navigation leads to every report through the one "Reports" item.
    assert 'href="/reports/">Reports</a>' in page


def test_the_page_filters_by_departure(client, plans, manager_a):
    client.force_login(manager_a)
    response = client.get(URL, {"from": "2026-02-01", "to": "2026-03-31", "basis": "departed"})
    assert response.status_code == 200
    assert response.context["report"].total == 2
    assert "Counted by the date the person departed" in response.content.decode()


def test_a_period_ending_before_it_starts_is_a_form_error(client, plans, manager_a):
    client.force_login(manager_a)
    response = client.get(URL, {"from": "2026-02-01", "to": "2026-01-01"})
    assert response.status_code == 400
    assert "The end date must be on or after the start date." in response.content.decode()
    # No download of a period nobody asked for.
    response = client.get(URL, {"from": "2026-02-01", "to": "2026-01-01", "format": "csv"})
    assert response.status_code == 400


def test_a_caseworker_is_told_it_does_not_exist(client, plans, caseworker_a):
    client.force_login(caseworker_a)
    assert client.get(URL).status_code == 404
    assert client.get(URL, {"format": "csv"}).status_code == 404


def test_another_organisation_manager_cannot_reach_our_figures(client, plans, manager_b, team_a):
    client.force_login(manager_b)
    assert client.get(URL, {"team": team_a.pk}).status_code == 404
    assert client.get(URL, {"team": team_a.pk, "format": "csv"}).status_code == 404
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["report"].total == 1  # their own return only
    assert "Vietnam" not in response.content.decode()


def test_not_signed_in_is_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


# --- Downloads ------------------------------------------------------------------------------


def test_csv(client, plans, manager_a):
    client.force_login(manager_a)
    response = client.get(URL, {"from": "2026-01-01", "to": "2026-01-31", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "returns-2026-01-01-2026-01-31-created.csv" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Country of return,Exploring a return,Applied,Eligible,Not eligible,"
        "Travel documents ready,Travel booked,Departed,Arrived,Reintegrating,Completed,"
        "Withdrawn,Total"
    )
    assert lines[1:5] == [
        "Albania,1,0,0,0,0,0,0,0,0,0,0,1",
        "Nigeria,0,0,0,0,0,0,0,1,0,0,0,1",
        "Vietnam,0,0,0,0,0,0,0,0,1,0,0,1",
        "Total,1,0,0,0,0,0,0,1,1,0,0,3",
    ]
    assert lines[6:] == [
        "Reintegration support given,Returns",
        "With a reintegration grant,1",
        "Total of the grants (£),2000.50",
        "Business start-up support,0",
        "Vocational training,1",
        "Education,1",
    ]


def test_xlsx(client, plans, manager_a):
    client.force_login(manager_a)
    response = client.get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert "returns-all-created.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Country of return" and rows[0][-1] == "Total"
    assert rows[1] == ["Albania", 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 3]
    assert rows[4] == ["Total", 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 6]
    support = {row[0]: row[1] for row in rows[6:]}
    assert support["With a reintegration grant"] == 2
    assert support["Total of the grants (£)"] == pytest.approx(3500.50)
    assert support["Education"] == 2


# --- Charts and downloads for sharing outside the organisation ---------------------------------


def test_the_report_as_report_tables(plans, manager_a):
    by_country, support = selectors.returns_report_tables(selectors.returns_report(manager_a))
    assert by_country.sums == tuple(state.value for state in ReturnState)
    albania = by_country.rows[0]
    assert (albania["country"], albania["exploring"], albania["completed"], albania[TOTAL]) == (
        "Albania",
        1,
        1,
        3,
    )
    assert by_country.total_row[TOTAL] == 6 and by_country.total_row["withdrawn"] == 1
    chart = by_country.chart_data()
    assert chart["labels"] == ["Albania", "Nigeria", "Vietnam"]
    assert chart["stacked"] and chart["horizontal"]
    assert support.total_row is None and support.sums == ()
    assert support.json_rows() == [
        {
            "returns": "Returns with this support",
            "with_grant": 2,
            "grant_total": Decimal("3500.50"),
            "business_start_up": 1,
            "vocational_training": 1,
            "education": 2,
        }
    ]
    # The grant total goes with the number of grants: one grant's total is that grant.
    assert support.column("grant_total").depends_on == ("with_grant",)


def test_the_page_draws_the_charts_and_offers_the_downloads(client, plans, manager_a):
    client.force_login(manager_a)
    page = client.get(URL, {"from": "2026-01-01", "to": "2026-01-31"}).content.decode()
    for key in ("by_country", "support"):
        assert f'<canvas data-chart="chart-data-{key}"' in page
        assert f'<script id="chart-data-{key}" type="application/json">' in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "from=2026-01-01&amp;to=2026-01-31&amp;format=csv&amp;disclosure=controlled" in page
    assert "format=xlsx&amp;disclosure=controlled" in page
    assert "a count from 1 to 4 shows as “&lt;5”" in page


def test_a_page_with_no_return_has_no_country_chart(client, manager_a):
    client.force_login(manager_a)
    page = client.get(URL).content.decode()
    assert "chart-data-by_country" not in page
    assert "No voluntary return in this period." in page


def test_the_csv_for_sharing_outside_the_organisation(client, plans, manager_a):
    client.force_login(manager_a)
    response = client.get(
        URL,
        {"from": "2026-01-01", "to": "2026-01-31", "format": "csv", "disclosure": "controlled"},
    )
    assert response.status_code == 200
    assert "returns-2026-01-01-2026-01-31-created-controlled.csv" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    # One return to each of three countries: every count is small.
    assert lines[:3] == [
        "Returns by country of return and state",
        "Country of return,Exploring a return,Applied,Eligible,Not eligible,"
        "Travel documents ready,Travel booked,Departed,Arrived,Reintegrating,Completed,"
        "Withdrawn,Total",
        "Albania,<5,0,0,0,0,0,0,0,0,0,0,<5",
    ]
    assert lines[5].startswith("Total,<5,0,")
    assert lines[7:] == [
        "Reintegration support given",
        "Returns,With a reintegration grant,Total of the grants (£),Business start-up support,"
        "Vocational training,Education",
        f"Returns with this support,<5,{SECONDARY},0,<5,<5",
    ]
    assert "2000.50" not in response.content.decode("utf-8-sig")


def test_the_xlsx_for_sharing_outside_the_organisation(client, plans, manager_a):
    client.force_login(manager_a)
    response = client.get(URL, {"format": "xlsx", "disclosure": "controlled"})
    assert response.status_code == 200
    assert "returns-all-created-controlled.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Returns by country of return an", "Reintegration support given"]
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    # Albania: exploring 1, travel booked 1, completed 1, total 3.
    assert rows[1] == ["Albania", "<5", 0, 0, 0, 0, "<5", 0, 0, 0, "<5", 0, "<5"]
    # Six returns in six states: a total of 6 would show there is one in each.
    assert rows[-1] == ["Total", "<5", 0, 0, 0, 0, "<5", 0, "<5", "<5", "<5", "<5", SECONDARY]


def test_no_download_for_outside_of_a_bad_period_or_for_anyone_else(
    client, plans, manager_a, caseworker_a
):
    client.force_login(manager_a)
    response = client.get(
        URL, {"from": "2026-02-01", "to": "2026-01-01", "format": "csv", "disclosure": "controlled"}
    )
    assert response.status_code == 400
    client.force_login(caseworker_a)
    assert client.get(URL, {"format": "csv", "disclosure": "controlled"}).status_code == 404
