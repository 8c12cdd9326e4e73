from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carepath.clocks.models import PeriodRule


@admin.register(PeriodRule)
class PeriodRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "kind",
        "jurisdiction",
        "length",
        "unit",
        "is_minimum",
        "effective_from",
        "source",
    ]
    list_filter = ["kind", "jurisdiction", "unit", "is_minimum"]
    search_fields = ["source"]
    ordering = ["kind", "jurisdiction", "-effective_from"]
    date_hierarchy = "effective_from"
