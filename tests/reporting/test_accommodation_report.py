"""The accommodation report: occupancy, void bed-nights, length of stay and placement requests
against figures worked out by hand from properties, bed spaces and placements made through
the accommodation services (bed spaces added and removed on the days they were), the period's
edges, the filters, disclosure control, and the page with its XLSX download."""

import datetime
import io
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accommodation import services
from accommodation.models import Placement, Property, Unit
from accommodation.reports import accommodation_report
from carepath.people.models import Role
from carepath.reporting import disclosure, rendering
from carepath.reporting.filters import ReportFilter
from carepath.reporting.tables import TOTAL
from casework.services.cases import case_accept
from tests.factories import CaseFactory, TeamFactory

d = datetime.date
LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON)
JANUARY = {"since": d(2026, 1, 1), "until": d(2026, 1, 31)}  # 31 nights


def _filter(organisation, *, since=JANUARY["since"], until=JANUARY["until"], **values):
    return ReportFilter(since=since, until=until, organisations=(organisation.pk,), **values)


def _rows(table, *keys) -> list[tuple]:
    return [tuple(row[key] for key in keys) for row in table.rows]


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 12, 0, tzinfo=LONDON)


@pytest.fixture
def housing_a(make_user, org_a):
    return make_user(org_a, Role.ACCOMMODATION_MANAGER, username="housing.a")


@pytest.fixture
def housing_b(make_user, org_b):
    return make_user(org_b, Role.ACCOMMODATION_MANAGER, username="housing.b")


@pytest.fixture
def housing(time_machine, manager_a, team_a, caseworker_a):
    """Properties, units and placements made through the services, on the days they happen."""

    class Housing:
        def at(self, moment: datetime.datetime):
            time_machine.move_to(moment, tick=False)

        def property(self, by, name, *, region="Wales", local_authority="Cardiff"):
            prop = Property(
                name=name,
                kind="refuge",
                address="1 Secret Street",
                postcode="CF10 1AA",
                local_authority=local_authority,
                region=region,
            )
            return services.property_save(by=by, prop=prop)

        def unit(self, by, prop, beds, name="Flat 1"):
            unit = Unit.objects.filter(property=prop, name=name).first() or Unit(
                property=prop, name=name
            )
            return services.unit_save(by=by, unit=unit, bed_spaces=beds)

        def beds(self, unit):
            return list(unit.bed_spaces.order_by("pk"))

        def case(self, *, team=None, by=None, worker=None):
            case = CaseFactory(
                team=team or team_a, by=by or manager_a, referral_date=d(2024, 10, 1)
            )
            return case_accept(
                by=by or manager_a,
                case=case,
                caseworker=worker or caseworker_a,
                expected_version=case.version,
            )

        def request(self, provider, *, case=None):
            case = case or self.case()
            return services.placement_request(
                by=case.caseworker,
                case=case,
                provider=provider,
                values={"known_as": "Sam", "gender": "female"},
            )

        def offer(self, placement, bed, by):
            return services.placement_offer(
                by=by, placement=placement, bed_space=bed, expected_version=placement.version
            )

        def accept(self, placement):
            return services.placement_accept(
                by=placement.case.caseworker,
                placement=placement,
                expected_version=placement.version,
            )

        def move_in(self, placement, on, by):
            return services.placement_move_in(
                by=by,
                placement=placement,
                expected_version=placement.version,
                on=on,
                licence_signed=True,
                key_worker="Jo",
            )

        def move_out(self, placement, on, by):
            return services.placement_move_out(
                by=by,
                placement=placement,
                expected_version=placement.version,
                on=on,
                reason="Moved on",
                destination="Own tenancy",
            )

        def stay(self, bed, moved_in, moved_out, by):
            """A whole stay, recorded (after the event) through the placement pathway."""
            placement = self.request(bed.unit.property.organisation)
            placement = self.move_in(self.accept(self.offer(placement, bed, by)), moved_in, by)
            if moved_out:
                placement = self.move_out(placement, moved_out, by)
            return placement

    return Housing()


