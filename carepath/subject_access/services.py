"""Creating a subject access export (UK GDPR Article 15: the right of access)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepath import policy
from carepath.audit import access_log, timeline
from carepath.audit.models import AccessLogEntry
from carepath.pathway import PathwayError
from carepath.people.models import User
from carepath.subject_access import package
from carepath.subject_access.selectors import episodes_of, subject_access_sections
from casework.models import Case

logger = logging.getLogger(__name__)

EXPORT_EVENT = "case.subject_access_export"
timeline.register_labels({EXPORT_EVENT: gettext_lazy("Subject access export")})


@dataclass
class SubjectAccessExport:
    filename: str
    file: IO[bytes]


@transaction.atomic
def subject_access_export(
    *, by: User, case: Case, note: str, path: str = ""
) -> SubjectAccessExport:
    """Everything held about the person of ``case`` (every episode of their support), as a zip.

    The export is logged before it is built, on the access log (each episode) and on the case's
    timeline with the request note, so the export itself shows that it was made."""
    why = policy.require(by, "case.subject_access", case)
    note = (note or "").strip()
    if not note:
        raise PathwayError(
            _("Record when the request was received and how the person's identity was checked.")
        )
    # Each episode on its own right: a later episode may be sealed to people who do not
    # include this exporter (the data protection lead may export them all).
    every_episode = episodes_of(case)
    episodes = [e for e in every_episode if policy.can(by, "case.subject_access", e)]
    for episode in episodes:
        access_log.record(
            episode, by=by, basis=why, action=AccessLogEntry.Action.SUBJECT_ACCESS, path=path
        )
    timeline.record(
        case,
        by=by,
        kind=EXPORT_EVENT,
        reason=note,
        detail={
            "episodes": [episode.reference for episode in episodes],
            "episodes_withheld": len(every_episode) - len(episodes),
        },
    )
    now = timezone.now()
    file = package.build(
        case=case,
        episodes=episodes,
        sections=subject_access_sections(episodes),
        by=by,
        created_at=now,
    )
    logger.info("Subject access export of case %s created by user %s", case.reference, by.pk)
    return SubjectAccessExport(
        filename=package.filename_for(case, timezone.localdate(now)), file=file
    )
