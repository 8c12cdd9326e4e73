"""Bad input on the accommodation pages: the form comes back with an error the person can act
on, never a 500, and nothing is saved. A lost race is a 409."""

import datetime

import pytest
from django.urls import reverse

from accommodation import services
from accommodation.models import BedSpace, Placement, PlacementState, Property
from tests.accommodation_views.conftest import bed_of

PROBLEM = "There is a problem"


def _assert_form_error(response, *messages: str, status: int = 200):
    assert response.status_code == status, response.status_code
    content = response.content.decode()
    assert PROBLEM in content
    for message in messages:
        assert message in content, message


def _action(placement, name):
    return reverse("accommodation:placement_action", args=[placement.pk, name])


def test_a_move_out_before_the_move_in(client, moved_in, am_b):
    client.force_login(am_b)
    response = client.post(
        _action(moved_in, "move_out"),
        {"version": moved_in.version, "on": "2026-02-19", "reason": "Left"},
    )
    _assert_form_error(response, "A move-out cannot be before the move-in.")
    moved_in.refresh_from_db()
    assert moved_in.state == PlacementState.MOVED_IN and moved_in.moved_out_on is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"on": "2026-03-03"}, "The move-in date cannot be in the future."),
        ({"planned_move_out_on": "2026-03-01"}, "The planned move-out cannot be before"),
        ({"on": "yesterday"}, "Enter a valid date."),
        ({"key_worker": ""}, "This field is required."),
    ],
)
def test_a_bad_move_in(values, message, client, offered, caseworker_a, am_b):
    placement = services.placement_accept(
        by=caseworker_a, placement=offered, expected_version=offered.version
    )
    client.force_login(am_b)
    data = {"version": placement.version, "on": "2026-03-02", "key_worker": "Kim", **values}
    _assert_form_error(client.post(_action(placement, "move_in"), data), message)
    placement.refresh_from_db()
    assert placement.state == PlacementState.ACCEPTED


def test_a_capacity_below_the_occupancy(
    client, refuge_b, am_b, case_a, case_b, caseworker_a, caseworker_b, org_b, request_for
):
    for n, (case, worker) in enumerate([(case_a, caseworker_a), (case_b, caseworker_b)]):
        placement = request_for(case, worker, org_b)
        services.placement_offer(
            by=am_b,
            placement=placement,
            bed_space=bed_of(refuge_b, n),
            expected_version=placement.version,
        )
    unit = refuge_b.units.first()
    client.force_login(am_b)
    url = reverse("accommodation:unit_edit", args=[refuge_b.pk, unit.pk])
    assert client.get(url).context["form"]["bed_spaces"].value() == 2
    response = client.post(url, {"name": "Renamed", "women_only": "on", "bed_spaces": "1"})
    _assert_form_error(response, "2 bed spaces are occupied or offered")
    unit.refresh_from_db()
    assert unit.name == "Main" and unit.bed_spaces.count() == 2


def test_a_unit_for_women_only_and_men_only(client, refuge_b, am_b):
    client.force_login(am_b)
    response = client.post(
        reverse("accommodation:unit_new", args=[refuge_b.pk]),
        {"name": "Odd", "women_only": "on", "men_only": "on", "bed_spaces": "2"},
    )
    _assert_form_error(response, "A unit cannot be both women only and men only.")
    assert refuge_b.units.count() == 1


@pytest.mark.parametrize("beds", ["0", "two", "-1", "1000"])
def test_a_bad_number_of_bed_spaces(beds, client, refuge_b, am_b):
    client.force_login(am_b)
    response = client.post(
        reverse("accommodation:unit_new", args=[refuge_b.pk]), {"name": "X", "bed_spaces": beds}
    )
    _assert_form_error(response, "Number of bed spaces")
    assert refuge_b.units.count() == 1


