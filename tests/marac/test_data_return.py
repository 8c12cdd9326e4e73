"""The quarterly data return, checked against a quarter seeded through the services and
counted by hand."""

import csv
import datetime
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carepath import exports
from carepath.reporting.disclosure import SECONDARY
from carepath.reporting.tables import COUNT, SHARE, TOTAL
from marac.models import AgencyKind
from marac.selectors.data_return import (
    Quarter,
    data_return,
    data_return_table,
    data_return_tables,
)
from marac.services import meetings as svc
from marac.services.risk import incident_record, marac_referral_create, risk_assessment_record
from tests.factories import CaseFactory
from tests.marac.conftest import REFERRAL_VALUES, answers_with

LONDON = ZoneInfo("Europe/London")
Q1 = Quarter(2026, 1)
Q2 = Quarter(2026, 2)


def _at(time_machine, *args):
    time_machine.move_to(datetime.datetime(*args, tzinfo=LONDON), tick=False)


@pytest.fixture
def seeded(time_machine, manager_a, chair_a, team_a, dash, area, police, health):
    """January to March 2026 in Northtown, and one meeting just after it.

    Meeting 1 (12 Jan, minutes approved): A, B, C heard; D deferred.
    Meeting 2 (9 Feb, held): A again (a repeat referral), D, E, F heard.
    Meeting 3 (16 Mar): only scheduled, so not counted.
    Meeting 4 (1 Apr 00:30 UK time, which is 31 Mar 23:30 UTC): H heard; it belongs to Q2.
    """

    def case(**fields):
        return CaseFactory(team=team_a, by=manager_a, **fields)

    def refer(case, **values):
        today = timezone.localdate()
        risk_assessment_record(
            by=manager_a, case=case, checklist=dash, assessed_on=today, answers=answers_with(15)
        )
        return marac_referral_create(
            by=manager_a,
            case=case,
            area=area,
            referred_on=today,
            values={**REFERRAL_VALUES, **values},
        )

    def schedule(*starts):
        first = datetime.datetime(*starts, tzinfo=LONDON)
        return svc.marac_meetings_schedule(by=chair_a, area=area, first_starts_at=first)[0]

    def hold(meeting):
        svc.marac_meeting_hold(by=chair_a, meeting=meeting)
        svc.attendance_record(
            by=chair_a, meeting=meeting, agency=police, person="DS Ray", status="present"
        )

    def hear(item):
        svc.meeting_case_hear(by=chair_a, item=item, summary="Discussed; safety plan agreed.")

    _at(time_machine, 2026, 1, 5, 9, 0)
    # Every first referral is made on 5 January 2026: ages are counted on that day.
    a = case(
        gender="female",
        ethnicity="white",
        sexual_orientation="heterosexual",
        transgender="no",
        disability="no",
        date_of_birth=datetime.date(1990, 5, 1),
    )
    b = case(
        gender="female",
        ethnicity="black",
        sexual_orientation="bisexual",
        disability="yes",
        date_of_birth=datetime.date(2009, 6, 1),  # 16 on 5 Jan 2026
    )
    c = case(
        gender="male",
        ethnicity="prefer_not_to_say",
        disability="prefer_not_to_say",
        transgender="yes",
        date_of_birth=datetime.date(2008, 1, 5),  # 18 that very day
    )
    d = case(gender="male", ethnicity="asian", date_of_birth=datetime.date(1985, 2, 2))
    e = case(
        gender="female",
        ethnicity="mixed",
        sexual_orientation="gay_lesbian",
        date_of_birth=datetime.date(2008, 1, 6),  # 17: 18 the day after
    )
    f = case(
        gender="unknown",
        sexual_orientation="prefer_not_to_say",
        date_of_birth=datetime.date(2009, 1, 1),  # claimed 17, but the verified date says 27
        verified_date_of_birth=datetime.date(1999, 1, 1),
    )
    h = case(gender="male", ethnicity="black", date_of_birth=datetime.date(2009, 3, 3))
    ref_a = refer(a, referring_agency="police", children_in_household=2)
    ref_b = refer(b, referring_agency="police", children_in_household=0)
    ref_c = refer(c, referring_agency="health", children_in_household=1)
    ref_d = refer(d, referring_agency="housing", children_in_household=4)
    ref_e = refer(e, referring_agency="childrens_social_care", children_in_household=2)
    ref_f = refer(f, referring_agency="police", children_in_household=0)
    ref_h = refer(h, referring_agency="police", children_in_household=5)

    first = schedule(2026, 1, 12, 10, 0)
    second = schedule(2026, 2, 9, 10, 0)
    scheduled_only = schedule(2026, 3, 16, 10, 0)
    next_quarter = schedule(2026, 4, 1, 0, 30)

    items = {
        r: svc.marac_meeting_list_case(by=chair_a, meeting=first, referral=r)
        for r in (ref_a, ref_b, ref_c, ref_d)
    }
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=first)
    late = svc.marac_meeting_list_case(by=chair_a, meeting=next_quarter, referral=ref_h)
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=next_quarter)

    _at(time_machine, 2026, 1, 12, 10, 30)
    hold(first)
    for referral in (ref_a, ref_b, ref_c):
        hear(items[referral])
    svc.meeting_case_defer(by=chair_a, item=items[ref_d], reason="Referrer not briefed")
    svc.marac_meeting_approve_minutes(by=chair_a, meeting=first)

    _at(time_machine, 2026, 1, 20, 9, 0)
    incident_record(
        by=manager_a, case=a, occurred_on=datetime.date(2026, 1, 20), police_reported=True
    )
    ref_a2 = refer(a, referring_agency="idva", children_in_household=3)
    assert ref_a2.is_repeat
    assert not any(r.is_repeat for r in (ref_a, ref_b, ref_c, ref_d, ref_e, ref_f))
    items = {
        r: svc.marac_meeting_list_case(by=chair_a, meeting=second, referral=r)
        for r in (ref_a2, ref_d, ref_e, ref_f)
    }
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=second)

    _at(time_machine, 2026, 2, 9, 10, 30)
    hold(second)
    for item in items.values():
        hear(item)

    _at(time_machine, 2026, 4, 1, 0, 45)
    hold(next_quarter)
    hear(late)

    _at(time_machine, 2026, 3, 2, 9, 0)
    return SimpleNamespace(
        area=area, first=first, second=second, scheduled_only=scheduled_only, later=next_quarter
    )


