import datetime
import hashlib
import re

import pytest
from django.urls import reverse

from carepath.people import services
from carepath.people.models import CalendarFeed, Role
from casework.views.calendar import ics_fold, ics_text
from tests.calendar.conftest import london

NOW = london(2026, 2, 2, 9, 0)
UTC = datetime.UTC


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def secret_case(team_a, caseworker_a, allocated_case):
    return allocated_case(
        team_a,
        caseworker_a,
        given_name="Zephyrine",
        family_name="Quillfeather",
        aliases="Zuzu Nightjar",
    )


@pytest.fixture
def secret_appointment(secret_case, appointment):
    return appointment(
        secret_case,
        london(2026, 2, 10, 14, 30),
        kind="sexual_health",
        duration_minutes=45,
        with_whom="Dr Hollowbrook, Sandyford clinic",
        location="14 Larkspur Crescent, Glasgow",
        notes="Call her on 07700 900461",
        transport_notes="Taxi from the Larkspur refuge",
    )


def _feed_url(token: str) -> str:
    return reverse("calendar:feed", kwargs={"token": token})


def _unfold(body: str) -> list[str]:
    return body.replace("\r\n ", "").split("\r\n")[:-1]


def test_creating_a_feed_shows_its_address_once_and_stores_only_a_hash(client, caseworker_a):
    client.force_login(caseworker_a)
    page = client.get(reverse("calendar:feed_settings"))
    assert page.status_code == 200
    assert "Create a calendar feed" in page.content.decode()

    response = client.post(reverse("calendar:feed_settings"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    found = re.findall(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics", html)
    assert len(found) == 1
    token = found[0]
    assert len(token) >= 43
    assert f"http://testserver{_feed_url(token)}" in html

    feed = CalendarFeed.objects.get(user=caseworker_a)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CalendarFeed.objects.filter(pk=feed.pk).values().get())

    again = client.get(reverse("calendar:feed_settings")).content.decode()
    assert token not in again
    assert "Replace the feed with a new address" in again
    assert client.get(_feed_url(token)).status_code == 200


def test_feed_forms_need_the_csrf_token(caseworker_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker_a)
    assert client.post(reverse("calendar:feed_settings")).status_code == 403
    assert client.post(reverse("calendar:feed_revoke")).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_revoking_the_feed_makes_its_address_404(client, caseworker_a):
    token = services.calendar_feed_create(user=caseworker_a)
    assert client.get(_feed_url(token)).status_code == 200
    client.force_login(caseworker_a)
    assert client.get(reverse("calendar:feed_revoke")).status_code == 405
    response = client.post(reverse("calendar:feed_revoke"), follow=True)
    assert "switched off" in response.content.decode()
    assert "Create a calendar feed" in response.content.decode()
    client.logout()
    assert client.get(_feed_url(token)).status_code == 404
    assert CalendarFeed.objects.get().revoked_at == NOW


def test_replacing_the_feed_stops_the_old_address(client, caseworker_a):
    old = services.calendar_feed_create(user=caseworker_a)
    client.force_login(caseworker_a)
    html = client.post(reverse("calendar:feed_settings")).content.decode()
    new = re.findall(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics", html)[0]
    client.logout()
    assert new != old
    assert client.get(_feed_url(old)).status_code == 404
    assert client.get(_feed_url(new)).status_code == 200
    assert CalendarFeed.objects.filter(user=caseworker_a, revoked_at__isnull=True).count() == 1


def test_unknown_tokens_and_inactive_or_moved_people_get_a_plain_404(
    client, caseworker_a, teammate_a
):
    assert client.get(_feed_url("A" * 43)).status_code == 404
    assert client.get("/calendar/feed/short.ics").status_code == 404

    token = services.calendar_feed_create(user=caseworker_a)
    caseworker_a.is_active = False
    caseworker_a.save()
    assert client.get(_feed_url(token)).status_code == 404

    token = services.calendar_feed_create(user=teammate_a)
    teammate_a.role_assignments.all().delete()
    assert client.get(_feed_url(token)).status_code == 404


def test_feed_is_icalendar_without_the_persons_name_or_whereabouts(
    client, caseworker_a, secret_case, secret_appointment
):
    token = services.calendar_feed_create(user=caseworker_a)
    response = client.get(_feed_url(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    unfolded = "\n".join(_unfold(body))

    assert secret_case.reference in unfolded
    assert "Sexual health" in unfolded
    for secret in (
        "Zephyrine",
        "Quillfeather",
        "Zuzu",
        "Nightjar",
        "Larkspur",
        "Glasgow",
        "Hollowbrook",
        "Sandyford",
        "07700",
        "Taxi",
        "LOCATION",
        "ATTENDEE",
    ):
        assert secret.lower() not in unfolded.lower()

    lines = _unfold(body)
    event = lines[lines.index("BEGIN:VEVENT") : lines.index("END:VEVENT") + 1]
    props = dict(line.split(":", 1) for line in event)
    assert props["UID"] == f"appointment-{secret_appointment.pk}@carepath"
    assert props["DTSTAMP"] == "20260202T090000Z"
    assert props["DTSTART"] == "20260210T143000Z"  # GMT in February
    assert props["DTEND"] == "20260210T151500Z"
    assert props["SUMMARY"] == f"{secret_case.reference}: Sexual health"
    assert props["DESCRIPTION"].startswith(
        f"Sexual health appointment for case {secret_case.reference}."
    )


def test_feed_times_are_utc_in_summer_time(
    client, caseworker_a, team_a, allocated_case, appointment
):
    case = allocated_case(team_a, caseworker_a)
    appointment(case, london(2026, 7, 1, 9, 0), duration_minutes=90)
    body = client.get(_feed_url(services.calendar_feed_create(user=caseworker_a))).content
    assert b"DTSTART:20260701T080000Z\r\n" in body
    assert b"DTEND:20260701T093000Z\r\n" in body


def test_feed_structure_follows_rfc_5545(client, caseworker_a, secret_appointment):
    token = services.calendar_feed_create(user=caseworker_a)
    raw = client.get(_feed_url(token)).content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    # The description is longer than a line: it is folded, and unfolds to one property.
    assert any(line.startswith(b" ") for line in physical)
    lines = _unfold(raw.decode())
    assert lines.count("BEGIN:VCALENDAR") == lines.count("END:VCALENDAR") == 1
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    stack = []
    for line in lines:
        assert re.match(r"^[A-Z][A-Z0-9-]*[;:]", line), line
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert stack == []
    for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert sum(line.startswith(f"{name}:") for line in lines) == 1


def test_feed_has_only_booked_appointments_of_my_own_cases_from_30_days_ago(
    client, caseworker_a, teammate_a, team_a, manager_a, allocated_case, appointment
):
    from tests.factories import CaseFactory

    mine = allocated_case(team_a, caseworker_a)
    teammates = allocated_case(team_a, teammate_a)
    unallocated = CaseFactory(team=team_a, by=manager_a)
    recent = appointment(mine, NOW - datetime.timedelta(days=29), kind="dental")
    future = appointment(mine, NOW + datetime.timedelta(days=60), kind="court")
    old = appointment(mine, NOW - datetime.timedelta(days=31), kind="legal")
    requested = appointment(mine, NOW + datetime.timedelta(days=1), state="requested")
    cancelled = appointment(mine, NOW + datetime.timedelta(days=2), state="cancelled")
    theirs = appointment(teammates, NOW + datetime.timedelta(days=3))
    nobodys = appointment(unallocated, NOW + datetime.timedelta(days=4))

    body = client.get(_feed_url(services.calendar_feed_create(user=caseworker_a))).content
    uids = set(re.findall(rb"UID:appointment-(\d+)@carepath", body))
    assert uids == {str(recent.pk).encode(), str(future.pk).encode()}
    for excluded in (old, requested, cancelled, theirs, nobodys):
        assert str(excluded.pk).encode() not in uids
    assert teammates.reference.encode() not in body


def test_a_service_manager_may_have_a_feed_of_the_cases_allocated_to_them(
    client, make_user, org_a, team_a, manager_a, allocated_case, appointment
):
    both = make_user(org_a, Role.SERVICE_MANAGER, Role.CASEWORKER, teams=[team_a])
    case = allocated_case(team_a, both)
    appointment(case, NOW + datetime.timedelta(days=1))
    other = allocated_case(team_a, make_user(org_a, Role.CASEWORKER, teams=[team_a]))
    appointment(other, NOW + datetime.timedelta(days=1))
    body = client.get(_feed_url(services.calendar_feed_create(user=both))).content.decode()
    assert case.reference in body
    assert other.reference not in body


def test_a_person_has_at_most_one_active_feed(caseworker_a, teammate_a):
    first = services.calendar_feed_create(user=caseworker_a)
    second = services.calendar_feed_create(user=caseworker_a)
    services.calendar_feed_create(user=teammate_a)
    assert first != second
    active = CalendarFeed.objects.filter(revoked_at__isnull=True)
    assert active.filter(user=caseworker_a).count() == 1
    assert active.get(user=caseworker_a).token_hash == CalendarFeed.hash_token(second)
    services.calendar_feed_revoke(user=caseworker_a)
    assert not active.filter(user=caseworker_a).exists()
    assert active.filter(user=teammate_a).exists()


def test_fold_splits_at_75_octets_without_breaking_a_character():
    line = "DESCRIPTION:" + "ŵ" * 100  # two octets each
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0]] + [p[1:] for p in parts[1:]]) == line
    assert ics_fold("SUMMARY:short") == "SUMMARY:short"
    exact = "X" * 75
    assert ics_fold(exact) == exact
    assert ics_fold(exact + "Y") == exact + "\r\n Y"


def test_text_values_are_escaped():
    assert ics_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    assert ics_text("bell\x07 and del\x7f") == "bell and del"
