"""The accommodation report: occupancy and void bed-nights of the organisation's properties,
length of stay, and the placement requests it received by outcome and decline reason.

Definitions (also on the page, in ``NOTES``):
- the night of a day D is occupied when someone moved in on or before D and had not moved
  out by D (moved_in_on <= D < moved_out_on, or no move-out yet): the day of the move-out is
  not a night of that stay;
- a bed space is available from the day it was added (the UK date of its first history row)
  until the day it was removed from its unit (``removed_on``) or deleted, less the time it
  was removed before being brought back; a bed space someone lived in counts as available
  on those nights even when it was recorded later (stays recorded after the event);
- nights after today are not counted;
- a stay's length runs from the move-in to the move-out, in days; a band of "n months" is
  whole calendar months counted from the move-in day;
- requests count by the UK date they were made, by the state they are in now.
"""

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accommodation.models import BedSpace, DeclineReason, Placement, PlacementState, Property
from carepath.reporting.disclosure import TOTAL_ROW, Relation
from carepath.reporting.durations import Band, duration_tables
from carepath.reporting.filters import ReportFilter
from carepath.reporting.tables import (
    LABEL,
    NUMBER,
    SHARE,
    TOTAL,
    Chart,
    Column,
    Report,
    Table,
    share,
    totals_of,
)

Span = tuple[date, date]  # the nights from the first day up to, not including, the second

STAY_BANDS = (
    Band("under_1", _("Under 1 month"), 1),
    Band("1_to_3", _("1 to under 3 months"), 3),
    Band("3_to_6", _("3 to under 6 months"), 6),
    Band("6_to_12", _("6 to under 12 months"), 12),
    Band("12_plus", _("12 months or more"), None),
)
REQUEST_OUTCOMES = {
    "open": (
        _("Still open (requested, offered or accepted)"),
        (PlacementState.REQUESTED, PlacementState.OFFERED, PlacementState.ACCEPTED),
    ),
    "placed": (
        _("Placed (moved in, or since moved out)"),
        (PlacementState.MOVED_IN, PlacementState.MOVED_OUT),
    ),
    "declined": (_("Declined"), (PlacementState.DECLINED,)),
    "withdrawn": (_("Withdrawn"), (PlacementState.WITHDRAWN,)),
    "offer_expired": (_("Offer expired"), (PlacementState.OFFER_EXPIRED,)),
}
NOT_RECORDED = ""

NOTES = [
    _("The period includes both its first and its last day."),
    _(
        "Properties are those of your organisation, narrowed by the region and local "
        "authority of the property. The team and jurisdiction filters do not apply to "
        "properties or placement requests."
    ),
    _(
        "The night of a day counts as occupied when someone moved in on or before that day "
        "and had not moved out by it: the day of a move-out is not a night of that stay."
    ),
    _(
        "A bed space is available from the day it was added until the day it was removed "
        "from its unit, less any time it was removed before being brought back; one someone "
        "lived in counts as available on those nights even if it was added to the system "
        "later. A bed space added before its history was kept counts from the start of the "
        "period. Bed spaces held out of use count as available, so their nights are void."
    ),
    _("Void bed-nights are available bed-nights not occupied. Nights after today are not counted."),
    _(
        "Length of stay counts the stays that ended (moved out) in the period, from the "
        "move-in to the move-out. A band counts whole calendar months from the move-in day; "
        "the median and the mean are in days."
    ),
    _(
        "Placement requests are those your organisation received as a provider, counted by "
        "the day (UK time) they were made and by the state they are in now. The region and "
        "local authority filters do not apply to them: a request is made to the "
        "organisation, not to a property."
    ),
]


