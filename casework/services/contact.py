"""A survivor's phone numbers and the rules for texting them."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import crypto, policy
from carepath.audit import timeline
from carepath.pathway import PathwayError, lock
from carepath.people.models import User
from carepath.sms.models import Reminder, SafeContact
from carepath.sms.services import reminders_cancel
from casework.models import Case
from casework.selectors.contact import contacts_of
from casework.services.appointments import replan_for_contact

FIELDS = (
    "number",
    "label",
    "safe_to_text",
    "safe_from",
    "safe_until",
    "voicemail_allowed",
    "sender_name",
    "language",
    "verified_on",
)


def _check(values: dict) -> None:
    if bool(values.get("safe_from")) != bool(values.get("safe_until")):
        raise PathwayError(_("Give both ends of the safe hours, or neither."))
    verified = values.get("verified_on")
    if verified and verified > timezone.localdate():
        raise PathwayError(_("The safety check date cannot be in the future."))


@transaction.atomic
def safe_contact_add(*, by: User, case: Case, values: dict) -> SafeContact:
    policy.require(by, "case.edit", case)
    _check(values)
    # Numbers are encrypted (no search by value): compared in Python, a person has few.
    number = crypto.normalise_number(values["number"])
    if any(crypto.normalise_number(c.number) == number for c in contacts_of(case)):
        raise PathwayError(_("This number is already recorded for the person."))
    contact = SafeContact(
        organisation_id=case.organisation_id,
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        **{k: v for k, v in values.items() if k in FIELDS},
    )
    contact._history_user = by
    contact.save()
    planned = replan_for_contact(contact)
    timeline.record(
        case, by=by, kind="contact.added", detail={"contact": contact.pk, "planned": planned}
    )
    return contact


@transaction.atomic
def safe_contact_update(
    *, by: User, contact: SafeContact, expected_version: int, values: dict
) -> SafeContact:
    policy.require(by, "contact.edit", contact)
    lock(contact, expected_version=expected_version, by=by)
    _check(values)
    for name in FIELDS:
        if name in values:
            setattr(contact, name, values[name])
    contact.save()
    # Texts already planned go by the new rules at send time; a number newly safe gets them.
    if contact.safe_to_text and not contact.suspended:
        replan_for_contact(contact)
    else:
        reminders_cancel(contact.reminders.all(), why=_("Not safe to text"))
    timeline.record(contact.subject, by=by, kind="contact.updated", detail={"contact": contact.pk})
    return contact


@transaction.atomic
def contact_suspend_all(*, by: User, case: Case, reason: str) -> int:
    """Stop every text to the person at once (e.g. the phone may be in the exploiter's hands):
    every number is suspended and every text not yet sent is cancelled."""
    policy.require(by, "case.edit", case)
    if not reason.strip():
        raise PathwayError(_("Say why contact is suspended."))
    contacts = list(contacts_of(case))
    for contact in contacts:
        contact.suspended = True
        contact.suspended_reason = reason[:200]
        contact._history_user = by
        contact.save()
    cancelled = reminders_cancel(
        Reminder.objects.filter(safe_contact__in=contacts), why=_("All contact suspended")
    )
    timeline.record(
        case,
        by=by,
        kind="contact.suspended",
        reason=reason,
        detail={"numbers": len(contacts), "cancelled": cancelled},
    )
    return cancelled


@transaction.atomic
def contact_resume(
    *, by: User, contact: SafeContact, expected_version: int, reason: str
) -> SafeContact:
    policy.require(by, "contact.edit", contact)
    lock(contact, expected_version=expected_version, by=by)
    if not reason.strip():
        raise PathwayError(_("Say why it is safe to contact this number again."))
    contact.suspended = False
    contact.suspended_reason = ""
    contact.verified_on = timezone.localdate()
    contact.save()
    replan_for_contact(contact)
    timeline.record(
        contact.subject,
        by=by,
        kind="contact.resumed",
        reason=reason,
        detail={"contact": contact.pk},
    )
    return contact
