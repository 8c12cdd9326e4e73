from django.utils.translation import gettext_lazy as _

from carepath.decorators import role_required
from carepath.people.models import Role
from carepath.views import pending_start_page


@role_required(Role.MARAC_CHAIR, Role.MARAC_PARTNER)
def meetings(request):
    return pending_start_page(
        request,
        title=_("MARAC meetings"),
        step="Step 5",
        summary=_("Meetings, agendas, minutes and the actions your agency owns."),
    )
