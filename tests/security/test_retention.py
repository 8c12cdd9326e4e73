"""Retention: the schedule, anonymisation of a whole case file (history rows included), legal
holds, runs and their pages."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings as conf
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accommodation.models import BedSpace, Placement, Property, Unit
from carepath.audit import access_log
from carepath.audit.models import AccessLogEntry, RetentionRun, TimelineEvent
from carepath.people.models import Role
from carepath.retention import classification, schedule, services
from carepath.retention.tasks import retention_run
from carepath.sms.models import Reminder, SafeContact
from carepath.sms.selectors import delivery_report
from casework.models import (
    Appointment,
    Case,
    CaseNote,
    CicaClaim,
    ConsentRecord,
    Dependant,
    Disclosure,
    LegalMatter,
)
from casework.services.cases import (
    case_accept,
    case_close,
    case_decline,
    case_reopen,
    case_start_support,
    case_update,
)
from casework.services.contact import safe_contact_add
from marac.models import (
    AgencyResearch,
    MaracAction,
    MaracArea,
    MaracMeeting,
    MaracReferral,
    MeetingCase,
    PartnerAgency,
)
from marac.selectors.data_return import Quarter, data_return
from returns.models import ReturnPlan
from returns.selectors import returns_report
from tests.factories import CaseFactory, TeamFactory

LONDON = ZoneInfo("Europe/London")
CLOSED_ON = datetime.date(2025, 3, 10)
SIX_YEARS_ON = datetime.date(2031, 3, 10)  # the last day a case closed on CLOSED_ON is kept


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


@pytest.fixture
def clock(time_machine):
    def move(day: datetime.date, hour: int = 9):
        time_machine.move_to(at(day, hour), tick=False)

    move(CLOSED_ON)
    return move


@pytest.fixture
def dp_lead_a(make_user, org_a):
    return make_user(org_a, Role.DATA_PROTECTION, username="dp.a")


@pytest.fixture
def dp_lead_b(make_user, org_b):
    return make_user(org_b, Role.DATA_PROTECTION, username="dp.b")


@pytest.fixture
def chair_a(make_user, org_a):
    return make_user(org_a, Role.MARAC_CHAIR, username="chair.a")


@pytest.fixture
def property_a(org_a):
    prop = Property.objects.create(
        organisation=org_a,
        name="Rowan House",
        kind="refuge",
        address="1 Hidden Lane",
        postcode="CF10 1AA",
        local_authority="Cardiff",
        region="Wales",
    )
    unit = Unit.objects.create(property=prop, name="Flat 1", women_only=True)
    BedSpace.objects.create(unit=unit, label="Bed 1")
    return prop


SECRETS = {
    "given": "Amirabelle",
    "family": "Zeldovich",
    "alias": "Belle Z",
    "number": "07700900123",
    "note": "Met her at the Elm Road hostel",
    "child": "Yusufino",
    "solicitor": "Jane Quillfeather",
    "cica": "CICA-998877",
    "destination": "her sister in Harrogate",
    "perpetrator": "Viktor Brennan",
}


def secrets_of(tag: str) -> dict[str, str]:
    """The personal details of one person, unique to ``tag`` so two files never share them."""
    return {key: f"{value} {tag}" for key, value in SECRETS.items()}


def build_case_file(
    *,
    team,
    manager,
    caseworker,
    tag: str,
    area=None,
    chair=None,
    bed=None,
    referral_date=datetime.date(2025, 1, 10),
    closed_on: datetime.date | None = CLOSED_ON,
    born=datetime.date(1990, 5, 17),
) -> Case:
    """A case with something in every part of its file, edited once so it has history, and
    closed on ``closed_on`` (left open when None). The clock stands on ``closed_on``."""
    s = secrets_of(tag)
    case = CaseFactory(
        team=team,
        by=manager,
        given_name=s["given"],
        family_name="Earlier",
        aliases=s["alias"],
        date_of_birth=born,
        referral_date=referral_date,
        referrer_contact=f"PC Smith, 0161 496 0000 about {s['given']}",
        referral_notes=s["note"],
        needs_summary=f"Needs a GP; {s['note']}",
        first_exploitation_date=datetime.date(2024, 6, 1),
        claimed_nationality="AL",
        exploitation_types=["sexual"],
        local_authority="Cardiff",
        region="Wales",
        main_language="Albanian",
        other_languages="Gheg (rare dialect)",
    )
    case = case_update(
        by=manager,
        case=case,
        expected_version=case.version,
        values={"family_name": s["family"]},
    )
    case = case_accept(by=manager, case=case, caseworker=caseworker, expected_version=case.version)
    ConsentRecord.objects.create(
        case=case,
        scope="support",
        given_on=referral_date,
        method="verbal",
        recorded_by=caseworker,
        notes=f"Through an interpreter; {s['note']}",
    )
    case = case_start_support(by=manager, case=case, expected_version=case.version)
    note = CaseNote.objects.create(case=case, recorded_by=caseworker, body="first draft")
    note.body = s["note"]
    note.save()
    Disclosure.objects.create(
        case=case,
        recorded_by=caseworker,
        disclosed_on=referral_date,
        recipient="Police",
        information=f"Her name {s['given']}",
        purpose="Safeguarding",
        with_consent=True,
    )
    Dependant.objects.create(
        case=case,
        recorded_by=caseworker,
        relationship="son",
        first_name=s["child"],
        date_of_birth=datetime.date(2015, 3, 2),
    )
    contact = safe_contact_add(
        by=manager,
        case=case,
        values={"number": s["number"], "label": "own mobile", "safe_to_text": True},
    )
    appointment = Appointment.objects.create(
        case=case,
        kind="gp",
        with_whom="Dr Patel",
        location=s["note"],
        notes=s["note"],
        created_by=caseworker,
    )
    matter = LegalMatter.objects.create(
        case=case,
        kind="cica",
        title="CICA claim",
        opened_on=referral_date,
        solicitor=s["solicitor"],
        created_by=caseworker,
    )
    CicaClaim.objects.create(
        matter=matter, incident_on=datetime.date(2024, 12, 1), reference=s["cica"]
    )
    ReturnPlan.objects.create(
        case=case, country="AL", wishes=s["note"], created_by=caseworker, grant_amount=500
    )
    reminder_values = {
        "organisation_id": case.organisation_id,
        "subject_type": ContentType.objects.get_for_model(Case),
        "subject_id": case.pk,
        "source_type": ContentType.objects.get_for_model(Appointment),
        "source_id": appointment.pk,
        "purpose": "appointment",
        "safe_contact": contact,
        "due_at": at(referral_date),
    }
    Reminder.objects.create(
        **reminder_values,
        context={"at": at(referral_date).isoformat()},
        state="delivered",
        provider_id=f"SM{tag}",
        sent_at=at(referral_date),
    )
    Reminder.objects.create(**reminder_values, state="suppressed", outcome="Not safe to text")
    if bed is not None:
        Placement.objects.create(
            case=case,
            provider=case.organisation,
            requested_by=caseworker,
            state="moved_out",
            bed_space=bed,
            known_as=s["given"],
            gender="female",
            moved_in_on=datetime.date(2025, 1, 20),
            moved_out_on=datetime.date(2025, 3, 1),
            move_on_destination=s["destination"],
        )
    if area is not None:
        referral = MaracReferral.objects.create(
            case=case,
            area=area,
            state="closed",
            referred_on=datetime.date(2025, 2, 1),
            referred_by=manager,
            referring_agency="idva",
            children_in_household=1,
            perpetrators=s["perpetrator"],
            fears=s["perpetrator"],
            closed_on=datetime.date(2025, 2, 20),
        )
        agency = PartnerAgency.objects.get_or_create(area=area, name="Police", kind="police")[0]
        meeting = MaracMeeting.objects.create(
            area=area, starts_at=at(datetime.date(2025, 2, 10)), state="minutes_approved",
            created_by=chair,
        )  # fmt: skip
        item = MeetingCase.objects.create(
            meeting=meeting, referral=referral, outcome="heard", summary=s["perpetrator"]
        )
        AgencyResearch.objects.create(
            meeting_case=item, agency=agency, findings=s["perpetrator"], recorded_by=chair
        )
        MaracAction.objects.create(
            meeting_case=item,
            description=f"Warn {s['perpetrator']}",
            owner_agency=agency,
            owner_person="DS Jones",
            due_on=datetime.date(2025, 2, 17),
            state="done",
            created_by=chair,
        )
    if closed_on is not None:
        case = case_close(
            by=manager,
            case=case,
            expected_version=case.version,
            closure_reason="moved_on",
            outcomes=["feels_safe"],
            closed_on=closed_on,
            reason=f"Moved to {s['destination']}",
        )
    return case


def _every_row(parts) -> list[str]:
    """Every live and history row of every model the classification covers, as text."""
    rows = []
    for part in parts:
        model = apps.get_model(part.model)
        rows += [repr(row) for row in model._base_manager.values()]
        rows += [repr(row) for row in model.history.model.objects.values()]
    rows += [repr(row) for row in TimelineEvent.objects.values("reason", "detail")]
    return rows


def held_text(tag: str) -> str:
    """What the database holds that mentions this person's details."""
    secrets = secrets_of(tag).values()
    return "\n".join(
        row
        for row in _every_row((*classification.CASE_FILE, *classification.MARAC_REFERRAL))
        if any(secret in row for secret in secrets)
    )


