"""The reminder outbox: planning, dispatching, sending exactly once, and recording outcomes."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import timeline
from carepath.pathway import ConflictError, PathwayError, lock
from carepath.sms import backends
from carepath.sms.models import (
    Channel,
    MessageTemplate,
    OptOut,
    Reminder,
    ReminderState,
    SafeContact,
)
from carepath.sms.rules import why_not_to_text
from carepath.tasking import publish

logger = logging.getLogger(__name__)

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT"}
START_WORDS = {"START", "YES", "UNSTOP"}

# Used when no template exists for a purpose: discreet, no organisation, no case detail.
DEFAULT_TEXT = "Reminder: {date} at {time}."


def _type(obj: Model | None):
    return ContentType.objects.get_for_model(obj) if obj is not None else None


def reminder_plan(
    *,
    organisation_id: int,
    subject: Model,
    purpose: str,
    due_at: datetime,
    source: Model | None = None,
    safe_contact: SafeContact | None = None,
    staff=None,
    channel: str = Channel.SMS,
    context: dict | None = None,
) -> Reminder:
    """Add a reminder to the outbox. Callers have already checked the person's permission."""
    return Reminder.objects.create(
        organisation_id=organisation_id,
        subject_type=_type(subject),
        subject_id=subject.pk,
        source_type=_type(source),
        source_id=source.pk if source is not None else None,
        purpose=purpose,
        channel=channel,
        safe_contact=safe_contact,
        staff=staff,
        context=context or {},
        due_at=due_at,
    )


def reminders_of(source: Model):
    return Reminder.objects.filter(source_type=_type(source), source_id=source.pk)


def reminders_cancel_for(source: Model, *, why: str) -> int:
    """Cancel every reminder of ``source`` that has not started sending."""
    return reminders_cancel(reminders_of(source), why=why)


def reminders_cancel(reminders, *, why: str) -> int:
    """Cancel those of ``reminders`` not yet claimed for sending. One claimed a moment ago is
    left to the send-time checks."""
    now = timezone.now()
    cancelled = 0
    for reminder in reminders.filter(state=ReminderState.SCHEDULED):
        reminder.cancel(why=why, at=now)
        try:
            with transaction.atomic():
                reminder.save()
        except ConflictError:
            continue  # the dispatcher claimed it a moment ago: it is checked again at send time
        cancelled += 1
    return cancelled


# --- Dispatch --------------------------------------------------------------------------


