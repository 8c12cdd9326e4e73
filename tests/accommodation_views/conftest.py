import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accommodation import services
from accommodation.models import Property, Unit
from carepath.people.models import Role
from casework.services import cases as case_services
from casework.services import records as record_services
from tests.factories import CaseFactory, OrganisationFactory

NOW = datetime.datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/London"))
NOTE_TEXT = "Disclosed the exploiter's name during the evening call"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def org_c(db):
    return OrganisationFactory(name="Organisation C", slug="org-c")


@pytest.fixture
def am_b(make_user, org_b):
    """The provider's accommodation manager: another organisation than the case's."""
    return make_user(org_b, Role.ACCOMMODATION_MANAGER, username="am.b")


@pytest.fixture
def am_c(make_user, org_c):
    return make_user(org_c, Role.ACCOMMODATION_MANAGER, username="am.c")


@pytest.fixture
def teammate_a(make_user, org_a, team_a):
    """In the case's team, but not its allocated caseworker."""
    return make_user(org_a, Role.CASEWORKER, username="teammate.a", teams=[team_a])


@pytest.fixture
def case_a(team_a, manager_a, caseworker_a):
    case = CaseFactory(
        team=team_a,
        by=manager_a,
        given_name="Amina",
        family_name="Secretname",
        main_language="Arabic",
        other_languages="French",
    )
    case = case_services.case_accept(
        by=manager_a, case=case, caseworker=caseworker_a, expected_version=case.version
    )
    record_services.case_record_add(
        by=caseworker_a, case=case, kind="note", values={"body": NOTE_TEXT}
    )
    return case


@pytest.fixture
def case_b(team_b, manager_a, caseworker_b):
    case = CaseFactory(team=team_b, by=manager_a, given_name="Bea")
    return case_services.case_accept(
        by=manager_a, case=case, caseworker=caseworker_b, expected_version=case.version
    )


@pytest.fixture
def make_property():
    def make(
        by,
        name,
        *,
        beds=2,
        local_authority="Glasgow City",
        postcode="G40 1AA",
        address=None,
        region="West of Scotland",
        **unit_flags,
    ):
        prop = services.property_save(
            by=by,
            prop=Property(
                name=name,
                kind="refuge",
                address=address or f"{name} address, 1 Hidden Lane",
                postcode=postcode,
                local_authority=local_authority,
                region=region,
            ),
        )
        services.unit_save(
            by=by,
            unit=Unit(property=prop, name="Main", women_only=True, **unit_flags),
            bed_spaces=beds,
        )
        return prop

    return make


@pytest.fixture
def refuge_b(am_b, make_property):
    return make_property(am_b, "Rowan House", address="12 Confidential Street")


@pytest.fixture
def refuge_c(am_c, make_property):
    return make_property(am_c, "Oak Lodge", address="99 Other Org Road")


@pytest.fixture
def request_for():
    def make(case, by, provider, **values):
        values = {"known_as": case.given_name, "gender": "female", **values}
        return services.placement_request(by=by, case=case, provider=provider, values=values)

    return make


def bed_of(prop, n=0):
    return prop.units.first().bed_spaces.order_by("pk")[n]


@pytest.fixture
def offered(request_for, case_a, caseworker_a, org_b, am_b, refuge_b):
    placement = request_for(case_a, caseworker_a, org_b)
    return services.placement_offer(
        by=am_b, placement=placement, bed_space=bed_of(refuge_b), expected_version=placement.version
    )


@pytest.fixture
def moved_in(offered, caseworker_a, am_b):
    placement = services.placement_accept(
        by=caseworker_a, placement=offered, expected_version=offered.version
    )
    return services.placement_move_in(
        by=am_b,
        placement=placement,
        expected_version=placement.version,
        on=datetime.date(2026, 2, 20),
        licence_signed=True,
        key_worker="Kim",
    )