def reports(manager, area=None) -> dict:
    """Every report's figures for the case's period, as the command and selectors give them."""
    found = {}
    for key in ("nrm", "service", "accommodation"):
        out = io.StringIO()
        call_command("report", key, "--from", "2024-01-01", "--to", "2025-12-31", stdout=out)
        found[key] = out.getvalue()
    found["sms"] = repr(
        delivery_report(manager, since=datetime.date(2024, 1, 1), until=datetime.date(2025, 12, 31))
    )
    found["returns"] = repr(returns_report(manager))
    if area is not None:
        found["marac"] = repr(data_return(area, Quarter.containing(datetime.date(2025, 2, 10))))
    return found


@pytest.fixture
def area_a(org_a):
    return MaracArea.objects.create(organisation=org_a, name="Northtown MARAC")


# --- The schedule ---------------------------------------------------------------------------


def test_defaults_follow_the_documented_schedule(settings):
    assert settings.RETENTION == {
        "closed_case_years": 6,
        "child_until_age": 25,
        "declined_referral_years": 2,
        "marac_referral_years": 6,
        "sms_reminder_years": 2,
    }
    assert datetime.timedelta(days=730) == settings.ACCESS_LOG_RETENTION
    assert "retention-nightly" in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.parametrize(
    "born, measured, expected",
    [
        # 1 July gives the same ages: it is used.
        (datetime.date(1990, 5, 17), [datetime.date(2025, 1, 10)], datetime.date(1990, 7, 1)),
        # 34 on 1 June 2024 needs a birthday by then: the nearest day to 1 July that works.
        (
            datetime.date(1990, 5, 17),
            [datetime.date(2025, 1, 10), datetime.date(2024, 6, 1)],
            datetime.date(1990, 6, 1),
        ),
        # Turning 18 on 20 September 2025, referred on 19 September: still 17 at referral.
        (datetime.date(2007, 9, 20), [datetime.date(2025, 9, 19)], datetime.date(2007, 9, 20)),
        (None, [datetime.date(2025, 1, 1)], None),
    ],
)
def test_a_birth_date_keeps_the_year_and_every_age_measured(born, measured, expected):
    assert schedule.generalised_birth_date(born, measured) == expected