def reminders_claim_due(*, now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Claim due reminders for sending. Row locks with SKIP LOCKED keep two dispatchers off the
    same rows; the state check on save (optimistic locking) keeps them apart even where the
    database has no row locks (SQLite)."""
    now = now or timezone.now()
    limit = limit or settings.REMINDER_DISPATCH_BATCH
    claimed = []
    with transaction.atomic():
        due = Reminder.objects.filter(state=ReminderState.SCHEDULED, due_at__lte=now).order_by(
            "due_at", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        for reminder in due[:limit]:
            reminder.claim(at=now)
            try:
                with transaction.atomic():
                    reminder.save()
            except ConflictError:
                continue
            claimed.append(reminder.pk)
    return claimed


def reminders_dispatch(*, now: datetime | None = None) -> int:
    """The beat task: claim what is due and hand each reminder to a worker."""
    from carepath.sms.tasks import reminder_send

    claimed = reminders_claim_due(now=now)
    for pk in claimed:
        publish(reminder_send, pk)
    return len(claimed)


def reminder_language(reminder: Reminder) -> str:
    """A text goes out in the safe contact's language; a reminder to staff in the language the
    member of staff chose for Carepath."""
    if reminder.safe_contact:
        return reminder.safe_contact.language
    if reminder.staff and reminder.staff.language:
        return reminder.staff.language
    return "en"


def render_text(reminder: Reminder) -> str:
    language = reminder_language(reminder)
    found = {
        t.language: t.body
        for t in MessageTemplate.objects.filter(key=reminder.purpose, language__in=[language, "en"])
    }
    body = found.get(language) or found.get("en") or DEFAULT_TEXT
    return fill_template(
        body,
        reminder.context,
        language=language,
        sender=reminder.safe_contact.sender_name if reminder.safe_contact else "",
    )


def fill_template(body: str, context: dict, *, language: str, sender: str = "") -> str:
    at = context.get("at")
    moment = timezone.localtime(datetime.fromisoformat(at)) if at else timezone.localtime()
    with translation.override(language):
        values = {
            "date": formats.date_format(moment, "l j F"),
            "time": formats.time_format(moment, "H:i"),
            "sender": sender,
        }
    return body.format(**values)


def reminder_send(*, reminder_id: int) -> str:
    """Send one claimed reminder at most once. Returns the state it ended in."""
    now = timezone.now()
    # The version goes up too, so a sweep holding this row as "never attempted" cannot put it
    # back in the queue once the attempt has begun.
    started = Reminder.objects.filter(
        pk=reminder_id, state=ReminderState.SENDING, attempt_started_at__isnull=True
    ).update(attempt_started_at=now, attempts=F("attempts") + 1, version=F("version") + 1)
    if not started:
        return "skipped"  # another worker has it, or it is already done
    reminder = Reminder.objects.select_related("safe_contact", "staff").get(pk=reminder_id)
    if reminder.channel == Channel.EMAIL:
        return _send_email(reminder, now)
    why = (
        why_not_to_text(reminder.safe_contact, now)
        if reminder.safe_contact
        else _("No safe contact number")
    )
    if why:
        return _finish(reminder, "suppress", why=why, at=now)
    text = backends.OutgoingText(
        to=reminder.safe_contact.number,
        body=render_text(reminder),
        sender=reminder.safe_contact.sender_name,
        status_callback=status_callback_url(),
    )
    backend = backends.get_backend()
    try:
        provider_id = backend.send(text)
    except backends.Retryable as error:
        if reminder.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            return _finish(reminder, "mark_failed", why=str(error), at=now)
        backoff = timedelta(minutes=2**reminder.attempts)
        return _finish(reminder, "retry_later", why=str(error), at=now + backoff)
    except backends.Rejected as error:
        if error.opted_out:
            OptOut.objects.record(number=text.to, source="provider 21610")
            return _finish(reminder, "suppress", why=_("The number has opted out (STOP)"), at=now)
        return _finish(reminder, "mark_failed", why=str(error), at=now)
    except backends.OutcomeUnknown as error:
        Reminder.objects.filter(pk=reminder.pk).update(
            needs_review=True, outcome=_("Outcome unknown: %(why)s") % {"why": error}
        )
        logger.warning("Reminder %s: outcome unknown, flagged for review", reminder.pk)
        return "needs_review"
    state = _finish(reminder, "mark_sent", provider_id=provider_id, at=now)
    if getattr(backend, "delivers_immediately", False):
        state = _finish(reminder, "mark_delivered", at=now)
    return state


def _send_email(reminder: Reminder, now) -> str:
    if reminder.staff is None or not reminder.staff.email:
        return _finish(reminder, "suppress", why=_("No email address"), at=now)
    body = render_text(reminder)
    with translation.override(reminder_language(reminder)):
        subject = _("Carepath reminder")
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [reminder.staff.email])
    return _finish(reminder, "mark_sent", provider_id="email", at=now)


def _finish(reminder: Reminder, transition: str, **kwargs) -> str:
    getattr(reminder, transition)(**kwargs)
    reminder.save()
    return reminder.state


def status_callback_url() -> str:
    from django.urls import reverse

    base = settings.TWILIO_WEBHOOK_BASE_URL.rstrip("/")
    return f"{base}{reverse('sms_webhooks:twilio_status')}" if base else ""


def reminders_sweep_stuck(*, now: datetime | None = None) -> dict:
    """Reminders claimed but never attempted go back to the queue (nothing was sent). Those
    attempted with no recorded outcome (a crash between sending and saving) are flagged for a
    person to check, and never sent again automatically."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.REMINDER_SENDING_TIMEOUT_MINUTES)
    requeued = 0
    for reminder in Reminder.objects.filter(
        state=ReminderState.SENDING, attempt_started_at__isnull=True, claimed_at__lt=cutoff
    ):
        reminder.retry_later(at=now, why=_("Requeued: the send task never ran"))
        try:
            with transaction.atomic():
                reminder.save()
        except ConflictError:
            continue
        requeued += 1
    flagged = Reminder.objects.filter(
        state=ReminderState.SENDING, attempt_started_at__lt=cutoff, needs_review=False
    ).update(needs_review=True, outcome=_("Outcome unknown: check before sending again"))
    return {"requeued": requeued, "flagged": flagged}


# --- Staff review -----------------------------------------------------------------------

RESOLVE_OUTCOMES = ("sent", "failed")
CHECKED_BY_STAFF = "checked by staff"


@transaction.atomic
def reminder_resolve(
    *, by, reminder: Reminder, expected_version: int, outcome: str, note: str
) -> Reminder:
    """Record what a person found out about a text whose outcome was lost: it reached the
    person ("sent") or it did not ("failed"). Nothing is sent again, whatever the answer."""
    # Every reminder's subject is a case: whoever may change the case settles its texts.
    policy.require(by, "case.edit", reminder.subject)
    if outcome not in RESOLVE_OUTCOMES:
        raise PathwayError(_("Say whether the person received the text or not."))
    note = note.strip()
    if not note:
        raise PathwayError(_("Say how you checked what happened to the text."))
    lock(reminder, expected_version=expected_version, by=by)
    if reminder.state != ReminderState.SENDING or not reminder.needs_review:
        raise PathwayError(
            _("This text does not need checking: it is “%(state)s”.")
            % {"state": reminder.get_state_display()}
        )
    now = timezone.now()
    if outcome == "sent":
        reminder.mark_sent(
            provider_id=reminder.provider_id or CHECKED_BY_STAFF,
            at=reminder.attempt_started_at or now,
        )
        reminder.outcome = _("Checked by staff: the person received it")
    else:
        reminder.mark_failed(why=note[:200], at=now)
    reminder.needs_review = False
    reminder.save()
    timeline.record(
        reminder.subject,
        by=by,
        kind="reminder.resolved",
        reason=note,
        detail={"reminder": reminder.pk, "outcome": outcome},
    )
    return reminder


# --- Provider callbacks -----------------------------------------------------------------


def reminder_status_update(*, provider_id: str, status: str, error_code: str = "") -> bool:
    """A delivery report from the provider. Unknown ids and repeated reports change nothing."""
    reminder = (
        Reminder.objects.filter(provider_id=provider_id).select_related("safe_contact").first()
    )
    if reminder is None:
        return False
    now = timezone.now()
    if error_code == str(backends.TWILIO_OPTED_OUT) and reminder.safe_contact:
        OptOut.objects.record(number=reminder.safe_contact.number, source="provider 21610")
    if status == "delivered" and reminder.state in (ReminderState.SENT, ReminderState.SENDING):
        _finish(reminder, "mark_delivered", at=now)
    elif status in ("failed", "undelivered") and reminder.state in (
        ReminderState.SENT,
        ReminderState.SENDING,
    ):
        _finish(
            reminder,
            "mark_failed",
            why=_("Not delivered (%(code)s)") % {"code": error_code or status},
            at=now,
        )
    else:
        return False
    return True


def inbound_message(*, from_number: str, body: str) -> str:
    """STOP (and the other opt-out words) opts the number out; START opts it back in."""
    words = body.strip().split()
    # "Stop.", "stop!" and "STOP please" all count: a survivor must not have to type it exactly.
    word = words[0].strip(".,!?;:'\"").upper() if words else ""
    if word in STOP_WORDS:
        OptOut.objects.record(number=from_number, source="STOP")
        return "opted_out"
    if word in START_WORDS:
        OptOut.objects.matching(from_number).delete()
        return "opted_in"
    return "ignored"
