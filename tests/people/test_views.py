import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from carepath import demo
from carepath.people.models import Organisation, Role, User

START_PAGES = {
    Role.CASEWORKER: "casework:caseload",
    Role.SERVICE_MANAGER: "casework:dashboard",
    Role.ACCOMMODATION_MANAGER: "accommodation:board",
    Role.MARAC_CHAIR: "marac:meetings",
    Role.MARAC_PARTNER: "marac:meetings",
    Role.ADMINISTRATOR: "people:users",
}


def test_home_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "Sign in to Carepath" in response.content.decode()


@pytest.fixture(scope="module")
def demo_data(module_transaction):
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("role", list(START_PAGES))
def test_each_demo_user_signs_in_and_lands_on_their_start_page(client, db, demo_data, role):
    for slug in ("clyde", "taff"):
        username = demo.username_for(role, slug)
        response = client.post(
            reverse("login"),
            {"username": username, "password": demo.DEMO_PASSWORD},
            follow=True,
        )
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse(START_PAGES[role])
        body = response.content.decode()
        assert 'href="#main"' in body  # skip link
        assert str(Role(role).label) in body  # the header names the role
        client.post(reverse("logout"))


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", stdout=StringIO())
    counts = (Organisation.objects.count(), User.objects.count())
    histories = User.history.count()
    call_command("seed_demo", stdout=StringIO())
    assert (Organisation.objects.count(), User.objects.count()) == counts == (2, 2 * len(Role))
    assert User.history.count() == histories
    assert set(Organisation.objects.values_list("jurisdiction", flat=True)) == {
        "scotland",
        "england_wales",
    }


def test_a_person_with_several_roles_sees_each_roles_navigation(client, make_user, org_a):
    user = make_user(org_a, Role.CASEWORKER, Role.ADMINISTRATOR)
    client.force_login(user)
    body = client.get(reverse("people:users")).content.decode()
    assert reverse("casework:caseload") in body
    assert reverse("people:users") in body
    assert reverse("audit:access_log") not in body


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMINISTRATOR])
def test_only_administrators_manage_users(client, make_user, org_a, role):
    client.force_login(make_user(org_a, role))
    assert client.get(reverse("people:users")).status_code == 404
    assert client.post(reverse("people:user_new"), {}).status_code == 404


def test_administrator_adds_a_user_who_gets_a_link_to_set_a_password(
    client, admin_a, team_a, django_capture_on_commit_callbacks
):
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:user_new"),
            {
                "username": "new.worker",
                "first_name": "Nia",
                "last_name": "Roberts",
                "email": "nia@example.org",
                "roles": [Role.CASEWORKER],
                "teams": [team_a.pk],
            },
        )
    user = User.objects.get(username="new.worker")
    assert response.status_code == 302
    assert user.organisation == admin_a.organisation
    assert user.roles == {Role.CASEWORKER}
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a sturdy passphrase 42", "new_password2": "a sturdy passphrase 42"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a sturdy passphrase 42")


def test_bad_user_input_gets_an_error_summary_and_changes_nothing(client, admin_a, org_b):
    other_team = org_b.teams.create(name="Not yours")
    client.force_login(admin_a)
    before = User.objects.count()
    response = client.post(
        reverse("people:user_new"),
        {
            "username": "bad name!",
            "first_name": "",
            "email": "not-an-email",
            "roles": ["emperor"],
            "teams": [other_team.pk],
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_username"' in body
    assert 'aria-invalid="true"' in body
    assert User.objects.count() == before


def test_a_username_that_is_taken_is_a_form_error(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("people:user_new"),
        {
            "username": admin_a.username.upper(),
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.org",
            "roles": [Role.CASEWORKER],
        },
    )
    assert response.status_code == 200
    assert "That username is taken." in response.content.decode()


def test_an_administrator_cannot_remove_their_own_administrator_role(client, admin_a):
    client.force_login(admin_a)
    response = client.post(
        reverse("people:user", args=[admin_a.pk]),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.org",
            "roles": [Role.CASEWORKER],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert User.objects.get(pk=admin_a.pk).has_role(Role.ADMINISTRATOR)


@pytest.mark.parametrize("role", [Role.DATA_PROTECTION, Role.SERVICE_MANAGER, Role.CASEWORKER])
def test_an_administrator_cannot_give_themselves_a_new_role(client, admin_a, role):
    client.force_login(admin_a)
    response = client.post(
        reverse("people:user", args=[admin_a.pk]),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.org",
            "roles": [Role.ADMINISTRATOR, role],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Another administrator must give you a new role." in response.content.decode()
    assert not User.objects.get(pk=admin_a.pk).has_role(role)


def test_teams_are_added_and_renamed_with_duplicate_names_refused(client, admin_a, team_a):
    client.force_login(admin_a)
    assert client.post(reverse("people:teams"), {"name": "Outreach"}).status_code == 302
    duplicate = client.post(reverse("people:teams"), {"name": "outreach"})
    assert "already has a team with that name" in duplicate.content.decode()
    clash = client.post(reverse("people:team", args=[team_a.pk]), {"name": "Outreach"})
    assert clash.status_code == 200
    team_a.refresh_from_db()
    assert team_a.name == "Team A"


def test_password_reset_email_is_sent_only_for_a_known_address(
    client, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and len(mail.outbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": admin_a.email})
    assert len(mail.outbox) == 1
    assert admin_a.username in mail.outbox[0].body


def test_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_session_idle_past_its_age_is_signed_out(client, admin_a, time_machine):
    time_machine.move_to("2026-03-01 09:00Z", tick=False)
    client.force_login(admin_a)
    assert client.get(reverse("people:users")).status_code == 200
    time_machine.move_to("2026-03-01 09:29Z", tick=False)
    assert client.get(reverse("people:users")).status_code == 200
    time_machine.move_to("2026-03-01 10:00Z", tick=False)
    response = client.get(reverse("people:users"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_unreachable_broker_does_not_turn_a_saved_change_into_an_error(
    client, admin_a, caplog, django_capture_on_commit_callbacks, celery_broker
):
    celery_broker("redis://127.0.0.1:9/0")
    client.force_login(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:user_new"),
            {
                "username": "while.broker.down",
                "first_name": "Sam",
                "last_name": "Lee",
                "email": "sam@example.org",
                "roles": [Role.CASEWORKER],
            },
        )
    assert response.status_code == 302
    assert User.objects.filter(username="while.broker.down").exists()
    assert "broker unreachable" in caplog.text
    assert "sam@example.org" not in caplog.text
