"""The delivery report: what happened to the reminders of a service over a period, on a page
with charts and as CSV or XLSX, as recorded or disclosure-controlled for sharing outside the
organisation."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from carepath import exports
from carepath.decorators import role_required
from carepath.people.models import Role
from carepath.reporting import disclosure, rendering
from carepath.sms import selectors
from carepath.sms.forms import DeliveryReportForm


def _download(tables, *, export_format: str, outside: bool, filename: str) -> HttpResponse:
    if outside:
        tables = [disclosure.control(table) for table in tables]
        filename = f"{filename}-controlled"
    if export_format == exports.CSV:
        content, content_type = rendering.as_csv(tables), "text/csv; charset=utf-8"
    else:
        content, content_type = rendering.as_xlsx(tables), exports.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{filename}.{export_format}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(Role.SERVICE_MANAGER)
def report(request):
    form = DeliveryReportForm(request.GET or None, today=timezone.localdate())
    report = None
    tables = []
    if not form.is_bound or form.is_valid():
        since, until = form.period()
        report = selectors.delivery_report(request.user, since=since, until=until)
        tables = selectors.delivery_report_tables(report)
        export_format = request.GET.get("format", "")
        if export_format in exports.FORMATS:
            return _download(
                tables,
                export_format=export_format,
                outside=request.GET.get("disclosure") == "controlled",
                filename=f"reminder-delivery-{since.isoformat()}-{until.isoformat()}",
            )
    query = request.GET.copy()
    for key in ("format", "disclosure"):
        query.pop(key, None)
    return render(
        request,
        "sms/report.html",
        {
            "form": form,
            "report": report,
            "charts": tables,
            "limit": disclosure.threshold(),
            "query": query.urlencode(),
        },
        status=200 if report is not None else 400,
    )