# --- A case file past its retention period ----------------------------------------------------


@pytest.fixture
def case_file(clock, team_a, manager_a, caseworker_a, area_a, chair_a, property_a):
    bed = BedSpace.objects.get(unit__property=property_a)
    return build_case_file(
        team=team_a, manager=manager_a, caseworker=caseworker_a, tag="one", area=area_a,
        chair=chair_a, bed=bed,
    )  # fmt: skip


def test_a_closed_case_one_day_past_six_years_is_anonymised_with_its_history(
    case_file, clock, team_a, manager_a, caseworker_a, area_a
):
    # 17 at the first exploitation, 18 (since 1 March) at referral: a birth date moved to
    # 1 July would make them a minor at referral in the NRM report.
    edge = build_case_file(
        team=team_a, manager=manager_a, caseworker=caseworker_a, tag="edge",
        referral_date=datetime.date(2025, 3, 5), born=datetime.date(2007, 3, 1),
    )  # fmt: skip
    assert held_text("one")  # the details are there to begin with, in live and history rows
    assert case_file.history.count() > 1
    clock(SIX_YEARS_ON + datetime.timedelta(days=1), hour=2)
    before = reports(manager_a, area_a)

    run = RetentionRun.objects.get(pk=retention_run())

    case = Case.objects.get(pk=case_file.pk)
    assert case.anonymised_at is not None
    assert held_text("one") == ""  # gone from every live row, history row and timeline event
    assert case.given_name == classification.REDACTED
    assert case.family_name == case.aliases == case.referral_notes == ""
    # The year and the ages the reports measure stay: 34 at referral and on 1 June 2024.
    assert case.date_of_birth == datetime.date(1990, 6, 1)
    assert {row.date_of_birth for row in case.history.all()} == {datetime.date(1990, 6, 1)}
    assert Dependant.objects.get(case=case).date_of_birth == datetime.date(2015, 7, 1)
    assert Case.objects.get(pk=edge.pk).date_of_birth == datetime.date(2007, 3, 5)
    contact = SafeContact.objects.get(subject_id=case.pk)
    assert contact.number == ""
    assert all(row.number == "" for row in contact.history.all())
    sent = Reminder.objects.get(subject_id=case.pk, state="delivered")
    assert (sent.context, sent.provider_id, sent.safe_contact_id) == ({}, "", None)
    assert Reminder.objects.get(subject_id=case.pk, state="suppressed").outcome == (
        "Not safe to text"
    )
    # The statistical fields stay.
    assert (case.gender, case.claimed_nationality.code, case.exploitation_types) == (
        "female",
        "AL",
        ["sexual"],
    )
    assert (case.closure_reason, case.closed_on, case.outcomes) == (
        "moved_on",
        CLOSED_ON,
        ["feels_safe"],
    )
    assert TimelineEvent.objects.filter(subject_id=case.pk, kind="case.closed", reason="").exists()
    assert reports(manager_a, area_a) == before
    organisation = run.detail["organisations"][str(case.organisation_id)]
    assert sorted(organisation["closed_case"]["anonymised"]) == [case.reference, edge.reference]
    assert organisation["closed_case"]["held"] == organisation["closed_case"]["failed"] == []
    assert SECRETS["given"] not in repr(run.detail)
    assert TimelineEvent.objects.filter(subject_id=case.pk, kind="case.anonymised").exists()


