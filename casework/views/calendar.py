"""Week and team calendars of appointments, and each person's private iCalendar feed."""

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from carepath.decorators import role_required
from carepath.people import services as people_services
from casework.models import Appointment
from casework.selectors import calendar as selectors
from casework.selectors.calendar import CALENDAR_ROLES


def _calendar(request, *, template: str, days_of, title: str):
    week, valid = selectors.week_from(request.GET.get("week"), today=timezone.localdate())
    context = {
        "title": title,
        "week": week,
        "days": days_of(request.user, week=week),
        "week_invalid": not valid,
        "today": timezone.localdate(),
        "this_week": selectors.Week.containing(timezone.localdate()),
    }
    return render(request, template, context)


@role_required(*CALENDAR_ROLES)
@require_safe
def week(request):
    return _calendar(
        request,
        template="casework/calendar_week.html",
        days_of=selectors.week_for,
        title=_("My week"),
    )


@role_required(*CALENDAR_ROLES)
@require_safe
def team_week(request):
    return _calendar(
        request,
        template="casework/calendar_team.html",
        days_of=selectors.team_week_for,
        title=_("Team calendar"),
    )


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, private=True)
    return response


@role_required(*CALENDAR_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def feed_settings(request):
    """Create (or replace) the person's feed: the secret URL is shown in this response only."""
    feed_url = None
    if request.method == "POST":
        token = people_services.calendar_feed_create(user=request.user)
        feed_url = request.build_absolute_uri(reverse("calendar:feed", kwargs={"token": token}))
    context = {"feed": selectors.calendar_feed_of(request.user), "feed_url": feed_url}
    return _private(render(request, "casework/calendar_feed.html", context))


@role_required(*CALENDAR_ROLES)
@require_POST
def feed_revoke(request):
    people_services.calendar_feed_revoke(user=request.user)
    messages.success(request, _("Your calendar feed is switched off. Its address no longer works."))
    return redirect("calendar:feed_settings")


@require_safe
def feed(request, token: str):
    """No sign-in: the token is the credential. Anything that does not open an active feed is a
    plain 404, whatever the reason."""
    user = selectors.calendar_feed_owner(token)
    if user is None:
        raise Http404
    body = ics_calendar(selectors.feed_appointments_for(user), stamp=timezone.now())
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return _private(response)


# --- iCalendar (RFC 5545) -------------------------------------------------------------------
# The feed may sync to a phone that someone else sees: an event carries the case reference and
# the kind of appointment, never the person's name, aliases, where, with whom, phone or notes.

_FOLD_AT = 75  # octets per line, not counting the CRLF (RFC 5545 3.1)


def ics_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11); control characters other than line breaks are
    dropped, since TEXT may not carry them."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch in "\n\t" or (ord(ch) >= 0x20 and ch != "\x7f"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, each continuation starting with a
    space (RFC 5545 3.1), never inside a multi-octet UTF-8 character."""
    if len(line.encode()) <= _FOLD_AT:
        return line
    parts, current, size, limit = [], [], 0, _FOLD_AT
    for ch in line:
        width = len(ch.encode())
        if size + width > limit:
            parts.append("".join(current))
            # The leading space of a continuation line counts towards its 75 octets.
            current, size, limit = [], 0, _FOLD_AT - 1
        current.append(ch)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(appointment: Appointment, *, stamp: datetime) -> list[str]:
    reference = appointment.case.reference
    kind = appointment.get_kind_display()
    ends_at = appointment.starts_at + timedelta(minutes=appointment.duration_minutes or 0)
    description = _(
        "%(kind)s appointment for case %(reference)s. Where, with whom and the rest of the "
        "details are in the case record."
    ) % {"kind": kind, "reference": reference}
    return [
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@carepath",
        f"DTSTAMP:{_utc(stamp)}",
        f"SEQUENCE:{appointment.version}",
        f"DTSTART:{_utc(appointment.starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{ics_text(f'{reference}: {kind}')}",
        f"DESCRIPTION:{ics_text(description)}",
        "STATUS:CONFIRMED",
        "CLASS:PRIVATE",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]


def ics_calendar(appointments: list[Appointment], *, stamp: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Carepath//Appointments//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(_('Appointments'))}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for appointment in appointments:
        lines.extend(_event(appointment, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(f"{ics_fold(line)}\r\n" for line in lines)
