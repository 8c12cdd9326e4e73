"""The National Referral Mechanism record that runs beside a case."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from carepath.pathway import VersionedModel, condition


class NrmState(models.TextChoices):
    NOT_REFERRED = "not_referred", _("Not referred")
    SUBMITTED = "submitted", _("Submitted, awaiting reasonable grounds decision")
    RG_POSITIVE = "rg_positive", _("Positive reasonable grounds decision")
    RG_NEGATIVE = "rg_negative", _("Negative reasonable grounds decision")
    CG_POSITIVE = "cg_positive", _("Positive conclusive grounds decision")
    CG_NEGATIVE = "cg_negative", _("Negative conclusive grounds decision")
    RECONSIDERATION = "reconsideration_requested", _("Reconsideration requested")
    DECLINED_CONSENT = "declined_consent", _("Adult did not consent: Duty to Notify only")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CompetentAuthority(models.TextChoices):
    SCA = "sca", _("Single Competent Authority")
    IECA = "ieca", _("Immigration Enforcement Competent Authority")
    UKHTC = "ukhtc", _("UK Human Trafficking Centre (historic)")
    UKBA = "ukba", _("UK Border Agency (historic)")


class ReconsiderationStage(models.TextChoices):
    RG = "rg", _("Reasonable grounds")
    CG = "cg", _("Conclusive grounds")


@condition(
    _(
        "An adult's NRM referral needs their recorded consent; without it, produce a "
        "Duty to Notify report instead."
    )
)
def consent_or_child(nrm: "NrmRecord") -> bool:
    case = nrm.case
    return (
        case.is_child
        or case.consents.filter(scope="nrm_referral", withdrawn_on__isnull=True).exists()
    )


@condition(_("For a child, record when the local authority was notified first."))
def local_authority_notified_for_child(nrm: "NrmRecord") -> bool:
    return not nrm.case.is_child or nrm.local_authority_notified_on is not None


@condition(_("Children are referred without needing consent: this step is for adults only."))
def is_adult(nrm: "NrmRecord") -> bool:
    return not nrm.case.is_child


@condition(_("A reasonable grounds decision is not awaited."), silent=True)
def awaiting_rg(nrm: "NrmRecord") -> bool:
    return nrm.state == NrmState.SUBMITTED or nrm.reconsideration_stage == "rg"


@condition(_("A conclusive grounds decision is not awaited."), silent=True)
def awaiting_cg(nrm: "NrmRecord") -> bool:
    return nrm.state == NrmState.RG_POSITIVE or nrm.reconsideration_stage == "cg"


class NrmRecord(VersionedModel):
    case = models.OneToOneField("casework.Case", on_delete=models.CASCADE, related_name="nrm")
    state = FSMField(
        _("NRM status"), default=NrmState.NOT_REFERRED, choices=NrmState.choices, protected=True
    )
    first_responder = models.ForeignKey(
        "casework.ReferringAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first responder organisation"),
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    local_authority_notified_on = models.DateField(
        _("local authority notified on"), null=True, blank=True
    )
    competent_authority = models.CharField(
        _("competent authority"), max_length=10, choices=CompetentAuthority.choices, blank=True
    )
    rg_decision_on = models.DateField(_("reasonable grounds decision on"), null=True, blank=True)
    rg_positive = models.BooleanField(null=True, blank=True)
    cg_decision_on = models.DateField(_("conclusive grounds decision on"), null=True, blank=True)
    cg_positive = models.BooleanField(null=True, blank=True)
    reconsideration_stage = models.CharField(
        max_length=2, choices=ReconsiderationStage.choices, blank=True
    )
    reconsideration_requested_on = models.DateField(
        _("reconsideration requested on"), null=True, blank=True
    )
    recovery_extension_days = models.IntegerField(
        _("recovery period extended by (days)"), default=0
    )
    recovery_curtailed_to = models.DateField(
        _("recovery period curtailed to"), null=True, blank=True
    )
    duty_to_notify_sent_on = models.DateField(
        _("Duty to Notify report sent on"), null=True, blank=True
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("NRM record")
        indexes = [
            # The NRM clocks that can run out, for the dashboard's breached targets.
            models.Index(
                fields=["submitted_on"],
                include=["case"],
                condition=models.Q(state=NrmState.SUBMITTED),
                name="nrm_submitted_idx",
            ),
            models.Index(
                fields=["rg_decision_on"],
                include=["case", "recovery_curtailed_to", "recovery_extension_days"],
                condition=models.Q(state=NrmState.RG_POSITIVE),
                name="nrm_rg_positive_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"NRM {self.case.reference}"

    @property
    def audit_label(self) -> str:
        return f"NRM record of case #{self.case_id}"

    @property
    def organisation_id(self):
        return self.case.organisation_id

    @transition(
        field=state,
        source=NrmState.NOT_REFERRED,
        target=NrmState.SUBMITTED,
        conditions=[consent_or_child, local_authority_notified_for_child],
        custom={"label": _("Record the NRM submission"), "form": "submit"},
    )
    def submit(self, *, submitted_on, first_responder) -> None:
        self.submitted_on = submitted_on
        self.first_responder = first_responder

    @transition(
        field=state,
        source=[NrmState.SUBMITTED, NrmState.RECONSIDERATION],
        target=NrmState.RG_POSITIVE,
        conditions=[awaiting_rg],
        custom={"label": _("Record a reasonable grounds decision"), "form": "decision"},
    )
    def rg_decide_positive(self, *, decided_on, authority) -> None:
        self._decide("rg", True, decided_on, authority)

    @transition(
        field=state,
        source=[NrmState.SUBMITTED, NrmState.RECONSIDERATION],
        target=NrmState.RG_NEGATIVE,
        conditions=[awaiting_rg],
        custom={"hidden": True},
    )
    def rg_decide_negative(self, *, decided_on, authority) -> None:
        self._decide("rg", False, decided_on, authority)

    @transition(
        field=state,
        source=[NrmState.RG_POSITIVE, NrmState.RECONSIDERATION],
        target=NrmState.CG_POSITIVE,
        conditions=[awaiting_cg],
        custom={"label": _("Record a conclusive grounds decision"), "form": "decision"},
    )
    def cg_decide_positive(self, *, decided_on, authority) -> None:
        self._decide("cg", True, decided_on, authority)

    @transition(
        field=state,
        source=[NrmState.RG_POSITIVE, NrmState.RECONSIDERATION],
        target=NrmState.CG_NEGATIVE,
        conditions=[awaiting_cg],
        custom={"hidden": True},
    )
    def cg_decide_negative(self, *, decided_on, authority) -> None:
        self._decide("cg", False, decided_on, authority)

    def _decide(self, stage: str, positive: bool, decided_on, authority) -> None:
        setattr(self, f"{stage}_decision_on", decided_on)
        setattr(self, f"{stage}_positive", positive)
        if authority:
            self.competent_authority = authority
        if stage == "rg":
            self.recovery_extension_days = 0
            self.recovery_curtailed_to = None
        self.reconsideration_stage = ""

    @transition(
        field=state,
        source=[NrmState.RG_NEGATIVE, NrmState.CG_NEGATIVE],
        target=NrmState.RECONSIDERATION,
        custom={"label": _("Request reconsideration"), "form": "reconsideration"},
    )
    def request_reconsideration(self, *, requested_on) -> None:
        self.reconsideration_stage = "rg" if self.state == NrmState.RG_NEGATIVE else "cg"
        self.reconsideration_requested_on = requested_on

    @transition(
        field=state,
        source=NrmState.NOT_REFERRED,
        target=NrmState.DECLINED_CONSENT,
        conditions=[is_adult],
        custom={"label": _("Adult does not consent: Duty to Notify"), "form": "duty_to_notify"},
    )
    def decline_consent(self, *, notified_on) -> None:
        self.duty_to_notify_sent_on = notified_on

    @transition(
        field=state,
        source=[NrmState.SUBMITTED, NrmState.RG_POSITIVE, NrmState.RECONSIDERATION],
        target=NrmState.WITHDRAWN,
        custom={"label": _("Withdraw from the NRM"), "form": "withdraw"},
    )
    def withdraw(self, *, withdrawn_on) -> None:
        self.withdrawn_on = withdrawn_on
