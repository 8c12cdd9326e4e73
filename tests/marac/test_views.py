import datetime

import pytest
from django.urls import reverse

from carepath.people.models import Role
from marac.models import Incident, MaracArea, RiskAssessment
from tests.marac.conftest import TODAY


def _answers_post(dash, yes: int, **extra):
    data = {"checklist": dash.pk, "assessed_on": TODAY.isoformat(), "police_incidents_12_months": 0}
    for n in range(1, 25):
        data[f"q{n}"] = "yes" if n <= yes else "no"
    data.update(extra)
    return data


def test_record_an_assessment_through_the_page(client, case_a, caseworker_a, dash, org_a):
    MaracArea.objects.create(organisation=org_a, name="Northtown MARAC")
    client.force_login(caseworker_a)
    case_page = client.get(reverse("casework:case", args=[case_a.pk])).content.decode()
    assert "No risk assessment yet." in case_page

    url = reverse("marac:assessment_new", args=[case_a.pk])
    page = client.get(url).content.decode()
    assert "Strangulation" in page and "Children at risk" in page
    assert page.index("Injury") < page.index("Fear") < page.index("Criminal history")

    response = client.post(url, _answers_post(dash, 14, police_incidents_12_months=3))
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment = RiskAssessment.objects.get()
    assert (assessment.score, assessment.level, assessment.checklist) == (14, "high", dash)
    assert assessment.police_incidents_12_months == 3

    case_page = client.get(reverse("casework:case", args=[case_a.pk])).content.decode()
    assert "Current level: High" in case_page
    assert "Northtown MARAC:</strong> eligible" in case_page
    assert "Visible high risk" in case_page and "Potential escalation" in case_page
    assert "Re-assess the risk" not in case_page


def test_errors_go_in_the_error_summary(client, case_a, caseworker_a, dash):
    client.force_login(caseworker_a)
    url = reverse("marac:assessment_new", args=[case_a.pk])
    data = _answers_post(dash, 14, judgement_level="medium", judgement_reasons="Moved away")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert "Professional judgement cannot lower the level from the score" in (
        response.content.decode()
    )

    data = _answers_post(dash, 3)
    del data["q5"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Answer yes, no or not known." in response.content.decode()
    assert not RiskAssessment.objects.exists()

    assert client.post(url, {**_answers_post(dash, 3), "checklist": "x"}).status_code == 404


def test_record_an_incident_prompts_a_reassessment(client, case_a, caseworker_a, dash):
    client.force_login(caseworker_a)
    client.post(reverse("marac:assessment_new", args=[case_a.pk]), _answers_post(dash, 3))
    response = client.post(
        reverse("marac:incident_new", args=[case_a.pk]),
        {"occurred_on": TODAY.isoformat(), "police_reported": "on", "summary": "Threats by text"},
    )
    assert response.status_code == 302
    assert Incident.objects.get().police_reported
    case_page = client.get(reverse("casework:case", args=[case_a.pk])).content.decode()
    assert "Re-assess the risk" in case_page
    assert "Threats by text" in case_page

    future = (TODAY + datetime.timedelta(days=2)).isoformat()
    response = client.post(reverse("marac:incident_new", args=[case_a.pk]), {"occurred_on": future})
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()


@pytest.fixture(params=["caseworker_b", "accommodation_manager", "marac_chair", "manager_b"])
def outsider(request, make_user, org_a, team_a):
    if request.param == "accommodation_manager":
        return make_user(org_a, Role.ACCOMMODATION_MANAGER, teams=[team_a])
    if request.param == "marac_chair":
        return make_user(org_a, Role.MARAC_CHAIR, teams=[team_a])
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("name", ["assessment_new", "incident_new"])
def test_outsiders_get_404_and_change_nothing(client, case_a, outsider, dash, name):
    client.force_login(outsider)
    url = reverse(f"marac:{name}", args=[case_a.pk])
    assert client.get(url).status_code == 404
    data = {**_answers_post(dash, 14), "occurred_on": TODAY.isoformat()}
    assert client.post(url, data).status_code == 404
    assert not RiskAssessment.objects.exists() and not Incident.objects.exists()


def test_the_form_names_its_checklist_version_and_bands(client, case_a, caseworker_a, dash):
    client.force_login(caseworker_a)
    page = client.get(reverse("marac:assessment_new", args=[case_a.pk])).content.decode()
    assert f"{dash.name} · version {dash.version}" in page
    assert "14 or more is high risk, 10 or more medium" in page
