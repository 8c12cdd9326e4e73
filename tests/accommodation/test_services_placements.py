"""The placement pathway: each transition allowed and refused, and the bad input it rejects."""

import datetime

import pytest

from accommodation import services
from accommodation.models import BedSpace, Placement, PlacementState
from carepath.audit.models import TimelineEvent
from carepath.pathway import PathwayError
from carepath.policy import PolicyDenied
from tests.accommodation.conftest import NOW, TODAY


@pytest.fixture
def bed(org_a, make_property, make_unit):
    return make_unit(make_property(org_a), beds=1).bed_spaces.get()


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def requested(case, org_a, request_place):
    return request_place(case, org_a)


@pytest.fixture
def offered(requested, bed, offer, frozen):
    return offer(requested, bed)


@pytest.fixture
def accepted(offered, accept):
    return accept(offered)


@pytest.fixture
def moved_in(accepted, move_in):
    return move_in(accepted, on=datetime.date(2026, 3, 1))


def reload(placement):
    return Placement.objects.get(pk=placement.pk)


# --- Request and offer ---------------------------------------------------------------------------


def test_a_caseworker_requests_a_place_with_the_placement_facts(case, org_a, request_place):
    placement = request_place(case, org_a, known_as="", gender="", languages="Arabic")

    assert placement.state == PlacementState.REQUESTED
    assert placement.known_as == case.given_name
    assert placement.gender == case.gender


def test_a_caseworker_of_another_team_cannot_request_a_place(
    case, org_a, request_place, caseworker_b
):
    with pytest.raises(PolicyDenied):
        request_place(case, org_a, by=caseworker_b)


def test_the_accommodation_manager_offers_a_bed_that_expires_in_48_hours(offered, bed):
    offered = reload(offered)

    assert offered.state == PlacementState.OFFERED
    assert offered.bed_space == bed
    assert offered.offered_at == NOW
    assert offered.offer_expires_at == NOW + datetime.timedelta(hours=48)


def test_a_caseworker_cannot_offer_a_bed(requested, bed, offer, caseworker_a):
    with pytest.raises(PolicyDenied):
        offer(requested, bed, by=caseworker_a)
    assert reload(requested).state == PlacementState.REQUESTED


def test_an_accommodation_manager_of_another_organisation_cannot_offer(
    requested, bed, offer, accommodation_manager_b
):
    with pytest.raises(PolicyDenied):
        offer(requested, bed, by=accommodation_manager_b)


def test_only_a_requested_placement_can_be_offered(
    accepted, org_a, make_property, make_unit, offer
):
    other_bed = make_unit(make_property(org_a, name="Other")).bed_spaces.get()

    with pytest.raises(PathwayError, match="while the record is “Accepted”"):
        offer(accepted, other_bed)


def test_an_out_of_use_bed_or_a_bed_of_another_organisation_cannot_be_offered(
    requested, bed, offer, accommodation_manager_a, org_b, make_property, make_unit
):
    theirs = make_unit(make_property(org_b, name="Theirs")).bed_spaces.get()
    with pytest.raises(PathwayError, match="your own organisation"):
        offer(requested, theirs)

    services.bed_space_set_out_of_use(
        by=accommodation_manager_a,
        bed=bed,
        expected_version=bed.version,
        out_of_use=True,
        reason="Broken boiler",
    )
    with pytest.raises(PathwayError, match="out of use"):
        offer(requested, bed)


def test_a_bed_of_a_property_not_taking_placements_cannot_be_offered(requested, bed, offer):
    prop = bed.unit.property
    prop.active = False
    prop.save()

    with pytest.raises(PathwayError, match="not taking placements"):
        offer(requested, bed)


# --- Accept, decline, withdraw ---------------------------------------------------------------


def test_the_caseworker_records_the_acceptance(accepted):
    assert reload(accepted).state == PlacementState.ACCEPTED


def test_a_request_not_yet_offered_cannot_be_accepted(requested, accept):
    with pytest.raises(PathwayError):
        accept(requested)


def test_an_accommodation_manager_of_another_organisation_cannot_accept(
    offered, accept, accommodation_manager_b
):
    with pytest.raises(PolicyDenied):
        accept(offered, by=accommodation_manager_b)


