from datetime import date

from django.db import migrations

NRM_START = date(2009, 4, 1)

# (name, kind, first responder from, first responder until)
AGENCIES = [
    ("Police Scotland", "police", NRM_START, None),
    ("Metropolitan Police Service", "police", NRM_START, None),
    ("South Wales Police", "police", NRM_START, None),
    ("Police Service of Northern Ireland", "police", NRM_START, None),
    ("Home Office (UK Visas and Immigration)", "home_office", NRM_START, None),
    ("Home Office (Immigration Enforcement)", "home_office", NRM_START, None),
    ("Border Force", "home_office", NRM_START, None),
    ("Local authority (children's services)", "local_authority", NRM_START, None),
    ("Local authority (adult services)", "local_authority", NRM_START, None),
    ("Gangmasters and Labour Abuse Authority", "glaa", date(2015, 10, 1), None),
    ("The Salvation Army", "ngo", NRM_START, None),
    ("Migrant Help", "ngo", NRM_START, None),
    ("Barnardo's", "ngo", NRM_START, None),
    ("NSPCC", "ngo", NRM_START, None),
    ("Kalayaan", "ngo", NRM_START, None),
    ("Unseen", "ngo", NRM_START, None),
    ("TARA (Trafficking Awareness Raising Alliance)", "ngo", NRM_START, None),
    ("Migrant Help Scotland", "ngo", NRM_START, None),
    ("Bawso", "ngo", NRM_START, None),
    ("Modern Slavery and Exploitation Helpline", "helpline", None, None),
    ("NHS (health services)", "health", None, None),
    ("Self-referral", "other", None, None),
]


def seed(apps, schema_editor):
    ReferringAgency = apps.get_model("casework", "ReferringAgency")
    for name, kind, start, until in AGENCIES:
        ReferringAgency.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "first_responder_from": start, "first_responder_until": until},
        )


def unseed(apps, schema_editor):
    ReferringAgency = apps.get_model("casework", "ReferringAgency")
    ReferringAgency.objects.filter(name__in=[a[0] for a in AGENCIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
