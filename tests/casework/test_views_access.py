"""Who may reach a case through the web pages: everyone else gets a 404 on every case URL, and
changes nothing. The URLs are read from ``casework.urls`` so a new page is covered as soon as
it is added."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.forms.models import model_to_dict
from django.urls import reverse

from carepath.audit.models import AccessLogEntry, TimelineEvent
from carepath.people.models import Role
from carepath.sms.models import Reminder
from casework import urls as casework_urls
from casework.models import (
    Appointment,
    Case,
    CaseState,
    CicaClaim,
    InterpreterBooking,
    LegalMatter,
    LegalStep,
    NrmState,
    ReferralBatch,
    SupportGoal,
)
from casework.selectors.contact import contacts_of, sms_log_of
from casework.services import cases as case_services
from casework.services import contact as contact_services
from casework.services import legal as legal_services
from casework.services import nrm as nrm_services

# A value for every URL keyword other than ``pk``, by its name.
KWARG_VALUES = {
    "name": {
        "case_transition": "start_support",
        "nrm_action": "submit",
        "appointment_action": "reschedule",
        "interpreter_action": "independence",
        "legal_action": "withdraw",
    },
    "kind": {"record_add": "note", "legal_new": "cica"},
}
SUB_RECORD_KEYS = (
    "consent_pk",
    "goal_pk",
    "appointment_pk",
    "booking_pk",
    "contact_pk",
    "reminder_pk",
    "matter_pk",
    "step_pk",
)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/London"))):
        yield


def _case_urlpatterns():
    patterns = [p for p in casework_urls.urlpatterns if "pk" in p.pattern.converters]
    assert len(patterns) >= 13, "the case URLs were not found"
    return patterns


CASE_URL_NAMES = [p.name for p in _case_urlpatterns()]


def _kwargs_for(name: str, case: Case) -> dict:
    pattern = next(p for p in casework_urls.urlpatterns if p.name == name)
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "pk":
            kwargs[key] = case.pk
        elif key == "consent_pk":
            kwargs[key] = case.consents.first().pk
        elif key == "goal_pk":
            kwargs[key] = case.support_goals.first().pk
        elif key == "appointment_pk":
            kwargs[key] = case.appointments.first().pk
        elif key == "booking_pk":
            kwargs[key] = case.appointments.first().interpreters.first().pk
        elif key == "contact_pk":
            kwargs[key] = contacts_of(case).first().pk
        elif key == "reminder_pk":
            kwargs[key] = sms_log_of(case).get(needs_review=True).pk
        elif key == "matter_pk":
            kwargs[key] = case.legal_matters.first().pk
        elif key == "step_pk":
            kwargs[key] = LegalStep.objects.filter(matter__case=case).first().pk
        elif key in KWARG_VALUES and name in KWARG_VALUES[key]:
            kwargs[key] = KWARG_VALUES[key][name]
        else:
            raise AssertionError(f"No test value for <{key}> of casework:{name}: add one")
    return kwargs


def _url(name: str, case: Case) -> str:
    return reverse(f"casework:{name}", kwargs=_kwargs_for(name, case))


def _rows(queryset) -> list[dict]:
    return [model_to_dict(row) for row in queryset.order_by("pk")]


def _snapshot(case: Case) -> dict:
    """Everything a POST to a case URL could change."""

    def row(obj: Model) -> dict:
        fresh = type(obj).objects.get(pk=obj.pk)
        return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}

    return {
        "case": row(case),
        "nrm": row(case.nrm),
        "consents": _rows(case.consents.all()),
        "goals": _rows(case.support_goals.all()),
        "disclosures": _rows(case.disclosures.all()),
        "charges": _rows(case.charges.all()),
        "dependants": _rows(case.dependants.all()),
        "notes": _rows(case.notes.all()),
        "needs": _rows(case.immediate_needs.all()),
        "appointments": _rows(case.appointments.all()),
        "interpreters": _rows(InterpreterBooking.objects.filter(appointment__case=case)),
        "contacts": _rows(contacts_of(case)),
        "legal_matters": _rows(case.legal_matters.all()),
        "cica_claims": _rows(CicaClaim.objects.filter(matter__case=case)),
        "legal_steps": _rows(LegalStep.objects.filter(matter__case=case)),
        "all_legal_matters": LegalMatter.objects.count(),
        "reminders": Reminder.objects.count(),
        "texts": list(
            sms_log_of(case).values_list("pk", "state", "needs_review", "outcome", "version")
        ),
        "events": TimelineEvent.objects.count(),
        "cases": Case.objects.count(),
        "batches": ReferralBatch.objects.count(),
    }


def _post_data(case: Case, caseworker) -> dict:
    """A submission each case form would accept from someone allowed to make it."""
    today = datetime.date(2026, 3, 2)
    return {
        "version": case.version,
        "reason": "Changed by someone who must not see the case",
        "caseworker": caseworker.pk,
        "decline_reason": "not_eligible",
        "closure_reason": "support_ended",
        "no_outcomes": "on",
        "closed_on": today.isoformat(),
        "since": "2026-03-01T10:00",
        "police_at": "2026-03-01T11:00",
        "submitted_on": today.isoformat(),
        "withdrawn_on": today.isoformat(),
        "status": "achieved",
        "body": "A note nobody outside the team may write",
        "given_name": "Changed",
        "gender": "male",
        "referral_date": "2026-01-05",
        "referral_source": "helpline",
        "jurisdiction": "scotland",
        "knows_of_referral": "yes",
        "consents_to_referral": "yes",
        "risk_at_intake": "high",
        "nationality_group": "other",
        "immigration_status": "unknown",
        "identity_documents": "unknown",
        "interpreter_gender": "any",
        "place_of_safety": "met",
        "outcome": "failed",
        "note": "Resolved by someone who must not see the case",
    }


@pytest.fixture
def open_case_b(case_b, consent, manager_a):
    """case_b as found in daily work: referred, with consents and a support goal."""
    consent(case_b, scope="support", by=manager_a)
    consent(case_b, scope="nrm_referral", by=manager_a)
    SupportGoal.objects.create(
        case=case_b,
        recorded_by=manager_a,
        area="safety",
        description="Safe place to stay",
        owner="Caseworker",
        review_date=datetime.date(2026, 4, 1),
    )
    appointment = Appointment.objects.create(
        case=case_b,
        kind="gp",
        state="booked",
        starts_at=datetime.datetime(2026, 3, 9, 10, tzinfo=ZoneInfo("Europe/London")),
        with_whom="Dr Example",
        created_by=manager_a,
    )
    InterpreterBooking.objects.create(appointment=appointment, language="Tigrinya", mode="phone")
    contact_services.safe_contact_add(
        by=manager_a,
        case=case_b,
        values={"number": "+447700900123", "safe_to_text": True, "language": "en"},
    )
    contact_services.contact_suspend_all(by=manager_a, case=case_b, reason="Phone taken")
    # A text sent just before the phone was taken, whose outcome was lost.
    Reminder.objects.create(
        organisation=case_b.organisation,
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case_b.pk,
        source_type=ContentType.objects.get_for_model(Appointment),
        source_id=appointment.pk,
        purpose="appointment",
        safe_contact=contacts_of(case_b).first(),
        due_at=datetime.datetime(2026, 3, 1, 10, tzinfo=ZoneInfo("Europe/London")),
        state="sending",
        needs_review=True,
        outcome="Outcome unknown: check before sending again",
    )
    # A compensation claim being considered, with a step still to do.
    matter = legal_services.legal_matter_open(
        by=manager_a,
        case=case_b,
        kind="cica",
        title="CICA claim",
        opened_on=datetime.date(2026, 2, 1),
        representative={},
        details={"incident_on": datetime.date(2025, 6, 1)},
    )
    legal_services.legal_step_add(
        by=manager_a,
        matter=matter,
        kind="deadline",
        description="Send the police report to the solicitor",
        due_on=datetime.date(2026, 3, 20),
    )
    return Case.objects.get(pk=case_b.pk)


@pytest.fixture
def ended_case_b(open_case_b, manager_a):
    """case_b declined, after a Duty to Notify report: the pages that only open for an ended
    case (re-open, the anonymised report) are reachable too."""
    nrm_services.nrm_decline_consent(
        by=manager_a,
        nrm=open_case_b.nrm,
        expected_version=open_case_b.nrm.version,
        notified_on=datetime.date(2026, 1, 10),
    )
    case = Case.objects.get(pk=open_case_b.pk)
    case_services.case_decline(
        by=manager_a,
        case=case,
        expected_version=case.version,
        decline_reason="signposted",
        reason="Signposted to a local service",
    )
    case = Case.objects.get(pk=open_case_b.pk)
    assert case.state == CaseState.DECLINED
    assert case.nrm.state == NrmState.DECLINED_CONSENT
    return case


@pytest.fixture(params=["open", "ended"])
def target(request):
    return request.getfixturevalue(f"{request.param}_case_b")


@pytest.fixture(
    params=[
        "caseworker_a",
        "manager_b",
        "accommodation_manager_a",
        "marac_chair_a",
        "marac_partner_a",
        "admin_a",
    ]
)
def outsider(request, make_user, org_a, team_a):
    """Someone who must not see case_b (team B, organisation A)."""
    others = {
        "accommodation_manager_a": Role.ACCOMMODATION_MANAGER,
        "marac_chair_a": Role.MARAC_CHAIR,
        "marac_partner_a": Role.MARAC_PARTNER,
    }
    if request.param in others:
        return make_user(org_a, others[request.param], username=request.param, teams=[team_a])
    return request.getfixturevalue(request.param)


def test_every_case_url_is_covered():
    for name in CASE_URL_NAMES:
        pattern = next(p for p in casework_urls.urlpatterns if p.name == name)
        for key in pattern.pattern.converters:
            assert key in ("pk", *SUB_RECORD_KEYS) or name in KWARG_VALUES.get(key, {}), (
                f"casework:{name} takes <{key}>: give it a test value in KWARG_VALUES"
            )


@pytest.mark.parametrize("name", CASE_URL_NAMES)
def test_someone_allowed_reaches_every_case_url(client, ended_case_b, manager_a, name):
    """The control for the 404s below: with these arguments each page exists."""
    client.force_login(manager_a)
    assert client.get(_url(name, ended_case_b)).status_code == 200


@pytest.mark.parametrize("name", CASE_URL_NAMES)
def test_outsider_gets_404_on_every_case_url_and_changes_nothing(
    client, target, outsider, caseworker_b, name
):
    client.force_login(outsider)
    url = _url(name, target)
    before = _snapshot(target)

    assert client.get(url).status_code == 404
    assert client.post(url, _post_data(target, outsider)).status_code == 404
    assert client.post(url, _post_data(target, caseworker_b)).status_code == 404

    assert _snapshot(target) == before
    assert not AccessLogEntry.objects.filter(actor=outsider).exists()


SUB_RECORD_URL_NAMES = [
    p.name for p in _case_urlpatterns() if set(SUB_RECORD_KEYS) & set(p.pattern.converters)
]


@pytest.mark.parametrize("name", SUB_RECORD_URL_NAMES)
def test_another_cases_record_through_your_own_case_is_404(
    client, open_case_b, case_a, caseworker_a, consent, manager_a, name
):
    """A consent or goal of case B reached through case A's address, by someone who may edit
    case A: the record is looked up within the case, so it does not exist there."""
    consent(case_a, scope="support", by=manager_a)
    client.force_login(caseworker_a)
    kwargs = {**_kwargs_for(name, open_case_b), "pk": case_a.pk}
    url = reverse(f"casework:{name}", kwargs=kwargs)
    before = _snapshot(open_case_b), _snapshot(case_a)

    assert client.get(url).status_code == 404
    assert client.post(url, _post_data(case_a, caseworker_a)).status_code == 404
    assert (_snapshot(open_case_b), _snapshot(case_a)) == before


def test_outsider_posts_would_have_changed_the_case_for_its_team(client, open_case_b, caseworker_b):
    """The control for "changes nothing": the same submission from the team does change it."""
    client.force_login(caseworker_b)
    before = _snapshot(open_case_b)
    response = client.post(_url("record_add", open_case_b), _post_data(open_case_b, caseworker_b))
    assert response.status_code == 302
    assert _snapshot(open_case_b) != before


class TestCasePageIsLogged:
    def _views(self, user):
        return AccessLogEntry.objects.filter(actor=user, action=AccessLogEntry.Action.VIEW)

    def test_team_member(self, client, case_b, caseworker_b):
        client.force_login(caseworker_b)
        assert client.get(reverse("casework:case", args=[case_b.pk])).status_code == 200
        entry = self._views(caseworker_b).get()
        assert (entry.object_id, entry.basis) == (case_b.pk, "team member")
        assert entry.organisation_id == case_b.organisation_id
        assert entry.object_label == f"case {case_b.reference}"

    def test_allocated_caseworker(self, client, case_b, manager_a, make_user, org_a, team_a):
        # Allocated to a caseworker outside the case's team: the allocation alone grants access.
        worker = make_user(org_a, Role.CASEWORKER, username="worker.c", teams=[team_a])
        case_services.case_accept(
            by=manager_a, case=case_b, caseworker=worker, expected_version=case_b.version
        )
        client.force_login(worker)
        assert client.get(reverse("casework:case", args=[case_b.pk])).status_code == 200
        assert self._views(worker).get().basis == "allocated caseworker"

    def test_service_manager(self, client, case_b, manager_a):
        client.force_login(manager_a)
        assert client.get(reverse("casework:case", args=[case_b.pk])).status_code == 200
        entry = self._views(manager_a).get()
        assert (entry.object_id, entry.basis) == (case_b.pk, "service manager")


class TestSearch:
    def _search(self, client, **params):
        response = client.post(reverse("casework:search"), params)
        assert response.status_code == 200
        return response.context["results"]

    @pytest.fixture
    def queries(self, case_b):
        return [
            {"q": "Bea"},
            {"q": "beatrix"},
            {"q": case_b.reference},
            {"dob": case_b.date_of_birth.isoformat()},
        ]

    def test_other_team_finds_nothing_and_nothing_is_logged(
        self, client, case_a, case_b, caseworker_a, queries
    ):
        client.force_login(caseworker_a)
        for params in queries:
            assert case_b not in self._search(client, **params), params
        assert not AccessLogEntry.objects.filter(object_id=case_b.pk).exists()
        # The same date of birth finds the team's own case: the search itself works.
        assert case_a in self._search(client, dob=case_b.date_of_birth.isoformat())

    def test_other_organisation_finds_nothing(self, client, case_b, manager_b, queries):
        client.force_login(manager_b)
        for params in queries:
            assert self._search(client, **params) == [], params

    def test_team_finds_it_and_the_search_is_logged(self, client, case_b, caseworker_b, queries):
        client.force_login(caseworker_b)
        for params in queries:
            assert self._search(client, **params) == [case_b], params
        entries = AccessLogEntry.objects.filter(actor=caseworker_b)
        assert entries.count() == len(queries)
        assert {(e.action, e.object_id, e.basis) for e in entries} == {
            (AccessLogEntry.Action.SEARCH, case_b.pk, "search")
        }

    def test_a_full_name_finds_the_person_and_every_word_must_match(
        self, client, case_b, caseworker_b
    ):
        client.force_login(caseworker_b)
        full_name = f"{case_b.given_name} {case_b.family_name}"
        assert self._search(client, q=full_name) == [case_b]
        assert self._search(client, q=f"  {case_b.family_name.upper()}   bea ") == [case_b]
        assert self._search(client, q=f"{case_b.given_name} Nobodyhere") == []

    def test_search_page_hides_the_case_from_other_teams(self, client, case_b, caseworker_a):
        client.force_login(caseworker_a)
        response = client.post(reverse("casework:search"), {"q": "Beatrix"})
        assert "No cases match." in response.content.decode()
        assert reverse("casework:case", args=[case_b.pk]) not in response.content.decode()
