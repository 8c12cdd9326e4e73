"""The export file: a zip of one JSON file per record type, a readable HTML copy of the same,
its style sheet (no scripts, nothing fetched from elsewhere) and a README."""

from __future__ import annotations

import datetime
import json
import re
import tempfile
import zipfile
from typing import IO

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone

from carepath.subject_access.selectors import Section
from casework.models import Case

# Held in memory up to this size, then in a temporary file that is removed once closed.
IN_MEMORY_LIMIT = 16 * 1024 * 1024


class ExportEncoder(DjangoJSONEncoder):
    """ISO 8601 throughout; times of day in UK local time with their offset."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            if timezone.is_aware(o):
                o = timezone.localtime(o)
            return o.isoformat()
        return super().default(o)


def filename_for(case: Case, day: datetime.date) -> str:
    reference = re.sub(r"[^A-Za-z0-9-]+", "-", case.reference).strip("-") or str(case.pk)
    return f"subject-access-{reference}-{day.isoformat()}.zip"


def build(
    *, case: Case, episodes: list[Case], sections: list[Section], by, created_at
) -> IO[bytes]:
    """The zip, rewound and ready to stream. The caller closes it."""
    context = {
        "case": case,
        "episodes": episodes,
        "sections": sections,
        "created_at": timezone.localtime(created_at),
        "created_by": by.get_full_name() or by.username,
        "organisation": case.organisation,
    }
    # Handed to the response, which streams it and closes it.
    file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_LIMIT)  # noqa: SIM115
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt", render_to_string("subject_access/export/README.txt", context)
        )
        archive.writestr(
            "index.html", render_to_string("subject_access/export/index.html", context)
        )
        archive.writestr("style.css", render_to_string("subject_access/export/style.css"))
        for section in sections:
            archive.writestr(
                f"data/{section.slug}.json",
                json.dumps(section.as_json(), cls=ExportEncoder, ensure_ascii=False, indent=2),
            )
    file.seek(0)
    return file
