"""Disclosure control for figures that leave the organisation.

A count from 1 to threshold - 1 is shown as "<5" (primary suppression): a small count can
identify a person. A suppressed count must not be workable-out from what is still shown: a
row of 3, 0 and 10 with its total 13 gives the 3 away. So every total that would let a
suppressed count be worked out is suppressed too, and shown as "[c]" (secondary
suppression), and so is any figure worked out from a suppressed count (a share, a median, a
rank).

Whether a count can be worked out is decided the way a reader holding every table of the
report could do it. Every published total is an equation (its cells add up to it), and so is
each relation the report declares between its tables (the total row of one table is the first
row of another; a country's referrals are its adults, its minors and some people of unknown
age). A "<5" lies between 1 and 4; a "[c]" is any count. For each hidden small count, linear
programmes (``scipy.optimize.linprog``) find the least and the greatest value it can take
under all those equations together; if only one whole number lies between them, the count is
pinned. While any small count is pinned, more is hidden around it, nearest first: the shown
totals of its lines; then, if they are all hidden, its small totals show as "[c]" (the range
"<5" gave it away); then any shown figure on its lines; then the same further out. Hiding more
can only widen what a hidden count may be, so a count once shown to be safe stays safe.

Rows listed by their counts would tell hidden counts by their order: controlled copies are
listed by the table's ``controlled_order`` column instead, and staff names become
pseudonyms.
"""

import logging
import math
import random
from dataclasses import dataclass
from functools import cache, partial

import numpy as np
from django.conf import settings
from scipy.optimize import linprog
from scipy.sparse import csr_array

from carepath.reporting.tables import TOTAL, Table

logger = logging.getLogger(__name__)

SECONDARY = "[c]"
_shuffle = random.SystemRandom().shuffle
TOTAL_ROW = -1  # in a Ref, the table's total row
# Random directions tried first: each rules out, at once, every count that moves.
RANDOM_DIRECTIONS = 8

Ref = tuple[str, int, str]  # (table key, row index or TOTAL_ROW, column key)
Cell = tuple  # (table number, index in all_rows, column key), or ("unpublished", name)


@dataclass(frozen=True)
class Unpublished:
    """A non-negative figure no table shows (the same name is the same figure)."""

    name: str


@dataclass(frozen=True)
class Relation:
    """``total`` equals the sum of ``parts``, across the tables of one report (one part: the
    same figure shown twice)."""

    total: "Ref | Unpublished"
    parts: tuple


def threshold() -> int:
    return settings.REPORT_DISCLOSURE_THRESHOLD


def primary_mark(limit: int) -> str:
    return f"<{limit}"


def _table_lines(number: int, table: Table) -> list[tuple[Cell, list[Cell]]]:
    """Each equation a table publishes: (its total, the cells that add up to it)."""
    rows = table.all_rows
    lines = []
    if table.sums:
        for index, row in enumerate(rows):
            if TOTAL in row:
                lines.append(((number, index, TOTAL), [(number, index, key) for key in table.sums]))
    if table.total_row is not None:
        last = len(rows) - 1
        for key in table.count_keys:
            if key in table.total_row:
                lines.append(((number, last, key), [(number, index, key) for index in range(last)]))
    return lines


