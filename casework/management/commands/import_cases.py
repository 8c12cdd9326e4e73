"""Import an existing case spreadsheet: ``manage.py import_cases cases.csv --organisation clyde
[--team 3] [--dry-run]``. The columns are described in casework/services/imports.py."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from carepath.pathway import PathwayError
from carepath.people.models import Organisation, Team
from casework.services.imports import import_cases


class Command(BaseCommand):
    help = (
        "Import cases from a CSV file with a header row (UTF-8). The whole file is checked "
        "first; if any row has a problem, nothing is imported. References the organisation "
        "already has are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument(
            "--organisation",
            default="",
            help="the organisation's short name (needed when there is more than one)",
        )
        parser.add_argument(
            "--team", type=int, default=None, help="a team's number (default: first by name)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file only: nothing is saved"
        )

    def handle(self, *args, **options):
        organisation = self._organisation(options["organisation"])
        team = self._team(organisation, options["team"])
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"No file at {path}.") from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{path} is not UTF-8 text: save it as CSV UTF-8 and try again."
            ) from None
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error.strerror}.") from None
        try:
            result = import_cases(
                organisation=organisation,
                team=team,
                rows_source=text,
                source_name=path.name,
                by=None,
                dry_run=options["dry_run"],
            )
        except PathwayError as error:
            raise CommandError(str(error)) from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} problem(s) found: nothing was imported.")
        self.stdout.write(f"created: {result.created}")
        self.stdout.write(f"skipped (already imported): {result.skipped}")
        if result.dry_run:
            self.stdout.write("dry run: nothing saved")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported into {organisation.slug}/{team}."))

    def _organisation(self, slug: str) -> Organisation:
        if slug:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise CommandError(f"No organisation has the short name {slug!r}.")
            return organisation
        organisations = list(Organisation.objects.all()[:2])
        if not organisations:
            raise CommandError("There is no organisation to import into.")
        if len(organisations) > 1:
            raise CommandError("There is more than one organisation: give --organisation SLUG.")
        return organisations[0]

    def _team(self, organisation: Organisation, team_id: int | None) -> Team:
        teams = Team.objects.filter(organisation=organisation).order_by("name", "pk")
        if team_id is not None:
            team = teams.filter(pk=team_id).first()
            if team is None:
                raise CommandError(f"Team {team_id} is not a team of {organisation.slug}.")
            return team
        team = teams.first()
        if team is None:
            raise CommandError(f"{organisation.slug} has no team to import into.")
        return team
