"""Every write about accommodation: properties and bed spaces, and the placement pathway."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accommodation.models import (
    OPEN_PLACEMENT_STATES,
    BedSpace,
    DeclineReason,
    Placement,
    PlacementState,
    Property,
    Unit,
)
from carepath import policy
from carepath.audit import timeline
from carepath.pathway import ConflictError, PathwayError, lock, run_transition
from carepath.people.models import Organisation, User
from casework.models import Case

HOLDING_STATES = (PlacementState.OFFERED, PlacementState.ACCEPTED, PlacementState.MOVED_IN)


def _case_open(placement: Placement) -> None:
    if not placement.case.is_open:
        raise PathwayError(_("The case is closed: its placement requests have ended."))


def _not_future(day: date, what: str) -> None:
    if day > timezone.localdate():
        raise PathwayError(_("%(what)s cannot be in the future.") % {"what": what})


# --- Properties, units and bed spaces -----------------------------------------------------


@transaction.atomic
def property_save(*, by: User, prop: Property) -> Property:
    """Create or change a property of the accommodation manager's organisation."""
    if prop.pk is None:
        prop.organisation_id = by.organisation_id
    policy.require(by, "property.manage", prop)
    prop._history_user = by
    created = prop.pk is None
    prop.save()
    timeline.record(prop, by=by, kind="property.created" if created else "property.updated")
    return prop


@transaction.atomic
def unit_save(*, by: User, unit: Unit, bed_spaces: int) -> Unit:
    """Create or change a unit and set how many bed spaces it has. A unit cannot shrink below
    the bed spaces that are occupied, offered or accepted."""
    policy.require(by, "property.manage", unit.property)
    if unit.women_only and unit.men_only:
        raise PathwayError(_("A unit cannot be both women only and men only."))
    if bed_spaces < 1:
        raise PathwayError(_("A unit needs at least one bed space."))
    if bed_spaces > 200:
        raise PathwayError(_("A unit has at most 200 bed spaces."))
    if unit.boys_age_limit is not None and unit.boys_age_limit > 17:
        raise PathwayError(_("The boys' age limit is an age under 18."))
    unit._history_user = by
    unit.save()
    beds = list(BedSpace.all_objects.select_for_update().filter(unit=unit).order_by("pk"))
    held = set(
        Placement.objects.filter(bed_space__in=beds, state__in=HOLDING_STATES).values_list(
            "bed_space_id", flat=True
        )
    )
    if bed_spaces < len(held):
        raise PathwayError(
            _("%(n)d bed spaces are occupied or offered: the capacity cannot be lower.")
            % {"n": len(held)}
        )
    # A bed space with a history is marked removed when the unit shrinks: it leaves the capacity
    # (and every count), and is brought back first when the unit grows again.
    removed = [b for b in beds if b.removed_on]
    in_unit = [b for b in beds if not b.removed_on]
    for bed in removed[: max(bed_spaces - len(in_unit), 0)]:
        bed.removed_on = None
        bed.save()
        in_unit.append(bed)
    labels = {b.label for b in beds}
    number = 0
    while len(in_unit) < bed_spaces:
        number += 1
        label = _("Bed %(n)d") % {"n": number}
        if label not in labels:
            in_unit.append(BedSpace.objects.create(unit=unit, label=label))
    surplus = len(in_unit) - bed_spaces
    for bed in [b for b in reversed(in_unit) if b.pk not in held][: max(surplus, 0)]:
        if bed.placements.exists():
            bed.removed_on = timezone.localdate()
            bed.save()
        else:
            bed.delete()
    timeline.record(
        unit.property, by=by, kind="unit.saved", detail={"unit": unit.pk, "bed_spaces": bed_spaces}
    )
    return unit


@transaction.atomic
def bed_space_set_out_of_use(
    *,
    by: User,
    bed: BedSpace,
    expected_version: int,
    out_of_use: bool,
    reason: str = "",
    until: date | None = None,
) -> BedSpace:
    """Hold a bed space out of use (repair, void) with a reason, or bring it back."""
    policy.require(by, "property.manage", bed.unit.property)
    lock(bed, expected_version=expected_version, by=by)
    if out_of_use:
        if not reason.strip():
            raise PathwayError(_("Say why the bed space is out of use."))
        if bed.placements.filter(state__in=HOLDING_STATES).exists():
            raise PathwayError(_("Someone holds this bed space: it cannot go out of use."))
    bed.out_of_use = out_of_use
    bed.out_of_use_reason = reason if out_of_use else ""
    bed.out_of_use_until = until if out_of_use else None
    bed.save()
    timeline.record(
        bed.unit.property,
        by=by,
        kind="bed.out_of_use" if out_of_use else "bed.back_in_use",
        reason=reason,
        detail={"bed": bed.pk},
    )
    return bed


