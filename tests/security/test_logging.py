"""No personal data in the logs: a whole journey through the pages, logged at DEBUG by every
logger, written out through the handlers' own filter and formatter as production writes them,
holds none of the survivor's details; nor does the report of a server error."""

import datetime
import logging
import logging.config
import sys
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from twilio.request_validator import RequestValidator

import carepath.urls
from accommodation.models import Placement, Property
from carepath.logging import (
    PersonalDataFilter,
    ScrubbedExceptionReporter,
    ScrubbedExceptionReporterFilter,
    redact,
)
from carepath.people.models import Role
from carepath.sms import backends
from carepath.sms.models import OptOut, Reminder, ReminderRule, ReminderState, SafeContact
from carepath.sms.services import reminders_dispatch
from casework.models import Appointment, Case, CaseNote
from marac.models import MaracArea, MaracReferral, RiskChecklist
from marac.services.risk import risk_assessment_record
from tests.marac.conftest import answers_with

LONDON = ZoneInfo("Europe/London")
PASSWORD = "a-long-test-password"
AUTH_TOKEN = "test-auth-token-for-logging-0123456789"
WEBHOOK_BASE = "https://carepath.example"

GIVEN, FAMILY, ALIAS = "Zephyrine", "Quillfeather", "Zephy Quill"
PHONE = "07700 900462"
PHONE_E164 = "+447700900462"
POSTCODE = "G41 7QX"
ADDRESS = f"14 Larkspur Row, Glasgow {POSTCODE}"
EMAIL = "zephyrine.q@example.com"
NOTE = f"Sister Ilsabeth may call from {PHONE}; exploiter drives past Drumchapel caravans"
REFERRER = f"DC Morag Henshaw, 0141 496 0732, {EMAIL}"
DOCTOR = "Dr Evander Pollock"
PROPERTY_ADDRESS = "7 Thistle Wynd, Glasgow G40 2PQ"
PERPETRATOR = "Rhodri Blackwood"

SECRETS = [
    GIVEN,
    FAMILY,
    ALIAS,
    PHONE,
    PHONE.replace(" ", ""),
    PHONE_E164,
    "7700900462",
    POSTCODE,
    POSTCODE.replace(" ", ""),
    "Larkspur",
    EMAIL,
    "Ilsabeth",
    "Drumchapel",
    "Morag Henshaw",
    "0141 496 0732",
    DOCTOR,
    "Evander",
    "Thistle Wynd",
    "G40 2PQ",
    PERPETRATOR,
]


def _boom(request):
    """A view that fails holding personal data in its locals, arguments and message."""
    survivor = request.POST.get("given_name", "")  # noqa: F841 (a local the report must hide)
    raise ValueError(f"Could not text {PHONE} at {POSTCODE} about {EMAIL}")


# This module is the URLconf of the journey: the whole site, and a view that fails.
urlpatterns = [path("boom/", _boom, name="boom"), *carepath.urls.urlpatterns]


# --- Logs as production writes them ------------------------------------------------------------


def _production_writer():
    """The console handler's filter and formatter, as settings.LOGGING builds them."""
    config = django_settings.LOGGING
    handler = config["handlers"]["console"]
    formatter_config = config["formatters"][handler["formatter"]]
    formatter = logging.Formatter(formatter_config["format"])
    filters = [import_string(config["filters"][name]["()"])() for name in handler["filters"]]

    def write(record: logging.LogRecord) -> str:
        for log_filter in filters:
            assert log_filter.filter(record)
        return formatter.format(record)

    return write


@pytest.fixture
def every_logger_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _assert_no_personal_data(records):
    write = _production_writer()
    written = [write(record) for record in records]
    leaks = {
        secret: [line for line in written if secret.lower() in line.lower()] for secret in SECRETS
    }
    assert {secret: lines for secret, lines in leaks.items() if lines} == {}
    return written


def test_every_handler_in_the_settings_masks_personal_data():
    config = django_settings.LOGGING
    assert config["handlers"]
    for name, handler in config["handlers"].items():
        assert "personal_data" in handler.get("filters", ()), name
    assert config["filters"]["personal_data"]["()"] == "carepath.logging.PersonalDataFilter"
    # The handlers Django would otherwise add are replaced or reach the filtered root handler.
    for name in ("django", "django.server"):
        for handler in logging.getLogger(name).handlers:
            assert any(isinstance(f, PersonalDataFilter) for f in handler.filters), name
    root_handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert root_handlers
    for handler in root_handlers:
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters)


