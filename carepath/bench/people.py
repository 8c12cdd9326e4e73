"""Bench organisations, teams and staff, with a predictable username per role.

Usernames are ``bench.<role>.<n>`` with the role's words joined by dots, numbered from 1 across
the whole bench: ``bench.caseworker.1``, ``bench.service.manager.2``. The roles held once per
organisation are numbered by organisation (``bench.service.manager.2`` works for
``bench-2``). Every bench login has the password ``BENCH_PASSWORD`` and an authenticator on the
demo's public secret (``manage.py demo_mfa_code`` prints a code), so a benchmark can sign in
the way staff do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from carepath.bench.base import Bench
from carepath.demo import demo_totp_key
from carepath.people.models import Jurisdiction, Organisation, Role, RoleAssignment, Team, User

BENCH_PASSWORD = "carepath-bench-2026"
SLUG_PREFIX = "bench-"
CASES_PER_ORGANISATION = 8000
MAX_ORGANISATIONS = 6
CASES_PER_TEAM = 1500
# A caseworker's whole caseload (open and closed): about 25 open cases each.
CASES_PER_CASEWORKER = 40
JURISDICTIONS = (Jurisdiction.SCOTLAND, Jurisdiction.ENGLAND_WALES, Jurisdiction.NORTHERN_IRELAND)
# Roles held by one person in each organisation.
SINGLE_ROLES = (
    Role.SERVICE_MANAGER,
    Role.ACCOMMODATION_MANAGER,
    Role.MARAC_CHAIR,
    Role.ADMINISTRATOR,
    Role.DATA_PROTECTION,
)
FIRST_NAMES = ("Alex", "Sam", "Jo", "Robin", "Chris", "Jamie", "Morgan", "Kit", "Ash", "Rowan")
LAST_NAMES = ("Bench", "Example", "Sample", "Placeholder", "Tester", "Trial")

# Places by jurisdiction: (local authority, police force area, region, postcode area).
PLACES = {
    Jurisdiction.SCOTLAND: (
        ("Glasgow City", "Police Scotland", "West of Scotland", "G"),
        ("Edinburgh", "Police Scotland", "East of Scotland", "EH"),
        ("Aberdeen City", "Police Scotland", "North East Scotland", "AB"),
        ("Dundee City", "Police Scotland", "Tayside", "DD"),
    ),
    Jurisdiction.ENGLAND_WALES: (
        ("Cardiff", "South Wales Police", "Wales", "CF"),
        ("Swansea", "South Wales Police", "Wales", "SA"),
        ("Birmingham", "West Midlands Police", "West Midlands", "B"),
        ("Leeds", "West Yorkshire Police", "Yorkshire and the Humber", "LS"),
        ("Manchester", "Greater Manchester Police", "North West", "M"),
        ("Bristol", "Avon and Somerset Police", "South West", "BS"),
    ),
    Jurisdiction.NORTHERN_IRELAND: (
        ("Belfast", "Police Service of Northern Ireland", "Northern Ireland", "BT"),
        ("Derry City and Strabane", "Police Service of Northern Ireland", "Northern Ireland", "BT"),
    ),
}


def username(role: str, n: int) -> str:
    return f"bench.{role.replace('_', '.')}.{n}"


@dataclass
class BenchOrganisation:
    index: int  # from 1
    organisation: Organisation
    casework_teams: list[Team]
    accommodation_team: Team
    # The caseworkers of each casework team, by the team's position in ``casework_teams``.
    caseworkers: list[list[User]]
    single: dict[str, User]
    places: tuple
    partners: list[User] = field(default_factory=list)

    @property
    def manager(self) -> User:
        return self.single[Role.SERVICE_MANAGER]

    @property
    def all_caseworkers(self) -> list[User]:
        return [worker for team in self.caseworkers for worker in team]


def organisation_count(cases: int) -> int:
    return max(2, min(MAX_ORGANISATIONS, math.ceil(cases / CASES_PER_ORGANISATION)))


def existing_bench() -> bool:
    return Organisation.objects.filter(slug__startswith=SLUG_PREFIX).exists()


def seed_people(
    bench: Bench, *, cases: int, partners_per_organisation: int
) -> list[BenchOrganisation]:
    """Organisations, teams, staff with their roles and authenticators. ``cases`` sizes the
    teams and the number of caseworkers; ``partners_per_organisation`` MARAC partner logins
    are made for the partner agencies."""
    count = organisation_count(cases)
    organisations = bench.insert(
        [
            Organisation(
                name=f"Bench organisation {n}",
                slug=f"{SLUG_PREFIX}{n}",
                jurisdiction=JURISDICTIONS[(n - 1) % len(JURISDICTIONS)],
            )
            for n in range(1, count + 1)
        ]
    )
    per_organisation = [cases // count + (1 if i < cases % count else 0) for i in range(count)]
    team_counts = [max(2, math.ceil(n / CASES_PER_TEAM)) for n in per_organisation]
    teams = bench.insert(
        [
            Team(organisation=org, name=name)
            for org, n_teams in zip(organisations, team_counts, strict=True)
            for name in [f"Casework {t}" for t in range(1, n_teams + 1)] + ["Accommodation"]
        ]
    )
    teams_of: dict[int, list[Team]] = {}
    for team in teams:
        teams_of.setdefault(team.organisation_id, []).append(team)

    password = make_password(BENCH_PASSWORD)
    users: list[User] = []
    roles: list[tuple[User, str]] = []
    memberships: list[tuple[User, Team]] = []
    result: list[BenchOrganisation] = []
    worker_number = partner_number = 0

    def person(role: str, n: int, org: Organisation) -> User:
        name = username(role, n)
        user = User(
            username=name,
            first_name=bench.rng.choice(FIRST_NAMES),
            last_name=f"{bench.rng.choice(LAST_NAMES)} {n}",
            email=f"{name}@bench.invalid",
            organisation=org,
            password=password,
        )
        users.append(user)
        roles.append((user, role))
        return user

    for org, n_cases in zip(organisations, per_organisation, strict=True):
        index = int(org.slug.removeprefix(SLUG_PREFIX))
        own_teams = teams_of[org.pk]
        casework, accommodation = own_teams[:-1], own_teams[-1]
        single = {role: person(role, index, org) for role in SINGLE_ROLES}
        memberships.append((single[Role.SERVICE_MANAGER], casework[0]))
        memberships.append((single[Role.ACCOMMODATION_MANAGER], accommodation))
        workers: list[list[User]] = [[] for _team in casework]
        for w in range(max(len(casework), math.ceil(n_cases / CASES_PER_CASEWORKER))):
            worker_number += 1
            worker = person(Role.CASEWORKER, worker_number, org)
            workers[w % len(casework)].append(worker)
            memberships.append((worker, casework[w % len(casework)]))
        partners = []
        for _p in range(partners_per_organisation):
            partner_number += 1
            partners.append(person(Role.MARAC_PARTNER, partner_number, org))
        result.append(
            BenchOrganisation(
                index=index,
                organisation=org,
                casework_teams=casework,
                accommodation_team=accommodation,
                caseworkers=workers,
                single=single,
                places=PLACES[org.jurisdiction],
                partners=partners,
            )
        )

    bench.insert(users)
    bench.insert([RoleAssignment(user=user, role=role) for user, role in roles])
    bench.insert_links(
        User.teams.through,
        [User.teams.through(user_id=user.pk, team_id=team.pk) for user, team in memberships],
    )
    key = demo_totp_key().hex()
    bench.insert(
        [
            TOTPDevice(user=user, name="Bench authenticator", key=key, confirmed=True)
            for user in users
        ]
    )
    return result
