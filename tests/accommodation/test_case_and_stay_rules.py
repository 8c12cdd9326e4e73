"""Rules that tie a placement to its case and to the person's other stays."""

import datetime

import pytest
from django.utils import timezone

from accommodation import services
from accommodation.models import BedSpace, PlacementState, Unit
from carepath.pathway import PathwayError
from carepath.policy import PolicyDenied
from casework.models import CaseState
from casework.services import cases as case_services


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def home(org_a, make_property, make_unit):
    return make_unit(make_property(org_a), beds=2)


def test_closing_a_case_withdraws_its_requests_and_offers(
    frozen, home, make_case, request_place, offer, org_a, caseworker_a, consent_support
):
    case = make_case()
    waiting = request_place(case, org_a)
    offered = offer(request_place(case, org_a), home.bed_spaces.first())
    consent_support(case)
    case_services.case_start_support(by=caseworker_a, case=case, expected_version=case.version)
    case_services.case_close(
        by=caseworker_a,
        case=case,
        expected_version=case.version,
        closure_reason="disengaged",
        outcomes=[],
        none_achieved=True,
        closed_on=timezone.localdate(),
    )
    assert reload(waiting).state == reload(offered).state == PlacementState.WITHDRAWN
    assert reload(case).state == CaseState.CLOSED


def test_a_case_cannot_close_while_the_person_has_a_place(
    frozen, home, make_case, request_place, offer, accept, org_a, caseworker_a, consent_support
):
    case = make_case()
    accept(offer(request_place(case, org_a), home.bed_spaces.first()))
    consent_support(case)
    case_services.case_start_support(by=caseworker_a, case=case, expected_version=case.version)
    with pytest.raises(PathwayError, match="move-out"):
        case_services.case_close(
            by=caseworker_a,
            case=case,
            expected_version=case.version,
            closure_reason="moved_on",
            outcomes=["feels_safe"],
            closed_on=timezone.localdate(),
        )
    assert reload(case).state == CaseState.SUPPORTED


def test_no_one_lives_in_two_places_at_once(
    frozen, home, make_case, request_place, offer, accept, move_in, org_a
):
    case = make_case()
    first_bed, second_bed = home.bed_spaces.order_by("pk")
    move_in(accept(offer(request_place(case, org_a), first_bed)))
    second = offer(request_place(case, org_a), second_bed)
    second = accept(second)
    with pytest.raises(PathwayError, match="another place"):
        move_in(second)


def test_a_move_in_before_the_referral_is_refused(
    frozen, home, make_case, request_place, offer, accept, move_in, org_a
):
    placement = accept(offer(request_place(make_case(), org_a), home.bed_spaces.first()))
    with pytest.raises(PathwayError, match="referred"):
        move_in(placement, on=datetime.date(2001, 1, 1))


def test_the_provider_cannot_accept_on_the_persons_behalf(
    frozen, home, make_case, request_place, offer, org_a, accommodation_manager_a
):
    placement = offer(request_place(make_case(), org_a), home.bed_spaces.first())
    with pytest.raises(PolicyDenied):
        services.placement_accept(
            by=accommodation_manager_a, placement=placement, expected_version=placement.version
        )


def test_a_boys_age_limit_is_a_childs_age(org_a, make_property, accommodation_manager_a):
    unit = Unit(property=make_property(org_a), name="Family", boys_age_limit=40000)
    with pytest.raises(PathwayError, match="under 18"):
        services.unit_save(by=accommodation_manager_a, unit=unit, bed_spaces=1)


def test_a_removed_bed_space_cannot_be_brought_back_directly(
    frozen, home, make_case, request_place, offer, org_a, accommodation_manager_a
):
    removed = home.bed_spaces.order_by("pk").last()
    placement = offer(request_place(make_case(), org_a), removed)
    services.placement_withdraw(
        by=placement.case.caseworker,
        placement=placement,
        expected_version=placement.version,
        notes="Changed plan",
    )
    services.unit_save(by=accommodation_manager_a, unit=home, bed_spaces=1)
    bed = BedSpace.all_objects.get(pk=removed.pk)
    with pytest.raises(PathwayError):
        services.bed_space_set_out_of_use(
            by=accommodation_manager_a, bed=bed, expected_version=bed.version, out_of_use=False
        )
