"""The authorisation test over every URL: each named URL of the project is opened by every role,
by a caseworker of another team, by an anonymous visitor and by a member of another organisation,
and each must get the status the access design gives it (``tests/security/url_access.py``, whose
docstring says how to add a URL). A URL with no expectation fails."""

import pytest
import time_machine
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path, reverse

from carepath import urls as project_urls
from casework.models import Case
from tests.security.url_access import (
    BUILT_AT,
    CASE_STAFF,
    CASEWORKER,
    CASEWORKER_OTHER_TEAM,
    CHECKED_AT,
    NO_ARGS,
    OUTSIDER,
    SERVICE_MANAGER,
    SIGNED_IN,
    URLS,
    VIEWERS,
    E,
    build_world,
    coverage_problems,
    expectations_of,
    kw,
    make_viewers,
    mismatches,
    request_as,
    sign_in,
    url_patterns,
)

NAMES, NAMELESS = url_patterns()


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """Two organisations' records, built once for the module in a transaction rolled back at its
    end; each test runs in a savepoint of it, and each request in a savepoint of that."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(BUILT_AT, tick=False) as traveller,
        transaction.atomic(),
    ):
        try:
            built = {
                "home": build_world("home", traveller=traveller),
                "other": build_world("other", traveller=traveller, one_person=True),
            }
            traveller.move_to(CHECKED_AT)
            yield built
        finally:
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def sessions(worlds):
    return sign_in(make_viewers(worlds["home"], worlds["other"]))


def test_every_url_has_an_access_expectation():
    assert coverage_problems(NAMES) == []


def test_every_project_url_has_a_name():
    """A nameless URL could not be given an expectation."""
    assert NAMELESS == []


def _cases() -> list:
    """One test per URL name, and per further expectation of a URL (``label``); an unknown name
    gets a test that fails saying so."""
    cases = []
    for name in sorted(NAMES):
        if name not in URLS:
            cases.append(pytest.param(name, None, id=name))
            continue
        for expectation in expectations_of(name):
            marks = ()
            if expectation.xfail:
                marks = pytest.mark.xfail(strict=True, reason=expectation.xfail)
            label = f"{name}/{expectation.label}" if expectation.label else name
            cases.append(pytest.param(name, expectation, id=label, marks=marks))
    return cases


@pytest.mark.parametrize(("name", "expectation"), _cases())
def test_who_reaches_the_url(name, expectation, db, client, worlds, sessions):
    assert expectation is not None, coverage_problems([name], {})[0]
    problems = mismatches(client, name, expectation, worlds, sessions)
    assert not problems, "\n".join(problems)


def test_only_platform_operators_reach_the_django_admin(db, client, worlds, sessions):
    """Nobody on staff is a superuser: the admin sends every one of them to its own login."""
    url = reverse("admin:index")
    login = reverse("admin:login")
    for viewer in VIEWERS:
        response, failure = request_as(client, sessions[viewer], "GET", url)
        assert failure is None, failure
        assert response.status_code == 302, viewer
        assert response["Location"].startswith(login), viewer


# --- A leaky page, in this test only --------------------------------------------------------


@login_required
def leaky_case(request, pk: int):
    """What a page written without the access policy looks like: anyone signed in reads a case."""
    case = Case.objects.get(pk=pk)
    return HttpResponse(f"{case.reference} {case.given_name}")


@login_required
def leaky_list(request):
    """A page anyone signed in may open, that lists every organisation's survivors."""
    return HttpResponse("\n".join(Case.objects.values_list("given_name", flat=True)))


# This module is also the URL configuration of the test below: the project's URLs and the leaks.
urlpatterns = [
    *project_urls.urlpatterns,
    path("leaky/<int:pk>/", leaky_case, name="leaky_case"),
    path("leaky/", leaky_list, name="leaky_list"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_leaky_page_is_caught(db, client, worlds, sessions):
    names, _nameless = url_patterns()

    # Added without an expectation: the test of coverage fails, naming them.
    problems = coverage_problems(names)
    assert [problem.split(":")[0] for problem in problems] == ["leaky_case", "leaky_list"]
    assert all("no access expectation" in problem for problem in problems)

    # Given the expectation it should meet, the check reports everyone it lets in wrongly.
    found = mismatches(client, "leaky_case", E(kw(pk="case"), CASE_STAFF), worlds, sessions)
    wrongly_in = {problem.split(" as ")[1].split(":")[0] for problem in found}
    assert wrongly_in == set(VIEWERS) - {CASEWORKER, SERVICE_MANAGER, "anonymous"}
    assert all("expected 404, got 200" in problem for problem in found)

    # A page everyone may open still may not show a stranger another team's or organisation's
    # survivors.
    found = mismatches(client, "leaky_list", E(NO_ARGS, SIGNED_IN), worlds, sessions)
    assert {problem.split(" as ")[1].split(":")[0] for problem in found} == {
        CASEWORKER_OTHER_TEAM,
        OUTSIDER,
    }
    assert any("shows 'Survivor of home'" in problem for problem in found)


# --- Before the second factor -----------------------------------------------------------------


def test_before_the_second_factor_every_page_sends_to_the_code_step(
    db, client, worlds, sessions, settings
):
    """Signed in with a password only: every URL but the sign-in steps themselves, the
    calendar feed (its own secret) and the provider's callbacks (a signature) answers with the
    code or set-up step, whoever the person is."""
    from carepath.people.middleware import MFA_EXEMPT_PREFIXES, MFA_EXEMPT_VIEWS

    settings.MFA_REQUIRED = True
    steps = (reverse("people:mfa_verify"), reverse("people:mfa_enrol"))
    wrong = []
    for name in sorted(set(NAMES) - MFA_EXEMPT_VIEWS):
        url = reverse(name, kwargs=expectations_of(name)[0].kwargs(worlds["home"]))
        if url.startswith(MFA_EXEMPT_PREFIXES):
            continue
        for viewer in (SERVICE_MANAGER, CASEWORKER):
            response, failure = request_as(client, sessions[viewer], "GET", url)
            location = response.get("Location", "") if response is not None else ""
            if failure or response.status_code != 302 or not location.startswith(steps):
                wrong.append(f"{url} as {viewer}: {failure or response.status_code} {location}")
    assert wrong == []