# Columns after the meeting: heard, repeat, repeat %, children; the 12 agencies in AgencyKind
# order (police, IDVA, anti-trafficking, children's social care, adult social care, health,
# mental health, housing, probation, education, drug and alcohol, other); then the percentages
# partner (not police), male, LGBT+, disabled, racially minoritised, aged 16-17.
EXPECTED_Q1 = [
    # Meeting 1: A (police), B (police), C (health) heard; D deferred, so not counted.
    # heard 3; repeat 0 -> 0.0%; children 2 + 0 + 1 = 3; police 2, health 1;
    # partner 1/3 (C) = 33.3; male 1/3 (C) = 33.3; LGBT+ 2/3 (B bisexual, C trans) = 66.7;
    # disabled 1/3 (B; C prefers not to say) = 33.3; minoritised 1/3 (B black) = 33.3;
    # 16-17: 1/3 (B is 16, C is 18) = 33.3.
    ["2026-01-12", "3", "0", "0.0", "3"]
    + ["2", "0", "0", "0", "0", "1", "0", "0", "0", "0", "0", "0"]
    + ["33.3", "33.3", "66.7", "33.3", "33.3", "33.3"],
    # Meeting 2: A again (IDVA, repeat), D (housing), E (children's social care), F (police).
    # heard 4; repeat 1/4 = 25.0; children 3 + 4 + 2 + 0 = 9; police 1, IDVA 1, children's
    # social care 1, housing 1; partner 3/4 = 75.0; male 1/4 (D) = 25.0; LGBT+ 1/4 (E) = 25.0;
    # disabled 0/4 = 0.0; minoritised 2/4 (D asian, E mixed) = 50.0;
    # 16-17: 1/4 (E is 17; F's verified age is 27) = 25.0.
    ["2026-02-09", "4", "1", "25.0", "9"]
    + ["1", "1", "0", "1", "0", "0", "0", "1", "0", "0", "0", "0"]
    + ["75.0", "25.0", "25.0", "0.0", "50.0", "25.0"],
    # Total: heard 3 + 4 = 7; repeat 1/7 = 14.29 -> 14.3; children 3 + 9 = 12; police 2 + 1 = 3,
    # IDVA 1, children's social care 1, health 1, housing 1; partner (1 + 3)/7 = 57.14 -> 57.1;
    # male (1 + 1)/7 = 28.57 -> 28.6 (an average of 33.3 and 25.0 would give 29.2);
    # LGBT+ (2 + 1)/7 = 42.86 -> 42.9; disabled 1/7 = 14.3; minoritised (1 + 2)/7 = 42.9;
    # 16-17: (1 + 1)/7 = 28.6.
    ["Total for the quarter", "7", "1", "14.3", "12"]
    + ["3", "1", "0", "1", "0", "1", "0", "1", "0", "0", "0", "0"]
    + ["57.1", "28.6", "42.9", "14.3", "42.9", "28.6"],
]


