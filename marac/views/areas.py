"""The MARAC chair's pages for their areas: settings, partner agencies, the referrals waiting to
be listed and the meeting schedule."""

from datetime import datetime, time

from django.db.models import Count, IntegerField, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carepath import policy
from carepath.audit import access_log
from carepath.audit.models import AccessLogEntry
from carepath.decorators import role_required
from carepath.people.models import Role, User
from casework.views.actions import form_page
from marac.forms.areas import MaracAreaForm, MeetingScheduleForm, PartnerAgencyForm
from marac.models import (
    MaracArea,
    MaracReferral,
    MeetingState,
    PartnerAgency,
    ReferralState,
)
from marac.services import meetings as services

CHAIR = Role.MARAC_CHAIR
WAITING = (ReferralState.REFERRED, ReferralState.DEFERRED)
OPEN_MEETING = (MeetingState.SCHEDULED, MeetingState.AGENDA_PUBLISHED)
# How many upcoming meetings a waiting referral can be listed on from the area page.
LIST_ON_NEXT = 3
RECENT_MEETINGS = 6


def _areas(user):
    return policy.visible(user, "marac.area.manage", MaracArea.objects.all())


def _area_for(request, pk: int) -> tuple[MaracArea, str]:
    return policy.get_or_404(request.user, "marac.area.manage", MaracArea.objects.all(), pk=pk)


def _area_url(area: MaracArea) -> str:
    return reverse("marac:area", args=[area.pk])


def _start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def _count(queryset, field: str):
    """A correlated count, so several counts on one list do not multiply each other's joins."""
    counted = (
        queryset.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- Areas -------------------------------------------------------------------------------


@role_required(CHAIR)
def area_list(request):
    areas = _areas(request.user).annotate(
        agency_count=_count(PartnerAgency.objects.filter(active=True), "area"),
        waiting_count=_count(MaracReferral.objects.filter(state__in=WAITING), "area"),
        next_meeting_at=Min(
            "meetings__starts_at",
            filter=Q(meetings__state__in=OPEN_MEETING, meetings__starts_at__gte=_start_of_today()),
        ),
    )
    return render(request, "marac/areas/area_list.html", {"areas": areas})


@role_required(CHAIR)
def area_new(request):
    form = MaracAreaForm.for_area(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("Add a MARAC area"),
        save=lambda data: services.marac_area_create(by=request.user, values=form.values()),
        done=_("MARAC area added. Now add its partner agencies and schedule its meetings."),
        to=_area_url,
        back=reverse("marac:areas"),
    )


@role_required(CHAIR)
def area_detail(request, pk: int):
    area, basis = _area_for(request, pk)
    agencies = area.agencies.prefetch_related(
        Prefetch("members", queryset=User.objects.order_by("first_name", "last_name", "username"))
    )
    waiting = list(
        policy.visible(request.user, "marac.referral.view", MaracReferral.objects.all())
        .filter(area=area, state__in=WAITING)
        .select_related("case")
        .order_by("referred_on", "pk")
    )
    meetings = area.meetings.all()
    today = _start_of_today()
    upcoming = list(meetings.filter(starts_at__gte=today).order_by("starts_at", "pk"))
    recent = list(
        meetings.filter(starts_at__lt=today).order_by("-starts_at", "-pk")[:RECENT_MEETINGS]
    )
    list_on = [m for m in upcoming if m.state in OPEN_MEETING][:LIST_ON_NEXT]
    # The waiting list shows survivors' names: a read of each case.
    access_log.record_many(
        {referral.case_id: referral.case for referral in waiting}.values(),
        by=request.user,
        basis=basis,
        action=AccessLogEntry.Action.VIEW,
        path=request.path,
    )
    context = {
        "area": area,
        "agencies": agencies,
        "waiting": waiting,
        "upcoming": upcoming,
        "recent": recent,
        "list_on": list_on,
    }
    return render(request, "marac/areas/area_detail.html", context)


@role_required(CHAIR)
def area_edit(request, pk: int):
    area, _basis = _area_for(request, pk)
    form = MaracAreaForm.for_area(request.POST or None, area=area)
    return form_page(
        request,
        form=form,
        title=_("Change the settings of %(area)s") % {"area": area.name},
        save=lambda data: services.marac_area_update(
            by=request.user, area=area, values=form.values()
        ),
        done=_("Settings saved."),
        to=_area_url,
        back=_area_url(area),
    )


# --- Partner agencies ----------------------------------------------------------------------


def _agency_page(request, *, area: MaracArea, agency: PartnerAgency | None, title: str):
    form = PartnerAgencyForm(request.POST or None, area=area, agency=agency)
    return form_page(
        request,
        form=form,
        title=title,
        save=lambda data: services.partner_agency_save(
            by=request.user,
            area=area,
            agency=agency,
            name=data["name"],
            kind=data["kind"],
            active=data["active"],
            members=data["members"],
        ),
        done=lambda saved: _("%(agency)s saved.") % {"agency": saved.name},
        to=lambda _saved: _area_url(area),
        back=_area_url(area),
        context={"area": area},
    )


@role_required(CHAIR)
def agency_new(request, pk: int):
    area, _basis = _area_for(request, pk)
    title = _("Add a partner agency to %(area)s") % {"area": area.name}
    return _agency_page(request, area=area, agency=None, title=title)


@role_required(CHAIR)
def agency_edit(request, pk: int):
    agency = get_object_or_404(
        PartnerAgency.objects.select_related("area").filter(area__in=_areas(request.user)), pk=pk
    )
    title = _("Change %(agency)s") % {"agency": agency.name}
    return _agency_page(request, area=agency.area, agency=agency, title=title)


# --- The schedule -------------------------------------------------------------------------


def _scheduled_message(created: int, asked: int) -> str:
    if created < asked:
        return _(
            "%(created)s of %(asked)s meetings scheduled: days that already had a meeting "
            "were skipped."
        ) % {"created": created, "asked": asked}
    return ngettext(
        "%(created)s meeting scheduled.", "%(created)s meetings scheduled.", created
    ) % {"created": created}


@role_required(CHAIR)
def meeting_new(request, pk: int):
    area, _basis = _area_for(request, pk)
    form = MeetingScheduleForm(request.POST or None, area=area)
    return form_page(
        request,
        form=form,
        title=_("Schedule meetings of %(area)s") % {"area": area.name},
        save=lambda data: services.marac_meetings_schedule(
            by=request.user,
            area=area,
            first_starts_at=form.starts_at(),
            count=data["count"],
            location=data["location"],
        ),
        done=lambda created: _scheduled_message(len(created), form.cleaned_data["count"]),
        to=lambda _created: _area_url(area),
        back=_area_url(area),
        context={"area": area, "submit": _("Schedule")},
    )