class _Problem:
    """Every count of the report, the equations between them, and what is hidden."""

    def __init__(self, tables: list[Table], relations, limit: int) -> None:
        self.limit = limit
        numbers = {table.key: number for number, table in enumerate(tables)}
        self.values: dict[Cell, int] = {}
        for number, table in enumerate(tables):
            for index, row in enumerate(table.all_rows):
                for key in table.count_keys:
                    value = row.get(key)
                    if isinstance(value, int) and not isinstance(value, bool):
                        self.values[number, index, key] = value

        def cell(ref) -> Cell:
            if isinstance(ref, Unpublished):
                return ("unpublished", ref.name)
            key, index, column = ref
            number = numbers[key]
            if index == TOTAL_ROW:
                index = len(tables[number].all_rows) - 1
            return number, index, column

        lines = [
            line for number, table in enumerate(tables) for line in _table_lines(number, table)
        ]
        lines += [(cell(r.total), [cell(part) for part in r.parts]) for r in relations]
        self.unpublished = {
            c for total, parts in lines for c in (total, *parts) if c[0] == "unpublished"
        }
        known = self.values.keys() | self.unpublished
        self.lines = [
            (total, parts)
            for total, parts in lines
            if total in known and all(part in known for part in parts)
        ]
        self.totals = {total for total, _parts in self.lines}
        # Small counts: hidden as "<5", never to be worked out.
        self.protected = {c for c, value in self.values.items() if 0 < value < limit}
        self.secondary: set[Cell] = set()
        # Small counts shown as "[c]", without the range "<5" would give.
        self.unbounded: set[Cell] = set()

        self.lines_of: dict[Cell, list[int]] = {}
        for number, (total, parts) in enumerate(self.lines):
            for c in (total, *parts):
                self.lines_of.setdefault(c, []).append(number)
        # The copies of one figure in several tables are totals of each other, and are hidden
        # together (hiding one copy alone protects nothing).
        self.total_like = self.totals | {
            parts[0] for _total, parts in self.lines if len(parts) == 1
        }
        self.copies: dict[Cell, set[Cell]] = {}
        for total, parts in self.lines:
            if len(parts) == 1:
                group = self.copies.get(total, {total}) | self.copies.get(parts[0], {parts[0]})
                for c in group:
                    self.copies[c] = group

    @property
    def hidden(self) -> set[Cell]:
        return self.protected | self.secondary

    def _components(self):
        """The hidden figures in groups that equations tie together, each with its equations
        as ({variable: coefficient}, right-hand side)."""
        variables = self.hidden | self.unpublished
        parent = {c: c for c in variables}

        def root(c):
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        equations = []
        for total, parts in self.lines:
            coefficients: dict = {}
            constant = 0
            for c, sign in ((total, -1), *((part, 1) for part in parts)):
                if c in variables:
                    coefficients[c] = coefficients.get(c, 0) + sign
                else:
                    constant -= sign * self.values[c]
            coefficients = {c: k for c, k in coefficients.items() if k}
            if not coefficients:
                continue
            first, *others = coefficients
            for other in others:
                parent[root(other)] = root(first)
            equations.append((coefficients, constant))
        groups: dict = {}
        for c in variables:
            groups.setdefault(root(c), ([], []))[0].append(c)
        for coefficients, constant in equations:
            groups[root(next(iter(coefficients)))][1].append((coefficients, constant))
        return list(groups.values())

    def _bounds(self, c) -> tuple:
        if c in self.protected and c not in self.unbounded:
            return (1, self.limit - 1)
        return (0, None)

    def pinned(self, candidates: set[Cell]) -> set[Cell]:
        """Those of ``candidates`` (small counts) that only one whole number fits."""
        pinned = set()
        for variables, equations in self._components():
            wanted = candidates.intersection(variables)
            if wanted:
                pinned |= self._pinned_in(sorted(variables, key=repr), equations, wanted)
        return pinned

    def _pinned_in(self, variables: list, equations: list, wanted: set) -> set[Cell]:
        position = {c: n for n, c in enumerate(variables)}
        entries = [
            (k, row, position[c])
            for row, (coefficients, _constant) in enumerate(equations)
            for c, k in coefficients.items()
        ]
        system = {"bounds": [self._bounds(c) for c in variables], "method": "highs"}
        if equations:
            values, rows, columns = zip(*entries, strict=True)
            system |= {
                "A_eq": csr_array(
                    (values, (rows, columns)), shape=(len(equations), len(variables))
                ),
                "b_eq": np.array([constant for _c, constant in equations]),
            }
        open_ = {position[c] for c in wanted}
        truth = {position[c]: self.values[c] for c in wanted}

        def solve(objective):
            result = linprog(objective, **system)
            return result.x if result.status == 0 else None

        def rule_out(solution) -> None:
            # A count that takes another value in some possible table is not pinned.
            if solution is not None:
                open_.difference_update({n for n in open_ if abs(solution[n] - truth[n]) > 0.5})

        generator = np.random.default_rng(20260101)
        directions = [np.zeros(len(variables)) for _ in range(2)]
        directions[0][list(open_)] = 1
        directions[1][list(open_)] = -1
        directions += [
            generator.choice((-1.0, 1.0), size=len(variables)) for _ in range(RANDOM_DIRECTIONS)
        ]
        for direction in directions:
            if not open_:
                break
            rule_out(solve(direction))
        pinned = set()
        for n in sorted(open_):
            if n not in open_:
                continue
            objective = np.zeros(len(variables))
            objective[n] = 1
            low, high = solve(objective), solve(-objective)
            rule_out(low)
            rule_out(high)
            if n not in open_:
                continue
            # No other value was found (or the solver could not say): treat it as pinned.
            if (
                low is None
                or high is None
                or math.ceil(low[n] - 1e-6) == math.floor(high[n] + 1e-6)
            ):
                pinned.add(variables[n])
                open_.discard(n)
        return pinned

    def _steps(self, hidden: set, unbounded: set):
        return (
            (lambda found: (found & self.total_like & self.values.keys()) - hidden, False),
            (lambda found: (found & self.total_like & self.protected) - unbounded, True),
            (lambda found: (found & self.values.keys()) - hidden, False),
            (lambda found: (found & self.protected) - unbounded, True),
        )

    def _derivable(self, cell: Cell, hidden: set) -> bool:
        """Whether a shown figure, once hidden with its copies, would still follow from a line
        whose other figures are all shown (hiding it would protect nothing)."""
        group = self.copies.get(cell, {cell})
        for c in group:
            for number in self.lines_of.get(c, ()):
                total, parts = self.lines[number]
                others = [o for o in (total, *parts) if o not in group]
                if others and all(o in self.values and o not in hidden for o in others):
                    return True
        return False

    def _around(self, cell: Cell, steps, hidden: set, *, derivable=None):
        """What to hide next for one pinned count: (cells, as "[c]" without a range?).
        ``derivable`` (``_derivable``, when given) passes over figures that would still follow
        from a shown line."""
        for pick, widen_range in steps:
            reach = {cell}
            seen_cells = {cell}
            seen_lines: set[int] = set()
            while True:
                lines = {n for c in reach for n in self.lines_of.get(c, ())} - seen_lines
                if not lines:
                    break
                seen_lines |= lines
                near = {c for n in lines for c in (self.lines[n][0], *self.lines[n][1])}
                found = {c for c in pick(near) if not (derivable and derivable(c))}
                if found:
                    if widen_range:
                        return found, True
                    # One at a time, the largest first: one grand total hidden keeps more to
                    # read than several row totals. Its copies in other tables go with it.
                    chosen = max(found, key=lambda c: (self.values[c], repr(c)))
                    return set(self.copies.get(chosen, {chosen})) - hidden, False
                reach = near - seen_cells
                seen_cells |= near
        return set(), False

    def propagated(self, candidates: set[Cell]) -> set[Cell]:
        """Those of ``candidates`` pinned by narrowing each hidden figure's range with one
        equation at a time (quick; what it finds is pinned, but it may miss some)."""
        low = {c: self._bounds(c)[0] for c in self.hidden | self.unpublished}
        high = {c: self._bounds(c)[1] for c in low}
        high = {c: math.inf if value is None else value for c, value in high.items()}

        def bounds(c):
            if c in low:
                return low[c], high[c]
            return self.values[c], self.values[c]

        equations = [
            terms
            for terms in (
                [(total, -1), *((part, 1) for part in parts)] for total, parts in self.lines
            )
            if any(c in low for c, _sign in terms)
        ]
        # An equation narrows nothing more until a range of one of its figures has narrowed
        # since it was last worked through: the others are passed over (quicker, same result).
        equations_of: dict[Cell, list[int]] = {}
        for number, terms in enumerate(equations):
            for c, _sign in terms:
                if c in low:
                    equations_of.setdefault(c, []).append(number)
        stale = [True] * len(equations)

        changed, rounds = True, 0
        while changed and rounds < 50:
            changed, rounds = False, rounds + 1
            for number, terms in enumerate(equations):
                if not stale[number]:
                    continue
                stale[number] = False
                # sum(sign * x) = 0: the least and greatest each term can add.
                spans = []
                for c, sign in terms:
                    lo, hi = bounds(c)
                    spans.append((sign * lo, sign * hi) if sign > 0 else (sign * hi, sign * lo))
                finite_low = sum(a for a, _b in spans if a != -math.inf)
                infinite_low = sum(1 for a, _b in spans if a == -math.inf)
                finite_high = sum(b for _a, b in spans if b != math.inf)
                infinite_high = sum(1 for _a, b in spans if b == math.inf)
                for (c, sign), (a, b) in zip(terms, spans, strict=True):
                    if c not in low:
                        continue
                    # The other terms add between rest_low and rest_high.
                    if infinite_low - (a == -math.inf):
                        rest_low = -math.inf
                    else:
                        rest_low = finite_low - (0 if a == -math.inf else a)
                    if infinite_high - (b == math.inf):
                        rest_high = math.inf
                    else:
                        rest_high = finite_high - (0 if b == math.inf else b)
                    # sign * x = -(the rest)
                    new_low, new_high = (
                        (-rest_high, -rest_low) if sign > 0 else (rest_low, rest_high)
                    )
                    narrowed = False
                    if new_low > low[c] + 1e-9:
                        low[c], narrowed = new_low, True
                    if new_high < high[c] - 1e-9:
                        high[c], narrowed = new_high, True
                    if narrowed:
                        changed = True
                        for other in equations_of[c]:
                            stale[other] = True
        return {c for c in candidates if math.ceil(low[c] - 1e-6) == math.floor(high[c] + 1e-6)}

    def suppress(self) -> None:
        safe: set[Cell] = set()
        while True:
            candidates = self.propagated(self.protected - safe)
            if not candidates:
                wanted = self.protected - safe
                candidates = self.pinned(wanted)
                # Hiding more only widens what a hidden count may be: safe stays safe.
                safe |= wanted - candidates
            if not candidates:
                return
            widened = False
            hidden = set(self.hidden)
            steps = self._steps(hidden, set(self.unbounded))
            # Worked out once a figure while ``hidden`` stays the same (many counts ask).
            derivable = cache(partial(self._derivable, hidden=hidden))
            for cell in sorted(candidates, key=repr):
                found, widen_range = self._around(cell, steps, hidden, derivable=derivable)
                if not found:
                    found, widen_range = self._around(cell, steps, hidden)
                if widen_range:
                    self.unbounded |= found
                else:
                    self.secondary |= found
                widened = widened or bool(found)
            if not widened:
                # Never publish a count that can be worked out: hide every count.
                logger.warning("Disclosure control hid every count of a report")
                self.secondary |= self.values.keys() - self.protected
                self.unbounded |= self.protected
                return


