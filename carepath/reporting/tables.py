"""A report is a list of tables. Each table is defined once and then shown on a page with its
chart, exported as CSV or XLSX, printed as JSON by the ``report`` command, and put through
disclosure control when it leaves the organisation.

A table knows which of its numbers add up to which (a row's cells to its ``total`` column, a
column's cells to the total row), so that disclosure control can tell which totals would give
a suppressed count away.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

LABEL = "label"  # text that names the row
COUNT = "count"  # a count of people or records: the numbers disclosure control protects
NUMBER = "number"  # any other figure (a median, a sum of money)
SHARE = "share"  # a percentage

TOTAL = "total"

# How a cell shows on a page, besides the kinds of column above.
HEADER = "header"  # the row's name
EMPTY = "empty"  # no figure


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT
    # The counts this figure is worked out from, in the same row: when one of them is
    # suppressed, so is this figure (a share of 3 out of 40 would give the 3 away).
    depends_on: tuple[str, ...] = ()
    # Hide the whole column when any row's figure would be hidden (a rank: the gap a hidden
    # rank leaves tells where its total lies).
    whole_column: bool = False
    # How a coded value reads on a page and in a spreadsheet (JSON keeps the code).
    display: Mapping | None = None
    # Names of people (staff) that leave the organisation as "<pseudonym> 1", "<pseudonym> 2",
    # except the values in ``keep`` (such as "Not allocated").
    pseudonym: str | None = None
    keep: tuple[str, ...] = ()

    def shown(self, value):
        if self.display is not None and value in self.display:
            return self.display[value]
        return value


@dataclass(frozen=True)
class Chart:
    """How the table is drawn: one bar per row (named by ``category``), one series per column
    of ``series``."""

    category: str
    series: tuple[str, ...]
    stacked: bool = False
    horizontal: bool = False
    # Draw only the first rows (the table below has them all).
    limit: int | None = None


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    # The total row, when the count columns add up down the table.
    total_row: dict | None = None
    # The count columns that add up across a row into its ``total`` column.
    sums: tuple[str, ...] = ()
    chart: Chart | None = None
    description: str = ""
    # Rows sorted by their counts give hidden counts away by their order: outside the
    # organisation they are listed by this column instead.
    controlled_order: str | None = None
    # Set by disclosure control.
    controlled: bool = False

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    @property
    def header_key(self) -> str:
        """The column that names each row (its row header on a page)."""
        return next((c.key for c in self.columns if c.kind == LABEL), self.columns[0].key)

    @property
    def count_keys(self) -> list[str]:
        return [column.key for column in self.columns if column.kind == COUNT]

    @property
    def all_rows(self) -> list[dict]:
        return [*self.rows, *([self.total_row] if self.total_row is not None else [])]

    def headings(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def export_rows(self) -> list[list]:
        return [
            [_plain(column.shown(row.get(column.key))) for column in self.columns]
            for row in self.all_rows
        ]

    def json_rows(self) -> list[dict]:
        """The rows (not the total row) as plain values, keyed by column."""
        return [
            {column.key: _plain(row.get(column.key)) for column in self.columns}
            for row in self.rows
        ]

    def _cells(self, row: dict) -> list[tuple[str, object]]:
        header = self.header_key
        cells = []
        for column in self.columns:
            value = column.shown(row.get(column.key))
            if column.key == header:
                shows = HEADER
            elif column.kind != LABEL and value is None:
                shows = EMPTY
            else:
                shows = column.kind
            cells.append((shows, value))
        return cells

    def grid(self) -> list[list[tuple[str, object]]]:
        """Each row as (how the cell shows, value) pairs for a template: HEADER (the row's
        name), LABEL, EMPTY (no figure), SHARE, or any other figure."""
        return [self._cells(row) for row in self.rows]

    def total_grid(self) -> list[tuple[str, object]]:
        if self.total_row is None:
            return []
        return self._cells(self.total_row)

    def chart_data(self) -> dict | None:
        """What the page's script draws: labels, and one list of numbers per series."""
        if self.chart is None or not self.rows:
            return None
        rows = self.rows[: self.chart.limit] if self.chart.limit else self.rows
        category = next((c for c in self.columns if c.key == self.chart.category), None)
        return {
            "title": str(self.title),
            "labels": [
                str(
                    category.shown(row.get(category.key))
                    if category
                    else row.get(self.chart.category, "")
                )
                for row in rows
            ],
            "series": [
                {
                    "label": str(self.column(key).label),
                    "values": [_chartable(row.get(key)) for row in rows],
                }
                for key in self.chart.series
            ],
            "stacked": self.chart.stacked,
            "horizontal": self.chart.horizontal,
        }

    def copy(self, **changes) -> "Table":
        return replace(
            self,
            rows=[dict(row) for row in self.rows],
            total_row=dict(self.total_row) if self.total_row is not None else None,
            **changes,
        )


def _plain(value):
    if isinstance(value, Decimal | int | float) or value is None:
        return value
    return str(value)


def _chartable(value):
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    return None


def share(count: int, of: int) -> Decimal | None:
    """``count`` as a percentage of ``of``, to one decimal place; None when ``of`` is 0."""
    if not of:
        return None
    return (Decimal(count) * 100 / Decimal(of)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def totals_of(rows: list[dict], keys, **labels) -> dict:
    """The total row: each count column added up, with ``labels`` for the label columns."""
    return {**labels, **{key: sum(row[key] for row in rows) for key in keys}}


def with_row_totals(rows: list[dict], keys) -> list[dict]:
    for row in rows:
        row[TOTAL] = sum(row[key] for key in keys)
    return rows


@dataclass
class Report:
    """What a report page, an export and the command all work from."""

    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # disclosure.Relation: figures of one table that other tables also give (a reader of
    # the whole report could put them together).
    relations: list = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)
