"""The service report: new referrals by month and gender, the open caseload per caseworker,
closures by reason, referrals declined by reason, outcomes achieved by the cases closed, and
how long support lasted.

Definitions (also on the page, in ``NOTES``):
- the period includes both its days; a case counts in the period by its referral date (new
  referrals), the day it closed (closures, outcomes, length of support) or the day it was
  declined (the day the decline was recorded in the case's timeline: a case keeps no decline
  date of its own);
- the open caseload is the cases open now (referred, assessing, supported, moving on, missing)
  that were referred on or before the last day of the period, by the state they are in now;
- length of support runs from the referral date to the closing date; a band of "n months"
  means whole calendar months counted from the referral date (referred on 15 January:
  closed on 14 April is under 3 months, closed on 15 April is 3 months);
- "other or not known" gender counts other / non-binary and not known.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from carepath.audit.models import TimelineEvent
from carepath.reporting.disclosure import TOTAL_ROW, Relation, Unpublished
from carepath.reporting.durations import Band, duration_tables
from carepath.reporting.filters import ReportFilter
from carepath.reporting.tables import (
    LABEL,
    SHARE,
    TOTAL,
    Chart,
    Column,
    Report,
    Table,
    share,
    totals_of,
    with_row_totals,
)
from casework.models import Case, CaseState
from casework.models.case import OPEN_STATES
from casework.models.choices import ClosureReason, DeclineReason, Outcome
from casework.selectors.nrm_report import GENDER_LABELS, GENDERS, gender_counts

NOT_ALLOCATED = _("Not allocated")
NOT_RECORDED = ""
NONE_ACHIEVED = "none_achieved"
OUTCOMES = (*Outcome.values, NONE_ACHIEVED)  # the rows of the outcomes table
# Support length bands: (key, label, first month of the band, first month after it).
SUPPORT_BANDS = (
    Band("under_3", _("Under 3 months"), 3),
    Band("3_to_6", _("3 to under 6 months"), 6),
    Band("6_to_12", _("6 to under 12 months"), 12),
    Band("12_to_24", _("12 to under 24 months"), 24),
    Band("24_plus", _("24 months or more"), None),
)

NOTES = [
    _("The period includes both its first and its last day."),
    _(
        "New referrals are the cases with a referral date in the period, by calendar month; "
        "the first and last months may be part months."
    ),
    _(
        "The open caseload is the cases open now (referred, assessing, supported, moving on "
        "or missing) that were referred on or before the last day of the period, by the state "
        "they are in now, not the state they were in at the end of the period."
    ),
    _(
        "Closures, outcomes and length of support count the cases with a closing date in the "
        "period."
    ),
    _(
        "A declined referral counts on the day the decline was recorded in the case's "
        "timeline (the case itself keeps no decline date)."
    ),
    _(
        "A closed case may have achieved several outcomes, so the outcomes do not add up to "
        "the cases closed; each share is of all the cases closed in the period."
    ),
    _(
        "Length of support runs from the referral date to the closing date. A band counts "
        "whole calendar months from the referral date: after a referral on 15 January, a "
        "case closed on 14 April is under 3 months and one closed on 15 April is 3 months. "
        "The median and the mean are in days."
    ),
    _('"Other or not known" gender counts other / non-binary and not known.'),
]


def _gender_columns() -> list[Column]:
    return [Column(gender, GENDER_LABELS[gender]) for gender in GENDERS] + [
        Column(TOTAL, _("Total"))
    ]


def _months(since: date, until: date) -> list[date]:
    """The first day of every calendar month the period touches (no date arithmetic, so a
    period ending on 31 December 9999 has its last month too)."""
    first = since.year * 12 + since.month - 1
    last = until.year * 12 + until.month - 1
    return [date(number // 12, number % 12 + 1, 1) for number in range(first, last + 1)]


def _month_key(month: date) -> str:
    return month.strftime("%Y-%m")


def _new_referrals_table(cases, filters: ReportFilter) -> Table:
    counted = (
        cases.filter(filters.period_q("referral_date"))
        .annotate(month=TruncMonth("referral_date"))
        .values("month")
        .annotate(**gender_counts())
        .order_by()
    )
    by_month = {_month_key(row["month"]): row for row in counted}
    months = _months(filters.since, filters.until)
    rows = with_row_totals(
        [
            {
                "month": _month_key(month),
                **{g: by_month.get(_month_key(month), {}).get(g, 0) for g in GENDERS},
            }
            for month in months
        ],
        GENDERS,
    )
    return Table(
        key="new_referrals",
        title=_("New referrals by month and gender"),
        description=_(
            "Cases with a referral date in the period, by calendar month of referral; the "
            "first and last months may be part months."
        ),
        columns=[
            Column(
                "month",
                _("Month"),
                LABEL,
                display={_month_key(month): date_format(month, "F Y") for month in months},
            ),
            *_gender_columns(),
        ],
        rows=rows,
        total_row=totals_of(rows, [*GENDERS, TOTAL], month=_("Total")),
        sums=GENDERS,
        chart=Chart("month", GENDERS, stacked=True),
    )


def _staff_name(first: str | None, last: str | None, username: str | None) -> str:
    return " ".join(part for part in (first, last) if part) or username or ""


def _open_caseload_table(cases, filters: ReportFilter) -> Table:
    states = [str(state) for state in OPEN_STATES]
    counted = (
        cases.filter(state__in=states, referral_date__lte=filters.until)
        .values(
            "caseworker_id",
            "caseworker__first_name",
            "caseworker__last_name",
            "caseworker__username",
            "state",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_worker: dict[int | None, dict] = {}
    for found in counted:
        worker = found["caseworker_id"]
        row = by_worker.setdefault(
            worker,
            {
                "caseworker": (
                    _staff_name(
                        found["caseworker__first_name"],
                        found["caseworker__last_name"],
                        found["caseworker__username"],
                    )
                    if worker is not None
                    else str(NOT_ALLOCATED)
                ),
                **dict.fromkeys(states, 0),
            },
        )
        row[found["state"]] += found["n"]
    allocated = sorted(
        (row for worker, row in by_worker.items() if worker is not None),
        key=lambda row: row["caseworker"].casefold(),
    )
    rows = with_row_totals([*allocated, *([by_worker[None]] if None in by_worker else [])], states)
    labels = dict(CaseState.choices)
    return Table(
        key="open_caseload",
        title=_("Open caseload per caseworker"),
        description=_(
            "Cases open now that were referred on or before the last day of the period, by "
            "the state they are in now (not at the end of the period)."
        ),
        columns=[
            # Outside the organisation the staff are "Caseworker 1", "Caseworker 2"...
            Column(
                "caseworker",
                _("Caseworker"),
                LABEL,
                pseudonym=_("Caseworker"),
                keep=(str(NOT_ALLOCATED),),
            ),
            *(Column(state, labels[state]) for state in states),
            Column(TOTAL, _("Total")),
        ],
        rows=rows,
        total_row=totals_of(rows, [*states, TOTAL], caseworker=_("Total")),
        sums=tuple(states),
        chart=Chart("caseworker", tuple(states), stacked=True, horizontal=True, limit=20),
    )


def _by_reason_table(
    found: Counter, *, choices, key: str, title, description, heading, count_label
) -> Table:
    reasons = list(choices.values)
    # A reason no longer among the choices counts as not recorded, so that the rows add up
    # to every case counted (other tables give that number too).
    counts = Counter({NOT_RECORDED: 0})
    for reason, n in found.items():
        counts[reason if reason in choices.values else NOT_RECORDED] += n
    if counts[NOT_RECORDED]:
        reasons.append(NOT_RECORDED)
    rows = [{"reason": reason, "cases": counts.get(reason, 0)} for reason in reasons]
    return Table(
        key=key,
        title=title,
        description=description,
        columns=[
            Column(
                "reason",
                heading,
                LABEL,
                display={**dict(choices.choices), NOT_RECORDED: _("Not recorded")},
            ),
            Column("cases", count_label),
        ],
        rows=rows,
        total_row=totals_of(rows, ["cases"], reason=_("Total")),
        chart=Chart("reason", ("cases",), horizontal=True),
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


def _declined_counts(cases, filters: ReportFilter) -> Counter:
    # The case keeps no decline date: the day is that of its "case.declined" timeline event.
    declined_in_period = TimelineEvent.objects.filter(
        _uk_days_q("created_at", filters),
        subject_type__app_label="casework",
        subject_type__model="case",
        kind="case.declined",
    ).values("subject_id")
    counted = (
        cases.filter(state=CaseState.DECLINED, pk__in=declined_in_period)
        .values("decline_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter({row["decline_reason"]: row["n"] for row in counted})


def _outcomes_table(closed: list[tuple]) -> Table:
    achieved: Counter = Counter()
    for _reason, outcomes, _referred, _closed in closed:
        found = {outcome for outcome in outcomes or () if outcome in Outcome.values}
        achieved.update(found or {NONE_ACHIEVED})
    rows = [
        {
            "outcome": outcome,
            "cases": achieved[outcome],
            "closed": len(closed),
            "share": share(achieved[outcome], len(closed)),
        }
        for outcome in OUTCOMES
    ]
    return Table(
        key="outcomes",
        title=_("Outcomes achieved by the cases closed"),
        description=_(
            "Cases closed in the period that achieved each outcome. A case may have achieved "
            "several, so the rows do not add up; each share is of all the cases closed."
        ),
        columns=[
            Column(
                "outcome",
                _("Outcome"),
                LABEL,
                display={**dict(Outcome.choices), NONE_ACHIEVED: _("None achieved")},
            ),
            Column("cases", _("Cases")),
            # The share is of this number: hidden with it (cases / share would give it back).
            Column("closed", _("Cases closed")),
            Column("share", _("Share of cases closed (%)"), SHARE, depends_on=("cases", "closed")),
        ],
        rows=rows,
        chart=Chart("outcome", ("cases",), horizontal=True),
    )


def _support_length_tables(closed: list[tuple]) -> list[Table]:
    return duration_tables(
        [(referred, closed_on) for _r, _o, referred, closed_on in closed],
        bands=SUPPORT_BANDS,
        key="support_length",
        count_key="cases",
        count_label=_("Cases closed"),
        band_label=_("Length of support"),
        title=_("Length of support of the cases closed"),
        description=_(
            "From the referral date to the closing date, in whole calendar months counted from "
            "the referral date."
        ),
        summary_title=_("Length of support in days"),
        summary_description=_("The median and the mean number of days from referral to closing."),
    )


def _relations() -> list[Relation]:
    """The figures the tables share: a reader holding the whole report could put them
    together, so disclosure control weighs them together."""
    closed = ("closures", TOTAL_ROW, "cases")
    with_outcome = Unpublished("cases closed that achieved an outcome")
    achieved = Unpublished("outcomes achieved by the cases closed")

    def outcome(key: str, column: str = "cases"):
        return ("outcomes", OUTCOMES.index(key), column)

    return [
        # The cases closed in the period, given by four tables.
        Relation(closed, (("support_length", TOTAL_ROW, "cases"),)),
        Relation(closed, (("support_length_summary", 0, "cases"),)),
        *(Relation(closed, (outcome(key, "closed"),)) for key in OUTCOMES),
        # Those that achieved none of the outcomes, and those that achieved at least one...
        Relation(closed, (outcome(NONE_ACHIEVED), with_outcome)),
        # ...each outcome achieved by some of the latter (at most all of them)...
        *(
            Relation(with_outcome, (outcome(key), Unpublished(f"achieved an outcome, not {key}")))
            for key in Outcome.values
        ),
        # ...and every one of them achieving one outcome or more.
        Relation(achieved, tuple(outcome(key) for key in Outcome.values)),
        Relation(achieved, (with_outcome, Unpublished("outcomes achieved besides a first"))),
    ]


def service_report(filters: ReportFilter) -> Report:
    cases = Case.objects.filter(filters.cases_q()).order_by()
    closed = list(
        cases.filter(filters.period_q("closed_on")).values_list(
            "closure_reason", "outcomes", "referral_date", "closed_on"
        )
    )
    return Report(
        key="service",
        title=str(_("Service")),
        tables=[
            _new_referrals_table(cases, filters),
            _open_caseload_table(cases, filters),
            _by_reason_table(
                Counter(reason for reason, *_rest in closed),
                choices=ClosureReason,
                key="closures",
                title=_("Cases closed by reason"),
                description=_("Cases with a closing date in the period, by the reason recorded."),
                heading=_("Closure reason"),
                count_label=_("Cases closed"),
            ),
            _by_reason_table(
                _declined_counts(cases, filters),
                choices=DeclineReason,
                key="declines",
                title=_("Referrals declined by reason"),
                description=_(
                    "Referrals not taken on, counted on the day the decline was recorded."
                ),
                heading=_("Reason not taken on"),
                count_label=_("Referrals declined"),
            ),
            _outcomes_table(closed),
            *_support_length_tables(closed),
        ],
        notes=[str(note) for note in NOTES],
        relations=_relations(),
    )