@pytest.fixture
def seeded(housing, org_a, org_b, housing_a, housing_b, make_user):
    """Organisation A's properties (the figures in the tests are worked out from these) and
    one of organisation B that is never counted for A."""
    h, by = housing, housing_a
    h.at(_noon(d(2025, 6, 1)))
    elder = h.property(by, "Elder", local_authority="Newport")
    (e1,) = h.beds(h.unit(by, elder, 1))
    elm = h.property(housing_b, "Elm")
    (m1,) = h.beds(h.unit(housing_b, elm, 1))
    h.at(_noon(d(2025, 11, 1)))
    cedar = h.property(by, "Cedar", local_authority="Swansea")
    c1, _c2, _c3 = h.beds(h.unit(by, cedar, 3))
    h.at(_noon(d(2025, 12, 1)))
    ash = h.property(by, "Ash")
    a1, a2 = h.beds(h.unit(by, ash, 2))
    h.at(_noon(d(2026, 1, 11)))
    birch = h.property(by, "Birch", region="South West", local_authority="Bristol")
    (b1,) = h.beds(h.unit(by, birch, 1))
    h.at(_noon(d(2026, 1, 16)))
    h.unit(by, cedar, 1)  # two empty bed spaces deleted
    h.at(_noon(d(2026, 1, 21)))
    b2 = h.beds(h.unit(by, birch, 2))[1]
    h.at(_noon(d(2026, 1, 23)))
    h.stay(b2, d(2026, 1, 21), d(2026, 1, 23), by)
    h.at(_noon(d(2026, 1, 26)))
    h.unit(by, birch, 1)  # bed 2 has had a stay: removed, not deleted
    h.at(_noon(d(2026, 1, 29)))
    h.unit(by, birch, 2)  # bed 2 brought back

    h.at(NOW)
    dale = h.property(by, "Dale")
    (d1,) = h.beds(h.unit(by, dale, 1))  # added today; its stay is recorded after the event
    h.stay(a1, d(2025, 11, 20), d(2026, 1, 10), by)
    h.stay(a1, d(2026, 1, 10), d(2026, 1, 20), by)
    h.stay(a1, d(2026, 1, 25), None, by)
    h.stay(a2, d(2025, 10, 1), d(2026, 1, 1), by)
    h.stay(a2, d(2026, 1, 28), d(2026, 2, 1), by)
    h.stay(b1, d(2026, 1, 12), d(2026, 1, 31), by)
    h.stay(c1, d(2025, 7, 20), d(2026, 1, 20), by)
    h.stay(d1, d(2024, 11, 1), d(2026, 1, 18), by)
    h.stay(e1, d(2025, 12, 1), d(2025, 12, 31), by)
    h.stay(e1, d(2026, 1, 30), None, by)
    team_of_b = TeamFactory(organisation=org_b, name="Team of B")
    worker_b = make_user(org_b, Role.CASEWORKER, username="worker.of.b", teams=[team_of_b])
    placement = h.request(org_b, case=h.case(team=team_of_b, by=worker_b, worker=worker_b))
    placement = h.accept(h.offer(placement, m1, housing_b))
    h.move_out(h.move_in(placement, d(2026, 1, 5), housing_b), d(2026, 1, 25), housing_b)


# --- Occupancy -----------------------------------------------------------------------------------

OCCUPANCY = ("property", "bed_spaces", TOTAL, "occupied", "void", "occupancy")


def test_occupancy_and_void_bed_nights_per_property(seeded, org_a):
    table = accommodation_report(_filter(org_a)).table("occupancy")

    assert _rows(table, *OCCUPANCY) == [
        # Beds added 1 Dec: 2 x 31. Bed 1: 1-9 Jan, 10-19 Jan, 25-31 Jan (still there) = 26;
        # bed 2: the stay that left on 1 Jan has no night in January; 28-31 Jan = 4.
        ("Ash", 2, 62, 30, 32, Decimal("48.4")),
        # Bed 1 added 11 Jan: 11-31 (21), occupied 12-30 (19). Bed 2 added 21 Jan, removed
        # 26 Jan, back 29 Jan: 21-25 and 29-31 (8), occupied 21-22 (2).
        ("Birch", 2, 29, 21, 8, Decimal("72.4")),
        # Three beds since November, two deleted on 16 Jan: 31 + 2 x 15; occupied 1-19 Jan.
        ("Cedar", 1, 61, 19, 42, Decimal("31.1")),
        # Added on 10 March, but someone lived there until 18 Jan: 1-17 Jan, all occupied.
        ("Dale", 1, 17, 17, 0, Decimal("100.0")),
        # Empty from 31 Dec (the move-out day) until the move-in on 30 Jan: 30-31 Jan.
        ("Elder", 1, 31, 2, 29, Decimal("6.5")),
    ]
    total = table.total_row
    assert [total[key] for key in OCCUPANCY[1:]] == [7, 200, 89, 111, Decimal("44.5")]
    assert table.sums == ("occupied", "void")


