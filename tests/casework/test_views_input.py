"""Bad input through the case pages: the person gets the form back with an error summary they
can act on, never a 500, and nothing is saved."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from carepath.audit.models import TimelineEvent
from carepath.people.models import Role
from casework.models import Case, CaseState, Disclosure, NrmState, ReferralBatch
from casework.services import cases as case_services
from casework.services import nrm as nrm_services
from tests.factories import ReferringAgencyFactory, TeamFactory

TODAY = datetime.date(2026, 3, 2)
TOMORROW = TODAY + datetime.timedelta(days=1)
PROBLEM = "There is a problem"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/London"))):
        yield


def _form_data(form) -> dict:
    """What the browser would send back for a form drawn with its initial values."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, "", [], False):
            continue
        if value is True:
            value = "on"
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[form.add_prefix(name)] = value
    return data


def _row(case: Case) -> dict:
    fresh = Case.objects.get(pk=case.pk)
    return {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}


def _assert_form_error(response, *messages: str):
    assert response.status_code == 200, response.status_code
    content = response.content.decode()
    assert PROBLEM in content
    for message in messages:
        assert message in content, message


def _accepted(case, by, caseworker):
    return case_services.case_accept(
        by=by, case=case, caseworker=caseworker, expected_version=case.version
    )


@pytest.fixture
def assessing_case(case_a, manager_a, caseworker_a):
    _accepted(case_a, manager_a, caseworker_a)
    return Case.objects.get(pk=case_a.pk)


class TestIntake:
    @pytest.fixture
    def intake(self, client, manager_a, team_a):
        client.force_login(manager_a)
        form = client.get(reverse("casework:case_new")).context["form"]
        data = _form_data(form)
        data.update(
            team=team_a.pk,
            given_name="Ana",
            gender="female",
            referral_source="helpline",
            jurisdiction="scotland",
            date_of_birth="1995-02-03",
        )
        return data

    def _post(self, client, data):
        return client.post(reverse("casework:case_new"), data)

    def test_the_intake_data_is_good(self, client, intake):
        """The control for the refusals below."""
        response = self._post(client, intake)
        assert response.status_code == 302
        assert Case.objects.get().given_name == "Ana"

    def test_date_of_birth_in_the_future(self, client, intake):
        intake["date_of_birth"] = TOMORROW.isoformat()
        _assert_form_error(self._post(client, intake), "This date cannot be in the future.")
        assert not Case.objects.exists()

    def test_first_exploitation_before_date_of_birth(self, client, intake):
        intake["first_exploitation_date"] = "1994-01-01"
        _assert_form_error(
            self._post(client, intake),
            "Exploitation cannot have started before the date of birth.",
        )
        assert not Case.objects.exists()

    def test_not_known_exploitation_type_with_another_type(self, client, intake):
        intake["exploitation_types"] = ["unknown", "labour"]
        _assert_form_error(
            self._post(client, intake), "Choose Not known on its own, or the types that apply."
        )
        assert not Case.objects.exists()

    def test_team_outside_the_organisation(self, client, intake, org_b):
        intake["team"] = TeamFactory(organisation=org_b).pk
        _assert_form_error(self._post(client, intake))
        assert not Case.objects.exists()


class TestEdit:
    @pytest.fixture
    def edit(self, client, case_a, caseworker_a):
        client.force_login(caseworker_a)
        form = client.get(reverse("casework:case_edit", args=[case_a.pk])).context["form"]
        return _form_data(form)

    def _post(self, client, case, data):
        return client.post(reverse("casework:case_edit", args=[case.pk]), data)

    def test_the_edit_data_is_good(self, client, case_a, edit):
        edit["given_name"] = "Renamed"
        assert self._post(client, case_a, edit).status_code == 302
        assert Case.objects.get(pk=case_a.pk).given_name == "Renamed"

    def test_date_of_birth_in_the_future(self, client, case_a, edit):
        before = _row(case_a)
        edit["date_of_birth"] = TOMORROW.isoformat()
        _assert_form_error(self._post(client, case_a, edit), "This date cannot be in the future.")
        assert _row(case_a) == before

    def test_first_exploitation_before_date_of_birth(self, client, case_a, edit):
        before = _row(case_a)
        edit["first_exploitation_date"] = "1980-01-01"
        _assert_form_error(
            self._post(client, case_a, edit),
            "Exploitation cannot have started before the date of birth.",
        )
        assert _row(case_a) == before

    def test_not_known_exploitation_type_with_another_type(self, client, case_a, edit):
        before = _row(case_a)
        edit["exploitation_types"] = ["sexual", "unknown"]
        _assert_form_error(self._post(client, case_a, edit), "Choose Not known on its own")
        assert _row(case_a) == before


