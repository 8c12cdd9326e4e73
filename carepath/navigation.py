"""Where each role starts and what the navigation offers it."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carepath.people.models import Role
from carepath.policy import EMERGENCY_ACCESS_ROLES


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]


# The first item a person's roles reach is their start page.
NAVIGATION = (
    NavItem(_("My caseload"), "casework:caseload", (Role.CASEWORKER,)),
    NavItem(_("Service dashboard"), "casework:dashboard", (Role.SERVICE_MANAGER,)),
    NavItem(_("Data protection"), "data_protection", (Role.DATA_PROTECTION,)),
    NavItem(_("My week"), "calendar:week", (Role.CASEWORKER,)),
    NavItem(_("Team calendar"), "calendar:team", (Role.CASEWORKER, Role.SERVICE_MANAGER)),
    NavItem(_("New referral"), "casework:case_new", (Role.CASEWORKER, Role.SERVICE_MANAGER)),
    NavItem(_("Find a case"), "casework:search", (Role.CASEWORKER, Role.SERVICE_MANAGER)),
    NavItem(_("Vacancies"), "accommodation:board", (Role.ACCOMMODATION_MANAGER,)),
    NavItem(_("MARAC meetings"), "marac:meetings", (Role.MARAC_CHAIR, Role.MARAC_PARTNER)),
    NavItem(_("MARAC actions"), "marac:actions", (Role.MARAC_CHAIR, Role.MARAC_PARTNER)),
    NavItem(_("MARAC areas"), "marac:areas", (Role.MARAC_CHAIR,)),
    NavItem(_("Access log"), "audit:access_log", (Role.SERVICE_MANAGER, Role.DATA_PROTECTION)),
    NavItem(
        _("Emergency access reviews"),
        "casework:emergency_reviews",
        (Role.SERVICE_MANAGER, Role.DATA_PROTECTION),
    ),
    NavItem(_("Users"), "people:users", (Role.ADMINISTRATOR,)),
    NavItem(_("Teams"), "people:teams", (Role.ADMINISTRATOR,)),
    NavItem(_("Message templates"), "sms:templates", (Role.ADMINISTRATOR,)),
    NavItem(_("Reminder rules"), "sms:rules", (Role.ADMINISTRATOR,)),
    NavItem(_("Reports"), "reports:list", (Role.SERVICE_MANAGER,)),
    NavItem(_("Properties"), "accommodation:properties", (Role.ACCOMMODATION_MANAGER,)),
    NavItem(_("Vacancies"), "accommodation:vacancies", (Role.CASEWORKER, Role.SERVICE_MANAGER)),
    # Last, so it is nobody's start page.
    NavItem(_("Emergency access"), "casework:emergency_access", EMERGENCY_ACCESS_ROLES),
)


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = [
        {"label": item.label, "url": reverse(item.url_name), "name": item.url_name}
        for item in NAVIGATION
        if any(user.has_role(role) for role in item.roles)
    ]
    for item in items:
        if item["name"] == "casework:emergency_reviews":
            # Service managers and the data protection lead see, on every page, how many
            # emergency accesses wait for their review.
            from casework.selectors.access import emergency_reviews_waiting

            waiting = emergency_reviews_waiting(user)
            if waiting:
                item["label"] = _("%(label)s (%(n)d waiting)") % {
                    "label": item["label"],
                    "n": waiting,
                }
    return items


def start_url_for(user) -> str | None:
    items = items_for(user)
    return items[0]["url"] if items else None