def test_a_non_numeric_weekly_charge(client, am_b, refuge_b):
    client.force_login(am_b)
    values = {
        "name": "Elm",
        "kind": "refuge",
        "address": "1 Road",
        "postcode": "G1 1AA",
        "local_authority": "Glasgow City",
        "region": "West",
        "weekly_charge": "lots",
    }
    _assert_form_error(
        client.post(reverse("accommodation:property_new"), values), "Enter a number."
    )
    assert not Property.objects.filter(name="Elm").exists()
    response = client.post(
        reverse("accommodation:property_edit", args=[refuge_b.pk]), {**values, "name": "Renamed"}
    )
    _assert_form_error(response, "Enter a number.")
    refuge_b.refresh_from_db()
    assert refuge_b.name == "Rowan House"


def test_an_offer_of_another_organisations_bed(
    client, request_for, case_a, caseworker_a, org_b, am_b, refuge_b, refuge_c
):
    placement = request_for(case_a, caseworker_a, org_b)
    client.force_login(am_b)
    for bed in (bed_of(refuge_c), "99999", "not-a-number"):
        bed_id = bed.pk if isinstance(bed, BedSpace) else bed
        response = client.post(
            _action(placement, "offer"), {"bed_space": bed_id, "version": placement.version}
        )
        _assert_form_error(response, "Choose one of the matching bed spaces.")
    placement.refresh_from_db()
    assert placement.state == PlacementState.REQUESTED and placement.bed_space is None


def test_an_offer_in_an_exclusion_area_is_refused(
    client, request_for, case_a, caseworker_a, org_b, am_b, refuge_b
):
    placement = request_for(case_a, caseworker_a, org_b, exclusion_areas="G40")
    client.force_login(am_b)
    page = client.get(reverse("accommodation:placement", args=[placement.pk]))
    assert page.context["matches"] == []
    assert "postcode district G40" in page.content.decode()
    response = client.post(
        _action(placement, "offer"),
        {"bed_space": bed_of(refuge_b).pk, "version": placement.version},
    )
    _assert_form_error(response, "Choose one of the matching bed spaces.")


def test_a_stale_offer_is_a_conflict(
    client, request_for, case_a, caseworker_a, org_b, am_b, refuge_b
):
    placement = request_for(case_a, caseworker_a, org_b)
    stale = placement.version
    services.placement_withdraw(
        by=caseworker_a,
        placement=placement,
        expected_version=stale,
        notes="Found a place elsewhere",
    )
    client.force_login(am_b)
    response = client.post(
        _action(placement, "offer"), {"bed_space": bed_of(refuge_b).pk, "version": stale}
    )
    _assert_form_error(response, "Someone else changed this record", status=409)
    assert Placement.objects.get(pk=placement.pk).state == PlacementState.WITHDRAWN


def test_the_last_bed_offered_twice(
    client, request_for, case_a, case_b, caseworker_a, caseworker_b, org_b, am_b, make_property
):
    make_property(am_b, "Single", beds=1)
    first = request_for(case_a, caseworker_a, org_b)
    second = request_for(case_b, caseworker_b, org_b)
    client.force_login(am_b)
    # Both pages drawn while the bed was free.
    bed = client.get(reverse("accommodation:placement", args=[first.pk])).context["matches"][0]
    client.post(_action(first, "offer"), {"bed_space": bed.bed_space.pk, "version": first.version})
    response = client.post(
        _action(second, "offer"), {"bed_space": bed.bed_space.pk, "version": second.version}
    )
    _assert_form_error(response, "Choose one of the matching bed spaces.")
    assert Placement.objects.filter(bed_space=bed.bed_space).count() == 1


def test_a_conflicting_accept_is_409(client, offered, caseworker_a, am_b):
    stale = offered.version
    services.placement_decline(
        by=am_b, placement=offered, expected_version=stale, reason="no_capacity", notes=""
    )
    client.force_login(caseworker_a)
    response = client.post(_action(offered, "accept"), {"version": stale})
    _assert_form_error(response, "Someone else changed this record", status=409)