class TestNrmDecision:
    def test_decision_dated_before_the_submission(
        self, client, assessing_case, caseworker_a, consent
    ):
        consent(assessing_case, scope="nrm_referral", by=caseworker_a)
        nrm = assessing_case.nrm
        nrm_services.nrm_submit(
            by=caseworker_a,
            nrm=nrm,
            expected_version=nrm.version,
            submitted_on=datetime.date(2026, 2, 10),
            first_responder=None,
        )
        nrm.refresh_from_db()
        client.force_login(caseworker_a)
        response = client.post(
            reverse("casework:nrm_action", args=[assessing_case.pk, "decision"]),
            {"version": nrm.version, "positive": "yes", "decided_on": "2026-02-01"},
        )
        _assert_form_error(response, "A decision cannot be dated before the NRM submission.")
        nrm.refresh_from_db()
        assert nrm.state == NrmState.SUBMITTED
        assert nrm.rg_decision_on is None


class TestRecoveryPeriod:
    @pytest.fixture
    def nrm(self, assessing_case, caseworker_a, consent):
        """A positive reasonable grounds decision: the recovery period is running."""
        consent(assessing_case, scope="nrm_referral", by=caseworker_a)
        nrm = assessing_case.nrm
        nrm_services.nrm_submit(
            by=caseworker_a,
            nrm=nrm,
            expected_version=nrm.version,
            submitted_on=datetime.date(2026, 2, 2),
            first_responder=None,
        )
        nrm.refresh_from_db()
        nrm_services.nrm_record_decision(
            by=caseworker_a,
            nrm=nrm,
            expected_version=nrm.version,
            stage="rg",
            positive=True,
            decided_on=datetime.date(2026, 2, 6),
            authority="sca",
        )
        nrm.refresh_from_db()
        return nrm

    def _post(self, client, nrm, **data):
        return client.post(
            reverse("casework:nrm_action", args=[nrm.case_id, "recovery"]),
            {"version": nrm.version, "reason": "Awaiting a psychological report", **data},
        )

    @pytest.mark.parametrize("days", ["3000000", "366", "0", "-5", "ten"])
    def test_extension_out_of_range(self, client, nrm, caseworker_a, days):
        client.force_login(caseworker_a)
        _assert_form_error(self._post(client, nrm, extend_by_days=days))
        fresh = type(nrm).objects.get(pk=nrm.pk)
        assert (fresh.version, fresh.recovery_extension_days) == (nrm.version, 0)
        # The case page, which derives the recovery period's end, still opens.
        assert client.get(reverse("casework:case", args=[nrm.case_id])).status_code == 200

    def test_extension_and_curtailment_at_once(self, client, nrm, caseworker_a):
        client.force_login(caseworker_a)
        response = self._post(client, nrm, extend_by_days="10", curtail_to="2026-03-01")
        _assert_form_error(response, "not both")
        assert type(nrm).objects.get(pk=nrm.pk).version == nrm.version

    def test_extension_within_range(self, client, nrm, caseworker_a):
        client.force_login(caseworker_a)
        assert self._post(client, nrm, extend_by_days="365").status_code == 302
        assert type(nrm).objects.get(pk=nrm.pk).recovery_extension_days == 365
        assert client.get(reverse("casework:case", args=[nrm.case_id])).status_code == 200


