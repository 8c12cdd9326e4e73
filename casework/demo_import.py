"""Historic demo cases, brought in the way a service would bring its earlier records: a
synthetic spreadsheet (made up, the same for the same seed and day) imported through the case
import. About 150 cases over the last two years, most of them closed, so the reports have a
history to count. Running it again imports nothing new."""

import csv
import io
import random
from datetime import date, timedelta

from django.utils import timezone

from carepath.people.models import Organisation, Role, Team, User
from casework.services.imports import COLUMNS, import_cases

SEED = 20240601
COUNT = 150
ORGANISATION = "clyde"
TEAM = "Glasgow casework"
SOURCE_NAME = "historic-cases-demo.csv"
REFERENCE_PREFIX = "HIST-"

GENDERS = (("female", 46), ("male", 48), ("other", 2), ("unknown", 4))
NATIONALITIES = (
    ("GB", 28),
    ("AL", 18),
    ("VN", 16),
    ("ER", 8),
    ("SD", 8),
    ("RO", 6),
    ("AF", 5),
    ("IN", 5),
    ("NG", 5),
    ("CN", 5),
    ("PL", 4),
    ("EG", 3),
    ("IR", 3),
)
EXPLOITATION = (
    ("labour", 30),
    ("sexual", 25),
    ("criminal", 25),
    ("domestic_servitude", 10),
    ("other", 3),
    ("unknown", 4),
)
AGENCIES = (
    ("Police Scotland", 40),
    ("Home Office (UK Visas and Immigration)", 12),
    ("Migrant Help Scotland", 12),
    ("The Salvation Army", 8),
    ("Gangmasters and Labour Abuse Authority", 6),
    ("Local authority (adult services)", 5),
    ("Self-referral", 5),
    # Not a known agency: the import adds it.
    ("Glasgow Drop-in Health Project (demo)", 5),
)
CHILD_AGENCIES = (
    ("Local authority (children's services)", 60),
    ("Police Scotland", 30),
    ("Barnardo's", 10),
)
CLOSURE_REASONS = (
    ("moved_on", 40),
    ("support_ended", 20),
    ("disengaged", 15),
    ("transferred", 12),
    ("returned_home", 8),
    ("other", 5),
)
LOCAL_AUTHORITIES = (
    "Glasgow City",
    "North Lanarkshire",
    "Renfrewshire",
    "City of Edinburgh",
    "Aberdeen City",
    "Dundee City",
)
GIVEN_NAMES = {
    "female": ("Ana", "Mai", "Linh", "Esra", "Blessing", "Irina", "Marta", "Hana", "Amina", "Zoe"),
    "male": ("Arben", "Tuan", "Dawit", "Yonas", "Mihai", "Ravi", "Chen", "Ahmad", "Jamie", "Omar"),
}
FAMILY_NAMES = (
    "Hoxha",
    "Tran",
    "Nguyen",
    "Tesfaye",
    "Ahmed",
    "Popescu",
    "Kaur",
    "Li",
    "Okafor",
    "Kowalski",
    "Rahimi",
    "MacLeod",
    "Campbell",
    "Hassan",
)


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


def _row(rng: random.Random, number: int, today: date) -> dict:
    days_ago = rng.randint(14, 730)
    referred = today - timedelta(days=days_ago)
    gender = _pick(rng, GENDERS)
    child = rng.random() < 0.18
    age = rng.randint(14, 17) if child else rng.randint(18, 58)
    born = _years_before(referred, age) - timedelta(days=rng.randint(1, 360))
    # Many adults were first exploited as children: up to five years before referral.
    first = max(referred - timedelta(days=rng.randint(7, 5 * 365)), _years_before(born, -12))
    if rng.random() < 0.15:
        types = rng.sample([value for value, _w in EXPLOITATION if value != "unknown"], 2)
    else:
        types = [_pick(rng, EXPLOITATION)]
    names = GIVEN_NAMES.get(gender) or GIVEN_NAMES[rng.choice(("female", "male"))]
    values = {
        "reference": f"{REFERENCE_PREFIX}{number:04d}",
        "referral_date": referred,
        "gender": gender,
        "nationality": _pick(rng, NATIONALITIES),
        "date_of_birth": born,
        "first_exploitation_date": first,
        "exploitation_types": ";".join(types),
        "referring_agency": _pick(rng, CHILD_AGENCIES if child else AGENCIES),
        # A few records of the earlier system had no name: the import shows the reference.
        "given_name": "" if rng.random() < 0.05 else rng.choice(names),
        "family_name": rng.choice(FAMILY_NAMES),
        "aliases": rng.choice(names) if rng.random() < 0.1 else "",
        "jurisdiction": "england_wales" if rng.random() < 0.08 else "",
        "local_authority": rng.choice(LOCAL_AUTHORITIES),
    }
    latest = referred
    if rng.random() < 0.8:
        submitted = referred + timedelta(days=rng.randint(0, 20))
        if submitted <= today:
            latest = submitted
            values["nrm_submitted_date"] = submitted
            values["competent_authority"] = "sca" if rng.random() < 0.85 else "ieca"
            rg_day = submitted + timedelta(days=rng.randint(2, 45))
            if rg_day <= today and rng.random() < 0.9:
                latest = rg_day
                rg_positive = rng.random() < 0.88
                values["rg_decision"] = "positive" if rg_positive else "negative"
                values["rg_decision_date"] = rg_day
                cg_day = rg_day + timedelta(days=rng.randint(90, 450))
                if rg_positive and cg_day <= today and rng.random() < 0.75:
                    latest = cg_day
                    values["cg_decision"] = "positive" if rng.random() < 0.9 else "negative"
                    values["cg_decision_date"] = cg_day
    if rng.random() < (0.97 if days_ago > 90 else 0.8):
        values["closure_reason"] = _pick(rng, CLOSURE_REASONS)
        if rng.random() < 0.9:
            closed = referred + timedelta(days=rng.randint(30, 420))
            values["closed_date"] = min(max(closed, latest), today)
    return values


def build_csv(*, today: date, seed: int = SEED, count: int = COUNT) -> str:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for number in range(1, count + 1):
        values = _row(rng, number, today)
        writer.writerow(
            {
                name: value.isoformat() if isinstance(value, date) else value
                for name, value in values.items()
            }
        )
    return out.getvalue()


def seed_historic_cases() -> int:
    """Imports the historic cases into the demo organisation. Returns how many were added."""
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    if organisation is None:
        return 0
    teams = Team.objects.filter(organisation=organisation)
    team = teams.filter(name=TEAM).first() or teams.order_by("name").first()
    manager = (
        User.objects.filter(organisation=organisation, role_assignments__role=Role.SERVICE_MANAGER)
        .order_by("pk")
        .first()
    )
    result = import_cases(
        organisation=organisation,
        team=team,
        rows_source=build_csv(today=timezone.localdate()),
        source_name=SOURCE_NAME,
        by=manager,
        dry_run=False,
    )
    if result.errors:
        raise RuntimeError(f"The demo spreadsheet does not import: {result.errors[:3]}")
    return result.created
