import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from carepath.audit.models import TimelineEvent
from carepath.pathway import ConflictError, PathwayError
from carepath.people.models import Role
from carepath.policy import PolicyDenied
from casework.models import Case, NrmRecord, NrmState
from casework.services import nrm as services
from tests.factories import CaseFactory, ReferringAgencyFactory

TODAY = datetime.date(2026, 3, 2)
REFERRED = datetime.date(2026, 1, 5)  # CaseFactory's referral date
SUBMITTED = datetime.date(2026, 1, 12)
RG_DAY = datetime.date(2026, 1, 16)
CG_DAY = datetime.date(2026, 2, 20)
TOMORROW = TODAY + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(
        datetime.datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


def _fresh(nrm: NrmRecord) -> NrmRecord:
    return NrmRecord.objects.get(pk=nrm.pk)


def _events(case: Case) -> list[str]:
    return list(
        TimelineEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case), subject_id=case.pk
        )
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def submit(nrm, by, *, on=SUBMITTED, first_responder=None):
    return services.nrm_submit(
        by=by,
        nrm=nrm,
        expected_version=nrm.version,
        submitted_on=on,
        first_responder=first_responder,
    )


def decide(nrm, by, *, stage, positive, on, authority="sca"):
    return services.nrm_record_decision(
        by=by,
        nrm=nrm,
        expected_version=nrm.version,
        stage=stage,
        positive=positive,
        decided_on=on,
        authority=authority,
    )


def reconsider(nrm, by, *, on, reason="New evidence from the first responder"):
    return services.nrm_request_reconsideration(
        by=by, nrm=nrm, expected_version=nrm.version, requested_on=on, reason=reason
    )


def withdraw(nrm, by, *, on=TODAY, reason="Left the service and asked to withdraw"):
    return services.nrm_withdraw(
        by=by, nrm=nrm, expected_version=nrm.version, withdrawn_on=on, reason=reason
    )


def decline(nrm, by, *, on=SUBMITTED):
    return services.nrm_decline_consent(
        by=by, nrm=nrm, expected_version=nrm.version, notified_on=on, reason="Does not consent"
    )


def notify_la(nrm, by, *, on=datetime.date(2026, 1, 8)):
    return services.nrm_notify_local_authority(
        by=by, nrm=nrm, expected_version=nrm.version, notified_on=on
    )


def adjust(nrm, by, *, extend_by_days=0, curtail_to=None, reason="Needs more time to recover"):
    return services.nrm_adjust_recovery_period(
        by=by,
        nrm=nrm,
        expected_version=nrm.version,
        extend_by_days=extend_by_days,
        curtail_to=curtail_to,
        reason=reason,
    )


# --- Records at each point of the pathway ----------------------------------------------------


@pytest.fixture
def adult(case_a):
    return case_a.nrm


@pytest.fixture
def consented(adult, consent):
    consent(adult.case, scope="nrm_referral")
    return adult


@pytest.fixture
def child(team_a, manager_a):
    # 17 on the referral date.
    return CaseFactory(team=team_a, by=manager_a, date_of_birth=datetime.date(2008, 6, 1)).nrm


@pytest.fixture
def submitted(consented, caseworker_a):
    return submit(consented, caseworker_a)


@pytest.fixture
def rg_positive(submitted, caseworker_a):
    return decide(submitted, caseworker_a, stage="rg", positive=True, on=RG_DAY)


@pytest.fixture
def rg_negative(submitted, caseworker_a):
    return decide(submitted, caseworker_a, stage="rg", positive=False, on=RG_DAY)


@pytest.fixture
def cg_positive(rg_positive, caseworker_a):
    return decide(rg_positive, caseworker_a, stage="cg", positive=True, on=CG_DAY)


@pytest.fixture
def cg_negative(rg_positive, caseworker_a):
    return decide(rg_positive, caseworker_a, stage="cg", positive=False, on=CG_DAY)


@pytest.fixture
def rg_reconsideration(rg_negative, caseworker_a):
    return reconsider(rg_negative, caseworker_a, on=datetime.date(2026, 1, 20))


