"""The timeline helper every service calls after it changes a record."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from carepath.audit.models import TimelineEvent

# What people read for each kind of event; each app registers its own (AppConfig.ready).
_labels: dict[str, str] = {}


def register_labels(labels: dict[str, str]) -> None:
    _labels.update(labels)


def label_for(kind: str) -> str:
    return str(_labels.get(kind, kind.replace(".", ": ").replace("_", " ")))


def record(
    subject: Model, *, by, kind: str, reason: str = "", detail: dict | None = None
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        organisation_id=_organisation_id(subject),
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        kind=kind,
        actor=by,
        reason=reason,
        detail=detail or {},
    )


def _organisation_id(subject: Model) -> int | None:
    if type(subject).__name__ == "Organisation":
        return subject.pk
    return getattr(subject, "organisation_id", None)
