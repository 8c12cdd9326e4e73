from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from carepath import crypto
from carepath.pathway import PathwayError, VersionedModel, condition
from carepath.people.models import Jurisdiction
from casework.models import choices as c


class CaseState(models.TextChoices):
    REFERRED = "referred", _("Referred")
    DECLINED = "declined", _("Declined")
    ASSESSING = "assessing", _("Assessing")
    SUPPORTED = "supported", _("Supported")
    MOVING_ON = "moving_on", _("Moving on")
    MISSING = "missing", _("Missing")
    CLOSED = "closed", _("Closed")


OPEN_STATES = (
    CaseState.REFERRED,
    CaseState.ASSESSING,
    CaseState.SUPPORTED,
    CaseState.MOVING_ON,
    CaseState.MISSING,
)
ENDED_STATES = (CaseState.DECLINED, CaseState.CLOSED)
# Taken on and not ended: the cases whose deadlines the service dashboard watches.
ACTIVE_STATES = tuple(state for state in OPEN_STATES if state != CaseState.REFERRED)


@condition(_("Allocate a caseworker first."))
def has_caseworker(case: "Case") -> bool:
    return case.caseworker_id is not None


@condition(_("Record the person's consent to support first."))
def has_support_consent(case: "Case") -> bool:
    return case.consents.filter(scope="support", withdrawn_on__isnull=True).exists()


def _labels(choices, values) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(value, value)) for value in values]


