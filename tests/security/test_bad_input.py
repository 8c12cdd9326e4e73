"""Bad input is refused with a 4xx or a form error and changes nothing; never a 500.

Twilio's webhooks: unsigned or forged, too large, unreadable, missing fields, an unknown
message. Staff forms posted with garbage: wrong types, overlong text, impossible numbers and
dates, and another organisation's records in choice fields.
"""

import datetime
import json
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from accommodation.models import Placement, Property, Unit
from accommodation.services import property_save, unit_save
from carepath.people.models import Role
from carepath.sms import services as sms_services
from carepath.sms.models import MessageTemplate, OptOut, Reminder, ReminderState, SafeContact
from carepath.sms.views.webhooks import MAX_BODY_BYTES
from casework.models import Appointment, Case, CaseNote
from casework.services import cases as case_services
from tests.factories import CaseFactory, TeamFactory

LONDON = ZoneInfo("Europe/London")
AUTH_TOKEN = "test-auth-token-for-bad-input-0123456789"
WEBHOOK_BASE = "https://carepath.example"
STATUS_PATH = "/webhooks/twilio/status/"
INBOUND_PATH = "/webhooks/twilio/inbound/"
NUMBER = "+447700900321"
SID = "SM" + "c" * 32
OVERLONG = "x" * 100_000


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False)


# --- Webhooks ----------------------------------------------------------------------------------


@pytest.fixture
def signing(settings):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = WEBHOOK_BASE


@pytest.fixture
def sent(signing, team_a, manager_a):
    """A reminder Twilio has taken: its delivery report is what the webhook changes."""
    from django.contrib.contenttypes.models import ContentType

    case = CaseFactory(team=team_a, by=manager_a)
    return Reminder.objects.create(
        organisation=case.organisation,
        subject_type=ContentType.objects.get_for_model(case),
        subject_id=case.pk,
        purpose="appointment",
        due_at=datetime.datetime(2026, 3, 2, 8, 0, tzinfo=LONDON),
        state=ReminderState.SENT,
        provider_id=SID,
    )


def _signature(path: str, params: dict) -> str:
    return RequestValidator(AUTH_TOKEN).compute_signature(WEBHOOK_BASE + path, params)


def _post_form(client, path, params, *, signature="sign", **extra):
    headers = {}
    if signature == "sign":
        headers["X-Twilio-Signature"] = _signature(path, params)
    elif signature is not None:
        headers["X-Twilio-Signature"] = signature
    return client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
        **extra,
    )


def _unchanged(reminder):
    reminder.refresh_from_db()
    assert reminder.state == ReminderState.SENT
    assert not OptOut.objects.exists()


@pytest.mark.parametrize("path", [STATUS_PATH, INBOUND_PATH])
@pytest.mark.parametrize("signature", [None, "", "forged", "x" * 10_000])
def test_a_missing_or_invalid_signature_is_a_403(client, sent, path, signature):
    params = {"MessageSid": SID, "MessageStatus": "failed", "From": NUMBER, "Body": "STOP"}
    response = _post_form(client, path, params, signature=signature)
    assert response.status_code == 403
    _unchanged(sent)


@pytest.mark.parametrize("path", [STATUS_PATH, INBOUND_PATH])
def test_an_oversized_body_is_refused_before_it_is_read(client, sent, path):
    params = {"MessageSid": SID, "MessageStatus": "failed", "From": NUMBER, "Body": "STOP"}
    params["Padding"] = "x" * MAX_BODY_BYTES
    response = _post_form(client, path, params)
    assert response.status_code == 413
    _unchanged(sent)


