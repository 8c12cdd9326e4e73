from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from carepath.decorators import role_required
from carepath.pathway import PathwayError
from carepath.people.models import Role
from carepath.people.selectors import teams_for_intake
from casework.import_forms import COLUMN_HELP, ImportForm
from casework.services import imports as services

# A file with thousands of bad rows: the page lists this many; the rest are counted.
ERRORS_SHOWN = 500


@role_required(Role.SERVICE_MANAGER)
def import_cases(request):
    teams = teams_for_intake(request.user)
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None, request.FILES if posted else None, teams=teams
    )
    result = None
    status = 200
    if posted and not form.is_valid():
        status = 400
    elif posted:
        dry_run = request.POST.get("action") != "import"
        try:
            result = services.import_cases(
                organisation=request.user.organisation,
                team=form.cleaned_data["team"],
                rows_source=form.cleaned_data["file"],
                source_name=form.source_name,
                by=request.user,
                dry_run=dry_run,
            )
        except PathwayError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            if result.errors:
                status = 400
            elif not dry_run:
                messages.success(request, _imported_message(result, form.source_name))
                return redirect("casework:import_cases")
    return render(
        request,
        "casework/import.html",
        {
            "form": form,
            "result": result,
            "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
            "columns": COLUMN_HELP,
        },
        status=status,
    )


def _imported_message(result: services.ImportResult, source_name: str) -> str:
    created = ngettext(
        "%(n)d case imported from %(file)s.", "%(n)d cases imported from %(file)s.", result.created
    ) % {"n": result.created, "file": source_name}
    if not result.skipped:
        return created
    skipped = ngettext(
        "%(n)d was already imported and was left as it was.",
        "%(n)d were already imported and were left as they were.",
        result.skipped,
    ) % {"n": result.skipped}
    return f"{created} {skipped}"
