"""The service report: every table against figures worked out by hand from a seeded set of
cases made through the casework services, the period's edges, the filters, disclosure
control, and the page with its XLSX download."""

import datetime
import io
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from carepath.people.models import Role
from carepath.reporting import disclosure, rendering
from carepath.reporting.filters import ReportFilter
from carepath.reporting.tables import TOTAL
from casework.models import Case, ConsentRecord
from casework.selectors.service_report import service_report
from casework.services import cases as services
from tests.factories import CaseFactory, TeamFactory

d = datetime.date
LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON)
SINCE, UNTIL = d(2026, 1, 1), d(2026, 2, 28)


def _filter(organisation, **values) -> ReportFilter:
    return ReportFilter(since=SINCE, until=UNTIL, organisations=(organisation.pk,), **values)


def _rows(table, *keys) -> list[tuple]:
    return [tuple(row[key] for key in keys) for row in table.rows]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def ann(make_user, org_a, team_a):
    return make_user(
        org_a, Role.CASEWORKER, username="ann", first_name="Ann", last_name="Archer", teams=[team_a]
    )


@pytest.fixture
def bob(make_user, org_a, team_b):
    return make_user(
        org_a, Role.CASEWORKER, username="bob", first_name="Bob", last_name="Baker", teams=[team_b]
    )


@pytest.fixture
def pathway(frozen, manager_a):
    """The casework services, as a service manager uses them."""

    class Pathway:
        def refer(self, on, gender="female", *, team, by=manager_a, **values):
            return CaseFactory(team=team, by=by, referral_date=on, gender=gender, **values)

        def accept(self, case, worker, by=manager_a):
            return services.case_accept(
                by=by, case=case, caseworker=worker, expected_version=case.version
            )

        def support(self, case, by=manager_a):
            ConsentRecord.objects.create(
                case=case,
                scope="support",
                given_on=case.referral_date,
                method="verbal",
                recorded_by=case.caseworker,
            )
            return services.case_start_support(by=by, case=case, expected_version=case.version)

        def close(self, case, on, reason, outcomes, by=manager_a):
            return services.case_close(
                by=by,
                case=case,
                expected_version=case.version,
                closure_reason=reason,
                outcomes=outcomes,
                closed_on=on,
                none_achieved=not outcomes,
            )

        def decline(self, case, at, reason, by=manager_a):
            frozen.move_to(at, tick=False)
            try:
                return services.case_decline(
                    by=by,
                    case=case,
                    expected_version=case.version,
                    decline_reason=reason,
                    reason="Seen elsewhere",
                )
            finally:
                frozen.move_to(NOW, tick=False)

    return Pathway()


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def seeded(pathway, manager_a, team_a, team_b, ann, bob, org_b, manager_b, make_user):
    """Organisation A's cases (the figures in the tests are worked out from these) and some of
    organisation B that are never counted for A."""
    p = pathway
    # New referrals and the open caseload.
    p.accept(p.refer(d(2026, 1, 1), team=team_a), ann)  # first day: assessing
    p.refer(d(2026, 2, 28), "male", team=team_a)  # last day: referred, not allocated
    p.support(p.accept(p.refer(d(2025, 12, 31), team=team_a), ann))  # day before: supported
    p.accept(p.refer(d(2026, 3, 1), "other", team=team_a), ann)  # day after: assessing
    case = p.support(p.accept(p.refer(d(2026, 1, 15), "unknown", team=team_a), bob))
    services.case_plan_move_on(by=manager_a, case=case, expected_version=case.version)
    case = p.support(p.accept(p.refer(d(2026, 2, 10), "other", team=team_a), bob))
    services.case_report_missing(
        by=manager_a,
        case=case,
        expected_version=case.version,
        since=_at(d(2026, 3, 1), 9),
        reason="Not seen since Sunday",
    )
    p.accept(p.refer(d(2026, 1, 20), team=team_b), bob)  # another team: assessing
    p.refer(
        d(2026, 1, 10),
        team=team_a,
        jurisdiction="england_wales",
        region="Wales",
        local_authority="Cardiff",
    )  # referred, not allocated

    # Closures: on the first and last days, inside, and just outside the period.
    case = p.support(p.accept(p.refer(d(2025, 10, 1), team=team_a), ann))
    p.close(case, d(2026, 1, 1), "moved_on", ["feels_safe", "exited_exploitation"])  # 92 days
    case = p.accept(p.refer(d(2024, 12, 1), "male", team=team_a), ann)
    p.close(case, d(2026, 2, 28), "returned_home", ["safe_return", "feels_safe"])  # 454 days
    case = p.accept(p.refer(d(2026, 1, 5), team=team_a), bob)  # also a new referral
    p.close(case, d(2026, 1, 20), "disengaged", [])  # 15 days, none achieved
    case = p.accept(p.refer(d(2025, 6, 1), team=team_a), ann)
    p.close(case, d(2025, 12, 31), "moved_on", ["feels_safe"])  # before the period
    case = p.accept(p.refer(d(2025, 6, 1), team=team_a), ann)
    p.close(case, d(2026, 3, 1), "moved_on", ["feels_safe"])  # after the period
    case = p.accept(p.refer(d(2023, 1, 1), team=team_a), ann)
    p.close(case, d(2026, 2, 1), "moved_on", ["employment"])  # 1127 days
    case = p.accept(p.refer(d(2025, 8, 14), team=team_a), ann)
    p.close(case, d(2026, 2, 14), "support_ended", ["feels_safe"])  # 6 months, 184 days

    # Declines, by the moment (UK time) the decline was recorded.
    p.decline(p.refer(d(2025, 12, 20), team=team_a), _at(d(2026, 1, 1), 0, 30), "not_eligible")
    p.decline(p.refer(d(2026, 2, 1), team=team_a), _at(d(2026, 2, 28), 23, 30), "no_capacity")
    p.decline(p.refer(d(2025, 12, 1), team=team_a), _at(d(2025, 12, 31), 23, 30), "signposted")
    p.decline(p.refer(d(2026, 2, 20), team=team_a), _at(d(2026, 3, 1), 0, 10), "signposted")

    # Organisation B: a referral, a closure and a decline in the period.
    team_of_b = TeamFactory(organisation=org_b, name="Team of B")
    worker_b = make_user(org_b, Role.CASEWORKER, username="worker.of.b", teams=[team_of_b])
    p.refer(d(2026, 1, 20), team=team_of_b, by=manager_b)
    case = p.refer(d(2025, 5, 1), "male", team=team_of_b, by=manager_b)
    case = p.accept(case, worker_b, by=manager_b)
    p.close(case, d(2026, 1, 31), "transferred", ["education"], by=manager_b)
    case = p.refer(d(2026, 1, 3), team=team_of_b, by=manager_b)
    p.decline(case, _at(d(2026, 1, 5), 10), "other", by=manager_b)