def _uk_day(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[list[date]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _nights(spans: list[Span], start: date, end: date) -> int:
    """How many nights of [start, end) the spans cover."""
    return sum(
        max((min(span_end, end) - max(span_start, start)).days, 0)
        for span_start, span_end in _merged(spans)
    )


def _available_spans(history: list[tuple]) -> list[Span]:
    """When a bed space was part of its unit, from its history rows (oldest first)."""
    spans: list[Span] = []
    opened: date | None = None
    for index, (moment, kind, removed_on) in enumerate(history):
        day = _uk_day(moment)
        if kind == "-":  # deleted
            if opened is not None:
                spans.append((opened, day))
                opened = None
        elif removed_on is None:
            if opened is None:
                # A first row that is not the creation: it existed before its history began.
                opened = date.min if index == 0 and kind != "+" else day
        elif opened is not None:
            spans.append((opened, max(opened, min(removed_on, day))))
            opened = None
    if opened is not None:
        spans.append((opened, date.max))
    return spans


def _properties(filters: ReportFilter) -> QuerySet[Property]:
    properties = Property.objects.filter(organisation_id__in=filters.organisations)
    if filters.region:
        properties = properties.filter(region__iexact=filters.region)
    if filters.local_authority:
        properties = properties.filter(local_authority__iexact=filters.local_authority)
    return properties.order_by()


def _occupancy_table(properties: QuerySet[Property], filters: ReportFilter) -> Table:
    start = filters.since
    end = min(filters.until, timezone.localdate()) + timedelta(days=1)
    in_scope = properties.values("pk")
    found = list(properties.order_by("name", "pk").values_list("pk", "name", "local_authority"))

    property_of: dict[int, int] = {}
    current_removal: dict[int, date | None] = {}
    in_use_now: Counter = Counter()
    history: dict[int, list[tuple]] = defaultdict(list)
    for bed, prop, removed_on in BedSpace.all_objects.filter(
        unit__property__in=in_scope
    ).values_list("pk", "unit__property_id", "removed_on"):
        property_of[bed] = prop
        current_removal[bed] = removed_on
        in_use_now[prop] += removed_on is None
        history[bed] = []
    # Bed spaces deleted since (a unit that shrank) are found in their history only.
    for bed, prop, moment, kind, removed_on in (
        BedSpace.history.model.objects.filter(unit__property__in=in_scope)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "unit__property_id", "history_date", "history_type", "removed_on")
    ):
        property_of[bed] = prop
        history[bed].append((moment, kind, removed_on))

    stays: dict[int, list[Span]] = defaultdict(list)
    for bed, moved_in, moved_out in (
        Placement.objects.filter(
            bed_space__unit__property__in=in_scope, moved_in_on__isnull=False, moved_in_on__lt=end
        )
        .filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=start))
        .order_by()
        .values_list("bed_space_id", "moved_in_on", "moved_out_on")
    ):
        stays[bed].append((moved_in, moved_out or date.max))

    available: Counter = Counter()
    occupied: Counter = Counter()
    for bed, rows in history.items():
        prop = property_of[bed]
        spans = _available_spans(rows) if rows else [(date.min, current_removal[bed] or date.max)]
        occupied[prop] += _nights(stays[bed], start, end)
        available[prop] += _nights([*spans, *stays[bed]], start, end)

    rows = []
    for prop, name, local_authority in found:
        row = {
            "property": name,
            "local_authority": local_authority,
            "bed_spaces": in_use_now[prop],
            TOTAL: available[prop],
            "occupied": occupied[prop],
            "void": available[prop] - occupied[prop],
        }
        row["occupancy"] = share(row["occupied"], row[TOTAL])
        rows.append(row)
    total_row = totals_of(
        rows, ["bed_spaces", TOTAL, "occupied", "void"], property=_("Total"), local_authority=None
    )
    total_row["occupancy"] = share(total_row["occupied"], total_row[TOTAL])
    return Table(
        key="occupancy",
        title=_("Occupancy and void bed-nights"),
        description=_(
            "Per property: bed spaces now, and over the period (up to today) the bed-nights "
            "available, occupied and void. The night of a day is occupied when someone moved "
            "in on or before it and had not yet moved out."
        ),
        columns=[
            Column("property", _("Property"), LABEL),
            Column("local_authority", _("Local authority"), LABEL),
            Column("bed_spaces", _("Bed spaces now"), NUMBER),
            Column(TOTAL, _("Available bed-nights")),
            Column("occupied", _("Occupied bed-nights")),
            Column("void", _("Void bed-nights")),
            Column("occupancy", _("Occupancy (%)"), SHARE, depends_on=("occupied", TOTAL)),
        ],
        rows=rows,
        total_row=total_row,
        sums=("occupied", "void"),
        chart=Chart("property", ("occupied", "void"), stacked=True, horizontal=True, limit=20),
    )


