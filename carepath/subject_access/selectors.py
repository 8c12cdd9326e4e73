"""Reads for a subject access request: the case a person may export, the episodes of the same
person's support, and every record held about them, ready to write out."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from carepath import policy
from carepath.subject_access.records import (
    HISTORY_SLUG,
    RECORD_TYPES,
    Context,
    RecordType,
    choice,
    field_labels,
    heading_of,
    history_model,
    label_of,
    values_of,
)
from casework.models import Case

EMPTY = "—"


@dataclass
class Record:
    heading: str
    values: dict
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Section:
    slug: str
    title: str
    description: str
    fields: dict[str, str]
    records: list[Record]

    def as_json(self) -> dict:
        return {
            "record_type": self.slug,
            "title": self.title,
            "description": self.description,
            "fields": self.fields,
            "count": len(self.records),
            "records": [record.values for record in self.records],
        }


def case_for_subject_access(user, *, reference: str) -> tuple[Case, str] | None:
    """The case with this reference that ``user`` may export, and why; None for a reference
    that is unknown, of another organisation, or not theirs to export (all told alike)."""
    reference = (reference or "").strip()
    if not reference:
        return None
    cases = policy.visible(user, "case.subject_access", Case.objects.all())
    case = cases.filter(reference=reference).first()
    if case is None:
        matches = list(cases.filter(reference__iexact=reference)[:2])
        case = matches[0] if len(matches) == 1 else None
    why = policy.basis(user, "case.subject_access", case) if case is not None else None
    return (case, why) if why else None


def episodes_of(case: Case) -> list[Case]:
    """Every episode of the same person's support in the case's organisation, oldest first: a
    re-opened case points back to the one before."""
    same_organisation = Case.objects.filter(organisation_id=case.organisation_id)
    episodes = [case]
    seen = {case.pk}
    earlier = case
    while earlier.previous_episode_id and earlier.previous_episode_id not in seen:
        earlier = same_organisation.filter(pk=earlier.previous_episode_id).first()
        if earlier is None:
            break
        episodes.insert(0, earlier)
        seen.add(earlier.pk)
    later = same_organisation.filter(previous_episode=case).first()
    while later is not None and later.pk not in seen:
        episodes.append(later)
        seen.add(later.pk)
        later = same_organisation.filter(previous_episode=later).first()
    return episodes


# --- Records ---------------------------------------------------------------------------------


def display(value) -> str:
    """A value as the readable copy shows it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "j F Y, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, datetime.time):
        return time_format(value, "H:i")
    if isinstance(value, dict):
        if set(value) == {"value", "label"}:
            return str(value["label"])
        if set(value) == {"question", "answer"}:
            return f"{value['question']}: {display(value['answer'])}"
        return "; ".join(f"{key}: {display(item)}" for key, item in value.items())
    if isinstance(value, list):
        parts = [display(item) for item in value]
        nested = any(isinstance(item, dict) and set(item) != {"value", "label"} for item in value)
        return "\n".join(parts) if nested else ", ".join(parts)
    return str(value)


def _related_names(model: type[Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]


def _section(record_type: RecordType, ctx: Context) -> Section:
    model = record_type.model
    rows = list(
        model._default_manager.filter(record_type.scope(ctx))
        .select_related(*_related_names(model))
        .order_by(*(["id"] if model is Case else model._meta.ordering or ["pk"]))
    )
    ctx.exported[model] = [row.pk for row in rows]
    labels = field_labels(record_type)
    records = []
    for row in rows:
        values = values_of(record_type, row)
        records.append(
            Record(
                heading=heading_of(record_type, row),
                values=values,
                rows=[(labels.get(key, key), display(value)) for key, value in values.items()],
            )
        )
    return Section(
        slug=record_type.slug,
        title=str(record_type.title),
        description=str(record_type.description),
        fields=labels,
        records=records,
    )


def _changed(value) -> bool:
    return value not in (None, "", [], {})


def _history_section(ctx: Context) -> Section:
    """Every saved version of every record exported (and of records since removed, where the
    history still names the case), each with what changed from the version before."""
    kinds = {"+": _("Created"), "~": _("Changed"), "-": _("Removed")}
    records = []
    for record_type in RECORD_TYPES:
        historical = history_model(record_type.model)
        if historical is None:
            continue
        labels = field_labels(record_type)
        rows = (
            historical.objects.filter(record_type.scope(ctx))
            # History tables' links are nullable: a record since removed reads as empty.
            .select_related(*_related_names(historical))
            .order_by("id", "history_date", "history_id")
        )
        before: dict[int, dict] = {}
        for row in rows:
            values = values_of(record_type, row, current=False)
            earlier = before.get(row.id)
            changes = [
                {
                    "field": key,
                    "label": labels.get(key, key),
                    "before": earlier.get(key) if earlier else None,
                    "after": value,
                }
                for key, value in values.items()
                if key != "id"
                and (earlier.get(key) != value if earlier is not None else _changed(value))
            ]
            before[row.id] = values
            entry = {
                "record_type": record_type.slug,
                "record": str(record_type.title),
                "record_id": row.id,
                "changed_at": timezone.localtime(row.history_date),
                "change": choice(row.history_type, kinds),
                "changed_by": label_of(row.history_user) if row.history_user_id else None,
                "reason": row.history_change_reason or "",
                "changes": changes,
                "values": values,
            }
            heading = _("%(record)s #%(id)s: %(change)s %(when)s") % {
                "record": capfirst(record_type.model._meta.verbose_name),
                "id": row.id,
                "change": kinds.get(row.history_type, row.history_type),
                "when": display(entry["changed_at"]),
            }
            shown = [(_("By"), display(entry["changed_by"]))]
            if entry["reason"]:
                shown.append((_("Reason"), entry["reason"]))
            for change in changes:
                text = display(change["after"])
                if earlier is not None:
                    text = f"{display(change['before'])} → {text}"
                shown.append((change["label"], text))
            records.append(Record(heading=heading, values=entry, rows=shown))
    return Section(
        slug=HISTORY_SLUG,
        title=_("History of changes"),
        description=_(
            "Every saved version of the records above, oldest first, with what changed each time "
            "and who changed it."
        ),
        fields={
            "record_type": _("Record type"),
            "record": _("Record"),
            "record_id": _("Record number"),
            "changed_at": _("When"),
            "change": _("Change"),
            "changed_by": _("By"),
            "reason": _("Reason"),
            "changes": _("What changed"),
            "values": _("The record as saved"),
        },
        records=records,
    )


def subject_access_sections(episodes: list[Case]) -> list[Section]:
    """Everything held about the person across ``episodes``: one section per record type, then
    the history of every record. Callers have checked the person's permission."""
    ctx = Context(cases=episodes)
    sections = [_section(record_type, ctx) for record_type in RECORD_TYPES]
    sections.append(_history_section(ctx))
    return sections
