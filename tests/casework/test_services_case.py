import datetime

import pytest
from django.utils import timezone

from carepath.audit.models import TimelineEvent
from carepath.pathway import ConflictError, PathwayError
from carepath.people.models import Role
from carepath.policy import PolicyDenied
from casework.models import Case, CaseState, NrmState
from casework.services import cases as services
from tests.factories import CaseFactory, TeamFactory


def _events(case):
    return list(TimelineEvent.objects.filter(subject_id=case.pk).values_list("kind", flat=True))


def _accepted(case, by, caseworker):
    return services.case_accept(
        by=by, case=case, caseworker=caseworker, expected_version=case.version
    )


def test_referral_creates_case_with_reference_nrm_and_event(case_a, org_a):
    assert case_a.state == CaseState.REFERRED
    assert case_a.reference == "ORGA-2026-0001"
    assert case_a.nrm.state == NrmState.NOT_REFERRED
    assert case_a.jurisdiction == org_a.jurisdiction
    assert "case.referred" in _events(case_a)


def test_references_count_up_per_organisation_and_year(team_a, manager_a):
    first = CaseFactory(team=team_a, by=manager_a)
    second = CaseFactory(team=team_a, by=manager_a)
    assert int(second.reference[-4:]) == int(first.reference[-4:]) + 1


def test_a_caseworker_cannot_record_a_referral_into_another_team(caseworker_a, team_b):
    with pytest.raises(PolicyDenied):
        services.case_create(
            by=caseworker_a,
            team=team_b,
            values={
                "given_name": "X",
                "gender": "male",
                "referral_date": datetime.date(2026, 1, 1),
                "referral_source": "helpline",
            },
        )


def test_future_date_of_birth_is_refused(team_a, manager_a):
    with pytest.raises(PathwayError, match="future"):
        CaseFactory(
            team=team_a,
            by=manager_a,
            date_of_birth=timezone.localdate() + datetime.timedelta(days=1),
        )


class TestAccept:
    def test_service_manager_allocates_to_a_caseworker(self, case_a, manager_a, caseworker_a):
        _accepted(case_a, manager_a, caseworker_a)
        case_a.refresh_from_db()
        assert case_a.state == CaseState.ASSESSING
        assert case_a.caseworker == caseworker_a
        assert "case.accepted" in _events(case_a)

    def test_caseworker_takes_on_a_team_referral_themselves(self, case_a, caseworker_a):
        _accepted(case_a, caseworker_a, caseworker_a)
        assert Case.objects.get(pk=case_a.pk).caseworker == caseworker_a

    def test_caseworker_cannot_allocate_to_someone_else(
        self, case_a, caseworker_a, make_user, org_a, team_a
    ):
        other = make_user(org_a, Role.CASEWORKER, teams=[team_a])
        with pytest.raises(PolicyDenied):
            _accepted(case_a, caseworker_a, other)
        assert Case.objects.get(pk=case_a.pk).state == CaseState.REFERRED

    def test_wrong_team_caseworker_is_refused(self, case_a, caseworker_b):
        with pytest.raises(PolicyDenied):
            _accepted(case_a, caseworker_b, caseworker_b)

    def test_wrong_role_is_refused(self, case_a, make_user, org_a, team_a):
        accommodation = make_user(org_a, Role.ACCOMMODATION_MANAGER, Role.CASEWORKER, teams=[])
        with pytest.raises(PolicyDenied):
            _accepted(case_a, accommodation, accommodation)

    def test_allocation_must_be_to_a_caseworker(self, case_a, manager_a, admin_a):
        with pytest.raises(PathwayError, match="caseworker"):
            _accepted(case_a, manager_a, admin_a)

    def test_wrong_state_is_refused(self, case_a, manager_a, caseworker_a):
        _accepted(case_a, manager_a, caseworker_a)
        with pytest.raises(PathwayError, match="Assessing"):
            _accepted(case_a, manager_a, caseworker_a)


class TestDecline:
    def test_decline_needs_a_reason(self, case_a, manager_a):
        with pytest.raises(PathwayError):
            services.case_decline(
                by=manager_a,
                case=case_a,
                expected_version=case_a.version,
                decline_reason="signposted",
                reason=" ",
            )
        services.case_decline(
            by=manager_a,
            case=case_a,
            expected_version=case_a.version,
            decline_reason="signposted",
            reason="Signposted to local DV service",
        )
        assert Case.objects.get(pk=case_a.pk).state == CaseState.DECLINED

    def test_cannot_decline_an_accepted_case(self, case_a, manager_a, caseworker_a):
        _accepted(case_a, manager_a, caseworker_a)
        with pytest.raises(PathwayError):
            services.case_decline(
                by=manager_a,
                case=case_a,
                expected_version=case_a.version,
                decline_reason="other",
                reason="x",
            )


