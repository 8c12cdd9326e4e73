"""The retention schedule (settings.RETENTION, docs/RETENTION.md): the last day each kind of
record keeps its personal data. A record is anonymised from the day after that day."""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings

from casework.models import Case, CaseState

CLOSED_CASE = "closed_case"
DECLINED_REFERRAL = "declined_referral"
MARAC_REFERRAL = "marac_referral"
SMS_REMINDER = "sms_reminder"
ACCESS_LOG = "access_log"
RECORD_TYPES = (CLOSED_CASE, DECLINED_REFERRAL, MARAC_REFERRAL, SMS_REMINDER, ACCESS_LOG)
# What a run did to a record: listed by reference under one of these.
ANONYMISED, HELD, FAILED = "anonymised", "held", "failed"


def years(name: str) -> int:
    return settings.RETENTION[name]


def schedule() -> dict[str, int]:
    """The figures a run worked to, recorded with it."""
    return {
        **dict(settings.RETENTION),
        "access_log_days": settings.ACCESS_LOG_RETENTION.days,
    }


def born_on(case: Case) -> date | None:
    return case.verified_date_of_birth or case.date_of_birth


def case_kept_until(case: Case, *, declined_on: date | None = None) -> date | None:
    """The last day a closed or declined case keeps its personal data; None while it is open
    (or when the day it ended is not known). A child's file (under 18 at referral) is kept
    until the child's birthday of ``child_until_age`` too, whichever is later."""
    if case.state == CaseState.CLOSED and case.closed_on:
        until = case.closed_on + relativedelta(years=years("closed_case_years"))
    elif case.state == CaseState.DECLINED and declined_on:
        until = declined_on + relativedelta(years=years("declined_referral_years"))
    else:
        return None
    born = born_on(case)
    if case.is_child and born is not None:
        until = max(until, born + relativedelta(years=years("child_until_age")))
    return until


def marac_years(area) -> int:
    """An area's own period when it has one, else the default."""
    if area.retention_years is not None:
        return area.retention_years
    return years("marac_referral_years")


def marac_referral_kept_until(*, area, last_activity: date) -> date:
    """``last_activity``: the last meeting that heard it, its closing, or its referral."""
    return last_activity + relativedelta(years=marac_years(area))


def generalised_birth_date(born: date | None, measured_on: list[date]) -> date | None:
    """The day of ``born``'s year nearest 1 July that gives the same age in whole years on
    every day of ``measured_on``. It depends only on the year and those ages, so it tells no
    more than they do; ``born`` itself always qualifies, so there is always an answer."""
    if born is None:
        return None
    days = [day for day in measured_on if day is not None]
    wanted = [_age(born, day) for day in days]
    middle = date(born.year, 7, 1)
    candidates = sorted(
        (date.fromordinal(ordinal) for ordinal in _ordinals_of_year(born.year)),
        key=lambda candidate: (abs((candidate - middle).days), candidate),
    )
    for candidate in candidates:
        if [_age(candidate, day) for day in days] == wanted:
            return candidate
    return born  # unreachable: born has its own ages


def _ordinals_of_year(year: int) -> range:
    return range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