@pytest.fixture
def cg_reconsideration(cg_negative, caseworker_a):
    return reconsider(cg_negative, caseworker_a, on=datetime.date(2026, 2, 23))


@pytest.fixture(params=["caseworker_of_another_team", "marac_chair", "accommodation_manager"])
def outsider(request, caseworker_b, make_user, org_a):
    if request.param == "caseworker_of_another_team":
        return caseworker_b
    if request.param == "marac_chair":
        return make_user(org_a, Role.MARAC_CHAIR)
    return make_user(org_a, Role.ACCOMMODATION_MANAGER)


# Every NRM service: the record it starts from, the call, its timeline event, the state after.
ACTIONS = {
    "submit": ("consented", submit, "nrm.submitted", NrmState.SUBMITTED),
    "notify_local_authority": (
        "child",
        notify_la,
        "nrm.local_authority_notified",
        NrmState.NOT_REFERRED,
    ),
    "rg_positive": (
        "submitted",
        lambda nrm, by: decide(nrm, by, stage="rg", positive=True, on=RG_DAY),
        "nrm.rg_positive",
        NrmState.RG_POSITIVE,
    ),
    "rg_negative": (
        "submitted",
        lambda nrm, by: decide(nrm, by, stage="rg", positive=False, on=RG_DAY),
        "nrm.rg_negative",
        NrmState.RG_NEGATIVE,
    ),
    "cg_positive": (
        "rg_positive",
        lambda nrm, by: decide(nrm, by, stage="cg", positive=True, on=CG_DAY),
        "nrm.cg_positive",
        NrmState.CG_POSITIVE,
    ),
    "cg_negative": (
        "rg_positive",
        lambda nrm, by: decide(nrm, by, stage="cg", positive=False, on=CG_DAY),
        "nrm.cg_negative",
        NrmState.CG_NEGATIVE,
    ),
    "reconsideration": (
        "rg_negative",
        lambda nrm, by: reconsider(nrm, by, on=datetime.date(2026, 1, 20)),
        "nrm.reconsideration_requested",
        NrmState.RECONSIDERATION,
    ),
    "decline_consent": ("adult", decline, "nrm.duty_to_notify", NrmState.DECLINED_CONSENT),
    "withdraw": ("submitted", withdraw, "nrm.withdrawn", NrmState.WITHDRAWN),
    "extend_recovery": (
        "rg_positive",
        lambda nrm, by: adjust(nrm, by, extend_by_days=14),
        "nrm.recovery_extended",
        NrmState.RG_POSITIVE,
    ),
    "curtail_recovery": (
        "rg_positive",
        lambda nrm, by: adjust(nrm, by, curtail_to=datetime.date(2026, 2, 1)),
        "nrm.recovery_curtailed",
        NrmState.RG_POSITIVE,
    ),
}


@pytest.fixture(params=ACTIONS.keys())
def action(request):
    start, call, kind, after = ACTIONS[request.param]
    return request.getfixturevalue(start), call, kind, after


class TestEveryService:
    def test_the_allocated_team_takes_the_step_and_it_is_on_the_case_timeline(
        self, action, caseworker_a
    ):
        nrm, call, kind, after = action
        call(nrm, caseworker_a)
        assert _fresh(nrm).state == after
        event = TimelineEvent.objects.filter(subject_id=nrm.case_id, kind=kind).get()
        assert event.subject == nrm.case
        assert event.actor == caseworker_a
        assert event.organisation_id == nrm.case.organisation_id

    def test_a_service_manager_may_take_the_step(self, action, manager_a):
        nrm, call, _kind, after = action
        call(nrm, manager_a)
        assert _fresh(nrm).state == after

    def test_anyone_else_in_the_organisation_is_refused_and_nothing_changes(self, action, outsider):
        nrm, call, _kind, _after = action
        before, events = _fresh(nrm), _events(nrm.case)
        with pytest.raises(PolicyDenied):
            call(nrm, outsider)
        now = _fresh(nrm)
        assert (now.state, now.version) == (before.state, before.version)
        assert _events(nrm.case) == events

    def test_a_stale_version_is_a_conflict_and_nothing_changes(self, action, caseworker_a):
        nrm, call, _kind, _after = action
        # Someone else saved the record after this person loaded it.
        _fresh(nrm).save()
        moved_on = _fresh(nrm)
        events = _events(nrm.case)
        with pytest.raises(ConflictError):
            call(nrm, caseworker_a)
        now = _fresh(nrm)
        assert (now.state, now.version) == (moved_on.state, moved_on.version)
        assert now.recovery_extension_days == moved_on.recovery_extension_days
        assert now.recovery_curtailed_to == moved_on.recovery_curtailed_to
        assert _events(nrm.case) == events


