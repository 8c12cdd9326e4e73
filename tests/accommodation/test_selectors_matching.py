"""Matching: hard exclusions (shown with their reason) and the ranking of what is left."""

import pytest

from accommodation import services
from accommodation.selectors import matches_for


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def ask(case, org_a, request_place):
    def make(**values):
        return request_place(case, org_a, **values)

    return make


def names(matches):
    return [(m.property.name, m.unit.name, m.bed_space.label) for m in matches]


def matched_properties(matches):
    return {m.property.name for m in matches}


# --- Exclusion areas -------------------------------------------------------------------------


@pytest.fixture
def two_cities(org_a, make_property, make_unit):
    cardiff = make_property(org_a, name="Ash", postcode="CF10 1AA", local_authority="Cardiff")
    newport = make_property(org_a, name="Birch", postcode="NP20 2BB", local_authority="Newport")
    make_unit(cardiff)
    make_unit(newport)
    return cardiff, newport


def test_a_local_authority_in_the_exclusion_areas_excludes_the_property(two_cities, ask):
    placement = ask(exclusion_areas="Swansea\n  cardiff  \n")

    matches, excluded = matches_for(placement)

    assert matched_properties(matches) == {"Birch"}
    assert [(e.property.name, e.reason) for e in excluded] == [
        ("Ash", "In an exclusion area: cardiff (local authority).")
    ]


def test_a_postcode_district_in_the_exclusion_areas_excludes_the_property(two_cities, ask):
    placement = ask(exclusion_areas="cf10")

    matches, excluded = matches_for(placement)

    assert matched_properties(matches) == {"Birch"}
    assert [(e.property.name, e.reason) for e in excluded] == [
        ("Ash", "In an exclusion area: cf10 (postcode district CF10).")
    ]


def test_a_district_matches_whole_districts_only(org_a, make_property, make_unit, ask):
    for name, postcode in [("CF1", "CF1 1AA"), ("CF11", "CF11 9XY"), ("CF10 no space", "cf101aa")]:
        make_unit(make_property(org_a, name=name, postcode=postcode, local_authority="Cardiff"))
    placement = ask(exclusion_areas="CF10")

    matches, excluded = matches_for(placement)

    assert matched_properties(matches) == {"CF1", "CF11"}
    assert [e.property.name for e in excluded] == ["CF10 no space"]


def test_a_full_postcode_or_a_postcode_area_excludes_its_districts(two_cities, ask):
    assert [e.property.name for e in matches_for(ask(exclusion_areas="CF10 4ZZ"))[1]] == ["Ash"]
    assert [e.property.name for e in matches_for(ask(exclusion_areas="NP"))[1]] == ["Birch"]


def test_no_exclusion_areas_excludes_nothing(two_cities, ask):
    matches, excluded = matches_for(ask())

    assert matched_properties(matches) == {"Ash", "Birch"}
    assert excluded == []


# --- Children and the boys' age limit ----------------------------------------------------------


@pytest.fixture
def refuge(org_a, make_property):
    return make_property(org_a, name="Rowan")


def test_children_need_a_unit_that_takes_children(refuge, make_unit, ask):
    make_unit(refuge, name="Single room")
    make_unit(refuge, name="Family flat", children_accepted=True, family=True)

    matches, excluded = matches_for(ask(children_ages="4 9"))

    assert [m.unit.name for m in matches] == ["Family flat"]
    assert [e.reason for e in excluded] == ["Single room does not take children."]


@pytest.mark.parametrize(("boy", "offered"), [(11, True), (12, True), (13, False)])
def test_the_boys_age_limit_takes_a_boy_of_exactly_the_limit(refuge, make_unit, ask, boy, offered):
    make_unit(refuge, name="Family flat", children_accepted=True, boys_age_limit=12)

    matches, excluded = matches_for(ask(children_ages=f"3, {boy}", boys_ages=str(boy)))

    assert bool(matches) is offered
    if not offered:
        assert [e.reason for e in excluded] == [
            "Family flat takes boys up to the age of 12; a boy of 13 is coming."
        ]


def test_a_unit_with_no_boys_limit_takes_older_boys(refuge, make_unit, ask):
    make_unit(refuge, name="Family flat", children_accepted=True)

    matches, _excluded = matches_for(ask(children_ages="16", boys_ages="16"))

    assert [m.unit.name for m in matches] == ["Family flat"]


