"""Subject access requests: one export holds every record about the person, nothing about
anyone else, never a refuge's address; only the data protection lead and service managers of
the organisation may make one, and making one is logged."""

import datetime
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from accommodation import services as accommodation
from accommodation.models import BedSpace, Property, Unit
from carepath.audit.models import AccessLogEntry, TimelineEvent
from carepath.people.models import Role
from carepath.sms.models import MessageTemplate, Reminder, ReminderRule
from carepath.subject_access.records import RECORD_TYPES, covered_models, history_model
from carepath.subject_access.services import EXPORT_EVENT
from casework.models import Case, EmergencyAccess, NrmRecord, SealedCaseMember
from casework.services import appointments, contact, legal, nrm, records
from casework.services.cases import case_accept, case_decline, case_reopen
from marac.models import MaracArea, PartnerAgency, RiskChecklist
from marac.services import meetings
from marac.services.risk import incident_record, marac_referral_create, risk_assessment_record
from returns.models import FollowUp
from returns.services.resettlement import resettlement_start
from returns.services.returns import return_plan_start
from tests.factories import CaseFactory, ReferringAgencyFactory
from tests.marac.conftest import REFERRAL_VALUES, answers_with

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 3, 2)
MEETING_DAY = datetime.date(2026, 3, 9)
URL = reverse("subject_access:request")
NOTE = "REQUEST-NOTE received by letter on 1 March; passport seen in person"