# --- The journey -------------------------------------------------------------------------------


def _ok(response, expect=302):
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


def _sign(path: str, params: dict) -> dict:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(WEBHOOK_BASE + path, params)
    return {"X-Twilio-Signature": signature}


@pytest.fixture
def journey_settings(db, settings, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False)
    settings.ADMINS = [("Operations", "operations@example.org")]
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_WEBHOOK_BASE_URL = WEBHOOK_BASE
    settings.SMS_BACKEND = "memory"
    backends.reset_backend()
    for minutes in (1440, 120):
        ReminderRule.objects.get_or_create(purpose="appointment", minutes_before=minutes)
    yield time_machine
    backends.reset_backend()


@pytest.mark.urls(__name__)
def test_a_full_journey_logs_no_personal_data(
    journey_settings,
    every_logger_at_debug,
    client,
    make_user,
    org_a,
    org_b,
    team_a,
    manager_a,
    caseworker_a,
    django_capture_on_commit_callbacks,
):
    clock, caplog = journey_settings, every_logger_at_debug
    am_b = make_user(org_b, Role.ACCOMMODATION_MANAGER, username="am.logging")

    # A service manager signs in with the form and records the referral.
    _ok(client.post(reverse("login"), {"username": manager_a.username, "password": PASSWORD}))
    _ok(
        client.post(
            reverse("casework:case_new"),
            {
                "team": team_a.pk,
                "referral_date": "2026-03-01",
                "referral_source": "first_responder",
                "referrer_contact": REFERRER,
                "knows_of_referral": "yes",
                "consents_to_referral": "yes",
                "risk_at_intake": "high",
                "referral_notes": f"Was living at {ADDRESS}. {NOTE}",
                "given_name": GIVEN,
                "family_name": FAMILY,
                "aliases": ALIAS,
                "gender": "female",
                "date_of_birth": "1996-07-14",
                "claimed_nationality": "VN",
                "nationality_group": "other",
                "immigration_status": "unknown",
                "identity_documents": "held_by_exploiter",
                "main_language": "Vietnamese",
                "interpreter_gender": "any",
                "exploitation_types": ["labour"],
                "jurisdiction": "scotland",
                "local_authority": "Glasgow City",
                "needs_summary": f"Safe phone needed; old number {PHONE}",
                "immediate_needs": ["place_of_safety", "phone"],
            },
        )
    )
    case = Case.objects.get(family_name=FAMILY)
    # Searching by name, and an attempt with a wrong password.
    _ok(client.post(reverse("casework:search"), {"q": FAMILY}), expect=200)
    _ok(
        client.post(
            reverse("casework:case_transition", args=[case.pk, "accept"]),
            {
                "version": case.version,
                "caseworker": caseworker_a.pk,
                "reason": f"Allocated: {GIVEN} asked for a woman worker",
            },
        )
    )
    Client().post(reverse("login"), {"username": caseworker_a.username, "password": GIVEN})

    # The caseworker: a note, a safe contact number, an appointment with its reminders.
    _ok(client.post(reverse("login"), {"username": caseworker_a.username, "password": PASSWORD}))
    _ok(client.get(reverse("casework:case", args=[case.pk])), expect=200)
    _ok(client.post(reverse("casework:record_add", args=[case.pk, "note"]), {"body": NOTE}))
    _ok(
        client.post(
            reverse("casework:contact_new", args=[case.pk]),
            {
                "number": PHONE,
                "label": f"{GIVEN}'s own mobile",
                "safe_to_text": "on",
                "sender_name": "Clinic",
                "language": "en",
                "verified_on": "2026-03-01",
            },
        )
    )
    _ok(
        client.post(
            reverse("casework:appointment_new", args=[case.pk]),
            {
                "kind": "gp",
                "with_whom": DOCTOR,
                "booking": "booked",
                "starts_at": "2026-03-04T10:30",
                "duration_minutes": 30,
                "location": ADDRESS,
                "notes": f"Bring {GIVEN}'s letter",
            },
        )
    )
    assert Appointment.objects.filter(case=case).exists()
    assert SafeContact.objects.get().number == PHONE_E164
    assert CaseNote.objects.filter(case=case).exists()

    # A MARAC referral after a high-risk assessment.
    area = MaracArea.objects.create(organisation=org_a, name="Glasgow MARAC")
    risk_assessment_record(
        by=caseworker_a,
        case=case,
        checklist=RiskChecklist.objects.get(slug="dash", version=1),
        assessed_on=datetime.date(2026, 3, 2),
        answers=answers_with(15),
    )
    _ok(
        client.post(
            reverse("marac:referral_new", args=[case.pk, area.pk]),
            {
                "referred_on": "2026-03-02",
                "referring_agency": "idva",
                "survivor_knows": "on",
                "survivor_consents": "on",
                "safe_contact": f"Text {PHONE} after 6pm",
                "fears": f"{PERPETRATOR} knows the address {ADDRESS}",
                "perpetrators": PERPETRATOR,
                "children_in_household": 1,
            },
        )
    )
    assert MaracReferral.objects.filter(case=case).exists()

    # A refuge place: the provider adds a property, the caseworker asks for a place.
    provider = Client()
    provider.force_login(am_b)
    _ok(
        provider.post(
            reverse("accommodation:property_new"),
            {
                "name": "Rowan House",
                "kind": "refuge",
                "address": PROPERTY_ADDRESS,
                "postcode": "G40 2PQ",
                "local_authority": "Glasgow City",
                "region": "West of Scotland",
                "active": "on",
            },
        )
    )
    prop = Property.objects.get(name="Rowan House")
    _ok(
        provider.post(
            reverse("accommodation:unit_new", args=[prop.pk]),
            {"name": "Ground floor", "women_only": "on", "bed_spaces": "1"},
        )
    )
    _ok(
        client.post(
            reverse("accommodation:placement_request", args=[case.pk]),
            {
                "provider": org_b.pk,
                "known_as": GIVEN,
                "gender": "female",
                "languages": "Vietnamese",
                "risk_level": "high",
                "exclusion_areas": POSTCODE,
            },
        )
    )
    assert Placement.objects.filter(case=case).exists()

    # The day before the appointment the reminder goes out; Twilio reports and she replies.
    clock.move_to(datetime.datetime(2026, 3, 3, 10, 31, tzinfo=LONDON), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_dispatch() == 1
    [text] = backends.get_backend().sent
    assert text.to == PHONE_E164
    reminder = Reminder.objects.get(state=ReminderState.SENT)
    webhooks = Client()
    status_path = reverse("sms_webhooks:twilio_status")
    status = {"MessageSid": reminder.provider_id, "MessageStatus": "delivered", "To": PHONE_E164}
    _ok(webhooks.post(status_path, status, headers=_sign(status_path, status)), expect=204)
    inbound_path = reverse("sms_webhooks:twilio_inbound")
    inbound = {"From": PHONE_E164, "Body": f"STOP this is {GIVEN} at {ADDRESS}"}
    _ok(webhooks.post(inbound_path, inbound, headers=_sign(inbound_path, inbound)), expect=200)
    forged = {"From": PHONE_E164, "Body": "START"}
    webhooks.post(inbound_path, forged, headers={"X-Twilio-Signature": "forged"})
    assert [opt_out.number for opt_out in OptOut.objects.all()] == [PHONE_E164]

    # A server error while personal data is posted and in the address.
    failing = Client(raise_request_exception=False)
    failing.force_login(caseworker_a)
    query = urlencode({"q": FAMILY, "phone": PHONE, "page": "2"})
    response = failing.post(
        f"/boom/?{query}",
        {"given_name": GIVEN, "notes": NOTE, "email": EMAIL},
        HTTP_REFERER=f"{WEBHOOK_BASE}/cases/search/?q={FAMILY}",
    )
    assert response.status_code == 500

    # Everything logged on the way, written out as production writes it.
    written = _assert_no_personal_data(caplog.records)
    assert len(written) >= 10, "too little was logged for the test to mean anything"
    [error] = [line for line in written if "Internal Server Error: /boom/" in line]
    assert "ValueError: Could not text [phone] at [postcode] about [email]" in error
    assert any("Twilio inbound message: opted_out" in line for line in written)

    # And the error report e-mailed to the administrators.
    [report] = [message for message in mail.outbox if "/boom/" in message.subject]
    body = report.body
    for secret in SECRETS:
        assert secret.lower() not in body.lower(), secret
    assert "[phone]" in body and SafeExceptionReporterFilter.cleansed_substitute in body


# --- The filter --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, masked",
    [
        ("Call 07700 900123 today", "Call [phone] today"),
        ("Call 07700900123", "Call [phone]"),
        ("Mobile +44 7700 900123.", "Mobile [phone]."),
        ("Mobile +44 (0)7700 900123", "Mobile [phone]"),
        ("Landline (020) 7946 0958", "Landline [phone]"),
        ("Landline 0141-496-0000", "Landline [phone]"),
        ("From 447700900123", "From [phone]"),
        ("From 00447700900123", "From [phone]"),
        ("Abroad +1 202 555 0143 and +33 1 23 45 67 89", "Abroad [phone] and [phone]"),
        ("Mail jo.bloggs+x@example.co.uk now", "Mail [email] now"),
        (
            "At G41 7QX, SW1A 1AA, ec1a1bb, M1 1AE",
            "At [postcode], [postcode], [postcode], [postcode]",
        ),
        (
            "GET /cases/search/?q=Smith&page=2&dob=1990-01-01",
            "GET /cases/search/?q=[redacted]&page=2&dob=[redacted]",
        ),
    ],
)
def test_the_filter_masks_numbers_addresses_and_query_values(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Reminder 42 for case ABCD-2026-0042: sent",
        "Cleaned up 0 attempts older than 2026-11-24 19:43:35.286942+00:00",
        "Task carepath.sms.tasks.reminders_dispatch[550e8400-e29b-41d4-a716-446655440000] ok",
        "Twilio status delivered for SM1234567890abcdef1234567890abcdef: recorded",
        "Connected to 192.168.100.200 port 6379",
        "Case import into organisation 3 (team 7): 1200 created, 0 skipped",
        "Not Found: /cases/12/appointments/3/",
    ],
)
def test_the_filter_leaves_ids_dates_and_counts(text):
    assert redact(text) == text


