"""Two people working on the same case at once: the second to save a stale form is told so
(HTTP 409, the form again with the conflict message) and the first change is kept."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from carepath.audit.models import TimelineEvent
from carepath.pathway import ConflictError
from carepath.people.models import Role
from casework.models import Case, CaseState, NrmState
from casework.services import cases as services

CONFLICT = "Someone else changed this record"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/London"))):
        yield


@pytest.fixture
def case(case_a, manager_a, caseworker_a, consent):
    """Accepted, allocated to caseworker A, consent to support recorded: ready to start."""
    services.case_accept(
        by=manager_a, case=case_a, caseworker=caseworker_a, expected_version=case_a.version
    )
    consent(case_a, scope="support", by=caseworker_a)
    consent(case_a, scope="nrm_referral", by=caseworker_a)
    return Case.objects.get(pk=case_a.pk)


@pytest.fixture
def first(caseworker_a):
    client = Client()
    client.force_login(caseworker_a)
    return client


@pytest.fixture
def second(manager_a):
    client = Client()
    client.force_login(manager_a)
    return client


def _transition_url(case, name):
    return reverse("casework:case_transition", args=[case.pk, name])


def _load(client, url) -> dict:
    """Open a form page and return what its form would post back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, "", [], False):
            continue
        if value is True:
            value = "on"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = value
    return data


def _assert_conflict(response):
    assert response.status_code == 409
    content = response.content.decode()
    assert CONFLICT in content
    assert "There is a problem" in content


