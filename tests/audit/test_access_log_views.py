"""The access log for service managers and the data protection lead: searchable by person,
reference, action, emergency access and dates; downloadable; the download itself logged."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from carepath.audit import access_log
from carepath.audit.models import AccessLogEntry
from carepath.people.models import Role
from casework.selectors.cases import case_for
from casework.services.access import emergency_access_start
from tests.factories import CaseFactory

REASON = "Police called about an immediate risk and the caseworker is unreachable."


@pytest.fixture
def lead(make_user, org_a):
    """The data protection lead, with no other role."""
    return make_user(org_a, Role.DATA_PROTECTION, username="dp.lead")


@pytest.fixture
def case(team_a, manager_a):
    return CaseFactory(team=team_a, by=manager_a)


@pytest.fixture
def other_case(team_a, manager_a):
    return CaseFactory(team=team_a, by=manager_a)


@pytest.fixture
def reads(case, other_case, caseworker_a, caseworker_b, time_machine):
    """caseworker_a reads both cases on 2 March; caseworker_b reads ``case`` under emergency
    access on 3 March."""
    time_machine.move_to("2026-03-02 10:00Z", tick=False)
    case_for(caseworker_a, pk=case.pk)
    case_for(caseworker_a, pk=other_case.pk)
    time_machine.move_to("2026-03-03 10:00Z", tick=False)
    grant = emergency_access_start(user=caseworker_b, reference=case.reference, reason=REASON)
    case_for(caseworker_b, pk=case.pk)
    return grant


def _page(client, **params):
    response = client.get(reverse("audit:access_log"), params)
    assert response.status_code == 200
    return response


def _rows(response):
    return [(e.actor.username, e.object_label) for e in response.context["page"]]


class TestSearch:
    def test_by_person_reference_action_and_dates(
        self, client, manager_a, reads, case, other_case, caseworker_a
    ):
        client.force_login(manager_a)
        assert len(_page(client).context["page"]) == 3

        by_person = _rows(_page(client, actor=caseworker_a.pk))
        assert sorted(by_person) == sorted(
            [("worker.a", case.audit_label), ("worker.a", other_case.audit_label)]
        )
        by_reference = _rows(_page(client, reference=other_case.reference.lower()))
        assert by_reference == [("worker.a", other_case.audit_label)]
        assert _rows(_page(client, action="search")) == []
        assert len(_page(client, action="view").context["page"]) == 3
        on_the_third = _rows(_page(client, since="2026-03-03", until="2026-03-03"))
        assert on_the_third == [("worker.b", case.audit_label)]

    def test_only_reads_under_emergency_access_with_a_link_to_the_grant(
        self, client, manager_a, reads, case
    ):
        client.force_login(manager_a)
        response = _page(client, emergency_only="on")
        assert _rows(response) == [("worker.b", case.audit_label)]
        assert reverse("casework:emergency_review", args=[reads.pk]) in response.content.decode()
        assert _rows(_page(client, grant=reads.pk)) == [("worker.b", case.audit_label)]
        assert _rows(_page(client, grant=reads.pk + 1)) == []

    def test_a_bad_search_says_what_is_wrong(self, client, manager_a, reads):
        client.force_login(manager_a)
        response = _page(client, since="2026-03-04", until="2026-03-01", action="delete")
        body = response.content.decode()
        assert "The end date must be on or after the start date." in body
        assert "Select a valid choice." in body

    def test_the_page_takes_the_same_number_of_queries_for_more_entries(
        self, client, manager_a, admin_a, reads, django_assert_max_num_queries
    ):
        client.force_login(manager_a)
        _page(client)
        with CaptureQueriesContext(connection) as few:
            _page(client)
        for _ in range(40):
            access_log.record(admin_a, by=admin_a, basis="organisation administrator")
        with django_assert_max_num_queries(len(few)):
            assert len(_page(client).context["page"]) == 43


class TestWhoSeesIt:
    def test_the_data_protection_lead_reads_and_downloads_the_log(self, client, lead, reads, case):
        client.force_login(lead)
        assert client.get(reverse("home")).url == reverse("data_protection")
        home = client.get(reverse("data_protection")).content.decode()
        assert reverse("audit:access_log") in home
        assert reverse("casework:emergency_reviews") in home
        assert "1 emergency access is awaiting review." in home
        assert len(_page(client).context["page"]) == 3
        # The data protection lead reads the log, not the cases.
        assert client.get(reverse("casework:case", args=[case.pk])).status_code == 404

    def test_another_organisation_sees_none_of_it(self, client, manager_b, reads, make_user, org_b):
        for person in (manager_b, make_user(org_b, Role.DATA_PROTECTION)):
            client.force_login(person)
            entries = list(_page(client).context["page"])
            # Only their own organisation's: here, the downloads made in it.
            assert {e.organisation_id for e in entries} <= {org_b.pk}
            assert not [e for e in entries if e.action != AccessLogEntry.Action.EXPORT]
            assert len(_page(client, emergency_only="on").context["page"]) == 0
            download = client.get(reverse("audit:access_log"), {"export": "csv"})
            rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
            assert all(row[3] == "Exported" for row in rows[1:])

    @pytest.mark.parametrize(
        "role", [Role.CASEWORKER, Role.ADMINISTRATOR, Role.ACCOMMODATION_MANAGER]
    )
    def test_other_roles_cannot_download_it(self, client, make_user, org_a, reads, role):
        client.force_login(make_user(org_a, role))
        assert client.get(reverse("audit:access_log"), {"export": "csv"}).status_code == 404
        assert client.get(reverse("data_protection")).status_code == 404

    def test_navigation_offers_the_log_and_the_reviews(self, client, lead, manager_a, reads):
        for person in (lead, manager_a):
            client.force_login(person)
            nav = {i["name"]: i["label"] for i in _page(client).context["nav_items"]}
            assert "audit:access_log" in nav
            assert nav["casework:emergency_reviews"] == "Emergency access reviews (1 waiting)"


class TestDownload:
    def test_csv_holds_the_search_and_the_download_is_logged(self, client, manager_a, reads, case):
        client.force_login(manager_a)
        response = client.get(
            reverse("audit:access_log"), {"export": "csv", "emergency_only": "on"}
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:2] == ["When", "Who"]
        assert len(rows) == 2
        assert rows[1][4] == case.audit_label
        assert rows[1][5] == "emergency access"
        assert rows[1][6] == str(reads.pk)

        exported = AccessLogEntry.objects.get(action=AccessLogEntry.Action.EXPORT)
        assert exported.actor == manager_a
        assert exported.organisation == manager_a.organisation
        assert exported.object_label == "access log (1 entries)"
        assert "export=csv" in exported.path
        # The download is in the log the managers read.
        assert ("manager.a", "access log (1 entries)") in _rows(_page(client))

    def test_xlsx_download(self, client, manager_a, reads):
        client.force_login(manager_a)
        response = client.get(reverse("audit:access_log"), {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.values)
        assert values[0][0] == "When"
        assert len(values) == 4

    def test_text_a_spreadsheet_would_run_is_neutralised(self, client, manager_a, admin_a):
        access_log.record(admin_a, by=admin_a, basis='=HYPERLINK("http://x")')
        client.force_login(manager_a)
        response = client.get(reverse("audit:access_log"), {"export": "csv"})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert "HYPERLINK" in rows[1][5] and not rows[1][5].startswith("=")

    def test_an_invalid_search_downloads_nothing(self, client, manager_a, reads):
        client.force_login(manager_a)
        response = client.get(
            reverse("audit:access_log"),
            {"export": "csv", "since": "2026-03-04", "until": "2026-03-01"},
        )
        assert response["Content-Type"].startswith("text/html")
        assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).exists()
