"""The NRM report reproduces a published-style table cell for cell.

``fixtures/nrm_2026_q1_referrals.csv`` holds one row per person, built to match the table
below (laid out as the UK's quarterly NRM statistics are: referrals by exploitation type x
gender x adult/minor, by nationality ranked with ties, by referring agency x age at referral x
gender, by competent authority). It is imported with the import command, then the report
command's JSON is compared with the table.

The people chosen on purpose:
- R05 was 16 at the first exploitation and 25 at referral; R12 was 17 at the exploitation
  (the day before his 18th birthday) and 18 at referral: minors in the exploitation and
  nationality tables, adults in the referring agency table;
- R04 turned 18 on the day of her first exploitation: an adult;
- R04 and R13 have two exploitation types each: counted once, as multiple;
- Eritrea, the United Kingdom and Vietnam tie on 3 (ranks 1, 2, 2, 2, 5);
- X01 (referred the day before the period) and X02 (the day after) are left out of the
  referral counts; X01's reasonable grounds decision, issued in the period, is counted;
- R06, R09 and R10 were decided exactly on the 5th working day (within the target), R02 after
  it; X01 was submitted on New Year's Eve and the bank holiday does not count.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURE = Path(__file__).parent / "fixtures" / "nrm_2026_q1_referrals.csv"
GENDERS = ("female", "male", "other")
TYPES = (
    "sexual",
    "labour",
    "domestic_servitude",
    "criminal",
    "organ_removal",
    "other",
    "multiple",
    "unknown",
)

# The published table, as (female, male, other) per line.
PUBLISHED_BY_TYPE = {
    "adult": {
        "sexual": (4, 0, 0),
        "labour": (0, 2, 1),
        "organ_removal": (1, 0, 0),
        "multiple": (1, 1, 0),
        "unknown": (0, 0, 1),
    },
    "minor": {"labour": (0, 1, 0), "domestic_servitude": (1, 0, 0), "criminal": (0, 2, 0)},
}
# rank, country, country name, female, male, other
PUBLISHED_BY_NATIONALITY = [
    (1, "AL", "Albania", 4, 1, 0),
    (2, "ER", "Eritrea", 1, 1, 1),
    (2, "GB", "United Kingdom", 1, 2, 0),
    (2, "VN", "Vietnam", 0, 2, 1),
    (5, "SD", "Sudan", 1, 0, 0),
]
PUBLISHED_BY_NATIONALITY_ADULT = [
    (1, "AL", "Albania", 3, 1, 0),
    (2, "ER", "Eritrea", 1, 1, 1),
    (3, "VN", "Vietnam", 0, 1, 1),
    (4, "SD", "Sudan", 1, 0, 0),
    (4, "GB", "United Kingdom", 1, 0, 0),
]
PUBLISHED_BY_NATIONALITY_MINOR = [
    (1, "GB", "United Kingdom", 0, 2, 0),
    (2, "AL", "Albania", 1, 0, 0),
    (2, "VN", "Vietnam", 0, 1, 0),
]
# agency: adult female, male, other; minor female, male, other; age not known
PUBLISHED_BY_AGENCY = [
    ("Metropolitan Police", (4, 2, 0), (0, 0, 0), 0),
    ("Westshire Council", (1, 2, 0), (0, 2, 0), 0),
    ("Hope Charity", (2, 0, 2), (0, 0, 0), 0),
]
PUBLISHED_BY_AUTHORITY = {"sca": 5, "ieca": 2, "ukhtc": 0, "ukba": 0, "not_recorded": 8}


def _gender(counts):
    row = dict(zip(GENDERS, counts, strict=True))
    row["total"] = sum(counts)
    return row


def _nationality(lines):
    return [
        {"rank": rank, "country": code, "country_name": name, **_gender((f, m, o))}
        for rank, code, name, f, m, o in lines
    ]


@pytest.fixture
def report(org_a, team_a, tmp_path):
    call_command("import_cases", str(FIXTURE), "--organisation", org_a.slug, stdout=StringIO())
    out = StringIO()
    call_command(
        "report",
        "nrm",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--organisation",
        org_a.slug,
        "--format",
        "json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_totals(report):
    assert report["total"] == [{"group": "All referrals", **_gender((7, 6, 2))}]


def test_by_exploitation_type_and_age_at_exploitation(report):
    expected = [
        {
            "age_group": group,
            "exploitation_type": kind,
            **_gender(PUBLISHED_BY_TYPE[group].get(kind, (0, 0, 0))),
        }
        for group in ("adult", "minor")
        for kind in TYPES
    ]
    assert report["by_exploitation_type"] == expected


def test_by_nationality_ranked_with_ties(report):
    assert report["by_nationality"] == _nationality(PUBLISHED_BY_NATIONALITY)
    assert report["by_nationality_adult"] == _nationality(PUBLISHED_BY_NATIONALITY_ADULT)
    assert report["by_nationality_minor"] == _nationality(PUBLISHED_BY_NATIONALITY_MINOR)


def test_by_referring_agency_and_age_at_referral(report):
    expected = []
    for agency, adult, minor, unknown in PUBLISHED_BY_AGENCY:
        row = {"agency": agency}
        for group, counts in (("adult", adult), ("minor", minor)):
            row.update({f"{group}_{g}": n for g, n in zip(GENDERS, counts, strict=True)})
        row["age_unknown"] = unknown
        row["total"] = sum(adult) + sum(minor) + unknown
        expected.append(row)
    assert report["by_referring_agency"] == expected


def test_by_competent_authority(report):
    assert report["by_competent_authority"] == [
        {"authority": authority, "total": total}
        for authority, total in PUBLISHED_BY_AUTHORITY.items()
    ]


def test_decisions_and_reasonable_grounds_target(report):
    assert report["decisions"] == [
        {
            "stage": "Reasonable grounds",
            "positive": 6,
            "negative": 2,
            "total": 8,
            "share_positive": 75.0,
        },
        {
            "stage": "Conclusive grounds",
            "positive": 1,
            "negative": 0,
            "total": 1,
            "share_positive": 100.0,
        },
    ]
    assert report["rg_target"] == [
        {
            "measure": "Reasonable grounds decisions",
            "within": 7,
            "outside": 1,
            "total": 8,
            "share_within": 87.5,
        }
    ]


def test_the_same_table_leaves_the_organisation_disclosure_controlled(org_a, team_a):
    call_command("import_cases", str(FIXTURE), "--organisation", org_a.slug, stdout=StringIO())
    out = StringIO()
    call_command(
        "report",
        "nrm",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--format",
        "json",
        "--disclosure-control",
        stdout=out,
    )
    controlled = json.loads(out.getvalue())
    assert controlled["disclosure_controlled"] is True
    counts = [
        value
        for key, rows in controlled.items()
        if isinstance(rows, list)
        for row in rows
        for column, value in row.items()
        if column not in ("rank", "share_positive", "share_within")
    ]
    assert not [value for value in counts if isinstance(value, int) and 0 < value < 5]
    assert "<5" in counts
    # The 2 "other" are hidden, and so is the total of 15 that, beside female 7 and male 6,
    # would give them away.
    total = controlled["total"][0]
    assert total["other"] in ("<5", "[c]")
    assert total["total"] == "[c]"
    albania = controlled["by_nationality"][0]
    assert albania["country"] == "AL"
    assert albania["female"] in ("<5", "[c]") and albania["male"] in ("<5", "[c]")
