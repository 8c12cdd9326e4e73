"""An appointment can belong to one of its case's legal matters (a court date, a solicitor's
meeting), never to another case's."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from carepath.audit.models import TimelineEvent
from carepath.pathway import PathwayError
from casework.forms import AppointmentForm
from casework.models import Appointment, CivilMatter, CriminalJusticeMatter, LegalMatter
from casework.services import appointments as services
from casework.services import cases as case_services

LONDON = ZoneInfo("Europe/London")
WHEN = datetime.datetime(2026, 3, 5, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False)


@pytest.fixture
def case(case_a, manager_a, caseworker_a):
    case_services.case_accept(
        by=manager_a, case=case_a, caseworker=caseworker_a, expected_version=case_a.version
    )
    return case_a


def _matter(case, by, title="Prosecution of the employer", kind="criminal_justice"):
    matter = LegalMatter.objects.create(
        case=case, kind=kind, title=title, opened_on=datetime.date(2026, 1, 10), created_by=by
    )
    if kind == "criminal_justice":
        CriminalJusticeMatter.objects.create(matter=matter, police_force="Police Scotland")
    else:
        CivilMatter.objects.create(matter=matter, civil_kind="employment_tribunal")
    return matter


def _data(**extra):
    return {
        "kind": "court",
        "with_whom": "Glasgow Sheriff Court",
        "booking": "booked",
        "starts_at": "2026-03-05T10:00",
        "duration_minutes": 120,
        **extra,
    }


# --- The form ------------------------------------------------------------------------------------


def test_the_form_asks_only_when_the_case_has_a_matter(case, case_b, manager_a):
    assert "legal_matter" not in AppointmentForm().fields
    assert "legal_matter" not in AppointmentForm(case=case).fields

    _matter(case_b, manager_a, "Someone else's matter")
    assert "legal_matter" not in AppointmentForm(case=case).fields


def test_the_form_offers_the_case_matters_only(case, case_b, manager_a):
    mine = _matter(case, manager_a)
    tribunal = _matter(case, manager_a, "Unpaid wages", kind="civil")
    _matter(case_b, manager_a, "Someone else's matter")

    field = AppointmentForm(case=case).fields["legal_matter"]
    assert not field.required
    assert [label for _value, label in field.choices] == [
        "Not about a legal matter",
        "Unpaid wages",
        "Prosecution of the employer",
    ]
    assert {m.pk for m in field.queryset} == {mine.pk, tribunal.pk}


def test_the_form_refuses_another_cases_matter(case, case_b, manager_a):
    _matter(case, manager_a)
    theirs = _matter(case_b, manager_a, "Someone else's matter")
    form = AppointmentForm(_data(legal_matter=theirs.pk), case=case)
    assert not form.is_valid()
    assert "legal_matter" in form.errors


def test_the_form_accepts_the_case_matter_or_none(case, manager_a):
    mine = _matter(case, manager_a)
    form = AppointmentForm(_data(legal_matter=mine.pk), case=case)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["legal_matter"] == mine

    form = AppointmentForm(_data(legal_matter=""), case=case)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["legal_matter"] is None


# --- The service ---------------------------------------------------------------------------------


def _create(case, by, **values):
    values = {"kind": "court", "with_whom": "Glasgow Sheriff Court", "starts_at": WHEN, **values}
    return services.appointment_create(by=by, case=case, values=values, book=True)


def test_an_appointment_is_linked_to_its_case_matter(case, caseworker_a, manager_a):
    mine = _matter(case, manager_a)
    appointment = _create(case, caseworker_a, legal_matter=mine)
    appointment.refresh_from_db()
    assert appointment.legal_matter == mine
    assert list(mine.appointments.all()) == [appointment]
    event = TimelineEvent.objects.filter(kind="appointment.requested").get()
    assert event.detail["legal_matter"] == mine.pk


def test_an_appointment_without_a_matter_is_still_recorded(case, caseworker_a):
    appointment = _create(case, caseworker_a)
    assert appointment.legal_matter is None
    assert _create(case, caseworker_a, legal_matter=None).legal_matter is None


def test_another_cases_matter_is_refused_and_nothing_is_recorded(
    case, case_b, caseworker_a, manager_a
):
    theirs = _matter(case_b, manager_a, "Someone else's matter")
    with pytest.raises(PathwayError, match="legal matter of this case"):
        _create(case, caseworker_a, legal_matter=theirs)
    assert not Appointment.objects.exists()


def test_removing_a_matter_keeps_its_appointments(case, caseworker_a, manager_a):
    mine = _matter(case, manager_a)
    appointment = _create(case, caseworker_a, legal_matter=mine)
    mine.delete()
    appointment.refresh_from_db()
    assert appointment.legal_matter is None


# --- The appointment's page ----------------------------------------------------------------------


def test_the_appointment_page_shows_its_matter(client, case, caseworker_a, manager_a):
    mine = _matter(case, manager_a)
    linked = _create(case, caseworker_a, legal_matter=mine)
    unlinked = _create(case, caseworker_a, kind="gp", with_whom="Dr Patel")
    client.force_login(caseworker_a)

    page = client.get(reverse("casework:appointment", args=[case.pk, linked.pk])).content.decode()
    assert "<dt>Legal matter</dt>" in page
    assert reverse("casework:legal_matter", args=[case.pk, mine.pk]) in page
    assert "Prosecution of the employer" in page

    page = client.get(reverse("casework:appointment", args=[case.pk, unlinked.pk])).content.decode()
    assert "Legal matter" not in page


# --- The page ------------------------------------------------------------------------------------


def test_booking_through_the_page_links_the_case_matter_only(client, case, case_b, caseworker_a):
    own = _matter(case, caseworker_a)
    other = _matter(case_b, caseworker_a, title="Someone else's matter")
    client.force_login(caseworker_a)
    url = reverse("casework:appointment_new", args=[case.pk])
    assert own.title in client.get(url).content.decode()
    refused = client.post(url, _data(legal_matter=other.pk))
    assert refused.status_code == 200 and not Appointment.objects.exists()
    response = client.post(url, _data(legal_matter=own.pk))
    assert response.status_code == 302
    assert Appointment.objects.get().legal_matter == own