class Case(VersionedModel):
    """One episode of support for one person. A re-opened case is a new episode that points
    back to the one before, so history is never rewritten."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    team = models.ForeignKey(
        "people.Team", on_delete=models.PROTECT, related_name="cases", verbose_name=_("team")
    )
    caseworker = models.ForeignKey(
        "people.User",
        on_delete=models.PROTECT,
        related_name="caseload",
        null=True,
        blank=True,
        verbose_name=_("caseworker"),
    )
    reference = models.CharField(_("reference"), max_length=30, editable=False)
    previous_episode = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_episode"
    )
    state = FSMField(
        _("state"), default=CaseState.REFERRED, choices=CaseState.choices, protected=True
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=20, choices=Jurisdiction.choices)

    # Referral
    batch = models.ForeignKey(
        "casework.ReferralBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("police operation"),
    )
    referral_date = models.DateField(_("referral date"))
    referral_source = models.CharField(
        _("referral source"), max_length=30, choices=c.ReferralSource.choices
    )
    referring_agency = models.ForeignKey(
        "casework.ReferringAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("referring agency"),
    )
    referrer_contact = crypto.EncryptedCharField(
        _("referrer's name and contact"), max_length=300, blank=True
    )
    knows_of_referral = models.CharField(
        _("knows of the referral"),
        max_length=10,
        choices=c.Knowledge.choices,
        default=c.Knowledge.UNKNOWN,
    )
    consents_to_referral = models.CharField(
        _("consents to the referral"),
        max_length=10,
        choices=c.Knowledge.choices,
        default=c.Knowledge.UNKNOWN,
    )
    risk_at_intake = models.CharField(
        _("risk at intake"),
        max_length=10,
        choices=c.RiskLevel.choices,
        default=c.RiskLevel.STANDARD,
    )
    referral_notes = models.TextField(_("referral notes"), blank=True)

    # Identity: what the person says, and what has been verified, kept apart.
    given_name = models.CharField(_("given name"), max_length=150)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    aliases = models.TextField(
        _("aliases"), blank=True, help_text=_("Other names used, one per line.")
    )
    verified_given_name = models.CharField(_("verified given name"), max_length=150, blank=True)
    verified_family_name = models.CharField(_("verified family name"), max_length=150, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=c.Gender.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    date_of_birth_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    verified_date_of_birth = models.DateField(_("verified date of birth"), null=True, blank=True)
    claimed_nationality = CountryField(_("nationality (claimed)"), blank=True)
    verified_nationality = CountryField(_("nationality (verified)"), blank=True)
    nationality_group = models.CharField(
        _("UK, EEA or other"),
        max_length=10,
        choices=c.NationalityGroup.choices,
        default=c.NationalityGroup.UNKNOWN,
    )
    immigration_status = models.CharField(
        _("immigration status"),
        max_length=20,
        choices=c.ImmigrationStatus.choices,
        default=c.ImmigrationStatus.UNKNOWN,
    )
    identity_documents = models.CharField(
        _("where identity documents are"),
        max_length=20,
        choices=c.DocumentsLocation.choices,
        default=c.DocumentsLocation.UNKNOWN,
    )

    # Language
    main_language = models.CharField(_("main language"), max_length=80, blank=True)
    other_languages = models.CharField(_("other languages"), max_length=200, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_language = models.CharField(_("interpreter language"), max_length=80, blank=True)
    interpreter_dialect = models.CharField(_("interpreter dialect"), max_length=80, blank=True)
    interpreter_gender = models.CharField(
        _("interpreter gender preference"),
        max_length=10,
        choices=c.InterpreterGender.choices,
        default=c.InterpreterGender.ANY,
    )

    # Exploitation
    exploitation_types = models.JSONField(_("exploitation types"), default=list, blank=True)
    exploitation_sectors = models.JSONField(_("sectors"), default=list, blank=True)
    first_exploitation_date = models.DateField(
        _("date of first claimed exploitation"), null=True, blank=True
    )
    first_exploitation_date_estimated = models.BooleanField(
        _("first exploitation date is estimated"), default=False
    )
    exploitation_country = CountryField(_("country where exploitation began"), blank=True)

    # Where: kept as separate fields because funders and oversight groups report each.
    local_authority = models.CharField(_("local authority"), max_length=120, blank=True)
    police_force_area = models.CharField(_("police force area"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)

    # Equality monitoring: optional throughout, "prefer not to say" always allowed.
    ethnicity = models.CharField(
        _("ethnicity"), max_length=20, choices=c.Ethnicity.choices, blank=True
    )
    disability = models.CharField(
        _("disability"), max_length=20, choices=c.YesNoPrefer.choices, blank=True
    )
    sexual_orientation = models.CharField(
        _("sexual orientation"), max_length=20, choices=c.SexualOrientation.choices, blank=True
    )
    transgender = models.CharField(
        _("trans or gender identity differs from sex registered at birth"),
        max_length=20,
        choices=c.YesNoPrefer.choices,
        blank=True,
    )
    religion = models.CharField(
        _("religion or belief"), max_length=20, choices=c.Religion.choices, blank=True
    )

    # Needs and plan
    needs_summary = models.TextField(_("needs assessment"), blank=True)

    # Ending
    decline_reason = models.CharField(
        _("reason not taken on"), max_length=20, choices=c.DeclineReason.choices, blank=True
    )
    missing_since = models.DateTimeField(_("missing since"), null=True, blank=True)
    # A missing child must be reported to the police and the local authority at once.
    missing_police_notified_at = models.DateTimeField(
        _("police notified at"), null=True, blank=True
    )
    missing_local_authority_notified_at = models.DateTimeField(
        _("local authority notified at"), null=True, blank=True
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=c.ClosureReason.choices, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcomes = models.JSONField(_("outcomes achieved"), default=list, blank=True)

    # Protection and retention
    sealed = models.BooleanField(
        _("sealed"),
        default=False,
        help_text=_("Only the people named on the case may open it (no emergency access)."),
    )
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        help_text=_("Kept in full past its retention period (a claim, an inquiry, a request)."),
    )
    legal_hold_reason = models.CharField(_("why held"), max_length=200, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-referral_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="case_reference_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "state"]),
            models.Index(fields=["caseworker", "state"]),
            models.Index(fields=["team", "state"]),
            # The dashboard's breached targets: an organisation's active cases, latest referred
            # first, narrowed and counted from the index alone (``may_be_overdue``).
            models.Index(
                fields=["organisation", "referral_date", "id"],
                include=[
                    "state",
                    "sealed",
                    "missing_police_notified_at",
                    "missing_local_authority_notified_at",
                ],
                condition=models.Q(state__in=ACTIVE_STATES),
                name="case_active_idx",
            ),
            # The NRM report: an organisation's referrals in a period, grouped and counted from
            # the index alone (``nrm_report``'s people and referrers tables).
            models.Index(
                fields=["organisation", "referral_date"],
                include=[
                    "id",
                    "team",
                    "jurisdiction",
                    "gender",
                    "date_of_birth",
                    "verified_date_of_birth",
                    "first_exploitation_date",
                    "exploitation_types",
                    "claimed_nationality",
                    "verified_nationality",
                    "referring_agency",
                    "region",
                    "local_authority",
                ],
                name="case_report_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_label(self) -> str:
        return f"case {self.reference}"

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    def age_on(self, day: date) -> int | None:
        born = self.verified_date_of_birth or self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age_at_referral(self) -> int | None:
        return self.age_on(self.referral_date)

    @property
    def is_child(self) -> bool:
        """Under 18 at referral (where age is unknown, treated as an adult until assessed)."""
        age = self.age_at_referral
        return age is not None and age < 18

    @property
    def exploitation_type_labels(self) -> list[str]:
        return _labels(c.ExploitationType, self.exploitation_types)

    @property
    def sector_labels(self) -> list[str]:
        return _labels(c.Sector, self.exploitation_sectors)

    @property
    def outcome_labels(self) -> list[str]:
        return _labels(c.Outcome, self.outcomes)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    # --- Transitions: declared here; called only from casework.services ---------------------

    @transition(
        field=state,
        source=CaseState.REFERRED,
        target=CaseState.ASSESSING,
        custom={"label": _("Accept and allocate"), "form": "allocate"},
    )
    def accept(self, *, caseworker) -> None:
        self.caseworker = caseworker

    @transition(
        field=state,
        source=CaseState.REFERRED,
        target=CaseState.DECLINED,
        custom={"label": _("Decline the referral"), "form": "decline"},
    )
    def decline(self, *, reason: str) -> None:
        if not reason:
            raise PathwayError(_("Give the reason the referral is not taken on."))
        self.decline_reason = reason

    @transition(
        field=state,
        source=CaseState.ASSESSING,
        target=CaseState.SUPPORTED,
        conditions=[has_caseworker, has_support_consent],
        custom={"label": _("Start support")},
    )
    def start_support(self) -> None:
        pass

    @transition(
        field=state,
        source=CaseState.SUPPORTED,
        target=CaseState.MOVING_ON,
        custom={"label": _("Start move-on planning")},
    )
    def plan_move_on(self) -> None:
        pass

    @transition(
        field=state,
        source=CaseState.MOVING_ON,
        target=CaseState.SUPPORTED,
        custom={"label": _("Return to support")},
    )
    def resume_support(self) -> None:
        pass

    @transition(
        field=state,
        source=[CaseState.ASSESSING, CaseState.SUPPORTED, CaseState.MOVING_ON],
        target=CaseState.MISSING,
        custom={"label": _("Report missing"), "form": "missing"},
    )
    def report_missing(self, *, since) -> None:
        self.missing_since = since

    @transition(
        field=state,
        source=CaseState.MISSING,
        target=CaseState.SUPPORTED,
        custom={"label": _("Record as found")},
    )
    def found(self) -> None:
        self.missing_since = None
        self.missing_police_notified_at = None
        self.missing_local_authority_notified_at = None

    @transition(
        field=state,
        source=[CaseState.ASSESSING, CaseState.SUPPORTED, CaseState.MOVING_ON, CaseState.MISSING],
        target=CaseState.CLOSED,
        custom={"label": _("Close the case"), "form": "close"},
    )
    def close(
        self, *, reason: str, outcomes: list[str], closed_on: date, none_achieved: bool = False
    ) -> None:
        if not reason:
            raise PathwayError(_("Give the reason the case is closing."))
        if not outcomes and not none_achieved:
            raise PathwayError(_("Record the outcomes achieved, or that none was achieved."))
        if outcomes and none_achieved:
            raise PathwayError(_("Outcomes were chosen: untick “none achieved”."))
        if closed_on < self.referral_date:
            raise PathwayError(_("A case cannot close before it was referred."))
        self.closure_reason = reason
        self.outcomes = sorted(set(outcomes))
        self.closed_on = closed_on


class CaseSequence(models.Model):
    """The last case number given out per organisation and year (references are readable and
    never reused)."""

    organisation = models.ForeignKey("people.Organisation", on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="case_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}: {self.last}"