# --- The tables ----------------------------------------------------------------------------------


def test_new_referrals_by_month_and_gender(seeded, org_a):
    table = service_report(_filter(org_a)).table("new_referrals")

    # January: 1st (f), 5th (f, closed since), 10th (f), 15th (not known), 20th (f, team B).
    # February: 1st (f, declined since), 10th (other), 20th (f, declined since), 28th (m).
    assert _rows(table, "month", "female", "male", "other", TOTAL) == [
        ("2026-01", 4, 0, 1, 5),
        ("2026-02", 2, 1, 1, 4),
    ]
    assert [table.total_row[key] for key in ("female", "male", "other", TOTAL)] == [6, 1, 2, 9]
    assert str(table.total_row["month"]) == "Total"
    assert table.sums == ("female", "male", "other")
    assert [str(label) for label in table.chart_data()["labels"]] == [
        "January 2026",
        "February 2026",
    ]


def test_every_month_of_the_period_has_a_row_even_with_no_referral(seeded, org_a):
    filters = ReportFilter(since=d(2025, 11, 15), until=d(2026, 1, 3), organisations=(org_a.pk,))

    table = service_report(filters).table("new_referrals")

    # 20 Dec 2025 and 1 Dec 2025 (both declined since), 31 Dec 2025, 1 Jan 2026.
    assert _rows(table, "month", TOTAL) == [("2025-11", 0), ("2025-12", 3), ("2026-01", 1)]


