from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AgencyKind(models.TextChoices):
    POLICE = "police", _("Police")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    HOME_OFFICE = "home_office", _("Home Office")
    NGO = "ngo", _("Charity / NGO")
    HEALTH = "health", _("Health")
    GLAA = "glaa", _("Gangmasters and Labour Abuse Authority")
    HELPLINE = "helpline", _("Helpline")
    OTHER = "other", _("Other")


def agency_name(name: str) -> str:
    """An agency's name in the reader's language: the agencies Carepath ships are in the
    catalogue; one added here shows exactly as it was typed. (gettext turns a carriage return
    into a line feed, and no shipped name holds one.)"""
    return name if "\r" in name else gettext(name)


class ReferringAgency(models.Model):
    """An agency that refers people. First-responder status is dated: the list of designated
    first responders changes over time (e.g. some charities were added or removed)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AgencyKind.choices)
    first_responder_from = models.DateField(_("first responder from"), null=True, blank=True)
    first_responder_until = models.DateField(_("first responder until"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "referring agencies"

    def __str__(self) -> str:
        return agency_name(self.name)

    def is_first_responder_on(self, day) -> bool:
        if self.first_responder_from is None or day < self.first_responder_from:
            return False
        return self.first_responder_until is None or day <= self.first_responder_until


class ReferralBatch(models.Model):
    """One police operation or raid that brings many people at once: the shared referral
    details; each person gets their own case."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="referral_batches"
    )
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="+")
    operation_name = models.CharField(_("operation name"), max_length=200)
    referral_date = models.DateField(_("referral date"))
    referring_agency = models.ForeignKey(
        ReferringAgency, on_delete=models.PROTECT, verbose_name=_("referring agency")
    )
    local_authority = models.CharField(_("local authority"), max_length=120, blank=True)
    police_force_area = models.CharField(_("police force area"), max_length=120, blank=True)
    notes = models.TextField(_("shared notes"), blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referral_date", "-pk"]

    def __str__(self) -> str:
        return self.operation_name

    @property
    def audit_label(self) -> str:
        return f"referral batch #{self.pk}"
