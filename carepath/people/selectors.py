from django.db.models import Prefetch, QuerySet

from carepath import policy
from carepath.audit import access_log
from carepath.people.models import Role, RoleAssignment, Team, User


def users_managed_by(user: User) -> QuerySet[User]:
    return policy.visible(user, "people.user.manage", User.objects.all()).prefetch_related(
        "teams", Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role"))
    )


def user_for_administration(*, by: User, pk: int, path: str = "") -> User:
    """A staff record for its administrator; the read is logged."""
    user, why = policy.get_or_404(by, "people.user.manage", User.objects.all(), pk=pk)
    access_log.record(user, by=by, basis=why, path=path)
    return user


def teams_managed_by(user: User) -> QuerySet[Team]:
    return policy.visible(user, "people.team.manage", Team.objects.all())


def team_for_administration(*, by: User, pk: int) -> Team:
    team, _why = policy.get_or_404(by, "people.team.manage", Team.objects.all(), pk=pk)
    return team


def teams_for_intake(user: User) -> QuerySet[Team]:
    """The teams a person may record a referral into: their own teams, or for a service
    manager every team of the organisation."""
    teams = Team.objects.filter(organisation_id=user.organisation_id)
    if not user.has_role(Role.SERVICE_MANAGER):
        teams = teams.filter(pk__in=user.team_ids)
    return teams.order_by("name")
