from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from carepath.people.models import Organisation, RoleAssignment, Team, User


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "jurisdiction"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["organisation", "is_active"]
    list_select_related = ["organisation"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Carepath", {"fields": ["organisation", "teams"]}),
    ]
