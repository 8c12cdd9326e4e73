"""The legal period rules (carepath/clocks/migrations/0003_legal_period_rules.py), calendar
months and years, notice periods counted back from an expiry, and dated rule changes."""

from datetime import date

import pytest

from carepath.clocks.models import PeriodKind, PeriodRule, PeriodUnit
from carepath.clocks.selectors import (
    NoPeriodRule,
    all_period_rules,
    before,
    deadline,
    period_rule_for,
)
from carepath.people.models import Jurisdiction

EW = Jurisdiction.ENGLAND_WALES
SCT = Jurisdiction.SCOTLAND
NI = Jurisdiction.NORTHERN_IRELAND

LEGAL_KINDS = {
    PeriodKind.CICA_APPLICATION,
    PeriodKind.CICA_MINOR_AGE,
    PeriodKind.CICA_REVIEW,
    PeriodKind.CICA_APPEAL,
    PeriodKind.IMMIGRATION_APPEAL,
    PeriodKind.LEAVE_EXTENSION_NOTICE,
    PeriodKind.POLICE_UPDATE,
}

# (kind, length, unit, effective from) in England and Wales and in Scotland alike.
GREAT_BRITAIN = {
    ("cica_application", 2, "years", date(1996, 4, 1)),
    ("cica_application", 2, "years", date(2012, 11, 27)),
    ("cica_minor_age", 20, "years", date(2012, 11, 27)),
    ("cica_review", 56, "days", date(2012, 11, 27)),
    ("cica_appeal", 90, "days", date(2012, 11, 27)),
    ("immigration_appeal", 14, "days", date(2014, 10, 20)),
    ("leave_extension_notice", 3, "months", date(2000, 1, 1)),
    ("police_update", 1, "months", date(2021, 4, 1)),
}
# Northern Ireland: its own 2009 compensation scheme, of which only the two-year application
# limit is configured so far.
NORTHERN_IRELAND = {
    ("cica_application", 2, "years", date(2009, 5, 1)),
    ("immigration_appeal", 14, "days", date(2014, 10, 20)),
    ("leave_extension_notice", 3, "months", date(2000, 1, 1)),
    ("police_update", 1, "months", date(2021, 4, 1)),
}


def rule(kind=PeriodKind.POLICE_UPDATE, length=1, unit=PeriodUnit.MONTHS, effective=None):
    """An unsaved rule, passed as ``rules=`` so the arithmetic is tested without the seed."""
    return PeriodRule(
        kind=kind,
        jurisdiction=EW,
        length=length,
        unit=unit,
        effective_from=effective or date(2000, 1, 1),
        source="test",
    )


def seeded(jurisdiction: str) -> set[tuple[str, int, str, date]]:
    return {
        (r.kind, r.length, r.unit, r.effective_from)
        for r in PeriodRule.objects.filter(jurisdiction=jurisdiction, kind__in=LEGAL_KINDS)
    }


# --- The seeded rules ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("jurisdiction", "expected"),
    [(EW, GREAT_BRITAIN), (SCT, GREAT_BRITAIN), (NI, NORTHERN_IRELAND)],
    ids=["england-wales", "scotland", "northern-ireland"],
)
def test_the_legal_rules_are_seeded_for_each_jurisdiction(jurisdiction, expected):
    assert seeded(jurisdiction) == expected


@pytest.mark.django_db
def test_every_seeded_legal_rule_cites_its_source_and_none_is_a_bare_minimum():
    rules = PeriodRule.objects.filter(kind__in=LEGAL_KINDS)
    assert rules.count() == 2 * len(GREAT_BRITAIN) + len(NORTHERN_IRELAND)
    for found in rules:
        assert len(found.source) > 40, found
        assert not found.is_minimum, found
    assert (
        "para 87"
        in rules.get(
            kind="cica_application", jurisdiction=EW, effective_from=date(2012, 11, 27)
        ).source
    )
    assert "(Northern Ireland) 2009" in rules.get(kind="cica_application", jurisdiction=NI).source


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind", [PeriodKind.CICA_MINOR_AGE, PeriodKind.CICA_REVIEW, PeriodKind.CICA_APPEAL]
)
def test_northern_ireland_has_no_compensation_review_appeal_or_child_rule_yet(kind):
    with pytest.raises(NoPeriodRule):
        deadline(kind=kind, jurisdiction=NI, start=date(2026, 1, 10))


@pytest.mark.django_db
def test_the_application_rule_in_force_on_the_incident_is_used():
    def effective(incident):
        return period_rule_for(
            kind="cica_application", jurisdiction=SCT, on=incident
        ).effective_from

    assert effective(date(2010, 6, 1)) == date(1996, 4, 1)
    assert effective(date(2012, 11, 26)) == date(1996, 4, 1)
    assert effective(date(2012, 11, 27)) == date(2012, 11, 27)
    with pytest.raises(NoPeriodRule):
        effective(date(1996, 3, 31))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "start", "end"),
    [
        ("cica_application", date(2024, 3, 15), date(2026, 3, 15)),
        ("cica_application", date(2024, 2, 29), date(2026, 2, 28)),
        ("cica_review", date(2026, 1, 10), date(2026, 3, 7)),
        ("cica_appeal", date(2026, 1, 10), date(2026, 4, 10)),
        ("immigration_appeal", date(2026, 3, 1), date(2026, 3, 15)),
        ("police_update", date(2026, 1, 31), date(2026, 2, 28)),
    ],
)
def test_the_seeded_legal_periods(kind, start, end):
    for jurisdiction in (EW, SCT):
        assert deadline(kind=kind, jurisdiction=jurisdiction, start=start) == end


