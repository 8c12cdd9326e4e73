"""Append-only log of reads. Selectors that hand a protected record to a person call it.

``basis`` is what the access policy answered; a read under an emergency grant
(``policy.EmergencyBasis``) is filed under that grant."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from carepath.audit.models import AccessLogEntry


def label_for(obj: Model) -> str:
    """A reference to the record that carries no personal data."""
    label = getattr(obj, "audit_label", None)
    return str(label) if label else f"{obj._meta.verbose_name} #{obj.pk}"


def _grant_of(basis: str) -> int | None:
    return getattr(basis, "emergency_access_id", None)


def _organisation_id(obj: Model) -> int | None:
    if obj._meta.label == "people.Organisation":
        return obj.pk
    return getattr(obj, "organisation_id", None)


def record(
    obj: Model,
    *,
    by,
    basis: str,
    action: str = AccessLogEntry.Action.VIEW,
    path: str = "",
    label: str = "",
) -> AccessLogEntry:
    return AccessLogEntry.objects.create(
        organisation_id=_organisation_id(obj),
        actor=by,
        action=action,
        object_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_label=(label or label_for(obj))[:120],
        basis=basis[:200],
        emergency_access_id=_grant_of(basis),
        path=path[:300],
    )


def record_many(objs, *, by, basis: str, action: str, path: str = "") -> None:
    """One row per record, in one insert (a search, an export or an agenda reads many at once).
    What the rows share is worked out once, so that each row costs little."""
    objs = list(objs)
    if not objs:
        return
    content_types = ContentType.objects.get_for_models(*{type(o) for o in objs})
    type_ids = {model: content_type.pk for model, content_type in content_types.items()}
    shared = {
        "actor_id": by.pk,
        "action": action,
        "basis": basis[:200],
        "emergency_access_id": _grant_of(basis),
        "path": path[:300],
    }
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            organisation_id=_organisation_id(obj),
            object_type_id=type_ids[type(obj)],
            object_id=obj.pk,
            object_label=label_for(obj)[:120],
            **shared,
        )
        for obj in objs
    )
