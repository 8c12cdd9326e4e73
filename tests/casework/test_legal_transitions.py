"""Every step of every kind of legal matter: taken from the right state with sensible values,
refused from a wrong state and with dates that cannot be (in the future, or before the step
they follow); and the page behind them."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from carepath.audit.models import TimelineEvent
from carepath.pathway import ConflictError, PathwayError
from carepath.policy import PolicyDenied
from casework.models import (
    Case,
    CicaClaim,
    CivilMatter,
    CriminalJusticeMatter,
    ImmigrationMatter,
    LegalMatter,
)
from casework.services.legal_transitions import legal_transition
from tests.factories import CaseFactory

TODAY = datetime.date(2026, 3, 2)
TOMORROW = TODAY + datetime.timedelta(days=1)
OPENED = datetime.date(2025, 6, 20)

INCIDENT = datetime.date(2025, 6, 1)
APPLIED = datetime.date(2025, 9, 1)
DECIDED = datetime.date(2026, 1, 10)
REVIEW_REQUESTED = datetime.date(2026, 2, 1)
REVIEWED = datetime.date(2026, 2, 20)
APPEALED = datetime.date(2026, 2, 25)
TRIBUNAL = datetime.date(2026, 3, 1)

HO_APPLIED = datetime.date(2025, 9, 1)
HO_REFUSED = datetime.date(2025, 12, 1)
HO_APPEALED = datetime.date(2025, 12, 10)

CHARGED = datetime.date(2026, 1, 20)

WRONG_STATE = "cannot be done while the matter is"

# The dates a record has in each state, as if every step before it had been taken.
CICA_STATES = {
    "considering": {},
    "applied": {"applied_on": APPLIED, "reference": "CICA/25/1"},
    "decided": {"decided_on": DECIDED, "amount_awarded": Decimal("11000")},
    "review_requested": {"review_requested_on": REVIEW_REQUESTED},
    "reviewed": {"review_decided_on": REVIEWED, "amount_on_review": Decimal("13500")},
    "appealed": {"appealed_on": APPEALED},
    "tribunal_decided": {"tribunal_decided_on": TRIBUNAL, "amount_on_appeal": Decimal("22000")},
}
IMMIGRATION_STATES = {
    "preparing": {},
    "applied": {"applied_on": HO_APPLIED},
    "refused": {"applied_on": HO_APPLIED, "decided_on": HO_REFUSED},
    "appealed": {"applied_on": HO_APPLIED, "decided_on": HO_REFUSED, "appealed_on": HO_APPEALED},
    "granted": {
        "applied_on": HO_APPLIED,
        "decided_on": HO_REFUSED,
        "leave_granted": "TPS-VT for 12 months",
        "leave_expires_on": datetime.date(2026, 12, 1),
    },
}
JUSTICE_STATES = {
    "reported": {},
    "investigating": {},
    "charged": {"charged_on": CHARGED},
    "at_court": {"charged_on": CHARGED},
    "concluded": {"charged_on": CHARGED, "concluded_on": TODAY, "outcome": "Convicted"},
}


def _cica_fields(state: str) -> dict:
    fields = {"incident_on": INCIDENT, "reported_on": INCIDENT}
    for name, values in CICA_STATES.items():
        fields.update(values)
        if name == state:
            break
    return fields


def make_matter(case: Case, by, kind: str, state: str | None = None, **fields) -> LegalMatter:
    """A matter and its kind's record, built directly in the state a test needs."""
    matter = LegalMatter.objects.create(
        case=case, kind=kind, title=f"{kind} matter", opened_on=OPENED, created_by=by
    )
    if kind == "cica":
        state = state or "considering"
        CicaClaim.objects.create(matter=matter, state=state, **{**_cica_fields(state), **fields})
    elif kind == "immigration":
        state = state or "preparing"
        values = {**IMMIGRATION_STATES.get(state, {}), **fields}
        ImmigrationMatter.objects.create(matter=matter, state=state, route="tps_vt", **values)
    elif kind == "criminal_justice":
        state = state or "reported"
        values = {**JUSTICE_STATES.get(state, {}), **fields}
        CriminalJusticeMatter.objects.create(matter=matter, state=state, **values)
    else:
        CivilMatter.objects.create(
            matter=matter, state=state or "open", civil_kind="employment_tribunal", **fields
        )
    return LegalMatter.objects.get(pk=matter.pk)


