from datetime import date

import holidays
import pytest

from carepath.clocks.models import PeriodKind, PeriodRule, PeriodUnit
from carepath.clocks.selectors import (
    NoPeriodRule,
    add_working_days,
    deadline,
    is_working_day,
    period_length,
    period_rule_for,
    working_days_between,
)
from carepath.people.models import Jurisdiction

EW = Jurisdiction.ENGLAND_WALES
SCT = Jurisdiction.SCOTLAND
NI = Jurisdiction.NORTHERN_IRELAND
RG = PeriodKind.NRM_RG_TARGET
RECOVERY = PeriodKind.NRM_RECOVERY_PERIOD
MOVE_ON = PeriodKind.NRM_MOVE_ON


def bank_holiday(day: date, subdiv: str) -> bool:
    return day in holidays.country_holidays("GB", subdiv=subdiv, years=day.year)


def rg_targets(submitted: date) -> dict[str, date]:
    return {j: deadline(kind=RG, jurisdiction=j, start=submitted) for j in (EW, SCT, NI)}


# The premises below are read from the holidays library, so a change in its data fails
# here, by name, rather than as a puzzling date in a target test.


@pytest.mark.django_db
def test_st_andrews_day_delays_the_rg_target_in_scotland_only():
    assert date(2026, 11, 30).weekday() == 0
    assert bank_holiday(date(2026, 11, 30), "SCT")
    assert not bank_holiday(date(2026, 11, 30), "ENG")

    targets = rg_targets(date(2026, 11, 25))

    assert targets[EW] == date(2026, 12, 2)
    assert targets[NI] == date(2026, 12, 2)
    assert targets[SCT] == date(2026, 12, 3)


@pytest.mark.django_db
def test_easter_monday_counts_in_england_but_not_scotland():
    assert bank_holiday(date(2026, 4, 3), "ENG") and bank_holiday(date(2026, 4, 3), "SCT")
    assert bank_holiday(date(2026, 4, 6), "ENG")
    assert not bank_holiday(date(2026, 4, 6), "SCT")

    targets = rg_targets(date(2026, 4, 2))

    assert targets[EW] == date(2026, 4, 13)
    assert targets[NI] == date(2026, 4, 13)
    assert targets[SCT] == date(2026, 4, 10)


@pytest.mark.django_db
def test_summer_bank_holiday_is_early_august_in_scotland_and_late_august_in_england():
    assert bank_holiday(date(2026, 8, 3), "SCT") and not bank_holiday(date(2026, 8, 3), "ENG")
    assert bank_holiday(date(2026, 8, 31), "ENG") and not bank_holiday(date(2026, 8, 31), "SCT")

    targets = rg_targets(date(2026, 7, 31))

    assert targets[EW] == date(2026, 8, 7)
    assert targets[SCT] == date(2026, 8, 10)


@pytest.mark.django_db
def test_second_of_january_and_new_year_crossing():
    assert bank_holiday(date(2026, 1, 2), "SCT")
    assert not bank_holiday(date(2026, 1, 2), "ENG")

    targets = rg_targets(date(2025, 12, 31))

    assert targets[EW] == date(2026, 1, 8)
    assert targets[SCT] == date(2026, 1, 9)


@pytest.mark.django_db
def test_period_over_christmas_and_new_year_uses_both_years_holidays():
    # 2026: Boxing Day is a Saturday, observed Monday 28 Dec; 2027: 2 Jan is a Saturday,
    # observed in Scotland on Monday 4 Jan.
    assert bank_holiday(date(2026, 12, 28), "ENG")
    assert bank_holiday(date(2027, 1, 1), "ENG")
    assert bank_holiday(date(2027, 1, 4), "SCT")
    assert not bank_holiday(date(2027, 1, 4), "ENG")

    targets = rg_targets(date(2026, 12, 23))

    assert targets[EW] == date(2027, 1, 4)
    assert targets[SCT] == date(2027, 1, 5)


