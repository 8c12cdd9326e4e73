"""Appointments by week (a person's own, or their teams'), and the private calendar feed."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from carepath import policy
from carepath.people.models import CalendarFeed, Role, User
from casework.models import Appointment, AppointmentState, Case

CALENDAR_ROLES = (Role.CASEWORKER, Role.SERVICE_MANAGER)
WEEK_STATES = (AppointmentState.REQUESTED, AppointmentState.BOOKED)
FEED_HISTORY = timedelta(days=30)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Nobody plans outside these years, and the datetime arithmetic at the edges of the calendar
# (year 1, year 9999) overflows.
_FIRST_YEAR, _LAST_YEAR = 1900, 2999


@dataclass(frozen=True)
class Week:
    """Monday to Sunday, in UK time."""

    monday: date

    @classmethod
    def containing(cls, day: date) -> "Week":
        return cls(day - timedelta(days=day.weekday()))

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]

    @property
    def previous(self) -> "Week":
        return Week(self.monday - timedelta(days=7))

    @property
    def next(self) -> "Week":
        return Week(self.monday + timedelta(days=7))

    def bounds(self) -> tuple[datetime, datetime]:
        """From Monday 00:00 to the next Monday 00:00, UK time (so a week that changes the
        clocks is 167 or 169 hours long)."""
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.monday, time.min, tzinfo=zone),
            datetime.combine(self.monday + timedelta(days=7), time.min, tzinfo=zone),
        )


def week_from(value: str | None, *, today: date) -> tuple[Week, bool]:
    """The week holding the date given as YYYY-MM-DD, and whether the value could be used.
    No value, or one that is not a date, gives this week."""
    this_week = Week.containing(today)
    if not value:
        return this_week, True
    value = value.strip()
    if not _ISO_DATE.match(value):
        return this_week, False
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return this_week, False
    if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
        return this_week, False
    return Week.containing(day), True


@dataclass(frozen=True)
class Day:
    day: date
    appointments: list[Appointment]


def _appointments_of(user: User, cases: QuerySet[Case], week: Week) -> list[Day]:
    start, end = week.bounds()
    appointments = (
        Appointment.objects.filter(
            case__in=policy.visible(user, "case.view", cases),
            state__in=WEEK_STATES,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("case", "case__caseworker")
        .order_by("starts_at", "pk")
    )
    zone = timezone.get_default_timezone()
    by_day: dict[date, list[Appointment]] = {day: [] for day in week.days}
    for appointment in appointments:
        by_day[timezone.localtime(appointment.starts_at, zone).date()].append(appointment)
    return [Day(day, items) for day, items in by_day.items()]


def week_for(user: User, *, week: Week) -> list[Day]:
    """Requested and booked appointments with a time, of the cases allocated to the person,
    for each day of the week."""
    return _appointments_of(user, Case.objects.filter(caseworker=user), week)


def team_week_for(user: User, *, week: Week) -> list[Day]:
    """The same for every case of the person's teams; a service manager's covers every case
    of their organisation."""
    cases = Case.objects.all()
    if not user.has_role(Role.SERVICE_MANAGER):
        cases = cases.filter(team_id__in=user.team_ids)
    return _appointments_of(user, cases, week)


def calendar_feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_feed_owner(token: str) -> User | None:
    """The person whose active feed the token opens, or None: unknown and revoked tokens, and
    people who are no longer active or no longer in a role with a calendar, look the same."""
    feed = (
        CalendarFeed.objects.filter(
            token_hash=CalendarFeed.hash_token(token),
            revoked_at__isnull=True,
            user__is_active=True,
            user__organisation__isnull=False,
        )
        .select_related("user")
        .first()
    )
    if feed is None or not any(feed.user.has_role(role) for role in CALENDAR_ROLES):
        return None
    return feed.user


def feed_appointments_for(user: User, *, now: datetime | None = None) -> list[Appointment]:
    """Booked appointments of the cases allocated to the person, from 30 days ago onwards.

    Only what the feed may show is loaded: the feed can sync to a phone someone else sees, so
    the person's name, location and notes never leave the database for it."""
    now = now or timezone.now()
    cases = policy.visible(user, "case.view", Case.objects.filter(caseworker=user))
    return list(
        Appointment.objects.filter(
            case__in=cases,
            state=AppointmentState.BOOKED,
            starts_at__gte=now - FEED_HISTORY,
        )
        .select_related("case")
        .only("pk", "kind", "starts_at", "duration_minutes", "version", "case", "case__reference")
        .order_by("starts_at", "pk")
    )