def test_two_people_recording_a_decision_at_once_keep_the_first(submitted, caseworker_a):
    theirs = _fresh(submitted)
    decide(submitted, caseworker_a, stage="rg", positive=True, on=RG_DAY)
    with pytest.raises(ConflictError, match="Someone else changed"):
        decide(theirs, caseworker_a, stage="rg", positive=False, on=RG_DAY)
    now = _fresh(submitted)
    assert now.state == NrmState.RG_POSITIVE
    assert now.rg_positive is True


class TestSubmit:
    def test_an_adult_with_nrm_consent_is_submitted(self, consented, caseworker_a):
        agency = ReferringAgencyFactory(name="Police Scotland")
        submit(consented, caseworker_a, first_responder=agency)
        nrm = _fresh(consented)
        assert nrm.state == NrmState.SUBMITTED
        assert nrm.submitted_on == SUBMITTED
        assert nrm.first_responder == agency

    def test_an_adult_without_nrm_consent_is_pointed_to_duty_to_notify(
        self, adult, caseworker_a, consent
    ):
        consent(adult.case, scope="support")  # consent to support is not consent to the NRM
        with pytest.raises(PathwayError, match="Duty to Notify"):
            submit(adult, caseworker_a)
        assert _fresh(adult).state == NrmState.NOT_REFERRED
        assert "nrm.submitted" not in _events(adult.case)

    def test_withdrawn_nrm_consent_does_not_count(self, adult, caseworker_a, consent):
        given = consent(adult.case, scope="nrm_referral")
        given.withdrawn_on = datetime.date(2026, 1, 9)
        given.save()
        with pytest.raises(PathwayError, match="Duty to Notify"):
            submit(adult, caseworker_a)

    def test_a_person_who_is_18_on_the_referral_date_is_an_adult(
        self, team_a, manager_a, caseworker_a
    ):
        nrm = CaseFactory(team=team_a, by=manager_a, date_of_birth=datetime.date(2008, 1, 5)).nrm
        with pytest.raises(PathwayError, match="Duty to Notify"):
            submit(nrm, caseworker_a)

    def test_a_child_needs_no_consent_but_the_local_authority_told_first(self, child, caseworker_a):
        with pytest.raises(PathwayError, match="local authority") as refused:
            submit(child, caseworker_a)
        assert "Duty to Notify" not in str(refused.value)
        assert _fresh(child).state == NrmState.NOT_REFERRED
        notify_la(child, caseworker_a)
        submit(child, caseworker_a)
        nrm = _fresh(child)
        assert nrm.state == NrmState.SUBMITTED
        assert nrm.local_authority_notified_on == datetime.date(2026, 1, 8)

    def test_cannot_be_submitted_twice(self, submitted, caseworker_a):
        with pytest.raises(PathwayError, match="Submitted"):
            submit(submitted, caseworker_a, on=datetime.date(2026, 1, 13))
        assert _fresh(submitted).submitted_on == SUBMITTED

    def test_cannot_be_submitted_after_declining_consent(self, adult, caseworker_a, consent):
        decline(adult, caseworker_a)
        consent(adult.case, scope="nrm_referral")
        with pytest.raises(PathwayError, match="did not consent"):
            submit(adult, caseworker_a)

    def test_not_before_the_referral_date(self, consented, caseworker_a):
        with pytest.raises(PathwayError, match="referral date"):
            submit(consented, caseworker_a, on=REFERRED - datetime.timedelta(days=1))
        assert _fresh(consented).state == NrmState.NOT_REFERRED

    def test_on_the_referral_date_is_fine(self, consented, caseworker_a):
        submit(consented, caseworker_a, on=REFERRED)
        assert _fresh(consented).submitted_on == REFERRED

    def test_not_in_the_future(self, consented, caseworker_a):
        with pytest.raises(PathwayError, match="future"):
            submit(consented, caseworker_a, on=TOMORROW)
        assert _fresh(consented).state == NrmState.NOT_REFERRED