def test_open_caseload_per_caseworker_by_state_now(seeded, org_a):
    table = service_report(_filter(org_a)).table("open_caseload")

    keys = ("caseworker", "referred", "assessing", "supported", "moving_on", "missing", TOTAL)
    # The case referred on 1 March (after the period) is left out; ended cases are too.
    assert _rows(table, *keys) == [
        ("Ann Archer", 0, 1, 1, 0, 0, 2),
        ("Bob Baker", 0, 1, 0, 1, 1, 3),
        ("Not allocated", 2, 0, 0, 0, 0, 2),
    ]
    assert [table.total_row[key] for key in keys[1:]] == [2, 2, 1, 1, 1, 7]


def test_closures_by_reason_count_the_first_and_last_days(seeded, org_a):
    table = service_report(_filter(org_a)).table("closures")

    assert _rows(table, "reason", "cases") == [
        ("moved_on", 2),  # 1 January and 1 February; not 31 December or 1 March
        ("returned_home", 1),  # 28 February
        ("transferred", 0),  # organisation B's only
        ("disengaged", 1),
        ("support_ended", 1),
        ("other", 0),
    ]
    assert table.total_row["cases"] == 5


def test_declines_by_reason_count_the_uk_day_the_decline_was_recorded(seeded, org_a):
    table = service_report(_filter(org_a)).table("declines")

    # 00:30 on 1 January and 23:30 on 28 February count; 23:30 on 31 December and 00:10 on
    # 1 March do not.
    assert _rows(table, "reason", "cases") == [
        ("not_eligible", 1),
        ("signposted", 0),
        ("no_capacity", 1),
        ("declined_support", 0),
        ("other", 0),
    ]
    assert table.total_row["cases"] == 2


def test_outcomes_of_the_cases_closed_have_shares_and_no_total(seeded, org_a):
    table = service_report(_filter(org_a)).table("outcomes")

    assert _rows(table, "outcome", "cases", "share") == [
        ("feels_safe", 3, Decimal("60.0")),
        ("exited_exploitation", 1, Decimal("20.0")),
        ("seeking_justice", 0, Decimal("0.0")),
        ("education", 0, Decimal("0.0")),
        ("employment", 1, Decimal("20.0")),
        ("caring_for_children", 0, Decimal("0.0")),
        ("safe_return", 1, Decimal("20.0")),
        ("better_health", 0, Decimal("0.0")),
        ("none_achieved", 1, Decimal("20.0")),
    ]
    assert {row["closed"] for row in table.rows} == {5}
    assert table.total_row is None
    # The share is hidden when either of the counts it is worked out from is.
    assert table.column("share").depends_on == ("cases", "closed")


def test_length_of_support_by_band_with_median_and_mean(seeded, org_a):
    report = service_report(_filter(org_a))

    bands = report.table("support_length")
    # 15 days; 1 Oct to 1 Jan (3 months exactly); 14 Aug to 14 Feb (6 months exactly);
    # 1 Dec 2024 to 28 Feb 2026 (14 months); 1 Jan 2023 to 1 Feb 2026 (37 months).
    assert _rows(bands, "band", "cases") == [
        ("under_3", 1),
        ("3_to_6", 1),
        ("6_to_12", 1),
        ("12_to_24", 1),
        ("24_plus", 1),
    ]
    assert bands.total_row["cases"] == 5
    summary = report.table("support_length_summary")
    # Days: 15, 92, 184, 454, 1127.
    assert _rows(summary, "cases", "median_days", "mean_days") == [
        (5, Decimal("184.0"), Decimal("374.4"))
    ]
    assert summary.total_row is None


def test_an_empty_period_gives_zeros_and_no_median(seeded, org_a):
    filters = ReportFilter(since=d(2020, 1, 1), until=d(2020, 1, 31), organisations=(org_a.pk,))

    report = service_report(filters)

    assert report.table("new_referrals").total_row[TOTAL] == 0
    assert report.table("open_caseload").rows == []
    assert report.table("closures").total_row["cases"] == 0
    assert {row["share"] for row in report.table("outcomes").rows} == {None}
    assert _rows(report.table("support_length_summary"), "cases", "median_days") == [(0, None)]


