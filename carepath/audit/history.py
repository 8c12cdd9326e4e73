"""Field-level differences between successive django-simple-history rows of a record."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Model
from django.utils.translation import gettext as _


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class Revision:
    when: datetime
    who: object
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)


_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def revisions(obj: Model, *, hidden: frozenset[str] = frozenset()) -> list[Revision]:
    """Newest first. ``hidden`` names fields whose values must not be shown to this reader."""
    rows = list(obj.history.select_related("history_user").order_by("-history_date", "-pk"))
    result = []
    for newer, older in zip(rows, [*rows[1:], None], strict=True):
        revision = Revision(
            when=newer.history_date,
            who=newer.history_user,
            kind=_KINDS.get(newer.history_type, newer.history_type),
            reason=newer.history_change_reason or "",
        )
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                label = _verbose_name(obj, change.field)
                if change.field in hidden:
                    revision.changes.append(Change(label, "…", "…"))
                else:
                    revision.changes.append(
                        Change(
                            label,
                            _display(obj, change.field, change.old),
                            _display(obj, change.field, change.new),
                        )
                    )
        result.append(revision)
    return result


def _display(obj: Model, name: str, value):
    """The value as the page shows it elsewhere: choice labels, related records by name."""
    if value in (None, ""):
        return None
    try:
        model_field = obj._meta.get_field(name)
    except Exception:  # m2m history fields: a list of through rows
        return value
    if model_field.choices:
        labels = dict(model_field.flatchoices)
        if isinstance(value, list):
            return ", ".join(str(labels.get(v, v)) for v in value)
        return labels.get(value, value)
    if model_field.is_relation and model_field.many_to_one:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else value
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _verbose_name(obj: Model, name: str) -> str:
    try:
        return str(obj._meta.get_field(name).verbose_name)
    except Exception:  # m2m history fields and removed fields keep their attribute name
        return name.replace("_", " ")
