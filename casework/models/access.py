"""Access to a case beyond the usual rules: emergency ("break-glass") access, and the people
named on a sealed case."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class EmergencyAccess(models.Model):
    """A time-limited grant one person asked for, with a reason, to open one case outside their
    usual access. Every read under it is logged against it; a service manager reviews it."""

    class Review(models.TextChoices):
        JUSTIFIED = "justified", _("Justified")
        NOT_JUSTIFIED = "not_justified", _("Not justified")

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "casework.Case", on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_accesses"
    )
    reason = models.TextField(_("reason"))
    started_at = models.DateTimeField(_("started"))
    expires_at = models.DateTimeField(_("expires"))
    ended_at = models.DateTimeField(_("ended early"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_outcome = models.CharField(
        _("review"), max_length=20, choices=Review.choices, blank=True
    )
    review_note = models.TextField(_("review note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["user", "case", "expires_at"])]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")

    def __str__(self) -> str:
        return f"Emergency access #{self.pk}"


class SealedCaseMember(models.Model):
    """A person named on a sealed case: only they may open it."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="seal_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="sealed_case_member_unique")
        ]

    def __str__(self) -> str:
        return f"Named on case {self.case_id}"