@pytest.mark.django_db
def test_st_patricks_day_counts_in_northern_ireland():
    assert bank_holiday(date(2026, 3, 17), "NIR")
    assert not bank_holiday(date(2026, 3, 17), "ENG")

    targets = rg_targets(date(2026, 3, 16))

    assert targets[EW] == date(2026, 3, 23)
    assert targets[SCT] == date(2026, 3, 23)
    assert targets[NI] == date(2026, 3, 24)


@pytest.mark.django_db
def test_twelfth_of_july_counts_in_northern_ireland():
    assert date(2027, 7, 12).weekday() == 0
    assert bank_holiday(date(2027, 7, 12), "NIR")
    assert not bank_holiday(date(2027, 7, 12), "ENG")

    targets = rg_targets(date(2027, 7, 9))

    assert targets[EW] == date(2027, 7, 16)
    assert targets[NI] == date(2027, 7, 19)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "submitted",
    [date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8)],
    ids=["friday", "saturday", "sunday"],
)
def test_friday_and_weekend_submissions_count_from_the_monday(submitted):
    for holiday_free in range(9, 14):
        assert not any(bank_holiday(date(2026, 3, holiday_free), s) for s in ("ENG", "SCT", "NIR"))

    assert set(rg_targets(submitted).values()) == {date(2026, 3, 13)}


@pytest.mark.django_db
def test_rg_target_rule_is_a_five_working_day_target_not_a_minimum():
    rule = period_rule_for(kind=RG, jurisdiction=SCT, on=date(2026, 1, 1))

    assert (rule.length, rule.unit, rule.is_minimum) == (5, PeriodUnit.WORKING_DAYS, False)


@pytest.mark.django_db
def test_recovery_period_england_and_wales_changes_on_13_december_2022():
    assert deadline(kind=RECOVERY, jurisdiction=EW, start=date(2022, 12, 12)) == date(2023, 1, 26)
    assert deadline(kind=RECOVERY, jurisdiction=EW, start=date(2022, 12, 13)) == date(2023, 1, 12)
    assert period_length(kind=RECOVERY, jurisdiction=EW, on=date(2022, 12, 12)) == 45
    assert period_length(kind=RECOVERY, jurisdiction=EW, on=date(2022, 12, 13)) == 30
    assert period_rule_for(kind=RECOVERY, jurisdiction=EW, on=date(2022, 12, 13)).is_minimum


@pytest.mark.django_db
def test_recovery_period_scotland_changes_on_1_april_2018():
    assert deadline(kind=RECOVERY, jurisdiction=SCT, start=date(2018, 3, 31)) == date(2018, 5, 15)
    assert deadline(kind=RECOVERY, jurisdiction=SCT, start=date(2018, 4, 1)) == date(2018, 6, 30)
    # England and Wales did not change then.
    assert deadline(kind=RECOVERY, jurisdiction=EW, start=date(2018, 4, 1)) == date(2018, 5, 16)


@pytest.mark.django_db
def test_recovery_period_northern_ireland_is_45_days():
    assert deadline(kind=RECOVERY, jurisdiction=NI, start=date(2024, 6, 3)) == date(2024, 7, 18)


@pytest.mark.django_db
def test_recovery_period_for_a_decision_today_uses_the_rule_in_force_today(time_machine):
    time_machine.move_to(date(2025, 6, 2))

    today = date.today()

    assert deadline(kind=RECOVERY, jurisdiction=EW, start=today) == date(2025, 7, 2)
    assert deadline(kind=RECOVERY, jurisdiction=SCT, start=today) == date(2025, 8, 31)


@pytest.mark.django_db
def test_extra_days_extend_or_curtail_in_calendar_days():
    start = date(2023, 3, 1)

    assert deadline(kind=RECOVERY, jurisdiction=EW, start=start) == date(2023, 3, 31)
    assert deadline(kind=RECOVERY, jurisdiction=EW, start=start, extra_days=14) == date(2023, 4, 14)
    assert deadline(kind=RECOVERY, jurisdiction=EW, start=start, extra_days=-5) == date(2023, 3, 26)
    # Working-day rule: 5 working days first (Fri 6 Mar 2026 -> Fri 13 Mar), then calendar days.
    rg_extended = deadline(kind=RG, jurisdiction=EW, start=date(2026, 3, 6), extra_days=3)
    assert rg_extended == date(2026, 3, 16)