def test_a_closed_case_one_day_short_of_six_years_is_kept(case_file, clock):
    clock(SIX_YEARS_ON, hour=23)

    run = RetentionRun.objects.get(pk=retention_run())

    assert Case.objects.get(pk=case_file.pk).anonymised_at is None
    assert SECRETS["family"] in held_text("one")
    assert "closed_case" not in run.detail["organisations"].get(str(case_file.organisation_id), {})


def test_a_dry_run_lists_the_case_and_changes_nothing(case_file, clock):
    AccessLogEntry.objects.create(
        organisation_id=case_file.organisation_id,
        actor=case_file.caseworker,
        action="view",
        object_type=ContentType.objects.get_for_model(Case),
        object_id=case_file.pk,
        object_label=case_file.audit_label,
        basis="allocated caseworker",
    )
    clock(datetime.date(2032, 1, 1))
    text = held_text("one")
    rows = _every_row((*classification.CASE_FILE, *classification.MARAC_REFERRAL))

    run = services.cases_anonymise_due(today=datetime.date(2032, 1, 1), dry_run=True)

    assert run.dry_run
    organisation = run.detail["organisations"][str(case_file.organisation_id)]
    assert organisation["closed_case"]["anonymised"] == [case_file.reference]
    assert organisation["access_log"] == {"removed": 1}
    assert held_text("one") == text
    assert _every_row((*classification.CASE_FILE, *classification.MARAC_REFERRAL)) == rows
    assert AccessLogEntry.objects.count() == 1
    assert Case.objects.get(pk=case_file.pk).anonymised_at is None


