"""What is recorded on a case beside its state: consent, disclosures, charges, dependants,
immediate needs, the support plan and notes. Each belongs to one case and is read through it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CaseRecord(models.Model):
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="+")
    recorded_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def organisation_id(self):
        return self.case.organisation_id


class ConsentScope(models.TextChoices):
    SUPPORT = "support", _("Support from this service")
    NRM = "nrm_referral", _("Referral into the NRM")
    INFORMATION_SHARING = "information_sharing", _("Sharing information with named agencies")
    SMS = "sms_contact", _("Contact by text message")
    DATA = "data_processing", _("Keeping records about them")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("In writing")
    VERBAL = "verbal", _("Spoken")
    INTERPRETER = "interpreter", _("Spoken through an interpreter")
    GUARDIAN = "guardian", _("By a parent, guardian or advocate")


class ConsentRecord(CaseRecord):
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("consented to"), max_length=30, choices=ConsentScope.choices)
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how"), max_length=20, choices=ConsentMethod.choices)
    notes = models.TextField(_("notes"), blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_notes = models.TextField(_("withdrawal notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-pk"]

    def __str__(self) -> str:
        return self.get_scope_display()


class Disclosure(CaseRecord):
    """Every time information about the person was shared with another agency."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="disclosures")
    disclosed_on = models.DateField(_("shared on"))
    recipient = models.CharField(_("shared with (agency and person)"), max_length=300)
    information = models.TextField(_("what was shared"))
    purpose = models.TextField(_("why"))
    with_consent = models.BooleanField(_("shared with the person's consent"))
    basis_without_consent = models.TextField(
        _("lawful basis when shared without consent"), blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-disclosed_on", "-pk"]

    def __str__(self) -> str:
        return self.recipient


class ChargeStatus(models.TextChoices):
    INVESTIGATION = "under_investigation", _("Under investigation")
    CHARGED = "charged", _("Charged")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DISCONTINUED = "discontinued", _("Discontinued / no further action")


class Charge(CaseRecord):
    """Charges the person faces. Victims compelled to offend have a statutory defence
    (Modern Slavery Act 2015 s.45) and prosecutors presume against prosecuting them."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="charges")
    offence = models.CharField(_("offence"), max_length=300)
    status = models.CharField(_("status"), max_length=30, choices=ChargeStatus.choices)
    status_date = models.DateField(_("date of this status"))
    statutory_defence_raised = models.BooleanField(
        _("statutory defence (s.45) or non-prosecution raised"), default=False
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-status_date", "-pk"]

    def __str__(self) -> str:
        return self.offence


class Dependant(CaseRecord):
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="dependants")
    relationship = models.CharField(_("relationship"), max_length=80)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    lives_with_person = models.BooleanField(_("lives with the person"), default=True)
    in_uk = models.BooleanField(_("in the UK"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date_of_birth", "pk"]

    def __str__(self) -> str:
        return self.relationship


class Need(models.TextChoices):
    PLACE_OF_SAFETY = "place_of_safety", _("Place of safety")
    EMERGENCY_HEALTH = "emergency_health", _("Emergency health care")
    PHONE = "phone", _("Phone")
    CLOTHING = "clothing_pack", _("Clothing pack")
    TOILETRIES = "toiletries", _("Toiletries")
    FOOD_AND_MONEY = "food_and_money", _("Food and subsistence money")


class NeedStatus(models.TextChoices):
    NEEDED = "needed", _("Needed")
    MET = "met", _("Met")
    NOT_NEEDED = "not_needed", _("Not needed")


class ImmediateNeed(models.Model):
    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="immediate_needs"
    )
    need = models.CharField(_("need"), max_length=30, choices=Need.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.NEEDED
    )
    met_on = models.DateField(_("met on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "need"], name="immediate_need_unique")
        ]

    def __str__(self) -> str:
        return self.get_need_display()


class GoalArea(models.TextChoices):
    SAFETY = "safety", _("Safety")
    ACCOMMODATION = "accommodation", _("Accommodation")
    HEALTH = "health", _("Physical and mental health")
    LEGAL = "legal", _("Legal and immigration")
    MONEY = "money", _("Money and benefits")
    EDUCATION = "education", _("Education, training and work")
    FAMILY = "family", _("Family and children")
    SOCIAL = "social", _("Social and community")
    OTHER = "other", _("Other")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("No longer needed")


class SupportGoal(CaseRecord):
    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="support_goals"
    )
    area = models.CharField(_("area"), max_length=20, choices=GoalArea.choices)
    description = models.TextField(_("goal"))
    owner = models.CharField(
        _("who is responsible"),
        max_length=200,
        help_text=_("The person, the caseworker or another agency."),
    )
    review_date = models.DateField(_("review by"))
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["review_date", "pk"]
        indexes = [
            # Open goals past their review date: the dashboard's breached targets.
            models.Index(
                fields=["review_date"],
                include=["case"],
                condition=models.Q(status=GoalStatus.OPEN),
                name="goal_open_review_idx",
            )
        ]

    def __str__(self) -> str:
        return self.get_area_display()


class CaseNote(CaseRecord):
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(_("note"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"note #{self.pk}"
