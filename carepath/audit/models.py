from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never changed.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are only removed by retention.")

    def _prune(self) -> int:
        """Retention is the one way rows leave (carepath/retention, the nightly run)."""
        return models.QuerySet.delete(self)[0]


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


class TimelineEvent(AppendOnlyModel):
    """Something a service did to a record, by whom and why. Every app writes to the same
    timeline, keyed by the record the event belongs to (a case, in most of the product)."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+", null=True
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(_("event"), max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    reason = models.TextField(_("reason"), blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "-created_at"])]

    def __str__(self) -> str:
        return self.kind

    @property
    def label(self) -> str:
        from carepath.audit.timeline import label_for

        return label_for(self.kind)


class AccessLogEntry(AppendOnlyModel):
    """One read of a protected record: who, what, when, and why they were allowed."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        SEARCH = "search", _("Found in a search")
        EXPORT = "export", _("Exported")
        SUBJECT_ACCESS = "subject_access", _("Subject access export")

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+", null=True
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    # A reference that identifies the record to staff without personal data (e.g. a case number).
    object_label = models.CharField(_("record"), max_length=120)
    basis = models.CharField(_("why allowed"), max_length=200)
    # The emergency ("break-glass") grant the read was made under, if any.
    emergency_access = models.ForeignKey(
        "casework.EmergencyAccess",
        on_delete=models.PROTECT,
        related_name="reads",
        null=True,
        blank=True,
        verbose_name=_("emergency access"),
    )
    path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} {self.object_label}"

    @property
    def basis_display(self) -> str:
        from carepath.policy import basis_label

        return basis_label(self.basis)


class RetentionRun(AppendOnlyModel):
    """One run of the retention schedule: what it anonymised or removed, by reference only."""

    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    # None for the nightly schedule; the person for a run started by hand.
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    dry_run = models.BooleanField(_("trial run"), default=False)
    # Per record type: {"case": {"anonymised": [...references], "held": [...]}, ...}.
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Retention run {self.started_at:%Y-%m-%d %H:%M}"