# --- Accessibility, NRPF, gender, pets -------------------------------------------------------


@pytest.fixture
def mixed_units(refuge, make_unit):
    make_unit(refuge, name="Plain")
    make_unit(refuge, name="Accessible", accessible=True)
    make_unit(refuge, name="NRPF", nrpf_accepted=True)
    make_unit(refuge, name="Pets", pets_accepted=True)
    make_unit(refuge, name="Women", women_only=True)
    make_unit(refuge, name="Men", men_only=True)


@pytest.mark.parametrize(
    ("facts", "left_out", "reason"),
    [
        (
            {"needs_accessible": True},
            {"Plain", "NRPF", "Pets", "Women", "Men"},
            "Plain is not wheelchair accessible.",
        ),
        (
            {"nrpf": True},
            {"Plain", "Accessible", "Pets", "Women", "Men"},
            "Plain does not take people with no recourse to public funds.",
        ),
        (
            {"has_pets": True},
            {"Plain", "Accessible", "NRPF", "Women", "Men"},
            "Plain does not take pets.",
        ),
        ({"gender": "male"}, {"Women"}, "Women is women only."),
        ({"gender": "female"}, {"Men"}, "Men is men only."),
    ],
)
def test_a_unit_that_cannot_take_the_person_is_excluded_with_the_reason(
    mixed_units, ask, facts, left_out, reason
):
    matches, excluded = matches_for(ask(**facts))

    everything = {"Plain", "Accessible", "NRPF", "Pets", "Women", "Men"}
    assert {m.unit.name for m in matches} == everything - left_out
    assert reason in [e.reason for e in excluded]
    assert len(excluded) == len(left_out)


def test_gender_other_is_not_refused_by_single_sex_units(mixed_units, ask):
    matches, excluded = matches_for(ask(gender="other"))

    assert len(matches) == 6
    assert excluded == []


# --- Ranking -----------------------------------------------------------------------------------


def test_language_and_specialism_rank_a_place_higher(org_a, make_property, make_unit, ask):
    make_unit(make_property(org_a, name="A plain refuge"))
    make_unit(make_property(org_a, name="B speaks Arabic", languages="English, Arabic"))
    make_unit(make_property(org_a, name="C trafficking", specialism="trafficking"))
    make_unit(make_property(org_a, name="D both", languages="arabic", specialism="trafficking"))

    matches, _excluded = matches_for(ask(languages="Arabic, Kurdish", specialism="trafficking"))

    assert [m.property.name for m in matches] == [
        "D both",
        "C trafficking",
        "B speaks Arabic",
        "A plain refuge",
    ]
    assert matches[0].score > matches[1].score > matches[2].score > matches[3].score
    assert "Staff speak Arabic." in matches[0].reasons
    assert "Specialist service: Survivors of trafficking." in matches[0].reasons


def test_a_family_comes_first_to_a_family_unit_and_a_single_person_last(refuge, make_unit, ask):
    make_unit(refuge, name="Family flat", children_accepted=True, family=True)
    make_unit(refuge, name="Room with cot", children_accepted=True)

    family, _ = matches_for(ask(children_ages="2"))
    single, _ = matches_for(ask())

    assert [m.unit.name for m in family] == ["Family flat", "Room with cot"]
    assert [m.unit.name for m in single] == ["Room with cot", "Family flat"]
    assert "A family unit." in family[0].reasons


# --- Only free bed spaces, of the provider's active properties ----------------------------------


def test_out_of_use_and_held_beds_are_never_offered(
    refuge, make_unit, make_case, request_place, org_a, ask, offer, accommodation_manager_a
):
    unit = make_unit(refuge, beds=3)
    first, second, third = unit.bed_spaces.order_by("label")
    services.bed_space_set_out_of_use(
        by=accommodation_manager_a,
        bed=first,
        expected_version=first.version,
        out_of_use=True,
        reason="Damp",
    )
    offer(request_place(make_case(), org_a), second)

    matches, _ = matches_for(ask())

    assert [m.bed_space for m in matches] == [third]


def test_other_organisations_and_inactive_properties_are_not_candidates(
    org_a, org_b, make_property, make_unit, ask
):
    make_unit(make_property(org_a, name="Ours"))
    make_unit(make_property(org_a, name="Closed", active=False))
    make_unit(make_property(org_b, name="Theirs"))

    matches, _ = matches_for(ask())

    assert matched_properties(matches) == {"Ours"}
