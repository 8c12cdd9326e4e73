"""On the demo data, through the pages: a caseworker opens a compensation claim, records the
application and the decision, and sees the review deadline on the caseload; an overdue legal
deadline is shown to the service manager as breached."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from carepath.people.models import User
from casework.models import Case, CaseState, LegalMatter

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def demo(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC), tick=False)
    call_command("seed_demo", stdout=StringIO())


def _post(client, url, data, *, expect=302):
    response = client.post(url, data)
    assert response.status_code == expect, response.content.decode()[:3000]
    return response


def test_a_caseworker_opens_a_claim_records_a_decision_and_sees_the_review_deadline(demo, client):
    worker = User.objects.get(username="caseworker.clyde")
    case = (
        Case.objects.filter(caseworker=worker, state=CaseState.SUPPORTED)
        .exclude(legal_matters__kind="cica")
        .order_by("pk")
        .first()
    )
    client.force_login(worker)
    case_page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    new_url = reverse("casework:legal_new", args=[case.pk, "cica"])
    assert new_url in case_page
    _post(
        client,
        new_url,
        {
            "title": "CICA claim: assault in March",
            "opened_on": "2026-11-20",
            "incident_on": "2026-03-01",
            "reported_on": "2026-03-02",
            "solicitor": "",
            "firm": "",
            "legal_aid_reference": "",
            "notes": "",
        },
    )
    matter = LegalMatter.objects.get(case=case, title="CICA claim: assault in March")
    claim = matter.cica
    # A decision cannot come before the application: the form says so and nothing changes.
    apply_url = reverse("casework:legal_action", args=[case.pk, matter.pk, "apply"])
    _post(client, apply_url, {"version": claim.version, "on": "2026-06-01", "reference": "X1"})
    claim.refresh_from_db()
    decide_url = reverse("casework:legal_action", args=[case.pk, matter.pk, "decide"])
    refused = _post(
        client,
        decide_url,
        {"version": claim.version, "on": "2026-05-01", "amount": "1000"},
        expect=200,
    ).content.decode()
    assert "before the application" in refused
    claim.refresh_from_db()
    assert claim.state == "applied"
    _post(client, decide_url, {"version": claim.version, "on": "2026-11-02", "amount": "1000"})
    # 56 days after 2 November 2026: ask for a review by 28 December 2026.
    caseload = client.get(reverse("casework:caseload")).content.decode()
    assert re.search(
        r"CICA claim: assault in March: Ask CICA for a review: "
        r'<time datetime="2026-12-28">',
        caseload,
    )


def test_an_overdue_legal_deadline_is_breached_on_the_managers_dashboard(demo, client):
    manager = User.objects.get(username="service.manager.clyde")
    client.force_login(manager)
    dashboard = client.get(reverse("casework:dashboard")).content.decode()
    breached = dashboard[dashboard.index("Breached targets") :].split("Caseloads")[0]
    # The demo's police investigation last heard from the police six weeks ago.
    assert re.search(r"Update from the police", breached)
