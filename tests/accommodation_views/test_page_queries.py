"""The accommodation pages keep a fixed number of queries as properties and requests grow."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CaseFactory


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_board_and_vacancies_do_not_grow_with_data(
    client, am_b, org_b, make_property, request_for, team_a, manager_a, caseworker_a
):
    def add(n):
        for i in range(n):
            make_property(am_b, f"House {i}-{n}", beds=3)
            case = CaseFactory(team=team_a, by=manager_a)
            request_for(case, manager_a, org_b)

    add(1)
    client.force_login(am_b)
    board = _count(client, reverse("accommodation:board"))
    client.force_login(caseworker_a)
    vacancies = _count(client, reverse("accommodation:vacancies"))
    add(6)
    client.force_login(am_b)
    assert _count(client, reverse("accommodation:board")) == board
    client.force_login(caseworker_a)
    assert _count(client, reverse("accommodation:vacancies")) == vacancies


def test_only_the_requesters_side_withdraws(offered, am_b, caseworker_a):
    from carepath import policy

    assert not policy.can(am_b, "placement.requester", offered)
    assert policy.can(caseworker_a, "placement.requester", offered)
