"""Import of an existing case spreadsheet (CSV) into one team of an organisation.

The file has a header row. Column names are matched without regard to case, surrounding
spaces, or spaces and hyphens written for underscores ("Referral date" is ``referral_date``).
Codes are matched without regard to case or surrounding spaces; dates are YYYY-MM-DD.

Required columns, each with a value in every row:
  reference, referral_date, gender, nationality (ISO 3166 alpha-2), date_of_birth,
  first_exploitation_date, exploitation_types (separated by ";"), referring_agency.
Optional columns:
  date_of_birth_estimated (yes, no, true, false, 1 or 0; empty means no: whether the date of
  birth is an estimate), given_name, family_name, aliases, jurisdiction, local_authority,
  competent_authority, nrm_submitted_date, rg_decision, rg_decision_date, cg_decision,
  cg_decision_date, closure_reason, and closed_date (when the case closed; a row with a closure
  reason and no closed_date closes on the latest date in the row).

The whole file is checked first and every problem reported with its line (the header is line
1); if there is any, nothing is saved. References are compared in a normal form (without any
spaces, capitals and small letters alike), so "A 1", "a1" and " A1 " are the same reference; a
case keeps its reference as written (without the surrounding spaces). A reference repeated in
the file is a problem on its later line. A reference the organisation already has (in that
normal form) is skipped and that case is left as it is, so importing the same file twice
creates nothing new.

A reference of the shape Carepath gives out (the organisation's prefix, year, number, e.g.
ABCD-2026-0042) moves that year's numbering past it, so a new referral never gets it; its
number may be at most 99999 (MAX_GENERATED_NUMBER), so that numbering can go on after it.

An open row becomes a referral waiting to be accepted; a row with a closure reason becomes a
closed case with no outcomes recorded. A row without a given name gets its reference as the
given name (the model needs one, and a made-up name could be taken for a real one).
"""

import csv
import difflib
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from simple_history.utils import bulk_create_with_history

