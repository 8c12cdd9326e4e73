"""Safe contact, message templates and the reminder outbox.

A reminder is a database row, not a delayed broker message: the row is the promise, the
periodic dispatcher sends each due row exactly once, and every outcome is recorded on it.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from carepath import crypto
from carepath.pathway import VersionedModel


class SafeContact(VersionedModel):
    """A survivor's phone number and the rules for contacting it. A phone may be watched by the
    person who exploited them: these rules are checked when each text goes, not only when it
    is planned."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    number = crypto.EncryptedCharField(_("phone number"), max_length=20)
    # "Whose phone" can name a relative or a friend: encrypted like the number.
    label = crypto.EncryptedCharField(
        _("whose phone"), max_length=80, blank=True, help_text=_("For example: own mobile.")
    )
    safe_to_text = models.BooleanField(_("safe to text"), default=False)
    safe_from = models.TimeField(_("safe to contact from"), null=True, blank=True)
    safe_until = models.TimeField(_("safe to contact until"), null=True, blank=True)
    voicemail_allowed = models.BooleanField(_("safe to leave voicemail"), default=False)
    sender_name = models.CharField(
        _("neutral sender name"),
        max_length=11,
        blank=True,
        help_text=_("What the phone shows as the sender, e.g. 'Clinic'. Up to 11 letters."),
    )
    language = models.CharField(_("language for texts"), max_length=10, default="en")
    verified_on = models.DateField(_("safety last checked on"), null=True, blank=True)
    suspended = models.BooleanField(_("all contact suspended"), default=False)
    suspended_reason = models.CharField(_("why suspended"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        return self.label or str(_("phone"))

    @property
    def masked_number(self) -> str:
        return f"••• {self.number[-4:]}" if len(self.number) > 4 else "•••"


class OptOutQuerySet(models.QuerySet):
    def matching(self, number: str) -> "OptOutQuerySet":
        """The opt-outs of this number (however it is written), under any configured key."""
        return self.filter(number_hash__in=crypto.number_hashes(number))

    def record(self, *, number: str, source: str) -> "OptOut":
        found = self.matching(number).first()
        if found is not None:
            return found
        return self.get_or_create(
            number_hash=crypto.number_hash(number), defaults={"number": number, "source": source}
        )[0]


class OptOut(models.Model):
    """A number that texted STOP (or that the provider reports as opted out). The number is
    encrypted, so it is found by a keyed hash of it (``OptOut.objects.matching(number)``)."""

    number = crypto.EncryptedCharField(max_length=20)
    number_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=40)

    objects = OptOutQuerySet.as_manager()
    # manage.py encryption_rotate re-hashes, encryption_check verifies (carepath/crypto.py).
    keyed_hashes = {"number_hash": "number"}

    def __str__(self) -> str:
        return "opt-out"

    def save(self, *args, **kwargs):
        # The hash is the row's key: it always follows the number.
        self.number_hash = crypto.number_hash(self.number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "number_hash"}
        super().save(*args, **kwargs)


class MessageTemplate(models.Model):
    """A discreet reminder text in one language. Placeholders: {date}, {time}, {sender}."""

    key = models.CharField(_("purpose"), max_length=60)
    language = models.CharField(_("language"), max_length=10)
    body = models.TextField(_("text"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="message_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"


class ReminderRule(models.Model):
    """When to remind before something of a kind (for example an appointment kind)."""

    purpose = models.CharField(_("for"), max_length=60)
    minutes_before = models.PositiveIntegerField(_("minutes before"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["purpose", "-minutes_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "minutes_before"], name="reminder_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.minutes_before} min"


class ReminderState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    SUPPRESSED = "suppressed", _("Suppressed")


class Channel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")


class Reminder(VersionedModel):
    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # What the reminder is about (a case), and what planned it (an appointment, a deadline).
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    purpose = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SMS)
    # A survivor's reminder goes to a safe-contact number; a staff reminder to a member of staff.
    safe_contact = models.ForeignKey(
        SafeContact, on_delete=models.PROTECT, null=True, blank=True, related_name="reminders"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    context = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(_("due"))
    state = FSMField(
        _("state"), default=ReminderState.SCHEDULED, choices=ReminderState.choices, protected=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    outcome = models.CharField(_("why"), max_length=200, blank=True)
    # Sent to the provider but the answer was lost (crash, timeout): staff check, never resent.
    needs_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["attempt_started_at", "claimed_at", "version"])

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"reminder #{self.pk}"

    @transition(field=state, source=ReminderState.SCHEDULED, target=ReminderState.SENDING)
    def claim(self, *, at) -> None:
        self.claimed_at = at

    @transition(field=state, source=ReminderState.SENDING, target=ReminderState.SCHEDULED)
    def retry_later(self, *, at, why: str) -> None:
        self.due_at = at
        self.claimed_at = None
        self.attempt_started_at = None
        self.outcome = why

    @transition(field=state, source=ReminderState.SENDING, target=ReminderState.SENT)
    def mark_sent(self, *, provider_id: str, at) -> None:
        self.provider_id = provider_id
        self.sent_at = at

    @transition(
        field=state,
        source=[ReminderState.SENT, ReminderState.SENDING],
        target=ReminderState.DELIVERED,
    )
    def mark_delivered(self, *, at) -> None:
        self.finished_at = at

    @transition(
        field=state,
        source=[ReminderState.SENDING, ReminderState.SENT],
        target=ReminderState.FAILED,
    )
    def mark_failed(self, *, why: str, at) -> None:
        self.outcome = why
        self.finished_at = at

    @transition(
        field=state,
        source=[ReminderState.SCHEDULED, ReminderState.SENDING],
        target=ReminderState.SUPPRESSED,
    )
    def suppress(self, *, why: str, at) -> None:
        self.outcome = why
        self.finished_at = at

    @transition(field=state, source=ReminderState.SCHEDULED, target=ReminderState.CANCELLED)
    def cancel(self, *, why: str, at) -> None:
        self.outcome = why
        self.finished_at = at
