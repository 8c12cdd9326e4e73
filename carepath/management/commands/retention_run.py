"""Apply the retention schedule now: ``manage.py retention_run [--dry-run] [--today
YYYY-MM-DD]``. The nightly task does the same; every run is recorded (RetentionRun)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from carepath.retention.schedule import RECORD_TYPES
from carepath.retention.services import cases_anonymise_due


class Command(BaseCommand):
    help = (
        "Anonymise what is past its retention period, prune the access log, and record the run. "
        "Prints counts only; the run's page lists the references."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be done, change nothing"
        )
        parser.add_argument("--today", default="", help="run as of this day (YYYY-MM-DD)")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"{options['today']!r} is not a date: use YYYY-MM-DD.") from None
        run = cases_anonymise_due(today=today, dry_run=options["dry_run"], trigger="command")
        totals = run.detail["totals"]
        self.stdout.write(
            f"Retention run {run.pk} as of {today.isoformat()}"
            f"{' (dry run: nothing changed)' if run.dry_run else ''}"
        )
        for record_type in RECORD_TYPES:
            counted = totals.get(record_type, {})
            figures = ", ".join(f"{outcome} {number}" for outcome, number in counted.items())
            self.stdout.write(f"  {record_type}: {figures or 'nothing due'}")
