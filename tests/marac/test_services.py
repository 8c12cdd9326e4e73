import datetime

import pytest

from carepath.audit.models import TimelineEvent
from carepath.pathway import PathwayError
from carepath.policy import PolicyDenied
from marac.models import Incident, RiskAssessment
from marac.selectors.risk import assessments_of, reassessment_due
from marac.services.risk import incident_record, risk_assessment_record
from tests.marac.conftest import TODAY, answers_with


def _assess(case, by, checklist, yes, **kwargs):
    kwargs.setdefault("assessed_on", TODAY)
    return risk_assessment_record(
        by=by, case=case, checklist=checklist, answers=answers_with(yes), **kwargs
    )


@pytest.mark.parametrize(
    ("yes", "level"),
    [(9, "standard"), (10, "medium"), (13, "medium"), (14, "high")],
)
def test_score_bands(case_a, caseworker_a, dash, yes, level):
    assessment = _assess(case_a, caseworker_a, dash, yes)
    assert (assessment.score, assessment.score_level, assessment.level) == (yes, level, level)
    assert TimelineEvent.objects.filter(subject_id=case_a.pk, kind="risk.assessed").exists()


def test_an_unanswered_question_is_refused(case_a, caseworker_a, dash):
    answers = answers_with(5)
    del answers["7"]
    answers["12"] = "maybe"
    with pytest.raises(PathwayError, match="Unanswered: 7, 12"):
        risk_assessment_record(
            by=caseworker_a, case=case_a, checklist=dash, assessed_on=TODAY, answers=answers
        )
    assert not RiskAssessment.objects.exists()


def test_professional_judgement_raises_the_level(case_a, caseworker_a, dash):
    assessment = _assess(
        case_a,
        caseworker_a,
        dash,
        4,
        judgement_level="high",
        judgement_reasons="She was strangled last week and fears for her life.",
    )
    assert (assessment.score_level, assessment.level) == ("standard", "high")


def test_professional_judgement_cannot_lower_the_level(case_a, caseworker_a, dash):
    with pytest.raises(PathwayError, match="cannot lower the level"):
        _assess(
            case_a,
            caseworker_a,
            dash,
            14,
            judgement_level="medium",
            judgement_reasons="He has moved away.",
        )
    assert not RiskAssessment.objects.exists()


def test_professional_judgement_needs_reasons(case_a, caseworker_a, dash):
    with pytest.raises(PathwayError, match="reasons"):
        _assess(case_a, caseworker_a, dash, 4, judgement_level="high", judgement_reasons="  ")


def test_an_assessment_cannot_be_in_the_future(case_a, caseworker_a, dash):
    with pytest.raises(PathwayError, match="future"):
        _assess(case_a, caseworker_a, dash, 4, assessed_on=TODAY + datetime.timedelta(days=1))


def test_someone_who_cannot_edit_the_case_is_refused(case_a, caseworker_b, dash):
    with pytest.raises(PolicyDenied):
        _assess(case_a, caseworker_b, dash, 4)
    with pytest.raises(PolicyDenied):
        incident_record(
            by=caseworker_b, case=case_a, occurred_on=TODAY, police_reported=True, summary=""
        )
    assert not RiskAssessment.objects.exists() and not Incident.objects.exists()


def test_history_and_reassessment_prompt(case_a, caseworker_a, dash):
    assert reassessment_due(case_a)  # nothing assessed yet
    first = _assess(case_a, caseworker_a, dash, 8, assessed_on=datetime.date(2026, 1, 10))
    second = _assess(case_a, caseworker_a, dash, 11, assessed_on=datetime.date(2026, 2, 10))
    assert list(assessments_of(case_a)) == [second, first]
    assert not reassessment_due(case_a)

    incident_record(
        by=caseworker_a,
        case=case_a,
        occurred_on=datetime.date(2026, 2, 1),
        police_reported=True,
        summary="Before the latest assessment",
    )
    assert not reassessment_due(case_a)

    incident_record(
        by=caseworker_a,
        case=case_a,
        occurred_on=datetime.date(2026, 2, 20),
        police_reported=True,
        summary="Pushed down the stairs",
    )
    assert reassessment_due(case_a)
    assert TimelineEvent.objects.filter(subject_id=case_a.pk, kind="incident.recorded").count() == 2

    _assess(case_a, caseworker_a, dash, 12)
    assert not reassessment_due(case_a)


def test_an_incident_cannot_be_in_the_future(case_a, caseworker_a):
    with pytest.raises(PathwayError, match="future"):
        incident_record(
            by=caseworker_a,
            case=case_a,
            occurred_on=TODAY + datetime.timedelta(days=1),
            police_reported=False,
        )
