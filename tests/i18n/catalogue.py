"""Reading a gettext catalogue (.po) for the tests: entries with their context, plural forms,
translations and flags. Small on purpose: only what makemessages writes."""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
WELSH_PO = BASE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.po"
WELSH_MO = WELSH_PO.with_suffix(".mo")

# Welsh has four plural forms in Django's catalogues: 1, 2, neither 8 nor 11, and 8 or 11.
WELSH_PLURAL_FORMS = 4

# %(name)s, %d, %% and {name}: what must come through a translation unchanged.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdifr]|%[sdif]|\{[a-z_]*\}")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    where: str = ""

    @property
    def translated(self) -> bool:
        forms = WELSH_PLURAL_FORMS if self.msgid_plural else 1
        return all(self.msgstr.get(i) for i in range(forms)) and "fuzzy" not in self.flags


def read(path: Path) -> list[Entry]:
    entries, entry, key = [], Entry(), None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry.msgid or entry.msgstr:
                entries.append(entry)
            entry, key = Entry(), None
        elif line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#:"):
            entry.where = entry.where or line[2:].split()[0]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, key, ast.literal_eval(line))
        else:
            key, _, value = line.partition(" ")
            _append(entry, key, ast.literal_eval(value), start=True)
    return [e for e in entries if e.msgid]  # the header has an empty msgid


def _append(entry: Entry, key: str, text: str, start: bool = False) -> None:
    if key.startswith("msgstr"):
        index = int(key[7:-1]) if "[" in key else 0
        entry.msgstr[index] = ("" if start else entry.msgstr.get(index, "")) + text
    else:
        setattr(entry, key, ("" if start else getattr(entry, key) or "") + text)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))
