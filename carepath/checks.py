"""Checks services make on the values a form hands them, each refusing with a sentence the
person can act on (a ``PathwayError``): dates that cannot be in the future or before the step
they follow, text that is required or too long, amounts of money in pounds and pence."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from carepath.pathway import PathwayError

# Amounts are stored as up to 9 digits with pence: under ten million pounds.
AMOUNT_LIMIT = Decimal("10000000")
PENCE = Decimal("0.01")


def day_label(when: date) -> str:
    return formats.date_format(when, "j F Y")


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def dated(on, *, what: str, future: bool = False) -> date:
    """A date that was entered and, unless ``future``, is not after today."""
    if not isinstance(on, date):
        raise PathwayError(_("Enter %(what)s.") % {"what": what})
    if not future and on > timezone.localdate():
        raise PathwayError(_("%(what)s cannot be in the future.") % {"what": _upper(what)})
    return on


def not_before(on: date, earlier: date | None, *, what: str, after: str) -> None:
    if earlier is not None and on < earlier:
        raise PathwayError(
            _("%(what)s cannot be before %(after)s (%(day)s).")
            % {"what": _upper(what), "after": after, "day": day_label(earlier)}
        )


def text(values: dict, key: str, *, missing: str = "", limit: int | None = None) -> str:
    """``values[key]`` stripped; required when ``missing`` (the sentence said when it is not)."""
    found = (values.get(key) or "").strip()
    if missing and not found:
        raise PathwayError(missing)
    if limit and len(found) > limit:
        raise PathwayError(
            _("This can be at most %(limit)s characters: shorten it.") % {"limit": limit}
        )
    return found


def amount(value, *, noun: str, missing: str = "") -> Decimal | None:
    """Pounds and pence from zero to under ten million; None when empty and not required."""
    if value is None or value == "":
        if missing:
            raise PathwayError(missing)
        return None
    example = _("Enter %(noun)s in pounds, for example 1250 or 1250.50.") % {"noun": noun}
    try:
        found = Decimal(str(value))
    except InvalidOperation:
        raise PathwayError(example) from None
    if not found.is_finite():
        raise PathwayError(example)
    if found < 0:
        raise PathwayError(_("%(noun)s cannot be less than £0.") % {"noun": _upper(noun)})
    # Compared before any rounding: a huge number cannot be quantised to pence.
    if found >= AMOUNT_LIMIT:
        raise PathwayError(_("%(noun)s must be less than £10,000,000.") % {"noun": _upper(noun)})
    if found != found.quantize(PENCE, rounding="ROUND_DOWN"):
        raise PathwayError(
            _("Enter %(noun)s in pounds and pence, for example 1250.50.") % {"noun": noun}
        )
    return found.quantize(PENCE)
