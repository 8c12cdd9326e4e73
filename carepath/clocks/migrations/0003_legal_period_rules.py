"""Seed the legal periods (DESIGN.md, "Legal and compensation") as dated rules.

Self-contained on purpose: a migration must not import the app's current code. Northern
Ireland has its own compensation scheme (Criminal Injuries Compensation Scheme (Northern
Ireland) 2009); only its two-year application limit is seeded here: review and appeal periods
for Northern Ireland are to be added as rules once confirmed.
"""

import datetime

from django.db import migrations

GB = ("england_wales", "scotland")
ALL = (*GB, "northern_ireland")
CICS_1996 = datetime.date(1996, 4, 1)
CICS_2012 = datetime.date(2012, 11, 27)
NI_2009 = datetime.date(2009, 5, 1)

RULES = [
    *(
        (
            "cica_application",
            j,
            2,
            "years",
            CICS_1996,
            "Criminal Injuries Compensation Schemes 1996, 2001 and 2008: apply within two "
            "years of the incident.",
        )
        for j in GB
    ),
    *(
        (
            "cica_application",
            j,
            2,
            "years",
            CICS_2012,
            "Criminal Injuries Compensation Scheme 2012 para 87: within two years after the "
            "date of the incident (a child's incident: para 88).",
        )
        for j in GB
    ),
    *(
        (
            "cica_minor_age",
            j,
            20,
            "years",
            CICS_2012,
            "Criminal Injuries Compensation Scheme 2012 para 88: under 18 at the incident and "
            "reported to the police before 18: apply before the 20th birthday; reported later: "
            "within two years of the first report.",
        )
        for j in GB
    ),
    *(
        (
            "cica_review",
            j,
            56,
            "days",
            CICS_2012,
            "Criminal Injuries Compensation Scheme 2012 para 118: ask for a review within 56 "
            "days of the date of the decision.",
        )
        for j in GB
    ),
    *(
        (
            "cica_appeal",
            j,
            90,
            "days",
            CICS_2012,
            "Tribunal Procedure (First-tier Tribunal) (Social Entitlement Chamber) Rules 2008 "
            "r.22(3): appeal within 90 days of the review decision.",
        )
        for j in GB
    ),
    (
        "cica_application",
        "northern_ireland",
        2,
        "years",
        NI_2009,
        "Criminal Injuries Compensation Scheme (Northern Ireland) 2009: apply within two years "
        "of the incident.",
    ),
    *(
        (
            "immigration_appeal",
            j,
            14,
            "days",
            datetime.date(2014, 10, 20),
            "Tribunal Procedure (First-tier Tribunal) (Immigration and Asylum Chamber) Rules 2014 "
            "r.19(2): appeal from inside the UK within 14 days of the decision being sent.",
        )
        for j in ALL
    ),
    *(
        (
            "leave_extension_notice",
            j,
            3,
            "months",
            datetime.date(2000, 1, 1),
            "Service practice: start an application to extend leave three months before it "
            "expires; it must be made before expiry for leave to continue (Immigration Act 1971 "
            "s.3C).",
        )
        for j in ALL
    ),
    *(
        (
            "police_update",
            j,
            1,
            "months",
            datetime.date(2021, 4, 1),
            "Code of Practice for Victims of Crime in England and Wales (2020), Right 6: updates "
            "at least monthly as agreed with the victim; applied UK-wide as the default.",
        )
        for j in ALL
    ),
]


def seed(apps, schema_editor):
    PeriodRule = apps.get_model("clocks", "PeriodRule")
    for kind, jurisdiction, length, unit, effective_from, source in RULES:
        PeriodRule.objects.get_or_create(
            kind=kind,
            jurisdiction=jurisdiction,
            effective_from=effective_from,
            defaults={"length": length, "unit": unit, "source": source},
        )


def unseed(apps, schema_editor):
    PeriodRule = apps.get_model("clocks", "PeriodRule")
    for kind, jurisdiction, _length, _unit, effective_from, _source in RULES:
        PeriodRule.objects.filter(
            kind=kind, jurisdiction=jurisdiction, effective_from=effective_from
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0002_seed_period_rules"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