class TestNotifyLocalAuthority:
    def test_records_the_date(self, child, caseworker_a):
        notify_la(child, caseworker_a, on=datetime.date(2026, 1, 7))
        assert _fresh(child).local_authority_notified_on == datetime.date(2026, 1, 7)
        assert "nrm.local_authority_notified" in _events(child.case)

    def test_not_in_the_future(self, child, caseworker_a):
        with pytest.raises(PathwayError, match="future"):
            notify_la(child, caseworker_a, on=TOMORROW)
        assert _fresh(child).local_authority_notified_on is None


class TestReasonableGrounds:
    @pytest.mark.parametrize("positive", [True, False])
    def test_decision_is_recorded(self, submitted, caseworker_a, positive):
        decide(submitted, caseworker_a, stage="rg", positive=positive, on=RG_DAY, authority="ieca")
        nrm = _fresh(submitted)
        assert nrm.state == (NrmState.RG_POSITIVE if positive else NrmState.RG_NEGATIVE)
        assert (nrm.rg_decision_on, nrm.rg_positive) == (RG_DAY, positive)
        assert nrm.competent_authority == "ieca"
        event = TimelineEvent.objects.get(subject_id=nrm.case_id, kind__startswith="nrm.rg_")
        assert event.detail == {"decided_on": "2026-01-16", "authority": "ieca"}

    def test_not_before_submission(self, adult, caseworker_a):
        with pytest.raises(PathwayError, match="Not referred"):
            decide(adult, caseworker_a, stage="rg", positive=True, on=RG_DAY)

    def test_only_once(self, rg_positive, caseworker_a):
        with pytest.raises(PathwayError, match="Positive reasonable grounds"):
            decide(rg_positive, caseworker_a, stage="rg", positive=False, on=RG_DAY)
        assert _fresh(rg_positive).rg_positive is True

    def test_not_dated_before_the_submission(self, submitted, caseworker_a):
        with pytest.raises(PathwayError, match="before the NRM submission"):
            decide(
                submitted,
                caseworker_a,
                stage="rg",
                positive=True,
                on=SUBMITTED - datetime.timedelta(days=1),
            )
        assert _fresh(submitted).state == NrmState.SUBMITTED

    def test_on_the_submission_day_is_fine(self, submitted, caseworker_a):
        decide(submitted, caseworker_a, stage="rg", positive=True, on=SUBMITTED)
        assert _fresh(submitted).state == NrmState.RG_POSITIVE

    def test_not_in_the_future(self, submitted, caseworker_a):
        with pytest.raises(PathwayError, match="future"):
            decide(submitted, caseworker_a, stage="rg", positive=True, on=TOMORROW)
        assert _fresh(submitted).state == NrmState.SUBMITTED

    def test_an_unknown_stage_is_refused(self, submitted, caseworker_a):
        with pytest.raises(PathwayError, match="reasonable or conclusive"):
            decide(submitted, caseworker_a, stage="xg", positive=True, on=RG_DAY)


