import pytest
from django.db import transaction

from carepath.pathway import ConflictError
from casework.models import Case
from tests.factories import CaseFactory


def test_a_stale_copy_cannot_save_over_a_newer_edit(team_a, manager_a):
    case = CaseFactory(team=team_a, by=manager_a)
    first = Case.objects.get(pk=case.pk)
    second = Case.objects.get(pk=case.pk)
    first.main_language = "Amharic"
    first.save()
    second.family_name = "Overwritten"
    with pytest.raises(ConflictError), transaction.atomic():
        second.save()
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.main_language == "Amharic"
    assert fresh.family_name == "Example"
    assert fresh.version == first.version == 2


def test_saves_in_sequence_bump_the_version(team_a, manager_a):
    case = CaseFactory(team=team_a, by=manager_a)
    case.main_language = "Tigrinya"
    case.save()
    case.main_language = "Arabic"
    case.save()
    assert Case.objects.get(pk=case.pk).version == 3