def _row(case) -> dict:
    fresh = Case.objects.get(pk=case.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def test_both_see_the_same_version_on_the_case_page(first, second, case):
    assert first.get(reverse("casework:case", args=[case.pk])).context["case"].version == (
        second.get(reverse("casework:case", args=[case.pk])).context["case"].version
    )


def test_second_transition_on_a_stale_form_is_refused(first, second, case):
    started = _load(first, _transition_url(case, "start_support"))
    closing = _load(second, _transition_url(case, "close"))
    assert started["version"] == closing["version"] == case.version

    response = first.post(_transition_url(case, "start_support"), started)
    assert response.status_code == 302

    closing.update(closure_reason="disengaged", no_outcomes="on", reason="No contact")
    _assert_conflict(second.post(_transition_url(case, "close"), closing))

    case.refresh_from_db()
    assert case.state == CaseState.SUPPORTED
    assert (case.closure_reason, case.closed_on) == ("", None)
    kinds = list(TimelineEvent.objects.filter(subject_id=case.pk).values_list("kind", flat=True))
    assert "case.support_started" in kinds
    assert "case.closed" not in kinds


def test_the_same_transition_submitted_twice(first, second, case):
    """Two people press "Start support" at once: one succeeds, the other is told."""
    data = _load(first, _transition_url(case, "start_support"))
    other = _load(second, _transition_url(case, "start_support"))
    assert first.post(_transition_url(case, "start_support"), data).status_code == 302
    _assert_conflict(second.post(_transition_url(case, "start_support"), other))
    events = TimelineEvent.objects.filter(subject_id=case.pk, kind="case.support_started")
    assert events.count() == 1


def test_stale_edit_of_the_case_details_after_a_transition(first, second, case):
    edit_url = reverse("casework:case_edit", args=[case.pk])
    edit = _load(second, edit_url)
    started = _load(first, _transition_url(case, "start_support"))
    assert first.post(_transition_url(case, "start_support"), started).status_code == 302
    after_first = _row(case)

    edit.update(given_name="Overwritten", risk_at_intake="high")
    _assert_conflict(second.post(edit_url, edit))

    assert _row(case) == after_first
    assert after_first["state"] == CaseState.SUPPORTED


def test_stale_transition_after_an_edit_of_the_case_details(first, second, case):
    edit_url = reverse("casework:case_edit", args=[case.pk])
    edit = _load(first, edit_url)
    missing = _load(second, _transition_url(case, "report_missing"))

    edit.update(given_name="Corrected", main_language="Vietnamese")
    assert first.post(edit_url, edit).status_code == 302
    after_first = _row(case)

    missing.update(since="2026-03-01T20:00", reason="Did not return")
    _assert_conflict(second.post(_transition_url(case, "report_missing"), missing))

    assert _row(case) == after_first
    assert (after_first["given_name"], after_first["main_language"]) == ("Corrected", "Vietnamese")
    assert after_first["state"] == CaseState.ASSESSING


def test_two_edits_of_the_case_details(first, second, case):
    edit_url = reverse("casework:case_edit", args=[case.pk])
    mine, theirs = _load(first, edit_url), _load(second, edit_url)
    mine["aliases"] = "Anna\nAnia"
    assert first.post(edit_url, mine).status_code == 302

    theirs["family_name"] = "Nowak"
    response = second.post(edit_url, theirs)
    _assert_conflict(response)
    # The page keeps what they typed, so nothing has to be entered twice from memory.
    assert "Nowak" in response.content.decode()

    fresh = Case.objects.get(pk=case.pk)
    assert fresh.aliases == "Anna\nAnia"
    assert fresh.family_name == case.family_name


def test_stale_reallocation(first, second, case, make_user, org_a):
    other = make_user(org_a, Role.CASEWORKER, username="worker.c")
    allocate_url = reverse("casework:case_allocate", args=[case.pk])
    allocation = _load(second, allocate_url)
    edit_url = reverse("casework:case_edit", args=[case.pk])
    edit = _load(first, edit_url)
    edit["needs_summary"] = "Needs a GP and a solicitor"
    assert first.post(edit_url, edit).status_code == 302

    allocation["caseworker"] = other.pk
    _assert_conflict(second.post(allocate_url, allocation))
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.caseworker_id == case.caseworker_id
    assert fresh.needs_summary == "Needs a GP and a solicitor"


def test_stale_nrm_action(first, second, case):
    submit_url = reverse("casework:nrm_action", args=[case.pk, "submit"])
    notify_url = reverse("casework:nrm_action", args=[case.pk, "duty_to_notify"])
    submission = _load(first, submit_url)
    notice = _load(second, notify_url)

    submission["submitted_on"] = "2026-02-20"
    assert first.post(submit_url, submission).status_code == 302
    _assert_conflict(second.post(notify_url, notice))

    case.nrm.refresh_from_db()
    assert case.nrm.state == NrmState.SUBMITTED
    assert case.nrm.submitted_on == datetime.date(2026, 2, 20)
    assert case.nrm.duty_to_notify_sent_on is None


class TestServiceLevel:
    """Two instances of the same case loaded separately, as two requests or two workers would."""

    def test_stale_instance_through_a_service(self, case, caseworker_a, manager_a):
        mine, theirs = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
        services.case_start_support(by=caseworker_a, case=mine, expected_version=mine.version)

        with pytest.raises(ConflictError, match=CONFLICT):
            services.case_close(
                by=manager_a,
                case=theirs,
                expected_version=theirs.version,
                closure_reason="disengaged",
                outcomes=[],
                none_achieved=True,
                closed_on=timezone.localdate(),
            )
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.state, fresh.closure_reason) == (CaseState.SUPPORTED, "")

    def test_second_save_after_a_transition_is_refused(self, case, caseworker_a):
        mine, theirs = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
        services.case_start_support(by=caseworker_a, case=mine, expected_version=mine.version)

        # The model's own guard, below the services: the stale instance still believes the case
        # is "assessing", takes a transition from there and tries to save over the change.
        with pytest.raises(ConflictError, match=CONFLICT), transaction.atomic():
            theirs.report_missing(since=timezone.now())
            theirs.save()

        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.state, fresh.missing_since) == (CaseState.SUPPORTED, None)
        assert fresh.version == mine.version

    def test_stale_version_is_refused_even_when_the_state_is_unchanged(
        self, case, caseworker_a, manager_a
    ):
        mine, theirs = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
        services.case_update(
            by=caseworker_a,
            case=mine,
            expected_version=mine.version,
            values={"given_name": "Corrected"},
        )
        with pytest.raises(ConflictError):
            services.case_start_support(by=manager_a, case=theirs, expected_version=theirs.version)
        with pytest.raises(ConflictError):
            services.case_update(
                by=manager_a,
                case=theirs,
                expected_version=theirs.version,
                values={"family_name": "Stale"},
            )
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.given_name, fresh.family_name, fresh.state) == (
            "Corrected",
            case.family_name,
            CaseState.ASSESSING,
        )