@pytest.mark.django_db
def test_move_on_is_45_days_after_a_positive_cg_decision():
    for jurisdiction in (EW, SCT, NI):
        end = deadline(kind=MOVE_ON, jurisdiction=jurisdiction, start=date(2024, 2, 10))
        assert end == date(2024, 3, 26)


@pytest.mark.django_db
def test_no_rule_before_the_first_effective_date():
    with pytest.raises(NoPeriodRule, match="nrm_recovery_period.*england_wales.*2009-03-31"):
        deadline(kind=RECOVERY, jurisdiction=EW, start=date(2009, 3, 31))
    with pytest.raises(NoPeriodRule):
        period_rule_for(kind=MOVE_ON, jurisdiction=SCT, on=date(2019, 9, 29))

    assert period_rule_for(kind=MOVE_ON, jurisdiction=SCT, on=date(2019, 9, 30)).length == 45


@pytest.mark.django_db
def test_a_later_rule_added_as_configuration_applies_from_its_date():
    PeriodRule.objects.create(
        kind=RECOVERY,
        jurisdiction=NI,
        length=60,
        unit=PeriodUnit.DAYS,
        effective_from=date(2030, 1, 1),
        source="test",
        is_minimum=True,
    )

    assert period_length(kind=RECOVERY, jurisdiction=NI, on=date(2029, 12, 31)) == 45
    assert period_length(kind=RECOVERY, jurisdiction=NI, on=date(2030, 1, 1)) == 60


def test_working_days_between_marks_the_five_day_boundary():
    submitted = date(2026, 11, 25)

    assert working_days_between(start=submitted, end=date(2026, 12, 2), jurisdiction=EW) == 5
    assert working_days_between(start=submitted, end=date(2026, 12, 3), jurisdiction=EW) == 6
    # St Andrew's Day: the same dates are 4 and 5 working days in Scotland.
    assert working_days_between(start=submitted, end=date(2026, 12, 2), jurisdiction=SCT) == 4
    assert working_days_between(start=submitted, end=date(2026, 12, 3), jurisdiction=SCT) == 5


def test_working_days_between_is_zero_when_end_is_not_after_start():
    day = date(2026, 3, 10)

    assert working_days_between(start=day, end=day, jurisdiction=EW) == 0
    assert working_days_between(start=day, end=date(2026, 3, 2), jurisdiction=EW) == 0
    # A weekend after a Friday holds no working days.
    assert working_days_between(start=date(2026, 3, 6), end=date(2026, 3, 8), jurisdiction=EW) == 0


def test_add_working_days_and_working_days_between_agree_across_new_year():
    start = date(2026, 12, 23)
    for jurisdiction in (EW, SCT, NI):
        for days in range(0, 12):
            end = add_working_days(start=start, days=days, jurisdiction=jurisdiction)
            assert working_days_between(start=start, end=end, jurisdiction=jurisdiction) == days
            assert days == 0 or is_working_day(day=end, jurisdiction=jurisdiction)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="Unknown jurisdiction"):
        add_working_days(start=date(2026, 1, 5), days=0, jurisdiction="wales")
    with pytest.raises(ValueError, match="negative"):
        add_working_days(start=date(2026, 1, 5), days=-1, jurisdiction=EW)


def test_preloaded_rules_give_the_same_deadlines_without_queries(db, django_assert_num_queries):
    from carepath.clocks.selectors import all_period_rules

    rules = all_period_rules()
    for jurisdiction in ("england_wales", "scotland", "northern_ireland"):
        for start in (date(2018, 3, 31), date(2022, 12, 12), date(2022, 12, 13)):
            expected = deadline(kind="nrm_recovery_period", jurisdiction=jurisdiction, start=start)
            with django_assert_num_queries(0):
                assert (
                    deadline(
                        kind="nrm_recovery_period",
                        jurisdiction=jurisdiction,
                        start=start,
                        rules=rules,
                    )
                    == expected
                )
