import datetime

import pytest
from django.urls import reverse

from carepath.pathway import PathwayError
from carepath.people.models import Role
from marac.models import MaracArea, MaracReferral
from marac.services.risk import incident_record, marac_referral_create, risk_assessment_record
from tests.marac.conftest import TODAY, answers_with

VALUES = {
    "referring_agency": "idva",
    "survivor_knows": True,
    "survivor_consents": True,
    "safe_contact": "Through her caseworker only",
    "fears": "Ex-partner",
    "perpetrators": "Ex-partner",
    "children_in_household": 2,
}


def _assess(case, by, checklist, yes, on=TODAY):
    return risk_assessment_record(
        by=by, case=case, checklist=checklist, assessed_on=on, answers=answers_with(yes)
    )


def test_an_eligible_case_is_referred_with_its_criteria(case_a, manager_a, dash, area):
    _assess(case_a, manager_a, dash, yes=15)
    referral = marac_referral_create(
        by=manager_a, case=case_a, area=area, referred_on=TODAY, values=VALUES
    )
    assert referral.criteria == ["visible_high_risk"]
    assert not referral.is_repeat
    assert referral.children_in_household == 2


def test_a_later_incident_within_a_year_makes_a_repeat(case_a, manager_a, dash, area):
    _assess(case_a, manager_a, dash, yes=15, on=datetime.date(2025, 5, 20))
    first = marac_referral_create(
        by=manager_a, case=case_a, area=area, referred_on=datetime.date(2025, 6, 1), values=VALUES
    )
    MaracReferral.objects.filter(pk=first.pk).update(state="heard")
    incident_record(
        by=manager_a, case=case_a, occurred_on=datetime.date(2026, 2, 1), police_reported=True
    )
    _assess(case_a, manager_a, dash, yes=2)  # lower score: still referred, as a repeat
    again = marac_referral_create(
        by=manager_a, case=case_a, area=area, referred_on=TODAY, values=VALUES
    )
    assert again.is_repeat and again.criteria == ["repeat"]


def test_a_case_waiting_to_be_heard_is_not_referred_twice(case_a, manager_a, dash, area):
    _assess(case_a, manager_a, dash, yes=15)
    marac_referral_create(by=manager_a, case=case_a, area=area, referred_on=TODAY, values=VALUES)
    with pytest.raises(PathwayError, match="already referred"):
        marac_referral_create(
            by=manager_a, case=case_a, area=area, referred_on=TODAY, values=VALUES
        )
    assert MaracReferral.objects.count() == 1


def test_a_case_that_meets_no_criterion_is_not_referred(case_a, manager_a, dash, area):
    _assess(case_a, manager_a, dash, yes=9)
    with pytest.raises(PathwayError, match="criterion"):
        marac_referral_create(
            by=manager_a, case=case_a, area=area, referred_on=TODAY, values=VALUES
        )
    assert not MaracReferral.objects.exists()


def test_sharing_without_consent_needs_the_reason(case_a, manager_a, dash, area):
    _assess(case_a, manager_a, dash, yes=15)
    with pytest.raises(PathwayError, match="not consented"):
        marac_referral_create(
            by=manager_a,
            case=case_a,
            area=area,
            referred_on=TODAY,
            values={**VALUES, "survivor_consents": False},
        )
    referral = marac_referral_create(
        by=manager_a,
        case=case_a,
        area=area,
        referred_on=TODAY,
        values={
            **VALUES,
            "survivor_consents": False,
            "without_consent_reason": "High risk of serious harm to her and the children",
        },
    )
    assert referral.without_consent_reason


def test_another_organisations_area_is_refused(case_a, manager_a, dash, org_b):
    _assess(case_a, manager_a, dash, yes=15)
    elsewhere = MaracArea.objects.create(organisation=org_b, name="Elsewhere MARAC")
    with pytest.raises(PathwayError, match="area"):
        marac_referral_create(
            by=manager_a, case=case_a, area=elsewhere, referred_on=TODAY, values=VALUES
        )


def test_refer_through_the_page_and_outsiders_get_404(
    client, case_a, manager_a, dash, area, make_user, org_a
):
    _assess(case_a, manager_a, dash, yes=15)
    url = reverse("marac:referral_new", args=[case_a.pk, area.pk])
    client.force_login(make_user(org_a, Role.MARAC_PARTNER))
    assert client.get(url).status_code == 404
    client.force_login(manager_a)
    case_page = client.get(reverse("casework:case", args=[case_a.pk])).content.decode()
    assert url in case_page
    bad = client.post(url, {**VALUES, "referred_on": "2099-01-01"})
    assert bad.status_code == 200 and "cannot be in the future" in bad.content.decode()
    response = client.post(
        url,
        {**VALUES, "referred_on": "2026-03-02", "survivor_knows": "on", "survivor_consents": "on"},
    )
    assert response.status_code == 302
    assert MaracReferral.objects.get().referred_by == manager_a
