from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet, prefetch_related_objects

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


def latest_texts_of(case: Case, *, contacts: list[SafeContact], limit: int = 20) -> list[Reminder]:
    """The case's latest texts, each with the number it went to taken from the case's numbers
    (read and decrypted once) rather than read and decrypted again for every text."""
    texts = list(sms_log_of(case).select_related(None)[:limit])
    numbers = {contact.pk: contact for contact in contacts}
    for text in texts:
        if text.safe_contact_id in numbers:
            text.safe_contact = numbers[text.safe_contact_id]
    others = [t for t in texts if t.safe_contact_id and t.safe_contact_id not in numbers]
    prefetch_related_objects(others, "safe_contact")
    return texts
