"""``manage.py report``: a report as JSON on the screen, or as CSV or XLSX in a file."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from carepath import exports
from carepath.reporting.registry import REPORTS
from tests.factories import CaseFactory, TeamFactory

JANUARY = ["--from", "2026-01-01", "--to", "2026-01-31"]


@pytest.fixture
def referrals(team_a, manager_a, org_b, make_user):
    """Three referrals to organisation A and twelve to organisation B in January 2026."""
    for day in (5, 12, 19):
        CaseFactory(team=team_a, by=manager_a, referral_date=datetime.date(2026, 1, day))
    team = TeamFactory(organisation=org_b)
    manager = make_user(org_b, "service_manager")
    for day in range(1, 13):
        CaseFactory(team=team, by=manager, referral_date=datetime.date(2026, 1, day))


def _run(*args) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def _new_referrals(content: dict) -> dict:
    (january,) = content["new_referrals"]
    return january


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-01-31"], "'2026-13-01' is not a date"),
        (["--from", "2026-01-01", "--to", "31/01/2026"], "'31/01/2026' is not a date"),
        (["--from", "2026-02-01", "--to", "2026-01-31"], "The end date must be on or after"),
        (["--from", "1899-12-31", "--to", "2026-01-31"], "Choose dates from 1900-01-01"),
        (["--from", "2026-01-01", "--to", "9999-12-31"], "Choose dates from 1900-01-01"),
        (["--from", "2000-01-01", "--to", "2026-01-31"], "at most 10 years"),
        ([*JANUARY, "--jurisdiction", "wales"], "--jurisdiction must be one of"),
        ([*JANUARY, "--table", "total"], "--table is for CSV and XLSX"),
        ([*JANUARY, "--organisation", "nobody"], "No organisation has the short name 'nobody'"),
        ([*JANUARY, "--format", "csv", "--table", "nope"], "has no table 'nope'"),
        ([*JANUARY, "--format", "xlsx"], "An XLSX report needs --output FILE."),
    ],
)
def test_bad_arguments_are_refused(db, args, message):
    with pytest.raises(CommandError, match=message):
        _run("service", *args)


def test_an_unknown_report_or_format_is_refused(db):
    with pytest.raises(CommandError, match="invalid choice"):
        _run("payroll", *JANUARY)
    with pytest.raises(CommandError, match="invalid choice"):
        _run("service", *JANUARY, "--format", "pdf")


def test_json_on_the_screen(referrals):
    content = json.loads(_run("service", *JANUARY))
    assert content["report"] == "service"
    assert (content["from"], content["to"]) == ("2026-01-01", "2026-01-31")
    assert content["organisation"] == ""
    assert content["disclosure_controlled"] is False
    # Every organisation without --organisation.
    assert _new_referrals(content) == {
        "month": "2026-01",
        "female": 15,
        "male": 0,
        "other": 0,
        "total": 15,
    }


def test_one_organisation(referrals):
    content = json.loads(_run("service", *JANUARY, "--organisation", "org-a"))
    assert content["organisation"] == "org-a"
    assert _new_referrals(content)["total"] == 3


def test_disclosure_control(referrals):
    content = json.loads(
        _run("service", *JANUARY, "--organisation", "org-a", "--disclosure-control")
    )
    assert content["disclosure_controlled"] is True
    assert _new_referrals(content) == {
        "month": "2026-01",
        "female": "<5",
        "male": 0,
        "other": 0,
        "total": "<5",
    }


def test_csv_of_one_table_in_a_file(referrals, tmp_path):
    path = tmp_path / "referrals.csv"
    args = ["--organisation", "org-a", "--format", "csv", "--table", "new_referrals"]
    assert _run("service", *JANUARY, *args, "--output", str(path)) == ""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert rows == [
        ["Month", "Female", "Male", "Other or not known", "Total"],
        ["January 2026", "3", "0", "0", "3"],
        ["Total", "3", "0", "0", "3"],
    ]
    _run("service", *JANUARY, *args, "--disclosure-control", "--output", str(path))
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert rows[1:] == [["January 2026", "<5", "0", "0", "<5"], ["Total", "<5", "0", "0", "<5"]]


def test_csv_on_the_screen_has_every_table_under_its_title(referrals):
    text = _run("service", *JANUARY, "--format", "csv")
    assert text.startswith("New referrals by month and gender\r\n")
    assert "\r\n\r\nCases closed by reason\r\n" in text


def test_xlsx_in_a_file(referrals, tmp_path):
    path = tmp_path / "service.xlsx"
    _run("service", *JANUARY, "--format", "xlsx", "--output", str(path))
    workbook = load_workbook(path)
    assert len(workbook.sheetnames) > 1
    sheet = workbook[exports.sheet_title("New referrals by month and gender")]
    assert [cell.value for cell in sheet[2]] == ["January 2026", 15, 0, 0, 15]


@pytest.mark.parametrize("key", sorted(REPORTS))
def test_every_report_runs(referrals, key):
    content = json.loads(_run(key, *JANUARY, "--disclosure-control"))
    assert content["report"] == key
    assert content["disclosure_controlled"] is True
