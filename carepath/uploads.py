"""Checks on an uploaded file before anything reads it: its size against the limit of the
form that takes it, its name's extension, and its content (a CSV must be UTF-8 text with no
NUL or other control bytes; an XLSX must be a zip holding the OOXML content types of a
workbook). Each refusal is a ``ValidationError`` the person can act on; a form that fails
saves nothing.
"""

import io
import zipfile
from pathlib import PurePath

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The first bytes of files people pick by mistake, to say what they picked.
ZIP_SIGNATURE = b"PK\x03\x04"
OLD_OFFICE_SIGNATURE = b"\xd0\xcf\x11\xe0"
OTHER_SIGNATURES = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"MZ",
    b"\x7fELF",
)
# Text may hold tabs, line ends and form feeds; any other control character means binary.
_CONTROL_CHARACTERS = {chr(code) for code in range(32)} - {"\t", "\n", "\r", "\f"} | {"\x7f"}
# What [Content_Types].xml declares for the main part of an .xlsx workbook (a macro-enabled
# one declares another, and is refused). Looked for as bytes: no XML parser meets the upload.
XLSX_WORKBOOK_CONTENT_TYPE = (
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
)
# A zip of a few megabytes can unpack to gigabytes: its declared size is checked first.
XLSX_MAX_UNPACKED_RATIO = 100


def _extension_of(upload: UploadedFile) -> str:
    return PurePath(upload.name or "").suffix.lower()


def _too_large(limit: int) -> forms.ValidationError:
    return forms.ValidationError(
        _("The file is larger than %(limit)s: split it into smaller files.")
        % {"limit": filesizeformat(limit)},
        code="too_large",
    )


def check_size(upload: UploadedFile, *, limit: int) -> None:
    if upload.size is None or upload.size > limit:
        raise _too_large(limit)
    if upload.size == 0:
        raise forms.ValidationError(_("The file is empty."), code="empty")


def _read(upload: UploadedFile, *, limit: int) -> bytes:
    upload.seek(0)
    # One byte over the limit, so a file that grew after its size was declared is refused.
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def read_csv(upload: UploadedFile, *, limit: int) -> str:
    """The text of an uploaded CSV file: at most ``limit`` bytes, named .csv, UTF-8 (a byte
    order mark is allowed), no NUL or other control bytes, with a comma in its first line."""
    check_size(upload, limit=limit)
    data = _read(upload, limit=limit)
    if data.startswith((ZIP_SIGNATURE, OLD_OFFICE_SIGNATURE)):
        raise forms.ValidationError(
            _(
                "This is a spreadsheet workbook or a zip file, not a CSV file: save it from "
                "your spreadsheet as “CSV UTF-8” and choose that file."
            ),
            code="workbook",
        )
    if data.startswith(OTHER_SIGNATURES):
        raise forms.ValidationError(
            _("This is not a CSV file: choose the file you saved as “CSV UTF-8”."),
            code="wrong_type",
        )
    if _extension_of(upload) != ".csv":
        raise forms.ValidationError(
            _("Choose a CSV file: its name ends in .csv."), code="wrong_extension"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _("The file is not UTF-8 text: save it as “CSV UTF-8” and choose it again."),
            code="not_utf8",
        ) from None
    first_line = text.lstrip("\r\n").partition("\n")[0]
    if _CONTROL_CHARACTERS.intersection(text) or "," not in first_line:
        raise forms.ValidationError(
            _(
                "This does not look like a CSV file: its first line should be the column "
                "names, separated by commas."
            ),
            code="not_csv",
        )
    return text


def read_xlsx(upload: UploadedFile, *, limit: int) -> bytes:
    """The bytes of an uploaded Excel workbook: at most ``limit`` bytes, named .xlsx, a zip
    whose [Content_Types].xml declares a spreadsheet workbook, and not a zip bomb."""
    check_size(upload, limit=limit)
    data = _read(upload, limit=limit)
    not_a_workbook = forms.ValidationError(
        _("This is not an Excel workbook: save it from your spreadsheet as .xlsx."),
        code="not_xlsx",
    )
    if _extension_of(upload) != ".xlsx":
        raise forms.ValidationError(
            _("Choose an Excel workbook: its name ends in .xlsx."), code="wrong_extension"
        )
    if not data.startswith(ZIP_SIGNATURE):
        raise not_a_workbook
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
            if unpacked > limit * XLSX_MAX_UNPACKED_RATIO:
                raise not_a_workbook
            with archive.open("[Content_Types].xml") as content_types:
                declared = content_types.read(1024 * 1024)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        raise not_a_workbook from None
    if XLSX_WORKBOOK_CONTENT_TYPE not in declared:
        raise not_a_workbook
    return data