class TestClose:
    def _post(self, client, case, **data):
        return client.post(
            reverse("casework:case_transition", args=[case.pk, "close"]),
            {"version": case.version, "closed_on": TODAY.isoformat(), **data},
        )

    def test_without_a_reason_and_without_outcomes(self, client, assessing_case, caseworker_a):
        client.force_login(caseworker_a)
        response = self._post(client, assessing_case)
        _assert_form_error(
            response, "This field is required.", "Record the outcomes achieved, or tick none."
        )
        assert Case.objects.get(pk=assessing_case.pk).state == CaseState.ASSESSING

    def test_outcomes_and_none_at_once(self, client, assessing_case, caseworker_a):
        client.force_login(caseworker_a)
        response = self._post(
            client,
            assessing_case,
            closure_reason="moved_on",
            outcomes=["feels_safe"],
            no_outcomes="on",
        )
        _assert_form_error(response, "Untick this, or untick the outcomes above.")
        assert Case.objects.get(pk=assessing_case.pk).state == CaseState.ASSESSING

    def test_closing_before_the_referral(self, client, assessing_case, caseworker_a):
        client.force_login(caseworker_a)
        response = self._post(
            client,
            assessing_case,
            closure_reason="moved_on",
            no_outcomes="on",
            closed_on="2025-12-01",
        )
        _assert_form_error(response, "A case cannot close before it was referred.")
        assert Case.objects.get(pk=assessing_case.pk).state == CaseState.ASSESSING

    def test_with_reason_and_no_outcomes_closes(self, client, assessing_case, caseworker_a):
        client.force_login(caseworker_a)
        response = self._post(client, assessing_case, closure_reason="moved_on", no_outcomes="on")
        assert response.status_code == 302
        case = Case.objects.get(pk=assessing_case.pk)
        assert (case.state, case.closure_reason, case.outcomes) == (
            CaseState.CLOSED,
            "moved_on",
            [],
        )


class TestDisclosure:
    def test_without_consent_and_without_a_lawful_basis(self, client, case_a, caseworker_a):
        client.force_login(caseworker_a)
        data = {
            "disclosed_on": TODAY.isoformat(),
            "recipient": "Police Scotland, DC Smith",
            "information": "Address of the safe house",
            "purpose": "Safeguarding",
        }
        url = reverse("casework:record_add", args=[case_a.pk, "disclosure"])
        _assert_form_error(
            client.post(url, data),
            "When information is shared without consent, record the lawful basis.",
        )
        _assert_form_error(client.post(url, {**data, "basis_without_consent": "   "}))
        assert not Disclosure.objects.exists()
        assert client.post(url, {**data, "with_consent": "on"}).status_code == 302
        assert Disclosure.objects.count() == 1


class TestReportMissing:
    def test_missing_since_in_the_future(self, client, assessing_case, caseworker_a):
        client.force_login(caseworker_a)
        response = client.post(
            reverse("casework:case_transition", args=[assessing_case.pk, "report_missing"]),
            {
                "version": assessing_case.version,
                "since": "2026-03-02T18:00",
                "reason": "Did not come back to the safe house",
            },
        )
        _assert_form_error(response, "The time they went missing cannot be in the future.")
        case = Case.objects.get(pk=assessing_case.pk)
        assert (case.state, case.missing_since) == (CaseState.ASSESSING, None)


class TestUnknownNames:
    @pytest.mark.parametrize(
        "url_name, args",
        [
            ("case_transition", ["fly_away"]),
            ("case_transition", ["confirm_victim"]),
            ("nrm_action", ["rg_decide_positive"]),
            ("record_add", ["credibility"]),
        ],
    )
    def test_unknown_name_is_404(self, client, case_a, caseworker_a, url_name, args):
        client.force_login(caseworker_a)
        url = reverse(f"casework:{url_name}", args=[case_a.pk, *args])
        before = _row(case_a)
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": case_a.version}).status_code == 404
        assert _row(case_a) == before


