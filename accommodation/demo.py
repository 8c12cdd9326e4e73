"""Demo properties for each demo organisation, with vacancies, residents and requests, all made
through the services so history and timelines are real."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accommodation import services
from accommodation.models import Property, Unit
from carepath.people.models import Organisation, Role, User
from casework.models import Case, CaseState

# (name, kind, address, postcode, local authority, region, specialism, languages, units)
# units: (name, bed spaces, flags)
PROPERTIES = {
    "clyde": [
        (
            "Rowan House",
            "refuge",
            "1 Demo Street, Glasgow",
            "G40 1AA",
            "Glasgow City",
            "West of Scotland",
            "trafficking",
            "English, Romanian, Vietnamese",
            [
                (
                    "Ground floor",
                    2,
                    {"women_only": True, "accessible": True, "nrpf_accepted": True},
                ),
                (
                    "Family flat",
                    3,
                    {
                        "women_only": True,
                        "family": True,
                        "children_accepted": True,
                        "boys_age_limit": 12,
                    },
                ),
            ],
        ),
        (
            "Birch Court",
            "safe_house",
            "2 Demo Road, Edinburgh",
            "EH7 5ZZ",
            "Edinburgh",
            "East of Scotland",
            "",
            "English, Arabic",
            [
                ("Flat 1", 2, {"men_only": True}),
                ("Flat 2", 2, {"women_only": True, "pets_accepted": True}),
            ],
        ),
    ],
    "taff": [
        (
            "Tŷ Derwen",
            "refuge",
            "3 Demo Lane, Cardiff",
            "CF10 1AA",
            "Cardiff",
            "South East Wales",
            "black_minoritised",
            "English, Welsh, Somali, Arabic",
            [
                ("Rooms", 3, {"women_only": True, "nrpf_accepted": True}),
                (
                    "Family unit",
                    2,
                    {
                        "women_only": True,
                        "family": True,
                        "children_accepted": True,
                        "boys_age_limit": 14,
                    },
                ),
            ],
        ),
        (
            "Afon Flats",
            "dispersed",
            "4 Demo Close, Swansea",
            "SA1 1ZZ",
            "Swansea",
            "South West Wales",
            "",
            "English, Polish",
            [("Flat A", 1, {"men_only": True}), ("Flat B", 1, {"accessible": True})],
        ),
    ],
}


def _manager(organisation: Organisation) -> User:
    return (
        User.objects.filter(
            organisation=organisation, role_assignments__role=Role.ACCOMMODATION_MANAGER
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def seed_accommodation() -> int:
    """Adds properties, a resident and an open request to each demo organisation that has no
    properties yet. Returns how many properties were added."""
    added = 0
    for slug, specs in PROPERTIES.items():
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None or Property.objects.filter(organisation=organisation).exists():
            continue
        manager = _manager(organisation)
        for name, kind, address, postcode, la, region, specialism, languages, units in specs:
            prop = services.property_save(
                by=manager,
                prop=Property(
                    name=name,
                    kind=kind,
                    address=address,
                    postcode=postcode,
                    local_authority=la,
                    region=region,
                    specialism=specialism,
                    languages=languages,
                    funding_source="Local authority contract (demo)",
                    weekly_charge=180,
                ),
            )
            for unit_name, beds, flags in units:
                services.unit_save(
                    by=manager, unit=Unit(property=prop, name=unit_name, **flags), bed_spaces=beds
                )
            added += 1
        _residents_and_requests(organisation, manager)
    return added


def _residents_and_requests(organisation: Organisation, manager: User) -> None:
    """One supported woman moved in two months ago with a move-out planned, one who moved
    on, and one open request waiting for the accommodation manager."""
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(
            organisation=organisation,
            gender="female",
            state__in=[CaseState.SUPPORTED, CaseState.MOVING_ON],
        )
        .exclude(caseworker=None)
        .order_by("pk")[:3]
    )
    if len(cases) < 3:
        return
    beds = [
        bed
        for prop in Property.objects.filter(organisation=organisation).order_by("pk")
        for unit in prop.units.filter(women_only=True).order_by("pk")
        for bed in unit.bed_spaces.order_by("pk")
    ]
    stays = [(cases[0], beds[0], 60, None), (cases[1], beds[1], 150, 30)]
    for case, bed, days_in, days_out in stays:
        placement = services.placement_request(
            by=case.caseworker,
            case=case,
            provider=organisation,
            values={"exclusion_areas": "", "languages": case.main_language},
        )
        services.placement_offer(
            by=manager, placement=placement, bed_space=bed, expected_version=placement.version
        )
        services.placement_accept(
            by=case.caseworker, placement=placement, expected_version=placement.version
        )
        services.placement_move_in(
            by=manager,
            placement=placement,
            expected_version=placement.version,
            on=max(today - timedelta(days=days_in), case.referral_date),
            licence_signed=True,
            key_worker="Key worker",
            planned_move_out_on=today + timedelta(days=10) if days_out is None else None,
        )
        if days_out is not None and today - timedelta(days=days_out) >= placement.moved_in_on:
            services.placement_move_out(
                by=manager,
                placement=placement,
                expected_version=placement.version,
                on=today - timedelta(days=days_out),
                reason="Moved on to settled housing",
                destination="Housing association tenancy",
            )
    services.placement_request(
        by=cases[2].caseworker,
        case=cases[2],
        provider=organisation,
        values={
            "exclusion_areas": "Glasgow City" if organisation.slug == "clyde" else "CF10",
            "languages": cases[2].main_language,
            "children_ages": "",
        },
    )
