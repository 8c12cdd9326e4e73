"""Demo organisations, teams and staff. Idempotent: running it again changes nothing."""

import base64
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from carepath.people.models import Jurisdiction, Organisation, Role, RoleAssignment, Team, User

DEMO_PASSWORD = "carepath-demo-2026"
# Every demo account's authenticator app uses this secret (base32, as an app asks for it), so
# anyone trying the demo can add it to an app or run `manage.py demo_mfa_code` (DEBUG only).
# Public, like the password: demo data only.
DEMO_TOTP_SECRET = "CAREPATHDEMOCAREPATHDEMOCAREPATH"


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    jurisdiction: str
    teams: tuple[str, ...]


ORGANISATIONS = (
    DemoOrganisation(
        "clyde",
        "Clyde Survivor Support (demo)",
        Jurisdiction.SCOTLAND,
        ("Glasgow casework", "Glasgow accommodation"),
    ),
    DemoOrganisation(
        "taff",
        "Taff Valley Refuge Network (demo)",
        Jurisdiction.ENGLAND_WALES,
        ("Cardiff casework", "Cardiff refuges"),
    ),
)

# One person per role in each organisation: (role, first name, last name, team index or None)
STAFF = (
    (Role.CASEWORKER, "Morag", "Kerr", 0),
    (Role.SERVICE_MANAGER, "Iain", "Fraser", 0),
    (Role.ACCOMMODATION_MANAGER, "Shona", "Reid", 1),
    (Role.MARAC_CHAIR, "Alasdair", "Munro", None),
    (Role.MARAC_PARTNER, "Fiona", "Doyle", None),
    (Role.ADMINISTRATOR, "Ewan", "Baird", None),
    (Role.DATA_PROTECTION, "Catriona", "Gunn", None),
)
WELSH_NAMES = {
    Role.CASEWORKER: ("Ffion", "Jones"),
    Role.SERVICE_MANAGER: ("Rhys", "Evans"),
    Role.ACCOMMODATION_MANAGER: ("Carys", "Morgan"),
    Role.MARAC_CHAIR: ("Gareth", "Price"),
    Role.MARAC_PARTNER: ("Seren", "Hughes"),
    Role.ADMINISTRATOR: ("Owain", "Lewis"),
    Role.DATA_PROTECTION: ("Eleri", "Rowlands"),
}


def username_for(role: str, organisation_slug: str) -> str:
    return f"{role.replace('_', '.')}.{organisation_slug}"


@transaction.atomic
def seed_people() -> list[tuple[str, str, str]]:
    """Returns (organisation, role, username) for every demo login."""
    logins = []
    password_hash = None  # hashing is slow on purpose: once for every login of this run
    for spec in ORGANISATIONS:
        organisation, _ = Organisation.objects.update_or_create(
            slug=spec.slug, defaults={"name": spec.name, "jurisdiction": spec.jurisdiction}
        )
        teams = [
            Team.objects.get_or_create(organisation=organisation, name=name)[0]
            for name in spec.teams
        ]
        for role, first, last, team_index in STAFF:
            if spec.slug == "taff":
                first, last = WELSH_NAMES[role]
            username = username_for(role, spec.slug)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                    "organisation": organisation,
                },
            )
            if created or not user.check_password(DEMO_PASSWORD):
                password_hash = password_hash or make_password(DEMO_PASSWORD)
                user.password = password_hash
                user.save(update_fields=["password"])
            RoleAssignment.objects.get_or_create(user=user, role=role)
            _demo_authenticator_set(user)
            team = teams[team_index] if team_index is not None else None
            if team and not user.teams.filter(pk=team.pk).exists():
                user.teams.add(team)
            logins.append((organisation.name, Role(role).label, username))
    return logins


def demo_totp_key() -> bytes:
    return base64.b32decode(DEMO_TOTP_SECRET)


def _demo_authenticator_set(user: User) -> None:
    key = demo_totp_key().hex()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key, confirmed=True)
    elif device.key != key:
        device.key = key
        device.save(update_fields=["key"])
