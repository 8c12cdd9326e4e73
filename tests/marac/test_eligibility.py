import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marac.models import Incident, MaracArea, MaracReferral
from marac.selectors.risk import marac_eligibility, risk_summary
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


def _summary_criteria(case, today):
    return {e.area.pk: e.criteria for e in risk_summary(case, today=today)["eligibility"]}


def test_the_case_page_finds_what_each_area_finds(
    case_a, caseworker_a, manager_a, dash, area, org_a, referred
):
    other = MaracArea.objects.create(organisation=org_a, name="Westborough MARAC")
    _incident(case_a, caseworker_a, 11)
    earlier = TODAY - relativedelta(days=10)
    for assessed_on, yes in ((earlier, 15), (TODAY, 0)):
        risk_assessment_record(
            by=caseworker_a,
            case=case_a,
            checklist=dash,
            assessed_on=assessed_on,
            answers=answers_with(yes),
        )
    MaracReferral.objects.create(
        case=case_a, area=area, referred_on=TODAY - relativedelta(days=2), referred_by=manager_a
    )
    MaracReferral.objects.create(
        case=case_a, area=other, referred_on=REFERRED_ON, referred_by=manager_a
    )
    # As of five days ago the later assessment and referral had not been made.
    for day in (TODAY - relativedelta(days=5), TODAY):
        expected = {a.pk: marac_eligibility(case_a, a, today=day).criteria for a in (area, other)}
        assert _summary_criteria(case_a, day) == expected
    assert _summary_criteria(case_a, TODAY - relativedelta(days=5)) == {
        area.pk: ["visible_high_risk", "repeat"],
        other.pk: ["visible_high_risk", "repeat"],
    }
    # Today: the low score is in force, and the incident came before this area's new referral.
    assert _summary_criteria(case_a, TODAY) == {area.pk: [], other.pk: ["repeat"]}


def test_the_case_page_reads_no_more_for_more_areas(
    case_a, caseworker_a, dash, area, org_a, django_assert_max_num_queries
):
    _assess(case_a, caseworker_a, dash, 15)
    risk_summary(case_a, today=TODAY)  # content types and the like, looked up once
    with CaptureQueriesContext(connection) as one_area:
        risk_summary(case_a, today=TODAY)
    for name in ("North", "South", "East"):
        MaracArea.objects.create(organisation=org_a, name=f"{name} MARAC")
    with django_assert_max_num_queries(len(one_area)):
        assert len(risk_summary(case_a, today=TODAY)["eligibility"]) == 4