def test_a_decline_needs_a_reason(client, offered, caseworker_a):
    client.force_login(caseworker_a)
    response = client.post(_action(offered, "decline"), {"version": offered.version})
    _assert_form_error(response, "Why declined")
    offered.refresh_from_db()
    assert offered.state == PlacementState.OFFERED


def test_a_decline_by_the_survivor(client, offered, caseworker_a):
    client.force_login(caseworker_a)
    response = client.post(
        _action(offered, "decline"),
        {"version": offered.version, "reason": "too_far_from_perpetrator", "notes": "Too far"},
    )
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.state == PlacementState.DECLINED
    assert offered.decline_reason == "too_far_from_perpetrator"


def test_an_expired_offer_cannot_be_accepted(client, offered, caseworker_a, frozen_clock):
    frozen_clock.move_to(datetime.datetime(2026, 3, 5, 12, tzinfo=datetime.UTC))
    client.force_login(caseworker_a)
    response = client.post(_action(offered, "accept"), {"version": offered.version})
    _assert_form_error(response, "This offer has expired.")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"children_ages": "four"}, "Enter ages in years under 18"),
        ({"children_ages": "²"}, "Enter ages in years under 18"),
        ({"children_ages": "4", "boys_ages": "¹"}, "Enter ages in years under 18"),
        ({"children_ages": "4", "boys_ages": "4, 9"}, "List every boy"),
        ({"gender": "robot"}, "Select a valid choice."),
        ({"provider": "99999"}, "Select a valid choice."),
        ({"known_as": ""}, "This field is required."),
    ],
)
def test_a_bad_placement_request(values, message, client, case_a, caseworker_a, org_b, refuge_b):
    client.force_login(caseworker_a)
    data = {"provider": org_b.pk, "known_as": "Amina", "gender": "female", **values}
    response = client.post(reverse("accommodation:placement_request", args=[case_a.pk]), data)
    _assert_form_error(response, message)
    assert not Placement.objects.exists()


def test_a_provider_must_have_active_properties(client, case_a, caseworker_a, org_c):
    client.force_login(caseworker_a)
    data = {"provider": org_c.pk, "known_as": "Amina", "gender": "female"}
    response = client.post(reverse("accommodation:placement_request", args=[case_a.pk]), data)
    _assert_form_error(response, "Select a valid choice.")


def test_a_bed_space_out_of_use_needs_a_reason(client, refuge_b, am_b):
    bed = bed_of(refuge_b)
    client.force_login(am_b)
    url = reverse("accommodation:bed_space", args=[bed.pk])
    _assert_form_error(
        client.post(url, {"version": bed.version, "out_of_use": "yes"}),
        "Say why the bed space is out of use.",
    )
    response = client.post(
        url,
        {"version": bed.version, "out_of_use": "yes", "reason": "Repair", "until": "2026-03-20"},
    )
    assert response.status_code == 302
    bed.refresh_from_db()
    assert bed.out_of_use and bed.out_of_use_until == datetime.date(2026, 3, 20)
    board = client.get(reverse("accommodation:board"))
    assert "Repair" in board.content.decode()
    response = client.post(url, {"version": bed.version, "out_of_use": "no", "reason": "x"})
    assert response.status_code == 302
    bed.refresh_from_db()
    assert not bed.out_of_use and bed.out_of_use_reason == ""


def test_a_held_bed_cannot_go_out_of_use(client, offered, am_b):
    bed = offered.bed_space
    client.force_login(am_b)
    response = client.post(
        reverse("accommodation:bed_space", args=[bed.pk]),
        {"version": bed.version, "out_of_use": "yes", "reason": "Repair"},
    )
    _assert_form_error(response, "Someone holds this bed space")


def test_a_stale_bed_space_form_is_409(client, refuge_b, am_b):
    bed = bed_of(refuge_b)
    client.force_login(am_b)
    response = client.post(
        reverse("accommodation:bed_space", args=[bed.pk]),
        {"version": bed.version + 5, "out_of_use": "yes", "reason": "Repair"},
    )
    _assert_form_error(response, "Someone else changed this record", status=409)
