"""Every read about accommodation, already scoped to the person asking.

A property's address never leaves this module except on the property itself, and only
``address_visible`` says whether a page may show it: the vacancy board and the matching lists
carry names, kinds and areas only.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accommodation.models import (
    BedSpace,
    DeclineReason,
    Placement,
    PlacementState,
    Property,
    PropertyKind,
    Specialism,
    Unit,
)
from carepath import policy
from carepath.audit import access_log
from carepath.people.models import Organisation, User

HOLDING_STATES = (PlacementState.OFFERED, PlacementState.ACCEPTED, PlacementState.MOVED_IN)
EXPECTED_VACANCY_DAYS = 28
OFFER_EXPIRY_WARNING = timedelta(hours=24)
MOVE_OUT_WARNING_DAYS = 14


def _held_bed_ids() -> QuerySet:
    return Placement.objects.filter(state__in=HOLDING_STATES, bed_space__isnull=False).values(
        "bed_space_id"
    )


# Bed spaces still part of their unit (not removed when it shrank).
IN_USE = Q(removed_on__isnull=True)


def _placed(**placement) -> Exists:
    """A bed space with a placement like this."""
    return Exists(Placement.objects.filter(bed_space=OuterRef("pk"), **placement))


def _free() -> Q:
    return IN_USE & Q(out_of_use=False) & ~_placed(state__in=HOLDING_STATES)


def _bed_count(condition: Q) -> Coalesce:
    """How many of a property's bed spaces meet ``condition`` (removed ones too, unless it
    leaves them out). A subquery rather than a join: the database counts only for the
    properties on the page shown, after ordering and slicing them."""
    counted = (
        BedSpace.all_objects.filter(condition, unit__property=OuterRef("pk"))
        .order_by()
        .values("unit__property")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


# --- Properties and bed spaces ---------------------------------------------------------------


def properties_managed_by(user: User) -> QuerySet[Property]:
    return policy.visible(user, "property.manage", Property.objects.all()).prefetch_related(
        "units__bed_spaces"
    )


def property_for(user: User, *, pk: int, path: str = "") -> Property:
    prop, why = policy.get_or_404(
        user,
        "property.manage",
        Property.objects.select_related("organisation").prefetch_related("units__bed_spaces"),
        pk=pk,
    )
    access_log.record(prop, by=user, basis=why, path=path)
    return prop


def address_visible(user: User, prop: Property) -> bool:
    return policy.can(user, "property.address", prop)


def bed_space_for(user: User, *, pk: int) -> BedSpace:
    bed = (
        BedSpace.objects.select_related("unit__property")
        .filter(
            pk=pk,
            unit__property__in=policy.visible(user, "property.manage", Property.objects.all()),
        )
        .first()
    )
    if bed is None or not policy.can(user, "property.manage", bed.unit.property):
        raise Http404
    return bed


# --- Placements ------------------------------------------------------------------------------


def placements_visible_to(user: User) -> QuerySet[Placement]:
    return policy.visible(user, "placement.view", Placement.objects.all()).select_related(
        "bed_space__unit__property", "case"
    )


def placement_for(user: User, *, pk: int, path: str = "") -> Placement:
    placement, why = policy.get_or_404(
        user,
        "placement.view",
        Placement.objects.select_related("bed_space__unit__property", "case", "provider"),
        pk=pk,
    )
    access_log.record(placement, by=user, basis=why, path=path)
    return placement


# --- Vacancy board ---------------------------------------------------------------------------


# What the board reads of a property: never its address or postcode (encrypted, and not for it).
SUMMARY_FIELDS = ("name", "kind", "region", "local_authority", "specialism", "organisation__name")


# As get_kind_display() and get_specialism_display() say, without translating every label of
# the choices on each call (which they do, to hash them).
_KIND_LABELS = dict(PropertyKind.choices)
_SPECIALISM_LABELS = dict(Specialism.choices)


def _property_summary(prop: Property) -> dict:
    """What a caseworker anywhere may know of a property: never its address or postcode."""
    return {
        "pk": prop.pk,
        "name": prop.name,
        "kind": prop.kind,
        "kind_label": str(_KIND_LABELS.get(prop.kind, prop.kind)),
        "region": prop.region,
        "local_authority": prop.local_authority,
        "specialism": prop.specialism,
        "specialism_label": str(_SPECIALISM_LABELS.get(prop.specialism, prop.specialism)),
        "organisation": prop.organisation.name,
    }


def _unit_flags(units: list[dict]) -> dict:
    children_units = [u for u in units if u["children_accepted"]]
    limits = [u["boys_age_limit"] for u in children_units]
    return {
        "count": len(units),
        "women_only": any(u["women_only"] for u in units),
        "men_only": any(u["men_only"] for u in units),
        "family": any(u["family"] for u in units),
        "accessible": any(u["accessible"] for u in units),
        "children_accepted": bool(children_units),
        # None: no limit in at least one unit (or no unit takes children at all).
        "oldest_boy_accepted": (max(limits) if children_units and None not in limits else None),
        "pets_accepted": any(u["pets_accepted"] for u in units),
        "nrpf_accepted": any(u["nrpf_accepted"] for u in units),
    }


def vacancy_properties(
    user: User, *, region: str = "", kind: str = "", today: date | None = None
) -> QuerySet[Property]:
    """Every organisation's active properties with their bed counts (free now, out of use,
    expected free soon), in board order: one query, for the board to page through."""
    if not policy.can(user, "vacancies.view"):
        return Property.objects.none()
    today = today or timezone.localdate()
    horizon = today + timedelta(days=EXPECTED_VACANCY_DAYS)
    properties = Property.objects.filter(active=True).select_related("organisation")
    if region:
        properties = properties.filter(region__iexact=region.strip())
    if kind:
        properties = properties.filter(kind=kind)
    return (
        properties.only(*SUMMARY_FIELDS)
        .annotate(
            bed_count=_bed_count(IN_USE),
            free_count=_bed_count(_free()),
            out_of_use_count=_bed_count(IN_USE & Q(out_of_use=True)),
            # A planned move-out already past (the resident has not left yet) still counts.
            expected_count=_bed_count(
                _placed(state=PlacementState.MOVED_IN, planned_move_out_on__lte=horizon)
            ),
        )
        .order_by("region", "name", "pk")
    )


def vacancy_rows(properties) -> list[dict]:
    """The board's rows for these properties (from ``vacancy_properties``): two more queries,
    whatever their number of units or bed spaces."""
    properties = list(properties)
    ids = [p.pk for p in properties]

    reasons: dict[int, list[dict]] = {}
    for bed in (
        BedSpace.objects.filter(unit__property_id__in=ids, out_of_use=True)
        .order_by("unit__name", "label")
        .values("unit__property_id", "unit__name", "label", "out_of_use_reason", "out_of_use_until")
    ):
        reasons.setdefault(bed["unit__property_id"], []).append(
            {
                "unit": bed["unit__name"],
                "bed_space": bed["label"],
                "reason": bed["out_of_use_reason"],
                "until": bed["out_of_use_until"],
            }
        )
    units: dict[int, list[dict]] = {}
    for unit in Unit.objects.filter(property_id__in=ids).values():
        units.setdefault(unit["property_id"], []).append(unit)

    return [
        {
            "property": _property_summary(prop),
            "beds": prop.bed_count,
            "free": prop.free_count,
            "out_of_use": prop.out_of_use_count,
            "out_of_use_reasons": reasons.get(prop.pk, []),
            "expected": prop.expected_count,
            "units": _unit_flags(units.get(prop.pk, [])),
        }
        for prop in properties
    ]


def vacancy_board(
    user: User, *, region: str = "", kind: str = "", today: date | None = None
) -> list[dict]:
    """Vacancies now and expected soon, in every organisation's active properties. Three
    queries whatever the number of properties, units or residents."""
    if not policy.can(user, "vacancies.view"):
        return []
    return vacancy_rows(vacancy_properties(user, region=region, kind=kind, today=today))


# --- Matching --------------------------------------------------------------------------------


@dataclass
class Match:
    bed_space: BedSpace
    unit: Unit
    property: Property
    score: int
    reasons: list[str] = field(default_factory=list)


@dataclass
class Excluded:
    property: Property
    reason: str


def _languages(text: str) -> list[str]:
    return [part.strip().casefold() for part in re.split(r"[,;/\n]", text) if part.strip()]


def _score(placement: Placement, unit: Unit, prop: Property) -> tuple[int, list[str]]:
    score, reasons = 0, []
    staff = set(prop.language_list)
    shared = [lang for lang in _languages(placement.languages) if lang in staff]
    if shared:
        score += 3
        spoken = ", ".join(lang.title() for lang in shared)
        reasons.append(_("Staff speak %(languages)s.") % {"languages": spoken})
    if placement.specialism and placement.specialism == prop.specialism:
        score += 4
        reasons.append(_("Specialist service: %(name)s.") % {"name": prop.get_specialism_display()})
    children = bool(placement.child_age_list or placement.boy_age_list)
    if children and unit.family:
        score += 2
        reasons.append(_("A family unit."))
    elif not children and unit.family:
        # Family units are scarce: keep them for families where there is a choice.
        score -= 1
        reasons.append(_("A family unit, better kept for a family."))
    if (placement.needs_accessible or placement.access_needs.strip()) and unit.accessible:
        score += 2
        reasons.append(_("Wheelchair accessible."))
    if (placement.gender == "female" and unit.women_only) or (
        placement.gender == "male" and unit.men_only
    ):
        score += 1
        reasons.append(_("Single-sex unit."))
    return score, reasons


def matches_for(
    placement: Placement, *, today: date | None = None
) -> tuple[list[Match], list[Excluded]]:
    """Free bed spaces of the provider's active properties, best fit first, and the properties
    or units left out with the reason. Exclusions are hard: a survivor is never offered a place
    inside their exclusion areas or a unit that cannot take them. ``today`` is accepted for
    symmetry with the other selectors; a bed space is free or not now."""
    beds = (
        BedSpace.objects.filter(
            unit__property__organisation_id=placement.provider_id,
            unit__property__active=True,
            out_of_use=False,
        )
        .exclude(pk__in=_held_bed_ids())
        .select_related("unit__property")
        # Matches never show an address (the postcode is read, for the exclusion areas).
        .defer("unit__property__address")
        .order_by("unit__property__name", "unit__property_id", "unit__name", "unit_id", "label")
    )
    matches: list[Match] = []
    excluded: list[Excluded] = []
    area_checked: dict[int, str | None] = {}
    unit_checked: dict[int, str | None] = {}
    for bed in beds:
        unit, prop = bed.unit, bed.unit.property
        if prop.pk not in area_checked:
            area_checked[prop.pk] = placement.exclusion_area_of(prop)
            if area_checked[prop.pk]:
                excluded.append(Excluded(property=prop, reason=area_checked[prop.pk]))
        if area_checked[prop.pk]:
            continue
        if unit.pk not in unit_checked:
            unit_checked[unit.pk] = placement.unit_refusal(unit)
            if unit_checked[unit.pk]:
                excluded.append(Excluded(property=prop, reason=unit_checked[unit.pk]))
        if unit_checked[unit.pk]:
            continue
        score, reasons = _score(placement, unit, prop)
        matches.append(Match(bed_space=bed, unit=unit, property=prop, score=score, reasons=reasons))
    matches.sort(key=lambda m: -m.score)  # stable: ties keep property, unit, bed order
    return matches, excluded


# --- The accommodation manager's start page ----------------------------------------------------


def occupancy_rows(properties) -> list[dict]:
    """The occupancy table's rows for these properties (from ``accommodation_lists``)."""
    return [
        {
            "property": prop,
            "beds": prop.bed_count,
            "occupied": prop.occupied,
            "offered": prop.offered,
            "accepted": prop.accepted,
            "out_of_use": prop.out_of_use_count,
            "free": prop.free,
        }
        for prop in properties
    ]


