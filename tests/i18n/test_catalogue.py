"""The Welsh catalogue is complete, compiled and up to date with the code.

Nothing is shown in English to someone who chose Welsh: every message has a translation, the
compiled catalogue the app loads carries all of them, and a message added to the code without a
translation fails here (the catalogue is extracted again from the code and compared).
"""

import gettext
import shutil
import subprocess
import sys

import pytest

from tests.i18n.catalogue import BASE_DIR, WELSH_MO, WELSH_PO, placeholders, read

SOURCE_DIRS = ("accommodation", "carepath", "casework", "marac", "returns", "templates")


def _key(entry):
    """The key a compiled catalogue files a message under (gettext's own form)."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def test_every_message_has_a_welsh_translation():
    untranslated = [f"{e.where}: {e.msgid!r}" for e in read(WELSH_PO) if not e.translated]

    assert untranslated == []


def test_the_compiled_catalogue_holds_every_translation():
    with WELSH_MO.open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog

    stale = []
    for entry in read(WELSH_PO):
        if entry.msgid_plural:
            found = [catalogue.get((_key(entry), i)) for i in range(len(entry.msgstr))]
            expected = [entry.msgstr[i] for i in range(len(entry.msgstr))]
        else:
            found, expected = catalogue.get(_key(entry)), entry.msgstr[0]
        if found != expected:
            stale.append(entry.msgid)

    assert stale == [], "run `make messages` to compile the catalogue"


def test_translations_keep_every_placeholder():
    broken = [
        f"{e.where}: {e.msgid!r} -> {text!r}"
        for e in read(WELSH_PO)
        for text in e.msgstr.values()
        if placeholders(text) != placeholders(e.msgid_plural or e.msgid)
        and placeholders(text) != placeholders(e.msgid)
    ]

    assert broken == []


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext is not installed (apt-get install gettext)",
)
def test_no_message_in_the_code_is_missing_from_the_catalogue(tmp_path):
    """Extract the messages from a copy of the code into a copy of the catalogue: anything new
    comes out untranslated, anything removed drops out."""
    for name in SOURCE_DIRS:
        shutil.copytree(
            BASE_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copytree(BASE_DIR / "locale", tmp_path / "locale")
    shutil.copy(BASE_DIR / "manage.py", tmp_path / "manage.py")

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "cy", "--no-obsolete"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "SECRET_KEY": "extracting-messages"},
        check=True,
        capture_output=True,
    )

    extracted = read(tmp_path / "locale" / "cy" / "LC_MESSAGES" / "django.po")
    new = [f"{e.where}: {e.msgid!r}" for e in extracted if not e.translated]
    assert new == [], "translate these in locale/cy/LC_MESSAGES/django.po (`make messages`)"
    committed = {(e.msgctxt, e.msgid) for e in read(WELSH_PO)}
    assert committed == {(e.msgctxt, e.msgid) for e in extracted}, "run `make messages`"