def test_the_run_prunes_the_access_log_and_records_it(case_file, clock):
    access_log.record(case_file, by=case_file.caseworker, basis="allocated caseworker")
    clock(datetime.date(2026, 1, 1))
    access_log.record(case_file, by=case_file.caseworker, basis="allocated caseworker")
    clock(datetime.date(2027, 3, 11))

    run = RetentionRun.objects.get(pk=retention_run())

    assert AccessLogEntry.objects.count() == 1  # the one from 2026 is within two years
    organisation = run.detail["organisations"][str(case_file.organisation_id)]
    assert organisation["access_log"] == {"removed": 1}


def test_a_legal_hold_keeps_the_case_until_released(case_file, clock, dp_lead_a):
    services.case_legal_hold_set(case=case_file, by=dp_lead_a, reason="Civil claim pending")
    clock(datetime.date(2032, 1, 1))

    held = RetentionRun.objects.get(pk=retention_run())

    case = Case.objects.get(pk=case_file.pk)
    assert case.anonymised_at is None and case.legal_hold
    assert SECRETS["family"] in held_text("one")
    organisation = held.detail["organisations"][str(case.organisation_id)]
    assert organisation["closed_case"]["held"] == [case.reference]
    # The MARAC referral of a held case is kept too.
    assert organisation["marac_referral"]["held"] == [
        f"{case.reference}: MARAC referral #{MaracReferral.objects.get(case=case).pk}"
    ]

    services.case_legal_hold_release(case=case, by=dp_lead_a, reason="Claim settled")
    released = RetentionRun.objects.get(pk=retention_run())

    assert Case.objects.get(pk=case.pk).anonymised_at is not None
    assert held_text("one") == ""
    organisation = released.detail["organisations"][str(case.organisation_id)]
    assert organisation["closed_case"]["anonymised"] == [case.reference]
    kinds = TimelineEvent.objects.filter(subject_id=case.pk).values_list("kind", flat=True)
    assert {"case.legal_hold_set", "case.legal_hold_released"} <= set(kinds)


def test_a_failure_leaves_that_case_as_it_was_and_the_others_go_on(
    case_file, clock, team_a, manager_a, caseworker_a, monkeypatch
):
    other = build_case_file(team=team_a, manager=manager_a, caseworker=caseworker_a, tag="two")
    rewrite = services._rewrite

    def fail_for_the_first_case(queryset, **values):
        if queryset.filter(subject_id=case_file.pk).exists():
            raise RuntimeError("disk full")
        return rewrite(queryset, **values)

    monkeypatch.setattr(services, "_rewrite", fail_for_the_first_case)
    clock(datetime.date(2032, 1, 1))

    run = RetentionRun.objects.get(pk=retention_run())

    # The first case's live and history rows were rewritten before the failure: rolled back.
    assert Case.objects.get(pk=case_file.pk).anonymised_at is None
    assert SECRETS["family"] in held_text("one")
    assert secrets_of("one")["number"] in held_text("one")
    assert Case.objects.get(pk=other.pk).anonymised_at is not None
    assert held_text("two") == ""
    outcome = run.detail["organisations"][str(other.organisation_id)]["closed_case"]
    assert outcome == {"anonymised": [other.reference], "held": [], "failed": [case_file.reference]}


def test_another_organisation_is_anonymised_in_the_same_run_and_not_shown(
    case_file, clock, org_b, manager_a, manager_b, make_user, client
):
    team = TeamFactory(organisation=org_b, name="Team of B")
    worker = make_user(org_b, Role.CASEWORKER, username="worker.ob", teams=[team])
    theirs = build_case_file(team=team, manager=manager_b, caseworker=worker, tag="b")
    clock(datetime.date(2032, 1, 1))

    run = RetentionRun.objects.get(pk=retention_run())

    assert Case.objects.get(pk=theirs.pk).anonymised_at is not None
    client.force_login(manager_a)
    page = client.get(reverse("retention:run", args=[run.pk])).content.decode()
    assert case_file.reference in page and theirs.reference not in page
    listed = client.get(reverse("retention:runs")).content.decode()
    assert "Closed cases: 1 anonymised" in listed  # its own count: not two
    client.force_login(manager_b)
    page = client.get(reverse("retention:run", args=[run.pk])).content.decode()
    assert theirs.reference in page and case_file.reference not in page


