from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from carepath import policy
from carepath.audit.models import AccessLogEntry, TimelineEvent


def access_log_for(
    user, *, actor_id: int | None = None, since: date | None = None, until: date | None = None
) -> QuerySet[AccessLogEntry]:
    entries = policy.visible(user, "audit.access_log.view", AccessLogEntry.objects.all())
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if since:
        entries = entries.filter(created_at__date__gte=since)
    if until:
        entries = entries.filter(created_at__date__lte=until)
    return entries.select_related("actor", "object_type")


def timeline_of(subject: Model) -> QuerySet[TimelineEvent]:
    """The events of a record the caller has already been allowed to see."""
    return TimelineEvent.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).select_related("actor")
