import datetime
from datetime import date
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.utils import timezone

from carepath.clocks.selectors import all_period_rules
from carepath.people.models import Jurisdiction
from casework.models import Case, ConsentRecord, NrmRecord
from casework.selectors.deadlines import case_deadlines, recovery_period_end, with_deadlines
from casework.services import cases as case_services
from casework.services import nrm as services
from casework.services.records import case_record_add, goal_set_status
from tests.factories import CaseFactory

LONDON = ZoneInfo("Europe/London")
EW = Jurisdiction.ENGLAND_WALES
SCT = Jurisdiction.SCOTLAND
NI = Jurisdiction.NORTHERN_IRELAND
RG_LABEL = "Reasonable grounds decision (5 working day target)"


@pytest.fixture
def at(time_machine):
    def move(day: date, hour: int = 12, minute: int = 0) -> None:
        time_machine.move_to(
            datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON),
            tick=False,
        )

    return move


@pytest.fixture
def referred(team_a, manager_a):
    """An adult's case in ``jurisdiction``, referred on ``referral_date``, with NRM consent."""

    def make(jurisdiction: str, referral_date: date) -> Case:
        case = CaseFactory(
            team=team_a, by=manager_a, jurisdiction=jurisdiction, referral_date=referral_date
        )
        ConsentRecord.objects.create(
            case=case,
            scope="nrm_referral",
            given_on=referral_date,
            method="verbal",
            recorded_by=manager_a,
        )
        return case

    return make


def _nrm(case: Case) -> NrmRecord:
    return NrmRecord.objects.get(case=case)