# --- Other record types -------------------------------------------------------------------


def test_a_declined_referral_is_anonymised_two_years_after_the_decision(clock, team_a, manager_a):
    case = CaseFactory(
        team=team_a, by=manager_a, given_name="Declinda", referral_date=datetime.date(2025, 3, 1)
    )
    case = case_decline(
        by=manager_a,
        case=case,
        expected_version=case.version,
        decline_reason="signposted",
        reason="Referred to Declinda's local refuge",
    )
    clock(datetime.date(2027, 3, 10))
    retention_run()
    assert Case.objects.get(pk=case.pk).anonymised_at is None

    clock(datetime.date(2027, 3, 11))
    before = reports(manager_a)
    run = RetentionRun.objects.get(pk=retention_run())

    case = Case.objects.get(pk=case.pk)
    assert case.anonymised_at is not None and case.decline_reason == "signposted"
    assert not Case.history.filter(given_name="Declinda").exists()
    assert not TimelineEvent.objects.filter(reason__contains="Declinda").exists()
    organisation = run.detail["organisations"][str(case.organisation_id)]
    assert organisation["declined_referral"]["anonymised"] == [case.reference]
    assert reports(manager_a) == before  # the declines table counts it on the same day


def test_a_childs_file_is_kept_until_their_twenty_fifth_birthday(
    clock, team_a, manager_a, caseworker_a
):
    case = build_case_file(
        team=team_a,
        manager=manager_a,
        caseworker=caseworker_a,
        tag="child",
        born=datetime.date(2010, 8, 1),
    )
    assert case.is_child
    assert schedule.case_kept_until(case) == datetime.date(2035, 8, 1)
    clock(datetime.date(2035, 8, 1))
    retention_run()
    assert Case.objects.get(pk=case.pk).anonymised_at is None

    clock(datetime.date(2035, 8, 2))
    retention_run()

    assert Case.objects.get(pk=case.pk).anonymised_at is not None


def test_an_earlier_episode_waits_for_the_open_one(clock, team_a, manager_a, caseworker_a):
    first = build_case_file(team=team_a, manager=manager_a, caseworker=caseworker_a, tag="ep")
    case_reopen(by=manager_a, case=first, reason="Came back for support")
    clock(datetime.date(2032, 1, 1))

    run = RetentionRun.objects.get(pk=retention_run())

    assert Case.objects.get(pk=first.pk).anonymised_at is None
    assert "closed_case" not in run.detail["organisations"].get(str(first.organisation_id), {})


def test_a_marac_referral_follows_its_areas_period_even_while_the_case_is_open(
    clock, team_a, manager_a, caseworker_a, org_a, chair_a, area_a
):
    short = MaracArea.objects.create(organisation=org_a, name="Short MARAC", retention_years=3)
    case = build_case_file(
        team=team_a, manager=manager_a, caseworker=caseworker_a, tag="mr", area=short,
        chair=chair_a, closed_on=None,
    )  # fmt: skip
    kept = MaracReferral.objects.create(
        case=case, area=area_a, state="closed", referred_on=datetime.date(2025, 2, 1),
        referred_by=manager_a, referring_agency="police", perpetrators="Kept Perpetrator",
        closed_on=datetime.date(2025, 2, 20),
    )  # fmt: skip
    referral = MaracReferral.objects.get(case=case, area=short)
    # Three years after the last meeting (10 February 2025) and its closing (20 February).
    clock(datetime.date(2028, 2, 20))
    retention_run()
    assert MaracReferral.objects.get(pk=referral.pk).perpetrators != ""
    clock(datetime.date(2028, 2, 21))
    quarter_before = repr(data_return(short, Quarter.containing(datetime.date(2025, 2, 10))))

    run = RetentionRun.objects.get(pk=retention_run())

    referral.refresh_from_db()
    assert referral.perpetrators == referral.fears == ""
    perpetrator = secrets_of("mr")["perpetrator"]
    for model in (MaracReferral, MeetingCase, AgencyResearch, MaracAction):
        rows = repr(list(model.objects.values())) + repr(list(model.history.values()))
        assert perpetrator not in rows
    assert MaracAction.objects.get(meeting_case__referral=referral).state == "done"
    assert repr(data_return(short, Quarter.containing(datetime.date(2025, 2, 10)))) == (
        quarter_before
    )
    # The other area keeps its six years; the case itself is open and untouched.
    assert MaracReferral.objects.get(pk=kept.pk).perpetrators == "Kept Perpetrator"
    assert Case.objects.get(pk=case.pk).anonymised_at is None
    assert secrets_of("mr")["family"] in held_text("mr")
    organisation = run.detail["organisations"][str(org_a.pk)]
    assert organisation["marac_referral"]["anonymised"] == [
        f"{case.reference}: MARAC referral #{referral.pk}"
    ]
    # Nothing is left to do: the next run does not list it again.
    again = RetentionRun.objects.get(pk=retention_run())
    assert "marac_referral" not in again.detail["organisations"].get(str(org_a.pk), {})


