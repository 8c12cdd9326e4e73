from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carepath.people.models import Jurisdiction


class PeriodKind(models.TextChoices):
    NRM_RG_TARGET = "nrm_rg_target", _("NRM reasonable grounds decision target")
    NRM_RECOVERY_PERIOD = "nrm_recovery_period", _("NRM recovery period")
    NRM_MOVE_ON = "nrm_move_on", _("NRM move-on support")
    CICA_APPLICATION = "cica_application", _("Criminal injuries compensation: apply within")
    CICA_MINOR_AGE = (
        "cica_minor_age",
        _(
            "Criminal injuries compensation: a child's incident reported before 18, apply before "
            "this birthday"
        ),
    )
    CICA_REVIEW = "cica_review", _("Criminal injuries compensation: ask for a review within")
    CICA_APPEAL = "cica_appeal", _("Criminal injuries compensation: appeal to the tribunal within")
    IMMIGRATION_APPEAL = "immigration_appeal", _("Immigration: appeal a refusal within")
    LEAVE_EXTENSION_NOTICE = (
        "leave_extension_notice",
        _("Immigration: apply to extend leave this long before it expires"),
    )
    POLICE_UPDATE = "police_update", _("Victims' Code: an update from the police at least every")


class PeriodUnit(models.TextChoices):
    DAYS = "days", _("Days")
    WORKING_DAYS = "working_days", _("Working days")
    MONTHS = "months", _("Months")
    YEARS = "years", _("Years")


class PeriodRule(models.Model):
    """A statutory or target period as it stood from a date, per jurisdiction.

    Rules are never edited to reflect a change in the law: a new row with a later
    effective_from is added, so periods that started earlier keep their old length.
    """

    kind = models.CharField(_("kind"), max_length=40, choices=PeriodKind.choices)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=20, choices=Jurisdiction.choices)
    length = models.PositiveIntegerField(_("length"))
    unit = models.CharField(_("unit"), max_length=20, choices=PeriodUnit.choices)
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source"), max_length=255)
    is_minimum = models.BooleanField(
        _("is a minimum"),
        default=False,
        help_text=_("The law sets a minimum; a service may give more."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "jurisdiction", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "jurisdiction", "effective_from"],
                name="clocks_periodrule_unique_kind_jurisdiction_effective_from",
            ),
        ]

    def __str__(self) -> str:
        at_least = "at least " if self.is_minimum else ""
        return (
            f"{self.get_kind_display()} ({self.get_jurisdiction_display()}): "
            f"{at_least}{self.length} {self.get_unit_display().lower()} "
            f"from {self.effective_from.isoformat()}"
        )
