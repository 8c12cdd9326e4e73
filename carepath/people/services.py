import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from carepath import policy
from carepath.audit import timeline
from carepath.people.models import CalendarFeed, Organisation, RoleAssignment, Team, User
from carepath.tasking import enqueue_on_commit


class PeopleError(Exception):
    """Input a person can correct; views show it as a form error."""


def _set_roles(user: User, roles: Iterable[str]) -> None:
    wanted = set(roles)
    current = set(user.role_assignments.values_list("role", flat=True))
    for assignment in user.role_assignments.filter(role__in=current - wanted):
        assignment.delete()
    for role in sorted(wanted - current):
        RoleAssignment.objects.create(user=user, role=role)
    user.__dict__.pop("roles", None)


def _check_teams(organisation: Organisation, teams: Iterable[Team]) -> list[Team]:
    teams = list(teams)
    if any(team.organisation_id != organisation.pk for team in teams):
        raise PeopleError("A person can only join teams of their own organisation.")
    return teams


@transaction.atomic
def user_create(
    *,
    by: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: Iterable[str],
    teams: Iterable[Team] = (),
    invite_domain: str | None = None,
    invite_https: bool = True,
) -> User:
    """Add a member of staff to the administrator's organisation and send them a link to set
    their password."""
    policy.require(by, "people.user.manage")
    organisation = by.organisation
    teams = _check_teams(organisation, teams)
    if User.objects.filter(username__iexact=username).exists():
        raise PeopleError("That username is taken.")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation,
    )
    user.set_unusable_password()
    user.save()
    user.teams.set(teams)
    _set_roles(user, roles)
    timeline.record(user, by=by, kind="user.created", detail={"roles": sorted(roles)})
    if invite_domain and email:
        from carepath.people.tasks import password_reset_email_send

        enqueue_on_commit(password_reset_email_send, user.pk, invite_domain, invite_https)
    return user


@transaction.atomic
def user_update(
    *,
    by: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    roles: Iterable[str],
    teams: Iterable[Team],
    is_active: bool,
) -> User:
    policy.require(by, "people.user.manage", user)
    if user.pk == by.pk and (not is_active or "administrator" not in roles):
        raise PeopleError("You cannot remove your own administrator role or deactivate yourself.")
    if user.pk == by.pk and set(roles) - set(user.roles):
        # An administrator who could give themselves a case-reading role would reach case
        # content without emergency access: another administrator must grant it.
        raise PeopleError("Another administrator must give you a new role.")
    teams = _check_teams(user.organisation, teams)
    before_roles = sorted(user.roles)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_active = is_active
    user.save()
    user.teams.set(teams)
    _set_roles(user, roles)
    timeline.record(
        user,
        by=by,
        kind="user.updated",
        detail={"roles_before": before_roles, "roles": sorted(roles), "active": is_active},
    )
    return user


@transaction.atomic
def team_create(*, by: User, name: str) -> Team:
    policy.require(by, "people.team.manage")
    if Team.objects.filter(organisation=by.organisation, name__iexact=name).exists():
        raise PeopleError("Your organisation already has a team with that name.")
    team = Team.objects.create(organisation=by.organisation, name=name)
    timeline.record(team, by=by, kind="team.created")
    return team


@transaction.atomic
def team_rename(*, by: User, team: Team, name: str) -> Team:
    policy.require(by, "people.team.manage", team)
    clash = Team.objects.filter(organisation=team.organisation, name__iexact=name)
    if clash.exclude(pk=team.pk).exists():
        raise PeopleError("Your organisation already has a team with that name.")
    before = team.name
    team.name = name
    team.save()
    timeline.record(team, by=by, kind="team.renamed", detail={"before": before})
    return team


def password_reset_email_send(*, user: User, domain: str, use_https: bool) -> None:
    """The e-mail with a one-time link to set a password (an invitation or a reset)."""
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": "Carepath",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    PasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "registration/password_reset_email.txt",
        context,
        settings.DEFAULT_FROM_EMAIL,
        user.email,
    )


def _calendar_feeds_revoke(user: User) -> int:
    # The user row is locked first so that two requests at once cannot both leave a feed
    # active (the partial unique constraint would refuse the second with an error).
    User.objects.select_for_update().get(pk=user.pk)
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def calendar_feed_create(*, user: User) -> str:
    """A new private calendar feed for the person, replacing any they had. Returns the secret
    token: it is shown once and cannot be recovered, since only its hash is stored."""
    replaced = _calendar_feeds_revoke(user)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(user=user, token_hash=CalendarFeed.hash_token(token))
    timeline.record(user, by=user, kind="calendar_feed.created", detail={"replaced": replaced})
    return token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    """Stop the person's calendar feed: its URL answers 404 from now on."""
    if _calendar_feeds_revoke(user):
        timeline.record(user, by=user, kind="calendar_feed.revoked")