class TestConclusiveGrounds:
    @pytest.mark.parametrize("positive", [True, False])
    def test_decision_after_a_positive_rg(self, rg_positive, caseworker_a, positive):
        decide(rg_positive, caseworker_a, stage="cg", positive=positive, on=CG_DAY)
        nrm = _fresh(rg_positive)
        assert nrm.state == (NrmState.CG_POSITIVE if positive else NrmState.CG_NEGATIVE)
        assert (nrm.cg_decision_on, nrm.cg_positive) == (CG_DAY, positive)
        assert (nrm.rg_decision_on, nrm.rg_positive) == (RG_DAY, True)

    def test_not_while_the_rg_decision_is_awaited(self, submitted, caseworker_a):
        with pytest.raises(PathwayError, match="Submitted"):
            decide(submitted, caseworker_a, stage="cg", positive=True, on=CG_DAY)
        assert _fresh(submitted).state == NrmState.SUBMITTED

    def test_not_after_a_negative_rg(self, rg_negative, caseworker_a):
        with pytest.raises(PathwayError, match="Negative reasonable grounds"):
            decide(rg_negative, caseworker_a, stage="cg", positive=True, on=CG_DAY)
        assert _fresh(rg_negative).state == NrmState.RG_NEGATIVE

    def test_only_once(self, cg_positive, caseworker_a):
        with pytest.raises(PathwayError, match="Positive conclusive grounds"):
            decide(cg_positive, caseworker_a, stage="cg", positive=False, on=CG_DAY)

    def test_not_dated_before_the_rg_decision(self, rg_positive, caseworker_a):
        with pytest.raises(PathwayError, match="before the reasonable grounds"):
            decide(
                rg_positive,
                caseworker_a,
                stage="cg",
                positive=True,
                on=RG_DAY - datetime.timedelta(days=1),
            )
        assert _fresh(rg_positive).state == NrmState.RG_POSITIVE

    def test_not_in_the_future(self, rg_positive, caseworker_a):
        with pytest.raises(PathwayError, match="future"):
            decide(rg_positive, caseworker_a, stage="cg", positive=True, on=TOMORROW)


class TestReconsideration:
    def test_after_a_negative_rg_then_a_new_rg_decision(self, rg_negative, caseworker_a):
        reconsider(rg_negative, caseworker_a, on=datetime.date(2026, 1, 20))
        nrm = _fresh(rg_negative)
        assert nrm.state == NrmState.RECONSIDERATION
        assert nrm.reconsideration_stage == "rg"
        assert nrm.reconsideration_requested_on == datetime.date(2026, 1, 20)
        event = TimelineEvent.objects.get(
            subject_id=nrm.case_id, kind="nrm.reconsideration_requested"
        )
        assert event.reason == "New evidence from the first responder"

        with pytest.raises(PathwayError, match="conclusive grounds decision is not awaited"):
            decide(rg_negative, caseworker_a, stage="cg", positive=True, on=CG_DAY)
        decide(rg_negative, caseworker_a, stage="rg", positive=True, on=datetime.date(2026, 2, 2))
        nrm = _fresh(rg_negative)
        assert nrm.state == NrmState.RG_POSITIVE
        assert (nrm.rg_decision_on, nrm.rg_positive) == (datetime.date(2026, 2, 2), True)
        assert nrm.reconsideration_stage == ""

    def test_after_a_negative_cg_then_a_new_cg_decision(self, cg_negative, caseworker_a):
        reconsider(cg_negative, caseworker_a, on=datetime.date(2026, 2, 23))
        nrm = _fresh(cg_negative)
        assert nrm.state == NrmState.RECONSIDERATION
        assert nrm.reconsideration_stage == "cg"

        with pytest.raises(PathwayError, match="reasonable grounds decision is not awaited"):
            decide(cg_negative, caseworker_a, stage="rg", positive=True, on=TODAY)
        decide(cg_negative, caseworker_a, stage="cg", positive=True, on=TODAY)
        nrm = _fresh(cg_negative)
        assert nrm.state == NrmState.CG_POSITIVE
        assert (nrm.cg_decision_on, nrm.cg_positive) == (TODAY, True)
        assert (nrm.rg_decision_on, nrm.rg_positive) == (RG_DAY, True)

    def test_a_reconsidered_decision_can_be_negative_again(self, rg_reconsideration, caseworker_a):
        decide(rg_reconsideration, caseworker_a, stage="rg", positive=False, on=TODAY)
        assert _fresh(rg_reconsideration).state == NrmState.RG_NEGATIVE

    @pytest.mark.parametrize("start", ["adult", "submitted", "rg_positive", "cg_positive"])
    def test_only_after_a_negative_decision(self, request, start, caseworker_a):
        nrm = request.getfixturevalue(start)
        with pytest.raises(PathwayError, match="cannot be done while"):
            reconsider(nrm, caseworker_a, on=TODAY)
        assert _fresh(nrm).state == nrm.state

    def test_not_twice(self, rg_reconsideration, caseworker_a):
        with pytest.raises(PathwayError, match="Reconsideration requested"):
            reconsider(rg_reconsideration, caseworker_a, on=TODAY)

    def test_needs_the_grounds(self, rg_negative, caseworker_a):
        with pytest.raises(PathwayError, match="grounds for reconsideration"):
            reconsider(rg_negative, caseworker_a, on=TODAY, reason="  ")
        assert _fresh(rg_negative).state == NrmState.RG_NEGATIVE

    def test_not_dated_before_the_decision(self, cg_negative, caseworker_a):
        with pytest.raises(PathwayError, match="before the decision"):
            reconsider(cg_negative, caseworker_a, on=CG_DAY - datetime.timedelta(days=1))
        assert _fresh(cg_negative).state == NrmState.CG_NEGATIVE

    def test_not_in_the_future(self, rg_negative, caseworker_a):
        with pytest.raises(PathwayError, match="future"):
            reconsider(rg_negative, caseworker_a, on=TOMORROW)

    def test_the_new_decision_is_not_dated_before_the_request(
        self, cg_reconsideration, caseworker_a
    ):
        with pytest.raises(PathwayError, match="before reconsideration was asked"):
            decide(
                cg_reconsideration,
                caseworker_a,
                stage="cg",
                positive=True,
                on=datetime.date(2026, 2, 22),
            )
        assert _fresh(cg_reconsideration).state == NrmState.RECONSIDERATION