def test_a_one_night_period_and_nights_after_today(seeded, org_a):
    one_night = accommodation_report(_filter(org_a, since=d(2026, 1, 10), until=d(2026, 1, 10)))
    # Ash: bed 1's second stay began on the 10th, the first left that day; bed 2 empty.
    assert _rows(one_night.table("occupancy"), "property", TOTAL, "occupied")[0] == ("Ash", 2, 1)

    to_come = accommodation_report(_filter(org_a, since=d(2026, 3, 9), until=d(2026, 4, 30)))
    # Only the nights of 9 and 10 March (today) count: Ash bed 1 and Elder are lived in.
    assert _rows(to_come.table("occupancy"), "property", TOTAL, "occupied") == [
        ("Ash", 4, 2),
        ("Birch", 4, 0),
        ("Cedar", 2, 0),
        ("Dale", 1, 0),
        ("Elder", 2, 2),
    ]


# --- Length of stay ------------------------------------------------------------------------------


def test_length_of_stay_of_the_stays_that_ended_in_the_period(seeded, org_a):
    report = accommodation_report(_filter(org_a))

    bands = report.table("length_of_stay")
    # Ended in January: 2 days (Birch bed 2), 10 (Ash, 10-20 Jan), 19 (Birch, out on the
    # 31st), 51 (Ash, 20 Nov-10 Jan), 92 (Ash, 1 Oct-1 Jan: 3 months, out on the 1st), 184
    # (Cedar, 20 Jul-20 Jan: 6 months), 443 (Dale, from November 2024). Not the stays that
    # ended on 31 December (Elder) or 1 February (Ash), nor organisation B's.
    assert _rows(bands, "band", "stays") == [
        ("under_1", 3),
        ("1_to_3", 1),
        ("3_to_6", 1),
        ("6_to_12", 1),
        ("12_plus", 1),
    ]
    assert bands.total_row["stays"] == 7
    summary = report.table("length_of_stay_summary")
    assert _rows(summary, "stays", "median_days", "mean_days") == [
        (7, Decimal("51.0"), Decimal("114.4"))  # 801 / 7
    ]


# --- Requests ------------------------------------------------------------------------------------

JULY = {"since": d(2025, 7, 1), "until": d(2025, 7, 31)}  # British Summer Time


@pytest.fixture
def requests_seeded(housing, org_a, org_b, housing_a, housing_b):
    """Requests made to organisation A (and one to B) around July 2025; UTC times below are an
    hour behind the UK."""
    h, by, utc = housing, housing_a, datetime.UTC
    h.at(_noon(d(2025, 6, 15)))
    beds = h.beds(h.unit(by, h.property(by, "Rowan"), 4))

    def made(moment):
        h.at(moment)
        return h.request(org_a)

    made(datetime.datetime(2025, 6, 30, 23, 30, tzinfo=utc))  # 00:30 on 1 July: open
    early = made(datetime.datetime(2025, 6, 30, 22, 59, tzinfo=utc))  # 23:59 on 30 June
    services.placement_decline(
        by=by, placement=early, expected_version=early.version, reason="no_capacity"
    )
    for day, reason in ((10, "no_capacity"), (11, "no_capacity"), (12, "nrpf")):
        placement = made(_noon(d(2025, 7, day)))
        services.placement_decline(
            by=by, placement=placement, expected_version=placement.version, reason=reason
        )
    placement = made(_noon(d(2025, 7, 13)))
    services.placement_withdraw(
        by=placement.case.caseworker,
        placement=placement,
        expected_version=placement.version,
        notes="Found a place nearer family",
    )
    placed = h.accept(h.offer(made(_noon(d(2025, 7, 15))), beds[0], by))
    left = h.accept(h.offer(made(_noon(d(2025, 7, 16))), beds[1], by))
    lapsed = h.offer(made(_noon(d(2025, 7, 14))), beds[2], by)
    assert services.placements_expire_offers(now=lapsed.offer_expires_at + datetime.timedelta(1))
    h.at(_noon(d(2025, 7, 26)))
    h.move_in(placed, d(2025, 7, 20), by)
    h.move_out(h.move_in(left, d(2025, 7, 17), by), d(2025, 7, 25), by)
    offered = made(datetime.datetime(2025, 7, 31, 22, 30, tzinfo=utc))  # 23:30 on 31 July
    h.offer(offered, beds[2], by)
    made(datetime.datetime(2025, 7, 31, 23, 0, tzinfo=utc))  # midnight starting 1 August
    h.at(_noon(d(2025, 7, 10)))
    elsewhere = h.request(org_b)
    services.placement_decline(
        by=housing_b, placement=elsewhere, expected_version=elsewhere.version, reason="nrpf"
    )


