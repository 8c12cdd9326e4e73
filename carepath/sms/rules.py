"""Safe-contact rules, checked when a text is about to go (not only when it is planned)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath.sms.models import OptOut, SafeContact


def in_safe_hours(contact: SafeContact, at: datetime) -> bool:
    if contact.safe_from is None or contact.safe_until is None:
        return True
    now = timezone.localtime(at).time()
    start, end = contact.safe_from, contact.safe_until
    if start <= end:
        return start <= now < end
    return now >= start or now < end  # a window across midnight, e.g. 20:00 to 08:00


def why_not_to_text(contact: SafeContact, at: datetime) -> str:
    """The reason this number must not be texted now, or "" if it may be."""
    if contact.suspended:
        return _("All contact is suspended")
    if not contact.safe_to_text:
        return _("Not safe to text")
    if OptOut.objects.matching(contact.number).exists():
        return _("The number has opted out (STOP)")
    if contact.verified_on is None:
        return _("Safe contact has never been checked")
    stale_after = timedelta(days=settings.SAFE_CONTACT_MAX_AGE_DAYS)
    if timezone.localdate(at) - contact.verified_on > stale_after:
        return _("Safe contact not checked since %(date)s") % {
            "date": contact.verified_on.strftime("%d/%m/%Y")
        }
    if not in_safe_hours(contact, at):
        return _("Outside the safe hours")
    return ""