def test_reminders_lose_their_number_link_two_years_after_sending(
    clock, team_a, manager_a, caseworker_a
):
    case = build_case_file(
        team=team_a, manager=manager_a, caseworker=caseworker_a, tag="sms", closed_on=None
    )
    sent = Reminder.objects.get(subject_id=case.pk, state="delivered")
    clock(datetime.date(2027, 1, 10))  # sent 10 January 2025: two years ago today
    retention_run()
    assert Reminder.objects.get(pk=sent.pk).provider_id == "SMsms"
    clock(datetime.date(2027, 1, 11))

    run = RetentionRun.objects.get(pk=retention_run())

    sent.refresh_from_db()
    assert (sent.context, sent.provider_id, sent.safe_contact_id) == ({}, "", None)
    assert not sent.history.filter(provider_id="SMsms").exists()
    assert sent.state == "delivered"
    # The case is open: its number stays on its safe contact.
    assert SafeContact.objects.get(subject_id=case.pk).number == secrets_of("sms")["number"]
    organisation = run.detail["organisations"][str(case.organisation_id)]
    assert f"reminder #{sent.pk}" in organisation["sms_reminder"]["anonymised"]
    again = RetentionRun.objects.get(pk=retention_run())
    assert "sms_reminder" not in again.detail["organisations"].get(str(case.organisation_id), {})


@override_settings(RETENTION={**conf.RETENTION, "closed_case_years": 1})
def test_the_schedule_comes_from_configuration(case_file, clock):
    clock(datetime.date(2026, 3, 11))
    retention_run()
    assert Case.objects.get(pk=case_file.pk).anonymised_at is not None


def test_the_command_runs_and_previews(case_file, clock):
    out = io.StringIO()
    call_command("retention_run", "--dry-run", "--today", "2032-01-01", stdout=out)
    assert "dry run" in out.getvalue() and "anonymised 1" in out.getvalue()
    assert Case.objects.get(pk=case_file.pk).anonymised_at is None

    call_command("retention_run", "--today", "2032-01-01", stdout=io.StringIO())

    assert Case.objects.get(pk=case_file.pk).anonymised_at is not None
    assert RetentionRun.objects.count() == 2


# --- Legal holds and pages --------------------------------------------------------------------


def test_the_data_protection_lead_holds_a_case_they_cannot_open(
    case_file, client, dp_lead_a, caseworker_a
):
    client.force_login(dp_lead_a)
    assert client.get(reverse("casework:case", args=[case_file.pk])).status_code == 404
    found = client.get(reverse("retention:holds"), {"reference": case_file.reference.lower()})
    hold_url = reverse("retention:hold", args=[case_file.pk])
    assert found.status_code == 302 and found.url == hold_url
    page = client.get(hold_url)
    assert page.status_code == 200
    assert SECRETS["given"] not in page.content.decode()
    assert AccessLogEntry.objects.filter(
        actor=dp_lead_a, object_id=case_file.pk, basis="data protection lead: legal hold"
    ).exists()

    refused = client.post(hold_url, {"reason": ""})
    assert refused.status_code == 200 and b"error-summary" in refused.content
    client.post(hold_url, {"reason": "Inquiry request", "action": "place"})
    # The same form sent again (a double click, a resubmission) leaves the hold in place.
    client.post(hold_url, {"reason": "Inquiry request", "action": "place"})

    case = Case.objects.get(pk=case_file.pk)
    assert case.legal_hold and case.legal_hold_reason == "Inquiry request"
    client.post(hold_url, {"reason": "Inquiry closed", "action": "release"})
    client.post(hold_url, {"reason": "Inquiry closed", "action": "release"})
    assert not Case.objects.get(pk=case_file.pk).legal_hold
    client.post(hold_url, {"reason": "Inquiry request", "action": "place"})
    case = Case.objects.get(pk=case_file.pk)
    assert case.reference in client.get(reverse("retention:holds")).content.decode()
    client.force_login(caseworker_a)
    shown = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert "Under a legal hold" in shown and hold_url not in shown