class TestDeclineConsent:
    def test_an_adult_gets_a_duty_to_notify_report_instead(self, adult, caseworker_a):
        decline(adult, caseworker_a, on=datetime.date(2026, 1, 9))
        nrm = _fresh(adult)
        assert nrm.state == NrmState.DECLINED_CONSENT
        assert nrm.duty_to_notify_sent_on == datetime.date(2026, 1, 9)
        assert nrm.submitted_on is None
        assert "nrm.duty_to_notify" in _events(adult.case)

    def test_not_for_a_child(self, child, caseworker_a):
        with pytest.raises(PathwayError, match="adults only"):
            decline(child, caseworker_a)
        assert _fresh(child).state == NrmState.NOT_REFERRED

    def test_not_once_submitted(self, submitted, caseworker_a):
        with pytest.raises(PathwayError, match="Submitted"):
            decline(submitted, caseworker_a)
        assert _fresh(submitted).state == NrmState.SUBMITTED

    def test_not_in_the_future(self, adult, caseworker_a):
        with pytest.raises(PathwayError, match="future"):
            decline(adult, caseworker_a, on=TOMORROW)


class TestWithdraw:
    @pytest.mark.parametrize("start", ["submitted", "rg_positive", "rg_reconsideration"])
    def test_withdraws_with_a_reason(self, request, start, caseworker_a):
        nrm = request.getfixturevalue(start)
        withdraw(nrm, caseworker_a, on=datetime.date(2026, 2, 27))
        now = _fresh(nrm)
        assert now.state == NrmState.WITHDRAWN
        assert now.withdrawn_on == datetime.date(2026, 2, 27)
        event = TimelineEvent.objects.get(subject_id=nrm.case_id, kind="nrm.withdrawn")
        assert event.reason == "Left the service and asked to withdraw"

    @pytest.mark.parametrize("start", ["adult", "rg_negative", "cg_positive", "cg_negative"])
    def test_not_from_other_states(self, request, start, caseworker_a):
        nrm = request.getfixturevalue(start)
        with pytest.raises(PathwayError, match="cannot be done while"):
            withdraw(nrm, caseworker_a)
        assert _fresh(nrm).state == nrm.state

    def test_needs_a_reason(self, submitted, caseworker_a):
        with pytest.raises(PathwayError, match="reason"):
            withdraw(submitted, caseworker_a, reason="")
        assert _fresh(submitted).state == NrmState.SUBMITTED

    def test_not_in_the_future(self, submitted, caseworker_a):
        with pytest.raises(PathwayError, match="future"):
            withdraw(submitted, caseworker_a, on=TOMORROW)

    def test_not_dated_before_the_submission(self, submitted, caseworker_a):
        with pytest.raises(PathwayError, match="before the NRM submission"):
            withdraw(submitted, caseworker_a, on=SUBMITTED - datetime.timedelta(days=1))
        assert _fresh(submitted).state == NrmState.SUBMITTED


