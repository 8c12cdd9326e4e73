"""A caseworker's journey through the pages, on the demo data: intake to support, an RG
decision, and the recovery-period end on the case and on the caseload."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from carepath.people.models import User
from casework import demo_import
from casework.models import Case, CaseState, NrmState

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
    call_command("seed_demo", stdout=StringIO())


def _post(client, url, data, *, expect=302):
    response = client.post(url, data)
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


def test_seed_demo_gives_about_thirty_cases_across_states_ages_and_jurisdictions(demo):
    # The historic cases imported from a spreadsheet for the reports are counted apart.
    cases = list(
        Case.objects.exclude(reference__startswith=demo_import.REFERENCE_PREFIX).select_related(
            "nrm"
        )
    )
    assert 28 <= len(cases) <= 40
    assert Case.objects.filter(reference__startswith=demo_import.REFERENCE_PREFIX).count() > 100
    assert {c.state for c in cases} == set(CaseState.values)
    assert {c.jurisdiction for c in cases} == {"england_wales", "scotland", "northern_ireland"}
    assert any(c.is_child for c in cases) and any(not c.is_child for c in cases)
    before = Case.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Case.objects.count() == before


def test_caseworker_takes_a_referral_to_support_and_sees_the_recovery_period_end(demo, client):
    worker = User.objects.get(username="caseworker.clyde")
    response = client.post(
        reverse("login"), {"username": "caseworker.clyde", "password": "carepath-demo-2026"}
    )
    assert response.status_code == 302
    team = worker.teams.first()

    _post(
        client,
        reverse("casework:case_new"),
        {
            "team": team.pk,
            "referral_date": "2026-11-19",
            "referral_source": "first_responder",
            "knows_of_referral": "yes",
            "consents_to_referral": "yes",
            "risk_at_intake": "medium",
            "given_name": "Adaeze",
            "family_name": "Obi",
            "gender": "female",
            "date_of_birth": "1998-02-14",
            "claimed_nationality": "NG",
            "nationality_group": "other",
            "immigration_status": "unknown",
            "identity_documents": "held_by_exploiter",
            "main_language": "English",
            "interpreter_gender": "any",
            "exploitation_types": ["domestic_servitude"],
            "jurisdiction": "scotland",
            "local_authority": "Glasgow City",
            "immediate_needs": ["place_of_safety", "phone"],
        },
    )
    case = Case.objects.get(given_name="Adaeze")
    assert case.state == CaseState.REFERRED

    _post(
        client,
        reverse("casework:case_transition", args=[case.pk, "accept"]),
        {"version": case.version, "caseworker": worker.pk, "reason": "Taking this on"},
    )
    _post(
        client,
        reverse("casework:record_add", args=[case.pk, "consent"]),
        {"scope": "support", "given_on": "2026-11-19", "method": "verbal"},
    )
    _post(
        client,
        reverse("casework:record_add", args=[case.pk, "consent"]),
        {"scope": "nrm_referral", "given_on": "2026-11-19", "method": "verbal"},
    )
    case.refresh_from_db()
    _post(
        client,
        reverse("casework:case_transition", args=[case.pk, "start_support"]),
        {"version": case.version, "reason": ""},
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUPPORTED

    _post(
        client,
        reverse("casework:nrm_action", args=[case.pk, "submit"]),
        {"version": case.nrm.version, "submitted_on": "2026-11-19"},
    )
    case.nrm.refresh_from_db()
    page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    # Submitted Thu 19 Nov: five working days, skipping the weekend.
    assert "26 Nov 2026" in page

    _post(
        client,
        reverse("casework:nrm_action", args=[case.pk, "decision"]),
        {
            "version": case.nrm.version,
            "positive": "yes",
            "decided_on": "2026-11-20",
            "authority": "sca",
        },
    )
    case.nrm.refresh_from_db()
    assert case.nrm.state == NrmState.RG_POSITIVE

    # Scotland: 90 days from the positive RG decision of 20 Nov 2026.
    page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert re.search(r"Recovery period ends.*?18 Feb 2027", page, re.S)
    caseload = client.get(reverse("casework:caseload")).content.decode()
    row = caseload[caseload.index(case.reference) :]
    row = row[: row.index("</tr>")]
    assert "Recovery period ends" in row and "18 Feb 2027" in row
