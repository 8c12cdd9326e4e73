"""The vacancy board (every organisation's vacancies, for anyone looking for a place) and the
accommodation manager's start page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accommodation.models import PlacementState as S
from accommodation.selectors import accommodation_dashboard, vacancy_board
from tests.accommodation.conftest import NOW, TODAY

days = datetime.timedelta


@pytest.fixture
def board(org_a, org_b, make_property, make_unit, make_placement):
    """Ash (org A, Wales): 4 beds: free, out of use, offered, a resident leaving in 10 days.
    Birch (org B, Scotland): 2 beds: free, a resident leaving in 40 days. Closed: inactive."""
    ash = make_property(org_a, name="Ash", region="Wales")
    family = make_unit(
        ash, beds=2, name="Family", family=True, children_accepted=True, boys_age_limit=12
    )
    single = make_unit(ash, beds=2, name="Single", women_only=True, accessible=True)
    _free, repair = family.bed_spaces.order_by("label")
    offered, leaving = single.bed_spaces.order_by("label")
    repair.out_of_use, repair.out_of_use_reason = True, "Damp"
    repair.out_of_use_until = TODAY + days(7)
    repair.save()
    make_placement(state=S.OFFERED, bed=offered, offer_expires_at=NOW + days(hours=5))
    make_placement(
        state=S.MOVED_IN,
        bed=leaving,
        moved_in_on=TODAY - days(30),
        planned_move_out_on=TODAY + days(10),
    )

    birch = make_property(
        org_b,
        name="Birch",
        region="Scotland",
        kind="safe_house",
        local_authority="Glasgow",
        postcode="G1 1AA",
    )
    unit = make_unit(birch, beds=2, nrpf_accepted=True)
    make_placement(
        state=S.MOVED_IN,
        bed=unit.bed_spaces.order_by("label").last(),
        moved_in_on=TODAY - days(3),
        planned_move_out_on=TODAY + days(40),
        provider=org_b,
    )
    make_unit(make_property(org_a, name="Closed", active=False), beds=3)
    return ash, birch


def by_name(rows):
    return {row["property"]["name"]: row for row in rows}


def test_the_board_shows_every_organisations_active_properties_by_region(board, caseworker_a):
    rows = vacancy_board(caseworker_a, today=TODAY)

    assert [row["property"]["name"] for row in rows] == ["Birch", "Ash"]  # Scotland < Wales
    ash, birch = by_name(rows)["Ash"], by_name(rows)["Birch"]
    assert (ash["beds"], ash["free"], ash["out_of_use"], ash["expected"]) == (4, 1, 1, 1)
    assert (birch["beds"], birch["free"], birch["out_of_use"], birch["expected"]) == (2, 1, 0, 0)
    assert ash["out_of_use_reasons"] == [
        {"unit": "Family", "bed_space": "Bed 2", "reason": "Damp", "until": TODAY + days(7)}
    ]
    assert birch["property"]["organisation"] == "Organisation B"
    assert ash["units"] == {
        "count": 2,
        "women_only": True,
        "men_only": False,
        "family": True,
        "accessible": True,
        "children_accepted": True,
        "oldest_boy_accepted": 12,
        "pets_accepted": False,
        "nrpf_accepted": False,
    }


def test_the_board_filters_by_region_and_kind(board, caseworker_a):
    assert [r["property"]["name"] for r in vacancy_board(caseworker_a, region="wales")] == ["Ash"]
    assert [r["property"]["name"] for r in vacancy_board(caseworker_a, kind="safe_house")] == [
        "Birch"
    ]
    assert vacancy_board(caseworker_a, region="Wales", kind="safe_house") == []


def test_the_board_is_empty_for_people_without_the_vacancy_permission(board, admin_a):
    assert vacancy_board(admin_a) == []


def test_the_start_page_lists_what_needs_the_accommodation_managers_attention(
    board, accommodation_manager_a, make_placement, frozen, org_b
):
    ash, _birch = board
    frozen.move_to(NOW - days(hours=2))
    older = make_placement(state=S.REQUESTED)
    frozen.move_to(NOW - days(hours=1))
    newer = make_placement(state=S.REQUESTED)
    make_placement(state=S.REQUESTED, provider=org_b)
    frozen.move_to(NOW)
    later = make_placement(
        state=S.OFFERED,
        bed=ash.units.get(name="Family").bed_spaces.first(),
        offer_expires_at=NOW + days(hours=30),
    )

    page = accommodation_dashboard(accommodation_manager_a, now=NOW)

    assert page["awaiting"] == [older, newer]
    assert [p.offer_expires_at for p in page["expiring"]] == [NOW + days(hours=5)]
    assert later not in page["expiring"]
    assert [p.planned_move_out_on for p in page["move_outs"]] == [TODAY + days(10)]
    occupancy = {row["property"].name: row for row in page["occupancy"]}
    assert set(occupancy) == {"Ash", "Closed"}
    assert {k: v for k, v in occupancy["Ash"].items() if k != "property"} == {
        "beds": 4,
        "occupied": 1,
        "offered": 2,
        "accepted": 0,
        "out_of_use": 1,
        "free": 0,
    }


def test_the_start_page_is_empty_for_other_roles(board, caseworker_a, manager_a):
    for user in (caseworker_a, manager_a):
        assert accommodation_dashboard(user) == {
            "awaiting": [],
            "expiring": [],
            "move_outs": [],
            "occupancy": [],
        }


# --- A fixed number of queries, whatever the data ------------------------------------------------


@pytest.fixture
def grow(org_a, org_b, make_property, make_unit, make_placement):
    def add(count: int) -> None:
        for n in range(count):
            for org in (org_a, org_b):
                prop = make_property(org, name=f"{org.slug} {n}", region=f"Region {n % 3}")
                make_unit(prop, name="Family", beds=2, family=True, children_accepted=True)
                beds = list(make_unit(prop, name="Single", beds=3).bed_spaces.all())
                beds[0].out_of_use, beds[0].out_of_use_reason = True, "Repairs"
                beds[0].save()
                make_placement(state=S.REQUESTED, provider=org)
                make_placement(
                    state=S.OFFERED, bed=beds[1], provider=org, offer_expires_at=NOW + days(hours=2)
                )
                make_placement(
                    state=S.MOVED_IN,
                    bed=beds[2],
                    provider=org,
                    moved_in_on=TODAY,
                    planned_move_out_on=TODAY + days(3),
                )

    return add


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    assert result  # something was read, so the count is of real work
    return len(captured)


@pytest.mark.parametrize(
    "read",
    [
        lambda user: vacancy_board(user, today=TODAY),
        lambda user: accommodation_dashboard(user, now=NOW)["occupancy"],
    ],
    ids=["vacancy_board", "accommodation_dashboard"],
)
def test_the_boards_take_the_same_number_of_queries_for_more_data(
    grow, accommodation_manager_a, read
):
    grow(1)
    accommodation_manager_a.roles  # noqa: B018 - load the roles before counting
    small = count_queries(lambda: read(accommodation_manager_a))
    grow(6)
    large = count_queries(lambda: read(accommodation_manager_a))

    assert small == large
    assert large <= 4