from carepath import policy
from carepath.audit import timeline
from carepath.audit.models import TimelineEvent
from carepath.pathway import PathwayError
from carepath.people.models import Jurisdiction, Organisation, Team, User
from casework.models import Case, CaseSequence, CaseState, NrmRecord, NrmState, ReferringAgency
from casework.models.choices import ClosureReason, ExploitationType, Gender, ReferralSource
from casework.models.nrm import CompetentAuthority
from casework.models.reference import AgencyKind
from casework.services.cases import reference_prefix

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = (
    "reference",
    "referral_date",
    "gender",
    "nationality",
    "date_of_birth",
    "first_exploitation_date",
    "exploitation_types",
    "referring_agency",
)
OPTIONAL_COLUMNS = (
    "date_of_birth_estimated",
    "given_name",
    "family_name",
    "aliases",
    "jurisdiction",
    "local_authority",
    "competent_authority",
    "nrm_submitted_date",
    "rg_decision",
    "rg_decision_date",
    "cg_decision",
    "cg_decision_date",
    "closure_reason",
    "closed_date",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DECISIONS = ("positive", "negative")
YES = ("yes", "true", "1")
NO = ("no", "false", "0")
BATCH_SIZE = 500
# Generated references are numbered from 1 each year, zero-padded to four digits
# (casework.services.cases._next_reference); CaseSequence.last is a 32-bit integer. An imported
# reference of that shape may take the numbering this far, leaving room for every new referral
# after it.
MAX_GENERATED_NUMBER = 99_999

_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def reference_key(reference: str) -> str:
    """The form references are compared in: without any spaces, capitals and small letters
    alike ("A 1", "a1" and " A1 " are one reference)."""
    return "".join(reference.split()).casefold()


class _GeneratedShape:
    """References of the shape casework.services.cases._next_reference gives out, recognised in
    their normal form (a reference that is the same as a generated one is of the shape too)."""

    def __init__(self, organisation: Organisation):
        self.prefix = reference_prefix(organisation)
        self.pattern = re.compile(
            rf"^{re.escape(self.prefix)}-([0-9]{{4}})-([0-9]+)$", re.IGNORECASE
        )

    @property
    def example(self) -> str:
        return _("%(prefix)s-YEAR-NUMBER") % {"prefix": self.prefix}

    def year_and_number(self, reference: str) -> tuple[int, int] | None:
        match = self.pattern.match(reference_key(reference))
        return (int(match[1]), int(match[2])) if match else None


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"line {self.line}: {self.column}: {self.message}"
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    """One row that passed every check."""

    line: int
    reference: str
    referral_date: date
    gender: str
    nationality: str
    date_of_birth: date
    date_of_birth_estimated: bool
    first_exploitation_date: date
    exploitation_types: list[str]
    agency_name: str
    given_name: str
    family_name: str
    aliases: str
    jurisdiction: str
    local_authority: str
    competent_authority: str
    submitted_on: date | None
    rg_positive: bool | None
    rg_decision_on: date | None
    cg_positive: bool | None
    cg_decision_on: date | None
    closure_reason: str
    closed_on: date | None

    @property
    def nrm_state(self) -> str:
        if self.cg_positive is not None:
            return NrmState.CG_POSITIVE if self.cg_positive else NrmState.CG_NEGATIVE
        if self.rg_positive is not None:
            return NrmState.RG_POSITIVE if self.rg_positive else NrmState.RG_NEGATIVE
        if self.submitted_on is not None:
            return NrmState.SUBMITTED
        return NrmState.NOT_REFERRED


def _column_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _codes(values: Iterable[str]) -> str:
    return ", ".join(values)


class _RowChecker:
    """Reads the cells of one row into values, noting every problem on the way."""

    def __init__(self, line: int, cells: dict[str, str], *, today: date):
        self.line = line
        self.cells = cells
        self.today = today
        self.errors: list[RowError] = []

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))

    def has_error(self, column: str) -> bool:
        return any(e.column == column for e in self.errors)

    def raw(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def text(self, column: str, *, max_length: int, required: bool = False) -> str:
        value = self.raw(column)
        if required and not value:
            self.error(column, _("A value is needed."))
        elif len(value) > max_length:
            self.error(
                column,
                _("At most %(n)d characters (this has %(length)d).")
                % {"n": max_length, "length": len(value)},
            )
        return value

    def code(self, column: str, allowed: Iterable[str], *, required: bool = False) -> str:
        value = self.raw(column).lower()
        allowed = tuple(allowed)
        if not value:
            if required:
                self.error(
                    column, _("A value is needed: one of %(codes)s.") % {"codes": _codes(allowed)}
                )
            return ""
        if value not in allowed:
            self.error(
                column,
                _("“%(value)s” is not one of %(codes)s.")
                % {"value": self.raw(column), "codes": _codes(allowed)},
            )
            return ""
        return value

    def flag(self, column: str) -> bool:
        """A yes/no cell; empty means no."""
        value = self.raw(column).lower()
        if not value or value in NO:
            return False
        if value in YES:
            return True
        self.error(
            column,
            _("“%(value)s” is not one of %(codes)s (or empty, meaning no).")
            % {"value": self.raw(column), "codes": _codes(YES + NO)},
        )
        return False

    def day(self, column: str, *, required: bool = False) -> date | None:
        value = self.raw(column)
        if not value:
            if required:
                self.error(column, _("A date is needed, written YYYY-MM-DD."))
            return None
        if not _DAY.match(value):
            self.error(
                column, _("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": value}
            )
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.error(column, _("%(value)s is not a real date.") % {"value": value})
            return None
        if day > self.today:
            self.error(column, _("The date cannot be in the future."))
            return None
        return day

    def not_before(self, column: str, day: date | None, earlier: date | None, message: str):
        if day is not None and earlier is not None and day < earlier:
            self.error(column, message)


def _check_row(
    checker: _RowChecker,
    *,
    nationalities: frozenset[str],
    default_jurisdiction: str,
    generated_shape: _GeneratedShape,
) -> _Row | None:
    c = checker
    reference = c.text("reference", max_length=30, required=True)
    shaped = generated_shape.year_and_number(reference)
    if shaped and shaped[1] > MAX_GENERATED_NUMBER:
        c.error(
            "reference",
            _(
                "This has the shape of the references Carepath gives out (%(shape)s) with a "
                "number above %(limit)d: new referrals could not be numbered after it. Give "
                "the case a reference of another shape."
            )
            % {"shape": generated_shape.example, "limit": MAX_GENERATED_NUMBER},
        )
    referral_date = c.day("referral_date", required=True)
    gender = c.code("gender", Gender.values, required=True)

    nationality = c.raw("nationality").upper()
    if not nationality:
        c.error("nationality", _("A value is needed: a two-letter ISO 3166 country code."))
    elif nationality not in nationalities:
        c.error(
            "nationality",
            _("“%(value)s” is not a two-letter ISO 3166 country code.")
            % {"value": c.raw("nationality")},
        )

    born = c.day("date_of_birth", required=True)
    born_estimated = c.flag("date_of_birth_estimated")
    c.not_before(
        "date_of_birth", referral_date, born, _("The date of birth is after the referral date.")
    )
    first = c.day("first_exploitation_date", required=True)
    c.not_before(
        "first_exploitation_date",
        first,
        born,
        _("Exploitation cannot have started before the date of birth."),
    )
    c.not_before(
        "first_exploitation_date",
        referral_date,
        first,
        _("The date of first exploitation is after the referral date."),
    )

    types = _exploitation_types(c)
    agency_name = c.text("referring_agency", max_length=200, required=True)
    given_name = c.text("given_name", max_length=150)
    family_name = c.text("family_name", max_length=150)
    aliases = c.raw("aliases")
    jurisdiction = c.code("jurisdiction", Jurisdiction.values) or default_jurisdiction
    local_authority = c.text("local_authority", max_length=120)

    authority = c.code("competent_authority", CompetentAuthority.values)
    submitted = c.day("nrm_submitted_date")
    if authority and submitted is None and not c.has_error("nrm_submitted_date"):
        c.error("competent_authority", _("A competent authority needs nrm_submitted_date."))
    c.not_before(
        "nrm_submitted_date",
        submitted,
        referral_date,
        _("The NRM submission cannot be before the referral date."),
    )
    rg_positive, rg_day = _decision(c, "rg", after=submitted, after_column="nrm_submitted_date")
    if rg_positive is not None and submitted is None and not c.has_error("nrm_submitted_date"):
        c.error("rg_decision", _("A reasonable grounds decision needs nrm_submitted_date."))
    cg_positive, cg_day = _decision(c, "cg", after=rg_day, after_column="rg_decision_date")
    if cg_positive is not None and rg_positive is not True and not c.has_error("rg_decision"):
        c.error(
            "cg_decision",
            _("A conclusive grounds decision needs a positive reasonable grounds decision."),
        )

    closure_reason = c.code("closure_reason", ClosureReason.values)
    closed_on = c.day("closed_date")
    if closed_on is not None and not closure_reason and not c.has_error("closure_reason"):
        c.error("closed_date", _("A closed date needs a closure_reason."))
    c.not_before(
        "closed_date",
        closed_on,
        referral_date,
        _("A case cannot close before it was referred."),
    )
    if closure_reason and closed_on is None:
        closed_on = max(d for d in (referral_date, submitted, rg_day, cg_day) if d is not None)

    if c.errors:
        return None
    return _Row(
        line=c.line,
        reference=reference,
        referral_date=referral_date,
        gender=gender,
        nationality=nationality,
        date_of_birth=born,
        date_of_birth_estimated=born_estimated,
        first_exploitation_date=first,
        exploitation_types=types,
        agency_name=agency_name,
        given_name=given_name,
        family_name=family_name,
        aliases=aliases,
        jurisdiction=jurisdiction,
        local_authority=local_authority,
        competent_authority=authority,
        submitted_on=submitted,
        rg_positive=rg_positive,
        rg_decision_on=rg_day,
        cg_positive=cg_positive,
        cg_decision_on=cg_day,
        closure_reason=closure_reason,
        closed_on=closed_on,
    )


def _exploitation_types(c: _RowChecker) -> list[str]:
    column = "exploitation_types"
    parts = [p.strip().lower() for p in c.raw(column).split(";") if p.strip()]
    if not parts:
        c.error(
            column,
            _("At least one is needed, separated by “;”: %(codes)s.")
            % {"codes": _codes(ExploitationType.values)},
        )
        return []
    wrong = [p for p in parts if p not in ExploitationType.values]
    if wrong:
        c.error(
            column,
            _("“%(value)s” is not one of %(codes)s.")
            % {"value": "; ".join(wrong), "codes": _codes(ExploitationType.values)},
        )
        return []
    if ExploitationType.UNKNOWN in parts and len(set(parts)) > 1:
        c.error(column, _("“unknown” cannot be given with other types."))
        return []
    return [value for value in ExploitationType.values if value in parts]


def _decision(
    c: _RowChecker, stage: str, *, after: date | None, after_column: str
) -> tuple[bool | None, date | None]:
    column, date_column = f"{stage}_decision", f"{stage}_decision_date"
    decision = c.code(column, DECISIONS)
    day = c.day(date_column)
    if decision and day is None and not c.has_error(date_column):
        c.error(date_column, _("A decision needs the date it was made."))
    if day is not None and not decision and not c.has_error(column):
        c.error(column, _("A decision date is given: say whether it was positive or negative."))
    c.not_before(
        date_column,
        day,
        after,
        _("This date cannot be before %(column)s.") % {"column": after_column},
    )
    if not decision:
        return None, day
    return decision == "positive", day


@dataclass
class _Checked:
    rows: list[_Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _read_header(header: list[str], *, line: int) -> tuple[list[str], list[RowError]]:
    keys = [_column_key(name) for name in header]
    if keys:
        keys[0] = keys[0].lstrip("\ufeff")
    errors = []
    missing = [name for name in REQUIRED_COLUMNS if name not in keys]
    if missing:
        errors.append(
            RowError(
                line,
                "",
                _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)},
            )
        )
    seen = set()
    for name, key in zip(header, keys, strict=True):
        if not key:
            continue
        if key in seen:
            errors.append(RowError(line, key, _("This column appears more than once.")))
        seen.add(key)
        if key not in COLUMNS:
            close = difflib.get_close_matches(key, COLUMNS, n=1)
            hint = (_(" Did you mean “%(name)s”?") % {"name": close[0]}) if close else ""
            errors.append(
                RowError(line, name.strip(), _("This is not a column the import knows.") + hint)
            )
    return keys, errors


