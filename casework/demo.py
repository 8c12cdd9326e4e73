"""Demo cases for each demo organisation, taken along the pathway through the real services so
that their timelines, history and deadlines are what a real case would have. Dates are set
relative to today, so every run shows due, overdue and upcoming deadlines."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from carepath.people.models import Organisation, Role, User
from casework.models import Case, ConsentRecord, ReferringAgency
from casework.services import appointments as appointment_services
from casework.services import cases as case_services
from casework.services import contact as contact_services
from casework.services import nrm as nrm_services
from casework.services.records import case_record_add


@dataclass(frozen=True)
class DemoCase:
    given_name: str
    family_name: str
    gender: str
    age: int
    nationality: str
    language: str
    exploitation: tuple[str, ...]
    sectors: tuple[str, ...]
    days_ago: int
    # How far along the pathway: referred, declined, assessing, supported, moving_on,
    # missing, closed.
    state: str
    # NRM progress: none, submitted, rg_positive, rg_negative, cg_positive, declined_consent
    nrm: str = "none"
    jurisdiction: str = ""
    aliases: str = ""
    local_authority: str = ""
    extras: dict = field(default_factory=dict)


CLYDE = (
    DemoCase(
        "Thi",
        "Nguyen",
        "female",
        24,
        "VN",
        "Vietnamese",
        ("sexual",),
        ("nail_bar",),
        3,
        "referred",
        local_authority="Glasgow City",
    ),
    DemoCase(
        "Arben",
        "Hoxha",
        "male",
        19,
        "AL",
        "Albanian",
        ("criminal",),
        ("cannabis_cultivation",),
        2,
        "referred",
        local_authority="Glasgow City",
    ),
    DemoCase(
        "Mihai",
        "Popescu",
        "male",
        41,
        "RO",
        "Romanian",
        ("labour",),
        ("agriculture",),
        9,
        "declined",
        local_authority="Perth and Kinross",
    ),
    DemoCase(
        "Grace",
        "Okafor",
        "female",
        29,
        "NG",
        "English",
        ("sexual", "domestic_servitude"),
        ("sex_industry",),
        12,
        "assessing",
        nrm="submitted",
        local_authority="Glasgow City",
        aliases="Blessing",
    ),
    DemoCase(
        "Lan",
        "Chen",
        "female",
        33,
        "CN",
        "Mandarin",
        ("sexual",),
        ("sex_industry",),
        20,
        "assessing",
        local_authority="Edinburgh",
    ),
    DemoCase(
        "Selam",
        "Tesfaye",
        "female",
        22,
        "ER",
        "Tigrinya",
        ("domestic_servitude",),
        ("domestic_work",),
        40,
        "supported",
        nrm="rg_positive",
        local_authority="Glasgow City",
    ),
    DemoCase(
        "Bogdan",
        "Ionescu",
        "male",
        36,
        "RO",
        "Romanian",
        ("labour",),
        ("food_processing",),
        75,
        "supported",
        nrm="rg_positive",
        local_authority="Aberdeen City",
    ),
    DemoCase(
        "Amina",
        "Yusuf",
        "female",
        27,
        "SD",
        "Arabic",
        ("sexual",),
        (),
        130,
        "supported",
        nrm="cg_positive",
        local_authority="Dundee City",
    ),
    DemoCase(
        "Kevin",
        "Doherty",
        "male",
        17,
        "GB",
        "English",
        ("criminal",),
        ("county_lines",),
        30,
        "supported",
        nrm="rg_positive",
        local_authority="Belfast",
        jurisdiction="northern_ireland",
    ),
    DemoCase(
        "Tomasz",
        "Nowak",
        "male",
        45,
        "PL",
        "Polish",
        ("labour",),
        ("construction",),
        25,
        "supported",
        nrm="declined_consent",
        local_authority="Falkirk",
    ),
    DemoCase(
        "Hoa",
        "Tran",
        "female",
        16,
        "VN",
        "Vietnamese",
        ("labour",),
        ("nail_bar",),
        18,
        "missing",
        nrm="submitted",
        local_authority="Glasgow City",
    ),
    DemoCase(
        "Esther",
        "Mensah",
        "female",
        31,
        "GH",
        "English",
        ("domestic_servitude",),
        ("domestic_work",),
        200,
        "moving_on",
        nrm="cg_positive",
        local_authority="Glasgow City",
    ),
    DemoCase(
        "Ioana",
        "Dumitru",
        "female",
        26,
        "RO",
        "Romanian",
        ("sexual",),
        (),
        320,
        "closed",
        nrm="cg_positive",
        local_authority="Edinburgh",
    ),
    DemoCase(
        "Patrick",
        "Kelly",
        "male",
        38,
        "IE",
        "English",
        ("labour",),
        ("fishing",),
        14,
        "assessing",
        nrm="submitted",
        local_authority="Derry City and Strabane",
        jurisdiction="northern_ireland",
    ),
    DemoCase(
        "Dritan",
        "Leka",
        "male",
        21,
        "AL",
        "Albanian",
        ("criminal", "labour"),
        ("cannabis_cultivation",),
        60,
        "supported",
        nrm="rg_negative",
        local_authority="Glasgow City",
    ),
)

TAFF = (
    DemoCase(
        "Mariam",
        "Hassan",
        "female",
        28,
        "ER",
        "Tigrinya",
        ("sexual",),
        (),
        4,
        "referred",
        local_authority="Cardiff",
    ),
    DemoCase(
        "Jakub",
        "Wisniewski",
        "male",
        52,
        "PL",
        "Polish",
        ("labour",),
        ("car_wash",),
        6,
        "referred",
        local_authority="Newport",
    ),
    DemoCase(
        "Rhian",
        "Price",
        "female",
        19,
        "GB",
        "English",
        ("sexual",),
        (),
        10,
        "declined",
        local_authority="Swansea",
    ),
    DemoCase(
        "Linh",
        "Pham",
        "female",
        23,
        "VN",
        "Vietnamese",
        ("labour",),
        ("nail_bar",),
        8,
        "assessing",
        nrm="submitted",
        local_authority="Cardiff",
    ),
    DemoCase(
        "Olena",
        "Kovalenko",
        "female",
        35,
        "UA",
        "Ukrainian",
        ("sexual",),
        (),
        16,
        "assessing",
        local_authority="Cardiff",
    ),
    DemoCase(
        "Chidi",
        "Eze",
        "male",
        30,
        "NG",
        "English",
        ("labour",),
        ("care",),
        35,
        "supported",
        nrm="rg_positive",
        local_authority="Cardiff",
    ),
    DemoCase(
        "Fatima",
        "Ahmadi",
        "female",
        34,
        "AF",
        "Dari",
        ("domestic_servitude",),
        ("domestic_work",),
        55,
        "supported",
        nrm="rg_positive",
        local_authority="Newport",
    ),
    DemoCase(
        "Sorin",
        "Marin",
        "male",
        40,
        "RO",
        "Romanian",
        ("labour",),
        ("car_wash",),
        150,
        "supported",
        nrm="cg_positive",
        local_authority="Swansea",
    ),
    DemoCase(
        "Ayaan",
        "Ali",
        "male",
        15,
        "SO",
        "Somali",
        ("criminal",),
        ("county_lines",),
        22,
        "supported",
        nrm="rg_positive",
        local_authority="Cardiff",
    ),
    DemoCase(
        "Ana",
        "Silva",
        "female",
        29,
        "BR",
        "Portuguese",
        ("sexual",),
        ("sex_industry",),
        28,
        "supported",
        nrm="declined_consent",
        local_authority="Cardiff",
    ),
    DemoCase(
        "Jamal",
        "Karimi",
        "male",
        17,
        "IR",
        "Farsi",
        ("labour",),
        ("hospitality",),
        26,
        "missing",
        nrm="submitted",
        local_authority="Wrexham",
    ),
    DemoCase(
        "Precious",
        "Adeyemi",
        "female",
        27,
        "NG",
        "English",
        ("sexual",),
        (),
        240,
        "moving_on",
        nrm="cg_positive",
        local_authority="Cardiff",
    ),
    DemoCase(
        "Elena",
        "Petrova",
        "female",
        44,
        "BG",
        "Bulgarian",
        ("labour",),
        ("food_processing",),
        400,
        "closed",
        nrm="cg_positive",
        local_authority="Newport",
    ),
    DemoCase(
        "Sean",
        "Byrne",
        "male",
        33,
        "GB",
        "English",
        ("labour",),
        ("construction",),
        45,
        "supported",
        nrm="rg_positive",
        local_authority="Belfast",
        jurisdiction="northern_ireland",
    ),
    DemoCase(
        "Wei",
        "Zhang",
        "male",
        26,
        "CN",
        "Cantonese",
        ("unknown",),
        (),
        11,
        "assessing",
        local_authority="Cardiff",
    ),
)

AGENCY_BY_ORGANISATION = {"clyde": "Police Scotland", "taff": "South Wales Police"}


def _staff(organisation: Organisation, role: str) -> User:
    return (
        User.objects.filter(organisation=organisation, role_assignments__role=role)
        .order_by("pk")
        .first()
    )


def _birthday(today: date, age: int, days_ago: int) -> date:
    """A date of birth that makes the person ``age`` at referral (40 days past a birthday)."""
    anchor = today - timedelta(days=days_ago + 40)
    return anchor.replace(year=anchor.year - age, day=min(anchor.day, 28))


@transaction.atomic
def seed_cases() -> int:
    """Adds the demo cases to each demo organisation that has none yet. Returns how many."""
    created = 0
    today = timezone.localdate()
    for slug, specs in (("clyde", CLYDE), ("taff", TAFF)):
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None or Case.objects.filter(organisation=organisation).exists():
            continue
        manager = _staff(organisation, Role.SERVICE_MANAGER)
        caseworker = _staff(organisation, Role.CASEWORKER)
        team = caseworker.teams.order_by("pk").first()
        agency = ReferringAgency.objects.get(name=AGENCY_BY_ORGANISATION[slug])
        for spec in specs:
            _seed_one(
                spec, today=today, team=team, manager=manager, caseworker=caseworker, agency=agency
            )
            created += 1
    return created


def _seed_one(spec: DemoCase, *, today, team, manager, caseworker, agency) -> Case:
    referred = today - timedelta(days=spec.days_ago)
    values = {
        "referral_date": referred,
        "referral_source": "first_responder",
        "referring_agency": agency,
        "knows_of_referral": "yes",
        "consents_to_referral": "yes",
        "given_name": spec.given_name,
        "family_name": spec.family_name,
        "aliases": spec.aliases,
        "gender": spec.gender,
        "date_of_birth": _birthday(today, spec.age, spec.days_ago),
        "date_of_birth_estimated": spec.age < 18,
        "claimed_nationality": spec.nationality,
        "nationality_group": "uk"
        if spec.nationality == "GB"
        else ("eea" if spec.nationality in {"RO", "PL", "BG", "IE"} else "other"),
        "main_language": spec.language,
        "interpreter_needed": spec.language != "English",
        "interpreter_language": "" if spec.language == "English" else spec.language,
        "exploitation_types": list(spec.exploitation),
        "exploitation_sectors": list(spec.sectors),
        "first_exploitation_date": referred - timedelta(days=400),
        "local_authority": spec.local_authority,
        "risk_at_intake": "high" if spec.age < 18 else "medium",
    }
    if spec.jurisdiction:
        values["jurisdiction"] = spec.jurisdiction
    case = case_services.case_create(
        by=manager,
        team=team,
        values=values,
        immediate_needs=["place_of_safety", "phone", "clothing_pack", "toiletries"],
    )
    if spec.state == "referred":
        return case
    if spec.state == "declined":
        case_services.case_decline(
            by=manager,
            case=case,
            expected_version=case.version,
            decline_reason="signposted",
            reason="Signposted to a local specialist service.",
        )
        return case
    case_services.case_accept(
        by=manager,
        case=case,
        caseworker=caseworker,
        expected_version=case.version,
        reason="Demo allocation",
    )
    _nrm(spec, case, by=caseworker, referred=referred, today=today)
    if spec.state == "assessing":
        return case
    ConsentRecord.objects.create(
        case=case, scope="support", given_on=referred, method="verbal", recorded_by=caseworker
    )
    case.refresh_from_db()
    case_services.case_start_support(by=caseworker, case=case, expected_version=case.version)
    case_record_add(
        by=caseworker,
        case=case,
        kind="goal",
        values={
            "area": "health",
            "description": "Register with a GP and attend a health assessment.",
            "owner": "Caseworker",
            "review_date": today + timedelta(days=spec.days_ago % 20 - 5),
        },
    )
    _contact_and_appointment(spec, case, by=caseworker, today=today)
    if spec.state == "moving_on":
        case_services.case_plan_move_on(by=caseworker, case=case, expected_version=case.version)
    elif spec.state == "missing":
        case_services.case_report_missing(
            by=caseworker,
            case=case,
            expected_version=case.version,
            since=timezone.now() - timedelta(hours=20),
            reason="Did not return to the safe house last night.",
        )
    elif spec.state == "closed":
        case_services.case_close(
            by=caseworker,
            case=case,
            expected_version=case.version,
            closure_reason="moved_on",
            outcomes=["feels_safe", "exited_exploitation", "employment"],
            closed_on=today - timedelta(days=5),
        )
    return case


# Ofcom's drama range: numbers that belong to nobody.
DEMO_NUMBER = "+4477009{:05d}"


def _contact_and_appointment(spec: DemoCase, case: Case, *, by, today: date) -> None:
    """A safe-contact number, and an appointment (with an interpreter where one is needed)
    whose first reminder falls due a few minutes after the demo is loaded."""
    if spec.state not in ("supported", "moving_on") or spec.nrm == "declined_consent":
        return
    contact_services.safe_contact_add(
        by=by,
        case=case,
        values={
            "number": DEMO_NUMBER.format(case.pk),
            "label": "own mobile",
            "safe_to_text": True,
            "safe_from": None,
            "safe_until": None,
            "sender_name": "Clinic",
            "language": "cy" if spec.local_authority in WELSH_AREAS else "en",
            "verified_on": today,
        },
    )
    starts_at = timezone.now().replace(second=0, microsecond=0) + timedelta(
        hours=2, minutes=3 + case.pk % 7
    )
    appointment = appointment_services.appointment_create(
        by=by,
        case=case,
        book=True,
        values={
            "kind": "gp",
            "with_whom": "Health centre",
            "starts_at": starts_at,
            "location": "Health centre, main entrance",
            "accompanied_by": "Caseworker",
        },
    )
    if spec.language != "English":
        booking = appointment_services.interpreter_request(
            by=by,
            appointment=appointment,
            values={
                "language": spec.language,
                "mode": "in_person",
                "gender_preference": spec.gender,
            },
        )
        appointment_services.interpreter_record_independence(
            by=by,
            booking=booking,
            expected_version=booking.version,
            confirmed=True,
            notes="Agency interpreter; the person confirmed they do not know them.",
        )
        appointment_services.interpreter_confirm(
            by=by,
            booking=booking,
            expected_version=booking.version,
            interpreter_name="Agency interpreter",
            agency="Language line (demo)",
        )


WELSH_AREAS = {"Cardiff", "Newport", "Swansea", "Wrexham"}


def _nrm(spec: DemoCase, case: Case, *, by, referred: date, today: date) -> None:
    if spec.nrm == "none":
        return
    nrm = case.nrm
    if spec.nrm == "declined_consent":
        nrm_services.nrm_decline_consent(
            by=by, nrm=nrm, expected_version=nrm.version, notified_on=referred + timedelta(days=2)
        )
        return
    if case.is_child:
        nrm_services.nrm_notify_local_authority(
            by=by, nrm=nrm, expected_version=nrm.version, notified_on=referred
        )
    else:
        ConsentRecord.objects.create(
            case=case, scope="nrm_referral", given_on=referred, method="interpreter", recorded_by=by
        )
    submitted = referred + timedelta(days=1)
    nrm_services.nrm_submit(
        by=by,
        nrm=nrm,
        expected_version=nrm.version,
        submitted_on=submitted,
        first_responder=case.referring_agency,
    )
    if spec.nrm == "submitted":
        return
    rg_on = min(submitted + timedelta(days=6), today)
    nrm_services.nrm_record_decision(
        by=by,
        nrm=nrm,
        expected_version=nrm.version,
        stage="rg",
        positive=spec.nrm != "rg_negative",
        decided_on=rg_on,
        authority="sca",
    )
    if spec.nrm == "cg_positive":
        nrm_services.nrm_record_decision(
            by=by,
            nrm=nrm,
            expected_version=nrm.version,
            stage="cg",
            positive=True,
            decided_on=min(rg_on + timedelta(days=100), today),
            authority="sca",
        )
