"""The reports pages of a service manager: each report's tables with their charts, and its
downloads (optionally disclosure-controlled for sharing outside the organisation)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from carepath import exports
from carepath.decorators import role_required
from carepath.people.models import Role
from carepath.reporting import disclosure, rendering, selectors
from carepath.reporting.registry import REPORTS
from marac.selectors.data_return import areas_for_data_return


@role_required(Role.SERVICE_MANAGER)
def report_list(request):
    return render(
        request,
        "reporting/report_list.html",
        {"reports": REPORTS.values(), "marac_areas": areas_for_data_return(request.user)},
    )


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(Role.SERVICE_MANAGER)
def report_detail(request, key: str):
    kind = REPORTS.get(key)
    if kind is None:
        raise Http404
    form = selectors.filter_form(request.user, request.GET or None, today=timezone.localdate())
    if form.is_bound and not form.is_valid():
        return render(
            request, "reporting/report_detail.html", {"kind": kind, "form": form}, status=400
        )
    filters = form.report_filter()
    report = kind.build(filters)
    export_format = request.GET.get("format", "")
    outside = request.GET.get("disclosure") == "controlled"
    if export_format in exports.FORMATS:
        tables = rendering.controlled(report, outside=outside)
        asked = request.GET.get("table", "")
        if asked:
            tables = [table for table in tables if table.key == asked]
            if not tables:
                raise Http404
        name = rendering.file_name(report, filters, outside=outside)
        if asked:
            name = f"{name}-{asked}"
        if export_format == exports.CSV:
            return _download(
                rendering.as_csv(tables),
                content_type="text/csv; charset=utf-8",
                filename=f"{name}.csv",
            )
        return _download(
            rendering.as_xlsx(tables),
            content_type=exports.XLSX_CONTENT_TYPE,
            filename=f"{name}.xlsx",
        )
    query = request.GET.copy()
    for key_ in ("format", "table", "disclosure"):
        query.pop(key_, None)
    return render(
        request,
        "reporting/report_detail.html",
        {
            "kind": kind,
            "form": form,
            "report": report,
            "filters": filters,
            "query": query.urlencode(),
            "limit": disclosure.threshold(),
        },
    )