def test_a_service_manager_sees_the_hold_button_on_the_case_page(case_file, client, manager_a):
    client.force_login(manager_a)
    page = client.get(reverse("casework:case", args=[case_file.pk])).content.decode()
    assert reverse("retention:hold", args=[case_file.pk]) in page


def test_legal_hold_pages_are_not_found_for_others(
    case_file, client, caseworker_a, dp_lead_b, manager_b
):
    hold_url = reverse("retention:hold", args=[case_file.pk])
    for person in (caseworker_a, dp_lead_b, manager_b):
        client.force_login(person)
        assert client.get(hold_url).status_code == 404
        assert client.post(hold_url, {"reason": "x"}).status_code == 404
    client.force_login(dp_lead_b)
    found = client.get(reverse("retention:holds"), {"reference": case_file.reference})
    assert found.status_code == 200 and b"No case of your organisation" in found.content
    client.force_login(caseworker_a)
    assert client.get(reverse("retention:holds")).status_code == 404
    assert client.get(reverse("retention:runs")).status_code == 404
    assert not Case.objects.get(pk=case_file.pk).legal_hold


def test_the_preview_is_for_the_data_protection_lead_and_their_organisation(
    case_file, clock, client, dp_lead_a, manager_a, manager_b
):
    clock(CLOSED_ON + datetime.timedelta(days=1))
    client.force_login(manager_a)
    assert client.post(reverse("retention:preview")).status_code == 404
    client.force_login(dp_lead_a)
    with override_settings(RETENTION={**conf.RETENTION, "closed_case_years": 0}):
        response = client.post(reverse("retention:preview"))
    run = RetentionRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("retention:run", args=[run.pk])
    assert (
        run.dry_run
        and run.started_by == dp_lead_a
        and run.detail["scope"] == dp_lead_a.organisation_id
    )
    page = client.get(response.url).content.decode()
    assert "Would be anonymised" in page and case_file.reference in page
    assert Case.objects.get(pk=case_file.pk).anonymised_at is None
    client.force_login(manager_a)
    assert client.get(response.url).status_code == 200
    client.force_login(manager_b)
    assert client.get(response.url).status_code == 404
    assert response.url not in client.get(reverse("retention:runs")).content.decode()


# --- The classification is complete ---------------------------------------------------------


def _concrete(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def test_every_field_of_every_part_is_classified_once():
    for part in (*classification.CASE_FILE, *classification.MARAC_REFERRAL):
        model = apps.get_model(part.model)
        scrubbed, kept = set(part.scrub), set(part.keep)
        assert not scrubbed & kept, part.model
        missing = _concrete(model) - scrubbed - kept - set(classification.MANAGED)
        assert not missing, f"{part.model}: classify {sorted(missing)}"
        assert not (scrubbed | kept) - _concrete(model), part.model


# Linked to a classified record but not part of a file, and why.
NOT_IN_A_FILE = {
    # The access log names records by reference only, and is pruned on its own schedule.
    "audit.AccessLogEntry",
}


def test_every_model_linked_to_a_case_record_is_classified():
    classified = {
        apps.get_model(part.model)
        for part in (*classification.CASE_FILE, *classification.MARAC_REFERRAL)
    }
    for model in apps.get_models():
        if (
            model in classified
            or model._meta.label in NOT_IN_A_FILE
            or model.__name__.startswith("Historical")
        ):
            continue
        linked = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in classified
        ]
        assert not linked, f"{model._meta.label} belongs to a case record: classify it"