def take(matter: LegalMatter, by, name: str, **values):
    return legal_transition(
        by=by, matter=matter, name=name, expected_version=matter.detail.version, values=values
    )


def fresh(matter: LegalMatter):
    return LegalMatter.objects.get(pk=matter.pk).detail


def events(case: Case) -> list[tuple[str, dict]]:
    return list(
        TimelineEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case),
            subject_id=case.pk,
            kind__startswith="legal.",
        )
        .order_by("pk")
        .values_list("kind", "detail")
    )


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(
        datetime.datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


# --- Allowed: every transition from a state it leaves ---------------------------------------

ALLOWED = [
    (
        "cica",
        "considering",
        "apply",
        {"on": APPLIED, "reference": " CICA/25/123 "},
        "applied",
        {"applied_on": APPLIED, "reference": "CICA/25/123"},
    ),
    (
        "cica",
        "applied",
        "decide",
        {"on": TODAY, "amount": Decimal("11000")},
        "decided",
        {"decided_on": TODAY, "amount_awarded": Decimal("11000")},
    ),
    (
        "cica",
        "applied",
        "decide",
        {"on": APPLIED, "amount": 0},
        "decided",
        {"decided_on": APPLIED, "amount_awarded": Decimal("0")},
    ),
    (
        "cica",
        "decided",
        "request_review",
        {"on": DECIDED},
        "review_requested",
        {"review_requested_on": DECIDED},
    ),
    (
        "cica",
        "review_requested",
        "record_review",
        {"on": TODAY, "amount": Decimal("13500.50")},
        "reviewed",
        {"review_decided_on": TODAY, "amount_on_review": Decimal("13500.50")},
    ),
    ("cica", "reviewed", "appeal", {"on": REVIEWED}, "appealed", {"appealed_on": REVIEWED}),
    (
        "cica",
        "appealed",
        "record_tribunal",
        {"on": TODAY, "amount": Decimal("9999999.99")},
        "tribunal_decided",
        {"tribunal_decided_on": TODAY, "amount_on_appeal": Decimal("9999999.99")},
    ),
    (
        "cica",
        "decided",
        "close",
        {"reason": "Award accepted"},
        "closed",
        {"state_reason": "Award accepted"},
    ),
    ("cica", "reviewed", "close", {"reason": "Award accepted after review"}, "closed", {}),
    ("cica", "tribunal_decided", "close", {"reason": "Tribunal award paid"}, "closed", {}),
    (
        "cica",
        "considering",
        "withdraw",
        {"reason": "Does not want to claim now"},
        "withdrawn",
        {"state_reason": "Does not want to claim now"},
    ),
    ("cica", "appealed", "withdraw", {"reason": "Appeal withdrawn"}, "withdrawn", {}),
    (
        "immigration",
        "preparing",
        "apply",
        {"on": HO_APPLIED, "reference": "HO-123"},
        "applied",
        {"applied_on": HO_APPLIED, "home_office_reference": "HO-123"},
    ),
    (
        "immigration",
        "applied",
        "grant",
        {"on": TODAY, "leave": "TPS-VT for 12 months", "expires_on": datetime.date(2027, 3, 1)},
        "granted",
        {
            "decided_on": TODAY,
            "leave_granted": "TPS-VT for 12 months",
            "leave_expires_on": datetime.date(2027, 3, 1),
        },
    ),
    (
        "immigration",
        "appealed",
        "grant",
        {"on": TODAY, "leave": "Indefinite leave to remain", "expires_on": None},
        "granted",
        {
            "decided_on": HO_REFUSED,
            "appeal_decided_on": TODAY,
            "leave_granted": "Indefinite leave to remain",
            "leave_expires_on": None,
        },
    ),
    ("immigration", "applied", "refuse", {"on": TODAY}, "refused", {"decided_on": TODAY}),
    (
        "immigration",
        "refused",
        "appeal",
        {"on": HO_REFUSED},
        "appealed",
        {"appealed_on": HO_REFUSED},
    ),
    (
        "immigration",
        "appealed",
        "dismiss_appeal",
        {"on": TODAY},
        "appeal_dismissed",
        {"appeal_decided_on": TODAY},
    ),
    (
        "immigration",
        "preparing",
        "withdraw",
        {"reason": "Chose another route"},
        "withdrawn",
        {"state_reason": "Chose another route"},
    ),
    ("immigration", "refused", "withdraw", {"reason": "Will not appeal"}, "withdrawn", {}),
    ("immigration", "appealed", "withdraw", {"reason": "Fresh claim instead"}, "withdrawn", {}),
    (
        "immigration",
        "granted",
        "apply_to_extend",
        {"on": TODAY, "reference": "EXT-1"},
        "applied",
        {"applied_on": TODAY, "home_office_reference": "EXT-1"},
    ),
    (
        "immigration",
        "granted",
        "close",
        {"reason": "Settled status granted"},
        "closed",
        {"state_reason": "Settled status granted"},
    ),
    ("criminal_justice", "reported", "investigate", {}, "investigating", {}),
    ("criminal_justice", "reported", "charge", {"on": TODAY}, "charged", {"charged_on": TODAY}),
    ("criminal_justice", "investigating", "charge", {"on": CHARGED}, "charged", {}),
    ("criminal_justice", "charged", "go_to_court", {}, "at_court", {}),
    (
        "criminal_justice",
        "at_court",
        "conclude",
        {"on": TODAY, "outcome": "Convicted on two counts"},
        "concluded",
        {"concluded_on": TODAY, "outcome": "Convicted on two counts"},
    ),
    (
        "criminal_justice",
        "charged",
        "conclude",
        {"on": CHARGED, "outcome": "Guilty plea"},
        "concluded",
        {},
    ),
    (
        "criminal_justice",
        "investigating",
        "no_further_action",
        {"on": TODAY, "outcome": "Insufficient evidence"},
        "no_further_action",
        {"concluded_on": TODAY, "outcome": "Insufficient evidence"},
    ),
    (
        "criminal_justice",
        "charged",
        "no_further_action",
        {"on": CHARGED, "outcome": "Charge dropped by the CPS"},
        "no_further_action",
        {},
    ),
    (
        "civil",
        "open",
        "close",
        {"on": TODAY, "outcome": "Settled for £4,000"},
        "closed",
        {"closed_on": TODAY, "outcome": "Settled for £4,000"},
    ),
]


@pytest.mark.parametrize(
    ("kind", "state", "name", "values", "target", "recorded"),
    ALLOWED,
    ids=[f"{a[0]}-{a[2]}-from-{a[1]}" for a in ALLOWED],
)
def test_allowed(case_a, caseworker_a, kind, state, name, values, target, recorded):
    matter = make_matter(case_a, caseworker_a, kind, state)
    version = matter.detail.version

    result = take(matter, caseworker_a, name, **values)

    record = fresh(matter)
    assert result.pk == record.pk
    assert record.state == target
    assert record.version == version + 1
    for field, value in recorded.items():
        assert getattr(record, field) == value, field
    assert events(case_a) == [(f"legal.{kind}.{name}", {"matter": matter.pk})]


def test_every_transition_has_an_allowed_test():
    declared = {
        (kind, t.name)
        for kind, model in [
            ("cica", CicaClaim),
            ("immigration", ImmigrationMatter),
            ("criminal_justice", CriminalJusticeMatter),
            ("civil", CivilMatter),
        ]
        for t in model._meta.get_field("state").get_all_transitions(model)
    }
    assert declared == {(kind, name) for kind, _state, name, *_rest in ALLOWED}
    assert declared == {(kind, name) for kind, _state, name, _values in WRONG_STATES}


def test_a_reason_is_kept_on_the_timeline(case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", "applied")
    take(matter, caseworker_a, "withdraw", reason="Moved abroad")
    event = TimelineEvent.objects.get(kind="legal.cica.withdraw")
    assert event.reason == "Moved abroad"
    assert event.actor == caseworker_a


# --- Refused: from a state the transition does not leave -------------------------------------

WRONG_STATES = [
    ("cica", "applied", "apply", {"on": TODAY}),
    ("cica", "considering", "decide", {"on": TODAY, "amount": 100}),
    ("cica", "applied", "request_review", {"on": TODAY}),
    ("cica", "decided", "record_review", {"on": TODAY, "amount": 100}),
    ("cica", "review_requested", "appeal", {"on": TODAY}),
    ("cica", "reviewed", "record_tribunal", {"on": TODAY, "amount": 100}),
    ("cica", "applied", "close", {"reason": "Done"}),
    ("cica", "tribunal_decided", "withdraw", {"reason": "Done"}),
    ("immigration", "applied", "apply", {"on": TODAY}),
    ("immigration", "refused", "grant", {"on": TODAY, "leave": "Refugee status"}),
    ("immigration", "preparing", "refuse", {"on": TODAY}),
    ("immigration", "applied", "appeal", {"on": TODAY}),
    ("immigration", "refused", "dismiss_appeal", {"on": TODAY}),
    ("immigration", "granted", "withdraw", {"reason": "Done"}),
    ("immigration", "applied", "apply_to_extend", {"on": TODAY}),
    ("immigration", "refused", "close", {"reason": "Done"}),
    ("criminal_justice", "charged", "investigate", {}),
    ("criminal_justice", "at_court", "charge", {"on": TODAY}),
    ("criminal_justice", "investigating", "go_to_court", {}),
    ("criminal_justice", "investigating", "conclude", {"on": TODAY, "outcome": "Convicted"}),
    ("criminal_justice", "at_court", "no_further_action", {"on": TODAY, "outcome": "Dropped"}),
    ("civil", "closed", "close", {"on": TODAY, "outcome": "Settled"}),
]


@pytest.mark.parametrize(
    ("kind", "state", "name", "values"),
    WRONG_STATES,
    ids=[f"{w[0]}-{w[2]}-from-{w[1]}" for w in WRONG_STATES],
)
def test_refused_from_a_wrong_state(case_a, caseworker_a, kind, state, name, values):
    matter = make_matter(case_a, caseworker_a, kind, state)
    version = matter.detail.version

    with pytest.raises(PathwayError, match=WRONG_STATE):
        take(matter, caseworker_a, name, **values)

    record = fresh(matter)
    assert (record.state, record.version) == (state, version)
    assert events(case_a) == []


@pytest.mark.parametrize("state", ["closed", "withdrawn"])
def test_a_closed_claim_takes_no_step(case_a, caseworker_a, state):
    matter = make_matter(case_a, caseworker_a, "cica", state)
    for name, values in [("apply", {"on": TODAY}), ("withdraw", {"reason": "Again"})]:
        with pytest.raises(PathwayError, match=WRONG_STATE):
            take(matter, caseworker_a, name, **values)


# --- Refused: dates and values that cannot be ------------------------------------------------

BAD_VALUES = [
    # CICA: every date on or after the one it follows, none in the future.
    ("cica", "considering", "apply", {"on": TOMORROW}, "cannot be in the future"),
    (
        "cica",
        "considering",
        "apply",
        {"on": INCIDENT - datetime.timedelta(days=1)},
        "The date of the application cannot be before the incident (1 June 2025).",
    ),
    ("cica", "applied", "decide", {"on": TOMORROW, "amount": 1}, "cannot be in the future"),
    (
        "cica",
        "applied",
        "decide",
        {"on": datetime.date(2025, 8, 31), "amount": 1},
        "The decision date cannot be before the application (1 September 2025).",
    ),
    ("cica", "decided", "request_review", {"on": TOMORROW}, "cannot be in the future"),
    (
        "cica",
        "decided",
        "request_review",
        {"on": datetime.date(2026, 1, 9)},
        "cannot be before the decision (10 January 2026)",
    ),
    (
        "cica",
        "review_requested",
        "record_review",
        {"on": TOMORROW, "amount": 1},
        "cannot be in the future",
    ),
    (
        "cica",
        "review_requested",
        "record_review",
        {"on": datetime.date(2026, 1, 31), "amount": 1},
        "cannot be before the review request (1 February 2026)",
    ),
    ("cica", "reviewed", "appeal", {"on": TOMORROW}, "cannot be in the future"),
    (
        "cica",
        "reviewed",
        "appeal",
        {"on": datetime.date(2026, 2, 19)},
        "The date of the appeal cannot be before the review decision (20 February 2026).",
    ),
    (
        "cica",
        "appealed",
        "record_tribunal",
        {"on": TOMORROW, "amount": 1},
        "cannot be in the future",
    ),
    (
        "cica",
        "appealed",
        "record_tribunal",
        {"on": datetime.date(2026, 2, 24), "amount": 1},
        "cannot be before the appeal (25 February 2026)",
    ),
    ("cica", "applied", "decide", {"on": None, "amount": 1}, "Enter the decision date."),
    # CICA amounts.
    ("cica", "applied", "decide", {"on": TODAY, "amount": None}, "Enter the amount"),
    ("cica", "applied", "decide", {"on": TODAY, "amount": Decimal("-1")}, "less than £0"),
    (
        "cica",
        "review_requested",
        "record_review",
        {"on": TODAY, "amount": Decimal("10000000")},
        "must be less than £10,000,000",
    ),
    (
        "cica",
        "appealed",
        "record_tribunal",
        {"on": TODAY, "amount": Decimal("10.005")},
        "pounds and pence",
    ),
    ("cica", "applied", "decide", {"on": TODAY, "amount": "lots"}, "Enter the amount in pounds"),
    # Reasons.
    ("cica", "decided", "close", {"reason": "  "}, "Give the reason."),
    ("cica", "applied", "withdraw", {"reason": ""}, "Give the reason."),
    ("immigration", "applied", "withdraw", {"reason": ""}, "Give the reason."),
    (
        "cica",
        "considering",
        "apply",
        {"on": APPLIED, "reference": "X" * 41},
        "at most 40 characters",
    ),
    # Immigration.
    ("immigration", "preparing", "apply", {"on": TOMORROW}, "cannot be in the future"),
    (
        "immigration",
        "applied",
        "grant",
        {"on": TOMORROW, "leave": "Refugee status"},
        "cannot be in the future",
    ),
    (
        "immigration",
        "applied",
        "grant",
        {"on": datetime.date(2025, 8, 1), "leave": "Refugee status"},
        "cannot be before the application (1 September 2025)",
    ),
    (
        "immigration",
        "appealed",
        "grant",
        {"on": datetime.date(2025, 12, 5), "leave": "Refugee status"},
        "cannot be before the appeal (10 December 2025)",
    ),
    ("immigration", "applied", "grant", {"on": TODAY, "leave": ""}, "Say what leave"),
    (
        "immigration",
        "applied",
        "grant",
        {"on": TODAY, "leave": "Limited leave", "expires_on": TODAY},
        "must expire after the date it was granted",
    ),
    ("immigration", "applied", "refuse", {"on": TOMORROW}, "cannot be in the future"),
    (
        "immigration",
        "applied",
        "refuse",
        {"on": datetime.date(2025, 8, 31)},
        "The date of the refusal cannot be before the application (1 September 2025).",
    ),
    ("immigration", "refused", "appeal", {"on": TOMORROW}, "cannot be in the future"),
    (
        "immigration",
        "refused",
        "appeal",
        {"on": datetime.date(2025, 11, 30)},
        "The date of the appeal cannot be before the refusal (1 December 2025).",
    ),
    ("immigration", "appealed", "dismiss_appeal", {"on": TOMORROW}, "cannot be in the future"),
    (
        "immigration",
        "appealed",
        "dismiss_appeal",
        {"on": datetime.date(2025, 12, 9)},
        "cannot be before the appeal (10 December 2025)",
    ),
    # Criminal justice.
    ("criminal_justice", "reported", "charge", {"on": TOMORROW}, "cannot be in the future"),
    (
        "criminal_justice",
        "at_court",
        "conclude",
        {"on": TOMORROW, "outcome": "Convicted"},
        "cannot be in the future",
    ),
    (
        "criminal_justice",
        "at_court",
        "conclude",
        {"on": datetime.date(2026, 1, 19), "outcome": "Convicted"},
        "The date of the outcome cannot be before the charge (20 January 2026).",
    ),
    ("criminal_justice", "at_court", "conclude", {"on": TODAY, "outcome": ""}, "Describe"),
    (
        "criminal_justice",
        "investigating",
        "no_further_action",
        {"on": TOMORROW, "outcome": "Dropped"},
        "cannot be in the future",
    ),
    (
        "criminal_justice",
        "charged",
        "no_further_action",
        {"on": datetime.date(2026, 1, 19), "outcome": "Dropped"},
        "cannot be before the charge (20 January 2026)",
    ),
    (
        "criminal_justice",
        "reported",
        "no_further_action",
        {"on": TODAY, "outcome": " "},
        "Describe the outcome.",
    ),
    # Civil.
    ("civil", "open", "close", {"on": TOMORROW, "outcome": "Settled"}, "cannot be in the future"),
    (
        "immigration",
        "granted",
        "apply_to_extend",
        {"on": TOMORROW},
        "cannot be in the future",
    ),
    ("civil", "open", "close", {"on": TODAY, "outcome": ""}, "Describe the outcome."),
]


@pytest.mark.parametrize(
    ("kind", "state", "name", "values", "message"),
    BAD_VALUES,
    ids=[f"{b[0]}-{b[2]}-{i}" for i, b in enumerate(BAD_VALUES)],
)
def test_refused_values(case_a, caseworker_a, kind, state, name, values, message):
    matter = make_matter(case_a, caseworker_a, kind, state)
    before = fresh(matter)

    with pytest.raises(PathwayError) as refused:
        take(matter, caseworker_a, name, **values)

    assert message in str(refused.value)
    record = fresh(matter)
    assert (record.state, record.version) == (before.state, before.version)
    assert events(case_a) == []


def test_every_dated_transition_refuses_a_future_date():
    refused = {(k, n) for k, _s, n, values, m in BAD_VALUES if "future" in m}
    dated = {(k, n) for k, _s, n, values, *_r in ALLOWED if "on" in values}
    assert dated == refused


def test_a_name_of_another_kind_is_refused(case_a, caseworker_a):
    claim = make_matter(case_a, caseworker_a, "cica", "applied")
    civil = make_matter(case_a, caseworker_a, "civil")
    for matter, name in [(claim, "grant"), (claim, "save"), (civil, "withdraw"), (civil, "x")]:
        with pytest.raises(PathwayError, match="does not apply"):
            take(matter, caseworker_a, name, on=TODAY)
    assert fresh(claim).state == "applied"


def test_a_stale_version_is_a_conflict(case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", "applied")
    stale = matter.detail.version
    take(matter, caseworker_a, "decide", on=TODAY, amount=100)

    again = LegalMatter.objects.get(pk=matter.pk)
    with pytest.raises(ConflictError):
        legal_transition(
            by=caseworker_a,
            matter=again,
            name="withdraw",
            expected_version=stale,
            values={"reason": "Too late"},
        )
    assert fresh(matter).state == "decided"


def test_a_caseworker_of_another_team_is_refused(case_a, caseworker_a, caseworker_b):
    matter = make_matter(case_a, caseworker_a, "civil")
    with pytest.raises(PolicyDenied):
        take(matter, caseworker_b, "close", on=TODAY, outcome="Settled")
    assert fresh(matter).state == "open"


# --- The CICA application deadline ------------------------------------------------------------

LATE_INCIDENT = datetime.date(2023, 1, 10)  # two years: the last day is 10 January 2025
LATE_APPLICATION = datetime.date(2025, 6, 1)


def test_an_application_on_the_last_day_is_in_time(case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", incident_on=LATE_INCIDENT)
    take(matter, caseworker_a, "apply", on=datetime.date(2025, 1, 10))
    assert fresh(matter).state == "applied"


def test_a_late_application_without_an_extension_is_refused(case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", incident_on=LATE_INCIDENT)

    with pytest.raises(PathwayError) as refused:
        take(matter, caseworker_a, "apply", on=LATE_APPLICATION)

    message = str(refused.value)
    assert "The last day to apply was 10 January 2025." in message
    assert "exceptional circumstances" in message
    assert "edit page" in message
    assert fresh(matter).state == "considering"


def test_a_late_application_with_an_extension_is_recorded(case_a, caseworker_a):
    matter = make_matter(
        case_a,
        caseworker_a,
        "cica",
        incident_on=LATE_INCIDENT,
        extended_to=LATE_APPLICATION,
        extension_reason="Under the control of the traffickers until 2025",
    )
    take(matter, caseworker_a, "apply", on=LATE_APPLICATION)
    assert fresh(matter).applied_on == LATE_APPLICATION


def test_an_application_after_the_extension_is_refused(case_a, caseworker_a):
    matter = make_matter(
        case_a,
        caseworker_a,
        "cica",
        incident_on=LATE_INCIDENT,
        extended_to=datetime.date(2025, 5, 1),
        extension_reason="Exceptional circumstances",
    )
    with pytest.raises(PathwayError, match="The last day to apply was 1 May 2025."):
        take(matter, caseworker_a, "apply", on=LATE_APPLICATION)


def test_a_child_reported_before_18_may_apply_until_the_20th_birthday(
    team_a, manager_a, caseworker_a
):
    # Born 1 July 2006: 16 at an incident in 2022, reported the same week; the last day is
    # 30 June 2026, long after two years from the incident.
    case = CaseFactory(team=team_a, by=manager_a, date_of_birth=datetime.date(2006, 7, 1))
    incident = datetime.date(2022, 8, 1)
    matter = make_matter(case, caseworker_a, "cica", incident_on=incident, reported_on=incident)
    take(matter, caseworker_a, "apply", on=TODAY)
    assert fresh(matter).state == "applied"


# --- The page ---------------------------------------------------------------------------------

PROBLEM = "There is a problem"
CONFLICT = "Someone else changed this record"


@pytest.fixture
def client_a(caseworker_a):
    client = Client()
    client.force_login(caseworker_a)
    return client


def action_url(matter: LegalMatter, name: str) -> str:
    return reverse("casework:legal_action", args=[matter.case_id, matter.pk, name])


def matter_url(matter: LegalMatter) -> str:
    return reverse("casework:legal_matter", args=[matter.case_id, matter.pk])


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_page_shows_the_form_of_the_step(client_a, case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", "applied")
    response = client_a.get(action_url(matter, "decide"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Record the decision</h1>" in content
    assert "Decision date" in content
    assert "Amount awarded (£)" in content
    assert response.context["form"]["version"].value() == matter.detail.version


def test_page_says_why_a_step_cannot_be_taken_now(client_a, case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", "considering")
    response = client_a.get(action_url(matter, "decide"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "This step cannot be taken while the matter is “Considering a claim”." in content
    assert "<form" not in content.split("<main", 1)[-1]


def test_page_records_a_decision_and_names_the_review_deadline(client_a, case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", "applied")
    response = client_a.post(
        action_url(matter, "decide"),
        {"version": matter.detail.version, "on": "2026-03-02", "amount": "11000"},
    )
    assert response.status_code == 302
    assert response.url == matter_url(matter)
    assert said(response) == ["Decision recorded. Ask for a review by 27 April 2026."]
    record = fresh(matter)
    assert (record.state, record.decided_on, record.amount_awarded) == (
        "decided",
        TODAY,
        Decimal("11000"),
    )


def test_page_names_the_appeal_deadline_after_a_review_decision(client_a, case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", "review_requested")
    response = client_a.post(
        action_url(matter, "record_review"),
        {"version": matter.detail.version, "on": "2026-03-02", "amount": "13500"},
    )
    assert response.status_code == 302
    assert said(response) == [
        "Review decision recorded. Appeal to the First-tier Tribunal by 31 May 2026."
    ]


def test_page_takes_a_step_without_values(client_a, case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "criminal_justice", "reported")
    response = client_a.post(action_url(matter, "investigate"), {"version": 1})
    assert response.status_code == 302
    assert said(response) == ["Recorded: the matter is now “Under investigation”."]
    assert fresh(matter).state == "investigating"


def test_page_decision_before_the_application_is_a_form_error(client_a, case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", "applied")
    response = client_a.post(
        action_url(matter, "decide"),
        {"version": matter.detail.version, "on": "2025-08-01", "amount": "11000"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert PROBLEM in content
    assert "The decision date cannot be before the application (1 September 2025)." in content
    record = fresh(matter)
    assert (record.state, record.decided_on, record.version) == ("applied", None, 1)
    assert events(case_a) == []


def test_page_appeal_before_the_review_decision_is_a_form_error(client_a, case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", "reviewed")
    response = client_a.post(
        action_url(matter, "appeal"), {"version": matter.detail.version, "on": "2026-02-19"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert PROBLEM in content
    assert (
        "The date of the appeal cannot be before the review decision (20 February 2026)." in content
    )
    record = fresh(matter)
    assert (record.state, record.appealed_on, record.version) == ("reviewed", None, 1)


def test_page_input_errors_are_shown_on_the_fields(client_a, case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "immigration", "applied")
    response = client_a.post(action_url(matter, "grant"), {"version": 1, "on": "", "leave": ""})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Enter the date." in content
    assert "Say what leave was granted." in content
    assert fresh(matter).state == "applied"


def test_page_stale_version_is_a_conflict(client_a, case_a, caseworker_a, manager_a):
    matter = make_matter(case_a, caseworker_a, "cica", "decided")
    stale = matter.detail.version
    take(matter, manager_a, "request_review", on=TODAY)

    response = client_a.post(action_url(matter, "close"), {"version": stale, "reason": "Done"})

    assert response.status_code == 409
    assert CONFLICT in response.content.decode()
    assert fresh(matter).state == "review_requested"


def test_page_caseworker_of_another_team_gets_404(case_a, caseworker_a, caseworker_b):
    matter = make_matter(case_a, caseworker_a, "civil")
    client = Client()
    client.force_login(caseworker_b)
    assert client.get(action_url(matter, "close")).status_code == 404
    response = client.post(
        action_url(matter, "close"), {"version": 1, "on": "2026-03-01", "outcome": "Settled"}
    )
    assert response.status_code == 404
    assert fresh(matter).state == "open"


def test_page_transition_of_another_kind_is_404(client_a, case_a, caseworker_a):
    matter = make_matter(case_a, caseworker_a, "cica", "applied")
    for name in ("grant", "investigate", "no-such-step", "save"):
        assert client_a.get(action_url(matter, name)).status_code == 404
        assert client_a.post(action_url(matter, name), {"version": 1}).status_code == 404


def test_page_matter_of_another_case_is_404(client_a, case_a, team_a, manager_a, caseworker_a):
    other = CaseFactory(team=team_a, by=manager_a)
    matter = make_matter(other, caseworker_a, "civil")
    url = reverse("casework:legal_action", args=[case_a.pk, matter.pk, "close"])
    assert client_a.get(url).status_code == 404