def test_requests_by_outcome_and_decline_reason_by_the_uk_day_they_were_made(
    requests_seeded, org_a
):
    report = accommodation_report(_filter(org_a, **JULY))

    # 00:30 on 1 July and 23:30 on 31 July count; 23:59 on 30 June and 00:00 on 1 August do not.
    assert _rows(report.table("requests"), "outcome", "requests") == [
        ("open", 2),  # requested at 00:30 on 1 July; offered at 23:30 on 31 July
        ("placed", 2),  # one still there, one moved out
        ("declined", 3),
        ("withdrawn", 1),
        ("offer_expired", 1),
    ]
    assert report.table("requests").total_row["requests"] == 9
    reasons = report.table("decline_reasons")
    assert _rows(reasons, "reason", "requests") == [
        ("no_capacity", 2),  # not the one made at 23:59 on 30 June
        ("survivor_declined", 0),
        ("inappropriate_referral", 0),
        ("too_close_to_perpetrator", 0),
        ("too_far_from_perpetrator", 0),
        ("accessibility", 0),
        ("caring_duties", 0),
        ("nrpf", 1),  # not organisation B's
    ]
    assert reasons.total_row["requests"] == 3


def test_another_provider_counts_only_the_requests_made_to_it(requests_seeded, org_b):
    report = accommodation_report(_filter(org_b, **JULY))

    assert report.table("requests").total_row["requests"] == 1
    assert _rows(report.table("decline_reasons"), "reason", "requests")[-1] == ("nrpf", 1)
    assert report.table("occupancy").rows == []


# --- Filters -------------------------------------------------------------------------------------


def test_region_and_local_authority_narrow_to_the_properties_in_them(seeded, org_a):
    in_wales = accommodation_report(_filter(org_a, region="WALES"))
    in_cardiff = accommodation_report(_filter(org_a, local_authority="cardiff"))

    assert _rows(in_wales.table("occupancy"), "property") == [
        ("Ash",),
        ("Cedar",),
        ("Dale",),
        ("Elder",),
    ]
    assert in_wales.table("length_of_stay").total_row["stays"] == 5  # not Birch's two
    assert _rows(in_cardiff.table("occupancy"), "property") == [("Ash",), ("Dale",)]
    assert in_cardiff.table("occupancy").total_row[TOTAL] == 62 + 17
    assert in_cardiff.table("length_of_stay").total_row["stays"] == 4


def test_team_and_jurisdiction_do_not_apply_to_properties(seeded, org_a, team_a):
    everything = accommodation_report(_filter(org_a))
    narrowed = accommodation_report(_filter(org_a, team=team_a.pk, jurisdiction="england_wales"))

    for key in ("occupancy", "length_of_stay", "requests"):
        assert narrowed.table(key).rows == everything.table(key).rows
    assert any("team and jurisdiction" in note for note in everything.notes)


def test_another_organisations_properties_are_never_counted(seeded, org_a, org_b):
    mine = accommodation_report(_filter(org_a))
    theirs = accommodation_report(_filter(org_b))

    assert "Elm" not in [row["property"] for row in mine.table("occupancy").rows]
    # Elm: one bed since June; occupied 5-24 Jan.
    assert _rows(theirs.table("occupancy"), *OCCUPANCY) == [("Elm", 1, 31, 20, 11, Decimal("64.5"))]
    assert theirs.table("length_of_stay").total_row["stays"] == 1


# --- Disclosure control and queries --------------------------------------------------------------


