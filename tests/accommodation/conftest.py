import datetime

import pytest

from accommodation import services
from accommodation.models import BedSpace, Placement, Property, Unit
from carepath.people.models import Role
from casework.services.cases import case_accept
from tests.factories import CaseFactory, TeamFactory

# Every test that needs "today" runs on this day (Europe/London), so dates are literals.
TODAY = datetime.date(2026, 3, 10)
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def accommodation_manager_a(make_user, org_a):
    return make_user(org_a, Role.ACCOMMODATION_MANAGER, username="housing.a")


@pytest.fixture
def accommodation_manager_b(make_user, org_b):
    return make_user(org_b, Role.ACCOMMODATION_MANAGER, username="housing.b")


@pytest.fixture
def make_property():
    def make(organisation, **values) -> Property:
        values = {
            "name": "Rowan House",
            "kind": "refuge",
            "address": "1 Secret Street, Cardiff",
            "postcode": "CF10 1AA",
            "local_authority": "Cardiff",
            "region": "Wales",
            **values,
        }
        return Property.objects.create(organisation=organisation, **values)

    return make


@pytest.fixture
def make_unit():
    def make(prop: Property, *, beds: int = 1, name: str = "Flat 1", **flags) -> Unit:
        unit = Unit.objects.create(property=prop, name=name, **flags)
        for number in range(1, beds + 1):
            BedSpace.objects.create(unit=unit, label=f"Bed {number}")
        return unit

    return make


@pytest.fixture
def make_case(manager_a, caseworker_a, team_a):
    """An open case, accepted and allocated to a caseworker (caseworker_a unless told)."""

    def make(*, caseworker=None, team=None, by=None, **values):
        team = team or team_a
        by = by or manager_a
        case = CaseFactory(team=team, by=by, **values)
        return case_accept(
            by=by,
            case=case,
            caseworker=caseworker or caseworker_a,
            expected_version=case.version,
        )

    return make


@pytest.fixture
def request_place(caseworker_a):
    """A placement request from a case to a provider, made by the case's caseworker."""

    def make(case, provider, *, by=None, **values) -> Placement:
        values.setdefault("known_as", "Sam")
        values.setdefault("gender", "female")
        return services.placement_request(
            by=by or case.caseworker or caseworker_a, case=case, provider=provider, values=values
        )

    return make


@pytest.fixture
def offer(accommodation_manager_a):
    def make(placement, bed, *, by=None) -> Placement:
        return services.placement_offer(
            by=by or accommodation_manager_a,
            placement=placement,
            bed_space=bed,
            expected_version=placement.version,
        )

    return make


@pytest.fixture
def accept():
    def make(placement, *, by=None) -> Placement:
        return services.placement_accept(
            by=by or placement.case.caseworker,
            placement=placement,
            expected_version=placement.version,
        )

    return make


@pytest.fixture
def move_in(accommodation_manager_a):
    def make(placement, *, on=TODAY, by=None, planned_move_out_on=None) -> Placement:
        return services.placement_move_in(
            by=by or accommodation_manager_a,
            placement=placement,
            expected_version=placement.version,
            on=on,
            licence_signed=True,
            key_worker="Jo",
            planned_move_out_on=planned_move_out_on,
        )

    return make


@pytest.fixture
def team_of_b(org_b):
    return TeamFactory(organisation=org_b, name="Team of B")


@pytest.fixture
def make_placement(make_case, org_a, caseworker_a):
    """A placement row in any state, for seeding figures (the services are tested elsewhere)."""

    def make(*, case=None, state, bed=None, provider=None, **values) -> Placement:
        values.setdefault("known_as", "Sam")
        values.setdefault("gender", "female")
        return Placement.objects.create(
            case=case or make_case(),
            provider=provider or org_a,
            requested_by=caseworker_a,
            state=state,
            bed_space=bed,
            **values,
        )

    return make


@pytest.fixture
def consent_support():
    from casework.models import ConsentRecord

    def give(case):
        ConsentRecord.objects.create(
            case=case,
            scope="support",
            given_on=case.referral_date,
            method="verbal",
            recorded_by=case.caseworker,
        )

    return give
