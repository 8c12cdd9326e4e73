"""Every upload is checked for size and type before it is read: a file too large, of another
kind or of binary garbage gets a clear error on the form, and nothing is saved."""

import datetime
import io
import random
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from carepath import uploads
from carepath.audit.models import TimelineEvent
from casework.models import Case, ReferringAgency
from tests.casework.test_import import csv_text, row

URL = reverse("casework:import_cases")
GOOD_CSV = csv_text(row(reference="OLD-1", referring_agency="Upload Test Agency"))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/London"))):
        yield


@pytest.fixture
def manager(client, manager_a, team_a):
    client.force_login(manager_a)
    return manager_a


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["reference", "gender"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _post(client, team, data: bytes, name: str):
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(URL, {"team": team.pk, "file": upload, "action": "import"})


def _assert_refused(response, message: str):
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content, content[:3000]
    assert not Case.objects.exists()
    assert not TimelineEvent.objects.exists()
    assert not ReferringAgency.objects.filter(name="Upload Test Agency").exists()


def test_a_good_csv_is_imported(client, manager, team_a):
    response = _post(client, team_a, GOOD_CSV.encode(), "old-cases.csv")
    assert response.status_code == 302
    assert Case.objects.get().reference == "OLD-1"


def test_an_oversized_file_is_refused(client, manager, team_a, settings):
    settings.CASE_IMPORT_MAX_BYTES = 1024
    data = GOOD_CSV.encode() + b"\r\n" * 1024
    _assert_refused(_post(client, team_a, data, "old-cases.csv"), "The file is larger than 1.0")


@pytest.mark.parametrize(
    "data, name, message",
    [
        (PNG, "old-cases.csv", "This is not a CSV file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "old-cases.csv", "This is not a CSV file"),
        (_zip({"cases.csv": GOOD_CSV.encode()}), "old-cases.csv", "a zip file, not a CSV"),
        (_xlsx(), "old-cases.csv", "spreadsheet workbook"),
        (GOOD_CSV.encode(), "old-cases.png", "name ends in .csv"),
        (GOOD_CSV.encode(), "old-cases.csv.exe", "name ends in .csv"),
        (GOOD_CSV.encode(), "old-cases", "name ends in .csv"),
        (GOOD_CSV.encode("utf-16"), "old-cases.csv", "not UTF-8"),
        (GOOD_CSV.encode() + b"\x07\x1b[2J", "old-cases.csv", "does not look like a CSV"),
        (b"reference,gender\r\nOLD-1,\x00female\r\n", "old-cases.csv", "does not look like"),
    ],
    ids=[
        "png",
        "pdf",
        "zip",
        "xlsx",
        "png-extension",
        "double-extension",
        "no-extension",
        "utf-16",
        "control-bytes",
        "nul",
    ],
)
def test_a_file_of_the_wrong_type_is_refused(client, manager, team_a, data, name, message):
    _assert_refused(_post(client, team_a, data, name), message)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_binary_garbage_is_refused(client, manager, team_a, seed):
    garbage = random.Random(seed).randbytes(4096)
    response = _post(client, team_a, garbage, "old-cases.csv")
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert any(
        message in content
        for message in ("not UTF-8", "does not look like a CSV", "This is not a CSV file")
    )
    assert not Case.objects.exists()


def test_a_request_body_over_the_limit_is_a_bad_request_not_an_error(client, manager, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post(reverse("casework:case_new"), {"referral_notes": "x" * 20_000})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_upload_limits_are_set():
    from carepath import settings as production

    assert production.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert production.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert production.DATA_UPLOAD_MAX_NUMBER_FILES <= 10


# --- The checks themselves ---------------------------------------------------------------------


def _upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_read_csv_returns_the_text_without_a_byte_order_mark():
    text = uploads.read_csv(_upload(b"\xef\xbb\xbf" + GOOD_CSV.encode(), "a.CSV"), limit=10_000)
    assert text == GOOD_CSV


def test_an_empty_file_is_refused():
    with pytest.raises(forms.ValidationError, match="empty"):
        uploads.read_csv(_upload(b"", "a.csv"), limit=100)


def test_a_file_that_grew_past_its_declared_size_is_refused():
    upload = _upload(GOOD_CSV.encode(), "a.csv")
    upload.size = 10
    with pytest.raises(forms.ValidationError, match="larger than"):
        uploads.read_csv(upload, limit=20)


def test_a_real_xlsx_workbook_is_accepted():
    data = _xlsx()
    assert uploads.read_xlsx(_upload(data, "cases.xlsx"), limit=1_000_000) == data


@pytest.mark.parametrize(
    "data, name",
    [
        (_xlsx(), "cases.csv"),
        (GOOD_CSV.encode(), "cases.xlsx"),
        (PNG, "cases.xlsx"),
        (b"PK\x03\x04 not really a zip", "cases.xlsx"),
        (_zip({"cases.csv": GOOD_CSV.encode()}), "cases.xlsx"),
        (
            _zip(
                {
                    "[Content_Types].xml": b'<Types><Override PartName="/word/document.xml" '
                    b'ContentType="application/vnd.openxmlformats-officedocument.'
                    b'wordprocessingml.document.main+xml"/></Types>'
                }
            ),
            "cases.xlsx",
        ),
    ],
    ids=["xlsx-named-csv", "csv-named-xlsx", "png", "broken-zip", "plain-zip", "docx"],
)
def test_anything_but_an_xlsx_workbook_is_refused(data, name):
    with pytest.raises(forms.ValidationError):
        uploads.read_xlsx(_upload(data, name), limit=1_000_000)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/huge.xml": b"\0" * 5_000_000})
    assert len(bomb) < 20_000
    with pytest.raises(forms.ValidationError, match="not an Excel workbook"):
        uploads.read_xlsx(_upload(bomb, "cases.xlsx"), limit=20_000)


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("read a file over the limit")

    with pytest.raises(forms.ValidationError, match="larger than"):
        uploads.read_xlsx(Unreadable("cases.xlsx", b"x" * 200), limit=100)