def test_disclosure_control_hides_a_small_count_and_what_gives_it_away(seeded, org_a):
    table = disclosure.control(accommodation_report(_filter(org_a)).table("occupancy"))

    elder = table.rows[-1]
    # 2 occupied bed-nights: shown "<5"; the available nights (31 = 2 + 29) and the share
    # would give it away.
    assert elder["occupied"] == "<5"
    assert elder[TOTAL] == "[c]"
    assert elder["occupancy"] == "[c]"
    # So would the column totals: 89 occupied in all, less the other properties' 87.
    assert (table.total_row["occupied"], table.total_row[TOTAL]) == ("[c]", "[c]")
    assert table.total_row["void"] == 111
    ash = table.rows[0]
    assert (ash[TOTAL], ash["occupied"], ash["void"]) == (62, 30, 32)


def _bounds(value) -> tuple[float, float]:
    """What an outsider knows of a published count: itself, 1 to 4 ("<5"), or nothing."""
    if isinstance(value, int):
        return value, value
    return (1, 4) if value == "<5" else (0, math.inf)


def _sum_bounds(values) -> tuple[float, float]:
    found = [_bounds(value) for value in values]
    return sum(low for low, _high in found), sum(high for _low, high in found)


def _meet(*ranges) -> tuple[float, float]:
    return max(low for low, _high in ranges), min(high for _low, high in ranges)


def _part_bounds(total, others) -> tuple[float, float]:
    """What a line's total less its other cells tells of one cell."""
    low, high = _bounds(total)
    others_low, others_high = _sum_bounds(others)
    return max(0, low - others_high), high - others_low


def _can_be_worked_out(value, total: tuple[float, float], others) -> bool:
    """Whether a hidden small count is pinned by what is known of its line's total and the
    other cells of the line."""
    low, high = _meet(_bounds(value), (0, 4))
    others_low, others_high = _sum_bounds(others)
    low, high = max(low, total[0] - others_high), min(high, total[1] - others_low)
    return math.ceil(low) == math.floor(high)


def _controlled(report) -> dict:
    return {table.key: table for table in rendering.controlled(report, outside=True)}


@pytest.fixture
def declined_six(housing, org_a, housing_a):
    """Requests made to organisation A in July 2025: five still open; six declined, five for
    want of room and one for no recourse to public funds."""
    for day in range(1, 6):
        housing.at(_noon(d(2025, 7, day)))
        housing.request(org_a)
    for day, reason in enumerate(["no_capacity"] * 5 + ["nrpf"], start=10):
        housing.at(_noon(d(2025, 7, day)))
        placement = housing.request(org_a)
        services.placement_decline(
            by=housing_a, placement=placement, expected_version=placement.version, reason=reason
        )


def test_the_requests_declined_by_outcome_do_not_give_a_small_decline_reason_away(
    declined_six, org_a
):
    report = accommodation_report(_filter(org_a, **JULY))
    assert _rows(report.table("requests"), "requests") == [(5,), (0,), (6,), (0,), (0,)]
    assert _rows(report.table("decline_reasons"), "requests")[-1] == (1,)

    tables = _controlled(report)

    reasons, requests = tables["decline_reasons"], tables["requests"]
    nrpf = reasons.rows[-1]
    assert nrpf["reason"] == "nrpf"
    assert nrpf["requests"] in ("<5", disclosure.SECONDARY)
    # The requests declined: the total of the reasons, the "declined" row of the outcomes,
    # and that table's total less its other rows.
    declined = _meet(
        _bounds(reasons.total_row["requests"]),
        _sum_bounds(row["requests"] for row in reasons.rows),
        _bounds(requests.rows[2]["requests"]),
        _part_bounds(
            requests.total_row["requests"],
            [row["requests"] for index, row in enumerate(requests.rows) if index != 2],
        ),
    )
    others = [row["requests"] for row in reasons.rows[:-1]]
    assert not _can_be_worked_out(nrpf["requests"], declined, others)


@pytest.fixture
def stays_six(housing, org_a, housing_a):
    """Six stays that ended in January 2026 in six bed spaces of one property: five of under
    a month and one of six weeks."""
    housing.at(_noon(d(2025, 11, 1)))
    beds = housing.beds(housing.unit(housing_a, housing.property(housing_a, "Rowan"), 6))
    housing.at(NOW)
    for number, bed in enumerate(beds[:5]):
        housing.stay(bed, d(2026, 1, 2 + number), d(2026, 1, 20 + number), housing_a)
    return [housing.stay(beds[5], d(2025, 12, 1), d(2026, 1, 15), housing_a)]