# --- Filters -------------------------------------------------------------------------------------


def test_a_team_counts_only_its_cases(seeded, org_a, team_a):
    report = service_report(_filter(org_a, team=team_a.pk))

    assert _rows(report.table("new_referrals"), "female") == [(3,), (2,)]
    assert report.table("open_caseload").total_row[TOTAL] == 6  # not Bob's team B case


def test_jurisdiction_region_and_local_authority_narrow_to_the_matching_cases(seeded, org_a):
    for wanted in (
        {"jurisdiction": "england_wales"},
        {"region": "WALES"},
        {"local_authority": "cardiff"},
    ):
        report = service_report(_filter(org_a, **wanted))

        assert _rows(report.table("new_referrals"), TOTAL) == [(1,), (0,)]
        assert _rows(report.table("open_caseload"), "caseworker", "referred") == [
            ("Not allocated", 1)
        ]
        assert report.table("closures").total_row["cases"] == 0


def test_another_organisations_cases_are_never_counted(seeded, org_a, org_b):
    mine = service_report(_filter(org_a))
    theirs = service_report(_filter(org_b))

    assert mine.table("new_referrals").total_row[TOTAL] == 9
    assert theirs.table("new_referrals").total_row[TOTAL] == 2  # 3 and 20 January
    assert _rows(theirs.table("closures"), "reason", "cases")[2] == ("transferred", 1)
    assert theirs.table("closures").total_row["cases"] == 1
    assert theirs.table("declines").total_row["cases"] == 1
    assert mine.table("declines").rows[-1] == {"reason": "other", "cases": 0}


# --- Disclosure control and queries --------------------------------------------------------------


def test_disclosure_control_hides_small_counts_and_the_shares_worked_out_from_them(seeded, org_a):
    report = service_report(_filter(org_a))

    closures = disclosure.control(report.table("closures"))
    outcomes = disclosure.control(report.table("outcomes"))

    # Four counts from 1 to 4 adding up to 5: none can be worked out, so the total stays.
    assert _rows(closures, "cases") == [("<5",), ("<5",), (0,), ("<5",), ("<5",), (0,)]
    assert closures.total_row["cases"] == 5
    assert _rows(outcomes, "cases", "share")[:3] == [
        ("<5", "[c]"),
        ("<5", "[c]"),
        (0, Decimal("0.0")),
    ]


def _bounds(value) -> tuple[float, float]:
    """What an outsider knows of a published count: itself, 1 to 4 ("<5"), or nothing."""
    if isinstance(value, int):
        return value, value
    return (1, 4) if value == "<5" else (0, math.inf)


def _sum_bounds(values) -> tuple[float, float]:
    found = [_bounds(value) for value in values]
    return sum(low for low, _high in found), sum(high for _low, high in found)


def _meet(*ranges) -> tuple[float, float]:
    return max(low for low, _high in ranges), min(high for _low, high in ranges)


def _closed_bounds(tables) -> tuple[float, float]:
    """What an outsider holding every table knows of the number of cases closed: each table
    that gives it, and the rows of the tables that add up to it."""
    closures, bands = tables["closures"], tables["support_length"]
    return _meet(
        _bounds(closures.total_row["cases"]),
        _bounds(bands.total_row["cases"]),
        _bounds(tables["support_length_summary"].rows[0]["cases"]),
        *(_bounds(row["closed"]) for row in tables["outcomes"].rows),
        _sum_bounds(row["cases"] for row in closures.rows),
        _sum_bounds(row["cases"] for row in bands.rows),
    )


def _controlled(report) -> dict:
    return {table.key: table for table in rendering.controlled(report, outside=True)}


@pytest.fixture
def closed_six(pathway, team_a, ann):
    """Six cases closed in the period: five moved on, having achieved "feels safe", and one
    returned home having achieved nothing; three after under 3 months of support, three after
    3 to 6 months."""

    def close(referred, on, reason, outcomes):
        case = pathway.accept(pathway.refer(referred, team=team_a), ann)
        pathway.close(case, on, reason, outcomes)

    for number in range(3):
        close(d(2026, 1, 5), d(2026, 2, 1 + number), "moved_on", ["feels_safe"])
    close(d(2025, 10, 1), d(2026, 1, 15), "moved_on", ["feels_safe"])
    close(d(2025, 10, 1), d(2026, 1, 16), "moved_on", ["feels_safe"])
    close(d(2025, 10, 1), d(2026, 1, 17), "returned_home", [])