class TestRecoveryPeriod:
    def test_extensions_add_up_with_their_reasons(self, rg_positive, caseworker_a):
        adjust(rg_positive, caseworker_a, extend_by_days=14, reason="Awaiting a GP referral")
        adjust(rg_positive, caseworker_a, extend_by_days=7, reason="Court date moved")
        nrm = _fresh(rg_positive)
        assert nrm.recovery_extension_days == 21
        events = TimelineEvent.objects.filter(
            subject_id=nrm.case_id, kind="nrm.recovery_extended"
        ).order_by("pk")
        assert [(e.reason, e.detail) for e in events] == [
            ("Awaiting a GP referral", {"days": 14}),
            ("Court date moved", {"days": 7}),
        ]

    def test_curtailment_sets_the_end(self, rg_positive, caseworker_a):
        adjust(rg_positive, caseworker_a, curtail_to=datetime.date(2026, 2, 1), reason="Left")
        nrm = _fresh(rg_positive)
        assert nrm.recovery_curtailed_to == datetime.date(2026, 2, 1)
        event = TimelineEvent.objects.get(subject_id=nrm.case_id, kind="nrm.recovery_curtailed")
        assert (event.reason, event.detail) == ("Left", {"to": "2026-02-01"})

    def test_curtailment_on_the_decision_day_is_fine(self, rg_positive, caseworker_a):
        adjust(rg_positive, caseworker_a, curtail_to=RG_DAY)
        assert _fresh(rg_positive).recovery_curtailed_to == RG_DAY

    def test_not_curtailed_to_before_the_decision(self, rg_positive, caseworker_a):
        with pytest.raises(PathwayError, match="before the decision"):
            adjust(rg_positive, caseworker_a, curtail_to=RG_DAY - datetime.timedelta(days=1))
        assert _fresh(rg_positive).recovery_curtailed_to is None

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_needs_a_reason(self, rg_positive, caseworker_a, reason):
        with pytest.raises(PathwayError, match="reason"):
            adjust(rg_positive, caseworker_a, extend_by_days=7, reason=reason)
        assert _fresh(rg_positive).recovery_extension_days == 0

    @pytest.mark.parametrize(
        "change",
        [{}, {"extend_by_days": 7, "curtail_to": datetime.date(2026, 2, 1)}],
        ids=["neither", "both"],
    )
    def test_either_extend_or_curtail(self, rg_positive, caseworker_a, change):
        with pytest.raises(PathwayError, match="Either extend"):
            adjust(rg_positive, caseworker_a, **change)
        nrm = _fresh(rg_positive)
        assert (nrm.recovery_extension_days, nrm.recovery_curtailed_to) == (0, None)

    def test_an_extension_is_positive(self, rg_positive, caseworker_a):
        with pytest.raises(PathwayError, match="positive number"):
            adjust(rg_positive, caseworker_a, extend_by_days=-5)
        assert _fresh(rg_positive).recovery_extension_days == 0

    @pytest.mark.parametrize(
        "start", ["adult", "submitted", "rg_negative", "rg_reconsideration", "cg_positive"]
    )
    @pytest.mark.parametrize(
        "change",
        [{"extend_by_days": 7}, {"curtail_to": datetime.date(2026, 2, 1)}],
        ids=["extend", "curtail"],
    )
    def test_only_after_a_positive_rg_and_before_the_cg(self, request, start, change, caseworker_a):
        nrm = request.getfixturevalue(start)
        with pytest.raises(PathwayError, match="positive reasonable grounds"):
            adjust(nrm, caseworker_a, **change)
        now = _fresh(nrm)
        assert (now.recovery_extension_days, now.recovery_curtailed_to) == (0, None)

    def test_a_new_positive_rg_after_reconsideration_starts_a_fresh_period(
        self, rg_reconsideration, caseworker_a
    ):
        decide(rg_reconsideration, caseworker_a, stage="rg", positive=True, on=TODAY)
        nrm = _fresh(rg_reconsideration)
        assert (nrm.recovery_extension_days, nrm.recovery_curtailed_to) == (0, None)


