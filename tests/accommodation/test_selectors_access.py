"""Who sees which property, placement and address."""

import datetime

import pytest
from django.http import Http404

from accommodation import selectors
from carepath.audit.models import AccessLogEntry
from carepath.people.models import Role
from casework.selectors.cases import case_for


@pytest.fixture
def prop_a(org_a, make_property, make_unit):
    prop = make_property(org_a, name="Rowan", address="12 Hidden Lane", postcode="CF10 1AA")
    make_unit(prop, beds=2)
    return prop


@pytest.fixture
def case(make_case):
    return make_case()  # allocated to caseworker_a


@pytest.fixture
def placement(case, org_a, request_place):
    return request_place(case, org_a)


@pytest.fixture
def bed(prop_a):
    return prop_a.units.get().bed_spaces.order_by("label").first()


def test_the_accommodation_manager_sees_and_logs_their_property(prop_a, accommodation_manager_a):
    assert list(selectors.properties_managed_by(accommodation_manager_a)) == [prop_a]

    got = selectors.property_for(accommodation_manager_a, pk=prop_a.pk, path="/p/1/")

    assert got == prop_a
    entry = AccessLogEntry.objects.get(object_id=prop_a.pk, actor=accommodation_manager_a)
    assert (entry.basis, entry.path, entry.organisation_id) == (
        "accommodation staff",
        "/p/1/",
        prop_a.organisation_id,
    )
    assert selectors.address_visible(accommodation_manager_a, prop_a)


def test_an_accommodation_manager_of_another_organisation_gets_a_404(
    prop_a, placement, bed, accommodation_manager_b
):
    assert list(selectors.properties_managed_by(accommodation_manager_b)) == []
    assert list(selectors.placements_visible_to(accommodation_manager_b)) == []
    with pytest.raises(Http404):
        selectors.property_for(accommodation_manager_b, pk=prop_a.pk)
    with pytest.raises(Http404):
        selectors.placement_for(accommodation_manager_b, pk=placement.pk)
    with pytest.raises(Http404):
        selectors.bed_space_for(accommodation_manager_b, pk=bed.pk)
    assert not selectors.address_visible(accommodation_manager_b, prop_a)
    assert not AccessLogEntry.objects.filter(actor=accommodation_manager_b).exists()


def test_caseworkers_and_service_managers_do_not_manage_properties(
    prop_a, bed, caseworker_a, manager_a
):
    for user in (caseworker_a, manager_a):
        assert list(selectors.properties_managed_by(user)) == []
        with pytest.raises(Http404):
            selectors.property_for(user, pk=prop_a.pk)
        with pytest.raises(Http404):
            selectors.bed_space_for(user, pk=bed.pk)


def test_the_provider_sees_the_request_and_the_caseworker_their_cases_request(
    placement, accommodation_manager_a, caseworker_a, caseworker_b
):
    assert list(selectors.placements_visible_to(accommodation_manager_a)) == [placement]
    assert list(selectors.placements_visible_to(caseworker_a)) == [placement]
    assert list(selectors.placements_visible_to(caseworker_b)) == []
    assert selectors.placement_for(caseworker_a, pk=placement.pk, path="/x/") == placement
    assert AccessLogEntry.objects.filter(actor=caseworker_a, object_id=placement.pk).exists()
    with pytest.raises(Http404):
        selectors.placement_for(caseworker_b, pk=placement.pk)


def test_the_accommodation_manager_gets_a_404_on_the_residents_case(
    placement, accommodation_manager_a
):
    with pytest.raises(Http404):
        case_for(accommodation_manager_a, pk=placement.case_id)


def test_a_caseworker_sees_the_address_only_while_their_client_has_a_place_there(
    prop_a,
    bed,
    placement,
    offer,
    accept,
    move_in,
    caseworker_a,
    caseworker_b,
    manager_a,
    make_user,
    org_a,
    frozen,
    accommodation_manager_a,
):
    assert not selectors.address_visible(caseworker_a, prop_a)  # only requested

    offer(placement, bed)
    assert not selectors.address_visible(caseworker_a, prop_a)  # offered, not yet accepted

    accept(placement)
    assert selectors.address_visible(caseworker_a, prop_a)
    assert not selectors.address_visible(caseworker_b, prop_a)  # not their client
    assert not selectors.address_visible(manager_a, prop_a)  # a service manager never
    other_org_caseworker = make_user(org_a, Role.CASEWORKER, username="worker.c")
    assert not selectors.address_visible(other_org_caseworker, prop_a)

    move_in(placement, on=datetime.date(2026, 3, 9))
    assert selectors.address_visible(caseworker_a, prop_a)

    from accommodation import services

    services.placement_move_out(
        by=accommodation_manager_a,
        placement=placement,
        expected_version=placement.version,
        on=datetime.date(2026, 3, 10),
        reason="Moved on",
        destination="Own tenancy",
    )
    assert not selectors.address_visible(caseworker_a, prop_a)


def test_the_vacancy_board_never_carries_an_address(prop_a, caseworker_a):
    rows = selectors.vacancy_board(caseworker_a)

    assert len(rows) == 1
    assert set(rows[0]["property"]) == {
        "pk",
        "name",
        "kind",
        "kind_label",
        "region",
        "local_authority",
        "specialism",
        "specialism_label",
        "organisation",
    }
    assert "Hidden Lane" not in repr(rows)
    assert "CF10" not in repr(rows)
