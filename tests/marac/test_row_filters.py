"""The meeting pages' row filters give what Django's own give, in English and in Welsh."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from marac.models import AgencyKind, MaracReferral
from marac.templatetags.marac_rows import cached_date, choice_label


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("kind", list(AgencyKind))
def test_a_choice_label_is_the_fields_display_value(language, kind):
    referral = MaracReferral(referring_agency=kind)
    with translation.override(language):
        assert choice_label(referral, "referring_agency") == referral.get_referring_agency_display()


def test_a_value_that_is_not_a_choice_is_shown_as_it_is():
    assert choice_label(MaracReferral(referring_agency="gone"), "referring_agency") == "gone"


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_date_is_formatted_as_the_date_filter_formats_it(language):
    day = datetime.date(2026, 3, 2)
    with translation.override(language):
        for fmt in ("j M Y", "l j F Y"):
            assert cached_date(day, fmt) == date_filter(day, fmt)
            assert cached_date(day, fmt) == date_filter(day, fmt)  # and again, from the cache


def test_the_same_instant_in_two_time_zones_keeps_each_zones_time():
    instant = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=datetime.UTC)
    london = timezone.localtime(instant, ZoneInfo("Europe/London"))
    assert cached_date(instant, "H:i") == "09:00"
    assert cached_date(london, "H:i") == "10:00"
