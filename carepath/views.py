from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from carepath import navigation
from carepath.decorators import role_required
from carepath.people.models import Role


@login_required
def home(request):
    start = navigation.start_url_for(request.user)
    if start:
        return redirect(start)
    return render(request, "home_no_role.html", status=200)


@dataclass(frozen=True)
class DashboardLink:
    label: str
    url_name: str
    description: str
    roles: tuple[str, ...]


DATA_PROTECTION_ROLES = (Role.DATA_PROTECTION, Role.SERVICE_MANAGER)

# The pages of the data protection dashboard, in order.
DATA_PROTECTION_LINKS: list[DashboardLink] = [
    DashboardLink(
        _("Access log"),
        "audit:access_log",
        _("Who read which case, when, and under which emergency access. Search and download."),
        DATA_PROTECTION_ROLES,
    ),
    DashboardLink(
        _("Emergency access reviews"),
        "casework:emergency_reviews",
        _("Every emergency access, why it was asked for and what was read; record the review."),
        DATA_PROTECTION_ROLES,
    ),
    DashboardLink(
        _("Legal holds"),
        "retention:holds",
        _("Cases kept in full past their retention period; place or release a hold."),
        DATA_PROTECTION_ROLES,
    ),
    DashboardLink(
        _("Retention runs"),
        "retention:runs",
        _("What each night's run anonymised, kept for a legal hold or could not change."),
        DATA_PROTECTION_ROLES,
    ),
    DashboardLink(
        _("Subject access requests"),
        "subject_access:request",
        _("Export everything held about a person who asked for it."),
        DATA_PROTECTION_ROLES,
    ),
]


@role_required(*DATA_PROTECTION_ROLES)
def data_protection(request):
    """The start page of the data protection lead."""
    from casework.selectors.access import emergency_reviews_waiting

    links = [
        {"label": link.label, "url": reverse(link.url_name), "description": link.description}
        for link in DATA_PROTECTION_LINKS
        if any(request.user.has_role(role) for role in link.roles)
    ]
    return render(
        request,
        "data_protection.html",
        {"links": links, "reviews_waiting": emergency_reviews_waiting(request.user)},
    )
