"""How long things lasted (support, a stay): a table of bands of whole calendar months and a
one-row table of the median and mean in days, the same for every report that needs them."""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from carepath.reporting.tables import LABEL, NUMBER, Chart, Column, Table, totals_of


@dataclass(frozen=True)
class Band:
    key: str
    label: str
    under_months: int | None  # None: no upper end


def rounded(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def band_of(start: date, end: date, bands: tuple[Band, ...]) -> str:
    # Whole calendar months from the start (measured back from the end, so no date past 9999
    # is ever worked out).
    between = relativedelta(end, start)
    months = between.years * 12 + between.months
    return next(
        band.key for band in bands if band.under_months is None or months < band.under_months
    )


def duration_tables(
    spans: list[tuple[date, date]],
    *,
    bands: tuple[Band, ...],
    key: str,
    count_key: str,
    count_label,
    band_label,
    title,
    description,
    summary_title,
    summary_description,
) -> list[Table]:
    """The bands table (``key``) and the summary table (``key`` + "_summary")."""
    counted = Counter(band_of(start, end, bands) for start, end in spans)
    rows = [{"band": band.key, count_key: counted[band.key]} for band in bands]
    days = [(end - start).days for start, end in spans]
    summary = {
        "measure": count_label,
        count_key: len(days),
        "median_days": rounded(statistics.median(days)) if days else None,
        "mean_days": rounded(statistics.fmean(days)) if days else None,
    }
    return [
        Table(
            key=key,
            title=title,
            description=description,
            columns=[
                Column("band", band_label, LABEL, display={band.key: band.label for band in bands}),
                Column(count_key, count_label),
            ],
            rows=rows,
            total_row=totals_of(rows, [count_key], band=_("Total")),
            chart=Chart("band", (count_key,)),
        ),
        Table(
            key=f"{key}_summary",
            title=summary_title,
            description=summary_description,
            columns=[
                Column("measure", band_label, LABEL),
                Column(count_key, count_label),
                Column("median_days", _("Median (days)"), NUMBER, depends_on=(count_key,)),
                Column("mean_days", _("Mean (days)"), NUMBER, depends_on=(count_key,)),
            ],
            rows=[summary],
            chart=Chart("measure", ("median_days", "mean_days")),
        ),
    ]