# --- Months and years ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "length", "unit", "end"),
    [
        # A month on from a month's last day is the next month's last day when it is shorter.
        (date(2026, 1, 31), 1, PeriodUnit.MONTHS, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, PeriodUnit.MONTHS, date(2024, 2, 29)),
        (date(2026, 3, 31), 1, PeriodUnit.MONTHS, date(2026, 4, 30)),
        (date(2026, 1, 15), 1, PeriodUnit.MONTHS, date(2026, 2, 15)),
        (date(2026, 11, 30), 3, PeriodUnit.MONTHS, date(2027, 2, 28)),
        # 29 February plus a year is 28 February; four years on, 29 February again.
        (date(2024, 2, 29), 1, PeriodUnit.YEARS, date(2025, 2, 28)),
        (date(2024, 2, 29), 4, PeriodUnit.YEARS, date(2028, 2, 29)),
        (date(2024, 3, 15), 2, PeriodUnit.YEARS, date(2026, 3, 15)),
    ],
)
def test_months_and_years_are_calendar_months_and_years(start, length, unit, end):
    found = deadline(
        kind=PeriodKind.POLICE_UPDATE,
        jurisdiction=EW,
        start=start,
        rules=[rule(length=length, unit=unit)],
    )
    assert found == end


def test_extra_days_are_calendar_days_after_a_month_period():
    found = deadline(
        kind=PeriodKind.POLICE_UPDATE,
        jurisdiction=EW,
        start=date(2026, 1, 31),
        extra_days=3,
        rules=[rule()],
    )
    assert found == date(2026, 3, 3)


@pytest.mark.parametrize(
    ("end", "length", "unit", "start"),
    [
        (date(2026, 12, 31), 3, PeriodUnit.MONTHS, date(2026, 9, 30)),
        (date(2026, 5, 31), 3, PeriodUnit.MONTHS, date(2026, 2, 28)),
        (date(2028, 5, 31), 3, PeriodUnit.MONTHS, date(2028, 2, 29)),
        (date(2026, 7, 15), 3, PeriodUnit.MONTHS, date(2026, 4, 15)),
        (date(2028, 2, 29), 1, PeriodUnit.YEARS, date(2027, 2, 28)),
        (date(2026, 3, 15), 14, PeriodUnit.DAYS, date(2026, 3, 1)),
    ],
)
def test_before_counts_a_notice_period_back_from_an_expiry(end, length, unit, start):
    found = before(
        kind=PeriodKind.LEAVE_EXTENSION_NOTICE,
        jurisdiction=EW,
        end=end,
        rules=[rule(PeriodKind.LEAVE_EXTENSION_NOTICE, length, unit)],
    )
    assert found == start


def test_a_notice_period_in_working_days_is_refused():
    with pytest.raises(ValueError, match="calendar days, months or years"):
        before(
            kind=PeriodKind.LEAVE_EXTENSION_NOTICE,
            jurisdiction=EW,
            end=date(2026, 12, 31),
            rules=[rule(PeriodKind.LEAVE_EXTENSION_NOTICE, 5, PeriodUnit.WORKING_DAYS)],
        )


@pytest.mark.django_db
def test_the_seeded_notice_to_extend_leave_is_three_months_in_every_jurisdiction():
    for jurisdiction in (EW, SCT, NI):
        found = before(
            kind="leave_extension_notice", jurisdiction=jurisdiction, end=date(2026, 12, 31)
        )
        assert found == date(2026, 9, 30)


# --- Dated changes -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("preloaded", [False, True], ids=["queried", "preloaded"])
def test_a_later_rule_applies_only_to_periods_starting_on_or_after_its_date(preloaded):
    PeriodRule.objects.create(
        kind=PeriodKind.CICA_REVIEW,
        jurisdiction=EW,
        length=28,
        unit=PeriodUnit.DAYS,
        effective_from=date(2027, 1, 1),
        source="A hypothetical change to the scheme",
    )
    rules = all_period_rules() if preloaded else None

    def review_by(decided, jurisdiction=EW):
        return deadline(kind="cica_review", jurisdiction=jurisdiction, start=decided, rules=rules)

    # A decision the day before keeps 56 days, even though its review falls after the change.
    assert review_by(date(2026, 12, 31)) == date(2027, 2, 25)
    assert review_by(date(2027, 1, 1)) == date(2027, 1, 29)
    assert review_by(date(2027, 1, 1), SCT) == date(2027, 2, 26)


@pytest.mark.django_db
def test_a_notice_period_follows_the_rule_in_force_on_the_expiry_date():
    PeriodRule.objects.create(
        kind=PeriodKind.LEAVE_EXTENSION_NOTICE,
        jurisdiction=EW,
        length=2,
        unit=PeriodUnit.MONTHS,
        effective_from=date(2027, 1, 1),
        source="A hypothetical change of practice",
    )
    assert before(kind="leave_extension_notice", jurisdiction=EW, end=date(2026, 12, 31)) == date(
        2026, 9, 30
    )
    assert before(kind="leave_extension_notice", jurisdiction=EW, end=date(2027, 1, 31)) == date(
        2026, 11, 30
    )