ADDRESS = "99 HIDDEN-ADDRESS Lane"
# Values only the person's records hold, by the file that must hold them.
EXPECTED = {
    "case": ["Zofia", "Quillfeather", "EPISODE-ONE helpline referral"],
    "nrm": ["NRM-Quarrymoor Police"],
    "consents": ["CONSENT-given through an interpreter"],
    "disclosures": ["DISCLOSED-TO Harbour Housing"],
    "dependants": ["DEPENDANT-Marisol"],
    "immediate_needs": ["Phone"],
    "support_goals": ["GOAL-safety plan agreed"],
    "case_notes": ["NOTE-attended the GP"],
    "charges": ["CHARGE-cannabis cultivation"],
    "safe_contacts": ["+447700900555", "SAFE-own mobile"],
    "appointments": ["APPT-Dr Okonkwo"],
    "interpreter_bookings": ["INTERP-Tigrinya"],
    "placements": ["PLACE-Rowan House", "KEYWORKER-Jo"],
    "risk_assessments": ["RISK-assessed at the refuge"],
    "incidents": ["INCIDENT-broken window"],
    "marac_referrals": ["FEARS-Dmitri", "Visible high risk"],
    "marac_agenda_items": ["DISCUSSION-safety plan reviewed"],
    "marac_research": ["RESEARCH-three callouts"],
    "marac_actions": ["ACTION-flag the address"],
    "legal_matters": ["LEGAL-compensation claim", "SOLICITOR-Ms Adeyemi"],
    "cica_claims": ["2025-12-01"],
    "immigration_matters": ["Temporary Permission to Stay for victims of trafficking"],
    "criminal_justice_matters": ["JUSTICE-CR-4471"],
    "civil_matters": ["CIVIL-Sparkle Car Wash"],
    "legal_steps": ["STEP-gather medical evidence"],
    "return_plans": ["RETURN-to see my mother"],
    "return_follow_ups": ["FOLLOWUP-settled with family"],
    "resettlement_plans": ["Leave applied for"],
    "emergency_access": ["EMERGENCY-urgent safeguarding call"],
    "sms_reminders": ["SMSBODY see you", "+447700900555"],
    "timeline": ["REOPEN-came back for support", NOTE],
    "access_log": ["Subject access export", "Viewed"],
    "admin_log": ["ADMINLOG-corrected spelling"],
    "history": ["CONSENT-given through an interpreter", "Created"],
}
# Where the readable copy writes a value differently from the data file.
IN_HTML = {"cica_claims": ["1 December 2025"]}
# Another person's records at the same MARAC meeting, and the meeting's general minutes.
OTHERS = [
    "Bartholomew",
    "OTHER-FEARS",
    "OTHER-RESEARCH",
    "OTHER-DISCUSSION",
    "OTHER-ACTION",
    "GENERAL-MINUTES",
    "ATTENDEE-Inspector Gale",
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(_at(TODAY, 9), tick=False)
    return time_machine


@pytest.fixture
def dp_lead(make_user, org_a):
    return make_user(org_a, Role.DATA_PROTECTION, username="dp.a")


@pytest.fixture
def housing_a(make_user, org_a):
    return make_user(org_a, Role.ACCOMMODATION_MANAGER, username="housing.a")


@pytest.fixture
def chair_a(make_user, org_a):
    return make_user(org_a, Role.MARAC_CHAIR, username="chair.a")


@pytest.fixture
def plain_case(team_a, manager_a, caseworker_a):
    case = CaseFactory(team=team_a, by=manager_a, given_name="Petra")
    return case_accept(
        by=manager_a, case=case, caseworker=caseworker_a, expected_version=case.version
    )


def _episodes(manager_a, caseworker_a, team_a) -> Case:
    """A referral not taken on, then re-opened as the episode of support."""
    first = CaseFactory(
        team=team_a,
        by=manager_a,
        given_name="Zofia",
        family_name="Quillfeather",
        referral_notes="EPISODE-ONE helpline referral",
    )
    case_decline(
        by=manager_a,
        case=first,
        expected_version=first.version,
        decline_reason="no_capacity",
        reason="No space this week",
    )
    case = case_reopen(by=manager_a, case=first, reason="REOPEN-came back for support")
    return case_accept(
        by=manager_a, case=case, caseworker=caseworker_a, expected_version=case.version
    )


def _casework(case, by) -> None:
    add = records.case_record_add
    add(
        by=by,
        case=case,
        kind="consent",
        values={
            "scope": "support",
            "given_on": TODAY,
            "method": "interpreter",
            "notes": "CONSENT-given through an interpreter",
        },
    )
    add(
        by=by,
        case=case,
        kind="consent",
        values={"scope": "nrm_referral", "given_on": TODAY, "method": "verbal"},
    )
    add(
        by=by,
        case=case,
        kind="disclosure",
        values={
            "disclosed_on": TODAY,
            "recipient": "DISCLOSED-TO Harbour Housing",
            "information": "Name and support needs",
            "purpose": "Housing application",
            "with_consent": True,
        },
    )
    add(
        by=by,
        case=case,
        kind="charge",
        values={
            "offence": "CHARGE-cannabis cultivation",
            "status": "charged",
            "status_date": TODAY,
            "statutory_defence_raised": True,
        },
    )
    add(
        by=by,
        case=case,
        kind="dependant",
        values={"relationship": "daughter", "first_name": "DEPENDANT-Marisol"},
    )
    add(
        by=by,
        case=case,
        kind="goal",
        values={
            "area": "safety",
            "description": "GOAL-safety plan agreed",
            "owner": "Caseworker",
            "review_date": datetime.date(2026, 4, 1),
        },
    )
    add(by=by, case=case, kind="note", values={"body": "NOTE-attended the GP"})
    records.immediate_needs_update(by=by, case=case, statuses={"phone": "met"})

    record = NrmRecord.objects.get(case=case)
    nrm.nrm_submit(
        by=by,
        nrm=record,
        expected_version=record.version,
        submitted_on=TODAY,
        first_responder=ReferringAgencyFactory(name="NRM-Quarrymoor Police"),
    )

    MessageTemplate.objects.update_or_create(
        key="appointment", language="en", defaults={"body": "SMSBODY see you {date} at {time}"}
    )
    ReminderRule.objects.get_or_create(purpose="appointment", minutes_before=60)
    contact.safe_contact_add(
        by=by,
        case=case,
        values={
            "number": "+447700900555",
            "label": "SAFE-own mobile",
            "safe_to_text": True,
            "sender_name": "Clinic",
            "language": "en",
            "verified_on": TODAY,
        },
    )
    appointment = appointments.appointment_create(
        by=by,
        case=case,
        values={
            "kind": "gp",
            "with_whom": "APPT-Dr Okonkwo",
            "duration_minutes": 30,
            "starts_at": _at(datetime.date(2026, 3, 20), 10),
        },
        book=True,
    )
    appointments.interpreter_request(
        by=by, appointment=appointment, values={"language": "INTERP-Tigrinya", "mode": "phone"}
    )


def _accommodation(case, by, housing, organisation) -> None:
    prop = Property.objects.create(
        organisation=organisation,
        name="PLACE-Rowan House",
        kind="refuge",
        address=f"{ADDRESS}, Cardiff",
        postcode="CF10 1AA",
        local_authority="Cardiff",
        region="Wales",
    )
    unit = Unit.objects.create(property=prop, name="Flat 1", women_only=True)
    bed = BedSpace.objects.create(unit=unit, label="Bed 1")
    placement = accommodation.placement_request(
        by=by, case=case, provider=organisation, values={"known_as": "Zo", "gender": "female"}
    )
    accommodation.placement_offer(
        by=housing, placement=placement, bed_space=bed, expected_version=placement.version
    )
    accommodation.placement_accept(by=by, placement=placement, expected_version=placement.version)
    accommodation.placement_move_in(
        by=housing,
        placement=placement,
        expected_version=placement.version,
        on=TODAY,
        licence_signed=True,
        key_worker="KEYWORKER-Jo",
        planned_move_out_on=None,
    )


def _marac(frozen, case, other, *, by, chair, manager, organisation, make_user) -> None:
    """Both people heard at one meeting: each with research, a discussion and an action."""
    dash = RiskChecklist.objects.get(slug="dash", version=1)
    area = MaracArea.objects.create(organisation=organisation, name="Northtown MARAC")
    police = PartnerAgency.objects.create(area=area, name="Northtown Police", kind="police")
    officer = make_user(organisation, Role.MARAC_PARTNER, username="officer.a")
    police.members.add(officer)
    incident_record(
        by=by, case=case, occurred_on=TODAY, police_reported=True, summary="INCIDENT-broken window"
    )
    referrals = []
    for person, author, values, notes in (
        (case, by, {"fears": "FEARS-Dmitri"}, "RISK-assessed at the refuge"),
        (other, manager, {"fears": "OTHER-FEARS Bartholomew's uncle"}, ""),
    ):
        risk_assessment_record(
            by=author,
            case=person,
            checklist=dash,
            assessed_on=TODAY,
            answers=answers_with(15),
            notes=notes,
        )
        referrals.append(
            marac_referral_create(
                by=author,
                case=person,
                area=area,
                referred_on=TODAY,
                values={**REFERRAL_VALUES, **values},
            )
        )
    (meeting,) = meetings.marac_meetings_schedule(
        by=chair, area=area, first_starts_at=_at(MEETING_DAY, 10)
    )
    ours, theirs = (
        meetings.marac_meeting_list_case(by=chair, meeting=meeting, referral=referral)
        for referral in referrals
    )
    meetings.marac_meeting_publish_agenda(by=chair, meeting=meeting)
    meetings.research_record(
        by=officer, item=ours, agency=police, nothing_held=False, findings="RESEARCH-three callouts"
    )
    meetings.research_record(
        by=officer, item=theirs, agency=police, nothing_held=False, findings="OTHER-RESEARCH"
    )
    frozen.move_to(_at(MEETING_DAY, 10, 30), tick=False)
    meeting.refresh_from_db()
    meetings.marac_meeting_hold(by=chair, meeting=meeting)
    meetings.meeting_case_hear(by=chair, item=ours, summary="DISCUSSION-safety plan reviewed")
    meetings.meeting_case_hear(by=chair, item=theirs, summary="OTHER-DISCUSSION of Bartholomew")
    for item, description in ((ours, "ACTION-flag the address"), (theirs, "OTHER-ACTION")):
        meetings.marac_action_create(
            by=chair,
            item=item,
            description=description,
            owner_agency=police,
            owner_person="DS Ray",
            due_on=datetime.date(2026, 3, 20),
        )
    meeting.refresh_from_db()
    meetings.marac_meeting_notes_update(
        by=chair,
        meeting=meeting,
        notes="GENERAL-MINUTES any other business",
        expected_version=meeting.version,
    )
    meetings.attendance_record(
        by=chair, meeting=meeting, agency=police, person="ATTENDEE-Inspector Gale", status="present"
    )
    meetings.marac_meeting_approve_minutes(by=chair, meeting=meeting)


def _legal_and_returns(case, by) -> None:
    cica = legal.legal_matter_open(
        by=by,
        case=case,
        kind="cica",
        title="LEGAL-compensation claim",
        opened_on=MEETING_DAY,
        representative={"solicitor": "SOLICITOR-Ms Adeyemi"},
        details={"incident_on": datetime.date(2025, 12, 1), "reported_on": None},
    )
    for kind, details in (
        ("immigration", {"route": "tps_vt"}),
        (
            "criminal_justice",
            {
                "police_force": "Northtown",
                "crime_reference": "JUSTICE-CR-4471",
                "officer_in_case": "DC Lee",
                "witness_status": "witness",
            },
        ),
        ("civil", {"civil_kind": "employment_tribunal", "other_party": "CIVIL-Sparkle Car Wash"}),
    ):
        legal.legal_matter_open(
            by=by,
            case=case,
            kind=kind,
            title=f"{kind} matter",
            opened_on=MEETING_DAY,
            representative={},
            details=details,
        )
    legal.legal_step_add(
        by=by,
        matter=cica,
        kind="interview",
        description="STEP-gather medical evidence",
        due_on=datetime.date(2026, 4, 1),
    )
    plan = return_plan_start(by=by, case=case, country="VN", wishes="RETURN-to see my mother")
    # A follow-up is due only months after a departure: the row is seeded directly.
    FollowUp.objects.create(
        plan=plan,
        months_after=3,
        due_on=datetime.date(2026, 6, 9),
        done_on=MEETING_DAY,
        contact_made=True,
        outcome="FOLLOWUP-settled with family",
    )
    resettlement_start(by=by, case=case, leave_applied_on=MEETING_DAY)


@pytest.fixture
def survivor(
    frozen, manager_a, caseworker_a, caseworker_b, team_a, org_a, housing_a, chair_a, make_user
):
    """One person with a record of every kind, across two episodes; another person heard at the
    same MARAC meeting."""
    case = _episodes(manager_a, caseworker_a, team_a)
    other = CaseFactory(team=team_a, by=manager_a, given_name="Bartholomew", family_name="Other")
    _casework(case, caseworker_a)
    _accommodation(case, caseworker_a, housing_a, org_a)
    _marac(
        frozen,
        case,
        other,
        by=caseworker_a,
        chair=chair_a,
        manager=manager_a,
        organisation=org_a,
        make_user=make_user,
    )
    _legal_and_returns(case, caseworker_a)
    EmergencyAccess.objects.create(
        organisation=org_a,
        case=case,
        user=caseworker_b,
        reason="EMERGENCY-urgent safeguarding call",
        started_at=_at(MEETING_DAY, 11),
        expires_at=_at(MEETING_DAY, 13),
    )
    LogEntry.objects.create(
        user=manager_a,
        content_type=ContentType.objects.get_for_model(Case),
        object_id=str(case.pk),
        object_repr=case.reference,
        action_flag=CHANGE,
        change_message="ADMINLOG-corrected spelling",
    )
    reader = Client()
    reader.force_login(caseworker_a)
    assert reader.get(reverse("casework:case", args=[case.pk])).status_code == 200
    return case


def _request(client, reference, *, note=NOTE, confirmed=True):
    data = {"reference": reference, "note": note}
    if confirmed:
        data["confirmed"] = "on"
    return client.post(URL, data)


def _unzip(response) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _exports() -> int:
    return AccessLogEntry.objects.filter(action=AccessLogEntry.Action.SUBJECT_ACCESS).count()


# --- The export ---------------------------------------------------------------------------------


def test_the_export_holds_every_record_type_and_nothing_else(client, survivor, dp_lead):
    client.force_login(dp_lead)
    response = _request(client, survivor.reference)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert (
        f'filename="subject-access-{survivor.reference}-2026-03-09.zip"'
        in response["Content-Disposition"]
    )
    files = _unzip(response)
    assert {"README.txt", "index.html", "style.css"} <= set(files)
    slugs = [record_type.slug for record_type in RECORD_TYPES] + ["history"]
    assert set(EXPECTED) == set(slugs)
    for slug in slugs:
        data = json.loads(files[f"data/{slug}.json"])
        assert data["record_type"] == slug
        assert data["count"] >= 1, f"no {slug} in the export"
        for value in EXPECTED[slug]:
            assert value in files[f"data/{slug}.json"], f"{value!r} missing from {slug}.json"
        for value in IN_HTML.get(slug, EXPECTED[slug]):
            assert value in files["index.html"], f"{value!r} missing from index.html"
        assert f"data/{slug}.json" in files["README.txt"]

    everything = "\n".join(files.values())
    assert ADDRESS not in everything
    assert "CF10 1AA" not in everything
    for value in OTHERS:
        assert value not in everything, f"another person's {value!r} was exported"
    assert "<script" not in files["index.html"]
    assert "http://" not in files["index.html"] and "https://" not in files["index.html"]


def test_values_are_labelled_and_dated_in_iso_8601(client, survivor, dp_lead):
    client.force_login(dp_lead)
    files = _unzip(_request(client, survivor.reference))
    cases = json.loads(files["data/case.json"])
    assert cases["fields"]["given_name"] == "Given name"
    first, second = cases["records"]
    assert second["previous_episode"] == first["reference"]
    assert first["state"] == {"value": "declined", "label": "Declined"}
    assert first["decline_reason"] == {"value": "no_capacity", "label": "No capacity"}
    assert second["referral_date"] == "2026-03-02"
    placement = json.loads(files["data/placements.json"])["records"][0]
    assert placement["property"] == "PLACE-Rowan House"
    assert "bed_space" not in placement
    assert placement["state"] == {"value": "moved_in", "label": "Moved in"}
    event = next(
        e for e in json.loads(files["data/timeline.json"])["records"] if e["kind"] == EXPORT_EVENT
    )
    assert event["created_at"] == "2026-03-09T10:30:00+00:00"
    assert event["reason"] == NOTE
    answers = json.loads(files["data/risk_assessments.json"])["records"][0]["answers"]
    assert answers[0]["answer"] == {"value": "yes", "label": "Yes"}
    assert answers[0]["question"].startswith("1. ")


def test_making_an_export_is_logged_on_the_access_log_and_the_timeline(client, survivor, dp_lead):
    client.force_login(dp_lead)
    assert _request(client, survivor.reference).status_code == 200
    entries = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.SUBJECT_ACCESS)
    episodes = {survivor.pk, survivor.previous_episode_id}
    assert {e.object_id for e in entries} == episodes
    assert all(e.actor == dp_lead and e.basis.startswith("data protection lead") for e in entries)
    event = TimelineEvent.objects.get(kind=EXPORT_EVENT)
    assert (event.subject_id, event.actor, event.reason) == (survivor.pk, dp_lead, NOTE)