def test_accepting_withdraws_the_cases_other_open_requests(
    case, make_case, org_a, org_b, request_place, offer, accept, make_property, make_unit, frozen
):
    prop = make_property(org_a)
    first_bed, second_bed = make_unit(prop, beds=2).bed_spaces.order_by("label")
    taken = offer(request_place(case, org_a), first_bed)
    other_offer = offer(request_place(case, org_a), second_bed)
    elsewhere = request_place(case, org_b)
    someone_else = request_place(make_case(), org_b)

    accept(taken)

    assert reload(other_offer).state == PlacementState.WITHDRAWN
    assert reload(other_offer).outcome_notes == "Another offer was accepted"
    assert reload(elsewhere).state == PlacementState.WITHDRAWN
    assert reload(someone_else).state == PlacementState.REQUESTED
    assert TimelineEvent.objects.filter(
        kind="placement.withdrawn", subject_id=case.pk, detail__placement=elsewhere.pk
    ).exists()
    # The withdrawn offer's bed is free again.
    assert not Placement.objects.filter(
        bed_space=second_bed, state__in=services.HOLDING_STATES
    ).exists()


def test_decline_needs_a_known_reason_and_an_open_request(requested, caseworker_a, accepted_other):
    with pytest.raises(PathwayError, match="Choose the reason"):
        services.placement_decline(
            by=caseworker_a, placement=requested, expected_version=requested.version, reason=""
        )
    with pytest.raises(PathwayError, match="Choose the reason"):
        services.placement_decline(
            by=caseworker_a, placement=requested, expected_version=requested.version, reason="bored"
        )

    declined = services.placement_decline(
        by=caseworker_a,
        placement=requested,
        expected_version=requested.version,
        reason="too_close_to_perpetrator",
        notes="Her brother lives two streets away",
    )
    assert reload(declined).state == PlacementState.DECLINED
    assert reload(declined).decline_reason == "too_close_to_perpetrator"

    with pytest.raises(PathwayError, match="while the record is “Accepted”"):
        services.placement_decline(
            by=caseworker_a,
            placement=accepted_other,
            expected_version=accepted_other.version,
            reason="no_capacity",
        )


@pytest.fixture
def accepted_other(
    make_case, org_a, request_place, offer, accept, make_property, make_unit, frozen
):
    bed = make_unit(make_property(org_a, name="Other")).bed_spaces.get()
    return accept(offer(request_place(make_case(), org_a), bed))


def test_the_provider_may_decline_for_lack_of_capacity(requested, accommodation_manager_a):
    services.placement_decline(
        by=accommodation_manager_a,
        placement=requested,
        expected_version=requested.version,
        reason="no_capacity",
    )
    assert reload(requested).decline_reason == "no_capacity"


def test_withdraw_an_accepted_place_but_not_a_stay(accepted, caseworker_a, move_in):
    placement = services.placement_withdraw(
        by=caseworker_a, placement=accepted, expected_version=accepted.version, notes="Moved away"
    )
    assert reload(placement).state == PlacementState.WITHDRAWN


def test_a_stay_cannot_be_withdrawn(moved_in, caseworker_a):
    with pytest.raises(PathwayError, match="while the record is “Moved in”"):
        services.placement_withdraw(
            by=caseworker_a, placement=moved_in, expected_version=moved_in.version, notes="x"
        )


def test_a_manager_of_another_organisation_cannot_withdraw(requested, accommodation_manager_b):
    with pytest.raises(PolicyDenied):
        services.placement_withdraw(
            by=accommodation_manager_b,
            placement=requested,
            expected_version=requested.version,
            notes="x",
        )


# --- Offer expiry ------------------------------------------------------------------------------


def test_an_unanswered_offer_expires_and_frees_the_bed(
    offered, bed, frozen, accept, make_case, org_a, request_place, offer
):
    frozen.move_to(NOW + datetime.timedelta(hours=47, minutes=59))
    assert services.placements_expire_offers() == 0

    frozen.move_to(NOW + datetime.timedelta(hours=48, minutes=1))
    with pytest.raises(PathwayError, match="This offer has expired"):
        accept(reload(offered))
    assert services.placements_expire_offers() == 1

    assert reload(offered).state == PlacementState.OFFER_EXPIRED
    newcomer = offer(request_place(make_case(), org_a), bed)
    assert reload(newcomer).bed_space == bed


