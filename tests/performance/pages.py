"""The main pages measured at scale, each asked for as the person who uses it, on bench data
(``carepath.bench``). A benchmark can import ``main_pages`` too."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse

from accommodation.models import Placement, PlacementState
from casework.models import Case, CaseState
from marac.models import AgencyKind, MaracMeeting, MeetingState, PartnerAgency


@dataclass(frozen=True)
class Page:
    name: str
    username: str
    url: str
    headers: dict = field(default_factory=dict)


def richest_case(organisation_slug: str = "bench-1", *, strict: bool = False) -> Case | None:
    """A supported case with something in every section of the case page (so that every
    section's queries run) and the most appointments; failing that (unless ``strict``), the
    supported case with the most appointments."""
    supported = (
        Case.objects.filter(organisation__slug=organisation_slug, state=CaseState.SUPPORTED)
        .annotate(appointment_count=Count("appointments", distinct=True))
        .order_by("-appointment_count", "pk")
    )
    return supported.filter(
        legal_matters__steps__isnull=False,
        placements__bed_space__isnull=False,
        risk_assessments__isnull=False,
        appointments__interpreters__isnull=False,
        marac_referrals__isnull=False,
        support_goals__isnull=False,
    ).first() or (None if strict else supported.first())


def _meeting(state: str) -> MaracMeeting:
    return (
        MaracMeeting.objects.filter(area__organisation__slug="bench-1", state=state)
        .annotate(items=Count("cases"))
        .order_by("-items", "-starts_at")
        .first()
    )


def main_pages() -> list[Page]:
    case = richest_case()
    requested = (
        Placement.objects.filter(state=PlacementState.REQUESTED)
        .select_related("provider")
        .order_by("provider__slug", "pk")
        .first()
    )
    provider = requested.provider.slug.removeprefix("bench-")
    partner = (
        PartnerAgency.objects.filter(area__organisation__slug="bench-1", kind=AgencyKind.POLICE)
        .get()
        .members.get()
        .username
    )
    published = _meeting(MeetingState.AGENDA_PUBLISHED)
    approved = _meeting(MeetingState.MINUTES_APPROVED)
    pages = [Page("caseload", "bench.caseworker.1", reverse("casework:caseload"))]
    if case is not None:  # none in a data set without a supported case
        case_url = reverse("casework:case", args=[case.pk])
        pages += [
            Page("case", case.caseworker.username, case_url),
            Page(
                "timeline",
                case.caseworker.username,
                f"{case_url}?page=2",
                {"HTTP_HX_REQUEST": "true"},
            ),
        ]
    return pages + [
        Page("dashboard", "bench.service.manager.1", reverse("casework:dashboard")),
        Page("vacancy board", "bench.accommodation.manager.1", reverse("accommodation:board")),
        Page("vacancies", "bench.caseworker.1", reverse("accommodation:vacancies")),
        Page(
            "matching",
            f"bench.accommodation.manager.{provider}",
            reverse("accommodation:placement", args=[requested.pk]),
        ),
        Page("marac agenda", "bench.marac.chair.1", reverse("marac:meeting", args=[published.pk])),
        Page("marac agenda (partner)", partner, reverse("marac:meeting", args=[published.pk])),
        Page("marac minutes", "bench.marac.chair.1", reverse("marac:meeting", args=[approved.pk])),
        Page("nrm report", "bench.service.manager.1", reverse("reports:detail", args=["nrm"])),
    ]