def _check(source: TextIO, *, organisation: Organisation, today: date) -> _Checked:
    checked = _Checked()
    reader = csv.reader(source)
    nationalities = frozenset(code for code, _name in countries)
    generated_shape = _GeneratedShape(organisation)
    try:
        header = next(reader, None)
        while header == []:
            header = next(reader, None)
        if header is None:
            checked.errors.append(RowError(1, "", _("The file is empty: it needs a header row.")))
            return checked
        header_line = reader.line_num
        keys, checked.errors = _read_header(header, line=header_line)
        if checked.errors:
            return checked
        first_line_of = {}
        end = header_line
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            values = dict(zip(keys, cells, strict=False))
            checker = _RowChecker(line, values, today=today)
            if any("\x00" in cell for cell in cells):
                # The database cannot store it; usually a file saved as UTF-16.
                checker.error(
                    "",
                    _(
                        "This row has a null character in it: save the file as “CSV UTF-8” "
                        "and try again."
                    ),
                )
            if len(cells) > len(keys) and any(cell.strip() for cell in cells[len(keys) :]):
                checker.error("", _("This row has more cells than the header has columns."))
            for index, (key, cell) in enumerate(zip(keys, cells, strict=False)):
                if not key and cell.strip():
                    checker.error(
                        _("column %(n)d") % {"n": index + 1},
                        _("There is a value in a column with no name in the header."),
                    )
            row = _check_row(
                checker,
                nationalities=nationalities,
                default_jurisdiction=organisation.jurisdiction,
                generated_shape=generated_shape,
            )
            reference = checker.raw("reference")
            if reference and not checker.has_error("reference"):
                key = reference_key(reference)
                if key in first_line_of:
                    checker.error("reference", _repeated(reference, *first_line_of[key]))
                    row = None
                else:
                    first_line_of[key] = (line, reference)
            checked.errors.extend(checker.errors)
            if row is not None:
                checked.rows.append(row)
    except csv.Error as error:
        checked.errors.append(
            RowError(
                reader.line_num or 1,
                "",
                _("The file cannot be read as CSV here (%(problem)s).") % {"problem": error},
            )
        )
    if not checked.errors and not checked.rows:
        checked.errors.append(RowError(1, "", _("The file has a header but no rows.")))
    return checked


