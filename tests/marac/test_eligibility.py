import datetime

import pytest
from dateutil.relativedelta import relativedelta

from marac.models import Incident, MaracArea, MaracReferral
from marac.selectors.risk import marac_eligibility
from marac.services.risk import risk_assessment_record
from tests.marac.conftest import TODAY, answers_with


def _assess(case, by, checklist, yes=0, **kwargs):
    return risk_assessment_record(
        by=by,
        case=case,
        checklist=checklist,
        assessed_on=TODAY,
        answers=answers_with(yes),
        **kwargs,
    )


def test_nothing_assessed_is_not_eligible(case_a, area):
    eligibility = marac_eligibility(case_a, area)
    assert (eligibility.eligible, eligibility.criteria, eligibility.reasons) == (False, [], [])


@pytest.mark.parametrize(
    ("yes", "criteria"),
    [(13, []), (14, ["visible_high_risk"]), (9, []), (10, [])],
)
def test_visible_high_risk_from_a_score_of_14(case_a, caseworker_a, dash, area, yes, criteria):
    _assess(case_a, caseworker_a, dash, yes)
    eligibility = marac_eligibility(case_a, area)
    assert eligibility.criteria == criteria
    assert eligibility.eligible is bool(criteria)
    assert len(eligibility.reasons) == len(criteria)


@pytest.mark.parametrize(("incidents", "escalates"), [(2, False), (3, True)])
def test_potential_escalation_at_3_police_incidents(
    case_a, caseworker_a, dash, area, incidents, escalates
):
    _assess(case_a, caseworker_a, dash, 2, police_incidents_12_months=incidents)
    eligibility = marac_eligibility(case_a, area)
    assert eligibility.criteria == (["potential_escalation"] if escalates else [])
    assert eligibility.eligible is escalates


@pytest.mark.parametrize(("incidents", "escalates"), [(4, False), (5, True)])
def test_potential_escalation_at_the_areas_own_threshold(
    case_a, caseworker_a, dash, org_a, incidents, escalates
):
    strict = MaracArea.objects.create(organisation=org_a, name="Eastshire", escalation_incidents=5)
    _assess(case_a, caseworker_a, dash, 2, police_incidents_12_months=incidents)
    assert ("potential_escalation" in marac_eligibility(case_a, strict).criteria) is escalates


def test_professional_judgement_of_high_risk_is_eligible(case_a, caseworker_a, dash, area):
    _assess(
        case_a,
        caseworker_a,
        dash,
        6,
        judgement_level="high",
        judgement_reasons="Threatened with a knife at the school gate.",
    )
    eligibility = marac_eligibility(case_a, area)
    assert eligibility.eligible and eligibility.criteria == ["professional_judgement"]
    assert "knife" in eligibility.reasons[0]


def test_professional_judgement_of_medium_is_not_a_criterion(case_a, caseworker_a, dash, area):
    _assess(
        case_a, caseworker_a, dash, 6, judgement_level="medium", judgement_reasons="Escalating."
    )
    assert not marac_eligibility(case_a, area).eligible


REFERRED_ON = datetime.date(2025, 1, 15)


@pytest.fixture
def referred(case_a, area, manager_a):
    return MaracReferral.objects.create(
        case=case_a, area=area, referred_on=REFERRED_ON, referred_by=manager_a
    )


def _incident(case, by, months):
    return Incident.objects.create(
        case=case,
        occurred_on=REFERRED_ON + relativedelta(months=months),
        police_reported=False,
        recorded_by=by,
    )


@pytest.mark.parametrize(("months", "repeat"), [(11, True), (12, True), (13, False)])
def test_repeat_within_12_months_of_the_last_referral(
    case_a, caseworker_a, area, referred, months, repeat
):
    _incident(case_a, caseworker_a, months)
    eligibility = marac_eligibility(case_a, area, today=TODAY)
    assert eligibility.repeat is repeat
    # Always eligible when repeat, whatever the score.
    assert eligibility.eligible is repeat
    assert eligibility.criteria == (["repeat"] if repeat else [])


def test_repeat_counts_only_referrals_to_the_same_area(case_a, caseworker_a, org_a, referred):
    _incident(case_a, caseworker_a, 11)
    other = MaracArea.objects.create(organisation=org_a, name="Westborough MARAC")
    assert not marac_eligibility(case_a, other, today=TODAY).eligible


def test_repeat_uses_the_latest_referral(case_a, caseworker_a, area, manager_a, referred):
    _incident(case_a, caseworker_a, 11)
    MaracReferral.objects.create(
        case=case_a,
        area=area,
        referred_on=REFERRED_ON + relativedelta(months=12),
        referred_by=manager_a,
    )
    # The only incident came before the latest referral.
    assert not marac_eligibility(case_a, area, today=TODAY).repeat


def test_criteria_combine(case_a, caseworker_a, dash, area, referred):
    _incident(case_a, caseworker_a, 11)
    _assess(
        case_a,
        caseworker_a,
        dash,
        15,
        judgement_level="high",
        judgement_reasons="Strangulation and threats to kill.",
        police_incidents_12_months=3,
    )
    eligibility = marac_eligibility(case_a, area)
    assert eligibility.criteria == [
        "visible_high_risk",
        "professional_judgement",
        "potential_escalation",
        "repeat",
    ]
    assert len(eligibility.reasons) == 4
