"""Occupancy, void bed-nights, length of stay and placement outcomes, against hand-computed
figures for a small seeded set."""

import datetime

import pytest

from accommodation.models import PlacementState
from accommodation.selectors import occupancy_figures, placement_outcomes

d = datetime.date
JANUARY = {"start": d(2026, 1, 1), "end": d(2026, 1, 31)}  # 31 nights, both ends included


@pytest.fixture
def record(make_case, make_placement):
    case = make_case()

    def make(**values):
        return make_placement(case=case, **values)

    return make


@pytest.fixture
def seeded(org_a, make_property, make_unit, record):
    ash = make_property(org_a, name="Ash")
    birch = make_property(org_a, name="Birch")
    cedar = make_property(org_a, name="Cedar")
    a1, a2 = make_unit(ash, beds=2).bed_spaces.order_by("label")
    b1, b2 = make_unit(birch, beds=2).bed_spaces.order_by("label")
    make_unit(cedar, beds=0)

    out, living = PlacementState.MOVED_OUT, PlacementState.MOVED_IN
    # Ash, bed 1: crosses the start; inside; still living there.
    record(bed=a1, state=out, moved_in_on=d(2025, 12, 20), moved_out_on=d(2026, 1, 10))
    record(bed=a1, state=out, moved_in_on=d(2026, 1, 10), moved_out_on=d(2026, 1, 20))
    record(bed=a1, state=living, moved_in_on=d(2026, 1, 25))
    # Ash, bed 2: crosses the end; entirely before the period.
    record(bed=a2, state=out, moved_in_on=d(2026, 1, 28), moved_out_on=d(2026, 2, 5))
    record(bed=a2, state=out, moved_in_on=d(2025, 11, 1), moved_out_on=d(2025, 12, 15))
    # Birch, bed 1: covers the whole period. Bed 2: three stays, the last ends on the 31st.
    record(bed=b1, state=out, moved_in_on=d(2025, 12, 1), moved_out_on=d(2026, 2, 10))
    record(bed=b2, state=out, moved_in_on=d(2026, 1, 1), moved_out_on=d(2026, 1, 4))
    record(bed=b2, state=out, moved_in_on=d(2026, 1, 4), moved_out_on=d(2026, 1, 11))
    record(bed=b2, state=out, moved_in_on=d(2026, 1, 11), moved_out_on=d(2026, 1, 31))
    # Neither a request nor a declined offer occupies anything.
    record(state=PlacementState.REQUESTED)
    record(bed=a2, state=PlacementState.DECLINED, decline_reason="no_capacity")
    return ash, birch, cedar


def test_occupancy_and_length_of_stay_match_the_hand_computed_figures(seeded):
    ash, birch, cedar = seeded

    rows = occupancy_figures([ash, birch, cedar], **JANUARY)

    figures = {
        row["property"].name: {k: v for k, v in row.items() if k != "property"} for row in rows
    }
    assert figures["Ash"] == {
        "bed_nights": 62,  # 2 beds x 31 nights
        # 1-9 Jan (9) + 10-19 Jan (10) + 25-31 Jan, ongoing (7) + 28-31 Jan (4) = 30
        "occupied_nights": 30,
        "void_nights": 32,  # 62 - 30
        "occupancy_rate": 0.484,  # 30 / 62 = 0.48387
        "stays_completed": 2,  # out on 10 Jan and 20 Jan; not the one out on 5 Feb
        "average_stay_days": 15.5,  # (21 [20 Dec -> 10 Jan] + 10 [10 -> 20 Jan]) / 2
        "median_stay_days": 15.5,
    }
    assert figures["Birch"] == {
        "bed_nights": 62,  # 2 beds x 31 nights
        # bed 1: all 31; bed 2: 1-3 Jan (3) + 4-10 Jan (7) + 11-30 Jan (20) = 30; 31 + 30 = 61
        "occupied_nights": 61,
        "void_nights": 1,  # the night of 31 Jan on bed 2
        "occupancy_rate": 0.984,  # 61 / 62 = 0.98387
        "stays_completed": 3,  # out on 4, 11 and 31 Jan
        "average_stay_days": 10.0,  # (3 + 7 + 20) / 3
        "median_stay_days": 7,
    }
    assert figures["Cedar"] == {
        "bed_nights": 0,
        "occupied_nights": 0,
        "void_nights": 0,
        "occupancy_rate": 0.0,
        "stays_completed": 0,
        "average_stay_days": None,
        "median_stay_days": None,
    }


def test_a_one_day_period_counts_that_night_only(seeded):
    ash, birch, _cedar = seeded

    rows = occupancy_figures([ash, birch], start=d(2026, 1, 10), end=d(2026, 1, 10))

    # Ash: bed 1's second stay began on the 10th (the first left that morning); bed 2 empty.
    # Birch: bed 1 occupied; bed 2's stay of 4-11 Jan occupies the night of the 10th.
    assert [(r["bed_nights"], r["occupied_nights"], r["stays_completed"]) for r in rows] == [
        (2, 1, 1),
        (2, 2, 0),
    ]


def test_occupancy_figures_take_a_fixed_number_of_queries(seeded, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        occupancy_figures(list(seeded), **JANUARY)


def test_placement_outcomes_count_requests_of_the_period_by_state_and_decline_reason(
    org_a, org_b, record, time_machine, accommodation_manager_a
):
    time_machine.move_to(datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC), tick=False)
    for reason in ("no_capacity", "no_capacity", "too_close_to_perpetrator"):
        record(state=PlacementState.DECLINED, decline_reason=reason)
    record(state=PlacementState.WITHDRAWN)
    record(state=PlacementState.OFFER_EXPIRED)
    record(state=PlacementState.REQUESTED)
    record(state=PlacementState.DECLINED, decline_reason="nrpf", provider=org_b)
    time_machine.move_to(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), tick=False)
    record(state=PlacementState.DECLINED, decline_reason="no_capacity")  # after the period

    for who in (org_a, accommodation_manager_a):
        outcomes = placement_outcomes(who, **JANUARY)

        by_state = {row["state"]: row["count"] for row in outcomes["by_state"]}
        by_reason = {row["reason"]: row["count"] for row in outcomes["by_decline_reason"]}
        assert outcomes["total"] == 6
        assert by_state["declined"] == 3
        assert by_state["withdrawn"] == by_state["offer_expired"] == by_state["requested"] == 1
        assert by_state["moved_in"] == 0
        assert by_reason["no_capacity"] == 2
        assert by_reason["too_close_to_perpetrator"] == 1
        assert by_reason["nrpf"] == 0