def test_the_cases_closed_given_by_other_tables_do_not_give_a_small_closure_count_away(
    closed_six, org_a
):
    report = service_report(_filter(org_a))
    assert report.table("closures").total_row["cases"] == 6
    assert report.table("support_length").total_row["cases"] == 6

    tables = _controlled(report)

    closures = tables["closures"]
    # Returned home: 1. Closures alone could show the 5 moved on and hide the total, but the
    # number of cases closed is in three other tables (4 in the outcomes): wherever it is
    # shown, moved on must not be, and the other way round.
    assert closures.rows[1]["cases"] in ("<5", disclosure.SECONDARY)
    low, high = _closed_bounds(tables)
    others = [row["cases"] for index, row in enumerate(closures.rows) if index != 1]
    others_low, others_high = _sum_bounds(others)
    assert max(1, low - others_high) < min(4, high - others_low)


def test_the_cases_closed_and_an_outcome_do_not_give_none_achieved_away(closed_six, org_a):
    tables = _controlled(service_report(_filter(org_a)))

    outcomes = tables["outcomes"]
    none_achieved = outcomes.rows[-1]
    assert none_achieved["outcome"] == "none_achieved"
    assert none_achieved["cases"] in ("<5", disclosure.SECONDARY)
    # 5 of 6 cases closed felt safe, so at most 1 achieved nothing: the 5 and the 6 must not
    # both be shown.
    _low, closed_high = _closed_bounds(tables)
    most_achieved = max(_bounds(row["cases"])[0] for row in outcomes.rows[:-1])
    assert min(4, closed_high - most_achieved) > 1


def test_a_share_is_hidden_with_the_number_of_cases_closed(closed_six, seeded, org_a):
    for filters in (
        _filter(org_a),
        ReportFilter(since=d(2026, 1, 1), until=d(2026, 1, 31), organisations=(org_a.pk,)),
    ):
        outcomes = _controlled(service_report(filters))["outcomes"]

        for row in outcomes.rows:
            if isinstance(row["share"], Decimal):
                # A share shown with its count would give a hidden number of cases closed
                # back (cases / share), and with that number a hidden count.
                assert isinstance(row["cases"], int)
                assert isinstance(row["closed"], int)


def test_a_small_number_of_cases_closed_is_hidden_in_every_table_that_gives_it(seeded, org_a):
    # January: closed on the 1st (moved on, two outcomes) and the 20th (none achieved).
    filters = ReportFilter(since=d(2026, 1, 1), until=d(2026, 1, 31), organisations=(org_a.pk,))
    assert service_report(filters).table("closures").total_row["cases"] == 2

    tables = _controlled(service_report(filters))

    assert tables["closures"].total_row["cases"] == "<5"
    assert tables["support_length"].total_row["cases"] == "<5"
    summary = tables["support_length_summary"].rows[0]
    assert (summary["cases"], summary["median_days"], summary["mean_days"]) == ("<5", "[c]", "[c]")
    outcomes = tables["outcomes"]
    assert {row["closed"] for row in outcomes.rows} == {"<5"}
    # Even the shares of the outcomes no case achieved: 0 of a hidden number.
    assert {row["share"] for row in outcomes.rows} == {"[c]"}


def test_caseworkers_are_pseudonyms_outside_the_organisation(seeded, org_a):
    report = service_report(_filter(org_a))

    table = _controlled(report)["open_caseload"]

    assert [row["caseworker"] for row in table.rows] == [
        "Caseworker 1",
        "Caseworker 2",
        "Not allocated",
    ]
    assert [row["caseworker"] for row in report.table("open_caseload").rows] == [
        "Ann Archer",
        "Bob Baker",
        "Not allocated",
    ]


