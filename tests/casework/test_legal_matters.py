"""Legal matters through their pages and services: opening each kind, changing details with
optimistic locking, steps, refusals of bad input, who may reach them, and the case page."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carepath import policy
from carepath.audit.models import TimelineEvent
from carepath.pathway import ConflictError, PathwayError
from casework.models import (
    Appointment,
    Case,
    CicaClaim,
    CivilMatter,
    CriminalJusticeMatter,
    ImmigrationMatter,
    LegalMatter,
    LegalStep,
)
from casework.services import cases as case_services
from casework.services import legal as services
from tests.factories import CaseFactory

LONDON = ZoneInfo("Europe/London")
TODAY = datetime.date(2026, 3, 2)
CONFLICT = "Someone else changed this record"
PROBLEM = "There is a problem"


@pytest.fixture(autouse=True)
def frozen_clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 12, tzinfo=LONDON), tick=False)


@pytest.fixture
def case(case_a, manager_a, caseworker_a):
    case_services.case_accept(
        by=manager_a, case=case_a, caseworker=caseworker_a, expected_version=case_a.version
    )
    return Case.objects.get(pk=case_a.pk)


@pytest.fixture
def worker(client, caseworker_a):
    client.force_login(caseworker_a)
    return client


def _open_cica(case, by, **details):
    return services.legal_matter_open(
        by=by,
        case=case,
        kind="cica",
        title="CICA claim: 2025 assault",
        opened_on=datetime.date(2026, 2, 1),
        representative={"solicitor": "A. Solicitor", "firm": "Example LLP"},
        details={"incident_on": datetime.date(2025, 6, 1), **details},
    )


@pytest.fixture
def cica(case, caseworker_a):
    return _open_cica(case, caseworker_a, reported_on=datetime.date(2025, 6, 3))


@pytest.fixture
def step(cica, caseworker_a):
    return services.legal_step_add(
        by=caseworker_a,
        matter=cica,
        kind="deadline",
        description="Send the medical evidence",
        due_on=datetime.date(2026, 3, 20),
    )


def _url(name, *args):
    return reverse(f"casework:{name}", args=args)


def _snapshot() -> dict:
    """Every legal record and event: what a refused submission must leave alone."""
    models = (LegalMatter, CicaClaim, ImmigrationMatter, CriminalJusticeMatter, CivilMatter)
    return {
        "rows": [
            [model_to_dict(row) for row in model.objects.order_by("pk")]
            for model in (*models, LegalStep)
        ],
        "events": TimelineEvent.objects.count(),
    }


OPENING = {
    "cica": (
        {"incident_on": "2025-06-01", "reported_on": "2025-06-03"},
        lambda d: (
            (d.incident_on, d.reported_on, d.state)
            == (datetime.date(2025, 6, 1), datetime.date(2025, 6, 3), "considering")
        ),
    ),
    "immigration": (
        {"route": "tps_vt"},
        lambda d: (d.route, d.state) == ("tps_vt", "preparing"),
    ),
    "criminal_justice": (
        {
            "police_force": "Police Scotland",
            "crime_reference": "CR-123",
            "officer_in_case": "DC Example",
            "witness_status": "vulnerable",
        },
        lambda d: (
            (d.police_force, d.crime_reference, d.witness_status, d.state)
            == ("Police Scotland", "CR-123", "vulnerable", "reported")
        ),
    ),
    "civil": (
        {"civil_kind": "debt", "other_party": "A phone company"},
        lambda d: (d.civil_kind, d.other_party, d.state) == ("debt", "A phone company", "open"),
    ),
}


class TestOpening:
    @pytest.mark.parametrize("kind", list(OPENING))
    def test_open_each_kind_through_the_pages(self, worker, case, caseworker_a, kind):
        fields, check = OPENING[kind]
        page = worker.get(_url("legal_new", case.pk, kind))
        assert page.status_code == 200
        assert page.context["form"]["opened_on"].value() == TODAY

        response = worker.post(
            _url("legal_new", case.pk, kind),
            {
                "title": f"A {kind} matter",
                "opened_on": "2026-02-20",
                "solicitor": "A. Solicitor",
                "firm": "Example LLP",
                "legal_aid_reference": "LA-1",
                **fields,
            },
        )

        matter = LegalMatter.objects.get()
        assert response.status_code == 302
        assert response.url == _url("legal_matter", case.pk, matter.pk)
        assert (matter.case, matter.kind, matter.title, matter.opened_on) == (
            case,
            kind,
            f"A {kind} matter",
            datetime.date(2026, 2, 20),
        )
        assert (matter.solicitor, matter.firm, matter.legal_aid_reference) == (
            "A. Solicitor",
            "Example LLP",
            "LA-1",
        )
        assert check(matter.detail)
        assert matter.detail.history.get().history_user == caseworker_a
        event = TimelineEvent.objects.get(kind="legal.opened")
        assert (event.actor, event.detail["matter"]) == (caseworker_a, matter.pk)
        page = worker.get(response.url).content.decode()
        assert f"A {kind} matter" in page
        assert "Example LLP" in page

    def test_a_sensible_title_is_offered(self, worker, case):
        page = worker.get(_url("legal_new", case.pk, "cica"))
        assert page.context["form"]["title"].value() == "Criminal injuries compensation claim"

    def test_another_kind_is_not_a_page(self, worker, case):
        assert worker.get(_url("legal_new", case.pk, "divorce")).status_code == 404
        assert worker.post(_url("legal_new", case.pk, "divorce"), {}).status_code == 404

    def test_only_on_an_open_case(self, case_a, manager_a):
        case = case_a
        case_services.case_decline(
            by=manager_a,
            case=case,
            expected_version=case.version,
            decline_reason="signposted",
            reason="Signposted",
        )
        case = Case.objects.get(pk=case.pk)
        with pytest.raises(PathwayError, match="only be opened on an open case"):
            _open_cica(case, manager_a)
        assert not LegalMatter.objects.exists()

    def test_unknown_kind_refused(self, case, caseworker_a):
        with pytest.raises(PathwayError, match="no such kind"):
            services.legal_matter_open(
                by=caseworker_a,
                case=case,
                kind="divorce",
                title="Divorce",
                opened_on=TODAY,
                representative={},
                details={},
            )

    def test_someone_who_may_not_edit_the_case_is_refused(self, case, caseworker_b):
        with pytest.raises(policy.PolicyDenied):
            _open_cica(case, caseworker_b)
        assert not LegalMatter.objects.exists()


class TestMatterPage:
    def test_shows_the_cica_application_deadline(self, worker, cica):
        page = worker.get(_url("legal_matter", cica.case_id, cica.pk)).content.decode()
        # CICS 2012 para 87: two years after the incident of 1 June 2025.
        assert "1 Jun 2027" in page
        assert "Apply for compensation" in page

    def test_a_child_reported_before_18_has_until_their_20th_birthday(
        self, worker, team_a, manager_a, caseworker_a
    ):
        case = CaseFactory(team=team_a, by=manager_a, date_of_birth=datetime.date(2009, 1, 15))
        matter = _open_cica(case, caseworker_a, reported_on=datetime.date(2025, 7, 1))
        page = worker.get(_url("legal_matter", case.pk, matter.pk)).content.decode()
        assert "15 Jan 2029" in page

    def test_steps_transitions_appointments_and_history(
        self, worker, cica, step, caseworker_a, manager_a
    ):
        services.legal_step_add(
            by=caseworker_a,
            matter=cica,
            kind="statement",
            description="Statement to the police",
            done_on=datetime.date(2026, 2, 10),
            joint=True,
        )
        Appointment.objects.create(
            case=cica.case,
            kind="legal",
            state="booked",
            starts_at=datetime.datetime(2026, 3, 9, 10, tzinfo=LONDON),
            with_whom="Ms Solicitor",
            created_by=manager_a,
            legal_matter=cica,
        )
        services.legal_matter_update(
            by=manager_a,
            matter=cica,
            expected_version=cica.detail.version,
            representative={"firm": "New Firm LLP"},
            details={},
        )
        page = worker.get(_url("legal_matter", cica.case_id, cica.pk)).content.decode()
        assert "Send the medical evidence" in page
        assert _url("legal_step", cica.case_id, cica.pk, step.pk) in page
        assert "Joint statement" in page
        assert "Ms Solicitor" in page
        assert _url("legal_action", cica.case_id, cica.pk, "apply") in page
        assert _url("legal_action", cica.case_id, cica.pk, "withdraw") in page
        assert "Example LLP" in page and "New Firm LLP" in page  # the change, in the history

    def test_an_overdue_step_is_flagged_in_words(self, worker, cica, caseworker_a, time_machine):
        services.legal_step_add(
            by=caseworker_a,
            matter=cica,
            kind="deadline",
            description="Chase the GP letter",
            due_on=datetime.date(2026, 3, 1),
        )
        page = worker.get(_url("legal_matter", cica.case_id, cica.pk)).content.decode()
        assert "Overdue" in page


def _edit_data(matter, **changes):
    detail = matter.detail
    data = {"version": detail.version, "solicitor": matter.solicitor, "firm": matter.firm}
    for name in services.EDITABLE_FIELDS[matter.kind]:
        value = getattr(detail, name)
        if value not in (None, ""):
            data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return {**data, **changes}


class TestEditing:
    def test_a_payment_needs_a_decision_first(self, worker, cica):
        response = worker.post(
            _url("legal_edit", cica.case_id, cica.pk),
            _edit_data(cica, amount_paid="1500.00", paid_on="2026-02-27"),
        )
        assert response.status_code == 200
        assert "once CICA has decided" in response.content.decode()
        assert CicaClaim.objects.get().amount_paid is None

    def test_change_details(self, worker, cica, caseworker_a):
        CicaClaim.objects.filter(matter=cica).update(
            state="decided",
            applied_on=datetime.date(2025, 7, 1),
            decided_on=datetime.date(2026, 2, 1),
            amount_awarded=Decimal("1500.00"),
        )
        response = worker.post(
            _url("legal_edit", cica.case_id, cica.pk),
            _edit_data(
                cica,
                firm="Other LLP",
                reference="CICA/1",
                amount_paid="1500.00",
                paid_on="2026-02-27",
            ),
        )
        assert response.status_code == 302
        cica.refresh_from_db()
        claim = CicaClaim.objects.get()
        assert cica.firm == "Other LLP"
        assert (claim.reference, claim.amount_paid, claim.paid_on) == (
            "CICA/1",
            Decimal("1500.00"),
            datetime.date(2026, 2, 27),
        )
        assert claim.version == 2
        event = TimelineEvent.objects.get(kind="legal.updated")
        assert set(event.detail["fields"]) == {"firm", "reference", "amount_paid", "paid_on"}

    def test_an_extension_with_its_reason_moves_the_deadline(self, worker, cica):
        response = worker.post(
            _url("legal_edit", cica.case_id, cica.pk),
            _edit_data(
                cica,
                extended_to="2027-12-01",
                extension_reason="In hospital for most of the two years",
            ),
        )
        assert response.status_code == 302
        page = worker.get(_url("legal_matter", cica.case_id, cica.pk)).content.decode()
        assert "1 Dec 2027" in page
        assert "In hospital for most of the two years" in page

    def test_a_stale_form_is_refused_and_nothing_changes(self, worker, cica, manager_a):
        stale = _edit_data(cica, firm="Stale LLP")
        services.legal_matter_update(
            by=manager_a,
            matter=LegalMatter.objects.get(pk=cica.pk),
            expected_version=cica.detail.version,
            representative={"solicitor": "B. Solicitor"},
            details={},
        )
        before = _snapshot()

        response = worker.post(_url("legal_edit", cica.case_id, cica.pk), stale)

        assert response.status_code == 409
        assert CONFLICT in response.content.decode()
        assert PROBLEM in response.content.decode()
        assert _snapshot() == before
        matter = LegalMatter.objects.get()
        assert (matter.solicitor, matter.firm) == ("B. Solicitor", "Example LLP")

    def test_stale_version_refused_by_the_service(self, cica, caseworker_a):
        with pytest.raises(ConflictError):
            services.legal_matter_update(
                by=caseworker_a,
                matter=cica,
                expected_version=cica.detail.version + 1,
                representative={"firm": "Other"},
                details={},
            )


def _post_open(client, case, **fields):
    return client.post(
        _url("legal_new", case.pk, "cica"),
        {"title": "Claim", "opened_on": "2026-02-01", "incident_on": "2025-06-01", **fields},
    )


BAD_INPUT = {
    "incident in the future": (
        lambda c, case, m, s: _post_open(c, case, incident_on="2026-03-03"),
        "The date of the incident cannot be in the future.",
    ),
    "opened in the future": (
        lambda c, case, m, s: _post_open(c, case, opened_on="2026-04-01"),
        "The date the matter was opened cannot be in the future.",
    ),
    "reported before the incident": (
        lambda c, case, m, s: _post_open(c, case, reported_on="2025-05-31"),
        "cannot be before the incident",
    ),
    "extension without a reason": (
        lambda c, case, m, s: c.post(
            _url("legal_edit", case.pk, m.pk), _edit_data(m, extended_to="2027-12-01")
        ),
        "Give the exceptional circumstances",
    ),
    "extension not beyond the usual deadline": (
        lambda c, case, m, s: c.post(
            _url("legal_edit", case.pk, m.pk),
            _edit_data(m, extended_to="2027-05-01", extension_reason="Illness"),
        ),
        "An extension must end after the usual deadline to apply, 1 June 2027",
    ),
    "negative amount paid": (
        lambda c, case, m, s: c.post(
            _url("legal_edit", case.pk, m.pk), _edit_data(m, amount_paid="-10")
        ),
        "The amount paid cannot be negative.",
    ),
    "paid in the future": (
        lambda c, case, m, s: c.post(
            _url("legal_edit", case.pk, m.pk),
            _edit_data(m, amount_paid="10", paid_on="2026-03-10"),
        ),
        "cannot be in the future",
    ),
    "step without dates": (
        lambda c, case, m, s: c.post(
            _url("legal_step_new", case.pk, m.pk), {"kind": "other", "description": "Something"}
        ),
        "Give the date the step was done, or the date it is due by.",
    ),
    "step done in the future": (
        lambda c, case, m, s: c.post(
            _url("legal_step_new", case.pk, m.pk),
            {"kind": "other", "description": "Something", "done_on": "2026-03-05"},
        ),
        "The date the step was done cannot be in the future.",
    ),
    "joint flag on an interview": (
        lambda c, case, m, s: c.post(
            _url("legal_step_new", case.pk, m.pk),
            {
                "kind": "interview",
                "description": "Interview",
                "done_on": "2026-03-01",
                "joint": "on",
            },
        ),
        "Only a police statement can be a joint statement.",
    ),
    "step marked done in the future": (
        lambda c, case, m, s: c.post(
            _url("legal_step", case.pk, m.pk, s.pk), {"done_on": "2026-03-05"}
        ),
        "The date the step was done cannot be in the future.",
    ),
}


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_bad_input_is_a_form_error_and_changes_nothing(worker, cica, step, name):
    submit, message = BAD_INPUT[name]
    before = _snapshot()

    response = submit(worker, cica.case, cica, step)

    content = response.content.decode()
    assert response.status_code == 200
    assert PROBLEM in content
    assert message in content
    assert _snapshot() == before


class TestSteps:
    def test_add_a_joint_statement_and_mark_a_step_done(self, worker, cica, step, caseworker_a):
        response = worker.post(
            _url("legal_step_new", cica.case_id, cica.pk),
            {
                "kind": "statement",
                "description": "Statement to the police",
                "done_on": "2026-02-20",
                "joint": "on",
            },
        )
        assert response.status_code == 302
        added = LegalStep.objects.get(kind="statement")
        assert (added.joint, added.done_on, added.matter) == (
            True,
            datetime.date(2026, 2, 20),
            cica,
        )

        page = worker.get(_url("legal_step", cica.case_id, cica.pk, step.pk))
        assert page.context["form"]["done_on"].value() == TODAY
        response = worker.post(
            _url("legal_step", cica.case_id, cica.pk, step.pk), {"done_on": "2026-03-01"}
        )
        assert response.status_code == 302
        step.refresh_from_db()
        assert step.done_on == datetime.date(2026, 3, 1)
        assert step.history.first().history_user == caseworker_a
        assert TimelineEvent.objects.filter(kind="legal.step_done").count() == 1

        again = worker.post(
            _url("legal_step", cica.case_id, cica.pk, step.pk), {"done_on": "2026-03-02"}
        )
        assert "already marked done" in again.content.decode()
        step.refresh_from_db()
        assert step.done_on == datetime.date(2026, 3, 1)

    def test_a_step_of_another_matter_is_not_found(self, worker, case, cica, step, caseworker_a):
        other = services.legal_matter_open(
            by=caseworker_a,
            case=case,
            kind="civil",
            title="Debt",
            opened_on=TODAY,
            representative={},
            details={"civil_kind": "debt"},
        )
        assert worker.get(_url("legal_step", case.pk, other.pk, step.pk)).status_code == 404


def _every_legal_url(matter, step):
    case_pk = matter.case_id
    return [
        _url("legal_new", case_pk, "cica"),
        _url("legal_matter", case_pk, matter.pk),
        _url("legal_edit", case_pk, matter.pk),
        _url("legal_step_new", case_pk, matter.pk),
        _url("legal_step", case_pk, matter.pk, step.pk),
        _url("legal_action", case_pk, matter.pk, "withdraw"),
    ]


@pytest.mark.parametrize("who", ["caseworker_b", "manager_b"])
def test_another_team_or_organisation_gets_404_everywhere(client, request, cica, step, who):
    client.force_login(request.getfixturevalue(who))
    before = _snapshot()
    for url in _every_legal_url(cica, step):
        assert client.get(url).status_code == 404, url
        post = client.post(
            url,
            _edit_data(cica, title="Taken", incident_on="2025-01-01", done_on="2026-03-01"),
        )
        assert post.status_code == 404, url
    assert _snapshot() == before


def test_the_team_reaches_every_legal_url(worker, cica, step):
    for url in _every_legal_url(cica, step):
        assert worker.get(url).status_code == 200, url


class TestCasePage:
    def test_lists_the_matter_with_its_next_deadline(self, worker, cica, step):
        page = worker.get(_url("case", cica.case_id)).content.decode()
        assert "Legal matters" in page
        assert _url("legal_matter", cica.case_id, cica.pk) in page
        assert "CICA claim: 2025 assault" in page
        assert "Considering a claim" in page
        # The step due on 20 March comes before the application deadline of 1 June 2027.
        assert "Send the medical evidence" in page
        assert "20 Mar 2026" in page
        for kind in OPENING:
            assert _url("legal_new", cica.case_id, kind) in page

    def test_query_count_does_not_grow_with_matters(
        self, worker, case, caseworker_a, django_assert_max_num_queries
    ):
        def add(kind, details):
            matter = services.legal_matter_open(
                by=caseworker_a,
                case=case,
                kind=kind,
                title=f"{kind} matter",
                opened_on=datetime.date(2026, 1, 10),
                representative={},
                details=details,
            )
            services.legal_step_add(
                by=caseworker_a,
                matter=matter,
                kind="police_update",
                description="Update",
                done_on=datetime.date(2026, 2, 1),
            )
            Appointment.objects.create(
                case=case,
                kind="legal",
                state="requested",
                with_whom="Solicitor",
                created_by=caseworker_a,
                legal_matter=matter,
            )

        add("cica", {"incident_on": datetime.date(2025, 6, 1)})
        with CaptureQueriesContext(connection) as one:
            assert worker.get(_url("case", case.pk)).status_code == 200
        for kind, fields in [
            ("cica", {"incident_on": datetime.date(2025, 1, 1)}),
            ("immigration", {"route": "asylum"}),
            ("criminal_justice", {"police_force": "Police Scotland"}),
            ("civil", {"civil_kind": "tenancy"}),
            ("criminal_justice", {"police_force": "Police Scotland"}),
        ]:
            add(kind, fields)

        with django_assert_max_num_queries(len(one)):
            page = worker.get(_url("case", case.pk))
        assert len(page.context["legal_matters"]) == 6
