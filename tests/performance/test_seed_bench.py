"""seed_bench: a realistic data set in every state, deterministic for a seed, in bulk."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from accommodation.models import Placement, PlacementState
from carepath import crypto
from carepath.audit.models import TimelineEvent
from carepath.bench import BenchExists, seed_bench
from carepath.people.models import Organisation, Role, User
from carepath.sms.models import Reminder, ReminderState, SafeContact
from casework.models import Appointment, AppointmentState, Case, CaseState, NrmRecord, NrmState
from marac.models import (
    ActionState,
    MaracAction,
    MaracMeeting,
    MaracReferral,
    MeetingState,
    ReferralState,
    RiskAssessment,
)
from tests.factories import CaseFactory

CASES = 120


@pytest.fixture
def bench(db):
    return seed_bench(cases=CASES, seed=3)


def states(model) -> set[str]:
    return set(model._base_manager.values_list("state", flat=True).distinct())


def test_every_state_is_present(bench):
    assert states(Case) == set(CaseState.values)
    assert states(NrmRecord) == set(NrmState.values)
    assert states(Placement) == set(PlacementState.values)
    assert states(MaracMeeting) == set(MeetingState.values)
    actions = states(MaracAction)
    assert ActionState.DONE in actions and len(actions) >= 3
    assert states(Appointment) == set(AppointmentState.values)
    referrals = states(MaracReferral)
    assert ReferralState.HEARD in referrals and len(referrals) >= 4
    assert {
        ReminderState.SCHEDULED,
        ReminderState.DELIVERED,
        ReminderState.FAILED,
        ReminderState.SUPPRESSED,
        ReminderState.CANCELLED,
    } <= states(Reminder)


def test_the_averages_per_case_are_roughly_right(bench):
    per_case = {
        "timeline events": TimelineEvent.objects.filter(subject_type__model="case").count(),
        "appointments": Appointment.objects.count(),
        "risk assessments": RiskAssessment.objects.count(),
    }
    averages = {name: count / CASES for name, count in per_case.items()}
    assert 8 <= averages["timeline events"] <= 12, averages
    assert 3.2 <= averages["appointments"] <= 4.8, averages
    assert 0.8 <= averages["risk assessments"] <= 1.2, averages
    with_reminders = Reminder.objects.values("source_id").distinct().count()
    assert with_reminders >= Appointment.objects.filter(starts_at__isnull=False).count() / 2
    assert bench.created["casework.Case"] == CASES
    assert bench.seconds > 0


def test_states_agree_with_their_dates(bench):
    today = timezone.localdate()
    for case in Case.objects.all():
        assert case.referral_date <= today
        if case.state in (CaseState.REFERRED, CaseState.DECLINED):
            assert case.caseworker_id is None
        else:
            assert case.caseworker.has_role(Role.CASEWORKER)
            assert case.team_id in case.caseworker.team_ids
        if case.state == CaseState.CLOSED:
            assert case.closure_reason and case.outcomes
            assert case.referral_date <= case.closed_on <= today
        else:
            assert case.closed_on is None
        if case.state in (CaseState.SUPPORTED, CaseState.MOVING_ON, CaseState.CLOSED):
            assert case.consents.filter(scope="support").exists()
        if case.state == CaseState.DECLINED:
            assert case.decline_reason
        if case.state == CaseState.MISSING:
            assert case.missing_since is not None
    for nrm in NrmRecord.objects.exclude(submitted_on=None):
        assert nrm.submitted_on <= today
        if nrm.rg_decision_on:
            assert nrm.submitted_on < nrm.rg_decision_on <= today
        if nrm.cg_decision_on:
            assert nrm.rg_decision_on < nrm.cg_decision_on <= today
    for placement in Placement.objects.filter(state=PlacementState.MOVED_OUT):
        assert placement.moved_in_on <= placement.moved_out_on <= today
    held = Counter(
        Placement.objects.filter(state__in=["offered", "accepted", "moved_in"]).values_list(
            "bed_space_id", flat=True
        )
    )
    assert held and max(held.values()) == 1 and None not in held
    now = timezone.now()
    assert not Reminder.objects.filter(state=ReminderState.SCHEDULED, due_at__lte=now).exists()
    assert not Reminder.objects.filter(
        state=ReminderState.DELIVERED, due_at__gt=now + timedelta(minutes=1)
    ).exists()
    approved = MaracMeeting.objects.filter(state=MeetingState.MINUTES_APPROVED)
    assert all(m.starts_at < now for m in approved)
    # An agenda goes out only with a case on it.
    assert not MaracMeeting.objects.filter(
        state__in=["agenda_published", "held", "minutes_approved"], cases=None
    ).exists()
    assert all(m.starts_at > now for m in MaracMeeting.objects.filter(state="scheduled"))


def test_encrypted_fields_are_stored_encrypted(bench):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT number FROM {SafeContact._meta.db_table}")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(crypto.looks_encrypted(value) for value in stored)
    assert SafeContact.objects.first().number.startswith("+447700900")


def test_logins_are_predictable_and_work(bench):
    worker = User.objects.get(username="bench.caseworker.1")
    assert worker.has_role(Role.CASEWORKER)
    assert worker.organisation.slug == "bench-1"
    assert worker.check_password(bench.password)
    manager = User.objects.get(username="bench.service.manager.2")
    assert manager.has_role(Role.SERVICE_MANAGER)
    assert manager.organisation.slug == "bench-2"
    assert User.objects.get(username="bench.marac.partner.1").marac_agencies.exists()
    assert bench.logins[Role.CASEWORKER][0] == "bench.caseworker.1"


def test_the_service_adds_records_after_the_bench(bench):
    """The bench gives keys itself: the database's own keys carry on after them."""
    manager = User.objects.get(username="bench.service.manager.1")
    case = CaseFactory(team=manager.teams.get(), by=manager)
    assert case.pk > Case.objects.exclude(pk=case.pk).order_by("-pk").first().pk
    # The organisation's case numbers carry on after the bench's.
    assert (
        Case.objects.filter(organisation=case.organisation, reference=case.reference).get() == case
    )
    assert TimelineEvent.objects.filter(subject_id=case.pk, kind="case.referred").exists()


def _fingerprint() -> list:
    return [
        sorted(
            Case.objects.values_list(
                "reference", "state", "referral_date", "given_name", "gender", "closed_on"
            )
        ),
        sorted(Appointment.objects.values_list("case__reference", "kind", "state", "starts_at")),
        sorted(Placement.objects.values_list("case__reference", "state", "moved_in_on")),
        TimelineEvent.objects.count(),
        MaracReferral.objects.count(),
    ]


def _seeded(seed: int) -> list:
    with transaction.atomic():
        seed_bench(cases=30, seed=seed)
        found = _fingerprint()
        transaction.set_rollback(True)
    return found


def test_the_same_seed_gives_the_same_data(db):
    first = _seeded(5)
    assert _seeded(5) == first
    assert _seeded(6) != first


def test_existing_data_is_left_alone_and_a_second_run_refused(db, org_a):
    seed_bench(cases=10, seed=1)
    assert Organisation.objects.filter(pk=org_a.pk).exists()
    assert not Case.objects.filter(organisation=org_a).exists()
    with pytest.raises(BenchExists):
        seed_bench(cases=10, seed=1)


def test_the_command_says_what_it_made_and_how_long_it_took(db):
    out = StringIO()
    call_command("seed_bench", cases=12, seed=2, stdout=out)
    text = out.getvalue()
    assert "Bench data for 12 cases (seed 2" in text
    assert "casework.Case" in text and "bench.caseworker.1" in text
    assert Case.objects.count() == 12