def _repeated(reference: str, line: int, written: str) -> str:
    if written == reference:
        return _("This reference is also on line %(line)d.") % {"line": line}
    return _(
        "This reference is also on line %(line)d, written “%(written)s” (capitals and spaces "
        "do not make references different)."
    ) % {"line": line, "written": written}


def import_cases(
    *,
    organisation: Organisation,
    team: Team,
    rows_source: TextIO | str,
    source_name: str,
    by: User | None,
    dry_run: bool,
) -> ImportResult:
    """Check the file and, unless ``dry_run`` or there is any problem, create its cases.
    ``by`` is None when the import command runs it."""
    if team.organisation_id != organisation.pk:
        raise PathwayError(_("Choose a team of the organisation the cases are imported into."))
    if by is not None:
        policy.require(by, "case.create", team)
    if isinstance(rows_source, str):
        rows_source = io.StringIO(rows_source, newline="")
    today = timezone.localdate()
    try:
        with transaction.atomic():
            checked = _check(rows_source, organisation=organisation, today=today)
            result = ImportResult(errors=checked.errors, dry_run=dry_run)
            if checked.errors:
                return result
            existing = _existing_references(organisation)
            new_rows = [row for row in checked.rows if reference_key(row.reference) not in existing]
            result.created = len(new_rows)
            result.skipped = len(checked.rows) - len(new_rows)
            if not dry_run and new_rows:
                _save(
                    new_rows, organisation=organisation, team=team, by=by, source_name=source_name
                )
                # The import as a whole, on the team's timeline: a re-run that changes nothing
                # records nothing.
                timeline.record(
                    team,
                    by=by,
                    kind="cases.imported",
                    detail={
                        "source": source_name,
                        "created": result.created,
                        "skipped": result.skipped,
                    },
                )
    except IntegrityError as error:
        if not _is_concurrent_clash(error):
            raise  # a bug: not to be passed off as a clash
        # Someone else recorded one of these references, or added one of these agencies, while
        # the file was being imported.
        logger.info(
            "Case import into organisation %s clashed with a concurrent change: nothing saved",
            organisation.pk,
        )
        return ImportResult(
            errors=[
                RowError(1, "", _("Cases changed while importing: nothing was saved. Try again."))
            ],
            dry_run=dry_run,
        )
    logger.info(
        "Case import into organisation %s (team %s): %d created, %d skipped, dry run %s",
        organisation.pk,
        team.pk,
        result.created,
        result.skipped,
        dry_run,
    )
    return result