def test_a_body_over_djangos_own_limit_is_still_a_4xx(client, sent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    params = {"MessageSid": SID, "MessageStatus": "failed", "Padding": "x" * 4096}
    response = _post_form(client, STATUS_PATH, params)
    assert 400 <= response.status_code < 500
    _unchanged(sent)


@pytest.mark.parametrize("path", [STATUS_PATH, INBOUND_PATH])
def test_an_unreadable_content_length_is_a_400(client, sent, path):
    params = {"MessageSid": SID, "MessageStatus": "failed"}
    response = _post_form(client, path, params, CONTENT_LENGTH="lots")
    assert response.status_code == 400
    _unchanged(sent)


@pytest.mark.parametrize("path", [STATUS_PATH, INBOUND_PATH])
def test_a_json_or_broken_multipart_body_is_a_4xx(client, sent, path):
    # Signed over no form fields: a JSON body has none.
    signature = RequestValidator(AUTH_TOKEN).compute_signature(WEBHOOK_BASE + path, {})
    response = client.post(
        path,
        json.dumps({"MessageSid": SID, "MessageStatus": "failed", "From": NUMBER, "Body": "STOP"}),
        content_type="application/json",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 400
    response = client.post(
        path,
        b"--nope\r\nContent-Disposition: form-data; name=\r\n\r\n",
        content_type="multipart/form-data; boundary=",
        headers={"X-Twilio-Signature": signature},
    )
    assert 400 <= response.status_code < 500
    _unchanged(sent)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"MessageSid": SID},
        {"MessageStatus": "delivered"},
        {"MessageSid": "", "MessageStatus": "delivered"},
        {"MessageSid": SID, "MessageStatus": "DELIVERED!"},
        {"MessageSid": "SM" + "c" * 200, "MessageStatus": "delivered"},
        {"MessageSid": "SM'; DROP TABLE sms_reminder;--", "MessageStatus": "failed"},
        {"MessageSid": SID, "MessageStatus": "failed", "ErrorCode": "1" * 40},
        {"MessageSid": SID, "MessageStatus": "x" * 5000},
    ],
)
def test_a_signed_status_report_with_missing_or_bad_fields_is_a_400(client, sent, params):
    response = _post_form(client, STATUS_PATH, params)
    assert response.status_code == 400
    _unchanged(sent)


def test_a_report_for_an_unknown_message_changes_nothing(client, sent):
    params = {"MessageSid": "SM" + "d" * 32, "MessageStatus": "failed", "ErrorCode": "21610"}
    response = _post_form(client, STATUS_PATH, params)
    # Accepted so that Twilio does not retry a report for a text this site no longer holds.
    assert response.status_code == 204
    _unchanged(sent)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"From": NUMBER},
        {"Body": "STOP"},
        {"From": "", "Body": "STOP"},
        {"From": "not a number", "Body": "STOP"},
        {"From": "+" + "4" * 40, "Body": "STOP"},
        {"From": "whatsapp:" + NUMBER, "Body": "STOP"},
    ],
)
def test_a_signed_inbound_text_with_missing_or_bad_fields_is_a_400(client, sent, params):
    response = _post_form(client, INBOUND_PATH, params)
    assert response.status_code == 400
    _unchanged(sent)


def test_the_webhooks_take_only_post(client, signing):
    for path in (STATUS_PATH, INBOUND_PATH):
        for method in (client.get, client.put, client.delete):
            assert method(path).status_code == 405


# --- Forms -------------------------------------------------------------------------------------


@pytest.fixture
def worker(client, caseworker_a, manager_a, team_a):
    case = CaseFactory(team=team_a, by=manager_a, given_name="Valid")
    case = case_services.case_accept(
        by=manager_a, case=case, caseworker=caseworker_a, expected_version=case.version
    )
    client.force_login(caseworker_a)
    return case


def _refused(response):
    # 409: a version that is not the record's (a stale or made-up one) is a conflict.
    assert response.status_code in (200, 400, 409), response.status_code
    content = response.content.decode()
    assert "There is a problem" in content, content[:3000]
    return content


CASE_VALUES = {
    "referral_date": "2026-03-01",
    "referral_source": "first_responder",
    "knows_of_referral": "yes",
    "consents_to_referral": "yes",
    "risk_at_intake": "medium",
    "given_name": "Garbage",
    "gender": "female",
    "date_of_birth": "1990-01-01",
    "nationality_group": "other",
    "immigration_status": "unknown",
    "identity_documents": "none",
    "interpreter_gender": "any",
    "exploitation_types": ["labour"],
    "jurisdiction": "scotland",
}


