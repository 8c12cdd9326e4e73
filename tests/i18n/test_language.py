"""Each person chooses English or Welsh; the choice follows them and shapes dates and texts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, translation

from carepath.people.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker(make_user, org_a):
    return make_user(org_a, Role.CASEWORKER, username="cw.iaith", email="cw@example.org")


def test_the_switch_on_a_page_saves_the_choice_and_the_page_comes_back_in_welsh(client, caseworker):
    client.force_login(caseworker)
    page = client.get(reverse("people:profile"))
    assert b'lang="cy"' in page.content and "Cymraeg" in page.content.decode()

    response = client.post(reverse("language"), {"language": "cy", "next": "/people/me/"})

    assert response.status_code == 302 and response["Location"] == "/people/me/"
    caseworker.refresh_from_db()
    assert caseworker.language == "cy"
    welsh = client.get("/people/me/")
    assert welsh["Content-Language"] == "cy"
    assert '<html lang="cy">' in welsh.content.decode()
    assert "Allgofnodi" in welsh.content.decode()  # "Sign out"
    assert 'lang="en-gb"' in welsh.content.decode()  # the way back, named in English


def test_the_choice_follows_the_person_to_a_new_browser(client, caseworker):
    caseworker.language = "cy"
    caseworker.save()
    client.force_login(caseworker)

    response = client.get("/people/me/", HTTP_ACCEPT_LANGUAGE="en-GB,en")

    assert response["Content-Language"] == "cy"


def test_someone_not_signed_in_can_switch_the_sign_in_page(client):
    client.post(reverse("language"), {"language": "cy", "next": "/accounts/login/"})

    page = client.get("/accounts/login/")

    assert page["Content-Language"] == "cy"
    assert "Mewngofnodi" in page.content.decode()


@pytest.mark.parametrize("data", [{"language": "xx"}, {}, {"language": ""}])
def test_a_language_we_do_not_have_changes_nothing_and_says_so(client, caseworker, data):
    client.force_login(caseworker)

    response = client.post(reverse("language"), {**data, "next": "/people/me/"}, follow=True)

    assert response.redirect_chain == [("/people/me/", 302)]
    assert "That language is not available." in response.content.decode()
    caseworker.refresh_from_db()
    assert caseworker.language == ""
    assert "django_language" not in response.client.cookies


def test_the_switch_never_sends_anyone_off_the_site(client, caseworker):
    client.force_login(caseworker)

    response = client.post(
        reverse("language"), {"language": "cy", "next": "https://elsewhere.example/steal"}
    )

    assert response["Location"] == "/"


def test_the_switch_answers_only_a_post(client):
    assert client.get(reverse("language")).status_code == 405


def test_dates_are_written_the_welsh_way():
    day = dt.date(2026, 12, 1)
    with translation.override("cy"):
        assert formats.date_format(day, "DATE_FORMAT") == "1 Rhagfyr 2026"
        assert formats.date_format(day, "l") == "Dydd Mawrth"
    with translation.override("en-gb"):
        assert formats.date_format(day, "DATE_FORMAT") == "1 Dec 2026"