def _record(msg, *args, exc_info=None, level=logging.INFO):
    return logging.LogRecord("carepath.test", level, __file__, 1, msg, args, exc_info)


def test_the_filter_masks_arguments_and_keeps_a_clean_template():
    record = _record("Reminder %s to %s for %d", 12, PHONE, 3)
    assert PersonalDataFilter().filter(record) is True
    assert record.getMessage() == "Reminder 12 to [phone] for 3"
    clean = _record("Reminder %s sent", 12)
    PersonalDataFilter().filter(clean)
    assert clean.msg == "Reminder %s sent" and clean.args == (12,)


def test_the_filter_masks_mapping_arguments_tracebacks_and_stacks():
    record = _record("%(who)s at %(where)s", {"who": EMAIL, "where": POSTCODE})
    try:
        raise RuntimeError(f"No answer from {PHONE}")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    record.stack_info = f"Stack (most recent call last):\n  handling {PHONE_E164}"
    PersonalDataFilter().filter(record)
    written = logging.Formatter("%(message)s").format(record)
    assert written.startswith("[email] at [postcode]")
    assert "RuntimeError: No answer from [phone]" in written
    assert "handling [phone]" in written
    for secret in (EMAIL, POSTCODE, PHONE, PHONE_E164):
        assert secret not in written