def accommodation_lists(user: User, *, now: datetime | None = None) -> dict[str, QuerySet]:
    """The accommodation manager's start page, not yet read, for the page to take a page of
    each: requests awaiting a decision (oldest first), offers about to expire, planned
    move-outs, and the organisation's properties for ``occupancy_rows``."""
    if not policy.can(user, "property.manage"):
        return {
            "awaiting": Placement.objects.none(),
            "expiring": Placement.objects.none(),
            "move_outs": Placement.objects.none(),
            "occupancy": Property.objects.none(),
        }
    now = now or timezone.now()
    today = timezone.localdate(now)
    ours = policy.visible(user, "placement.view", Placement.objects.all()).filter(
        provider_id=user.organisation_id
    )
    # Only what the start page shows, as columns rather than related objects (and the state,
    # which django-fsm reads on loading).
    shown = ("state", "known_as")
    bed_space = {
        "property_name": F("bed_space__unit__property__name"),
        "unit_name": F("bed_space__unit__name"),
        "bed_space_label": F("bed_space__label"),
    }
    return {
        "awaiting": ours.filter(state=PlacementState.REQUESTED)
        .only(*shown, "requested_at", "risk_level", "children_ages")
        .annotate(requester_organisation=F("requested_by__organisation__name"))
        .order_by("requested_at", "pk"),
        "expiring": ours.filter(
            state=PlacementState.OFFERED, offer_expires_at__lte=now + OFFER_EXPIRY_WARNING
        )
        .only(*shown, "offer_expires_at")
        .annotate(**bed_space)
        .order_by("offer_expires_at", "pk"),
        "move_outs": ours.filter(
            state=PlacementState.MOVED_IN,
            planned_move_out_on__lte=today + timedelta(days=MOVE_OUT_WARNING_DAYS),
        )
        .only(*shown, "planned_move_out_on")
        .annotate(**bed_space)
        .order_by("planned_move_out_on", "pk"),
        "occupancy": policy.visible(user, "property.manage", Property.objects.all())
        .only("name")
        .annotate(
            bed_count=_bed_count(IN_USE),
            occupied=_bed_count(_placed(state=PlacementState.MOVED_IN)),
            offered=_bed_count(_placed(state=PlacementState.OFFERED)),
            accepted=_bed_count(_placed(state=PlacementState.ACCEPTED)),
            out_of_use_count=_bed_count(IN_USE & Q(out_of_use=True)),
            free=_bed_count(_free()),
        )
        .order_by("name", "pk"),
    }