def _length_of_stay_tables(properties: QuerySet[Property], filters: ReportFilter) -> list[Table]:
    ended = list(
        Placement.objects.filter(
            filters.period_q("moved_out_on"),
            bed_space__unit__property__in=properties.values("pk"),
            moved_in_on__isnull=False,
        )
        .order_by()
        .values_list("moved_in_on", "moved_out_on")
    )
    return duration_tables(
        ended,
        bands=STAY_BANDS,
        key="length_of_stay",
        count_key="stays",
        count_label=_("Stays ended"),
        band_label=_("Length of stay"),
        title=_("Length of stay of the stays that ended"),
        description=_(
            "Stays with a move-out in the period, from the move-in to the move-out, in whole "
            "calendar months counted from the move-in day."
        ),
        summary_title=_("Length of stay in days"),
        summary_description=_("The median and the mean number of days from move-in to move-out."),
    )


def _uk_days_q(field: str, filters: ReportFilter) -> Q:
    """Moments whose UK date is in the period: from midnight starting its first day to
    midnight ending its last (no bound past the last day there is a date for)."""
    zone = timezone.get_default_timezone()
    wanted = Q()
    if filters.since > date.min:
        wanted &= Q(**{f"{field}__gte": datetime.combine(filters.since, time.min, tzinfo=zone)})
    if filters.until < date.max:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=zone)
        wanted &= Q(**{f"{field}__lt": end})
    return wanted


def _request_tables(filters: ReportFilter) -> list[Table]:
    counted = (
        Placement.objects.filter(
            _uk_days_q("requested_at", filters), provider_id__in=filters.organisations
        )
        .values("state", "decline_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_state: Counter = Counter()
    by_reason: Counter = Counter()
    for row in counted:
        by_state[row["state"]] += row["n"]
        if row["state"] == PlacementState.DECLINED:
            # A reason no longer among the choices counts as not recorded: the rows add up
            # to the requests declined (the table above gives that number too).
            reason = row["decline_reason"]
            by_reason[reason if reason in DeclineReason.values else NOT_RECORDED] += row["n"]

    outcome_rows = [
        {"outcome": key, "requests": sum(by_state[state] for state in states)}
        for key, (_label, states) in REQUEST_OUTCOMES.items()
    ]
    reasons = list(DeclineReason.values)
    if by_reason.get(NOT_RECORDED):
        reasons.append(NOT_RECORDED)
    reason_rows = [{"reason": reason, "requests": by_reason[reason]} for reason in reasons]
    return [
        Table(
            key="requests",
            title=_("Placement requests received by outcome"),
            description=_(
                "Requests made to your organisation as a provider on a day (UK time) in the "
                "period, by the state they are in now."
            ),
            columns=[
                Column(
                    "outcome",
                    _("Outcome"),
                    LABEL,
                    display={key: label for key, (label, _states) in REQUEST_OUTCOMES.items()},
                ),
                Column("requests", _("Requests")),
            ],
            rows=outcome_rows,
            total_row=totals_of(outcome_rows, ["requests"], outcome=_("Total")),
            chart=Chart("outcome", ("requests",), horizontal=True),
        ),
        Table(
            key="decline_reasons",
            title=_("Placement requests declined by reason"),
            description=_("The requests of the table above that were declined, by the reason."),
            columns=[
                Column(
                    "reason",
                    _("Why declined"),
                    LABEL,
                    display={**dict(DeclineReason.choices), NOT_RECORDED: _("Not recorded")},
                ),
                Column("requests", _("Requests declined")),
            ],
            rows=reason_rows,
            total_row=totals_of(reason_rows, ["requests"], reason=_("Total")),
            chart=Chart("reason", ("requests",), horizontal=True),
        ),
    ]


def _relations() -> list[Relation]:
    """The figures the tables share: a reader holding the whole report could put them
    together, so disclosure control weighs them together."""
    return [
        # The stays that ended, by band and with their median.
        Relation(("length_of_stay", TOTAL_ROW, "stays"), (("length_of_stay_summary", 0, "stays"),)),
        # The requests declined, by outcome and by reason.
        Relation(
            ("requests", list(REQUEST_OUTCOMES).index("declined"), "requests"),
            (("decline_reasons", TOTAL_ROW, "requests"),),
        ),
    ]


def accommodation_report(filters: ReportFilter) -> Report:
    properties = _properties(filters)
    return Report(
        key="accommodation",
        title=str(_("Accommodation")),
        tables=[
            _occupancy_table(properties, filters),
            *_length_of_stay_tables(properties, filters),
            *_request_tables(filters),
        ],
        notes=[str(note) for note in NOTES],
        relations=_relations(),
    )