class TestStartSupport:
    def test_needs_consent(self, case_a, manager_a, caseworker_a, consent):
        _accepted(case_a, manager_a, caseworker_a)
        with pytest.raises(PathwayError, match="consent"):
            services.case_start_support(
                by=caseworker_a, case=case_a, expected_version=case_a.version
            )
        consent(case_a)
        services.case_start_support(by=caseworker_a, case=case_a, expected_version=case_a.version)
        assert Case.objects.get(pk=case_a.pk).state == CaseState.SUPPORTED

    def test_withdrawn_consent_does_not_count(self, case_a, manager_a, caseworker_a, consent):
        _accepted(case_a, manager_a, caseworker_a)
        given = consent(case_a)
        given.withdrawn_on = datetime.date(2026, 1, 7)
        given.save()
        with pytest.raises(PathwayError, match="consent"):
            services.case_start_support(
                by=caseworker_a, case=case_a, expected_version=case_a.version
            )

    def test_wrong_state(self, case_a, caseworker_a, consent):
        consent(case_a)
        with pytest.raises(PathwayError, match="Referred"):
            services.case_start_support(
                by=caseworker_a, case=case_a, expected_version=case_a.version
            )

    def test_wrong_role(self, case_a, manager_a, caseworker_a, consent, make_user, org_a):
        _accepted(case_a, manager_a, caseworker_a)
        consent(case_a)
        with pytest.raises(PolicyDenied):
            services.case_start_support(
                by=make_user(org_a, Role.MARAC_CHAIR), case=case_a, expected_version=case_a.version
            )


@pytest.fixture
def supported(case_a, manager_a, caseworker_a, consent):
    _accepted(case_a, manager_a, caseworker_a)
    consent(case_a)
    services.case_start_support(by=caseworker_a, case=case_a, expected_version=case_a.version)
    return case_a


def test_move_on_and_back(supported, caseworker_a):
    services.case_plan_move_on(by=caseworker_a, case=supported, expected_version=supported.version)
    assert supported.state == CaseState.MOVING_ON
    services.case_resume_support(
        by=caseworker_a, case=supported, expected_version=supported.version
    )
    assert supported.state == CaseState.SUPPORTED
    with pytest.raises(PathwayError):
        services.case_resume_support(
            by=caseworker_a, case=supported, expected_version=supported.version
        )


