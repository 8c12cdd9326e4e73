"""List pages do not grow their query count with the number of cases (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.services import cases as services
from tests.factories import CaseFactory


def _count(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data) if data else client.get(url)
        assert response.status_code == 200
    return len(queries)


def _add_cases(n, team, manager, caseworker):
    for _ in range(n):
        case = CaseFactory(team=team, by=manager)
        services.case_accept(
            by=manager, case=case, caseworker=caseworker, expected_version=case.version
        )


def test_caseload_and_dashboard_query_counts_do_not_grow(client, team_a, manager_a, caseworker_a):
    _add_cases(2, team_a, manager_a, caseworker_a)
    CaseFactory(team=team_a, by=manager_a)
    client.force_login(caseworker_a)
    small_caseload = _count(client, reverse("casework:caseload"))
    client.force_login(manager_a)
    small_dashboard = _count(client, reverse("casework:dashboard"))

    _add_cases(12, team_a, manager_a, caseworker_a)
    for _ in range(5):
        CaseFactory(team=team_a, by=manager_a)
    client.force_login(caseworker_a)
    assert _count(client, reverse("casework:caseload")) == small_caseload
    client.force_login(manager_a)
    assert _count(client, reverse("casework:dashboard")) == small_dashboard


def test_search_query_count_does_not_grow(client, team_a, manager_a, caseworker_a):
    for _ in range(2):
        CaseFactory(team=team_a, by=manager_a, given_name="Sam")
    client.force_login(manager_a)
    url = reverse("casework:search")
    small = _count(client, url, {"q": "Sam"})
    for _ in range(10):
        CaseFactory(team=team_a, by=manager_a, given_name="Sam")
    assert _count(client, url, {"q": "Sam"}) == small


def test_search_terms_never_appear_in_the_address(client, team_a, manager_a):
    CaseFactory(team=team_a, by=manager_a, given_name="Zainab")
    client.force_login(manager_a)
    page = client.get(reverse("casework:search")).content.decode()
    assert 'method="post"' in page
    response = client.post(reverse("casework:search"), {"q": "Zainab"})
    assert "Zainab" in response.content.decode()
    assert "Zainab" not in response.request["PATH_INFO"] + response.request.get("QUERY_STRING", "")
