"""Bench properties, units and bed spaces, sized to the placements the cases need, and the
placements themselves in every state.

A bed space holds at most one offered, accepted or current placement (the database refuses a
second), so holders are given distinct beds; a stay that has ended keeps the bed it had.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import time, timedelta

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
from carepath.bench.base import Bench, set_state
from carepath.bench.cases import CaseFacts, Events
from carepath.bench.people import BenchOrganisation
from casework.models import CaseState

HOLDING = (PlacementState.OFFERED, PlacementState.ACCEPTED, PlacementState.MOVED_IN)
# Which cases ask for a place, and how far their request has got.
PLACEMENT_STATES = {
    CaseState.ASSESSING: (
        0.3,
        (
            (PlacementState.REQUESTED, 50),
            (PlacementState.OFFERED, 15),
            (PlacementState.ACCEPTED, 10),
            (PlacementState.DECLINED, 20),
            (PlacementState.WITHDRAWN, 5),
        ),
    ),
    CaseState.SUPPORTED: (
        0.3,
        (
            (PlacementState.MOVED_IN, 60),
            (PlacementState.MOVED_OUT, 14),
            (PlacementState.REQUESTED, 4),
            (PlacementState.OFFERED, 3),
            (PlacementState.ACCEPTED, 3),
            (PlacementState.DECLINED, 10),
            (PlacementState.WITHDRAWN, 3),
            (PlacementState.OFFER_EXPIRED, 3),
        ),
    ),
    CaseState.CLOSED: (
        0.25,
        (
            (PlacementState.MOVED_OUT, 75),
            (PlacementState.DECLINED, 15),
            (PlacementState.WITHDRAWN, 10),
        ),
    ),
}
PLACEMENT_STATES[CaseState.MOVING_ON] = PLACEMENT_STATES[CaseState.SUPPORTED]
PLACEMENT_STATES[CaseState.MISSING] = PLACEMENT_STATES[CaseState.SUPPORTED]
SPARE_BEDS = 1.25


def seed_accommodation(
    bench: Bench, organisations: list[BenchOrganisation], cases: list[CaseFacts]
) -> None:
    plans = _plan(bench, organisations, cases)
    holders = defaultdict(int)
    for _facts, provider, state in plans:
        if state in HOLDING:
            holders[provider.index] += 1
    beds = {
        org.index: _properties(bench, org, math.ceil(holders[org.index] * SPARE_BEDS) + 4)
        for org in organisations
    }
    events = Events(bench)
    placements = []
    for facts, provider, state in plans:
        placements.append(_placement(bench, facts, provider, state, beds[provider.index], events))
    bench.insert(placements)
    events.flush()


def _plan(bench: Bench, organisations, cases: list[CaseFacts]):
    plans = []
    covered = 0
    for facts in cases:
        if facts.state not in PLACEMENT_STATES:
            continue
        share, states = PLACEMENT_STATES[facts.state]
        if not bench.chance(share):
            continue
        if facts.state == CaseState.SUPPORTED:
            state = bench.covering(covered, states)
            covered += 1
        else:
            state = bench.weighted(states)
        provider = facts.org
        if bench.chance(0.15):
            provider = bench.rng.choice(organisations)
        plans.append((facts, provider, state))
    return plans


class BedPool:
    """The bed spaces of one provider: free ones to hand to holders, any for past stays."""

    def __init__(self, bench: Bench, beds: list[tuple[BedSpace, Unit]]):
        self.bench = bench
        self.beds = beds
        self.free = list(range(len(beds)))
        bench.rng.shuffle(self.free)

    def hold(self, gender: str) -> BedSpace | None:
        for position, index in enumerate(self.free):
            bed, unit = self.beds[index]
            if (gender == "male" and unit.women_only) or (gender == "female" and unit.men_only):
                continue
            del self.free[position]
            return bed
        if self.free:
            return self.beds[self.free.pop()][0]
        return None

    def any(self) -> BedSpace:
        return self.bench.rng.choice(self.beds)[0]


def _properties(bench: Bench, org: BenchOrganisation, wanted: int) -> BedPool:
    rng = bench.rng
    properties, plans = [], []
    total = 0
    while total < wanted:
        local_authority, _police, region, area = rng.choice(org.places)
        n = len(properties) + 1
        prop = Property(
            organisation=org.organisation,
            name=f"Bench house {org.index}-{n}",
            kind=bench.weighted(
                (
                    (PropertyKind.REFUGE, 45),
                    (PropertyKind.SAFE_HOUSE, 35),
                    (PropertyKind.DISPERSED, 20),
                )
            ),
            address=f"{n} Example Street\n{local_authority}",
            postcode=(
                f"{area}{rng.randint(1, 20)} {rng.randint(1, 9)}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            ),
            local_authority=local_authority,
            region=region,
            specialism=rng.choice(Specialism.values) if bench.chance(0.2) else "",
            languages=", ".join(rng.sample(["English", "Arabic", "Polish", "Romanian"], 2)),
            funding_source="Local authority contract",
            weekly_charge=rng.choice((None, 180, 240, 320)),
            active=True,
        )
        units = []
        for u in range(rng.randint(1, 4)):
            women = bench.chance(0.4)
            family = bench.chance(0.2)
            units.append(
                (
                    Unit(
                        name=f"Unit {u + 1}",
                        women_only=women,
                        men_only=not women and bench.chance(0.25),
                        family=family,
                        accessible=bench.chance(0.2),
                        children_accepted=family,
                        boys_age_limit=rng.choice((None, 12, 16)) if family else None,
                        pets_accepted=bench.chance(0.1),
                        nrpf_accepted=bench.chance(0.3),
                    ),
                    rng.randint(1, 4),
                )
            )
            total += units[-1][1]
        properties.append(prop)
        plans.append(units)
    bench.insert(properties)
    all_units = []
    for prop, units in zip(properties, plans, strict=True):
        for unit, _count in units:
            unit.property = prop
            all_units.append(unit)
    bench.insert(all_units)
    beds = []
    for units in plans:
        for unit, count in units:
            for b in range(count):
                beds.append((BedSpace(unit=unit, label=f"Bed {b + 1}"), unit))
    bench.insert([bed for bed, _unit in beds])
    return BedPool(bench, beds)


def _placement(
    bench: Bench,
    facts: CaseFacts,
    provider: BenchOrganisation,
    state: str,
    pool: BedPool,
    events: Events,
) -> Placement:
    rng, now, today = bench.rng, bench.now, bench.today
    start = facts.accepted_on
    end = min(facts.closed_on or today, today)
    recent = state in (
        PlacementState.REQUESTED,
        PlacementState.OFFERED,
        PlacementState.ACCEPTED,
    )
    requested_on = (
        max(start, today - timedelta(days=rng.randint(0, 20)))
        if recent
        else bench.day_between(start, end)
    )
    requested_at = bench.at(requested_on)
    placement = Placement(
        case_id=facts.pk,
        provider=provider.organisation,
        state=state,
        known_as=facts.given_name,
        gender=facts.gender,
        children_ages=rng.choice(("", "", "", "4", "4, 9")),
        languages=facts.languages,
        risk_level=rng.choice(("standard", "medium", "high")),
        nrpf=bench.chance(0.2),
        exclusion_areas=rng.choice(facts.org.places)[0] if bench.chance(0.3) else "",
        requested_by=facts.actor,
        requested_at=requested_at,
    )
    events.add(facts, "placement.requested", requested_at)
    if state in (
        PlacementState.OFFERED,
        PlacementState.ACCEPTED,
        PlacementState.MOVED_IN,
        PlacementState.MOVED_OUT,
        PlacementState.OFFER_EXPIRED,
    ):
        if state == PlacementState.OFFERED:
            # Recent: some expire within the day (the manager's "about to expire" list).
            offered_at = max(requested_at, now - timedelta(hours=rng.randint(1, 40)))
        else:
            latest = min(now, bench.at(end, time(18, 0)))
            offered_at = max(
                requested_at, min(latest, requested_at + timedelta(days=rng.randint(1, 3)))
            )
        placement.offered_at = offered_at
        placement.offer_expires_at = offered_at + timedelta(hours=48)
        events.add(
            facts, "placement.offered", offered_at, by=provider.single["accommodation_manager"]
        )
        if state in HOLDING:
            placement.bed_space = pool.hold(facts.gender)
            if placement.bed_space is None:  # no free bed left: the request waits instead
                set_state(placement, PlacementState.REQUESTED)
                placement.offered_at = placement.offer_expires_at = None
                return placement
        else:
            placement.bed_space = pool.any()
    if state in (PlacementState.MOVED_IN, PlacementState.MOVED_OUT):
        moved_in = min(end, placement.offered_at.date() + timedelta(days=rng.randint(1, 7)))
        placement.moved_in_on = moved_in
        placement.licence_signed = True
        placement.key_worker = "Key worker"
        events.add(facts, "placement.moved_in", bench.at(moved_in))
        if state == PlacementState.MOVED_IN:
            if bench.chance(0.6):
                placement.planned_move_out_on = today + timedelta(days=rng.randint(-3, 120))
        else:
            moved_out = bench.day_between(moved_in + timedelta(days=1), end)
            placement.moved_out_on = max(moved_out, moved_in)
            placement.move_out_reason = rng.choice(
                ("Moved on to own tenancy", "Moved to another refuge", "Returned home")
            )
            placement.move_on_destination = f"{rng.randint(1, 99)} Destination Road"
            events.add(facts, "placement.moved_out", bench.at(placement.moved_out_on))
    elif state == PlacementState.DECLINED:
        placement.decline_reason = rng.choice(DeclineReason.values)
        placement.outcome_notes = "Declined with the reason recorded."
        events.add(facts, "placement.declined", min(now, requested_at + timedelta(days=1)))
    elif state == PlacementState.WITHDRAWN:
        placement.outcome_notes = "No longer needed."
        events.add(facts, "placement.withdrawn", min(now, requested_at + timedelta(days=1)))
    elif state == PlacementState.OFFER_EXPIRED:
        events.add(facts, "placement.offer_expired", placement.offer_expires_at)
    elif state == PlacementState.ACCEPTED:
        events.add(facts, "placement.accepted", min(now, placement.offered_at + timedelta(hours=2)))
    return placement
