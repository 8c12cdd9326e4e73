from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from carepath.sms.models import Reminder, SafeContact
from casework.models import Case


def contacts_of(case: Case) -> QuerySet[SafeContact]:
    """The case's phone numbers; callers have already been allowed to see the case."""
    return SafeContact.objects.filter(
        subject_type=ContentType.objects.get_for_model(Case), subject_id=case.pk
    ).order_by("pk")


def sms_log_of(case: Case) -> QuerySet[Reminder]:
    """Every reminder planned for the case, newest first, with where each one got to."""
    return (
        Reminder.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case), subject_id=case.pk
        )
        .select_related("safe_contact", "source_type")
        .order_by("-due_at", "-pk")
    )
