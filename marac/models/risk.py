"""Risk checklists and assessments.

A checklist is data and versioned: a completed assessment keeps the version it used, so a
service can load the licensed wording of its own form without rewriting past assessments.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RiskLevel(models.TextChoices):
    STANDARD = "standard", _("Standard")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


LEVEL_ORDER = {RiskLevel.STANDARD: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_KNOWN = "not_known", _("Not known")


class RiskChecklist(models.Model):
    """One version of a question set with its scoring bands."""

    slug = models.SlugField(_("short name"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(
        _("source of the wording"),
        max_length=300,
        blank=True,
        help_text=_("Where the wording comes from, and its licence."),
    )
    # Scoring bands: this many "yes" answers or more is high / medium; fewer is standard.
    high_from = models.PositiveSmallIntegerField(_("high risk from (yes answers)"), default=14)
    medium_from = models.PositiveSmallIntegerField(_("medium risk from (yes answers)"), default=10)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="checklist_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def level_for(self, score: int) -> str:
        if score >= self.high_from:
            return RiskLevel.HIGH
        if score >= self.medium_from:
            return RiskLevel.MEDIUM
        return RiskLevel.STANDARD


class RiskQuestion(models.Model):
    checklist = models.ForeignKey(RiskChecklist, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(_("number"))
    topic = models.CharField(_("topic"), max_length=80)
    text = models.TextField(_("question"))

    class Meta:
        ordering = ["checklist", "number"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "number"], name="question_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.topic}"


class RiskAssessment(models.Model):
    """A completed checklist on a case. The score counts "yes" answers; professional judgement
    may raise the level (with reasons) but never lower it."""

    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="risk_assessments"
    )
    checklist = models.ForeignKey(RiskChecklist, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField(_("score"))
    score_level = models.CharField(_("level by score"), max_length=10, choices=RiskLevel.choices)
    judgement_level = models.CharField(
        _("level by professional judgement"),
        max_length=10,
        choices=RiskLevel.choices,
        blank=True,
    )
    judgement_reasons = models.TextField(_("reasons for professional judgement"), blank=True)
    police_incidents_12_months = models.PositiveSmallIntegerField(
        _("police-reported incidents in the last 12 months"), default=0
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"risk assessment #{self.pk}"

    @property
    def organisation_id(self):
        return self.case.organisation_id

    @property
    def level(self) -> str:
        """The level that counts: the higher of the score's and professional judgement's."""
        if (
            self.judgement_level
            and LEVEL_ORDER[self.judgement_level] > LEVEL_ORDER[self.score_level]
        ):
            return self.judgement_level
        return self.score_level


class Incident(models.Model):
    """A new incident of abuse or exploitation: it prompts a fresh risk assessment, and within
    12 months of a MARAC referral it makes the case a repeat."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="incidents")
    occurred_on = models.DateField(_("date of the incident"))
    police_reported = models.BooleanField(_("reported to the police"), default=False)
    summary = models.TextField(_("what happened"), blank=True)
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_on", "-pk"]

    def __str__(self) -> str:
        return f"incident #{self.pk}"

    @property
    def organisation_id(self):
        return self.case.organisation_id
