"""Run a report from the command line: ``manage.py report nrm --from 2026-01-01 --to
2026-03-31 --format json``. Without ``--organisation`` it counts every organisation."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from carepath.people.models import Jurisdiction, Organisation
from carepath.reporting import rendering
from carepath.reporting.filters import ReportFilter, period_problem
from carepath.reporting.registry import REPORTS


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Print or save a report (the period is inclusive)."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=sorted(REPORTS))
        parser.add_argument("--from", dest="since", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="until", required=True, help="YYYY-MM-DD")
        parser.add_argument("--organisation", default="", help="the organisation's short name")
        parser.add_argument("--team", type=int, default=None, help="a team's number")
        parser.add_argument("--jurisdiction", default="")
        parser.add_argument("--region", default="")
        parser.add_argument("--local-authority", dest="local_authority", default="")
        parser.add_argument("--format", choices=rendering.FORMATS, default=rendering.JSON)
        parser.add_argument("--table", default="", help="only this table (CSV and XLSX)")
        parser.add_argument(
            "--disclosure-control",
            action="store_true",
            help='for sharing outside the organisation: counts of 1 to 4 show as "<5"',
        )
        parser.add_argument("--output", default="", help="a file; the screen if left out")

    def handle(self, *args, **options):
        since, until = _day(options["since"]), _day(options["until"])
        problem = period_problem(since, until, today=timezone.localdate())
        if problem:
            raise CommandError(problem)
        if options["jurisdiction"] and options["jurisdiction"] not in Jurisdiction.values:
            raise CommandError(f"--jurisdiction must be one of {', '.join(Jurisdiction.values)}.")
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("An XLSX report needs --output FILE.")
        if options["format"] == rendering.JSON and options["table"]:
            raise CommandError("--table is for CSV and XLSX: JSON holds every table.")
        organisations = Organisation.objects.all()
        slug = options["organisation"]
        if slug:
            organisations = organisations.filter(slug=slug)
            if not organisations.exists():
                raise CommandError(f"No organisation has the short name {slug!r}.")
        filters = ReportFilter(
            since=since,
            until=until,
            organisations=tuple(organisations.values_list("pk", flat=True)),
            team=options["team"],
            jurisdiction=options["jurisdiction"],
            region=options["region"],
            local_authority=options["local_authority"],
        )
        report = REPORTS[options["report"]].build(filters)
        outside = options["disclosure_control"]
        export_format = options["format"]
        if export_format == rendering.JSON:
            content = rendering.as_json(report, filters, outside=outside, organisation=slug)
            content = (content + "\n").encode()
        else:
            tables = rendering.controlled(report, outside=outside)
            if options["table"]:
                tables = [table for table in tables if table.key == options["table"]]
                if not tables:
                    raise CommandError(
                        f"The {report.key} report has no table {options['table']!r}."
                    )
            content = (rendering.as_csv if export_format == "csv" else rendering.as_xlsx)(tables)
        if options["output"]:
            with open(options["output"], "wb") as output:
                output.write(content)
        else:
            self.stdout.write(content.decode("utf-8-sig"), ending="")
