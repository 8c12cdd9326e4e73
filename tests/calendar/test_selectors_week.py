import datetime

import pytest

from casework.selectors.calendar import Week, team_week_for, week_for, week_from
from tests.calendar.conftest import london

D = datetime.date


def _days(days) -> dict:
    return {day.day: [a.pk for a in day.appointments] for day in days}


@pytest.mark.parametrize(
    "value, monday",
    [
        ("2026-01-05", D(2026, 1, 5)),  # a Monday
        ("2026-01-11", D(2026, 1, 5)),  # its Sunday
        ("2026-01-08", D(2026, 1, 5)),
        (" 2026-01-12 ", D(2026, 1, 12)),
    ],
)
def test_any_date_gives_its_monday_to_sunday_week(value, monday):
    week, valid = week_from(value, today=D(2030, 6, 1))
    assert valid
    assert week.monday == monday
    assert week.sunday == monday + datetime.timedelta(days=6)
    assert [d.weekday() for d in week.days] == [0, 1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    "value", ["not-a-date", "2026-02-30", "2026-13-01", "20260105", "2026-W02-1", "0001-01-01",
              "9999-12-31", "2026-01-05T10:00", "2026-1-5", "x" * 5000]
)  # fmt: skip
def test_a_week_that_is_not_a_date_gives_this_week_and_says_so(value):
    week, valid = week_from(value, today=D(2026, 3, 4))
    assert not valid
    assert week.monday == D(2026, 3, 2)


def test_no_week_is_this_week():
    assert week_from(None, today=D(2026, 3, 8)) == (Week(D(2026, 3, 2)), True)
    assert week_from("", today=D(2026, 3, 8)) == (Week(D(2026, 3, 2)), True)


def test_week_bounds_are_london_midnights_even_when_the_clocks_change():
    start, end = Week(D(2026, 3, 23)).bounds()  # BST starts on Sunday 29 March 2026
    assert start == london(2026, 3, 23)
    assert start.astimezone(datetime.UTC).hour == 0
    assert end.astimezone(datetime.UTC) == datetime.datetime(2026, 3, 29, 23, tzinfo=datetime.UTC)
    assert end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC) == datetime.timedelta(
        hours=167
    )


def test_sunday_late_evening_in_summer_time_is_in_the_week_and_monday_midnight_is_not(
    team_a, caseworker_a, allocated_case, appointment
):
    case = allocated_case(team_a, caseworker_a)
    week_start = appointment(case, london(2026, 6, 8, 0, 0))  # Sunday 23:00 UTC
    sunday_late = appointment(case, london(2026, 6, 14, 23, 30))  # Sunday 22:30 UTC
    next_monday = appointment(case, london(2026, 6, 15, 0, 0))  # Sunday 23:00 UTC
    before = appointment(case, london(2026, 6, 7, 23, 59))

    days = _days(week_for(caseworker_a, week=Week(D(2026, 6, 8))))
    assert days[D(2026, 6, 8)] == [week_start.pk]
    assert days[D(2026, 6, 14)] == [sunday_late.pk]
    assert next_monday.pk not in sum(days.values(), [])
    assert before.pk not in sum(days.values(), [])

    following = _days(week_for(caseworker_a, week=Week(D(2026, 6, 15))))
    assert following[D(2026, 6, 15)] == [next_monday.pk]


def test_sunday_late_evening_in_winter_time_is_in_the_week_and_monday_midnight_is_not(
    team_a, caseworker_a, allocated_case, appointment
):
    case = allocated_case(team_a, caseworker_a)
    sunday_late = appointment(case, london(2026, 1, 11, 23, 30))
    monday = appointment(case, london(2026, 1, 12, 0, 0))
    monday_first = appointment(case, london(2026, 1, 5, 0, 0))

    days = _days(week_for(caseworker_a, week=Week(D(2026, 1, 5))))
    assert days[D(2026, 1, 11)] == [sunday_late.pk]
    assert days[D(2026, 1, 5)] == [monday_first.pk]
    assert monday.pk not in sum(days.values(), [])
    assert _days(week_for(caseworker_a, week=Week(D(2026, 1, 12))))[D(2026, 1, 12)] == [monday.pk]


def test_the_sunday_the_clocks_go_forward_keeps_its_late_evening(
    team_a, caseworker_a, allocated_case, appointment
):
    case = allocated_case(team_a, caseworker_a)
    late = appointment(case, london(2026, 3, 29, 23, 30))
    days = _days(week_for(caseworker_a, week=Week(D(2026, 3, 23))))
    assert days[D(2026, 3, 29)] == [late.pk]


def test_my_week_has_requested_and_booked_appointments_with_a_time_of_my_cases_in_time_order(
    team_a, caseworker_a, teammate_a, allocated_case, appointment
):
    mine = allocated_case(team_a, caseworker_a)
    theirs = allocated_case(team_a, teammate_a)
    later = appointment(mine, london(2026, 1, 6, 15, 0))
    earlier = appointment(mine, london(2026, 1, 6, 9, 30), state="requested", kind="dental")
    appointment(mine, london(2026, 1, 6, 11, 0), state="cancelled")
    appointment(mine, london(2026, 1, 6, 12, 0), state="attended")
    appointment(mine, london(2026, 1, 6, 13, 0), state="did_not_attend")
    appointment(mine, None, state="requested")
    appointment(theirs, london(2026, 1, 6, 10, 0))

    days = _days(week_for(caseworker_a, week=Week(D(2026, 1, 5))))
    assert days[D(2026, 1, 6)] == [earlier.pk, later.pk]
    assert sum(days.values(), []) == [earlier.pk, later.pk]


def test_team_week_has_every_case_of_my_teams_and_nothing_else(
    team_a,
    team_b,
    team_other_org,
    caseworker_a,
    teammate_a,
    caseworker_b,
    caseworker_other_org,
    manager_a,
    manager_b,
    allocated_case,
    appointment,
):
    from tests.factories import CaseFactory

    team_a_case = allocated_case(team_a, caseworker_a)
    unallocated = CaseFactory(team=team_a, by=manager_a)
    team_b_case = allocated_case(team_b, caseworker_b)
    elsewhere = CaseFactory(team=team_other_org, by=manager_b)
    a = appointment(team_a_case, london(2026, 1, 7, 10, 0))
    u = appointment(unallocated, london(2026, 1, 7, 11, 0), state="requested")
    b = appointment(team_b_case, london(2026, 1, 7, 12, 0))
    other = appointment(elsewhere, london(2026, 1, 7, 13, 0))
    week = Week(D(2026, 1, 5))

    def seen(user):
        return set(sum(_days(team_week_for(user, week=week)).values(), []))

    assert seen(teammate_a) == {a.pk, u.pk}
    assert seen(caseworker_a) == {a.pk, u.pk}
    assert seen(caseworker_b) == {b.pk}
    assert seen(caseworker_other_org) == {other.pk}
    assert seen(manager_a) == {a.pk, u.pk, b.pk}
    assert seen(manager_b) == {other.pk}
