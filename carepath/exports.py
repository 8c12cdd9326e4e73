"""Tables as downloads: a list of column headings and rows, as a CSV or an XLSX response.

Reports build the table once (plain values: text, numbers, dates) and hand it here, so every
export escapes and names its file the same way.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

Row = Sequence[object]


def _is_text(value) -> bool:
    return isinstance(value, str | Promise)


def _is_number(value) -> bool:
    return isinstance(value, bool | int | float | Decimal)


def looks_like_formula(value) -> bool:
    """Text a spreadsheet would run as a formula: "=HYPERLINK(...)", "+1", "-2+3", "@SUM(...)",
    or a leading tab or carriage return. Numbers are not text: -5 is the number -5."""
    return _is_text(value) and str(value).startswith(FORMULA_PREFIXES)


def formula_safe(value):
    """``value`` with a single quote in front if it looks like a formula; anything else
    unchanged. Every CSV cell passes here; an XLSX cell gets the same quote as Excel stores a
    typed one (text, with its quote-prefix flag)."""
    if looks_like_formula(value):
        return "'" + str(value)
    return str(value) if _is_text(value) else value


def csv_cell(value) -> str:
    """One value as CSV text. A text cell a spreadsheet would take for a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if _is_number(value):
        return str(value)
    return formula_safe(str(value))


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(*, headings: Row, rows: Iterable[Row], filename: str) -> HttpResponse:
    """The table as a UTF-8 CSV download (with a byte-order mark, so Excel reads the accents)."""
    return _download(
        csv_bytes(headings=headings, rows=rows),
        content_type="text/csv; charset=utf-8",
        filename=filename,
    )


def _xlsx_value(value):
    if value is None or _is_number(value):
        return value
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Excel has no time zones: show the local time.
        return timezone.make_naive(value)
    if isinstance(value, datetime.date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of [ ] : * ? / \\."""
    return _SHEET_TITLE_FORBIDDEN.sub(" ", str(title)).strip()[:31] or "Sheet1"


def _fill_sheet(sheet, headings: Row, rows: Iterable[Row]) -> None:
    """Headings in bold and kept in view, then the rows."""
    sheet.append([_xlsx_value(value) for value in headings])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                # Text is text: openpyxl would store "=..." as a formula. Excel keeps a typed
                # "'=..." as this text with the quote prefix: it shows, and edits, as text.
                cell.data_type = "s"
                if looks_like_formula(cell.value):
                    cell.quotePrefix = True
            elif isinstance(cell.value, Decimal) and cell.value.as_tuple().exponent < 0:
                # Keep the places the report rounded to: 25.0 shows as 25.0, not 25.
                cell.number_format = "0." + "0" * -cell.value.as_tuple().exponent
            elif isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"


def workbook_bytes(sheets: Iterable[tuple[str, Row, Iterable[Row]]]) -> bytes:
    """An XLSX workbook with one sheet per (title, headings, rows)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for title, headings, rows in sheets:
        name = sheet_title(title)
        # Sheet names must differ (case-insensitively) within a workbook.
        number = 2
        while name.lower() in used:
            suffix = f" ({number})"
            name = sheet_title(title)[: 31 - len(suffix)] + suffix
            number += 1
        used.add(name.lower())
        _fill_sheet(workbook.create_sheet(name), headings, rows)
    if not workbook.worksheets:
        workbook.create_sheet("Sheet1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    *, headings: Row, rows: Iterable[Row], filename: str, title: str = "Sheet1"
) -> HttpResponse:
    """The table as an XLSX workbook of one sheet, headings in bold and kept in view."""
    return workbook_response([(title, headings, rows)], filename=filename)


def workbook_response(sheets: Iterable[tuple[str, Row, Iterable[Row]]], *, filename: str):
    return _download(workbook_bytes(sheets), content_type=XLSX_CONTENT_TYPE, filename=filename)


def csv_bytes(*, headings: Row, rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(value) for value in headings])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def table_response(
    export_format: str, *, headings: Row, rows: Iterable[Row], filename: str, title: str = ""
) -> HttpResponse:
    """``filename`` without its extension; ``export_format`` is one of FORMATS."""
    if export_format == CSV:
        return csv_response(headings=headings, rows=rows, filename=f"{filename}.csv")
    if export_format == XLSX:
        return xlsx_response(
            headings=headings, rows=rows, filename=f"{filename}.xlsx", title=title or filename
        )
    raise ValueError(f"Unknown export format {export_format!r}")
