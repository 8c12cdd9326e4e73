from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import exports, policy
from carepath.audit import access_log as log
from carepath.audit.forms import AccessLogFilterForm
from carepath.audit.models import AccessLogEntry
from carepath.audit.selectors import access_log_for, access_log_people
from carepath.decorators import role_required
from carepath.people.models import Role

AUDIT_ROLES = (Role.SERVICE_MANAGER, Role.DATA_PROTECTION)


@role_required(*AUDIT_ROLES)
def access_log(request):
    why = policy.basis(request.user, "audit.access_log.view")
    if why is None:
        raise Http404
    form = AccessLogFilterForm(request.GET or None, people=access_log_people(request.user))
    valid = form.is_bound and form.is_valid()
    entries = access_log_for(request.user, **(form.filters() if valid else {}))
    export_format = request.GET.get("export", "")
    if export_format in exports.FORMATS and (valid or not form.is_bound):
        return _export(request, entries, export_format=export_format, basis=why)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "audit/access_log.html",
        {"form": form, "page": page, "query": query.urlencode(), "formats": exports.FORMATS},
    )


def _export(request, entries, *, export_format: str, basis: str):
    rows = [
        (
            entry.created_at,
            str(entry.actor),
            entry.actor.username,
            entry.get_action_display(),
            entry.object_label,
            entry.basis_display,
            entry.emergency_access_id,
            entry.path,
        )
        for entry in entries.iterator(chunk_size=2000)
    ]
    # Taking the log away is itself a read of it.
    log.record(
        request.user.organisation,
        by=request.user,
        basis=basis,
        action=AccessLogEntry.Action.EXPORT,
        path=request.get_full_path(),
        label=f"access log ({len(rows)} entries)",
    )
    return exports.table_response(
        export_format,
        headings=[
            _("When"),
            _("Who"),
            _("Username"),
            _("Action"),
            _("Record"),
            _("Why allowed"),
            _("Emergency access"),
            _("Page"),
        ],
        rows=rows,
        filename=f"access-log-{timezone.localdate():%Y-%m-%d}",
        title=_("Access log"),
    )
