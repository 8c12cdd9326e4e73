"""The MARAC quarterly data return: on a page with its chart, and as CSV or XLSX, as recorded
or disclosure-controlled for sharing outside the organisation. Counts only, no person."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import exports
from carepath.decorators import role_required
from carepath.people.models import Role
from carepath.reporting import disclosure
from marac.models import AgencyKind
from marac.selectors import data_return as selectors
from marac.selectors.data_return import Quarter


@role_required(Role.MARAC_CHAIR, Role.SERVICE_MANAGER)
def data_return(request, pk: int):
    area = selectors.area_for_data_return(request.user, pk)
    quarter = Quarter.containing(timezone.localdate())
    problem = ""
    asked = request.GET.get("quarter", "").strip()
    if asked:
        try:
            quarter = Quarter.parse(asked)
        except ValueError:
            problem = _(
                "“%(asked)s” is not a quarter. Enter a year and a quarter like 2026-Q1. "
                "This is the current quarter."
            ) % {"asked": asked[:20]}
    result = selectors.data_return(area, quarter)
    export_format = request.GET.get("format", "")
    # A download of a quarter nobody asked for would mislead: a bad quarter shows the page.
    if export_format in exports.FORMATS and not problem:
        if request.GET.get("disclosure") == "controlled":
            # For sharing outside the organisation: small counts hidden, and every figure that
            # would give one away.
            (table,) = [disclosure.control(table) for table in selectors.data_return_tables(result)]
            return exports.table_response(
                export_format,
                headings=table.headings(),
                rows=table.export_rows(),
                filename=f"marac-data-return-{area.pk}-{quarter}-controlled",
                title=str(quarter),
            )
        headings, rows = selectors.data_return_table(result)
        return exports.table_response(
            export_format,
            headings=headings,
            rows=rows,
            filename=f"marac-data-return-{area.pk}-{quarter}",
            title=str(quarter),
        )
    return render(
        request,
        "marac/data_return.html",
        {
            "area": area,
            "quarter": quarter,
            "result": result,
            "charts": selectors.data_return_tables(result),
            "limit": disclosure.threshold(),
            "rows": [*result.meetings, result.total],
            "agency_labels": AgencyKind.labels,
            "problem": problem,
            "asked": asked,
        },
    )