@pytest.mark.parametrize(
    "garbage, field_error",
    [
        ({"referral_date": "yesterday"}, "Enter a valid date"),
        ({"date_of_birth": "1990-02-31"}, "Enter a valid date"),
        ({"date_of_birth": "99999-01-01"}, "Enter a valid date"),
        ({"referral_date": "2099-01-01"}, "cannot be in the future"),
        ({"gender": "unicorn"}, "Select a valid choice"),
        ({"exploitation_types": ["sexual", "nonsense"]}, "Select a valid choice"),
        ({"given_name": OVERLONG}, "at most"),
        ({"referring_agency": "999999999"}, "Select a valid choice"),
        ({"referring_agency": "1; DROP TABLE casework_case"}, "Select a valid choice"),
        ({"claimed_nationality": "XX"}, "Select a valid choice"),
        ({"given_name": ""}, "This field is required"),
    ],
)
def test_a_new_case_with_garbage_gets_a_form_error(client, manager_a, team_a, garbage, field_error):
    client.force_login(manager_a)
    before = Case.objects.count()
    response = client.post(
        reverse("casework:case_new"), {**CASE_VALUES, "team": team_a.pk, **garbage}
    )
    assert field_error in _refused(response)
    assert Case.objects.count() == before


def test_a_new_case_in_another_organisations_team_is_refused(client, manager_a, org_b):
    client.force_login(manager_a)
    theirs = TeamFactory(organisation=org_b)
    response = client.post(reverse("casework:case_new"), {**CASE_VALUES, "team": theirs.pk})
    assert "Select a valid choice" in _refused(response)
    assert not Case.objects.filter(team=theirs).exists()


def test_allocating_to_someone_of_another_organisation_is_refused(
    client, worker, manager_a, make_user, org_b, caseworker_a
):
    outsider = make_user(org_b, Role.CASEWORKER, username="outsider.b")
    client.force_login(manager_a)
    url = reverse("casework:case_allocate", args=[worker.pk])
    for data in (
        {"version": worker.version, "caseworker": outsider.pk},
        {"version": "not a number", "caseworker": caseworker_a.pk},
        {"version": worker.version, "caseworker": "abc"},
        {"version": 10**30, "caseworker": caseworker_a.pk},
    ):
        _refused(client.post(url, data))
    worker.refresh_from_db()
    assert worker.caseworker == caseworker_a


@pytest.mark.parametrize(
    "garbage, field_error",
    [
        ({"kind": "séance"}, "Select a valid choice"),
        ({"starts_at": "next Tuesday"}, "Enter a valid date/time"),
        ({"duration_minutes": "half an hour"}, "Enter a whole number"),
        ({"duration_minutes": "-30"}, ""),
        ({"duration_minutes": str(10**20)}, ""),
        ({"with_whom": OVERLONG}, "at most"),
        ({"booking": "maybe"}, "Select a valid choice"),
    ],
)
def test_an_appointment_with_garbage_gets_a_form_error(client, worker, garbage, field_error):
    values = {
        "kind": "gp",
        "with_whom": "Dr X",
        "booking": "booked",
        "starts_at": "2026-03-04T10:30",
        "duration_minutes": "30",
    }
    response = client.post(
        reverse("casework:appointment_new", args=[worker.pk]), {**values, **garbage}
    )
    assert field_error in _refused(response)
    assert not Appointment.objects.exists()


def test_an_appointment_about_another_cases_legal_matter_is_refused(
    client, worker, team_a, manager_a
):
    from casework.models import LegalMatter

    other = CaseFactory(team=team_a, by=manager_a)
    matter = LegalMatter.objects.create(
        case=other, kind="immigration", opened_on="2026-01-01", created_by=manager_a
    )
    LegalMatter.objects.create(
        case=worker, kind="immigration", opened_on="2026-01-01", created_by=manager_a
    )
    response = client.post(
        reverse("casework:appointment_new", args=[worker.pk]),
        {
            "kind": "legal",
            "with_whom": "Solicitor",
            "booking": "booked",
            "starts_at": "2026-03-04T10:30",
            "duration_minutes": "30",
            "legal_matter": matter.pk,
        },
    )
    assert "Select a valid choice" in _refused(response)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "garbage",
    [
        {"number": "07700 900123" * 50},
        {"number": "\x00\x01\x02"},
        {"safe_from": "25:99", "safe_until": "26:00"},
        {"language": "klingon"},
        {"verified_on": "31/31/2026"},
        {"sender_name": "=cmd|' /C calc'!A0"},
        {"label": OVERLONG},
    ],
)
def test_a_safe_contact_with_garbage_gets_a_form_error(client, worker, garbage):
    values = {
        "number": "07700 900123",
        "safe_to_text": "on",
        "sender_name": "Clinic",
        "language": "en",
        "verified_on": "2026-03-01",
    }
    response = client.post(reverse("casework:contact_new", args=[worker.pk]), {**values, **garbage})
    _refused(response)
    assert not SafeContact.objects.exists()