# --- Placements ------------------------------------------------------------------------


@transaction.atomic
def placement_request(*, by: User, case: Case, provider: Organisation, values: dict) -> Placement:
    """Ask a provider for a place. Several requests may run at once."""
    policy.require(by, "case.edit", case)
    if not case.is_open:
        raise PathwayError(_("Only an open case can ask for accommodation."))
    placement = Placement(case=case, provider=provider, requested_by=by, **values)
    placement.known_as = placement.known_as or case.given_name
    placement.gender = placement.gender or case.gender
    placement._history_user = by
    placement.save()
    timeline.record(
        case,
        by=by,
        kind="placement.requested",
        detail={"placement": placement.pk, "provider": provider.pk},
    )
    return placement


@transaction.atomic
def placement_offer(
    *, by: User, placement: Placement, bed_space: BedSpace, expected_version: int
) -> Placement:
    """Offer a bed space. The bed is locked first, so two offers for the last bed cannot both
    succeed: the second is told the bed has gone."""
    policy.require(by, "placement.manage", placement)
    _case_open(placement)
    bed = BedSpace.objects.select_for_update().select_related("unit__property").get(pk=bed_space.pk)
    if bed.unit.property.organisation_id != placement.provider_id:
        raise PathwayError(_("Offer a bed space of your own organisation."))
    if bed.out_of_use:
        raise PathwayError(_("That bed space is out of use."))
    if not bed.unit.property.active:
        raise PathwayError(_("That property is not taking placements."))
    # The same hard rules as the matching list: never a place inside the person's exclusion
    # areas, or in a unit that cannot take them, whatever bed space the form sent.
    refusal = placement.exclusion_area_of(bed.unit.property) or placement.unit_refusal(bed.unit)
    if refusal:
        raise PathwayError(refusal)
    if Placement.objects.filter(bed_space=bed, state__in=HOLDING_STATES).exists():
        raise PathwayError(_("That bed space has just been offered to someone else."))
    now = timezone.now()
    expires = now + timedelta(hours=settings.PLACEMENT_OFFER_HOURS)
    try:
        with transaction.atomic():
            run_transition(
                placement,
                "offer",
                by=by,
                permission="placement.manage",
                expected_version=expected_version,
                bed_space=bed,
                at=now,
                expires_at=expires,
            )
    except IntegrityError:
        raise PathwayError(_("That bed space has just been offered to someone else.")) from None
    timeline.record(
        placement.case, by=by, kind="placement.offered", detail={"placement": placement.pk}
    )
    return placement