def accommodation_dashboard(user: User, *, now: datetime | None = None) -> dict:
    """``accommodation_lists`` read in full, with the occupancy rows. Four queries."""
    lists = accommodation_lists(user, now=now)
    return {
        "awaiting": list(lists["awaiting"]),
        "expiring": list(lists["expiring"]),
        "move_outs": list(lists["move_outs"]),
        "occupancy": occupancy_rows(lists["occupancy"]),
    }


# --- Reporting: occupancy, void bed-nights, length of stay, outcomes ---------------------------


def _days(duration: timedelta | None) -> int:
    return duration.days if duration else 0


def occupancy_figures(properties, *, start: date, end: date) -> list[dict]:
    """Per property over an inclusive period. A stay occupies the nights from its move-in up to
    the night before its move-out; a stay with no move-out yet runs to the end of the period."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    properties = list(properties)
    ids = [p.pk for p in properties]
    nights = (end - start).days + 1
    after_end = end + timedelta(days=1)

    beds = dict(
        BedSpace.objects.filter(unit__property_id__in=ids)
        .values("unit__property_id")
        .annotate(n=Count("pk"))
        .values_list("unit__property_id", "n")
    )
    stays = Placement.objects.filter(
        bed_space__unit__property_id__in=ids, moved_in_on__isnull=False, moved_in_on__lte=end
    ).filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=start))
    occupied_in_period = ExpressionWrapper(
        Least(Coalesce("moved_out_on", Value(after_end)), Value(after_end))
        - Greatest("moved_in_on", Value(start)),
        output_field=DurationField(),
    )
    occupied = dict(
        stays.values("bed_space__unit__property_id")
        .annotate(total=Sum(occupied_in_period))
        .values_list("bed_space__unit__property_id", "total")
    )
    completed = Placement.objects.filter(
        bed_space__unit__property_id__in=ids,
        moved_in_on__isnull=False,
        moved_out_on__gte=start,
        moved_out_on__lte=end,
    )
    completed_totals = {
        row["bed_space__unit__property_id"]: row
        for row in completed.values("bed_space__unit__property_id").annotate(
            n=Count("pk"),
            total=Sum(
                ExpressionWrapper(
                    F("moved_out_on") - F("moved_in_on"), output_field=DurationField()
                )
            ),
        )
    }
    # The median needs every length; one query for all properties.
    lengths: dict[int, list[int]] = {}
    for prop_id, moved_in, moved_out in completed.values_list(
        "bed_space__unit__property_id", "moved_in_on", "moved_out_on"
    ):
        lengths.setdefault(prop_id, []).append((moved_out - moved_in).days)

    rows = []
    for prop in properties:
        bed_nights = beds.get(prop.pk, 0) * nights
        occupied_nights = _days(occupied.get(prop.pk))
        done = completed_totals.get(prop.pk)
        count = done["n"] if done else 0
        rows.append(
            {
                "property": prop,
                "bed_nights": bed_nights,
                "occupied_nights": occupied_nights,
                "void_nights": bed_nights - occupied_nights,
                "occupancy_rate": round(occupied_nights / bed_nights, 3) if bed_nights else 0.0,
                "stays_completed": count,
                "average_stay_days": (round(_days(done["total"]) / count, 1) if count else None),
                "median_stay_days": (
                    statistics.median(lengths[prop.pk]) if prop.pk in lengths else None
                ),
            }
        )
    return rows


def placement_outcomes(
    user_or_organisation: User | Organisation, *, start: date, end: date
) -> dict:
    """Placement requests made in the period (inclusive), by the state they are in now and by
    decline reason. For an organisation: the requests it received as a provider. For a person:
    the requests they may see (an accommodation manager's incoming requests; a service
    manager's or caseworker's requests for their cases)."""
    if isinstance(user_or_organisation, Organisation):
        placements = Placement.objects.filter(provider=user_or_organisation)
    else:
        placements = policy.visible(user_or_organisation, "placement.view", Placement.objects.all())
    placements = placements.filter(requested_at__date__gte=start, requested_at__date__lte=end)
    by_state = dict(
        placements.order_by().values("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    by_reason = dict(
        placements.filter(state=PlacementState.DECLINED)
        .order_by()
        .values("decline_reason")
        .annotate(n=Count("pk"))
        .values_list("decline_reason", "n")
    )
    return {
        "total": sum(by_state.values()),
        "by_state": [
            {"state": value, "label": str(label), "count": by_state.get(value, 0)}
            for value, label in PlacementState.choices
        ],
        "by_decline_reason": [
            {"reason": value, "label": str(label), "count": by_reason.get(value, 0)}
            for value, label in DeclineReason.choices
        ],
    }