def _as_text(rows):
    return [[exports.csv_cell(value) for value in row] for row in rows]


def test_the_seeded_quarter_matches_the_hand_count(seeded):
    result = data_return(seeded.area, Q1)
    assert [f.meeting for f in result.meetings] == [seeded.first, seeded.second]
    headings, rows = data_return_table(result)
    assert len(headings) == 1 + 4 + 12 + 6
    assert headings[5] == "Referred by: Police"
    assert _as_text(rows) == EXPECTED_Q1


def test_a_meeting_counts_in_the_quarter_of_its_uk_date(seeded):
    # 1 April 00:30 in London is still 31 March in UTC: the meeting belongs to Q2.
    result = data_return(seeded.area, Q2)
    assert [f.meeting for f in result.meetings] == [seeded.later]
    # H: police, 5 children, male, black, 16 on 5 Jan 2026 (born 3 Mar 2009).
    assert _as_text(data_return_table(result)[1])[-1] == (
        ["Total for the quarter", "1", "0", "0.0", "5"]
        + ["1"] + ["0"] * 11
        + ["0.0", "100.0", "0.0", "0.0", "100.0", "100.0"]
    )  # fmt: skip


def test_a_quarter_with_no_meeting_shows_dashes(seeded):
    _, rows = data_return_table(data_return(seeded.area, Quarter(2025, 4)))
    assert _as_text(rows) == [
        ["Total for the quarter", "0", "0", "–", "0"] + ["0"] * 12 + ["–"] * 6
    ]


def test_the_number_of_queries_does_not_grow_with_meetings_or_cases(
    seeded, django_assert_num_queries
):
    # Q2 has one meeting and one case; Q1 two meetings and seven cases.
    with django_assert_num_queries(2):
        data_return(seeded.area, Q2)
    with django_assert_num_queries(2):
        data_return(seeded.area, Q1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-Q1", Q1), (" 2026-q4 ", Quarter(2026, 4)), ("1999-Q2", Quarter(1999, 2))],
)
def test_quarters_are_read_from_text(text, expected):
    assert Quarter.parse(text) == expected


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "abc", "", "26-Q1", "9999-Q4", "0000-Q1"])
def test_a_bad_quarter_is_refused(text):
    with pytest.raises(ValueError):
        Quarter.parse(text)


def test_quarters_know_their_days_and_neighbours():
    assert (Q1.first_day, Q1.last_day) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert Quarter(2026, 4).last_day == datetime.date(2026, 12, 31)
    assert (Q1.previous, Q1.next) == (Quarter(2025, 4), Q2)
    assert Quarter(2026, 4).next == Quarter(2027, 1)
    assert Quarter.containing(datetime.date(2026, 9, 30)) == Quarter(2026, 3)


# --- The page and the downloads -----------------------------------------------------------------