def test_the_last_days_there_are_dates_for(pathway, org_a, team_a, ann):
    case = pathway.accept(pathway.refer(d(2026, 1, 31), team=team_a), ann)
    Case.objects.filter(pk=case.pk).update(
        referral_date=d(9999, 11, 30), closed_on=d(9999, 12, 31), closure_reason="moved_on"
    )
    filters = ReportFilter(since=d(9999, 1, 1), until=datetime.date.max, organisations=(org_a.pk,))

    report = service_report(filters)

    assert len(report.table("new_referrals").rows) == 12
    assert report.table("new_referrals").rows[-1]["month"] == "9999-12"
    assert _rows(report.table("support_length"), "cases")[0] == (1,)
    assert report.table("closures").total_row["cases"] == 1
    assert rendering.controlled(report, outside=True)
    earliest = ReportFilter(since=datetime.date.min, until=d(1, 2, 1), organisations=(org_a.pk,))
    assert len(service_report(earliest).table("new_referrals").rows) == 2


def test_the_number_of_queries_does_not_grow_with_the_cases(
    pathway, org_a, team_a, ann, django_assert_max_num_queries
):
    def add(count):
        for number in range(count):
            case = pathway.accept(pathway.refer(d(2026, 1, 1 + number % 28), team=team_a), ann)
            if number % 2:
                pathway.close(case, d(2026, 2, 1), "moved_on", ["feels_safe"])

    add(2)
    with django_assert_max_num_queries(5):
        small = service_report(_filter(org_a))
    add(10)
    with django_assert_max_num_queries(5):
        large = service_report(_filter(org_a))

    assert small.table("new_referrals").total_row[TOTAL] == 2
    assert large.table("new_referrals").total_row[TOTAL] == 12
    assert large.table("closures").total_row["cases"] == 6


# --- The page ------------------------------------------------------------------------------------

URL = reverse("reports:detail", args=["service"])
PERIOD = {"from": "2026-01-01", "to": "2026-02-28"}


def test_the_page_shows_every_table_with_its_chart(seeded, client, manager_a):
    client.force_login(manager_a)

    response = client.get(URL, PERIOD)

    assert response.status_code == 200
    page = response.content.decode()
    for key in (
        "new_referrals",
        "open_caseload",
        "closures",
        "declines",
        "outcomes",
        "support_length",
        "support_length_summary",
    ):
        assert f'data-table="{key}"' in page
        assert f'data-chart="chart-data-{key}"' in page
    assert "January 2026" in page
    assert "Ann Archer" in page
    assert "How these figures are counted" in page


def test_the_xlsx_download_has_the_same_figures(seeded, client, manager_a, org_a):
    client.force_login(manager_a)

    response = client.get(URL, {**PERIOD, "format": "xlsx"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    report = service_report(_filter(org_a))
    assert len(workbook.worksheets) == len(report.tables)
    for sheet, table in zip(workbook.worksheets, report.tables, strict=True):
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == table.headings()
        expected = [
            [float(cell) if isinstance(cell, Decimal) else cell for cell in row]
            for row in table.export_rows()
        ]
        got = [
            [float(cell) if isinstance(cell, Decimal) else cell for cell in row]
            for row in values[1:]
        ]
        assert got == expected
    referrals = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert referrals[1] == ["January 2026", 4, 0, 1, 5]
    assert referrals[-1] == ["Total", 6, 1, 2, 9]


def test_the_controlled_xlsx_download_hides_small_counts(seeded, client, manager_a, org_a):
    client.force_login(manager_a)

    response = client.get(URL, {**PERIOD, "format": "xlsx", "disclosure": "controlled"})

    workbook = load_workbook(io.BytesIO(response.content))
    closures = [list(row) for row in workbook.worksheets[2].iter_rows(values_only=True)]
    assert closures[1][1] in ("<5", "[c]")
    # Five cases, one in each length-of-support band: beside a total of 5, each "<5" would be
    # pinned to 1, so either the total is hidden (here and wherever the report repeats it) or
    # the bands show as "[c]", without the range.
    keys = [table.key for table in service_report(_filter(org_a)).tables]
    sheet = workbook.worksheets[keys.index("support_length")]
    bands = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert closures[-1][1] == "[c]" or all(row[1] == "[c]" for row in bands[1:-1])
    cells = {
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    }
    assert "Caseworker 1" in cells
    assert not {"Ann Archer", "Bob Baker"} & cells
