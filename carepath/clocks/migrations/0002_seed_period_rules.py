"""Seed the NRM periods (DESIGN.md, "NRM record") as dated rules.

Self-contained on purpose: a migration must not import the app's current code.
"""

import datetime

from django.db import migrations

ALL = ("england_wales", "scotland", "northern_ireland")
NRM_LAUNCH = datetime.date(2009, 4, 1)

RG_TARGET_SOURCE = (
    "Modern Slavery statutory guidance (MSA 2015 s.49) and NRM guidance since launch "
    "on 1 April 2009: reasonable grounds decision within 5 working days of referral "
    "where possible. A target, not a deadline."
)
RECOVERY_45_SOURCE = (
    "Council of Europe Convention on Action against Trafficking (ECAT) art. 13 sets at "
    "least 30 days; UK policy from NRM launch on 1 April 2009 gave 45 days, and until "
    "the conclusive grounds decision."
)
# DESIGN.md dates the 30 day minimum from 13 Dec 2022. Note for review: SI 2023/33 lists
# NABA 2022 ss.60-64 as commenced on 30 Jan 2023; correct with a new dated row, not an edit.
RECOVERY_EW_30_SOURCE = (
    "Nationality and Borders Act 2022 s.61 / Modern Slavery Act 2015 s.50A: recovery "
    "period of at least 30 days from a positive RG decision, and until the CG decision."
)
RECOVERY_SCT_90_SOURCE = (
    "Human Trafficking and Exploitation (Scotland) Act 2015 s.9(2)(b)(i); Support for "
    "Victims Regulations 2018 (SSI 2018/90) reg. 2: 90 days from 1 April 2018, ending "
    "earlier on a conclusive determination."
)
MOVE_ON_SOURCE = (
    "Modern Slavery statutory guidance / Victim Care Contract (England and Wales): at "
    "least 45 days of move-on support after a positive CG decision, from 30 September "
    "2019 (was 14 days). Applied UK-wide as the default."
)

RULES = [
    *(
        ("nrm_rg_target", j, 5, "working_days", NRM_LAUNCH, RG_TARGET_SOURCE, False)
        for j in ALL
    ),
    *(
        ("nrm_recovery_period", j, 45, "days", NRM_LAUNCH, RECOVERY_45_SOURCE, True)
        for j in ALL
    ),
    (
        "nrm_recovery_period",
        "england_wales",
        30,
        "days",
        datetime.date(2022, 12, 13),
        RECOVERY_EW_30_SOURCE,
        True,
    ),
    (
        "nrm_recovery_period",
        "scotland",
        90,
        "days",
        datetime.date(2018, 4, 1),
        RECOVERY_SCT_90_SOURCE,
        True,
    ),
    *(
        ("nrm_move_on", j, 45, "days", datetime.date(2019, 9, 30), MOVE_ON_SOURCE, True)
        for j in ALL
    ),
]


def seed(apps, schema_editor):
    PeriodRule = apps.get_model("clocks", "PeriodRule")
    PeriodRule.objects.bulk_create(
        PeriodRule(
            kind=kind,
            jurisdiction=jurisdiction,
            length=length,
            unit=unit,
            effective_from=effective_from,
            source=source,
            is_minimum=is_minimum,
        )
        for kind, jurisdiction, length, unit, effective_from, source, is_minimum in RULES
    )


def unseed(apps, schema_editor):
    PeriodRule = apps.get_model("clocks", "PeriodRule")
    for kind, jurisdiction, _length, _unit, effective_from, _source, _min in RULES:
        PeriodRule.objects.filter(
            kind=kind, jurisdiction=jurisdiction, effective_from=effective_from
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
