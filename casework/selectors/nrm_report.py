"""NRM-style statistics, in the shape of the UK's published National Referral Mechanism
statistics: referrals (cases by referral date, both days of the period included) by
exploitation type, nationality, referring agency and competent authority, by gender and age;
decisions issued and the share positive; the share of reasonable grounds decisions made within
the 5 working day target.

Definitions (also on the page, in ``NOTES``):
- a minor is 17 or under: by age at the first claimed exploitation for the exploitation type
  and nationality tables, by age at referral for the referring agency table (the published
  tables use the same two bases); age uses the verified date of birth where there is one;
- a person with more than one exploitation type counts once, as "multiple";
- nationality is the verified one where there is one, else the one the person gave;
- "other" gender counts other / non-binary and not known, as the published tables do;
- decisions count by the date they were issued, not by the referral date.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from functools import cache

from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from carepath.clocks.models import PeriodKind
from carepath.clocks.selectors import NoPeriodRule, all_period_rules, deadline
from carepath.reporting.disclosure import TOTAL_ROW, Relation, Unpublished
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
from casework.models import Case, NrmRecord
from casework.models.choices import ExploitationType, Gender
from casework.models.nrm import CompetentAuthority
from casework.models.reference import agency_name

ADULT, MINOR, AGE_UNKNOWN = "adult", "minor", "unknown"
AGE_GROUPS = {ADULT: _("Adult"), MINOR: _("Minor"), AGE_UNKNOWN: _("Age not known")}
MINOR_UNTIL = 17  # the last age at which a person counts as a minor
MULTIPLE = "multiple"
GENDERS = ("female", "male", "other")
GENDER_LABELS = {"female": _("Female"), "male": _("Male"), "other": _("Other or not known")}
EXPLOITATION_ORDER = (
    ExploitationType.SEXUAL,
    ExploitationType.LABOUR,
    ExploitationType.DOMESTIC_SERVITUDE,
    ExploitationType.CRIMINAL,
    ExploitationType.ORGAN_REMOVAL,
    ExploitationType.OTHER,
    MULTIPLE,
    ExploitationType.UNKNOWN,
)
EXPLOITATION_LABELS = {**dict(ExploitationType.choices), MULTIPLE: _("Multiple types")}
NOT_RECORDED = "not_recorded"
AUTHORITY_LABELS = {**dict(CompetentAuthority.choices), NOT_RECORDED: _("Not recorded")}
AGENCY_COLUMNS = tuple(f"{group}_{gender}" for group in (ADULT, MINOR) for gender in GENDERS)
DECISION_STAGES = {"rg": _("Reasonable grounds"), "cg": _("Conclusive grounds")}

NOTES = [
    _(
        "Referrals are the cases of the organisation with a referral date in the period, both "
        "days included."
    ),
    _(
        "A minor is 17 or under. The exploitation type and nationality tables use the age at "
        "the first claimed exploitation; the referring agency table uses the age at referral. "
        "The verified date of birth is used where there is one."
    ),
    _('A person with more than one type of exploitation counts once, as "multiple types".'),
    _("Nationality is the verified one where there is one, otherwise the one the person gave."),
    _('"Other or not known" gender counts other / non-binary and not known.'),
    _(
        "Nationalities are ranked by their number of referrals; equal numbers share a rank "
        "and the next rank is skipped (1, 2, 2, 2, 5)."
    ),
    _(
        "Decisions count by the date they were issued. The reasonable grounds target is 5 "
        "working days after the referral was submitted, in the jurisdiction's working days, "
        "under the rule in force on the day of submission."
    ),
]


def exploitation_group(types: Iterable[str] | None) -> str:
    found = {kind for kind in (types or ()) if kind != ExploitationType.UNKNOWN}
    if len(found) > 1:
        return MULTIPLE
    if found:
        return found.pop()
    return ExploitationType.UNKNOWN


def competition_ranks(totals: list[int]) -> list[int]:
    """Ranks of totals sorted largest first, ties sharing a rank: 9, 5, 5, 5, 2 -> 1, 2, 2, 2, 5."""
    ranks = []
    for position, total in enumerate(totals):
        if position and total == totals[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks


def _gender_columns() -> list[Column]:
    return [Column(gender, GENDER_LABELS[gender]) for gender in GENDERS] + [
        Column(TOTAL, _("Total"))
    ]


def _gender_row(counter: Counter, **labels) -> dict:
    row = {**labels, **{gender: counter[gender] for gender in GENDERS}}
    row[TOTAL] = sum(row[gender] for gender in GENDERS)
    return row


def gender_counts() -> dict[str, Count]:
    """The cases of each of GENDERS, as aggregates: "other" counts every gender but female
    and male."""
    return {
        "female": Count("pk", filter=Q(gender=Gender.FEMALE)),
        "male": Count("pk", filter=Q(gender=Gender.MALE)),
        "other": Count("pk", filter=~Q(gender__in=(Gender.FEMALE, Gender.MALE))),
    }


def _day_number(day) -> models.Expression:
    return ExtractYear(day) * 10000 + ExtractMonth(day) * 100 + ExtractDay(day)


class _Under(models.Func):
    """Whether someone born on ``born`` is under ``years`` years old on ``on``, their age
    counted in whole years as birthdays come (born on 29 February: on 1 March, in a year
    without one)."""

    output_field = models.BooleanField()

    def __init__(self, born, on, *, years: int) -> None:
        # With each date written as the number yyyymmdd, the age in whole years is the
        # difference of the numbers divided by 10000, rounded down.
        portable = LessThan(_day_number(on) - _day_number(born), years * 10000)
        super().__init__(born, on, portable)
        self.years = years

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[2])

    def as_postgresql(self, compiler, connection, **extra_context):
        # The same, several times quicker than EXTRACT: PostgreSQL takes years from 29
        # February to 28 February, so "born after the day that many years before" agrees.
        born, on, _portable = self.get_source_expressions()
        born_sql, born_params = compiler.compile(born)
        on_sql, on_params = compiler.compile(on)
        return (
            f"{born_sql} > {on_sql} - make_interval(years => %s)",
            (*born_params, *on_params, self.years),
        )


def _age_group_on(field: str) -> models.Case:
    """ADULT, MINOR or AGE_UNKNOWN by the age on the date in ``field``, from the verified
    date of birth where there is one."""
    born = Coalesce("verified_date_of_birth", "date_of_birth")
    return models.Case(
        models.When(
            Q(verified_date_of_birth=None, date_of_birth=None) | Q(**{field: None}),
            then=models.Value(AGE_UNKNOWN),
        ),
        models.When(_Under(born, F(field), years=MINOR_UNTIL + 1), then=models.Value(MINOR)),
        default=models.Value(ADULT),
    )


def _referral_groups(filters: ReportFilter, *, age_on: str, fields: tuple[str, ...]):
    """The referrals in the period counted in the database, by gender group, for each age
    group (at the date in ``age_on``) and each value of ``fields``."""
    return (
        Case.objects.filter(filters.cases_q(), filters.period_q("referral_date"))
        .annotate(age=_age_group_on(age_on))
        .values("age", *fields)
        .annotate(**gender_counts())
        .order_by()
    )


def _people(filters: ReportFilter) -> list[dict]:
    """The referrals by age at exploitation, exploitation type and nationality: each with
    its count of each gender group."""
    found = _referral_groups(
        filters,
        age_on="first_exploitation_date",
        fields=("exploitation_types", "claimed_nationality", "verified_nationality"),
    )
    return [
        {
            "age": row["age"],
            "exploitation": exploitation_group(row["exploitation_types"]),
            "country": str(row["verified_nationality"] or row["claimed_nationality"] or ""),
            **{gender: row[gender] for gender in GENDERS},
        }
        for row in found
    ]


def _referrers(filters: ReportFilter) -> list[dict]:
    """The referrals by age at referral, referring agency and competent authority: each with
    its count of each gender group."""
    found = _referral_groups(
        filters,
        age_on="referral_date",
        fields=("referring_agency__name", "nrm__competent_authority"),
    )
    return [
        {
            "age": row["age"],
            "agency": row["referring_agency__name"] or "",
            "authority": row["nrm__competent_authority"] or NOT_RECORDED,
            **{gender: row[gender] for gender in GENDERS},
        }
        for row in found
    ]


def _by_gender(groups: list[dict], key: Callable[[dict], Hashable]) -> dict[Hashable, Counter]:
    """The gender counts of ``groups`` added up by ``key``, in the order first met."""
    counts: dict[Hashable, Counter] = defaultdict(Counter)
    for group in groups:
        counter = counts[key(group)]
        for gender in GENDERS:
            counter[gender] += group[gender]
    return counts


def _total_table(people: list[dict]) -> Table:
    total = Counter({gender: sum(group[gender] for group in people) for gender in GENDERS})
    row = _gender_row(total, group=_("All referrals"))
    return Table(
        key="total",
        title=_("Referrals"),
        columns=[Column("group", _("Referrals"), LABEL), *_gender_columns()],
        rows=[row],
        sums=GENDERS,
    )


def _exploitation_table(people: list[dict]) -> Table:
    counts = _by_gender(people, lambda group: (group["age"], group["exploitation"]))
    groups = [ADULT, MINOR]
    if any(group == AGE_UNKNOWN for group, _kind in counts):
        groups.append(AGE_UNKNOWN)
    rows = [
        _gender_row(
            counts[group, kind],
            age_group=group,
            exploitation_type=str(kind),
            chart_label=f"{AGE_GROUPS[group]}: {EXPLOITATION_LABELS[kind]}",
        )
        for group in groups
        for kind in EXPLOITATION_ORDER
    ]
    return Table(
        key="by_exploitation_type",
        title=_("Referrals by exploitation type, gender and age at exploitation"),
        description=_(
            "Adult or minor by age at the first claimed exploitation; several types count "
            "once, as multiple types."
        ),
        columns=[
            Column("age_group", _("Age at exploitation"), LABEL, display=AGE_GROUPS),
            Column("exploitation_type", _("Exploitation type"), LABEL, display=EXPLOITATION_LABELS),
            *_gender_columns(),
        ],
        rows=rows,
        total_row=totals_of(rows, [*GENDERS, TOTAL], age_group=_("Total"), exploitation_type=""),
        sums=GENDERS,
        chart=Chart("chart_label", GENDERS, stacked=True, horizontal=True),
    )


def _country_name(code: str) -> str:
    return str(countries.name(code)) if code else ""


def _nationality_table(people: list[dict], *, key: str, title, description) -> Table:
    counts = _by_gender(people, lambda group: group["country"])
    known = sorted(
        (_gender_row(counter, country=code) for code, counter in counts.items() if code),
        key=lambda row: (-row[TOTAL], _country_name(row["country"]).casefold()),
    )
    for row, rank in zip(known, competition_ranks([row[TOTAL] for row in known]), strict=True):
        row["rank"] = rank
        row["country_name"] = _country_name(row["country"])
    rows = known
    if "" in counts:
        rows.append(_gender_row(counts[""], rank=None, country=None, country_name=_("Not known")))
    return Table(
        key=key,
        title=title,
        description=description,
        columns=[
            Column("rank", _("Rank"), NUMBER, depends_on=(TOTAL,), whole_column=True),
            Column("country_name", _("Nationality"), LABEL),
            Column("country", _("Country code"), LABEL),
            *_gender_columns(),
        ],
        rows=rows,
        total_row=totals_of(
            rows, [*GENDERS, TOTAL], rank=None, country=None, country_name=_("Total")
        ),
        sums=GENDERS,
        chart=Chart("country_name", GENDERS, stacked=True, horizontal=True, limit=15),
        controlled_order="country_name",
    )


def _agency_table(referrers: list[dict]) -> Table:
    counts: dict[str, Counter] = defaultdict(Counter)
    for group in referrers:
        for gender in GENDERS:
            column = "age_unknown" if group["age"] == AGE_UNKNOWN else f"{group['age']}_{gender}"
            counts[group["agency"]][column] += group[gender]
    parts = [*AGENCY_COLUMNS, "age_unknown"]
    rows = []
    for agency, counter in counts.items():
        row = {
            "agency": agency_name(agency) if agency else str(_("Not recorded")),
            **{part: counter[part] for part in parts},
        }
        row[TOTAL] = sum(row[part] for part in parts)
        rows.append(row)
    rows.sort(key=lambda row: (-row[TOTAL], row["agency"].casefold()))
    labels = {
        f"{group}_{gender}": f"{AGE_GROUPS[group]}, {GENDER_LABELS[gender].lower()}"
        for group in (ADULT, MINOR)
        for gender in GENDERS
    }
    return Table(
        key="by_referring_agency",
        title=_("Referrals by referring agency, age at referral and gender"),
        description=_("Adult or minor by age at referral."),
        columns=[
            Column("agency", _("Referring agency"), LABEL),
            *(Column(key, labels[key]) for key in AGENCY_COLUMNS),
            Column("age_unknown", _("Age not known")),
            Column(TOTAL, _("Total")),
        ],
        rows=rows,
        total_row=totals_of(rows, [*parts, TOTAL], agency=_("Total")),
        sums=tuple(parts),
        chart=Chart("agency", tuple(parts), stacked=True, horizontal=True, limit=15),
        controlled_order="agency",
    )


def _authority_table(referrers: list[dict]) -> Table:
    counts: Counter = Counter()
    for group in referrers:
        counts[group["authority"]] += sum(group[gender] for gender in GENDERS)
    rows = [
        {"authority": authority, TOTAL: counts[authority]}
        for authority in [*CompetentAuthority.values, NOT_RECORDED]
    ]
    return Table(
        key="by_competent_authority",
        title=_("Referrals by competent authority"),
        description=_(
            "The authority recorded for the referral; not recorded when none is recorded yet or "
            "the person was not referred into the NRM."
        ),
        columns=[
            Column("authority", _("Competent authority"), LABEL, display=AUTHORITY_LABELS),
            Column(TOTAL, _("Referrals")),
        ],
        rows=rows,
        total_row=totals_of(rows, [TOTAL], authority=_("Total")),
        chart=Chart("authority", (TOTAL,)),
    )


def _decisions(filters: ReportFilter) -> list[dict]:
    """The decisions issued in the period, counted by the case's jurisdiction, the
    submission date and the reasonable grounds decision date (what its target depends on)."""
    issued = {stage: filters.period_q(f"{stage}_decision_on") for stage in DECISION_STAGES}
    return list(
        NrmRecord.objects.filter(filters.cases_q("case__"), issued["rg"] | issued["cg"])
        .values("case__jurisdiction", "submitted_on", "rg_decision_on")
        .annotate(
            rg_issued=Count("pk", filter=issued["rg"]),
            **{
                f"{outcome}_{stage}": Count(
                    "pk", filter=issued[stage] & Q(**{f"{stage}_positive": positive})
                )
                for stage in DECISION_STAGES
                for outcome, positive in (("positive", True), ("negative", False))
            },
        )
        .order_by()
    )


def _decision_table(decisions: list[dict]) -> Table:
    rows = []
    for stage, label in DECISION_STAGES.items():
        row = {
            "stage": label,
            "positive": sum(group[f"positive_{stage}"] for group in decisions),
            "negative": sum(group[f"negative_{stage}"] for group in decisions),
        }
        row[TOTAL] = row["positive"] + row["negative"]
        row["share_positive"] = share(row["positive"], row[TOTAL])
        rows.append(row)
    return Table(
        key="decisions",
        title=_("Decisions issued in the period"),
        description=_("Counted by the date each decision was issued."),
        columns=[
            Column("stage", _("Decision"), LABEL),
            Column("positive", _("Positive")),
            Column("negative", _("Negative")),
            Column(TOTAL, _("Decisions issued")),
            Column("share_positive", _("Positive (%)"), SHARE, depends_on=("positive", TOTAL)),
        ],
        rows=rows,
        sums=("positive", "negative"),
        chart=Chart("stage", ("positive", "negative"), stacked=True),
    )


def _rg_target_table(decisions: list[dict]) -> Table:
    rules = [rule for rule in all_period_rules() if rule.kind == PeriodKind.NRM_RG_TARGET]

    @cache
    def target_of(jurisdiction: str, submitted: date) -> date | None:
        try:
            return deadline(
                kind=PeriodKind.NRM_RG_TARGET,
                jurisdiction=jurisdiction,
                start=submitted,
                rules=rules,
            )
        except NoPeriodRule:
            return None  # no target was in force: neither met nor missed

    within = outside = 0
    for group in decisions:
        if not group["rg_issued"] or group["submitted_on"] is None:
            continue
        target = target_of(group["case__jurisdiction"], group["submitted_on"])
        if target is None:
            continue
        if group["rg_decision_on"] <= target:
            within += group["rg_issued"]
        else:
            outside += group["rg_issued"]
    row = {
        "measure": _("Reasonable grounds decisions"),
        "within": within,
        "outside": outside,
        TOTAL: within + outside,
    }
    row["share_within"] = share(within, row[TOTAL])
    return Table(
        key="rg_target",
        title=_("Reasonable grounds decisions within the 5 working day target"),
        description=_(
            "Decisions issued in the period for referrals with a submission date, against "
            "the target in force on the day the referral was submitted."
        ),
        columns=[
            Column("measure", _("Decisions"), LABEL),
            Column("within", _("Within the target")),
            Column("outside", _("After the target")),
            Column(TOTAL, _("Total")),
            Column("share_within", _("Within the target (%)"), SHARE, depends_on=("within", TOTAL)),
        ],
        rows=[row],
        sums=("within", "outside"),
        chart=Chart("measure", ("within", "outside"), stacked=True, horizontal=True),
    )


def _relations(tables: dict[str, Table]) -> list[Relation]:
    """What a reader of the whole report could put together: the same totals in several
    tables; each nationality's referrals as its adults, its minors and people of unknown age;
    each gender's referrals in the referring agency table by age at referral."""
    relations = []
    for key in ("by_exploitation_type", "by_nationality"):
        relations += [
            Relation(("total", 0, column), ((key, TOTAL_ROW, column),))
            for column in (*GENDERS, TOTAL)
        ]
    for key in ("by_referring_agency", "by_competent_authority"):
        relations.append(Relation(("total", 0, TOTAL), ((key, TOTAL_ROW, TOTAL),)))
    exploitation = tables["by_exploitation_type"].rows
    for group in (ADULT, MINOR, AGE_UNKNOWN):
        indices = [index for index, row in enumerate(exploitation) if row["age_group"] == group]
        for column in GENDERS:
            # Adults, minors and people of unknown age, by gender, over every nationality.
            relations.append(
                Relation(
                    Unpublished(f"{group}:{column}"),
                    tuple(("by_exploitation_type", index, column) for index in indices),
                )
            )
            if group != AGE_UNKNOWN:
                relations.append(
                    Relation(
                        (f"by_nationality_{group}", TOTAL_ROW, column),
                        (Unpublished(f"{group}:{column}"),),
                    )
                )
    rows_of = {
        key: {row["country"]: index for index, row in enumerate(tables[key].rows)}
        for key in ("by_nationality", "by_nationality_adult", "by_nationality_minor")
    }
    unknown_by_country = defaultdict(list)
    for country, index in rows_of["by_nationality"].items():
        for column in GENDERS:
            parts = [
                (f"by_nationality_{group}", rows_of[f"by_nationality_{group}"][country], column)
                for group in (ADULT, MINOR)
                if country in rows_of[f"by_nationality_{group}"]
            ]
            unknown = Unpublished(f"unknown age:{country}:{column}")
            unknown_by_country[column].append(unknown)
            relations.append(Relation(("by_nationality", index, column), (*parts, unknown)))
    relations += [
        Relation(Unpublished(f"{AGE_UNKNOWN}:{column}"), tuple(unknowns))
        for column, unknowns in unknown_by_country.items()
    ]
    # By age at referral: each gender's adults and minors, and some of the age not known.
    for column in GENDERS:
        relations.append(
            Relation(
                ("total", 0, column),
                (
                    ("by_referring_agency", TOTAL_ROW, f"{ADULT}_{column}"),
                    ("by_referring_agency", TOTAL_ROW, f"{MINOR}_{column}"),
                    Unpublished(f"age at referral not known:{column}"),
                ),
            )
        )
    relations.append(
        Relation(
            ("by_referring_agency", TOTAL_ROW, "age_unknown"),
            tuple(Unpublished(f"age at referral not known:{column}") for column in GENDERS),
        )
    )
    return relations


def nrm_report(filters: ReportFilter) -> Report:
    people = _people(filters)
    referrers = _referrers(filters)
    decisions = _decisions(filters)
    tables = [
        _total_table(people),
        _exploitation_table(people),
        _nationality_table(
            people,
            key="by_nationality",
            title=_("Referrals by nationality and gender"),
            description=_("Every referral, ranked by number."),
        ),
        _nationality_table(
            [group for group in people if group["age"] == ADULT],
            key="by_nationality_adult",
            title=_("Adults by nationality and gender"),
            description=_("Adult at the first claimed exploitation."),
        ),
        _nationality_table(
            [group for group in people if group["age"] == MINOR],
            key="by_nationality_minor",
            title=_("Minors by nationality and gender"),
            description=_("17 or under at the first claimed exploitation."),
        ),
        _agency_table(referrers),
        _authority_table(referrers),
        _decision_table(decisions),
        _rg_target_table(decisions),
    ]
    return Report(
        key="nrm",
        title=str(_("NRM statistics")),
        tables=tables,
        notes=[str(note) for note in NOTES],
        relations=_relations({table.key: table for table in tables}),
    )
