"""The returns report for service managers: returns by country of return and state, and the
reintegration support given, on a page with charts and as CSV or XLSX, as recorded or
disclosure-controlled for sharing outside the organisation. Counts only, no person."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from carepath import exports
from carepath.decorators import role_required
from carepath.forms import DateInput, Form
from carepath.people.models import Role
from carepath.reporting import disclosure, rendering
from returns import selectors


class ReportForm(Form):
    """The period, ``?from=`` and ``?to=`` (both days included, either may be left out), which
    date it applies to, and optionally one team."""

    basis = forms.ChoiceField(
        label=_("Count the returns by"),
        choices=selectors.BASES,
        required=False,
        initial=selectors.BY_CREATED,
        help_text=_("By the date of departure, returns that have not departed are left out."),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the fields are added here, not declared on the class.
        self.fields["from"] = forms.DateField(label=_("From"), required=False, widget=DateInput())
        self.fields["to"] = forms.DateField(label=_("To"), required=False, widget=DateInput())
        self.fields["team"] = forms.TypedChoiceField(
            label=_("Team"),
            choices=[("", _("Every team")), *((team.pk, team.name) for team in teams)],
            coerce=int,
            required=False,
            empty_value=None,
        )

    def clean(self):
        data = super().clean()
        since, until = data.get("from"), data.get("to")
        if since and until and since > until:
            self.add_error("to", _("The end date must be on or after the start date."))
        return data


def _controlled_download(tables, *, export_format: str, filename: str) -> HttpResponse:
    """The tables put through disclosure control, as one CSV or a workbook of a sheet each."""
    tables = [disclosure.control(table) for table in tables]
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
def returns_report(request):
    teams = selectors.report_teams(request.user)
    asked = request.GET.get("team", "").strip()
    if asked and not any(str(team.pk) == asked for team in teams):
        # Another organisation's team, or no team at all, does not exist for this person.
        raise Http404
    form = ReportForm(request.GET or None, teams=teams)
    report = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        report = selectors.returns_report(
            request.user,
            since=data.get("from"),
            until=data.get("to"),
            basis=data.get("basis") or selectors.BY_CREATED,
            team=next((team for team in teams if team.pk == data.get("team")), None),
        )
        export_format = request.GET.get("format", "")
        if export_format in exports.FORMATS:
            period = [day.isoformat() for day in (report.since, report.until) if day]
            filename = "-".join(["returns", *(period or ["all"]), report.basis])
            if request.GET.get("disclosure") == "controlled":
                return _controlled_download(
                    selectors.returns_report_tables(report),
                    export_format=export_format,
                    filename=f"{filename}-controlled",
                )
            headings, rows = selectors.returns_report_table(report)
            return exports.table_response(
                export_format,
                headings=headings,
                rows=rows,
                filename=filename,
                title=str(_("Returns")),
            )
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("disclosure", None)
    return render(
        request,
        "returns/report.html",
        {
            "form": form,
            "report": report,
            "charts": selectors.returns_report_tables(report) if report is not None else [],
            "limit": disclosure.threshold(),
            "query": query.urlencode(),
        },
        status=200 if report is not None else 400,
    )