def test_the_stays_ended_in_the_summary_do_not_give_a_small_band_away(stays_six, org_a):
    report = accommodation_report(_filter(org_a))
    assert _rows(report.table("length_of_stay"), "stays") == [(5,), (1,), (0,), (0,), (0,)]

    tables = _controlled(report)

    bands, summary = tables["length_of_stay"], tables["length_of_stay_summary"]
    assert bands.rows[1]["stays"] in ("<5", disclosure.SECONDARY)
    ended = _meet(
        _bounds(bands.total_row["stays"]),
        _bounds(summary.rows[0]["stays"]),
        _sum_bounds(row["stays"] for row in bands.rows),
    )
    others = [row["stays"] for index, row in enumerate(bands.rows) if index != 1]
    assert not _can_be_worked_out(bands.rows[1]["stays"], ended, others)
    if not isinstance(summary.rows[0]["stays"], int):
        assert summary.rows[0]["median_days"] == summary.rows[0]["mean_days"] == "[c]"


def test_the_last_days_there_are_dates_for(stays_six, org_a):
    Placement.objects.filter(pk=stays_six[0].pk).update(
        moved_in_on=d(9999, 11, 30), moved_out_on=d(9999, 12, 31)
    )

    last_year = accommodation_report(_filter(org_a, since=d(9999, 1, 1), until=datetime.date.max))
    always = accommodation_report(_filter(org_a, since=datetime.date.min, until=datetime.date.max))

    assert _rows(last_year.table("length_of_stay"), "stays")[1] == (1,)  # one month
    assert last_year.table("requests").total_row["requests"] == 0
    assert always.table("requests").total_row["requests"] == 6
    assert always.table("length_of_stay").total_row["stays"] == 6
    assert rendering.controlled(last_year, outside=True)


def test_the_number_of_queries_does_not_grow_with_the_data(
    housing, org_a, housing_a, django_assert_max_num_queries
):
    h, by = housing, housing_a
    h.at(_noon(d(2025, 12, 1)))
    prop = h.property(by, "Rowan")

    def add(count):
        h.at(_noon(d(2025, 12, 1)))
        unit = h.unit(by, prop, count, name=f"Flat {count}")
        h.at(NOW)
        for number, bed in enumerate(h.beds(unit)):
            h.stay(bed, d(2026, 1, 1 + number), d(2026, 1, 20 + number % 10), by)

    add(2)
    with django_assert_max_num_queries(6):
        small = accommodation_report(_filter(org_a))
    add(8)
    with django_assert_max_num_queries(6):
        large = accommodation_report(_filter(org_a))

    assert small.table("length_of_stay").total_row["stays"] == 2
    assert large.table("length_of_stay").total_row["stays"] == 10
    assert large.table("occupancy").total_row["bed_spaces"] == 10


# --- The page ------------------------------------------------------------------------------------

URL = reverse("reports:detail", args=["accommodation"])
PERIOD = {"from": "2026-01-01", "to": "2026-01-31"}


def test_the_page_shows_every_table_with_its_chart(seeded, client, manager_a):
    client.force_login(manager_a)

    response = client.get(URL, PERIOD)

    assert response.status_code == 200
    page = response.content.decode()
    for key in (
        "occupancy",
        "length_of_stay",
        "length_of_stay_summary",
        "requests",
        "decline_reasons",
    ):
        assert f'data-table="{key}"' in page
        assert f'data-chart="chart-data-{key}"' in page
    assert "Birch" in page
    assert "Elm" not in page
    assert "1 Secret Street" not in page


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def test_the_xlsx_download_has_the_same_figures(seeded, client, manager_a, org_a):
    client.force_login(manager_a)

    response = client.get(URL, {**PERIOD, "format": "xlsx"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    report = accommodation_report(_filter(org_a))
    assert len(workbook.worksheets) == len(report.tables)
    for sheet, table in zip(workbook.worksheets, report.tables, strict=True):
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == table.headings()
        assert [[_plain(cell) for cell in row] for row in values[1:]] == [
            [_plain(cell) for cell in row] for row in table.export_rows()
        ]
    occupancy = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert occupancy[1] == ["Ash", "Cardiff", 2, 62, 30, 32, 48.4]
    assert occupancy[-1] == ["Total", None, 7, 200, 89, 111, 44.5]