@transaction.atomic
def placement_accept(*, by: User, placement: Placement, expected_version: int) -> Placement:
    _case_open(placement)
    """The person takes the offer; their other open requests are withdrawn."""
    if placement.offer_expires_at and placement.offer_expires_at < timezone.now():
        raise PathwayError(_("This offer has expired."))
    # Every open request of the case is locked, always in the same order, so that two offers
    # accepted at once cannot deadlock: the second waits, then finds its request withdrawn.
    list(
        Placement.objects.select_for_update()
        .filter(case_id=placement.case_id, state__in=OPEN_PLACEMENT_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    run_transition(
        placement,
        "accept",
        by=by,
        permission="placement.transition",
        expected_version=expected_version,
    )
    # Locked (above), so a request offered at this very moment is withdrawn too instead of
    # failing its version check and staying open: the person would then hold two beds.
    others = (
        Placement.objects.select_for_update()
        .filter(case=placement.case, state__in=OPEN_PLACEMENT_STATES)
        .exclude(pk=placement.pk)
        .order_by("pk")
    )
    for other in others:
        other.withdraw(notes=_("Another offer was accepted"))
        other._history_user = by
        other.save()
        timeline.record(
            placement.case,
            by=by,
            kind="placement.withdrawn",
            reason=other.outcome_notes,
            detail={"placement": other.pk},
        )
    timeline.record(
        placement.case, by=by, kind="placement.accepted", detail={"placement": placement.pk}
    )
    return placement


@transaction.atomic
def placement_decline(
    *, by: User, placement: Placement, expected_version: int, reason: str, notes: str = ""
) -> Placement:
    if reason not in DeclineReason.values:
        raise PathwayError(_("Choose the reason."))
    run_transition(
        placement,
        "decline",
        by=by,
        permission="placement.transition",
        expected_version=expected_version,
        reason=reason,
        notes=notes,
    )
    timeline.record(
        placement.case,
        by=by,
        kind="placement.declined",
        reason=notes,
        detail={"placement": placement.pk, "reason": reason},
    )
    return placement


@transaction.atomic
def placement_withdraw(
    *, by: User, placement: Placement, expected_version: int, notes: str
) -> Placement:
    run_transition(
        placement,
        "withdraw",
        by=by,
        permission="placement.transition",
        expected_version=expected_version,
        notes=notes,
    )
    timeline.record(
        placement.case,
        by=by,
        kind="placement.withdrawn",
        reason=notes,
        detail={"placement": placement.pk},
    )
    return placement


def placements_expire_offers(*, now: datetime | None = None) -> int:
    """Offers not taken up in time lapse, and free their bed spaces."""
    now = now or timezone.now()
    expired = 0
    for placement in Placement.objects.filter(
        state=PlacementState.OFFERED, offer_expires_at__lt=now
    ):
        placement.expire()
        try:
            with transaction.atomic():
                placement.save()
                timeline.record(
                    placement.case,
                    by=None,
                    kind="placement.offer_expired",
                    detail={"placement": placement.pk},
                )
        except ConflictError:
            continue
        expired += 1
    return expired


@transaction.atomic
def placement_move_in(
    *,
    by: User,
    placement: Placement,
    expected_version: int,
    on: date,
    licence_signed: bool,
    key_worker: str,
    planned_move_out_on: date | None = None,
) -> Placement:
    _not_future(on, _("The move-in date"))
    _case_open(placement)
    # A stay recorded after the event may predate the offer in the system, not the referral.
    if on < placement.case.referral_date:
        raise PathwayError(_("The move-in cannot be before the person was referred."))
    elsewhere = Placement.objects.filter(case=placement.case, state=PlacementState.MOVED_IN)
    if elsewhere.exclude(pk=placement.pk).exists():
        raise PathwayError(
            _("This person is still living in another place: record that move-out first.")
        )
    last_out = (
        Placement.objects.filter(bed_space_id=placement.bed_space_id, moved_out_on__isnull=False)
        .order_by("-moved_out_on")
        .values_list("moved_out_on", flat=True)
        .first()
    )
    if last_out and on < last_out:
        raise PathwayError(
            _("The bed space was still occupied then: the last resident moved out on %(date)s.")
            % {"date": last_out.strftime("%d/%m/%Y")}
        )
    if planned_move_out_on and planned_move_out_on < on:
        raise PathwayError(_("The planned move-out cannot be before the move-in."))
    placement.planned_move_out_on = planned_move_out_on
    run_transition(
        placement,
        "move_in",
        by=by,
        permission="placement.manage",
        expected_version=expected_version,
        on=on,
        licence_signed=licence_signed,
        key_worker=key_worker,
    )
    timeline.record(
        placement.case, by=by, kind="placement.moved_in", detail={"placement": placement.pk}
    )
    return placement


@transaction.atomic
def placement_move_out(
    *,
    by: User,
    placement: Placement,
    expected_version: int,
    on: date,
    reason: str,
    destination: str,
) -> Placement:
    _not_future(on, _("The move-out date"))
    if placement.moved_in_on and on < placement.moved_in_on:
        raise PathwayError(_("A move-out cannot be before the move-in."))
    if not reason.strip():
        raise PathwayError(_("Say why they moved out."))
    run_transition(
        placement,
        "move_out",
        by=by,
        permission="placement.manage",
        expected_version=expected_version,
        on=on,
        reason=reason,
        destination=destination,
    )
    timeline.record(
        placement.case,
        by=by,
        kind="placement.moved_out",
        reason=reason,
        detail={"placement": placement.pk},
    )
    return placement


@transaction.atomic
def placements_end_with_case(*, by: User, case: Case) -> int:
    """When a case closes or is declined: its requests and offers are withdrawn. A person with
    an accepted place or still living in one must be moved out first."""
    placements = list(
        Placement.objects.select_for_update().filter(case=case, state__in=OPEN_PLACEMENT_STATES)
    )
    if Placement.objects.filter(case=case, state=PlacementState.MOVED_IN).exists() or any(
        p.state == PlacementState.ACCEPTED for p in placements
    ):
        raise PathwayError(
            _(
                "This person has a place: record the move-out (or withdraw the accepted offer) "
                "before the case ends."
            )
        )
    for placement in placements:
        placement.withdraw(notes=_("The case ended"))
        placement._history_user = by
        placement.save()
        timeline.record(
            case,
            by=by,
            kind="placement.withdrawn",
            reason=_("The case ended"),
            detail={"placement": placement.pk},
        )
    return len(placements)