def _url(area, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("marac:data_return", args=[area.pk]) + (f"?{query}" if query else "")


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_page_shows_the_current_quarter_with_its_definitions(client, chair_a, seeded):
    client.force_login(chair_a)
    response = client.get(_url(seeded.area))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["quarter"] == Q1
    assert "How these figures are counted" in page
    assert "<caption>" in page and '<th scope="row">' in page
    assert "66.7" in page and "57.1" in page
    assert "?quarter=2025-Q4" in page and "?quarter=2026-Q2" in page
    assert "?quarter=2026-Q1&amp;format=csv" in page
    assert "?quarter=2026-Q1&amp;format=xlsx" in page
    # Counts only: the page names nobody.
    assert "Person" not in page


def test_a_service_manager_sees_the_return(client, manager_a, seeded):
    client.force_login(manager_a)
    response = client.get(_url(seeded.area, quarter="2026-Q2"))
    assert response.status_code == 200
    assert response.context["quarter"] == Q2


def test_the_csv_download(client, chair_a, seeded):
    client.force_login(chair_a)
    response = client.get(_url(seeded.area, quarter="2026-Q1", format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="marac-data-return-{seeded.area.pk}-2026-Q1.csv"'
    )
    rows = _csv_rows(response)
    headings, _ = data_return_table(data_return(seeded.area, Q1))
    assert rows[0] == headings
    assert rows[1:] == EXPECTED_Q1


def _xlsx_as_text(value, *, like: str) -> str:
    """A workbook cell as the CSV shows it: a date as ISO, 0.0 stored as 0 with one place."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, int | float) and "." in like:
        return f"{value:.{len(like.split('.')[1])}f}"
    return str(value)


def test_the_xlsx_download_has_the_same_cells(client, chair_a, seeded):
    client.force_login(chair_a)
    as_csv = _csv_rows(client.get(_url(seeded.area, quarter="2026-Q1", format="csv")))
    response = client.get(_url(seeded.area, quarter="2026-Q1", format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="marac-data-return-{seeded.area.pk}-2026-Q1.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "2026-Q1"
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(cells) == len(as_csv) == 4
    for got, expected in zip(cells, as_csv, strict=True):
        assert [
            _xlsx_as_text(value, like=text) for value, text in zip(got, expected, strict=True)
        ] == expected
    # Numbers are numbers in the workbook, so they can be added up there.
    assert sheet["B4"].value == 7 and sheet["D4"].value == pytest.approx(14.3)
    assert sheet["D2"].number_format == "0.0"
    assert sheet["A2"].value == datetime.datetime(2026, 1, 12)


@pytest.mark.parametrize("asked", ["2026-Q5", "abc", "9999-Q4"])
def test_a_bad_quarter_shows_the_current_one_and_says_so(client, chair_a, seeded, asked):
    client.force_login(chair_a)
    for params in (
        {"quarter": asked},
        {"quarter": asked, "format": "csv"},
        {"quarter": asked, "format": "csv", "disclosure": "controlled"},
    ):
        response = client.get(_url(seeded.area, **params))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response.context["quarter"] == Q1
        assert "is not a quarter" in response.content.decode()


def test_an_unknown_format_shows_the_page(client, chair_a, seeded):
    client.force_login(chair_a)
    response = client.get(_url(seeded.area, quarter="2026-Q1", format="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "who", ["police_officer", "caseworker_a", "manager_b", "chair_b", "admin_a"]
)
def test_nobody_else_sees_the_return(client, request, make_user, org_b, seeded, who):
    if who == "chair_b":
        user = make_user(org_b, "marac_chair", username="chair.b")
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    for params in (
        {},
        {"format": "csv"},
        {"format": "xlsx"},
        {"format": "csv", "disclosure": "controlled"},
    ):
        assert client.get(_url(seeded.area, **params)).status_code == 404


def test_an_area_that_does_not_exist_is_a_404(client, chair_a, area):
    client.force_login(chair_a)
    assert client.get(reverse("marac:data_return", args=[area.pk + 1000])).status_code == 404


def test_the_page_uses_as_many_queries_for_one_meeting_as_for_many(client, chair_a, seeded):
    client.force_login(chair_a)
    counts = []
    for quarter in ("2026-Q2", "2026-Q1"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(seeded.area, quarter=quarter)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The chart and the downloads for sharing outside the organisation ----------------------------


def test_the_return_as_a_report_table(seeded):
    (table,) = data_return_tables(data_return(seeded.area, Q1))
    assert table.key == "data_return"
    # The agencies add up to the cases heard, in every row and in the total.
    assert table.sums == tuple(AgencyKind.values)
    assert table.total_row is not None
    assert table.column(TOTAL).label == "Cases heard"
    first, second = table.rows
    assert (first["meeting"], first[TOTAL], first["police"], first["health"]) == (
        "2026-01-12",
        3,
        2,
        1,
    )
    assert (second[TOTAL], second["children"], second["minoritised"]) == (4, 9, 2)
    assert str(second["minoritised_share"]) == "50.0"
    total = table.total_row
    assert (total[TOTAL], total["police"], total["repeat"], total["children"]) == (7, 3, 1, 12)
    assert [str(total[key]) for key in ("partner_share", "male_share", "lgbt_share")] == [
        "57.1",
        "28.6",
        "42.9",
    ]
    # Every share is worked out from counts and goes with them.
    for column in table.columns:
        if column.kind == SHARE:
            assert TOTAL in column.depends_on
    assert table.column("partner_share").depends_on == ("police", TOTAL)
    chart = table.chart_data()
    assert chart["labels"] == ["2026-01-12", "2026-02-09"]
    assert chart["stacked"] and chart["series"][0] == {
        "label": "Referred by: Police",
        "values": [2.0, 1.0],
    }


def test_a_quarter_with_no_meeting_has_no_chart(seeded, client, chair_a):
    (table,) = data_return_tables(data_return(seeded.area, Quarter(2025, 4)))
    assert table.rows == [] and table.total_row[TOTAL] == 0
    assert table.chart_data() is None
    client.force_login(chair_a)
    page = client.get(_url(seeded.area, quarter="2025-Q4")).content.decode()
    assert "data-chart=" not in page


def test_the_page_draws_the_chart(client, chair_a, seeded):
    client.force_login(chair_a)
    page = client.get(_url(seeded.area, quarter="2026-Q1")).content.decode()
    assert '<canvas data-chart="chart-data-data_return"' in page
    assert '<script id="chart-data-data_return" type="application/json">' in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "js/charts.js" in page
    assert "?quarter=2026-Q1&amp;format=csv&amp;disclosure=controlled" in page
    assert "?quarter=2026-Q1&amp;format=xlsx&amp;disclosure=controlled" in page
    assert "a count from 1 to 4 shows as “&lt;5”" in page


def _assert_controlled(rows: list[list], table) -> None:
    """No count of 1 to 4 is left, and no share of a hidden count."""
    for row in rows:
        cells = dict(zip([column.key for column in table.columns], row, strict=True))
        for column in table.columns:
            value = cells[column.key]
            if column.kind == COUNT:
                assert value in ("0", "<5", SECONDARY) or int(value) >= 5, (column.key, row)
            if column.kind == SHARE and any(
                cells[key] in ("<5", SECONDARY) for key in column.depends_on
            ):
                assert value == SECONDARY, (column.key, row)


def test_the_csv_for_sharing_outside_the_organisation(client, chair_a, seeded):
    client.force_login(chair_a)
    response = client.get(
        _url(seeded.area, quarter="2026-Q1", format="csv", disclosure="controlled")
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="marac-data-return-{seeded.area.pk}-2026-Q1-controlled.csv"'
    )
    (table,) = data_return_tables(data_return(seeded.area, Q1))
    rows = _csv_rows(response)
    assert rows[0] == table.headings()
    assert len(rows) == 4
    first = dict(zip([column.key for column in table.columns], rows[1], strict=True))
    # Three cases heard, two from the police, one from health: all small (the total may show
    # as "[c]" where its "<5" range, with the other meetings, would pin the counts).
    assert first["meeting"] == "2026-01-12"
    assert first[TOTAL] in ("<5", SECONDARY)
    assert (first["police"], first["health"], first["housing"]) == ("<5", "<5", "0")
    assert first["partner_share"] == first["male_share"] == SECONDARY
    _assert_controlled(rows[1:], table)
    # The recorded figures are still in the download as recorded.
    assert _csv_rows(client.get(_url(seeded.area, quarter="2026-Q1", format="csv")))[1:] == (
        EXPECTED_Q1
    )


def test_the_xlsx_for_sharing_outside_the_organisation(client, chair_a, seeded):
    client.force_login(chair_a)
    response = client.get(
        _url(seeded.area, quarter="2026-Q1", format="xlsx", disclosure="controlled")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert "2026-Q1-controlled.xlsx" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    (table,) = data_return_tables(data_return(seeded.area, Q1))
    rows = [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert len(rows) == 3
    assert rows[1][0] == "2026-02-09"
    assert rows[1][1] in ("<5", SECONDARY)
    _assert_controlled(rows, table)


# --- The export helper ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx"])
def test_csv_cells_that_look_like_formulas_are_quoted(text):
    assert exports.csv_cell(text) == "'" + text


def test_csv_cells_of_other_values():
    assert exports.csv_cell(-5) == "-5"
    assert exports.csv_cell(None) == ""
    assert exports.csv_cell(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert exports.csv_cell("Plain text") == "Plain text"


def test_exports_keep_text_as_text():
    headings = ["Name", "Count"]
    rows = [['=HYPERLINK("http://x")', 1], ["-2+3", -2]]
    as_csv = exports.table_response(exports.CSV, headings=headings, rows=rows, filename="t")
    assert _csv_rows(as_csv)[1:] == [['\'=HYPERLINK("http://x")', "1"], ["'-2+3", "-2"]]
    as_xlsx = exports.table_response(exports.XLSX, headings=headings, rows=rows, filename="t")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["B3"].value == -2
    with pytest.raises(ValueError):
        exports.table_response("pdf", headings=headings, rows=rows, filename="t")