def _pseudonymise(table: Table) -> None:
    """Staff names become "Caseworker 1", "Caseworker 2"... numbered in a random order (an
    order from the names would let anyone with the staff list match them), and the rows are
    listed by that number."""
    for column in table.columns:
        if not column.pseudonym:
            continue
        kept = {str(value) for value in column.keep}
        names = sorted(
            {
                str(row.get(column.key))
                for row in table.rows
                if row.get(column.key) not in (None, "")
            }
            - kept
        )
        _shuffle(names)
        numbers = {name: number for number, name in enumerate(names, start=1)}
        table.rows.sort(key=lambda row: numbers.get(str(row.get(column.key)), len(numbers) + 1))
        for row in table.rows:
            name = str(row.get(column.key))
            if name in numbers:
                row[column.key] = f"{column.pseudonym} {numbers[name]}"


def control_tables(tables: list[Table], relations=(), limit: int | None = None) -> list[Table]:
    """Copies of the tables of one report, fit to leave the organisation together."""
    limit = limit or threshold()
    problem = _Problem(tables, relations, limit)
    problem.suppress()
    mark = primary_mark(limit)
    controlled = []
    for number, table in enumerate(tables):
        copy = table.copy(controlled=True)
        rows = copy.all_rows
        hidden = set()
        for c in problem.hidden:
            if c[0] != number:
                continue
            _number, index, key = c
            hidden.add((index, key))
            ranged = c in problem.protected and c not in problem.unbounded
            rows[index][key] = mark if ranged else SECONDARY
        dependent = [column for column in table.columns if column.depends_on]
        for column in dependent:
            touched = [
                index
                for index, row in enumerate(rows)
                if any((index, key) in hidden for key in column.depends_on)
            ]
            for index in range(len(rows)) if column.whole_column and touched else touched:
                # An empty figure stays empty: nothing could be worked out from it.
                if rows[index].get(column.key) is not None:
                    rows[index][column.key] = SECONDARY
        if copy.controlled_order:
            copy.rows.sort(key=lambda row: str(row.get(copy.controlled_order) or "").casefold())
        _pseudonymise(copy)
        controlled.append(copy)
    return controlled


def control(table: Table, limit: int | None = None) -> Table:
    """A copy of one table fit to leave the organisation."""
    return control_tables([table], limit=limit)[0]
