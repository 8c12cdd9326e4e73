"""Legal matters on a case: criminal injuries compensation, immigration, criminal justice and
civil claims. Each kind has its own state machine on a record beside the common matter (who
represents the person, when it was opened); dated steps (interviews, statements, police
updates, hearings, anything with a due date) belong to the matter.

Deadlines are not stored: they are computed from these dates and the dated period rules
(``carepath.clocks``), see ``casework.selectors.legal``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from carepath.pathway import VersionedModel


class MatterKind(models.TextChoices):
    CICA = "cica", _("Criminal injuries compensation")
    IMMIGRATION = "immigration", _("Immigration")
    CRIMINAL_JUSTICE = "criminal_justice", _("Criminal justice")
    CIVIL = "civil", _("Civil and other")


class LegalMatter(models.Model):
    """What every matter has: its case, kind, title and the person's legal representative."""

    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="legal_matters"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MatterKind.choices)
    title = models.CharField(
        _("title"),
        max_length=150,
        help_text=_("A short name caseworkers will recognise, e.g. “CICA claim: 2024 assault”."),
    )
    opened_on = models.DateField(_("opened on"))
    solicitor = models.CharField(_("solicitor"), max_length=150, blank=True)
    firm = models.CharField(_("firm"), max_length=200, blank=True)
    legal_aid_reference = models.CharField(_("legal aid reference"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_label(self) -> str:
        return f"legal matter #{self.pk}"

    @property
    def organisation_id(self):
        return self.case.organisation_id

    @property
    def detail(self):
        """The kind's own record, with its state machine."""
        return getattr(self, DETAIL_RELATION[self.kind], None)

    @property
    def is_open(self) -> bool:
        detail = self.detail
        return detail is not None and detail.state not in detail.FINAL_STATES


# --- Criminal injuries compensation --------------------------------------------------------------


class CicaState(models.TextChoices):
    CONSIDERING = "considering", _("Considering a claim")
    APPLIED = "applied", _("Applied")
    DECIDED = "decided", _("Decided")
    REVIEW_REQUESTED = "review_requested", _("Review requested")
    REVIEWED = "reviewed", _("Reviewed")
    APPEALED = "appealed", _("Appealed to the tribunal")
    TRIBUNAL_DECIDED = "tribunal_decided", _("Tribunal decided")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CicaClaim(VersionedModel):
    FINAL_STATES = (CicaState.CLOSED, CicaState.WITHDRAWN)

    matter = models.OneToOneField(LegalMatter, on_delete=models.CASCADE, related_name="cica")
    state = FSMField(
        _("state"), default=CicaState.CONSIDERING, choices=CicaState.choices, protected=True
    )
    incident_on = models.DateField(_("date of the incident"))
    reported_on = models.DateField(_("first reported to the police on"), null=True, blank=True)
    extended_to = models.DateField(
        _("application accepted late until"),
        null=True,
        blank=True,
        help_text=_("Only when exceptional circumstances are accepted; record the reason."),
    )
    extension_reason = models.TextField(_("exceptional circumstances"), blank=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    reference = models.CharField(_("CICA reference"), max_length=40, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    amount_awarded = models.DecimalField(
        _("amount awarded (£)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    review_requested_on = models.DateField(_("review requested on"), null=True, blank=True)
    review_decided_on = models.DateField(_("review decision date"), null=True, blank=True)
    amount_on_review = models.DecimalField(
        _("amount after review (£)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    appealed_on = models.DateField(_("appealed on"), null=True, blank=True)
    tribunal_decided_on = models.DateField(_("tribunal decision date"), null=True, blank=True)
    amount_on_appeal = models.DecimalField(
        _("amount after appeal (£)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    amount_paid = models.DecimalField(
        _("amount paid (£)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    state_reason = models.TextField(_("reason"), blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"CICA claim #{self.pk}"

    @property
    def organisation_id(self):
        return self.matter.case.organisation_id

    @transition(
        field=state,
        source=CicaState.CONSIDERING,
        target=CicaState.APPLIED,
        custom={"label": _("Record the application"), "form": "cica_apply"},
    )
    def apply(self, *, on, reference: str = ""):
        self.applied_on, self.reference = on, reference

    @transition(
        field=state,
        source=CicaState.APPLIED,
        target=CicaState.DECIDED,
        custom={"label": _("Record the decision"), "form": "cica_decide"},
    )
    def decide(self, *, on, amount):
        self.decided_on, self.amount_awarded = on, amount

    @transition(
        field=state,
        source=CicaState.DECIDED,
        target=CicaState.REVIEW_REQUESTED,
        custom={"label": _("Request a review"), "form": "cica_date"},
    )
    def request_review(self, *, on):
        self.review_requested_on = on

    @transition(
        field=state,
        source=CicaState.REVIEW_REQUESTED,
        target=CicaState.REVIEWED,
        custom={"label": _("Record the review decision"), "form": "cica_decide"},
    )
    def record_review(self, *, on, amount):
        self.review_decided_on, self.amount_on_review = on, amount

    @transition(
        field=state,
        source=CicaState.REVIEWED,
        target=CicaState.APPEALED,
        custom={"label": _("Appeal to the tribunal"), "form": "cica_date"},
    )
    def appeal(self, *, on):
        self.appealed_on = on

    @transition(
        field=state,
        source=CicaState.APPEALED,
        target=CicaState.TRIBUNAL_DECIDED,
        custom={"label": _("Record the tribunal's decision"), "form": "cica_decide"},
    )
    def record_tribunal(self, *, on, amount):
        self.tribunal_decided_on, self.amount_on_appeal = on, amount

    @transition(
        field=state,
        source=[CicaState.DECIDED, CicaState.REVIEWED, CicaState.TRIBUNAL_DECIDED],
        target=CicaState.CLOSED,
        custom={"label": _("Close the claim"), "form": "reason"},
    )
    def close(self, *, reason: str):
        self.state_reason = reason

    @transition(
        field=state,
        source=[
            CicaState.CONSIDERING,
            CicaState.APPLIED,
            CicaState.DECIDED,
            CicaState.REVIEW_REQUESTED,
            CicaState.REVIEWED,
            CicaState.APPEALED,
        ],
        target=CicaState.WITHDRAWN,
        custom={"label": _("Withdraw"), "form": "reason"},
    )
    def withdraw(self, *, reason: str):
        self.state_reason = reason


# --- Immigration ---------------------------------------------------------------------------------


class ImmigrationRoute(models.TextChoices):
    ASYLUM = "asylum", _("Asylum")
    TPS_VT = "tps_vt", _("Temporary Permission to Stay for victims of trafficking")
    OTHER_LEAVE = "other_leave", _("Other leave")


class ImmigrationState(models.TextChoices):
    PREPARING = "preparing", _("Preparing the application")
    APPLIED = "applied", _("Applied")
    GRANTED = "granted", _("Leave granted")
    REFUSED = "refused", _("Refused")
    APPEALED = "appealed", _("Appealed")
    APPEAL_DISMISSED = "appeal_dismissed", _("Appeal dismissed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


class ImmigrationMatter(VersionedModel):
    FINAL_STATES = (
        ImmigrationState.APPEAL_DISMISSED,
        ImmigrationState.WITHDRAWN,
        ImmigrationState.CLOSED,
    )

    matter = models.OneToOneField(LegalMatter, on_delete=models.CASCADE, related_name="immigration")
    route = models.CharField(_("route"), max_length=20, choices=ImmigrationRoute.choices)
    state = FSMField(
        _("state"),
        default=ImmigrationState.PREPARING,
        choices=ImmigrationState.choices,
        protected=True,
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    home_office_reference = models.CharField(_("Home Office reference"), max_length=40, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    leave_granted = models.CharField(
        _("leave granted"),
        max_length=150,
        blank=True,
        help_text=_("For example refugee status, TPS-VT for 12 months, limited leave."),
    )
    leave_expires_on = models.DateField(_("leave expires on"), null=True, blank=True)
    appealed_on = models.DateField(_("appealed on"), null=True, blank=True)
    appeal_decided_on = models.DateField(_("appeal decision date"), null=True, blank=True)
    state_reason = models.TextField(_("reason"), blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"immigration matter #{self.pk}"

    @property
    def organisation_id(self):
        return self.matter.case.organisation_id

    @transition(
        field=state,
        source=ImmigrationState.PREPARING,
        target=ImmigrationState.APPLIED,
        custom={"label": _("Record the application"), "form": "immigration_apply"},
    )
    def apply(self, *, on, reference: str = ""):
        self.applied_on, self.home_office_reference = on, reference

    @transition(
        field=state,
        source=[ImmigrationState.APPLIED, ImmigrationState.APPEALED],
        target=ImmigrationState.GRANTED,
        custom={"label": _("Record leave granted"), "form": "immigration_grant"},
    )
    def grant(self, *, on, leave: str, expires_on):
        if self.state == ImmigrationState.APPEALED:
            self.appeal_decided_on = on
        else:
            self.decided_on = on
        self.leave_granted, self.leave_expires_on = leave, expires_on

    @transition(
        field=state,
        source=ImmigrationState.APPLIED,
        target=ImmigrationState.REFUSED,
        custom={"label": _("Record a refusal"), "form": "immigration_date"},
    )
    def refuse(self, *, on):
        self.decided_on = on

    @transition(
        field=state,
        source=ImmigrationState.REFUSED,
        target=ImmigrationState.APPEALED,
        custom={"label": _("Record the appeal"), "form": "immigration_date"},
    )
    def appeal(self, *, on):
        self.appealed_on = on

    @transition(
        field=state,
        source=ImmigrationState.APPEALED,
        target=ImmigrationState.APPEAL_DISMISSED,
        custom={"label": _("Appeal dismissed"), "form": "immigration_date"},
    )
    def dismiss_appeal(self, *, on):
        self.appeal_decided_on = on

    @transition(
        field=state,
        source=[
            ImmigrationState.PREPARING,
            ImmigrationState.APPLIED,
            ImmigrationState.REFUSED,
            ImmigrationState.APPEALED,
        ],
        target=ImmigrationState.WITHDRAWN,
        custom={"label": _("Withdraw"), "form": "reason"},
    )
    def withdraw(self, *, reason: str):
        self.state_reason = reason

    # Applying to extend before the leave ends keeps it running while the application is
    # decided (Immigration Act 1971 s.3C): the matter is "applied" again.
    @transition(
        field=state,
        source=ImmigrationState.GRANTED,
        target=ImmigrationState.APPLIED,
        custom={"label": _("Record an application to extend"), "form": "immigration_apply"},
    )
    def apply_to_extend(self, *, on, reference: str = ""):
        self.applied_on = on
        if reference:
            self.home_office_reference = reference

    @transition(
        field=state,
        source=ImmigrationState.GRANTED,
        target=ImmigrationState.CLOSED,
        custom={"label": _("Close: no further application"), "form": "reason"},
    )
    def close(self, *, reason: str):
        self.state_reason = reason


# --- Criminal justice ----------------------------------------------------------------------------


class JusticeState(models.TextChoices):
    REPORTED = "reported", _("Reported to the police")
    INVESTIGATING = "investigating", _("Under investigation")
    CHARGED = "charged", _("Charged")
    AT_COURT = "at_court", _("At court")
    CONCLUDED = "concluded", _("Concluded")
    NO_FURTHER_ACTION = "no_further_action", _("No further action")


class WitnessStatus(models.TextChoices):
    NOT_A_WITNESS = "not_a_witness", _("Not a witness")
    WITNESS = "witness", _("Witness")
    VULNERABLE = "vulnerable", _("Vulnerable witness")
    INTIMIDATED = "intimidated", _("Intimidated witness")


class CriminalJusticeMatter(VersionedModel):
    FINAL_STATES = (JusticeState.CONCLUDED, JusticeState.NO_FURTHER_ACTION)

    matter = models.OneToOneField(LegalMatter, on_delete=models.CASCADE, related_name="justice")
    state = FSMField(
        _("state"), default=JusticeState.REPORTED, choices=JusticeState.choices, protected=True
    )
    police_force = models.CharField(_("police force"), max_length=120, blank=True)
    crime_reference = models.CharField(_("crime reference"), max_length=60, blank=True)
    officer_in_case = models.CharField(_("officer in the case"), max_length=150, blank=True)
    witness_status = models.CharField(
        _("witness status"),
        max_length=20,
        choices=WitnessStatus.choices,
        default=WitnessStatus.NOT_A_WITNESS,
    )
    special_measures = models.TextField(
        _("special measures"),
        blank=True,
        help_text=_("For example a screen, a live link, evidence in private, an intermediary."),
    )
    victim_personal_statement_on = models.DateField(
        _("victim personal statement made on"), null=True, blank=True
    )
    charged_on = models.DateField(_("charged on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"criminal justice matter #{self.pk}"

    @property
    def organisation_id(self):
        return self.matter.case.organisation_id

    @transition(
        field=state,
        source=JusticeState.REPORTED,
        target=JusticeState.INVESTIGATING,
        custom={"label": _("Investigation started")},
    )
    def investigate(self):
        pass

    @transition(
        field=state,
        source=[JusticeState.REPORTED, JusticeState.INVESTIGATING],
        target=JusticeState.CHARGED,
        custom={"label": _("Record a charge"), "form": "justice_date"},
    )
    def charge(self, *, on):
        self.charged_on = on

    @transition(
        field=state,
        source=JusticeState.CHARGED,
        target=JusticeState.AT_COURT,
        custom={"label": _("Case at court")},
    )
    def go_to_court(self):
        pass

    @transition(
        field=state,
        source=[JusticeState.CHARGED, JusticeState.AT_COURT],
        target=JusticeState.CONCLUDED,
        custom={"label": _("Record the outcome"), "form": "justice_outcome"},
    )
    def conclude(self, *, on, outcome: str):
        self.concluded_on, self.outcome = on, outcome

    @transition(
        field=state,
        source=[JusticeState.REPORTED, JusticeState.INVESTIGATING, JusticeState.CHARGED],
        target=JusticeState.NO_FURTHER_ACTION,
        custom={"label": _("No further action"), "form": "justice_outcome"},
    )
    def no_further_action(self, *, on, outcome: str):
        self.concluded_on, self.outcome = on, outcome


# --- Civil and other -----------------------------------------------------------------------------


class CivilKind(models.TextChoices):
    EMPLOYMENT_TRIBUNAL = "employment_tribunal", _("Employment tribunal claim")
    DAMAGES = "damages", _("Damages claim")
    DEBT = "debt", _("Debt in the person's name")
    TENANCY = "tenancy", _("Tenancy in the person's name")
    OTHER = "other", _("Other")


class CivilState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CivilMatter(VersionedModel):
    FINAL_STATES = (CivilState.CLOSED,)

    matter = models.OneToOneField(LegalMatter, on_delete=models.CASCADE, related_name="civil")
    civil_kind = models.CharField(_("kind of claim"), max_length=30, choices=CivilKind.choices)
    state = FSMField(
        _("state"), default=CivilState.OPEN, choices=CivilState.choices, protected=True
    )
    other_party = models.CharField(
        _("other party"), max_length=200, blank=True, help_text=_("Employer, creditor, landlord…")
    )
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"civil matter #{self.pk}"

    @property
    def organisation_id(self):
        return self.matter.case.organisation_id

    @transition(
        field=state,
        source=CivilState.OPEN,
        target=CivilState.CLOSED,
        custom={"label": _("Close"), "form": "civil_close"},
    )
    def close(self, *, on, outcome: str):
        self.closed_on, self.outcome = on, outcome


DETAIL_RELATION = {
    MatterKind.CICA: "cica",
    MatterKind.IMMIGRATION: "immigration",
    MatterKind.CRIMINAL_JUSTICE: "justice",
    MatterKind.CIVIL: "civil",
}


# --- Steps ---------------------------------------------------------------------------------------


class StepKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    STATEMENT = "statement", _("Police statement")
    POLICE_UPDATE = "police_update", _("Update from the police")
    HEARING = "hearing", _("Hearing or court date")
    DEADLINE = "deadline", _("Something due")
    OTHER = "other", _("Other")


class LegalStep(models.Model):
    """A dated step of a matter: done on a date, or due by one."""

    matter = models.ForeignKey(LegalMatter, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    description = models.CharField(_("what"), max_length=300)
    due_on = models.DateField(_("due by"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    joint = models.BooleanField(
        _("joint statement"),
        default=False,
        help_text=_(
            "Taken once with the support worker present and shared, instead of repeated interviews."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["matter", "-done_on", "due_on", "pk"]
        indexes = [
            # Steps still to do by a date, and the police's updates (the Victims' Code clock),
            # for the dashboard's breached targets.
            models.Index(
                fields=["due_on"],
                include=["matter"],
                condition=models.Q(done_on=None),
                name="step_open_due_idx",
            ),
            models.Index(
                fields=["done_on"],
                include=["matter"],
                condition=models.Q(kind=StepKind.POLICE_UPDATE),
                name="step_police_update_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def organisation_id(self):
        return self.matter.case.organisation_id
