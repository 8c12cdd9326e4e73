from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from carepath import policy
from carepath.audit.models import AccessLogEntry, TimelineEvent
from carepath.people.models import User


def access_log_for(
    user,
    *,
    actor_id: int | None = None,
    reference: str = "",
    action: str = "",
    emergency_only: bool = False,
    grant_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AccessLogEntry]:
    """The access log of the person's organisation, newest first, narrowed by the filters."""
    entries = policy.visible(user, "audit.access_log.view", AccessLogEntry.objects.all())
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if reference:
        entries = entries.filter(object_label__icontains=reference)
    if action:
        entries = entries.filter(action=action)
    if emergency_only:
        entries = entries.filter(emergency_access__isnull=False)
    if grant_id:
        entries = entries.filter(emergency_access_id=grant_id)
    if since:
        entries = entries.filter(created_at__date__gte=since)
    if until:
        entries = entries.filter(created_at__date__lte=until)
    return entries.select_related("actor")


def access_log_people(user) -> QuerySet[User]:
    """Whom the log can be narrowed to: the people of the reader's organisation."""
    if not policy.can(user, "audit.access_log.view"):
        return User.objects.none()
    return User.objects.filter(organisation_id=user.organisation_id).order_by(
        "first_name", "last_name", "username"
    )


def timeline_of(subject: Model) -> QuerySet[TimelineEvent]:
    """The events of a record the caller has already been allowed to see."""
    return TimelineEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).select_related("actor")
