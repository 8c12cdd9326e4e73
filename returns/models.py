"""The exit pathways: an assisted voluntary return, planned with the person and followed up
after arrival, and resettlement in the UK. Each ends the case's support with the matching
closure reason: a return once its follow-ups are done, a resettlement once the person is
settled.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from carepath.pathway import VersionedModel, condition


class ReturnState(models.TextChoices):
    EXPLORING = "exploring", _("Exploring a return")
    APPLIED = "applied", _("Applied")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")
    DOCUMENTS_READY = "documents_ready", _("Travel documents ready")
    TRAVEL_BOOKED = "travel_booked", _("Travel booked")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")
    REINTEGRATING = "reintegrating", _("Reintegrating")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


BEFORE_DEPARTURE = (
    ReturnState.EXPLORING,
    ReturnState.APPLIED,
    ReturnState.ELIGIBLE,
    ReturnState.INELIGIBLE,
    ReturnState.DOCUMENTS_READY,
    ReturnState.TRAVEL_BOOKED,
)


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class Programme(models.TextChoices):
    HOME_OFFICE = "home_office", _("Home Office voluntary returns service")
    IOM = "iom", _("IOM (International Organization for Migration)")
    REINTEGRATION = "reintegration", _("A reintegration programme")
    OTHER = "other", _("Other")


class TravelDocument(models.TextChoices):
    NEEDED = "needed", _("Needed")
    APPLIED = "applied", _("Applied for")
    ISSUED = "issued", _("Issued")
    HELD = "held", _("Held by the person")


def _risk_assessed(plan) -> bool:
    return plan.risk_assessed_on is not None


def _best_interests_if_child(plan) -> bool:
    return not plan.case.is_child or plan.best_interests_decided_on is not None


def _follow_ups_done(plan) -> bool:
    return not plan.follow_ups.filter(done_on__isnull=True).exists()


class ExitPlan(VersionedModel):
    """What a return and a resettlement share: who started it, when, and why it ended."""

    state_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def audit_label(self) -> str:
        return str(self)

    @property
    def organisation_id(self):
        return self.case.organisation_id


class ReturnPlan(ExitPlan):
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="return_plans")
    state = FSMField(
        _("state"), default=ReturnState.EXPLORING, choices=ReturnState.choices, protected=True
    )
    country = CountryField(_("country of return"))
    wishes = models.TextField(_("the person's wishes"), blank=True)
    # Risk of return: required before applying.
    risk_assessed_on = models.DateField(_("risk of return assessed on"), null=True, blank=True)
    retrafficking_risk = models.CharField(
        _("risk of re-trafficking"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    exploiters_can_reach = models.CharField(
        _("can the exploiters reach them or their family?"),
        max_length=10,
        choices=YesNoUnknown.choices,
        blank=True,
    )
    safety_on_arrival = models.TextField(_("safety on arrival"), blank=True)
    # A child: the local authority's best-interests decision is required before applying.
    best_interests_decided_on = models.DateField(
        _("best-interests decision made on"), null=True, blank=True
    )
    best_interests_by = models.CharField(
        _("best-interests decision by (local authority)"), max_length=150, blank=True
    )
    programme = models.CharField(
        _("programme"), max_length=20, choices=Programme.choices, blank=True
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    eligibility_decided_on = models.DateField(_("eligibility decided on"), null=True, blank=True)
    eligibility_reasons = models.TextField(_("reasons for the eligibility decision"), blank=True)
    travel_document = models.CharField(
        _("travel document"), max_length=10, choices=TravelDocument.choices, blank=True
    )
    passport_held_by = models.CharField(_("where the passport is held"), max_length=150, blank=True)
    flight = models.CharField(_("flight"), max_length=100, blank=True)
    departure_point = models.CharField(_("departure point"), max_length=150, blank=True)
    booked_on = models.DateField(_("travel booked on"), null=True, blank=True)
    departs_on = models.DateField(_("departure date"), null=True, blank=True)
    escort = models.CharField(_("escort"), max_length=150, blank=True)
    arrival_reception = models.CharField(_("reception on arrival"), max_length=200, blank=True)
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    partner_organisation = models.CharField(
        _("partner organisation in the country of return"), max_length=200, blank=True
    )
    grant_amount = models.DecimalField(
        _("reintegration grant (£)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    business_start_up = models.BooleanField(_("business start-up support"), default=False)
    vocational_training = models.BooleanField(_("vocational training"), default=False)
    education = models.BooleanField(_("education"), default=False)
    reintegration_notes = models.TextField(_("reintegration support notes"), blank=True)
    follow_up_consent = models.BooleanField(
        _("consents to follow-up contact after return"), default=False
    )
    history = HistoricalRecords()

    @transition(
        field=state,
        source=ReturnState.EXPLORING,
        target=ReturnState.APPLIED,
        conditions=[
            condition(_("Record the risk-of-return assessment first."))(_risk_assessed),
            condition(
                _("A child's return needs the local authority's best-interests decision first.")
            )(_best_interests_if_child),
        ],
        custom={"label": _("Record the application"), "form": "apply"},
    )
    def apply(self, *, on, programme: str):
        self.applied_on, self.programme = on, programme

    @transition(
        field=state,
        source=ReturnState.APPLIED,
        target=ReturnState.ELIGIBLE,
        custom={"label": _("Eligible"), "form": "decision"},
    )
    def find_eligible(self, *, on, reasons: str):
        self.eligibility_decided_on, self.eligibility_reasons = on, reasons

    @transition(
        field=state,
        source=ReturnState.APPLIED,
        target=ReturnState.INELIGIBLE,
        custom={"label": _("Not eligible"), "form": "decision"},
    )
    def find_ineligible(self, *, on, reasons: str):
        self.eligibility_decided_on, self.eligibility_reasons = on, reasons

    @transition(
        field=state,
        source=ReturnState.ELIGIBLE,
        target=ReturnState.DOCUMENTS_READY,
        custom={"label": _("Travel documents ready"), "form": "documents"},
    )
    def documents_ready(self, *, travel_document: str, passport_held_by: str):
        self.travel_document, self.passport_held_by = travel_document, passport_held_by

    @transition(
        field=state,
        source=ReturnState.DOCUMENTS_READY,
        target=ReturnState.TRAVEL_BOOKED,
        custom={"label": _("Record the travel booking"), "form": "booking"},
    )
    def book_travel(
        self,
        *,
        booked_on,
        departs_on,
        flight: str,
        departure_point: str,
        escort: str,
        arrival_reception: str,
    ):
        self.booked_on, self.departs_on = booked_on, departs_on
        self.flight, self.departure_point = flight, departure_point
        self.escort, self.arrival_reception = escort, arrival_reception

    @transition(
        field=state,
        source=ReturnState.TRAVEL_BOOKED,
        target=ReturnState.DEPARTED,
        custom={"label": _("Record the departure"), "form": "dated"},
    )
    def depart(self, *, on):
        self.departed_on = on

    @transition(
        field=state,
        source=ReturnState.DEPARTED,
        target=ReturnState.ARRIVED,
        custom={"label": _("Record the arrival"), "form": "arrival"},
    )
    def arrive(self, *, on, partner_organisation: str):
        self.arrived_on, self.partner_organisation = on, partner_organisation

    @transition(
        field=state,
        source=ReturnState.ARRIVED,
        target=ReturnState.REINTEGRATING,
        custom={"label": _("Record the reintegration support"), "form": "reintegration"},
    )
    def reintegrate(
        self,
        *,
        grant_amount,
        business_start_up: bool,
        vocational_training: bool,
        education: bool,
        notes: str,
    ):
        self.grant_amount, self.business_start_up = grant_amount, business_start_up
        self.vocational_training, self.education = vocational_training, education
        self.reintegration_notes = notes

    @transition(
        field=state,
        source=ReturnState.REINTEGRATING,
        target=ReturnState.COMPLETED,
        conditions=[
            condition(_("Record every follow-up contact first."))(_follow_ups_done),
        ],
        custom={"label": _("Complete the return"), "hidden": True},
    )
    def complete(self):
        pass

    @transition(
        field=state,
        source=list(BEFORE_DEPARTURE),
        target=ReturnState.WITHDRAWN,
        custom={"label": _("Withdraw"), "form": "reason"},
    )
    def withdraw(self, *, reason: str):
        self.state_reason = reason


class FollowUp(models.Model):
    """A contact after return at a set interval, with its outcome."""

    plan = models.ForeignKey(ReturnPlan, on_delete=models.CASCADE, related_name="follow_ups")
    months_after = models.PositiveSmallIntegerField(_("months after departure"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    contact_made = models.BooleanField(_("contact made"), default=False)
    outcome = models.TextField(_("outcome"), blank=True)
    recorded_by = models.ForeignKey(
        "people.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "months_after"], name="follow_up_unique")
        ]

    def __str__(self) -> str:
        return f"follow-up #{self.pk}"

    @property
    def organisation_id(self):
        return self.plan.case.organisation_id


class ResettlementState(models.TextChoices):
    LEAVE_APPLIED = "leave_applied", _("Leave applied for")
    LEAVE_GRANTED = "leave_granted", _("Leave granted")
    HOUSING_SECURED = "housing_secured", _("Housing secured")
    INCOME_IN_PLACE = "income_in_place", _("Income, work or study in place")
    SETTLED = "settled", _("Settled")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ResettlementPlan(ExitPlan):
    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="resettlement_plans"
    )
    state = FSMField(
        _("state"),
        default=ResettlementState.LEAVE_APPLIED,
        choices=ResettlementState.choices,
        protected=True,
    )
    leave_applied_on = models.DateField(_("leave applied for on"))
    leave_granted_on = models.DateField(_("leave granted on"), null=True, blank=True)
    housing_secured_on = models.DateField(_("housing secured on"), null=True, blank=True)
    housing = models.CharField(_("housing"), max_length=200, blank=True)
    income_in_place_on = models.DateField(_("income in place on"), null=True, blank=True)
    income = models.CharField(_("income, work or study"), max_length=200, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    history = HistoricalRecords()

    @transition(
        field=state,
        source=ResettlementState.LEAVE_APPLIED,
        target=ResettlementState.LEAVE_GRANTED,
        custom={"label": _("Leave granted"), "form": "dated"},
    )
    def grant_leave(self, *, on):
        self.leave_granted_on = on

    @transition(
        field=state,
        source=ResettlementState.LEAVE_GRANTED,
        target=ResettlementState.HOUSING_SECURED,
        custom={"label": _("Housing secured"), "form": "housing"},
    )
    def secure_housing(self, *, on, housing: str):
        self.housing_secured_on, self.housing = on, housing

    @transition(
        field=state,
        source=ResettlementState.HOUSING_SECURED,
        target=ResettlementState.INCOME_IN_PLACE,
        custom={"label": _("Income, work or study in place"), "form": "income"},
    )
    def secure_income(self, *, on, income: str):
        self.income_in_place_on, self.income = on, income

    @transition(
        field=state,
        source=ResettlementState.INCOME_IN_PLACE,
        target=ResettlementState.SETTLED,
        custom={"label": _("Settled: close the case"), "form": "settled"},
    )
    def settle(self, *, on):
        self.settled_on = on

    @transition(
        field=state,
        source=[
            ResettlementState.LEAVE_APPLIED,
            ResettlementState.LEAVE_GRANTED,
            ResettlementState.HOUSING_SECURED,
            ResettlementState.INCOME_IN_PLACE,
        ],
        target=ResettlementState.WITHDRAWN,
        custom={"label": _("Withdraw"), "form": "reason"},
    )
    def withdraw(self, *, reason: str):
        self.state_reason = reason