class TestGarbageVersion:
    @pytest.mark.parametrize("version", ["", "abc", "1.5", "1; DROP TABLE", "1\x00"])
    @pytest.mark.parametrize(
        "url_name, args, data",
        [
            ("case_transition", ["start_support"], {}),
            ("case_transition", ["close"], {"closure_reason": "moved_on", "no_outcomes": "on"}),
            ("nrm_action", ["duty_to_notify"], {"notified_on": "2026-03-01"}),
            ("missing_notified", [], {"police_at": "2026-03-01T10:00"}),
        ],
    )
    def test_form_error_and_nothing_changes(
        self, client, assessing_case, caseworker_a, consent, version, url_name, args, data
    ):
        consent(assessing_case, scope="support", by=caseworker_a)
        client.force_login(caseworker_a)
        before = _row(assessing_case), assessing_case.nrm.version, TimelineEvent.objects.count()
        response = client.post(
            reverse(f"casework:{url_name}", args=[assessing_case.pk, *args]),
            {**data, "version": version},
        )
        _assert_form_error(response)
        after = _row(assessing_case), assessing_case.nrm.version, TimelineEvent.objects.count()
        assert after == before

    @pytest.mark.parametrize("version", ["", "abc"])
    def test_on_the_case_details(self, client, case_a, caseworker_a, version):
        client.force_login(caseworker_a)
        url = reverse("casework:case_edit", args=[case_a.pk])
        data = _form_data(client.get(url).context["form"])
        data.update(version=version, given_name="Renamed")
        before = _row(case_a)
        _assert_form_error(client.post(url, data))
        assert _row(case_a) == before

    def test_on_reallocation(self, client, assessing_case, manager_a, caseworker_b):
        client.force_login(manager_a)
        before = _row(assessing_case)
        response = client.post(
            reverse("casework:case_allocate", args=[assessing_case.pk]),
            {"version": "x", "caseworker": caseworker_b.pk},
        )
        _assert_form_error(response)
        assert _row(assessing_case) == before

    def test_a_version_from_the_future_is_a_conflict(self, client, assessing_case, caseworker_a):
        client.force_login(caseworker_a)
        before = _row(assessing_case)
        response = client.post(
            reverse("casework:case_transition", args=[assessing_case.pk, "plan_move_on"]),
            {"version": "9" * 30},
        )
        assert response.status_code == 409
        assert _row(assessing_case) == before