class TestFurtherDateAndChoiceChecks:
    @pytest.fixture
    def rg_positive(self, case_a, manager_a, caseworker_a, consent, time_machine):
        import datetime as dt

        from casework.services import cases as case_services
        from casework.services import nrm as nrm_services

        time_machine.move_to(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC), tick=False)
        case_services.case_accept(
            by=manager_a, case=case_a, caseworker=caseworker_a, expected_version=case_a.version
        )
        consent(case_a, scope="nrm_referral")
        nrm = case_a.nrm
        nrm_services.nrm_submit(
            by=caseworker_a,
            nrm=nrm,
            expected_version=nrm.version,
            submitted_on=dt.date(2026, 2, 2),
            first_responder=None,
        )
        nrm_services.nrm_record_decision(
            by=caseworker_a,
            nrm=nrm,
            expected_version=nrm.version,
            stage="rg",
            positive=True,
            decided_on=dt.date(2026, 2, 5),
            authority="sca",
        )
        return nrm

    def test_curtailing_to_a_later_date_is_refused(self, rg_positive, caseworker_a):
        import datetime as dt

        from casework.services import nrm as nrm_services

        with pytest.raises(PathwayError, match="extend instead"):
            nrm_services.nrm_adjust_recovery_period(
                by=caseworker_a,
                nrm=rg_positive,
                expected_version=rg_positive.version,
                curtail_to=dt.date(2026, 12, 31),
                reason="typo",
            )

    def test_an_unknown_authority_is_refused(
        self, case_a, manager_a, caseworker_a, consent, time_machine
    ):
        import datetime as dt

        from casework.services import cases as case_services
        from casework.services import nrm as nrm_services

        time_machine.move_to(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC), tick=False)
        case_services.case_accept(
            by=manager_a, case=case_a, caseworker=caseworker_a, expected_version=case_a.version
        )
        consent(case_a, scope="nrm_referral")
        nrm = case_a.nrm
        nrm_services.nrm_submit(
            by=caseworker_a,
            nrm=nrm,
            expected_version=nrm.version,
            submitted_on=dt.date(2026, 2, 2),
            first_responder=None,
        )
        with pytest.raises(PathwayError, match="from the list"):
            nrm_services.nrm_record_decision(
                by=caseworker_a,
                nrm=nrm,
                expected_version=nrm.version,
                stage="rg",
                positive=True,
                decided_on=dt.date(2026, 2, 5),
                authority="the neighbours",
            )

    def test_duty_to_notify_before_the_referral_is_refused(self, case_a, caseworker_a, manager_a):
        import datetime as dt

        from casework.services import nrm as nrm_services

        with pytest.raises(PathwayError, match="before the referral"):
            nrm_services.nrm_decline_consent(
                by=manager_a,
                nrm=case_a.nrm,
                expected_version=case_a.nrm.version,
                notified_on=case_a.referral_date - dt.timedelta(days=1),
            )
