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
from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext_lazy as _
from django_countries import countries

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


def _age(born: date | None, on: date | None) -> int | None:
    if born is None or on is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_group(born: date | None, on: date | None) -> str:
    age = _age(born, on)
    if age is None:
        return AGE_UNKNOWN
    return MINOR if age <= MINOR_UNTIL else ADULT


def gender_group(gender: str) -> str:
    return gender if gender in (Gender.FEMALE, Gender.MALE) else "other"


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


def _referrals(filters: ReportFilter) -> list[dict]:
    """One plain record per referral in the period: only the fields the tables count."""
    found = (
        Case.objects.filter(filters.cases_q(), filters.period_q("referral_date"))
        .values_list(
            "gender",
            "date_of_birth",
            "verified_date_of_birth",
            "first_exploitation_date",
            "referral_date",
            "exploitation_types",
            "claimed_nationality",
            "verified_nationality",
            "referring_agency__name",
            "nrm__competent_authority",
        )
        .order_by()
    )
    referrals = []
    for (
        gender,
        born,
        verified_born,
        first_exploited,
        referred,
        types,
        claimed,
        verified,
        agency,
        authority,
    ) in found.iterator(chunk_size=5000):
        born = verified_born or born
        referrals.append(
            {
                "gender": gender_group(gender),
                "age_at_exploitation": age_group(born, first_exploited),
                "age_at_referral": age_group(born, referred),
                "exploitation": exploitation_group(types),
                "country": str(verified or claimed or ""),
                "agency": agency or "",
                "authority": authority or NOT_RECORDED,
            }
        )
    return referrals


def _total_table(referrals: list[dict]) -> Table:
    row = _gender_row(
        Counter(referral["gender"] for referral in referrals), group=_("All referrals")
    )
    return Table(
        key="total",
        title=_("Referrals"),
        columns=[Column("group", _("Referrals"), LABEL), *_gender_columns()],
        rows=[row],
        sums=GENDERS,
    )


def _exploitation_table(referrals: list[dict]) -> Table:
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for referral in referrals:
        counts[referral["age_at_exploitation"], referral["exploitation"]][referral["gender"]] += 1
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


def _nationality_table(referrals: list[dict], *, key: str, title, description) -> Table:
    counts: dict[str, Counter] = defaultdict(Counter)
    for referral in referrals:
        counts[referral["country"]][referral["gender"]] += 1
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


def _agency_table(referrals: list[dict]) -> Table:
    counts: dict[str, Counter] = defaultdict(Counter)
    for referral in referrals:
        group = referral["age_at_referral"]
        column = "age_unknown" if group == AGE_UNKNOWN else f"{group}_{referral['gender']}"
        counts[referral["agency"]][column] += 1
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


def _authority_table(referrals: list[dict]) -> Table:
    counts = Counter(referral["authority"] for referral in referrals)
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


def _decisions(filters: ReportFilter):
    return NrmRecord.objects.filter(filters.cases_q("case__")).order_by()


def _decision_table(filters: ReportFilter) -> Table:
    records = _decisions(filters)
    rows = []
    for stage, label in (("rg", _("Reasonable grounds")), ("cg", _("Conclusive grounds"))):
        issued = records.filter(filters.period_q(f"{stage}_decision_on")).values_list(
            f"{stage}_positive", flat=True
        )
        outcomes = Counter(issued)
        row = {"stage": label, "positive": outcomes[True], "negative": outcomes[False]}
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


def _rg_target_table(filters: ReportFilter) -> Table:
    rules = all_period_rules()
    decided = (
        _decisions(filters)
        .filter(filters.period_q("rg_decision_on"), submitted_on__isnull=False)
        .values_list("submitted_on", "rg_decision_on", "case__jurisdiction")
    )
    within = outside = 0
    for submitted, decided_on, jurisdiction in decided:
        try:
            target = deadline(
                kind="nrm_rg_target", jurisdiction=jurisdiction, start=submitted, rules=rules
            )
        except NoPeriodRule:
            continue  # no target was in force: neither met nor missed
        if decided_on <= target:
            within += 1
        else:
            outside += 1
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
    referrals = _referrals(filters)
    adults = [r for r in referrals if r["age_at_exploitation"] == ADULT]
    minors = [r for r in referrals if r["age_at_exploitation"] == MINOR]
    tables = [
        _total_table(referrals),
        _exploitation_table(referrals),
        _nationality_table(
            referrals,
            key="by_nationality",
            title=_("Referrals by nationality and gender"),
            description=_("Every referral, ranked by number."),
        ),
        _nationality_table(
            adults,
            key="by_nationality_adult",
            title=_("Adults by nationality and gender"),
            description=_("Adult at the first claimed exploitation."),
        ),
        _nationality_table(
            minors,
            key="by_nationality_minor",
            title=_("Minors by nationality and gender"),
            description=_("17 or under at the first claimed exploitation."),
        ),
        _agency_table(referrals),
        _authority_table(referrals),
        _decision_table(filters),
        _rg_target_table(filters),
    ]
    return Report(
        key="nrm",
        title=str(_("NRM statistics")),
        tables=tables,
        notes=[str(note) for note in NOTES],
        relations=_relations({table.key: table for table in tables}),
    )
