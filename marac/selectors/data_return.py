"""The MARAC quarterly data return: counts per meeting, never a person."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepath import policy
from carepath.reporting.tables import LABEL, SHARE, TOTAL, Chart, Column, Table
from marac.models import AgencyKind, CaseOutcome, MaracArea, MaracMeeting, MeetingCase, MeetingState

LONDON = ZoneInfo("Europe/London")
COUNTED_MEETINGS = (MeetingState.HELD, MeetingState.MINUTES_APPROVED)
LGBT_ORIENTATIONS = frozenset({"gay_lesbian", "bisexual", "other"})
MINORITISED_ETHNICITIES = frozenset({"asian", "black", "mixed", "other"})
# Shares of the cases heard, in the order of the return's columns.
SHARES = ("partner", "male", "lgbt", "disabled", "minoritised", "aged_16_17")
PERCENTAGES = ("repeat", *SHARES)
_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter: Q1 is January to March, Q4 October to December."""

    year: int
    number: int

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """``2026-Q1``; a ValueError for anything else."""
        found = _QUARTER_RE.match(text.strip())
        # Bounded so that the quarters either side still exist.
        if not found or not 1900 <= int(found[1]) <= 9998:
            raise ValueError(text)
        return cls(int(found[1]), int(found[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        following = self.next
        return date.fromordinal(following.first_day.toordinal() - 1)

    @property
    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    @property
    def next(self) -> "Quarter":
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)


def _percentage(count: int, of: int) -> Decimal | None:
    if not of:
        return None
    return (Decimal(count) * 100 / Decimal(of)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    """The counts for one meeting, or for the whole quarter (``meeting`` is None)."""

    meeting: MaracMeeting | None = None
    heard: int = 0
    repeat: int = 0
    children: int = 0
    by_agency: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AgencyKind.values, 0))
    partner: int = 0
    male: int = 0
    lgbt: int = 0
    disabled: int = 0
    minoritised: int = 0
    aged_16_17: int = 0

    @property
    def day(self) -> date | None:
        return timezone.localtime(self.meeting.starts_at, LONDON).date() if self.meeting else None

    def add(self, other: "Figures") -> None:
        for name in ("heard", "children", *PERCENTAGES):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, count in other.by_agency.items():
            self.by_agency[kind] += count

    def percentage(self, name: str) -> Decimal | None:
        return _percentage(getattr(self, name), self.heard)

    @property
    def agency_counts(self) -> list[int]:
        return [self.by_agency[kind] for kind in AgencyKind.values]

    @property
    def percentages(self) -> dict[str, Decimal | None]:
        return {name: self.percentage(name) for name in PERCENTAGES}


@dataclass
class DataReturn:
    area: MaracArea
    quarter: Quarter
    meetings: list[Figures]
    total: Figures


def areas_for_data_return(user) -> list[MaracArea]:
    return list(
        policy.visible(user, "marac.data_return.view", MaracArea.objects.order_by("name", "pk"))
    )


def area_for_data_return(user, pk: int) -> MaracArea:
    """The area, if this person may see its data return; a 404 otherwise."""
    area = MaracArea.objects.filter(pk=pk).first()
    if area is None or not policy.can(user, "marac.data_return.view", area):
        raise Http404
    return area


def _age_on(born: date | None, day: date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _count_case(figures: Figures, row: dict) -> None:
    figures.heard += 1
    figures.repeat += row["referral__is_repeat"]
    figures.children += row["referral__children_in_household"]
    agency = row["referral__referring_agency"]
    if agency in figures.by_agency:
        figures.by_agency[agency] += 1
    figures.partner += agency != AgencyKind.POLICE
    figures.male += row["referral__case__gender"] == "male"
    figures.lgbt += (
        row["referral__case__sexual_orientation"] in LGBT_ORIENTATIONS
        or row["referral__case__transgender"] == "yes"
    )
    figures.disabled += row["referral__case__disability"] == "yes"
    figures.minoritised += row["referral__case__ethnicity"] in MINORITISED_ETHNICITIES
    born = row["referral__case__verified_date_of_birth"] or row["referral__case__date_of_birth"]
    figures.aged_16_17 += _age_on(born, row["referral__referred_on"]) in (16, 17)


def data_return(area: MaracArea, quarter: Quarter) -> DataReturn:
    """The quarterly data return of one MARAC area, counted per meeting.

    - A return covers one MARAC area and one calendar quarter (January to March is Q1, October
      to December Q4).
    - Meetings counted: the area's meetings whose date in Europe/London falls in the quarter and
      that were held (minutes approved or not). Scheduled, published and cancelled meetings are
      not counted. One row per meeting, by date, and a total for the quarter.
    - Cases heard at a meeting: its agenda items with the outcome "heard". A deferred case is
      not counted.
    - For each meeting: cases heard; repeat cases (heard cases whose referral is a repeat) and
      their percentage; children in households (the sum over the heard cases' referrals);
      referrals by agency (heard cases by the referral's referring agency); the partner-agency
      share (heard cases not referred by the police); and the percentages of heard cases whose
      victim is male, LGBT+ (gay or lesbian, bisexual or another sexual orientation, or trans),
      disabled, racially minoritised (Asian, Black, mixed or another ethnic group), or aged 16
      or 17 on the referral date (from the verified date of birth if recorded, otherwise the
      date of birth given).
    - Not known, not recorded or "prefer not to say" counts as not in the group. Every
      percentage is of the cases heard, rounded to one decimal place, and shown as "–" when no
      case was heard.
    - The total sums the counts and works the percentages out again from those sums (it is not
      an average of the meetings' percentages).

    Two queries, however many meetings and cases: the meetings, then the heard cases' fields.
    """
    starts = datetime.combine(quarter.first_day, time.min, tzinfo=LONDON)
    ends = datetime.combine(quarter.next.first_day, time.min, tzinfo=LONDON)
    meetings = list(
        MaracMeeting.objects.filter(
            area=area, state__in=COUNTED_MEETINGS, starts_at__gte=starts, starts_at__lt=ends
        )
        .only("pk", "starts_at", "area_id", "state")
        .order_by("starts_at", "pk")
    )
    rows = {meeting.pk: Figures(meeting=meeting) for meeting in meetings}
    heard = MeetingCase.objects.filter(meeting__in=list(rows), outcome=CaseOutcome.HEARD).values(
        "meeting_id",
        "referral__is_repeat",
        "referral__children_in_household",
        "referral__referring_agency",
        "referral__referred_on",
        "referral__case__gender",
        "referral__case__sexual_orientation",
        "referral__case__transgender",
        "referral__case__disability",
        "referral__case__ethnicity",
        "referral__case__date_of_birth",
        "referral__case__verified_date_of_birth",
    )
    for row in heard:
        _count_case(rows[row["meeting_id"]], row)
    total = Figures()
    for figures in rows.values():
        total.add(figures)
    return DataReturn(area=area, quarter=quarter, meetings=list(rows.values()), total=total)


NOT_APPLICABLE = "–"


def data_return_table(result: DataReturn) -> tuple[list[str], list[list]]:
    """The return as one table: headings and rows, the total last. For the CSV and XLSX."""
    headings = [
        _("Meeting"),
        _("Cases heard"),
        _("Repeat cases"),
        _("Repeat cases (%)"),
        _("Children in households"),
        *[_("Referred by: %(agency)s") % {"agency": label} for label in AgencyKind.labels],
        _("Referred by partner agencies, not police (%)"),
        _("Male victims (%)"),
        _("LGBT+ victims (%)"),
        _("Disabled victims (%)"),
        _("Racially minoritised victims (%)"),
        _("Victims aged 16 or 17 (%)"),
    ]

    def row(label, figures: Figures) -> list:
        shown = {
            name: NOT_APPLICABLE if value is None else value
            for name, value in figures.percentages.items()
        }
        return [
            label,
            figures.heard,
            figures.repeat,
            shown["repeat"],
            figures.children,
            *figures.agency_counts,
            *[shown[name] for name in SHARES],
        ]

    rows = [row(figures.day, figures) for figures in result.meetings]
    rows.append(row(_("Total for the quarter"), result.total))
    return headings, rows


# Each group the return gives a share of, with the heading of its count (the share's heading
# adds "(%)"). The partner-agency share is worked out from the police count instead: partner
# referrals are the cases heard less those the police referred.
_COUNTED_GROUPS = (
    ("repeat", gettext_lazy("Repeat cases")),
    ("male", gettext_lazy("Male victims")),
    ("lgbt", gettext_lazy("LGBT+ victims")),
    ("disabled", gettext_lazy("Disabled victims")),
    ("minoritised", gettext_lazy("Racially minoritised victims")),
    ("aged_16_17", gettext_lazy("Victims aged 16 or 17")),
)


def _framework_row(label: str, figures: Figures) -> dict:
    row = {
        "meeting": label,
        TOTAL: figures.heard,
        **dict(zip(AgencyKind.values, figures.agency_counts, strict=True)),
        "partner_share": figures.percentage("partner"),
        "children": figures.children,
    }
    for name, _label in _COUNTED_GROUPS:
        row[name] = getattr(figures, name)
        row[f"{name}_share"] = figures.percentage(name)
    return row


def data_return_tables(result: DataReturn) -> list[Table]:
    """The return as one report table, for its chart and for the disclosure-controlled
    downloads: a row per meeting and the quarter's total, the cases heard (which the referring
    agencies add up to), and every group with its count and its share of the cases heard."""
    rows = [_framework_row(figures.day.isoformat(), figures) for figures in result.meetings]
    total_row = _framework_row(_("Total for the quarter"), result.total)
    agencies = tuple(AgencyKind.values)
    # A referral of an agency the return does not know would be heard but not in any agency
    # column: only then do the agencies not add up to the cases heard.
    adds_up = all(sum(row[key] for key in agencies) == row[TOTAL] for row in [*rows, total_row])
    columns = [
        Column("meeting", gettext_lazy("Meeting"), LABEL),
        Column(TOTAL, gettext_lazy("Cases heard")),
        *(
            Column(kind, _("Referred by: %(agency)s") % {"agency": label})
            for kind, label in AgencyKind.choices
        ),
        Column(
            "partner_share",
            gettext_lazy("Referred by partner agencies, not police (%)"),
            SHARE,
            depends_on=(AgencyKind.POLICE.value, TOTAL),
        ),
        Column("children", gettext_lazy("Children in households")),
    ]
    for name, label in _COUNTED_GROUPS:
        columns += [
            Column(name, label),
            Column(
                f"{name}_share",
                _("%(group)s (%%)") % {"group": label},
                SHARE,
                depends_on=(name, TOTAL),
            ),
        ]
    return [
        Table(
            key="data_return",
            title=_("Cases heard by referring agency, %(quarter)s") % {"quarter": result.quarter},
            description=_("Cases heard at each meeting held in the quarter, by referring agency."),
            columns=columns,
            rows=rows,
            total_row=total_row,
            sums=agencies if adds_up else (),
            chart=Chart("meeting", agencies, stacked=True),
        )
    ]
