"""Who reaches which accommodation page: everyone else gets a 404 and changes nothing. An
accommodation manager never reaches the case file, and a property's address shows only to
accommodation staff and to the caseworker of a resident. The URLs are read from
``accommodation.urls`` so a new page must be added here."""

import pytest
from django.urls import reverse

from accommodation import urls as accommodation_urls
from accommodation.models import Placement, PlacementState
from carepath.audit.models import AccessLogEntry
from carepath.people.models import Role
from tests.accommodation_views.conftest import NOTE_TEXT, bed_of

ADDRESS = "12 Confidential Street"


@pytest.fixture
def outsiders(make_user, org_b):
    """People of the provider's organisation with no accommodation or case role."""
    return [
        make_user(org_b, Role.MARAC_CHAIR, username="chair.b"),
        make_user(org_b, Role.MARAC_PARTNER, username="partner.b"),
        make_user(org_b, Role.ADMINISTRATOR, username="admin.b"),
    ]


@pytest.fixture
def world(
    moved_in,
    refuge_b,
    case_a,
    am_b,
    am_c,
    caseworker_a,
    caseworker_b,
    teammate_a,
    manager_a,
    manager_b,
    outsiders,
    refuge_c,
):
    unit = refuge_b.units.first()
    return {
        "placement": moved_in,
        "refuge": refuge_b,
        "unit": unit,
        "bed": bed_of(refuge_b, 1),
        "case": case_a,
    }


def _kwargs(name: str, world: dict, action: str = "accept") -> dict:
    return {
        "board": {},
        "vacancies": {},
        "properties": {},
        "property_new": {},
        "property": {"pk": world["refuge"].pk},
        "property_edit": {"pk": world["refuge"].pk},
        "unit_new": {"pk": world["refuge"].pk},
        "unit_edit": {"pk": world["refuge"].pk, "unit_pk": world["unit"].pk},
        "bed_space": {"pk": world["bed"].pk},
        "placement_request": {"case_pk": world["case"].pk},
        "placement": {"pk": world["placement"].pk},
        "placement_action": {"pk": world["placement"].pk, "name": action},
    }[name]


AM_PAGES = (
    "board",
    "properties",
    "property_new",
    "property",
    "property_edit",
    "unit_new",
    "unit_edit",
    "bed_space",
)
# Who must get a 404, by page, besides the MARAC and administrator roles (always refused).
REFUSED = {
    **dict.fromkeys(AM_PAGES, ("caseworker_a", "manager_a", "teammate_a")),
    "vacancies": ("am_b",),
    "placement_request": ("am_b", "am_c", "caseworker_b", "manager_b"),
    "placement": ("am_c", "caseworker_b", "manager_b"),
    "placement_action": ("am_c", "caseworker_b", "manager_b"),
}
# Pages of one organisation's property: another organisation's manager is refused too.
for name in ("property", "property_edit", "unit_new", "unit_edit", "bed_space"):
    REFUSED[name] = (*REFUSED[name], "am_c")
ALLOWED = {
    **dict.fromkeys(AM_PAGES, "am_b"),
    "vacancies": "caseworker_a",
    "placement_request": "caseworker_a",
    "placement": "am_b",
    "placement_action": "caseworker_a",
}


def test_every_page_is_listed():
    names = {p.name for p in accommodation_urls.urlpatterns}
    assert names == set(REFUSED) == set(ALLOWED)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_only_the_right_people_reach_a_page(name, client, world, request, outsiders):
    url = reverse(f"accommodation:{name}", kwargs=_kwargs(name, world, action="withdraw"))
    client.force_login(request.getfixturevalue(ALLOWED[name]))
    assert client.get(url).status_code == 200

    before = Placement.objects.get(pk=world["placement"].pk).version
    for person in [request.getfixturevalue(u) for u in REFUSED[name]] + outsiders:
        client.force_login(person)
        assert client.get(url).status_code == 404, (name, person.username)
        assert client.post(url, {"version": before, "notes": "x"}).status_code == 404
    assert Placement.objects.get(pk=world["placement"].pk).version == before

    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("action", ["offer", "move_in", "move_out"])