# --- Move in and move out ----------------------------------------------------------------------


def test_the_accommodation_manager_records_the_move_in(moved_in):
    moved_in = reload(moved_in)
    assert moved_in.state == PlacementState.MOVED_IN
    assert moved_in.moved_in_on == datetime.date(2026, 3, 1)
    assert moved_in.licence_signed is True
    assert moved_in.key_worker == "Jo"


def test_a_caseworker_cannot_record_a_move_in(accepted, move_in, caseworker_a):
    with pytest.raises(PolicyDenied):
        move_in(accepted, by=caseworker_a)
    assert reload(accepted).state == PlacementState.ACCEPTED


def test_a_move_in_needs_an_accepted_offer(offered, move_in):
    with pytest.raises(PathwayError, match="while the record is “Offered”"):
        move_in(offered)


def test_a_move_in_cannot_be_in_the_future(accepted, move_in):
    with pytest.raises(PathwayError, match="The move-in date cannot be in the future"):
        move_in(accepted, on=TODAY + datetime.timedelta(days=1))


def test_a_planned_move_out_cannot_be_before_the_move_in(accepted, move_in):
    with pytest.raises(PathwayError, match="planned move-out cannot be before the move-in"):
        move_in(accepted, on=TODAY, planned_move_out_on=TODAY - datetime.timedelta(days=1))


def test_a_move_in_cannot_be_before_the_last_resident_moved_out(
    moved_in,
    bed,
    accommodation_manager_a,
    make_case,
    org_a,
    request_place,
    offer,
    accept,
    move_in,
):
    services.placement_move_out(
        by=accommodation_manager_a,
        placement=moved_in,
        expected_version=moved_in.version,
        on=datetime.date(2026, 3, 5),
        reason="Moved on",
        destination="Council tenancy",
    )
    newcomer = accept(offer(request_place(make_case(), org_a), bed))

    with pytest.raises(PathwayError, match="the last resident moved out on 05/03/2026"):
        move_in(newcomer, on=datetime.date(2026, 3, 4))
    assert move_in(newcomer, on=datetime.date(2026, 3, 5)).state == PlacementState.MOVED_IN


def test_the_move_out_records_the_date_reason_and_destination(moved_in, accommodation_manager_a):
    services.placement_move_out(
        by=accommodation_manager_a,
        placement=moved_in,
        expected_version=moved_in.version,
        on=TODAY,
        reason="Moved on",
        destination="Council tenancy",
    )
    moved_out = reload(moved_in)
    assert moved_out.state == PlacementState.MOVED_OUT
    assert (moved_out.moved_out_on, moved_out.move_out_reason, moved_out.move_on_destination) == (
        TODAY,
        "Moved on",
        "Council tenancy",
    )


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (datetime.date(2026, 2, 28), "A move-out cannot be before the move-in"),
        (datetime.date(2026, 3, 11), "The move-out date cannot be in the future"),
    ],
)
def test_a_move_out_before_the_move_in_or_in_the_future_is_refused(
    moved_in, accommodation_manager_a, on, message
):
    with pytest.raises(PathwayError, match=message):
        services.placement_move_out(
            by=accommodation_manager_a,
            placement=moved_in,
            expected_version=moved_in.version,
            on=on,
            reason="Moved on",
            destination="",
        )
    assert reload(moved_in).state == PlacementState.MOVED_IN


def test_a_move_out_needs_a_stay_and_the_provider(accepted, moved_in_other, caseworker_a):
    with pytest.raises(PathwayError, match="while the record is “Accepted”"):
        services.placement_move_out(
            by=moved_in_other[1],
            placement=accepted,
            expected_version=accepted.version,
            on=TODAY,
            reason="Moved on",
            destination="",
        )
    stay = moved_in_other[0]
    with pytest.raises(PolicyDenied):
        services.placement_move_out(
            by=caseworker_a,
            placement=stay,
            expected_version=stay.version,
            on=TODAY,
            reason="Moved on",
            destination="",
        )


@pytest.fixture
def moved_in_other(accepted_other, move_in, accommodation_manager_a):
    return move_in(accepted_other, on=datetime.date(2026, 3, 2)), accommodation_manager_a


# --- Units and bed spaces ------------------------------------------------------------------------