class TestReallocationRedirect:
    @pytest.mark.parametrize(
        "next_url",
        [
            "https://phishing.example/login",
            "//phishing.example/login",
            "/\\phishing.example/login",
            "javascript:alert(1)",
            "logout",
            "casework:case",
        ],
    )
    def test_next_outside_the_site_is_ignored(
        self, client, assessing_case, manager_a, make_user, next_url
    ):
        other = make_user(assessing_case.organisation, Role.CASEWORKER, username="worker.c")
        client.force_login(manager_a)
        response = client.post(
            reverse("casework:case_allocate", args=[assessing_case.pk]),
            {
                "version": assessing_case.version,
                "caseworker": other.pk,
                "next": next_url,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("casework:dashboard")
        assert Case.objects.get(pk=assessing_case.pk).caseworker == other

    def test_next_on_the_site_is_followed(self, client, assessing_case, manager_a, caseworker_a):
        client.force_login(manager_a)
        case_url = reverse("casework:case", args=[assessing_case.pk])
        response = client.post(
            reverse("casework:case_allocate", args=[assessing_case.pk]),
            {"version": assessing_case.version, "caseworker": caseworker_a.pk, "next": case_url},
        )
        assert (response.status_code, response["Location"]) == (302, case_url)


class TestBatch:
    @pytest.fixture
    def agency(self, db):
        return ReferringAgencyFactory(name="Police Scotland")

    def _data(self, team, agency, people: list[dict]) -> dict:
        data = {
            "batch-team": team.pk,
            "batch-operation_name": "Operation Lantern",
            "batch-referral_date": "2026-02-27",
            "batch-referring_agency": agency.pk,
            "batch-local_authority": "Glasgow City",
            "batch-police_force_area": "Police Scotland (G Division)",
            "people-TOTAL_FORMS": str(len(people) + 1),
            "people-INITIAL_FORMS": "0",
            "people-MIN_NUM_FORMS": "1",
            "people-MAX_NUM_FORMS": "200",
        }
        for i, person in enumerate(people):
            data.update({f"people-{i}-{k}": v for k, v in person.items()})
        return data  # the last row is left empty, as the page offers spare rows

    def _post(self, client, data):
        return client.post(reverse("casework:batch_new"), data)

    GOOD = {"given_name": "Mihai", "gender": "male", "date_of_birth": "1990-01-01"}

    @pytest.mark.parametrize(
        "bad",
        [
            {"given_name": "Ion", "gender": "male", "date_of_birth": TOMORROW.isoformat()},
            {"given_name": "Ion"},
            {"gender": "male"},
            {"given_name": "Ion", "gender": "robot"},
        ],
    )
    def test_one_bad_person_row_creates_no_case(self, client, caseworker_a, team_a, agency, bad):
        client.force_login(caseworker_a)
        _assert_form_error(self._post(client, self._data(team_a, agency, [self.GOOD, bad])))
        assert not Case.objects.exists()
        assert not ReferralBatch.objects.exists()

    def test_no_person_at_all(self, client, caseworker_a, team_a, agency):
        client.force_login(caseworker_a)
        _assert_form_error(self._post(client, self._data(team_a, agency, [])))
        assert not ReferralBatch.objects.exists()

    def test_referral_date_in_the_future(self, client, caseworker_a, team_a, agency):
        client.force_login(caseworker_a)
        data = self._data(team_a, agency, [self.GOOD])
        data["batch-referral_date"] = TOMORROW.isoformat()
        _assert_form_error(self._post(client, data), "The referral date cannot be in the future.")
        assert not Case.objects.exists()

    def test_another_teams_batch_is_refused(self, client, caseworker_a, team_b, agency):
        client.force_login(caseworker_a)
        _assert_form_error(self._post(client, self._data(team_b, agency, [self.GOOD])))
        assert not Case.objects.exists()

    def test_good_batch_creates_one_case_per_person(self, client, caseworker_a, team_a, agency):
        client.force_login(caseworker_a)
        people = [self.GOOD, {"given_name": "Elena", "gender": "female", "main_language": "ro"}]
        response = self._post(client, self._data(team_a, agency, people))
        assert response.status_code == 302
        batch = ReferralBatch.objects.get()
        assert batch.operation_name == "Operation Lantern"
        cases = list(Case.objects.order_by("pk"))
        assert [c.given_name for c in cases] == ["Mihai", "Elena"]
        for case in cases:
            assert case.batch == batch
            assert case.team == team_a
            assert case.state == CaseState.REFERRED
            assert case.referral_date == datetime.date(2026, 2, 27)
            assert case.referral_source == "police_operation"
            assert case.referring_agency == agency
            assert case.local_authority == "Glasgow City"
            assert case.police_force_area == "Police Scotland (G Division)"
        assert cases[0].date_of_birth == datetime.date(1990, 1, 1)
        assert cases[1].main_language == "ro"
        assert len({c.reference for c in cases}) == 2


def test_happy_path_intake_accept_consent_start_support(client, manager_a, caseworker_a, team_a):
    client.force_login(manager_a)
    data = _form_data(client.get(reverse("casework:case_new")).context["form"])
    data.update(
        team=team_a.pk,
        given_name="Ana",
        gender="female",
        referral_source="helpline",
        jurisdiction="scotland",
        immediate_needs=["place_of_safety", "phone"],
    )
    response = client.post(reverse("casework:case_new"), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case", args=[case.pk])
    assert case.state == CaseState.REFERRED
    assert {n.need for n in case.immediate_needs.all()} == {"place_of_safety", "phone"}

    response = client.post(
        reverse("casework:case_transition", args=[case.pk, "accept"]),
        {"version": case.version, "caseworker": caseworker_a.pk},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.caseworker) == (CaseState.ASSESSING, caseworker_a)

    client.force_login(caseworker_a)
    page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert "Record the person&#x27;s consent to support first." in page

    response = client.post(
        reverse("casework:record_add", args=[case.pk, "consent"]),
        {"scope": "support", "given_on": TODAY.isoformat(), "method": "interpreter"},
    )
    assert response.status_code == 302
    assert case.consents.get().scope == "support"

    response = client.post(
        reverse("casework:case_transition", args=[case.pk, "start_support"]),
        {"version": case.version, "reason": "Support plan agreed"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case", args=[case.pk])
    case.refresh_from_db()
    assert case.state == CaseState.SUPPORTED
    kinds = set(TimelineEvent.objects.filter(subject_id=case.pk).values_list("kind", flat=True))
    assert {"case.referred", "case.accepted", "consent.recorded", "case.support_started"} <= kinds