def test_a_broken_log_call_is_left_for_logging_to_report():
    record = _record("Two %s %s", "only one")
    assert PersonalDataFilter().filter(record) is True
    assert record.args == ("only one",)


# --- The error report --------------------------------------------------------------------------


def _failing_request(user=None):
    request = RequestFactory().post(
        f"/cases/search/?{urlencode({'q': FAMILY, 'page': '3'})}",
        {"given_name": GIVEN, "number": PHONE},
        HTTP_COOKIE=f"sessionid=secret-session-{GIVEN}",
        HTTP_REFERER=f"https://carepath.example/cases/?q={FAMILY}",
    )
    if user is not None:
        request.user = user
    return request


def _report(request, reporter_class):
    survivor_name = f"{GIVEN} {FAMILY}"  # noqa: F841 (a local the report must hide)
    try:
        raise ValueError(f"Lookup failed for {EMAIL} at {POSTCODE}")
    except ValueError:
        exc_type, exc_value, tb = sys.exc_info()
    reporter = reporter_class(request, exc_type, exc_value, tb, is_email=True)
    return reporter.get_traceback_text(), reporter.get_traceback_html()


def test_djangos_own_report_would_show_the_personal_data(settings):
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = "django.views.debug.SafeExceptionReporterFilter"
    from django.views import debug

    debug.get_default_exception_reporter_filter.cache_clear()
    try:
        text, _html = _report(_failing_request(), ExceptionReporter)
    finally:
        settings.DEFAULT_EXCEPTION_REPORTER_FILTER = (
            "carepath.logging.ScrubbedExceptionReporterFilter"
        )
        debug.get_default_exception_reporter_filter.cache_clear()
    assert GIVEN in text and FAMILY in text and EMAIL in text


