"""A report as a download: CSV (one table, or every table one after another), XLSX (a sheet
per table) or JSON, either as recorded or disclosure-controlled for outside the organisation."""

import csv
import io
import json
from decimal import Decimal

from carepath import exports
from carepath.reporting import disclosure
from carepath.reporting.filters import ReportFilter
from carepath.reporting.tables import Report, Table

JSON = "json"
FORMATS = (*exports.FORMATS, JSON)


def controlled(report: Report, *, outside: bool) -> list[Table]:
    if not outside:
        return report.tables
    return disclosure.control_tables(report.tables, report.relations)


def file_name(report: Report, filters: ReportFilter, *, outside: bool) -> str:
    parts = [report.key, filters.since.isoformat(), filters.until.isoformat()]
    return "-".join([*parts, *(["controlled"] if outside else [])])


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def as_json(report: Report, filters: ReportFilter, *, outside: bool, organisation="") -> str:
    content = {
        "report": report.key,
        "from": filters.since.isoformat(),
        "to": filters.until.isoformat(),
        "organisation": organisation,
        "disclosure_controlled": outside,
        **{table.key: table.json_rows() for table in controlled(report, outside=outside)},
    }
    return json.dumps(content, indent=2, ensure_ascii=False, default=_json_value)


def as_csv(tables: list[Table]) -> bytes:
    """One table as CSV; several one after another, each under a line with its title."""
    if len(tables) == 1:
        return exports.csv_bytes(headings=tables[0].headings(), rows=tables[0].export_rows())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for number, table in enumerate(tables):
        if number:
            writer.writerow([])
        writer.writerow([exports.csv_cell(str(table.title))])
        writer.writerow([exports.csv_cell(value) for value in table.headings()])
        writer.writerows([exports.csv_cell(value) for value in row] for row in table.export_rows())
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(tables: list[Table]) -> bytes:
    return exports.workbook_bytes(
        (str(table.title), table.headings(), table.export_rows()) for table in tables
    )
