from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import ReferringAgency

# Case content is never in Django's admin: it is read only through the access policy, with
# every read logged. Reference data is.


@admin.register(ReferringAgency)
class ReferringAgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "first_responder_from", "first_responder_until"]
    list_filter = ["kind"]
    search_fields = ["name"]
