"""Field-level differences between successive django-simple-history rows of a record."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Model


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
                    revision.changes.append(Change(label, change.old, change.new))
        result.append(revision)
    return result


def _verbose_name(obj: Model, name: str) -> str:
    try:
        return str(obj._meta.get_field(name).verbose_name)
    except Exception:  # m2m history fields and removed fields keep their attribute name
        return name.replace("_", " ")
