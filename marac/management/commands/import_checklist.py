import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from carepath.pathway import PathwayError
from marac.services.risk import checklist_import


class Command(BaseCommand):
    help = (
        "Load a risk checklist from a JSON file as the next version of its checklist "
        "(the format is in docs/RISK_CHECKLISTS.md). Existing versions are never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the checklist as JSON")

    def handle(self, *args, file, **options):
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"{file} is not valid JSON: {error}") from error
        try:
            checklist = checklist_import(data=data)
        except PathwayError as error:
            raise CommandError(f"{file} was not imported: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{checklist.name}” as {checklist.slug} version {checklist.version} "
                f"({checklist.questions.count()} questions)."
            )
        )
