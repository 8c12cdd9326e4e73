"""Filters for the meeting pages, which show a row for every case and action on an agenda or in
the minutes: the output of Django's own, with what repeats from row to row worked out once."""

import functools

from django import template
from django.db.models import Field, Model
from django.template.defaultfilters import date
from django.utils.translation import get_language

register = template.Library()


@register.filter
def choice_label(obj: Model, name: str):
    """What ``obj.get_<name>_display`` gives. Django translates every choice of the field at
    each call; here each field's labels are translated once per language."""
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)
    return _labels(field, get_language()).get(value, value)


@functools.cache
def _labels(field: Field, language: str | None) -> dict:
    return {value: str(label) for value, label in field.flatchoices}


@register.filter(expects_localtime=True)
def cached_date(value, format_string: str):
    """``value|date:format_string``, each date formatted once per format and language: the
    same dates come back on every row and every page."""
    # The time zone is part of the key: equal instants in two zones are equal datetimes.
    return _formatted(value, format_string, get_language(), getattr(value, "tzinfo", None))


@functools.lru_cache(maxsize=4096)
def _formatted(value, format_string: str, language: str | None, zone) -> str:
    return date(value, format_string)
