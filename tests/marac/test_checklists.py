import json

import pytest
from django.core.management import CommandError, call_command

from marac.models import RiskChecklist
from marac.services.risk import risk_assessment_record
from tests.marac.conftest import TODAY, answers_with

DASH_TOPICS = [
    "Injury",
    "Fear",
    "Isolation",
    "Depression",
    "Separation",
    "Child contact",
    "Stalking",
    "Pregnancy",
    "Frequency",
    "Escalation",
    "Control",
    "Weapons",
    "Threats to kill",
    "Strangulation",
    "Sexual abuse",
    "Other threats",
    "Harm to others",
    "Animals",
    "Finances",
    "Substance / mental health",
    "Suicide threats",
    "Breaches",
    "Criminal history",
    "Children at risk",
]


def test_shipped_checklists(dash):
    assert list(dash.questions.values_list("topic", flat=True)) == DASH_TOPICS
    assert (dash.high_from, dash.medium_from, dash.source) == (14, 10, "Carepath's own wording")
    trafficking = RiskChecklist.objects.get(slug="trafficking", version=1)
    assert 12 <= trafficking.questions.count() <= 16
    assert trafficking.medium_from < trafficking.high_from <= trafficking.questions.count()


def _file(tmp_path, **changes):
    data = {
        "slug": "dash",
        "name": "Our licensed risk checklist",
        "source": "Licensed wording, 2026",
        "high_from": 3,
        "medium_from": 2,
        "questions": [
            {"number": 1, "topic": "Injury", "text": "Are you hurt?"},
            {"number": 2, "topic": "Fear", "text": "Are you afraid?"},
            {"number": 3, "topic": "Weapons", "text": "Have they used a weapon?"},
        ],
    }
    data.update(changes)
    path = tmp_path / "checklist.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_import_creates_the_next_version_and_keeps_old_assessments(
    tmp_path, dash, case_a, caseworker_a
):
    assessment = risk_assessment_record(
        by=caseworker_a, case=case_a, checklist=dash, assessed_on=TODAY, answers=answers_with(14)
    )

    call_command("import_checklist", str(_file(tmp_path)))

    new = RiskChecklist.objects.get(slug="dash", version=2)
    assert [q.text for q in new.questions.all()] == [
        "Are you hurt?",
        "Are you afraid?",
        "Have they used a weapon?",
    ]
    dash.refresh_from_db()
    assert dash.questions.count() == 24 and dash.name == "Risk checklist (DASH-style)"
    assessment.refresh_from_db()
    assert assessment.checklist == dash
    assert (assessment.score, assessment.score_level) == (14, "high")


@pytest.mark.parametrize(
    "changes",
    [
        {"questions": []},
        {"questions": [{"number": 1, "topic": "Injury", "text": ""}]},
        {
            "questions": [
                {"number": 1, "topic": "A", "text": "a?"},
                {"number": 3, "topic": "B", "text": "b?"},
            ]
        },
        {"high_from": 2, "medium_from": 2},
        {"high_from": 9},
        {"slug": "Not A Slug"},
        {"name": ""},
    ],
)
def test_a_bad_file_imports_nothing(tmp_path, db, changes):
    before = RiskChecklist.objects.count()
    with pytest.raises(CommandError, match="was not imported"):
        call_command("import_checklist", str(_file(tmp_path, **changes)))
    assert RiskChecklist.objects.count() == before


def test_a_file_that_is_not_json_imports_nothing(tmp_path, db):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    before = RiskChecklist.objects.count()
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_checklist", str(path))
    assert RiskChecklist.objects.count() == before