def _existing_references(organisation: Organisation) -> set[str]:
    """The normal forms of the organisation's case references."""
    references = Case.objects.filter(organisation=organisation).values_list("reference", flat=True)
    return {reference_key(reference) for reference in references}


def _is_concurrent_clash(error: IntegrityError) -> bool:
    """Whether ``error`` is the unique constraint on a case's reference in its organisation, or
    on an agency's name: another import (or referral) recorded one of the file's references or
    new agencies after the check. Any other integrity error is a bug and is not hidden."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    if constraint:  # PostgreSQL names the constraint
        return constraint in _clash_constraint_names()
    # SQLite names the columns instead.
    return str(error) in {
        _sqlite_unique_message(Case, "organisation", "reference"),
        _sqlite_unique_message(ReferringAgency, "name"),
    }


def _clash_constraint_names() -> set[str]:
    names = {
        constraint.name
        for constraint in Case._meta.constraints
        if set(getattr(constraint, "fields", ())) == {"organisation", "reference"}
    }
    # The agency name's constraint is named by the database.
    column = ReferringAgency._meta.get_field("name").column
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, ReferringAgency._meta.db_table
        )
    names.update(
        name
        for name, info in constraints.items()
        if info["unique"] and not info["primary_key"] and info["columns"] == [column]
    )
    return names


def _sqlite_unique_message(model, *fields: str) -> str:
    table = model._meta.db_table
    columns = ", ".join(f"{table}.{model._meta.get_field(name).column}" for name in fields)
    return f"UNIQUE constraint failed: {columns}"


def _known_agencies() -> dict[str, ReferringAgency]:
    return {agency.name.casefold(): agency for agency in ReferringAgency.objects.all()}


def _agencies_for(rows: list[_Row], *, by: User | None) -> dict[str, ReferringAgency]:
    agencies = _known_agencies()
    new = {}
    for row in rows:
        key = row.agency_name.casefold()
        if key not in agencies and key not in new:
            new[key] = ReferringAgency(name=row.agency_name, kind=AgencyKind.OTHER)
    if new:
        created = bulk_create_with_history(list(new.values()), ReferringAgency, default_user=by)
        agencies.update({agency.name.casefold(): agency for agency in created})
    return agencies


def _save(
    rows: list[_Row], *, organisation: Organisation, team: Team, by: User | None, source_name: str
) -> None:
    agencies = _agencies_for(rows, by=by)
    cases = []
    for row in rows:
        agency = agencies[row.agency_name.casefold()]
        closed = bool(row.closure_reason)
        cases.append(
            Case(
                organisation=organisation,
                team=team,
                reference=row.reference,
                state=CaseState.CLOSED if closed else CaseState.REFERRED,
                jurisdiction=row.jurisdiction,
                referral_date=row.referral_date,
                referral_source=ReferralSource.FIRST_RESPONDER
                if agency.is_first_responder_on(row.referral_date)
                else ReferralSource.OTHER_AGENCY,
                referring_agency=agency,
                given_name=row.given_name or row.reference,
                family_name=row.family_name,
                aliases=row.aliases,
                gender=row.gender,
                date_of_birth=row.date_of_birth,
                date_of_birth_estimated=row.date_of_birth_estimated,
                claimed_nationality=row.nationality,
                exploitation_types=row.exploitation_types,
                first_exploitation_date=row.first_exploitation_date,
                local_authority=row.local_authority,
                closure_reason=row.closure_reason,
                closed_on=row.closed_on if closed else None,
                outcomes=[],
            )
        )
    change_reason = _("Imported from %(source)s") % {"source": source_name}
    cases = bulk_create_with_history(
        cases,
        Case,
        batch_size=BATCH_SIZE,
        default_user=by,
        default_change_reason=change_reason,
    )
    nrms = []
    for row, case in zip(rows, cases, strict=True):
        agency = case.referring_agency
        submitted = row.submitted_on
        nrms.append(
            NrmRecord(
                case=case,
                state=row.nrm_state,
                first_responder=agency
                if submitted and agency.is_first_responder_on(submitted)
                else None,
                submitted_on=submitted,
                competent_authority=row.competent_authority,
                rg_decision_on=row.rg_decision_on,
                rg_positive=row.rg_positive,
                cg_decision_on=row.cg_decision_on,
                cg_positive=row.cg_positive,
            )
        )
    bulk_create_with_history(
        nrms,
        NrmRecord,
        batch_size=BATCH_SIZE,
        default_user=by,
        default_change_reason=change_reason,
    )
    case_type = ContentType.objects.get_for_model(Case)
    TimelineEvent.objects.bulk_create(
        (
            TimelineEvent(
                organisation=organisation,
                subject_type=case_type,
                subject_id=case.pk,
                kind="case.imported",
                actor=by,
                reason=_imported_reason(source_name, row.line, by),
                detail={"source": source_name, "line": row.line},
            )
            for row, case in zip(rows, cases, strict=True)
        ),
        batch_size=BATCH_SIZE,
    )
    _advance_sequences(organisation, [row.reference for row in rows])


def _imported_reason(source_name: str, line: int, by: User | None) -> str:
    values = {"source": source_name, "line": line}
    if by is None:
        return _("Imported from %(source)s, line %(line)d, by the import command.") % values
    values["who"] = by.get_full_name() or by.get_username()
    return _("Imported from %(source)s, line %(line)d, by %(who)s.") % values


def _advance_sequences(organisation: Organisation, references: list[str]) -> None:
    """Move the organisation's reference sequence past imported references of the generated
    shape, so a new referral never gets the reference of an imported case."""
    shape = _GeneratedShape(organisation)
    highest: dict[int, int] = {}
    for reference in references:
        shaped = shape.year_and_number(reference)
        # Larger numbers are refused when the file is checked.
        if shaped and shaped[1] <= MAX_GENERATED_NUMBER:
            year, number = shaped
            highest[year] = max(highest.get(year, 0), number)
    for year, number in highest.items():
        sequence, _created = CaseSequence.objects.select_for_update().get_or_create(
            organisation=organisation, year=year
        )
        if sequence.last < number:
            sequence.last = number
            sequence.save(update_fields=["last"])