def test_caseworkers_cannot_take_the_providers_steps(action, client, world, caseworker_a):
    client.force_login(caseworker_a)
    url = reverse("accommodation:placement_action", args=[world["placement"].pk, action])
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": world["placement"].version}).status_code == 404


def test_an_unknown_step_is_not_found(client, world, am_b):
    client.force_login(am_b)
    url = reverse("accommodation:placement_action", args=[world["placement"].pk, "expire"])
    assert client.get(url).status_code == 404


def test_the_provider_never_reaches_the_case_file(client, world, am_b):
    case = world["case"]
    client.force_login(am_b)
    for url in (
        reverse("casework:case", args=[case.pk]),
        reverse("casework:case_history", args=[case.pk]),
        reverse("casework:record_add", args=[case.pk, "note"]),
        reverse("casework:nrm_action", args=[case.pk, "submit"]),
        reverse("casework:case_edit", args=[case.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_placement_page_shows_the_provider_only_placement_facts(client, world, am_b):
    client.force_login(am_b)
    url = reverse("accommodation:placement", args=[world["placement"].pk])
    content = client.get(url).content.decode()
    assert "Amina" in content and "Moved in" in content
    for secret in (
        NOTE_TEXT,
        "Secretname",
        world["case"].reference,
        "National Referral",
        "NRM",
        reverse("casework:case", args=[world["case"].pk]),
    ):
        assert secret not in content, secret
    # Their own property's address is theirs to see.
    assert ADDRESS in content
    # The read is logged.
    assert AccessLogEntry.objects.filter(actor=am_b, path=url).exists()


def test_the_residents_caseworker_sees_the_address(client, world, caseworker_a):
    client.force_login(caseworker_a)
    page = client.get(reverse("accommodation:placement", args=[world["placement"].pk]))
    assert ADDRESS in page.content.decode()


def test_no_one_else_in_the_case_organisation_sees_the_address(
    client, world, teammate_a, manager_a, caseworker_b, case_b, request_for, org_b, am_b
):
    # Another caseworker's case, also offered a bed at the same refuge.
    other = request_for(case_b, caseworker_b, org_b)
    from accommodation import services

    services.placement_offer(
        by=am_b, placement=other, bed_space=world["bed"], expected_version=other.version
    )
    assert other.state == PlacementState.OFFERED
    pages = {
        teammate_a: [reverse("accommodation:placement", args=[world["placement"].pk])],
        manager_a: [
            reverse("accommodation:placement", args=[world["placement"].pk]),
            reverse("accommodation:placement", args=[other.pk]),
        ],
        caseworker_b: [reverse("accommodation:placement", args=[other.pk])],
    }
    for person, urls in pages.items():
        client.force_login(person)
        for url in [
            *urls,
            reverse("accommodation:vacancies"),
            reverse("accommodation:vacancies") + "?region=West+of+Scotland",
        ]:
            response = client.get(url)
            assert response.status_code == 200, (person.username, url)
            content = response.content.decode()
            assert ADDRESS not in content, (person.username, url)
            assert "G40 1AA" not in content, (person.username, url)
            assert "Rowan House" in content


def test_the_vacancy_board_lists_no_address_even_for_the_provider(client, world, am_b):
    client.force_login(am_b)
    content = client.get(reverse("accommodation:board")).content.decode()
    assert "Rowan House" in content and "Oak Lodge" in content
    assert ADDRESS not in content and "99 Other Org Road" not in content


def test_a_manager_lists_only_their_own_properties(client, world, am_b):
    client.force_login(am_b)
    content = client.get(reverse("accommodation:properties")).content.decode()
    assert "Rowan House" in content and "Oak Lodge" not in content