def test_an_overlong_case_note_is_refused_or_kept_whole_never_an_error(client, worker):
    response = client.post(
        reverse("casework:record_add", args=[worker.pk, "note"]), {"body": "\x00" + OVERLONG}
    )
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert not CaseNote.objects.exists()


def test_a_placement_request_to_an_organisation_without_places_is_refused(
    client, worker, make_user, org_b, org_a
):
    manager_b = make_user(org_b, Role.ACCOMMODATION_MANAGER, username="am.bad")
    prop = property_save(
        by=manager_b,
        prop=Property(
            name="Real House",
            kind="refuge",
            address="1 Road",
            postcode="G40 1AA",
            local_authority="Glasgow City",
            region="West of Scotland",
        ),
    )
    unit_save(by=manager_b, unit=Unit(property=prop, name="Main"), bed_spaces=1)
    url = reverse("accommodation:placement_request", args=[worker.pk])
    values = {"known_as": "Valid", "gender": "female", "risk_level": "high"}
    for garbage in (
        {"provider": org_a.pk},  # no properties: not a provider
        {"provider": "999999"},
        {"provider": org_b.pk, "gender": "none of these"},
        {"provider": org_b.pk, "risk_level": "extreme"},
        {"provider": org_b.pk, "known_as": OVERLONG},
        {"provider": org_b.pk, "children_ages": "ten, eleven"},
    ):
        _refused(client.post(url, {**values, **garbage}))
    assert not Placement.objects.exists()


def test_a_message_template_with_garbage_gets_a_form_error(client, admin_a):
    client.force_login(admin_a)
    before = MessageTemplate.objects.count()
    url = reverse("sms:template_new")
    for garbage in (
        {"key": "appointment", "language": "en", "body": "{date} " + "x" * 2000},
        {"key": "appointment", "language": "en", "body": "Hi {name} at {date}"},
        {"key": "appointment", "language": "en", "body": "{date"},
        {"key": "not-a-purpose", "language": "en", "body": "{date} {time}"},
        {"key": "appointment", "language": "x" * 500, "body": "{date} {time}"},
    ):
        _refused(client.post(url, garbage))
    assert MessageTemplate.objects.count() == before


def test_the_report_filters_refuse_garbage(client, manager_a):
    client.force_login(manager_a)
    url = reverse("reports:detail", args=["service"])
    for query in (
        {"from": "not a date", "to": "2026-01-31"},
        {"from": "2026-01-31", "to": "2026-01-01"},
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"from": "2026-01-01", "to": "2026-01-31", "team": "abc"},
        {"from": "2026-01-01", "to": "2026-01-31", "organisation": str(10**30)},
    ):
        response = client.get(url, query)
        assert response.status_code == 400, query
        assert "There is a problem" in response.content.decode()


def test_a_search_with_garbage_is_answered_not_an_error(client, worker):
    for data in ({"q": OVERLONG}, {"q": "\x00%_*"}, {"dob": "2026-13-45"}, {"q": "' OR 1=1 --"}):
        response = client.post(reverse("casework:search"), data)
        assert response.status_code in (200, 400)


@pytest.mark.parametrize(
    "name, args",
    [
        ("casework:case", [10**20]),
        ("casework:appointment", [1, 10**20]),
        ("accommodation:placement", [2**63]),
        ("marac:referral", [2**64]),
    ],
)
def test_an_id_too_large_for_the_database_is_a_404(client, worker, name, args):
    assert client.get(reverse(name, args=args)).status_code == 404


def test_an_impossible_page_number_is_not_an_error(client, worker):
    url = reverse("casework:case", args=[worker.pk])
    for page in ("abc", "-1", "0", str(10**30)):
        assert client.get(url, {"page": page}).status_code in (200, 404)


def test_reminder_status_service_ignores_an_unknown_message(db):
    assert sms_services.reminder_status_update(provider_id="SMnope", status="delivered") is False