def _reloaded(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def submit(case, by, on):
    nrm = _nrm(case)
    services.nrm_submit(
        by=by, nrm=nrm, expected_version=nrm.version, submitted_on=on, first_responder=None
    )


def decide(case, by, *, stage, positive=True, on):
    nrm = _nrm(case)
    services.nrm_record_decision(
        by=by,
        nrm=nrm,
        expected_version=nrm.version,
        stage=stage,
        positive=positive,
        decided_on=on,
        authority="sca",
    )


def adjust(case, by, **change):
    nrm = _nrm(case)
    services.nrm_adjust_recovery_period(
        by=by, nrm=nrm, expected_version=nrm.version, reason="Reviewed with the person", **change
    )


def deadlines(case, today=None):
    return case_deadlines(_reloaded(case), today=today or timezone.localdate())


def labelled(case, label, today=None):
    return [d for d in deadlines(case, today) if str(d.label) == label]


# --- Reasonable grounds target ---------------------------------------------------------------


def test_the_bank_holidays_the_rg_targets_rely_on():
    def holiday(day, subdiv):
        return day in holidays.country_holidays("GB", subdiv=subdiv, years=day.year)

    st_andrews, easter_monday, st_patricks = date(2026, 11, 30), date(2026, 4, 6), date(2026, 3, 17)
    assert st_andrews.weekday() == easter_monday.weekday() == 0
    assert holiday(st_andrews, "SCT") and not holiday(st_andrews, "ENG")
    assert holiday(easter_monday, "ENG") and not holiday(easter_monday, "SCT")
    assert holiday(st_patricks, "NIR") and not holiday(st_patricks, "ENG")
    assert holiday(date(2026, 4, 3), "ENG") and holiday(date(2026, 4, 3), "SCT")  # Good Friday


@pytest.mark.parametrize(
    ("jurisdiction", "submitted", "target"),
    [
        # Friday before St Andrew's Day (Monday 30 Nov 2026, Scotland only).
        (SCT, date(2026, 11, 27), date(2026, 12, 7)),
        (EW, date(2026, 11, 27), date(2026, 12, 4)),
        # Thursday before Easter: Good Friday everywhere, Easter Monday not in Scotland.
        (EW, date(2026, 4, 2), date(2026, 4, 13)),
        (SCT, date(2026, 4, 2), date(2026, 4, 10)),
        # Monday before St Patrick's Day (Northern Ireland only).
        (NI, date(2026, 3, 16), date(2026, 3, 24)),
        (EW, date(2026, 3, 16), date(2026, 3, 23)),
    ],
)
def test_rg_target_counts_working_days_of_the_case_jurisdiction(
    at, referred, manager_a, jurisdiction, submitted, target
):
    at(submitted)
    case = referred(jurisdiction, submitted - datetime.timedelta(days=3))
    submit(case, manager_a, submitted)
    [found] = deadlines(case)
    assert str(found.label) == RG_LABEL
    assert found.is_target
    assert found.due == target


def test_rg_target_is_due_on_the_day_missed_the_day_after_and_never_blocks(
    at, referred, caseworker_a
):
    at(date(2026, 11, 27))
    case = referred(SCT, date(2026, 11, 20))
    submit(case, caseworker_a, date(2026, 11, 27))

    at(date(2026, 12, 7))
    [target] = labelled(case, RG_LABEL)
    assert (target.due, target.status, target.status_label) == (
        date(2026, 12, 7),
        "due",
        "Due soon",
    )

    at(date(2026, 12, 8))
    [target] = labelled(case, RG_LABEL)
    assert (target.status, target.status_label) == ("overdue", "Target missed")

    decide(case, caseworker_a, stage="rg", on=date(2026, 12, 8))
    assert _nrm(case).rg_decision_on == date(2026, 12, 8)
    assert labelled(case, RG_LABEL) == []
    [recovery] = deadlines(case)
    # Scotland: 90 days from the positive RG decision.
    assert (str(recovery.label), recovery.due) == ("Recovery period ends", date(2027, 3, 8))


def test_an_rg_target_is_due_soon_from_a_week_before(at, referred, manager_a):
    at(date(2026, 4, 2))
    case = referred(EW, date(2026, 3, 30))
    submit(case, manager_a, date(2026, 4, 2))
    [target] = deadlines(case, today=date(2026, 4, 6))
    assert (target.due, target.status, target.status_label) == (
        date(2026, 4, 13),
        "due",
        "Due soon",
    )
    [target] = deadlines(case, today=date(2026, 4, 5))
    assert (target.status, target.status_label) == ("upcoming", "Upcoming")


# --- Recovery period -------------------------------------------------------------------------


@pytest.mark.parametrize("use_rules", [False, True], ids=["queried", "preloaded"])
@pytest.mark.parametrize(
    ("jurisdiction", "decided", "end"),
    [
        # England & Wales: 45 days until 12 Dec 2022, 30 days from 13 Dec 2022.
        (EW, date(2022, 12, 12), date(2023, 1, 26)),
        (EW, date(2022, 12, 13), date(2023, 1, 12)),
        # Scotland: 45 days until 31 Mar 2018, 90 days from 1 Apr 2018.
        (SCT, date(2018, 3, 31), date(2018, 5, 15)),
        (SCT, date(2018, 4, 1), date(2018, 6, 30)),
        (SCT, date(2022, 12, 13), date(2023, 3, 13)),
        # Northern Ireland: 45 days throughout.
        (NI, date(2018, 4, 1), date(2018, 5, 16)),
        (NI, date(2022, 12, 13), date(2023, 1, 27)),
    ],
)
def test_recovery_period_follows_the_rule_in_force_on_the_rg_decision(
    at, referred, manager_a, jurisdiction, decided, end, use_rules
):
    at(decided + datetime.timedelta(days=10))
    case = referred(jurisdiction, decided - datetime.timedelta(days=20))
    submit(case, manager_a, decided - datetime.timedelta(days=7))
    decide(case, manager_a, stage="rg", on=decided)
    rules = all_period_rules() if use_rules else None
    case = _reloaded(case)
    assert recovery_period_end(case, rules=rules) == end
    [shown] = case_deadlines(case, today=timezone.localdate(), rules=rules)
    assert (str(shown.label), shown.due, shown.is_target) == ("Recovery period ends", end, False)


@pytest.fixture
def ew_recovery(at, referred, manager_a):
    """England & Wales, positive RG on 13 Dec 2022: the period ends on 12 Jan 2023."""
    at(date(2022, 12, 20))
    case = referred(EW, date(2022, 12, 1))
    submit(case, manager_a, date(2022, 12, 5))
    decide(case, manager_a, stage="rg", on=date(2022, 12, 13))
    return case


def test_extensions_add_days_to_the_end(ew_recovery, manager_a):
    adjust(ew_recovery, manager_a, extend_by_days=14)
    adjust(ew_recovery, manager_a, extend_by_days=7)
    assert recovery_period_end(_reloaded(ew_recovery)) == date(2023, 2, 2)
    [shown] = deadlines(ew_recovery)
    assert shown.due == date(2023, 2, 2)


def test_curtailment_replaces_the_end(ew_recovery, manager_a):
    adjust(ew_recovery, manager_a, extend_by_days=14)
    adjust(ew_recovery, manager_a, curtail_to=date(2022, 12, 31))
    assert recovery_period_end(_reloaded(ew_recovery)) == date(2022, 12, 31)
    [shown] = deadlines(ew_recovery, today=date(2023, 1, 1))
    assert (shown.due, shown.status, shown.status_label) == (
        date(2022, 12, 31),
        "overdue",
        "Overdue",
    )


def test_an_extension_after_a_curtailment_extends_the_curtailed_end(ew_recovery, manager_a):
    adjust(ew_recovery, manager_a, curtail_to=date(2022, 12, 31))
    adjust(ew_recovery, manager_a, extend_by_days=10)
    assert recovery_period_end(_reloaded(ew_recovery)) == date(2023, 1, 10)


def test_recovery_period_is_not_shown_once_the_cg_decision_is_made(ew_recovery, at, manager_a):
    at(date(2023, 1, 5))
    decide(ew_recovery, manager_a, stage="cg", positive=False, on=date(2023, 1, 5))
    assert recovery_period_end(_reloaded(ew_recovery)) == date(2023, 1, 12)
    assert deadlines(ew_recovery) == []


# --- Move-on support -------------------------------------------------------------------------


def test_move_on_support_ends_45_days_after_a_positive_cg(at, referred, manager_a):
    at(date(2026, 3, 2))
    case = referred(EW, date(2026, 1, 5))
    submit(case, manager_a, date(2026, 1, 12))
    decide(case, manager_a, stage="rg", on=date(2026, 1, 16))
    decide(case, manager_a, stage="cg", on=date(2026, 3, 2))

    [shown] = deadlines(case)
    assert (str(shown.label), shown.due, shown.status) == (
        "Move-on support ends",
        date(2026, 4, 16),
        "upcoming",
    )
    at(date(2026, 4, 16))
    [shown] = deadlines(case)
    assert shown.status == "due"
    at(date(2026, 4, 17))
    assert deadlines(case) == []


def test_no_move_on_after_a_negative_cg(at, referred, manager_a):
    at(date(2026, 3, 2))
    case = referred(EW, date(2026, 1, 5))
    submit(case, manager_a, date(2026, 1, 12))
    decide(case, manager_a, stage="rg", on=date(2026, 1, 16))
    decide(case, manager_a, stage="cg", positive=False, on=date(2026, 3, 2))
    assert deadlines(case) == []


# --- Support plan reviews and ordering -------------------------------------------------------


def _goal(case, by, area, review_date):
    return case_record_add(
        by=by,
        case=case,
        kind="goal",
        values={
            "area": area,
            "description": "Agreed with the person",
            "owner": "Caseworker",
            "review_date": review_date,
        },
    )


def test_open_goal_reviews_appear_with_the_nrm_target_soonest_first(at, referred, caseworker_a):
    at(date(2026, 4, 2))
    case = referred(EW, date(2026, 3, 30))
    submit(case, caseworker_a, date(2026, 4, 2))
    _goal(case, caseworker_a, "legal", date(2026, 5, 1))
    _goal(case, caseworker_a, "accommodation", date(2026, 4, 8))
    _goal(case, caseworker_a, "safety", date(2026, 4, 3))
    achieved = _goal(case, caseworker_a, "health", date(2026, 4, 4))
    dropped = _goal(case, caseworker_a, "money", date(2026, 4, 5))
    goal_set_status(by=caseworker_a, goal=achieved, status="achieved")
    goal_set_status(by=caseworker_a, goal=dropped, status="dropped")

    found = deadlines(case)
    assert [(str(d.label), d.due) for d in found] == [
        ("Support plan review: Safety", date(2026, 4, 3)),
        ("Support plan review: Accommodation", date(2026, 4, 8)),
        (RG_LABEL, date(2026, 4, 13)),
        ("Support plan review: Legal and immigration", date(2026, 5, 1)),
    ]
    assert [d.status for d in found] == ["due", "due", "upcoming", "upcoming"]
    assert [d.is_target for d in found] == [False, False, True, False]
    [(listed, same)] = with_deadlines([_reloaded(case)], today=timezone.localdate())
    assert listed == case
    assert same == found


def test_a_declined_referral_has_no_deadlines(at, referred, manager_a, caseworker_a):
    at(date(2026, 4, 2))
    case = referred(EW, date(2026, 3, 30))
    _goal(case, caseworker_a, "safety", date(2026, 4, 3))
    case = _reloaded(case)
    case_services.case_decline(
        by=manager_a,
        case=case,
        expected_version=case.version,
        decline_reason="signposted",
        reason="Signposted to a local service",
    )
    assert deadlines(case) == []


# --- A missing child -------------------------------------------------------------------------


def test_a_missing_child_is_due_on_the_local_day_they_went_missing(
    at, team_a, manager_a, caseworker_a
):
    # 00:30 on 10 June in London is 23:30 on 9 June in UTC.
    at(date(2026, 6, 10), hour=0, minute=30)
    child = CaseFactory(team=team_a, by=manager_a, date_of_birth=date(2010, 3, 1))
    case_services.case_accept(
        by=manager_a, case=child, caseworker=caseworker_a, expected_version=child.version
    )
    case_services.case_report_missing(
        by=caseworker_a,
        case=child,
        expected_version=child.version,
        since=timezone.now(),
        reason="Did not come back to the foster home",
    )
    [alert] = deadlines(child)
    assert (alert.due, alert.status) == (date(2026, 6, 10), "due")
