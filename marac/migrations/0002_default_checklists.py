"""Ship the two default risk checklists: a DASH-style set and a trafficking set, in Carepath's
own plain wording (the licensed wording of a service's own form is loaded with
``manage.py import_checklist``)."""

from django.db import migrations

SOURCE = "Carepath's own wording"

DASH = {
    "slug": "dash",
    "name": "Risk checklist (DASH-style)",
    "high_from": 14,
    "medium_from": 10,
    "questions": [
        ("Injury", "Has the current incident left you hurt in any way?"),
        ("Fear", "Are you very frightened of them?"),
        (
            "Isolation",
            "Do they stop you seeing friends, family or a doctor, or keep you apart from others?",
        ),
        ("Depression", "Are you feeling very low, hopeless or thinking about harming yourself?"),
        ("Separation", "Have you separated from them, or tried to, in the last year?"),
        ("Child contact", "Is there conflict with them about contact with the children?"),
        (
            "Stalking",
            "Do they follow you, watch you, keep turning up, or keep calling or messaging you?",
        ),
        ("Pregnancy", "Are you pregnant, or have you had a baby in the last 18 months?"),
        ("Frequency", "Is the abuse happening more often?"),
        ("Escalation", "Is the abuse getting worse?"),
        ("Control", "Do they try to control everything you do, or are they very jealous?"),
        ("Weapons", "Have they ever used a weapon or object to hurt you?"),
        (
            "Threats to kill",
            "Have they ever threatened to kill you or someone else, and did you believe them?",
        ),
        (
            "Strangulation",
            "Have they ever strangled, choked, suffocated or drowned you, even briefly?",
        ),
        ("Sexual abuse", "Do they make you do sexual things you do not want to do?"),
        ("Other threats", "Is anyone else threatening or frightening you because of them?"),
        (
            "Harm to others",
            "Have they hurt anyone else: children, family, a new partner or others?",
        ),
        ("Animals", "Have they ever hurt or threatened to hurt a pet or other animal?"),
        ("Finances", "Are there money problems, or do they control or take your money?"),
        (
            "Substance / mental health",
            "Have they had problems with drink, drugs or their mental health in the last year?",
        ),
        ("Suicide threats", "Have they ever threatened or tried to take their own life?"),
        (
            "Breaches",
            "Have they broken a bail condition, injunction, court order or contact agreement?",
        ),
        (
            "Criminal history",
            "Do you know whether they have been in trouble with the police, or have a criminal record?",
        ),
        (
            "Children at risk",
            "Are there children in the household, including children who are not theirs, who could be hurt?",
        ),
    ],
}

TRAFFICKING = {
    "slug": "trafficking",
    "name": "Trafficking risk checklist",
    # Fourteen questions; each "yes" is a sign the exploiters still have a hold on the
    # person. See docs/RISK_CHECKLISTS.md for why the bands are 7 and 4.
    "high_from": 7,
    "medium_from": 4,
    "questions": [
        (
            "Debt bondage",
            "Do they say you owe them money, for travel, housing, food or anything else?",
        ),
        ("Documents held", "Does someone else have your passport, ID or other documents?"),
        (
            "Contact from exploiters",
            "Have the people who exploited you contacted you, or tried to, since you left?",
        ),
        (
            "Being watched",
            "Do you think you are being watched or followed, or that they know where you are?",
        ),
        (
            "Threats to family",
            "Have they threatened your family or people close to you, here or at home?",
        ),
        (
            "Moved between sites",
            "Were you moved from place to place, so you did not know where you were?",
        ),
        ("Controlled money", "Did someone else take or control the money you earned?"),
        (
            "Forced criminality",
            "Were you made to commit crimes, such as growing or selling drugs, or stealing?",
        ),
        ("Return risk", "Would you be in danger, or be trafficked again, if you went back home?"),
        ("Violence", "Did they hurt you, or threaten to, to make you do what they wanted?"),
        ("Sexual exploitation", "Were you made to do sexual things, or to sell sex?"),
        ("Locked in", "Were you locked in, or not allowed to leave where you lived or worked?"),
        ("Recruiter known", "Does the person who recruited you know you or your family well?"),
        (
            "Others still held",
            "Are other people, or someone you care about, still with the exploiters?",
        ),
    ],
}


def create(apps, schema_editor):
    RiskChecklist = apps.get_model("marac", "RiskChecklist")
    RiskQuestion = apps.get_model("marac", "RiskQuestion")
    for data in (DASH, TRAFFICKING):
        if RiskChecklist.objects.filter(slug=data["slug"]).exists():
            continue
        checklist = RiskChecklist.objects.create(
            slug=data["slug"],
            version=1,
            name=data["name"],
            source=SOURCE,
            high_from=data["high_from"],
            medium_from=data["medium_from"],
        )
        RiskQuestion.objects.bulk_create(
            RiskQuestion(checklist=checklist, number=number, topic=topic, text=text)
            for number, (topic, text) in enumerate(data["questions"], start=1)
        )


def remove(apps, schema_editor):
    RiskChecklist = apps.get_model("marac", "RiskChecklist")
    RiskChecklist.objects.filter(slug__in=["dash", "trafficking"], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("marac", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
