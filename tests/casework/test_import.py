"""Importing an existing case spreadsheet: the service and the ``import_cases`` command."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from carepath.audit.models import TimelineEvent
from carepath.audit.selectors import timeline_of
from carepath.pathway import PathwayError
from carepath.policy import PolicyDenied
from casework.import_forms import COLUMN_HELP
from casework.models import Case, CaseSequence, CaseState, NrmRecord, NrmState, ReferringAgency
from casework.services import cases as case_services
from casework.services import imports
from casework.services.imports import COLUMNS, REQUIRED_COLUMNS, import_cases
from tests.factories import CaseFactory, OrganisationFactory, TeamFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/London"))):
        yield


def row(**values) -> dict:
    base = {
        "reference": "OLD-1",
        "referral_date": "2025-06-10",
        "gender": "female",
        "nationality": "VN",
        "date_of_birth": "1999-04-01",
        "first_exploitation_date": "2024-11-01",
        "exploitation_types": "sexual",
        "referring_agency": "Police Scotland",
    }
    base.update(values)
    return base


def csv_text(*rows: dict, columns=None) -> str:
    columns = columns or [c for c in COLUMNS if any(c in r for r in rows)] or list(COLUMNS)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for values in rows:
        writer.writerow({c: values.get(c, "") for c in columns})
    return out.getvalue()


def run(organisation, team, text, *, by=None, dry_run=False, source="old-system.csv"):
    return import_cases(
        organisation=organisation,
        team=team,
        rows_source=text,
        source_name=source,
        by=by,
        dry_run=dry_run,
    )


def errors_of(result) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in result.errors]


# --- A good file -----------------------------------------------------------------------------


def test_a_good_file_creates_referrals_with_their_nrm_records_and_timeline(
    org_a, team_a, manager_a
):
    text = csv_text(
        row(
            reference="OLD-1",
            given_name="Thi",
            family_name="Nguyen",
            aliases="Ti",
            local_authority="Glasgow City",
            exploitation_types=" Labour ; SEXUAL;labour",
            gender=" Female ",
            nationality="vn",
        ),
        row(reference="OLD-2", referring_agency="police SCOTLAND", jurisdiction="England_Wales"),
    )
    result = run(org_a, team_a, text, by=manager_a)

    assert result.ok and (result.created, result.skipped, result.dry_run) == (2, 0, False)
    first = Case.objects.get(organisation=org_a, reference="OLD-1")
    assert first.state == CaseState.REFERRED
    assert first.team == team_a and first.caseworker is None
    assert (first.given_name, first.family_name, first.aliases) == ("Thi", "Nguyen", "Ti")
    assert first.gender == "female" and first.claimed_nationality.code == "VN"
    assert first.exploitation_types == ["sexual", "labour"]
    assert first.date_of_birth == datetime.date(1999, 4, 1)
    assert first.date_of_birth_estimated is False
    assert first.first_exploitation_date == datetime.date(2024, 11, 1)
    assert first.referral_date == datetime.date(2025, 6, 10)
    assert first.jurisdiction == org_a.jurisdiction
    assert first.local_authority == "Glasgow City" and first.region == ""
    assert first.referring_agency.name == "Police Scotland"
    assert first.referral_source == "first_responder"
    assert first.nrm.state == NrmState.NOT_REFERRED
    second = Case.objects.get(organisation=org_a, reference="OLD-2")
    assert second.referring_agency == first.referring_agency
    assert second.jurisdiction == "england_wales"
    # No given name in the file: the reference stands in, rather than an invented name.
    assert second.given_name == "OLD-2"

    [event] = timeline_of(first)
    assert event.kind == "case.imported" and event.actor == manager_a
    assert event.reason == (
        f"Imported from old-system.csv, line 2, by {manager_a.get_full_name()}."
    )
    assert event.label == "Imported from an earlier record system"
    assert timeline_of(second).get().detail == {"source": "old-system.csv", "line": 3}
    assert first.history.count() == 1 and first.nrm.history.count() == 1
    history = first.history.get()
    assert history.history_user == manager_a
    assert history.history_change_reason == "Imported from old-system.csv"
    [summary] = timeline_of(team_a)
    assert summary.kind == "cases.imported"
    assert summary.detail == {"source": "old-system.csv", "created": 2, "skipped": 0}


@pytest.mark.parametrize(
    "written, estimated",
    [("", False), ("no", False), (" FALSE ", False), ("0", False)]
    + [("yes", True), ("True", True), ("1", True), (" YES ", True)],
)
def test_a_date_of_birth_may_be_marked_estimated(org_a, team_a, written, estimated):
    assert run(org_a, team_a, csv_text(row(date_of_birth_estimated=written))).ok
    case = Case.objects.get()
    assert case.date_of_birth == datetime.date(1999, 4, 1)
    assert case.date_of_birth_estimated is estimated


def test_the_import_command_is_named_as_the_importer(org_a, team_a):
    run(org_a, team_a, csv_text(row()))
    event = timeline_of(Case.objects.get()).get()
    assert event.actor is None
    assert event.reason == "Imported from old-system.csv, line 2, by the import command."


def test_a_new_agency_is_created_once_and_is_not_a_first_responder(org_a, team_a):
    text = csv_text(
        row(reference="A", referring_agency="Hope Shelter"),
        row(reference="B", referring_agency="HOPE shelter "),
    )
    assert run(org_a, team_a, text).created == 2
    agency = ReferringAgency.objects.get(name__iexact="hope shelter")
    assert agency.name == "Hope Shelter" and agency.kind == "other"
    assert agency.history.count() == 1
    assert set(Case.objects.values_list("referring_agency", flat=True)) == {agency.pk}
    assert set(Case.objects.values_list("referral_source", flat=True)) == {"other_agency"}


@pytest.mark.parametrize(
    "values, state, rg, cg",
    [
        ({}, NrmState.NOT_REFERRED, None, None),
        ({"nrm_submitted_date": "2025-06-12"}, NrmState.SUBMITTED, None, None),
        (
            {
                "nrm_submitted_date": "2025-06-12",
                "rg_decision": "Positive",
                "rg_decision_date": "2025-06-20",
            },
            NrmState.RG_POSITIVE,
            True,
            None,
        ),
        (
            {
                "nrm_submitted_date": "2025-06-12",
                "rg_decision": "negative",
                "rg_decision_date": "2025-06-20",
            },
            NrmState.RG_NEGATIVE,
            False,
            None,
        ),
        (
            {
                "nrm_submitted_date": "2025-06-12",
                "rg_decision": "positive",
                "rg_decision_date": "2025-06-20",
                "cg_decision": "positive",
                "cg_decision_date": "2026-01-20",
            },
            NrmState.CG_POSITIVE,
            True,
            True,
        ),
        (
            {
                "nrm_submitted_date": "2025-06-12",
                "rg_decision": "positive",
                "rg_decision_date": "2025-06-20",
                "cg_decision": "NEGATIVE",
                "cg_decision_date": "2026-01-20",
            },
            NrmState.CG_NEGATIVE,
            True,
            False,
        ),
    ],
)
def test_the_nrm_record_follows_the_decisions_in_the_file(org_a, team_a, values, state, rg, cg):
    text = csv_text(row(competent_authority=" SCA " if values else "", **values))
    assert run(org_a, team_a, text).ok
    nrm = NrmRecord.objects.get(case__reference="OLD-1")
    assert (nrm.state, nrm.rg_positive, nrm.cg_positive) == (state, rg, cg)
    assert nrm.submitted_on == (datetime.date(2025, 6, 12) if values else None)
    assert nrm.competent_authority == ("sca" if values else "")
    if rg is not None:
        assert nrm.rg_decision_on == datetime.date(2025, 6, 20)
    if cg is not None:
        assert nrm.cg_decision_on == datetime.date(2026, 1, 20)
    if values:
        assert nrm.first_responder.name == "Police Scotland"


def test_a_row_with_a_closure_reason_is_a_closed_case(org_a, team_a):
    text = csv_text(
        row(reference="C1", closure_reason="Moved_On", closed_date="2025-12-01"),
        row(
            reference="C2",
            closure_reason="disengaged",
            nrm_submitted_date="2025-06-12",
            rg_decision="positive",
            rg_decision_date="2025-07-01",
        ),
    )
    assert run(org_a, team_a, text).ok
    c1, c2 = Case.objects.get(reference="C1"), Case.objects.get(reference="C2")
    assert c1.state == CaseState.CLOSED and c1.closure_reason == "moved_on"
    assert c1.closed_on == datetime.date(2025, 12, 1) and c1.outcomes == []
    # No closed_date: the latest date in the row.
    assert c2.state == CaseState.CLOSED and c2.closed_on == datetime.date(2025, 7, 1)
    assert c2.nrm.state == NrmState.RG_POSITIVE


def test_a_file_with_a_byte_order_mark_and_a_loosely_written_header_is_read(org_a, team_a):
    header = "\ufeffReference, Referral Date ,GENDER,nationality,date-of-birth,"
    header += "first_exploitation_date,exploitation_types,referring_agency\n"
    text = header + "OLD-9,2025-06-10,male,AL,1990-01-01,2025-01-01,criminal,Police Scotland\n"
    result = run(org_a, team_a, text)
    assert result.ok and result.created == 1


def test_a_text_stream_is_read_too(org_a, team_a):
    assert run(org_a, team_a, io.StringIO(csv_text(row()), newline="")).created == 1


# --- Checks ------------------------------------------------------------------------------------


def test_missing_required_columns_are_named_in_one_error_on_line_1(org_a, team_a):
    columns = [c for c in REQUIRED_COLUMNS if c not in ("gender", "nationality")]
    result = run(org_a, team_a, csv_text(row(), columns=columns))
    [error] = result.errors
    assert error.line == 1
    assert "gender" in error.message and "nationality" in error.message
    assert not Case.objects.exists()


def test_an_unknown_column_is_an_error_with_a_suggestion(org_a, team_a):
    text = csv_text(row(famly_name="Nguyen"), columns=[*REQUIRED_COLUMNS, "famly_name"])
    [error] = run(org_a, team_a, text).errors
    assert (error.line, error.column) == (1, "famly_name")
    assert "family_name" in error.message


def test_a_repeated_column_is_an_error(org_a, team_a):
    text = csv_text(row(), columns=[*REQUIRED_COLUMNS, "gender"])
    assert errors_of(run(org_a, team_a, text)) == [(1, "gender")]


def test_an_empty_file_and_a_header_without_rows_are_errors(org_a, team_a):
    assert errors_of(run(org_a, team_a, "")) == [(1, "")]
    assert errors_of(run(org_a, team_a, csv_text(columns=list(REQUIRED_COLUMNS)))) == [(1, "")]


@pytest.mark.parametrize(
    "values, column, message",
    [
        ({"reference": " "}, "reference", "A value is needed"),
        ({"reference": "X" * 31}, "reference", "At most 30"),
        ({"referral_date": "10/06/2025"}, "referral_date", "not a date written YYYY-MM-DD"),
        ({"referral_date": "20250610"}, "referral_date", "YYYY-MM-DD"),
        ({"referral_date": "２０２５-06-10"}, "referral_date", "not a date written YYYY-MM-DD"),
        ({"referral_date": "2025-02-30"}, "referral_date", "not a real date"),
        ({"referral_date": "2026-03-03"}, "referral_date", "future"),
        ({"referral_date": ""}, "referral_date", "A date is needed"),
        ({"gender": "femal"}, "gender", "not one of female, male, other, unknown"),
        ({"gender": ""}, "gender", "A value is needed"),
        ({"nationality": "XX"}, "nationality", "not a two-letter ISO 3166"),
        ({"nationality": "GBR"}, "nationality", "not a two-letter ISO 3166"),
        ({"nationality": ""}, "nationality", "A value is needed"),
        ({"date_of_birth": "2025-06-11"}, "date_of_birth", "after the referral date"),
        ({"date_of_birth": ""}, "date_of_birth", "A date is needed"),
        (
            {"date_of_birth_estimated": "maybe"},
            "date_of_birth_estimated",
            "“maybe” is not one of yes, true, 1, no, false, 0",
        ),
        ({"reference": "ORGA-2026-100000"}, "reference", "number above 99999"),
        ({"reference": "orga-2026-2147483647"}, "reference", "number above 99999"),
        ({"reference": "ORGA-2026-99999999999999999999"}, "reference", "ORGA-YEAR-NUMBER"),
        ({"given_name": "Thi\x00"}, "", "null character"),
        (
            {"first_exploitation_date": "2025-06-11"},
            "first_exploitation_date",
            "after the referral date",
        ),
        (
            {"first_exploitation_date": "1999-03-31"},
            "first_exploitation_date",
            "before the date of birth",
        ),
        ({"exploitation_types": " ; "}, "exploitation_types", "At least one"),
        ({"exploitation_types": "sexual;forced"}, "exploitation_types", "“forced” is not one"),
        ({"exploitation_types": "unknown;labour"}, "exploitation_types", "cannot be given"),
        ({"referring_agency": ""}, "referring_agency", "A value is needed"),
        ({"given_name": "A" * 151}, "given_name", "At most 150"),
        ({"local_authority": "L" * 121}, "local_authority", "At most 120"),
        ({"jurisdiction": "wales"}, "jurisdiction", "not one of"),
        ({"competent_authority": "police"}, "competent_authority", "not one of sca, ieca"),
        ({"competent_authority": "sca"}, "competent_authority", "needs nrm_submitted_date"),
        ({"nrm_submitted_date": "2025-06-09"}, "nrm_submitted_date", "before the referral"),
        (
            {"rg_decision": "positive", "rg_decision_date": "2025-06-20"},
            "rg_decision",
            "needs nrm_submitted_date",
        ),
        (
            {"nrm_submitted_date": "2025-06-12", "rg_decision": "positive"},
            "rg_decision_date",
            "needs the date",
        ),
        (
            {"nrm_submitted_date": "2025-06-12", "rg_decision_date": "2025-06-20"},
            "rg_decision",
            "positive or negative",
        ),
        (
            {"nrm_submitted_date": "2025-06-12", "rg_decision": "maybe"},
            "rg_decision",
            "not one of positive, negative",
        ),
        (
            {
                "nrm_submitted_date": "2025-06-12",
                "rg_decision": "positive",
                "rg_decision_date": "2025-06-11",
            },
            "rg_decision_date",
            "before nrm_submitted_date",
        ),
        (
            {
                "nrm_submitted_date": "2025-06-12",
                "rg_decision": "negative",
                "rg_decision_date": "2025-06-20",
                "cg_decision": "positive",
                "cg_decision_date": "2025-09-01",
            },
            "cg_decision",
            "needs a positive reasonable grounds",
        ),
        (
            {"cg_decision": "positive", "cg_decision_date": "2025-09-01"},
            "cg_decision",
            "needs a positive reasonable grounds",
        ),
        (
            {
                "nrm_submitted_date": "2025-06-12",
                "rg_decision": "positive",
                "rg_decision_date": "2025-06-20",
                "cg_decision": "positive",
            },
            "cg_decision_date",
            "needs the date",
        ),
        (
            {
                "nrm_submitted_date": "2025-06-12",
                "rg_decision": "positive",
                "rg_decision_date": "2025-06-20",
                "cg_decision": "positive",
                "cg_decision_date": "2025-06-19",
            },
            "cg_decision_date",
            "before rg_decision_date",
        ),
        ({"closure_reason": "finished"}, "closure_reason", "not one of moved_on"),
        ({"closed_date": "2025-12-01"}, "closed_date", "needs a closure_reason"),
        (
            {"closure_reason": "other", "closed_date": "2025-06-09"},
            "closed_date",
            "cannot close before it was referred",
        ),
        ({"closure_reason": "other", "closed_date": "2026-03-03"}, "closed_date", "future"),
    ],
)
def test_every_bad_value_is_reported_with_its_line_and_column_and_nothing_is_saved(
    org_a, team_a, values, column, message
):
    text = csv_text(row(reference="GOOD-1"), row(**{"reference": "BAD-1", **values}))
    result = run(org_a, team_a, text)
    assert (3, column) in errors_of(result), result.errors
    assert all(e.line == 3 for e in result.errors), result.errors
    assert any(message in e.message for e in result.errors if e.column == column), result.errors
    assert result.created == 0
    assert not Case.objects.exists() and not NrmRecord.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_every_bad_row_is_reported_and_a_repeated_reference_on_its_later_line(org_a, team_a):
    text = csv_text(
        row(reference="A"),
        row(reference="B", gender="x"),
        row(reference="C", referring_agency="New Agency"),
        row(reference="A"),
        row(reference="D", nationality="ZZ", date_of_birth="1999-02-31"),
    )
    result = run(org_a, team_a, text)
    assert errors_of(result) == [
        (3, "gender"),
        (5, "reference"),
        (6, "nationality"),
        (6, "date_of_birth"),
    ]
    assert "line 2" in result.errors[1].message
    assert not Case.objects.exists()
    assert not ReferringAgency.objects.filter(name="New Agency").exists()


def test_references_differing_only_in_capitals_or_spaces_are_the_same_in_the_file(org_a, team_a):
    text = csv_text(
        row(reference="A1"),
        row(reference="a1"),
        row(reference=" A 1 "),
        row(reference="A1"),
        row(reference="A12"),
    )
    result = run(org_a, team_a, text)
    assert errors_of(result) == [(3, "reference"), (4, "reference"), (5, "reference")]
    assert result.errors[0].message.startswith("This reference is also on line 2, written “A1”")
    assert result.errors[1].message.startswith("This reference is also on line 2, written “A1”")
    assert result.errors[2].message == "This reference is also on line 2."
    assert not Case.objects.exists()


def test_line_numbers_are_the_lines_of_the_file(org_a, team_a):
    text = csv_text(
        row(reference="A", aliases="First alias\nSecond alias"),
        row(reference="B"),
    )
    text += "\r\n,,,,,,,,\r\n"  # a blank line and a row of empty cells are passed over
    text += csv_text(row(reference="C", gender="?")).split("\r\n", 1)[1]
    result = run(org_a, team_a, text)
    # Header line 1; A spans lines 2-3; B is line 4; blank line 5; empty cells line 6.
    assert errors_of(result) == [(7, "gender")]


def test_cells_beyond_the_header_or_under_a_nameless_column_are_errors(org_a, team_a):
    header = ",".join(REQUIRED_COLUMNS) + ",\n"
    good = "A,2025-06-10,male,AL,1990-01-01,2025-01-01,criminal,Police Scotland"
    text = header + good + ",\n" + good.replace("A,", "B,", 1) + ",stray\n"
    text += good.replace("A,", "C,", 1) + ",,extra\n"
    result = run(org_a, team_a, text)
    assert errors_of(result) == [(3, "column 9"), (4, "")]


def test_broken_quoting_is_an_error_not_a_crash(org_a, team_a):
    text = csv_text(row()) + 'B,"2025-06-10\n'
    result = run(org_a, team_a, text)
    assert result.errors and not Case.objects.exists()


# --- Twice, dry runs, and who may import ------------------------------------------------------


def test_importing_the_same_file_twice_creates_nothing_new(org_a, team_a):
    text = csv_text(row(reference="A"), row(reference="B", closure_reason="other"))
    assert run(org_a, team_a, text).created == 2
    again = run(org_a, team_a, text)
    assert again.ok and (again.created, again.skipped) == (0, 2)
    assert Case.objects.count() == 2 and NrmRecord.objects.count() == 2
    assert TimelineEvent.objects.filter(kind="case.imported").count() == 2
    assert TimelineEvent.objects.filter(kind="cases.imported").count() == 1


def test_a_reference_the_organisation_has_is_skipped_and_its_case_left_alone(
    org_a, team_a, manager_a
):
    existing = CaseFactory(team=team_a, by=manager_a)
    before = {f.attname: getattr(existing, f.attname) for f in Case._meta.concrete_fields}
    text = csv_text(
        row(reference=existing.reference, gender="male", closure_reason="other"),
        row(reference="NEW-1"),
    )
    result = run(org_a, team_a, text, by=manager_a)
    assert (result.created, result.skipped) == (1, 1)
    existing = Case.objects.get(pk=existing.pk)
    assert {f.attname: getattr(existing, f.attname) for f in Case._meta.concrete_fields} == before
    assert existing.history.count() == 1
    assert not timeline_of(existing).filter(kind="case.imported").exists()


def test_a_reference_is_kept_as_written_and_matched_without_regard_to_capitals_or_spaces(
    org_a, team_a, manager_a
):
    assert run(org_a, team_a, csv_text(row(reference="  Old  7 "))).created == 1
    imported = Case.objects.get()
    assert imported.reference == "Old  7"
    generated = CaseFactory(team=team_a, by=manager_a)
    text = csv_text(
        row(reference="OLD7", gender="male"),
        row(reference=f" {generated.reference.lower()} "),
        row(reference="old 8"),
    )
    result = run(org_a, team_a, text, by=manager_a)
    assert result.ok and (result.created, result.skipped) == (1, 2)
    assert Case.objects.get(pk=imported.pk).gender == "female"
    assert imported.history.count() == 1 and generated.history.count() == 1
    assert sorted(Case.objects.values_list("reference", flat=True)) == sorted(
        ["Old  7", generated.reference, "old 8"]
    )


def test_the_same_reference_in_another_organisation_does_not_count(org_a, team_a, org_b):
    other_team = TeamFactory(organisation=org_b)
    run(org_b, other_team, csv_text(row(reference="A")))
    assert run(org_a, team_a, csv_text(row(reference="A"))).created == 1


def test_a_dry_run_checks_and_counts_but_saves_nothing(org_a, team_a):
    text = csv_text(row(reference="A", referring_agency="Brand New Agency"), row(reference="B"))
    result = run(org_a, team_a, text, dry_run=True)
    assert result.ok and result.dry_run and result.created == 2
    assert not Case.objects.exists() and not TimelineEvent.objects.exists()
    assert not ReferringAgency.objects.filter(name="Brand New Agency").exists()


def test_new_references_are_never_those_of_imported_cases(org_a, team_a, manager_a):
    prefix = case_services.reference_prefix(org_a)
    text = csv_text(row(reference=f"{prefix}-2026-0007", referral_date="2026-01-05"))
    assert run(org_a, team_a, text).created == 1
    case = CaseFactory(team=team_a, by=manager_a, referral_date=datetime.date(2026, 2, 1))
    assert case.reference == f"{prefix}-2026-0008"


def test_a_generated_reference_up_to_the_limit_moves_the_numbering_on(org_a, team_a, manager_a):
    prefix = case_services.reference_prefix(org_a)
    assert prefix == "ORGA"
    text = csv_text(
        row(reference="orga-2026-99999", referral_date="2026-01-05"),
        # Leading zeros: still number 42; 30 characters, the longest a reference may be.
        row(reference="ORGA-2025-00000000000000000042", referral_date="2025-01-05"),
    )
    assert run(org_a, team_a, text).created == 2
    assert CaseSequence.objects.get(organisation=org_a, year=2026).last == 99_999
    assert CaseSequence.objects.get(organisation=org_a, year=2025).last == 42
    case = CaseFactory(team=team_a, by=manager_a, referral_date=datetime.date(2026, 2, 1))
    assert case.reference == "ORGA-2026-100000"


@pytest.mark.parametrize(
    "reference",
    ["ORGA-2026-99999999999999999999", "ORGA-2026-2147483647", "orga-2026-100000"],
)
def test_a_generated_reference_above_the_limit_is_a_row_error_not_a_crash(org_a, team_a, reference):
    text = csv_text(row(reference="A"), row(reference=reference, referral_date="2026-01-05"))
    result = run(org_a, team_a, text)
    assert errors_of(result) == [(3, "reference")]
    assert "ORGA-YEAR-NUMBER" in result.errors[0].message
    assert "number above 99999" in result.errors[0].message
    assert not Case.objects.exists() and not CaseSequence.objects.exists()


def test_a_clash_with_a_case_recorded_meanwhile_is_reported_and_nothing_is_saved(
    org_a, team_a, manager_a, monkeypatch
):
    existing = CaseFactory(team=team_a, by=manager_a)
    # As if the case were recorded between the check and the save.
    monkeypatch.setattr(imports, "_existing_references", lambda organisation: set())
    text = csv_text(
        row(reference="NEW-1", referring_agency="New Agency"), row(reference=existing.reference)
    )
    result = run(org_a, team_a, text)
    [error] = result.errors
    assert error.message.startswith("Cases changed while importing")
    assert Case.objects.get() == existing
    assert not ReferringAgency.objects.filter(name="New Agency").exists()


def test_a_clash_with_an_agency_added_meanwhile_is_reported_and_nothing_is_saved(
    org_a, team_a, monkeypatch
):
    monkeypatch.setattr(imports, "_known_agencies", lambda: {})
    result = run(org_a, team_a, csv_text(row(referring_agency="Police Scotland")))
    [error] = result.errors
    assert error.message.startswith("Cases changed while importing")
    assert not Case.objects.exists()
    assert ReferringAgency.objects.filter(name="Police Scotland").count() == 1


def test_any_other_integrity_error_is_a_bug_and_is_not_hidden(org_a, team_a, monkeypatch):
    # A timeline event without its reason breaks a NOT NULL constraint.
    monkeypatch.setattr(imports, "_imported_reason", lambda *args: None)
    with pytest.raises(IntegrityError, match="(?i)not[ -]null"):
        run(org_a, team_a, csv_text(row()))
    assert not Case.objects.exists() and not NrmRecord.objects.exists()


class _Diag:
    def __init__(self, constraint_name):
        self.constraint_name = constraint_name


@pytest.mark.parametrize(
    "constraint, clash",
    [
        ("case_reference_unique", True),
        ("case_sequence_unique", False),
        ("casework_nrmrecord_case_id_key", False),
    ],
)
def test_postgresql_clashes_are_told_apart_by_constraint_name(constraint, clash):
    cause = Exception("duplicate key value violates unique constraint")
    cause.diag = _Diag(constraint)
    error = IntegrityError(str(cause))
    error.__cause__ = cause
    assert imports._is_concurrent_clash(error) is clash


def test_only_a_person_who_may_record_referrals_in_the_team_may_import(
    org_a, team_a, manager_b, make_user
):
    with pytest.raises(PolicyDenied):
        run(org_a, team_a, csv_text(row()), by=manager_b)
    with pytest.raises(PathwayError):
        run(org_a, TeamFactory(organisation=OrganisationFactory()), csv_text(row()))
    assert not Case.objects.exists()


def test_a_large_file_is_written_in_batches(org_a, team_a, django_assert_max_num_queries):
    rows = [row(reference=f"R-{n:05d}") for n in range(1000)]
    with django_assert_max_num_queries(400):
        result = run(org_a, team_a, csv_text(*rows))
    assert result.created == 1000
    assert NrmRecord.objects.count() == 1000
    assert TimelineEvent.objects.filter(kind="case.imported").count() == 1000
    assert Case.history.count() == 1000


# --- What the file may contain, documented ---------------------------------------------------


def test_every_column_is_documented_on_the_page_and_in_the_service():
    names = [name for name, _required, _help in COLUMN_HELP]
    assert sorted(names) == sorted(COLUMNS) and len(names) == len(set(names))
    assert [name for name, required, _help in COLUMN_HELP if required] == list(REQUIRED_COLUMNS)
    assert all(str(help) for name, _required, help in COLUMN_HELP if name in REQUIRED_COLUMNS)
    for name in COLUMNS:
        assert name in imports.__doc__


# --- The command -------------------------------------------------------------------------------


@pytest.fixture
def csv_file(tmp_path):
    def write(text: str, name: str = "cases.csv", encoding: str = "utf-8-sig"):
        path = tmp_path / name
        path.write_text(text, encoding=encoding, newline="")
        return path

    return write


def command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_into_the_only_organisation(org_a, team_a, csv_file):
    TeamFactory(organisation=org_a, name="Z team")
    out, _err = command(csv_file(csv_text(row(reference="A"), row(reference="B"))))
    assert "created: 2" in out and "skipped (already imported): 0" in out
    assert set(Case.objects.values_list("team", flat=True)) == {team_a.pk}
    event = TimelineEvent.objects.get(kind="case.imported", subject_id=Case.objects.first().pk)
    assert event.detail["source"] == "cases.csv"
    out, _err = command(csv_file(csv_text(row(reference="A"), row(reference="B"))))
    assert "created: 0" in out and "skipped (already imported): 2" in out


def test_the_command_dry_run_saves_nothing(org_a, team_a, csv_file):
    out, _err = command(csv_file(csv_text(row())), "--dry-run")
    assert "created: 1" in out and "dry run: nothing saved" in out
    assert not Case.objects.exists()


def test_the_command_prints_each_problem_and_fails(org_a, team_a, csv_file):
    path = csv_file(csv_text(row(reference="A", gender="x"), row(reference="A")))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_cases", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("line 2: gender: ")
    assert lines[1].startswith("line 3: reference: This reference is also on line 2")
    assert not Case.objects.exists()


def test_the_command_needs_the_organisation_when_there_are_several(org_a, team_a, org_b, csv_file):
    team_b2 = TeamFactory(organisation=org_b, name="B team")
    path = csv_file(csv_text(row()))
    with pytest.raises(CommandError, match="--organisation"):
        command(path)
    with pytest.raises(CommandError, match="No organisation"):
        command(path, "--organisation", "nobody")
    with pytest.raises(CommandError, match="not a team of org-b"):
        command(path, "--organisation", "org-b", "--team", team_a.pk)
    command(path, "--organisation", "org-b", "--team", team_b2.pk)
    assert Case.objects.get().team == team_b2


def test_the_command_reports_a_null_character_as_a_row_problem(org_a, team_a, csv_file):
    path = csv_file(csv_text(row(reference="A"), row(reference="B", family_name="Tr\x00an")))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_cases", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("line 3: This row has a null character")
    assert not Case.objects.exists()


def test_the_command_refuses_a_file_that_is_not_utf8(org_a, team_a, csv_file):
    path = csv_file(csv_text(row(given_name="Zoë")), encoding="latin-1")
    with pytest.raises(CommandError, match="not UTF-8"):
        command(path)
    with pytest.raises(CommandError, match="No file"):
        command(path.with_name("missing.csv"))