def test_the_error_report_hides_posts_queries_cookies_locals_and_messages(manager_a):
    from django.views import debug

    assert isinstance(
        debug.get_default_exception_reporter_filter(), ScrubbedExceptionReporterFilter
    )
    assert (
        django_settings.DEFAULT_EXCEPTION_REPORTER == "carepath.logging.ScrubbedExceptionReporter"
    )
    text, html = _report(_failing_request(manager_a), ScrubbedExceptionReporter)
    for report in (text, html):
        for secret in (GIVEN, FAMILY, PHONE, EMAIL, POSTCODE, "secret-session"):
            assert secret not in report, secret
        assert manager_a.get_full_name() not in report
    # What is kept: the kind of error, where it happened, the page number.
    assert "ValueError" in text and "Lookup failed for [email] at [postcode]" in text
    assert "_report" in text
    assert "page = '3'" in text or "page = 3" in text or "'page'" in html


def test_the_report_filter_hides_every_post_value_and_local():
    request = _failing_request()
    report_filter = ScrubbedExceptionReporterFilter()
    substitute = report_filter.cleansed_substitute
    assert report_filter.get_post_parameters(request) == {
        "given_name": substitute,
        "number": substitute,
    }
    assert report_filter.get_safe_cookies(request) == {"sessionid": substitute}
    assert dict(report_filter.get_safe_query(request)) == {"q": substitute, "page": "3"}
    meta = report_filter.get_safe_request_meta(request)
    assert FAMILY not in meta["QUERY_STRING"] and "page=3" in meta["QUERY_STRING"]
    assert FAMILY not in meta["HTTP_REFERER"] and meta["HTTP_COOKIE"] == substitute
    frame = sys._getframe()
    assert set(dict(report_filter.get_traceback_frame_variables(request, frame)).values()) == {
        substitute
    }
    assert report_filter.get_post_parameters(None) == {}


def test_a_500_page_in_production_shows_nothing_of_the_request(client, caseworker_a, settings):
    settings.ROOT_URLCONF = __name__
    failing = Client(raise_request_exception=False)
    failing.force_login(caseworker_a)
    response = failing.post("/boom/", {"given_name": GIVEN})
    assert response.status_code == 500
    assert GIVEN not in response.content.decode()
    assert isinstance(response, HttpResponse)


def test_a_celery_worker_keeps_the_filtered_handlers():
    """A worker sets up logging through Celery, which would replace the root handlers with
    its own unfiltered ones unless the project configures logging itself."""
    from carepath.celery import app

    worker_logging = type(app.log)(app)
    worker_logging.already_setup = False
    try:
        worker_logging.setup_logging_subsystem(loglevel="INFO")
        handlers = logging.getLogger().handlers
        assert handlers
        assert all(any(isinstance(f, PersonalDataFilter) for f in h.filters) for h in handlers)
    finally:
        logging.config.dictConfig(django_settings.LOGGING)
