from django.utils.translation import gettext_lazy as _

from carepath.decorators import role_required
from carepath.people.models import Role
from carepath.views import pending_start_page


@role_required(Role.ACCOMMODATION_MANAGER)
def board(request):
    return pending_start_page(
        request,
        title=_("Vacancies"),
        step="Step 4",
        summary=_("Live vacancies, placement requests awaiting a decision, and occupancy."),
    )
