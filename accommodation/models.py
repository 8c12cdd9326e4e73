"""Refuges, safe houses and dispersed units; their bed spaces; placements and who lives where.

A property's address is confidential: it is shown only to the accommodation staff of the
organisation that runs it and to the caseworker of someone placed there (carepath/policy.py).
"""

import builtins
import re

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from carepath import crypto
from carepath.pathway import VersionedModel, condition

_POSTCODE_AREA = re.compile(r"[A-Z]{1,2}")
_FULL_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)[0-9][A-Z]{2}")


class PropertyKind(models.TextChoices):
    REFUGE = "refuge", _("Refuge")
    SAFE_HOUSE = "safe_house", _("Safe house")
    DISPERSED = "dispersed", _("Dispersed unit")


class Specialism(models.TextChoices):
    NONE = "", _("None")
    BLACK_MINORITISED = "black_minoritised", _("By and for Black and minoritised women")
    LGBT = "lgbt", _("By and for LGBT+ survivors")
    DEAF_DISABLED = "deaf_disabled", _("By and for Deaf and disabled survivors")
    YOUNG_PEOPLE = "young_people", _("Young people (16 to 25)")
    TRAFFICKING = "trafficking", _("Survivors of trafficking")


class Property(models.Model):
    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="properties"
    )
    name = models.CharField(
        _("name"), max_length=120, help_text=_("A name staff use; never the address.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PropertyKind.choices)
    address = crypto.EncryptedTextField(_("address"))
    # Exclusion areas are matched in Python (postcode_district): never searched in the database.
    postcode = crypto.EncryptedCharField(_("postcode"), max_length=10)
    local_authority = models.CharField(_("local authority"), max_length=120)
    region = models.CharField(_("region"), max_length=120)
    specialism = models.CharField(
        _("by and for specialism"), max_length=30, choices=Specialism.choices, blank=True
    )
    languages = models.CharField(
        _("languages spoken by staff"),
        max_length=200,
        blank=True,
        help_text=_("Separated by commas."),
    )
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    weekly_charge = models.DecimalField(
        _("weekly charge (£)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("taking placements"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "properties"

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"property #{self.pk}"

    @property
    def postcode_district(self) -> str:
        """The outward code ("CF10" of "CF10 1AA", and of "CF101AA"), for exclusion areas."""
        compact = "".join(self.postcode.split()).upper()
        # The inward code is always a digit and two letters, so a postcode typed without its
        # space still yields its district (otherwise "CF10" would not exclude "CF101AA").
        match = _FULL_POSTCODE.fullmatch(compact)
        if match:
            return match.group(1)
        return self.postcode.strip().upper().split()[0] if self.postcode.strip() else ""

    @property
    def language_list(self) -> list[str]:
        return [part.strip().lower() for part in self.languages.split(",") if part.strip()]


class Unit(models.Model):
    """A room, flat or family unit, with who it can take."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=80)
    women_only = models.BooleanField(_("women only"), default=False)
    men_only = models.BooleanField(_("men only"), default=False)
    family = models.BooleanField(_("family unit"), default=False)
    accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    children_accepted = models.BooleanField(_("children accepted"), default=False)
    boys_age_limit = models.PositiveSmallIntegerField(
        _("oldest boy accepted (age)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when there is no limit."),
    )
    pets_accepted = models.BooleanField(_("pets accepted"), default=False)
    nrpf_accepted = models.BooleanField(_("no recourse to public funds accepted"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["property__name", "name"]

    def __str__(self) -> str:
        return f"{self.property.name}, {self.name}"

    @builtins.property  # the field above is called "property"
    def organisation_id(self):
        return self.property.organisation_id


class BedSpaceInUse(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(removed_on__isnull=True)


class BedSpace(VersionedModel):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="bed_spaces")
    label = models.CharField(_("bed space"), max_length=40)
    out_of_use = models.BooleanField(_("out of use"), default=False)
    out_of_use_reason = models.CharField(_("why out of use"), max_length=200, blank=True)
    out_of_use_until = models.DateField(_("expected back in use"), null=True, blank=True)
    # A bed space taken away when its unit shrank; kept (not deleted) for its stays' history.
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    history = HistoricalRecords()

    # Everyday lists and counts see the bed spaces in use; a placement still reaches its bed.
    objects = BedSpaceInUse()
    all_objects = models.Manager()

    class Meta:
        ordering = ["unit__property__name", "unit__name", "label"]

    def __str__(self) -> str:
        return f"{self.unit}, {self.label}"


class PlacementState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    MOVED_IN = "moved_in", _("Moved in")
    MOVED_OUT = "moved_out", _("Moved out")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    OFFER_EXPIRED = "offer_expired", _("Offer expired")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity")
    SURVIVOR_DECLINED = "survivor_declined", _("Survivor declined")
    INAPPROPRIATE = "inappropriate_referral", _("Inappropriate referral")
    TOO_CLOSE = "too_close_to_perpetrator", _("Too close to the perpetrator")
    TOO_FAR = "too_far_from_perpetrator", _("Too far from support network")
    ACCESSIBILITY = "accessibility", _("Accessibility")
    CARING = "caring_duties", _("Caring duties")
    NRPF = "nrpf", _("No recourse to public funds")


OPEN_PLACEMENT_STATES = (PlacementState.REQUESTED, PlacementState.OFFERED, PlacementState.ACCEPTED)


@condition(_("Choose a bed space to offer."))
def has_offered_bed(placement: "Placement") -> bool:
    return placement.bed_space_id is not None


class Placement(VersionedModel):
    """A request for a place for one person, and if it succeeds, their stay."""

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="placements")
    provider = models.ForeignKey(
        "people.Organisation",
        on_delete=models.PROTECT,
        related_name="placement_requests",
        verbose_name=_("accommodation provider"),
    )
    state = FSMField(
        _("state"),
        default=PlacementState.REQUESTED,
        choices=PlacementState.choices,
        protected=True,
    )
    # What the provider may know of the person: the facts a placement needs, nothing more.
    known_as = models.CharField(_("first name or alias"), max_length=80)
    gender = models.CharField(_("gender"), max_length=10)
    children_ages = models.CharField(
        _("ages of children coming with them"),
        max_length=80,
        blank=True,
        help_text=_("For example: 4, 9 (boys' ages matter for some refuges)."),
    )
    boys_ages = models.CharField(_("ages of the boys among them"), max_length=80, blank=True)
    access_needs = models.CharField(_("access needs"), max_length=200, blank=True)
    needs_accessible = models.BooleanField(_("needs a wheelchair-accessible unit"), default=False)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, blank=True)
    has_pets = models.BooleanField(_("has pets"), default=False)
    nrpf = models.BooleanField(_("no recourse to public funds"), default=False)
    specialism = models.CharField(
        _("specialist service wanted"), max_length=30, choices=Specialism.choices, blank=True
    )
    exclusion_areas = models.TextField(
        _("exclusion areas"),
        blank=True,
        help_text=_(
            "Local authorities or postcode districts where the perpetrator or exploiter "
            "is, one per line."
        ),
    )
    requested_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    bed_space = models.ForeignKey(
        BedSpace, on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    decline_reason = models.CharField(
        _("why declined"), max_length=40, choices=DeclineReason.choices, blank=True
    )
    outcome_notes = models.TextField(_("notes"), blank=True)
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    licence_signed = models.BooleanField(_("licence agreement signed"), default=False)
    key_worker = models.CharField(_("key worker"), max_length=120, blank=True)
    planned_move_out_on = models.DateField(_("planned move-out"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    move_out_reason = models.CharField(_("why they moved out"), max_length=200, blank=True)
    # Can be the person's next address: encrypted like the refuge's.
    move_on_destination = crypto.EncryptedCharField(_("moved on to"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["provider", "state"]),
            models.Index(fields=["bed_space", "state"]),
        ]
        constraints = [
            # One person per bed: an offer, an accepted offer and a stay each hold the bed, and
            # the database refuses a second holder even when two offers race.
            models.UniqueConstraint(
                fields=["bed_space"],
                condition=models.Q(state__in=["offered", "accepted", "moved_in"]),
                name="one_holder_per_bed_space",
            )
        ]

    def __str__(self) -> str:
        return f"placement #{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"placement #{self.pk}"

    @property
    def organisation_id(self):
        return self.provider_id

    @property
    def exclusion_list(self) -> list[str]:
        return [line.strip() for line in self.exclusion_areas.splitlines() if line.strip()]

    @staticmethod
    def _ages(text: str) -> list[int]:
        # Every number typed counts ("4 9", "4 and 9", "4, 9 years"): an age silently dropped
        # would hide a child, or a boy over a refuge's age limit, from matching.
        return [int(number) for number in re.findall(r"[0-9]+", text)]

    @property
    def child_age_list(self) -> list[int]:
        return self._ages(self.children_ages)

    @property
    def boy_age_list(self) -> list[int]:
        return self._ages(self.boys_ages)

    def exclusion_area_of(self, prop: Property) -> str | None:
        """Why ``prop`` lies inside this person's exclusion areas, or None. A line is a local
        authority ("Cardiff"), a postcode district ("CF10"), a full postcode (its district) or
        a postcode area ("CF"); case and spaces do not matter."""
        authority = prop.local_authority.strip().casefold()
        district = prop.postcode_district
        for line in self.exclusion_list:
            if authority and line.casefold() == authority:
                return gettext("In an exclusion area: %(area)s (local authority).") % {"area": line}
            code = "".join(line.split()).upper()
            full = _FULL_POSTCODE.fullmatch(code)
            code = full.group(1) if full else code
            if district and (
                code == district
                or (_POSTCODE_AREA.fullmatch(code) and re.match(rf"{code}[0-9]", district))
            ):
                return gettext(
                    "In an exclusion area: %(area)s (postcode district %(district)s)."
                ) % {"area": line, "district": district}
        return None

    def unit_refusal(self, unit: Unit) -> str | None:
        """Why ``unit`` cannot take this person (and the children coming), or None."""
        name = {"unit": unit.name}
        children, boys = self.child_age_list, self.boy_age_list
        if self.gender == "male" and unit.women_only:
            return gettext("%(unit)s is women only.") % name
        if self.gender == "female" and unit.men_only:
            return gettext("%(unit)s is men only.") % name
        if (children or boys) and not unit.children_accepted:
            return gettext("%(unit)s does not take children.") % name
        if boys and unit.boys_age_limit is not None and max(boys) > unit.boys_age_limit:
            return gettext(
                "%(unit)s takes boys up to the age of %(limit)d; a boy of %(age)d is coming."
            ) % {**name, "limit": unit.boys_age_limit, "age": max(boys)}
        if self.needs_accessible and not unit.accessible:
            return gettext("%(unit)s is not wheelchair accessible.") % name
        if self.nrpf and not unit.nrpf_accepted:
            return gettext("%(unit)s does not take people with no recourse to public funds.") % name
        if self.has_pets and not unit.pets_accepted:
            return gettext("%(unit)s does not take pets.") % name
        return None

    @transition(
        field=state,
        source=PlacementState.REQUESTED,
        target=PlacementState.OFFERED,
        custom={"label": _("Offer a bed space"), "form": "offer", "permission": "placement.manage"},
    )
    def offer(self, *, bed_space, at, expires_at) -> None:
        self.bed_space = bed_space
        self.offered_at = at
        self.offer_expires_at = expires_at

    @transition(
        field=state,
        source=PlacementState.OFFERED,
        target=PlacementState.ACCEPTED,
        conditions=[has_offered_bed],
        custom={
            "label": _("Record that the offer is accepted"),
            "form": "accept",
            "permission": "placement.requester",
        },
    )
    def accept(self) -> None:
        pass

    @transition(
        field=state,
        source=[PlacementState.REQUESTED, PlacementState.OFFERED],
        target=PlacementState.DECLINED,
        custom={"label": _("Decline"), "form": "decline"},
    )
    def decline(self, *, reason: str, notes: str) -> None:
        self.decline_reason = reason
        self.outcome_notes = notes

    @transition(
        field=state,
        source=[PlacementState.REQUESTED, PlacementState.OFFERED, PlacementState.ACCEPTED],
        target=PlacementState.WITHDRAWN,
        custom={
            "label": _("Withdraw the request"),
            "form": "withdraw",
            "permission": "placement.requester",
        },
    )
    def withdraw(self, *, notes: str) -> None:
        self.outcome_notes = notes

    @transition(
        field=state,
        source=PlacementState.OFFERED,
        target=PlacementState.OFFER_EXPIRED,
        custom={"hidden": True},
    )
    def expire(self) -> None:
        pass

    @transition(
        field=state,
        source=PlacementState.ACCEPTED,
        target=PlacementState.MOVED_IN,
        custom={
            "label": _("Record the move-in"),
            "form": "move_in",
            "permission": "placement.manage",
        },
    )
    def move_in(self, *, on, licence_signed: bool, key_worker: str) -> None:
        self.moved_in_on = on
        self.licence_signed = licence_signed
        self.key_worker = key_worker

    @transition(
        field=state,
        source=PlacementState.MOVED_IN,
        target=PlacementState.MOVED_OUT,
        custom={
            "label": _("Record the move-out"),
            "form": "move_out",
            "permission": "placement.manage",
        },
    )
    def move_out(self, *, on, reason: str, destination: str) -> None:
        self.moved_out_on = on
        self.move_out_reason = reason
        self.move_on_destination = destination