def test_a_unit_cannot_shrink_below_its_held_bed_spaces(
    org_a,
    make_property,
    make_unit,
    make_case,
    request_place,
    offer,
    accommodation_manager_a,
    frozen,
):
    unit = make_unit(make_property(org_a), beds=3)
    first, second, _third = unit.bed_spaces.order_by("label")
    offer(request_place(make_case(), org_a), first)
    offer(request_place(make_case(), org_a), second)

    with pytest.raises(PathwayError, match="2 bed spaces are occupied or offered"):
        services.unit_save(by=accommodation_manager_a, unit=unit, bed_spaces=1)
    assert unit.bed_spaces.count() == 3

    services.unit_save(by=accommodation_manager_a, unit=unit, bed_spaces=2)
    assert set(unit.bed_spaces.all()) == {first, second}


def test_a_unit_grows_back_after_a_bed_with_history_was_removed(
    org_a,
    make_property,
    make_unit,
    make_case,
    request_place,
    offer,
    accommodation_manager_a,
    frozen,
):
    unit = make_unit(make_property(org_a), beds=2)
    first, second = unit.bed_spaces.order_by("label")
    # The second bed once had an offer, so it is kept (marked removed) when the unit shrinks.
    expired = offer(request_place(make_case(), org_a), second)
    frozen.move_to(NOW + datetime.timedelta(days=3))
    services.placements_expire_offers()
    assert reload(expired).state == PlacementState.OFFER_EXPIRED

    services.unit_save(by=accommodation_manager_a, unit=unit, bed_spaces=1)
    assert BedSpace.all_objects.get(pk=second.pk).removed_on is not None
    assert list(unit.bed_spaces.all()) == [first]  # gone from every everyday list and count

    services.unit_save(by=accommodation_manager_a, unit=unit, bed_spaces=3)
    usable = unit.bed_spaces.filter(out_of_use=False).order_by("label")
    assert [b.label for b in usable] == ["Bed 1", "Bed 2", "Bed 3"]
    assert unit.bed_spaces.count() == 3


def test_a_unit_cannot_be_women_only_and_men_only(org_a, make_property, accommodation_manager_a):
    from accommodation.models import Unit

    unit = Unit(property=make_property(org_a), name="Flat", women_only=True, men_only=True)
    with pytest.raises(PathwayError, match="both women only and men only"):
        services.unit_save(by=accommodation_manager_a, unit=unit, bed_spaces=1)


def test_a_held_bed_cannot_go_out_of_use(offered, bed, accommodation_manager_a):
    bed = BedSpace.objects.get(pk=bed.pk)
    with pytest.raises(PathwayError, match="Someone holds this bed space"):
        services.bed_space_set_out_of_use(
            by=accommodation_manager_a,
            bed=bed,
            expected_version=bed.version,
            out_of_use=True,
            reason="Repairs",
        )
    assert not BedSpace.objects.get(pk=bed.pk).out_of_use


def test_a_bed_out_of_use_needs_a_reason_and_the_right_manager(
    bed, accommodation_manager_a, accommodation_manager_b
):
    with pytest.raises(PathwayError, match="Say why"):
        services.bed_space_set_out_of_use(
            by=accommodation_manager_a, bed=bed, expected_version=bed.version, out_of_use=True
        )
    with pytest.raises(PolicyDenied):
        services.bed_space_set_out_of_use(
            by=accommodation_manager_b,
            bed=bed,
            expected_version=bed.version,
            out_of_use=True,
            reason="Void",
        )


def test_an_offer_inside_the_exclusion_areas_or_in_an_unsuitable_unit_is_refused(
    case, org_a, request_place, offer, make_property, make_unit
):
    cardiff = make_unit(make_property(org_a, name="Ash", postcode="CF10 1AA")).bed_spaces.get()
    women = make_unit(
        make_property(org_a, name="Birch", postcode="NP20 1AA", local_authority="Newport"),
        women_only=True,
    ).bed_spaces.get()
    placement = request_place(case, org_a, gender="male", exclusion_areas="CF10")

    with pytest.raises(PathwayError, match=r"In an exclusion area: CF10 \(postcode district"):
        offer(placement, cardiff)
    with pytest.raises(PathwayError, match="Flat 1 is women only"):
        offer(placement, women)
    assert reload(placement).state == PlacementState.REQUESTED