class TestMissing:
    def test_missing_alerts_the_service_manager_and_found_returns_to_support(
        self, supported, caseworker_a, manager_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            services.case_report_missing(
                by=caseworker_a,
                case=supported,
                expected_version=supported.version,
                since=timezone.now(),
                reason="Not seen for two days",
            )
        assert supported.state == CaseState.MISSING
        assert len(mailoutbox) == 1
        assert mailoutbox[0].to == [manager_a.email]
        assert supported.reference in mailoutbox[0].subject
        assert supported.given_name not in mailoutbox[0].body
        services.case_found(by=caseworker_a, case=supported, expected_version=supported.version)
        assert Case.objects.get(pk=supported.pk).state == CaseState.SUPPORTED

    def test_a_missing_child_is_urgent_and_prompts_notifications(
        self,
        team_a,
        manager_a,
        caseworker_a,
        consent,
        mailoutbox,
        django_capture_on_commit_callbacks,
    ):
        from casework.selectors.deadlines import case_deadlines

        child = CaseFactory(team=team_a, by=manager_a, date_of_birth=datetime.date(2010, 3, 1))
        _accepted(child, manager_a, caseworker_a)
        with django_capture_on_commit_callbacks(execute=True):
            services.case_report_missing(
                by=caseworker_a,
                case=child,
                expected_version=child.version,
                since=timezone.now(),
                reason="Left the foster home",
            )
        assert mailoutbox[0].subject.startswith("URGENT (child)")
        labels = [d.label for d in case_deadlines(child, today=timezone.localdate())]
        assert any("notify the police and the local authority" in str(x) for x in labels)
        services.case_record_missing_notification(
            by=caseworker_a,
            case=child,
            expected_version=child.version,
            police_at=timezone.now(),
            local_authority_at=timezone.now(),
        )
        labels = [d.label for d in case_deadlines(child, today=timezone.localdate())]
        assert not any("notify the police" in str(x) for x in labels)

    def test_cannot_report_a_referral_missing(self, case_a, manager_a):
        with pytest.raises(PathwayError):
            services.case_report_missing(
                by=manager_a,
                case=case_a,
                expected_version=case_a.version,
                since=timezone.now(),
                reason="x",
            )

    def test_found_only_when_missing(self, supported, caseworker_a):
        with pytest.raises(PathwayError):
            services.case_found(by=caseworker_a, case=supported, expected_version=supported.version)


class TestClose:
    def test_close_needs_reason_and_records_outcomes(self, supported, caseworker_a):
        with pytest.raises(PathwayError, match="reason"):
            services.case_close(
                by=caseworker_a,
                case=supported,
                expected_version=supported.version,
                closure_reason="",
                outcomes=[],
                closed_on=timezone.localdate(),
            )
        services.case_close(
            by=caseworker_a,
            case=supported,
            expected_version=supported.version,
            closure_reason="moved_on",
            outcomes=["feels_safe", "employment"],
            closed_on=timezone.localdate(),
        )
        closed = Case.objects.get(pk=supported.pk)
        assert closed.state == CaseState.CLOSED
        assert closed.outcomes == ["employment", "feels_safe"]

    def test_cannot_close_a_referral(self, case_a, manager_a):
        with pytest.raises(PathwayError):
            services.case_close(
                by=manager_a,
                case=case_a,
                expected_version=case_a.version,
                closure_reason="other",
                outcomes=[],
                closed_on=timezone.localdate(),
            )

    def test_wrong_team(self, supported, caseworker_b):
        with pytest.raises(PolicyDenied):
            services.case_close(
                by=caseworker_b,
                case=supported,
                expected_version=supported.version,
                closure_reason="other",
                outcomes=[],
                closed_on=timezone.localdate(),
            )


def test_reopen_creates_a_new_episode_and_keeps_the_old(supported, caseworker_a):
    services.case_close(
        by=caseworker_a,
        case=supported,
        expected_version=supported.version,
        closure_reason="disengaged",
        outcomes=[],
        none_achieved=True,
        closed_on=timezone.localdate(),
    )
    episode = services.case_reopen(by=caseworker_a, case=supported, reason="Returned for help")
    assert episode.pk != supported.pk
    assert episode.previous_episode == supported
    assert episode.state == CaseState.REFERRED
    assert episode.given_name == supported.given_name
    assert Case.objects.get(pk=supported.pk).state == CaseState.CLOSED
    with pytest.raises(PathwayError, match="already been re-opened"):
        services.case_reopen(
            by=caseworker_a, case=Case.objects.get(pk=supported.pk), reason="again"
        )


def test_reopen_refused_for_an_open_case(supported, caseworker_a):
    with pytest.raises(PathwayError):
        services.case_reopen(by=caseworker_a, case=supported, reason="x")


def test_reallocation_by_service_manager_only(
    supported, manager_a, caseworker_a, make_user, org_a, team_a
):
    other = make_user(org_a, Role.CASEWORKER, teams=[team_a])
    with pytest.raises(PolicyDenied):
        services.case_allocate(
            by=caseworker_a, case=supported, caseworker=other, expected_version=supported.version
        )
    services.case_allocate(
        by=manager_a,
        case=supported,
        caseworker=other,
        expected_version=supported.version,
        reason="Leave cover",
    )
    assert Case.objects.get(pk=supported.pk).caseworker == other


def test_stale_version_is_a_conflict_and_changes_nothing(supported, caseworker_a):
    stale = Case.objects.get(pk=supported.pk)
    services.case_plan_move_on(by=caseworker_a, case=supported, expected_version=supported.version)
    with pytest.raises(ConflictError):
        services.case_update(
            by=caseworker_a,
            case=stale,
            expected_version=stale.version,
            values={"main_language": "Tigrinya"},
        )
    fresh = Case.objects.get(pk=supported.pk)
    assert fresh.state == CaseState.MOVING_ON
    assert fresh.main_language == ""


def test_other_organisation_team_is_refused(org_b, caseworker_a):
    other_team = TeamFactory(organisation=org_b)
    with pytest.raises(PolicyDenied):
        services.case_create(
            by=caseworker_a,
            team=other_team,
            values={
                "given_name": "X",
                "gender": "male",
                "referral_date": datetime.date(2026, 1, 1),
                "referral_source": "helpline",
            },
        )


def test_history_rows_name_the_acting_user_outside_a_request(case_a, manager_a, caseworker_a):
    assert case_a.history.earliest().history_user == manager_a
    _accepted(case_a, manager_a, caseworker_a)
    latest = Case.objects.get(pk=case_a.pk).history.latest()
    assert latest.history_user == manager_a
    assert latest.state == CaseState.ASSESSING
    assert case_a.nrm.history.earliest().history_user == manager_a


def test_closing_needs_outcomes_or_an_explicit_none(supported, caseworker_a):
    with pytest.raises(PathwayError, match="none was achieved"):
        services.case_close(
            by=caseworker_a,
            case=supported,
            expected_version=supported.version,
            closure_reason="disengaged",
            outcomes=[],
            closed_on=timezone.localdate(),
        )
    with pytest.raises(PathwayError, match="untick"):
        services.case_close(
            by=caseworker_a,
            case=supported,
            expected_version=supported.version,
            closure_reason="moved_on",
            outcomes=["feels_safe"],
            none_achieved=True,
            closed_on=timezone.localdate(),
        )
    assert Case.objects.get(pk=supported.pk).state == CaseState.SUPPORTED


def test_missing_cannot_start_before_the_referral(supported, caseworker_a):
    import datetime as dt

    with pytest.raises(PathwayError, match="before they were referred"):
        services.case_report_missing(
            by=caseworker_a,
            case=supported,
            expected_version=supported.version,
            since=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            reason="x",
        )


def test_reopening_a_stale_copy_is_a_conflict(supported, caseworker_a):
    services.case_close(
        by=caseworker_a,
        case=supported,
        expected_version=supported.version,
        closure_reason="disengaged",
        outcomes=[],
        none_achieved=True,
        closed_on=timezone.localdate(),
    )
    stale = Case.objects.get(pk=supported.pk)
    services.case_reopen(
        by=caseworker_a, case=Case.objects.get(pk=supported.pk), reason="Back in touch"
    )
    with pytest.raises(PathwayError, match="already been re-opened"):
        services.case_reopen(by=caseworker_a, case=stale, reason="Back in touch, again")


@pytest.mark.parametrize(
    "service, prepare",
    [
        ("case_decline", None),
        ("case_start_support", "assessing"),
        ("case_plan_move_on", "supported"),
        ("case_resume_support", "moving_on"),
        ("case_report_missing", "supported"),
        ("case_found", "missing"),
        ("case_close", "supported"),
        ("case_reopen", "closed"),
    ],
)
def test_every_case_transition_refuses_the_wrong_roles(
    service, prepare, case_a, manager_a, caseworker_a, caseworker_b, consent, make_user, org_a
):
    """Another team's caseworker and people in non-case roles are refused, and nothing
    changes."""
    import datetime as dt

    if prepare:
        _accepted(case_a, manager_a, caseworker_a)
        consent(case_a)
    steps = {
        "supported": [services.case_start_support],
        "moving_on": [services.case_start_support, services.case_plan_move_on],
        "missing": [services.case_start_support],
        "closed": [services.case_start_support],
    }
    for step in steps.get(prepare, []):
        step(by=caseworker_a, case=case_a, expected_version=case_a.version)
    if prepare == "missing":
        services.case_report_missing(
            by=caseworker_a,
            case=case_a,
            expected_version=case_a.version,
            since=timezone.now(),
            reason="Not seen",
        )
    if prepare == "closed":
        services.case_close(
            by=caseworker_a,
            case=case_a,
            expected_version=case_a.version,
            closure_reason="disengaged",
            outcomes=[],
            none_achieved=True,
            closed_on=timezone.localdate(),
        )
    case = Case.objects.get(pk=case_a.pk)
    arguments = {
        "case_decline": {"decline_reason": "other", "reason": "x"},
        "case_report_missing": {"since": timezone.now(), "reason": "x"},
        "case_close": {
            "closure_reason": "other",
            "outcomes": [],
            "none_achieved": True,
            "closed_on": dt.date.today(),
        },
        "case_reopen": {"reason": "x"},
    }.get(service, {})
    if service != "case_reopen":
        arguments["expected_version"] = case.version
    outsiders = [
        caseworker_b,
        make_user(org_a, Role.ACCOMMODATION_MANAGER),
        make_user(org_a, Role.MARAC_CHAIR),
        make_user(org_a, Role.ADMINISTRATOR),
    ]
    for outsider in outsiders:
        with pytest.raises(PolicyDenied):
            getattr(services, service)(by=outsider, case=Case.objects.get(pk=case.pk), **arguments)
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == (case.state, case.version)