def test_an_earlier_episodes_reference_exports_the_same_person(client, survivor, manager_a):
    client.force_login(manager_a)
    earlier = survivor.previous_episode
    files = _unzip(_request(client, earlier.reference))
    references = [c["reference"] for c in json.loads(files["data/case.json"])["records"]]
    assert references == [earlier.reference, survivor.reference]
    assert "APPT-Dr Okonkwo" in files["data/appointments.json"]


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["caseworker_a", "housing_a", "chair_a", "admin_a"])
def test_other_roles_are_told_the_page_does_not_exist(request, client, plain_case, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert _request(client, plain_case.reference).status_code == 404
    assert _exports() == 0


@pytest.mark.parametrize("reference", ["own", "unknown"])
def test_another_organisation_and_an_unknown_reference_get_the_same_error(
    client, plain_case, manager_b, reference
):
    client.force_login(manager_b)
    response = _request(client, plain_case.reference if reference == "own" else "ORGA-2099-9999")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "There is no case with this reference that you can export" in response.content.decode()
    assert _exports() == 0
    assert not TimelineEvent.objects.filter(kind=EXPORT_EVENT).exists()


def test_a_note_and_the_identity_check_are_required(client, plain_case, dp_lead):
    client.force_login(dp_lead)
    page = _request(client, plain_case.reference, note="  ", confirmed=False).content.decode()
    assert "Record when the request was received" in page
    assert "Confirm that the person&#x27;s identity has been checked" in page
    assert _exports() == 0


def test_a_get_shows_the_form_and_exports_nothing(client, plain_case, dp_lead):
    client.force_login(dp_lead)
    response = client.get(URL, {"reference": plain_case.reference})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-store" in response["Cache-Control"]
    assert f'value="{plain_case.reference}"' in response.content.decode()
    assert _exports() == 0
    assert not TimelineEvent.objects.filter(kind=EXPORT_EVENT).exists()


def test_the_data_protection_lead_still_cannot_open_the_case(client, plain_case, dp_lead):
    client.force_login(dp_lead)
    assert client.get(reverse("casework:case", args=[plain_case.pk])).status_code == 404


def test_the_case_page_links_to_the_request_for_service_managers_only(
    client, plain_case, manager_a, caseworker_a
):
    page = reverse("casework:case", args=[plain_case.pk])
    client.force_login(manager_a)
    assert f"{URL}?reference={plain_case.reference}" in client.get(page).content.decode()
    client.force_login(caseworker_a)
    assert URL not in client.get(page).content.decode()


def test_a_sealed_case_is_exported_by_the_data_protection_lead_not_an_unnamed_manager(
    client, plain_case, manager_a, dp_lead
):
    Case.objects.filter(pk=plain_case.pk).update(sealed=True)
    client.force_login(manager_a)
    assert "There is no case" in _request(client, plain_case.reference).content.decode()
    client.force_login(dp_lead)
    assert _request(client, plain_case.reference)["Content-Type"] == "application/zip"


def test_an_episode_sealed_to_others_is_left_out_of_a_managers_export(
    client, survivor, manager_a, dp_lead
):
    Case.objects.filter(pk=survivor.pk).update(sealed=True)
    earlier = survivor.previous_episode
    client.force_login(manager_a)
    files = _unzip(_request(client, earlier.reference))
    references = [c["reference"] for c in json.loads(files["data/case.json"])["records"]]
    assert references == [earlier.reference]
    assert "APPT-Dr Okonkwo" not in files["data/appointments.json"]
    client.force_login(dp_lead)
    files = _unzip(_request(client, earlier.reference))
    references = [c["reference"] for c in json.loads(files["data/case.json"])["records"]]
    assert references == [earlier.reference, survivor.reference]


def test_who_is_named_on_a_sealed_case_stays_out_of_the_export(
    client, plain_case, manager_a, caseworker_a, dp_lead
):
    from casework.services.access import case_seal, case_seal_member_add

    caseworker_a.first_name, caseworker_a.last_name = "Namedworker", "Onseal"
    caseworker_a.save()
    case_seal(case=plain_case, by=manager_a, members=[], reason="Known to staff")
    case_seal_member_add(case=plain_case, by=manager_a, person=caseworker_a)
    client.force_login(dp_lead)
    files = _unzip(_request(client, plain_case.reference))

    assert "case.sealed" in files["data/timeline.json"] or "Sealed" in files["data/timeline.json"]
    assert "Onseal" not in files["data/timeline.json"]
    assert "seal_member" not in files["data/timeline.json"]


# --- No record type forgotten -------------------------------------------------------------------

# Models that lead to a case but are deliberately left out of the export, and why.
EXCLUDED = {
    # Who is named on a sealed case: an access-control list of staff, nothing about the person.
    # The case's own "sealed" field is exported.
    SealedCaseMember,
    # Django's permissions name a kind of record (a content type), never one record.
    Permission,
}


def _history_of(models) -> set:
    return {history_model(model) for model in models} - {None}


def _leading_to_a_case(excluded) -> set:
    """Every model with a foreign key path to a case: a foreign key or one-to-one field to a case
    or to a model already found (linking tables and history tables included), or a generic link
    (a content type and an id) that may name one. Excluded models are not followed further."""
    models = apps.get_models(include_auto_created=True)
    found = {Case}
    grown = True
    while grown:
        grown = False
        for model in models:
            if model in found:
                continue
            for field in model._meta.concrete_fields:
                target = field.related_model if field.is_relation else None
                if target is ContentType or (target in found and target not in excluded):
                    found.add(model)
                    grown = True
                    break
    return found


def _not_exported(covered) -> set:
    excluded = EXCLUDED | _history_of(EXCLUDED)
    return _leading_to_a_case(excluded) - covered - excluded


def test_every_model_leading_to_a_case_is_exported_or_deliberately_left_out():
    missing = _not_exported(covered_models())
    assert not missing, f"Add to the subject access export (or to EXCLUDED, with why): {missing}"
    assert not EXCLUDED & covered_models()


def test_the_walk_finds_records_linked_through_others_and_by_generic_subject():
    from marac.models import MaracAction

    everything = _leading_to_a_case(frozenset())
    for model in (Reminder, TimelineEvent, AccessLogEntry, FollowUp, MaracAction):
        assert model in everything and history_model(model) in everything | {None}
    left_out = covered_models() - {MaracAction, history_model(MaracAction)}
    assert _not_exported(left_out) == {MaracAction, history_model(MaracAction)}
