from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

from carepath.clocks.models import PeriodRule, PeriodUnit
from carepath.people.models import Jurisdiction

_SUBDIVISIONS = {
    Jurisdiction.ENGLAND_WALES: "ENG",
    Jurisdiction.SCOTLAND: "SCT",
    Jurisdiction.NORTHERN_IRELAND: "NIR",
}


class NoPeriodRule(Exception):
    def __init__(self, *, kind: str, jurisdiction: str, on: date) -> None:
        self.kind = kind
        self.jurisdiction = jurisdiction
        self.on = on
        super().__init__(
            f"No {kind} period rule for {jurisdiction} in force on {on.isoformat()}: "
            "add a PeriodRule effective on or before that date."
        )


def all_period_rules() -> list[PeriodRule]:
    """Every rule, in one query: pass as ``rules=`` when computing many deadlines at once."""
    return list(PeriodRule.objects.order_by("-effective_from"))


def period_rule_for(
    *, kind: str, jurisdiction: str, on: date, rules: Sequence[PeriodRule] | None = None
) -> PeriodRule:
    if rules is None:
        rule = (
            PeriodRule.objects.filter(kind=kind, jurisdiction=jurisdiction, effective_from__lte=on)
            .order_by("-effective_from")
            .first()
        )
    else:
        rule = max(
            (
                r
                for r in rules
                if r.kind == kind and r.jurisdiction == jurisdiction and r.effective_from <= on
            ),
            key=lambda r: r.effective_from,
            default=None,
        )
    if rule is None:
        raise NoPeriodRule(kind=kind, jurisdiction=jurisdiction, on=on)
    return rule


def period_length(*, kind: str, jurisdiction: str, on: date) -> int:
    return period_rule_for(kind=kind, jurisdiction=jurisdiction, on=on).length


@lru_cache(maxsize=128)
def _bank_holidays(subdivision: str, year: int) -> frozenset[date]:
    # An immutable set per (subdivision, year) rather than one shared HolidayBase, which
    # mutates itself as it expands to new years and is not safe to share across threads.
    # Neighbouring years are included so an observed day moved across New Year is kept.
    calendar = holidays.country_holidays("GB", subdiv=subdivision, years=range(year - 1, year + 2))
    return frozenset(day for day in calendar if day.year == year)


def _subdivision(jurisdiction: str) -> str:
    try:
        return _SUBDIVISIONS[Jurisdiction(jurisdiction)]
    except ValueError:
        raise ValueError(f"Unknown jurisdiction {jurisdiction!r}") from None


def _is_working_day(day: date, subdivision: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(subdivision, day.year)


@lru_cache(maxsize=128)
def _working_days(subdivision: str, year: int) -> tuple[date, ...]:
    """The year's working days in order, to count them by bisection rather than day by day."""
    first = date(year, 1, 1)
    days = (
        first + timedelta(days=offset) for offset in range((date(year, 12, 31) - first).days + 1)
    )
    return tuple(day for day in days if _is_working_day(day, subdivision))


def is_working_day(*, day: date, jurisdiction: str) -> bool:
    return _is_working_day(day, _subdivision(jurisdiction))


def add_working_days(*, start: date, days: int, jurisdiction: str) -> date:
    """The date `days` working days after `start`; day 1 is the first working day after it."""
    if days < 0:
        raise ValueError("days must not be negative")
    subdivision = _subdivision(jurisdiction)
    if not days:
        return start
    year = start.year
    working = _working_days(subdivision, year)
    # The position of the wanted day among the year's working days, into the next years.
    position = bisect_right(working, start) + days - 1
    while position >= len(working):
        position -= len(working)
        year += 1
        working = _working_days(subdivision, year)
    return working[position]


def working_days_between(*, start: date, end: date, jurisdiction: str) -> int:
    """Working days after `start` up to and including `end`; 0 if `end` is not after it."""
    subdivision = _subdivision(jurisdiction)
    if end <= start:
        return 0
    return sum(
        bisect_right(working, end) - bisect_right(working, start)
        for working in (
            _working_days(subdivision, year) for year in range(start.year, end.year + 1)
        )
    )


def deadline(
    *,
    kind: str,
    jurisdiction: str,
    start: date,
    extra_days: int = 0,
    rules: Sequence[PeriodRule] | None = None,
    rule_on: date | None = None,
) -> date:
    """When the period that started on `start` ends, under the rule in force on `start`.

    `extra_days` are calendar days added after the period (an extension; negative to
    curtail), whatever the rule's unit. `rule_on` picks the rule in force on another date (a
    recurring duty such as monthly police updates follows the rule in force now).
    """
    rule = period_rule_for(kind=kind, jurisdiction=jurisdiction, on=rule_on or start, rules=rules)
    return _add(start, rule, jurisdiction) + timedelta(days=extra_days)


def _add(start: date, rule: PeriodRule, jurisdiction: str) -> date:
    # Calendar months and years end on the same day of the month (29 Feb -> 28 Feb).
    if rule.unit == PeriodUnit.WORKING_DAYS:
        return add_working_days(start=start, days=rule.length, jurisdiction=jurisdiction)
    if rule.unit == PeriodUnit.MONTHS:
        return start + relativedelta(months=rule.length)
    if rule.unit == PeriodUnit.YEARS:
        return start + relativedelta(years=rule.length)
    return start + timedelta(days=rule.length)


def before(
    *, kind: str, jurisdiction: str, end: date, rules: Sequence[PeriodRule] | None = None
) -> date:
    """The date the period in force on ``end`` starts before it: a notice period counted back
    from an expiry (e.g. when to apply to extend leave)."""
    rule = period_rule_for(kind=kind, jurisdiction=jurisdiction, on=end, rules=rules)
    if rule.unit == PeriodUnit.MONTHS:
        return end - relativedelta(months=rule.length)
    if rule.unit == PeriodUnit.YEARS:
        return end - relativedelta(years=rule.length)
    if rule.unit == PeriodUnit.WORKING_DAYS:
        raise ValueError("A notice period is counted in calendar days, months or years")
    return end - timedelta(days=rule.length)
