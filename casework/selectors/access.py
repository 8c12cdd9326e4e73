"""Reads of emergency accesses and of the people named on sealed cases, scoped by the policy."""

from django.db.models import Count, F, QuerySet
from django.utils import timezone

from carepath import policy
from carepath.audit.models import AccessLogEntry
from carepath.people.models import User
from casework.models import Case, EmergencyAccess, SealedCaseMember


def _with_reads(grants: QuerySet[EmergencyAccess]) -> QuerySet[EmergencyAccess]:
    return grants.select_related("user", "case", "reviewed_by").annotate(read_count=Count("reads"))


def emergency_accesses_for_review(user: User) -> QuerySet[EmergencyAccess]:
    """The organisation's emergency accesses for its reviewers: those awaiting review first,
    then the newest; each with the number of reads made under it."""
    grants = policy.visible(user, "emergency_access.review", EmergencyAccess.objects.all())
    return _with_reads(grants).order_by(
        F("reviewed_at").asc(nulls_first=True), "-started_at", "-pk"
    )


def emergency_reviews_waiting(user: User) -> int:
    return (
        policy.visible(user, "emergency_access.review", EmergencyAccess.objects.all())
        .filter(reviewed_at__isnull=True)
        .count()
    )


def emergency_access_for_review(user: User, *, pk: int) -> EmergencyAccess:
    grant, _why = policy.get_or_404(
        user, "emergency_access.review", _with_reads(EmergencyAccess.objects.all()), pk=pk
    )
    return grant


def reads_under(grant: EmergencyAccess) -> QuerySet[AccessLogEntry]:
    """The access-log entries of reads made under a grant the caller may already review."""
    return AccessLogEntry.objects.filter(emergency_access=grant).select_related("actor")


def own_emergency_accesses(user: User) -> QuerySet[EmergencyAccess]:
    """The person's own grants, newest first, each with its number of reads."""
    grants = policy.visible(user, "emergency_access.own", EmergencyAccess.objects.all())
    return _with_reads(grants).order_by("-started_at", "-pk")


def own_emergency_access(user: User, *, pk: int) -> EmergencyAccess:
    grant, _why = policy.get_or_404(
        user, "emergency_access.own", EmergencyAccess.objects.select_related("case"), pk=pk
    )
    return grant


def active_emergency_access(user: User, case: Case) -> EmergencyAccess | None:
    """The person's running grant on this case, if they are reading it under one."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        EmergencyAccess.objects.filter(
            user_id=user.pk, case_id=case.pk, ended_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at", "-pk")
        .first()
    )


def seal_members_of(case: Case) -> QuerySet[SealedCaseMember]:
    """The people named on a sealed case the caller may already manage."""
    return (
        SealedCaseMember.objects.filter(case=case)
        .select_related("user", "added_by")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
