from django.utils.translation import gettext_lazy as _

from carepath.decorators import role_required
from carepath.people.models import Role
from carepath.views import pending_start_page


@role_required(Role.CASEWORKER)
def caseload(request):
    return pending_start_page(
        request,
        title=_("My caseload"),
        step="Step 2",
        summary=_("Your cases, each with its next deadline, overdue first."),
    )


@role_required(Role.SERVICE_MANAGER)
def dashboard(request):
    return pending_start_page(
        request,
        title=_("Service dashboard"),
        step="Step 2",
        summary=_("Caseloads per worker, unallocated referrals and breached targets."),
    )
