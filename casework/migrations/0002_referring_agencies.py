from datetime import date

from django.db import migrations
from django.utils.translation import gettext_noop

NRM_START = date(2009, 4, 1)

# (name, kind, first responder from, first responder until). The names are in the Welsh catalogue
# too: an agency is shown in the reader's language (ReferringAgency.__str__).
AGENCIES = [
    (gettext_noop("Police Scotland"), "police", NRM_START, None),
    (gettext_noop("Metropolitan Police Service"), "police", NRM_START, None),
    (gettext_noop("South Wales Police"), "police", NRM_START, None),
    (gettext_noop("Police Service of Northern Ireland"), "police", NRM_START, None),
    (gettext_noop("Home Office (UK Visas and Immigration)"), "home_office", NRM_START, None),
    (gettext_noop("Home Office (Immigration Enforcement)"), "home_office", NRM_START, None),
    (gettext_noop("Border Force"), "home_office", NRM_START, None),
    (gettext_noop("Local authority (children's services)"), "local_authority", NRM_START, None),
    (gettext_noop("Local authority (adult services)"), "local_authority", NRM_START, None),
    (gettext_noop("Gangmasters and Labour Abuse Authority"), "glaa", date(2015, 10, 1), None),
    (gettext_noop("The Salvation Army"), "ngo", NRM_START, None),
    (gettext_noop("Migrant Help"), "ngo", NRM_START, None),
    (gettext_noop("Barnardo's"), "ngo", NRM_START, None),
    (gettext_noop("NSPCC"), "ngo", NRM_START, None),
    (gettext_noop("Kalayaan"), "ngo", NRM_START, None),
    (gettext_noop("Unseen"), "ngo", NRM_START, None),
    (gettext_noop("TARA (Trafficking Awareness Raising Alliance)"), "ngo", NRM_START, None),
    (gettext_noop("Migrant Help Scotland"), "ngo", NRM_START, None),
    (gettext_noop("Bawso"), "ngo", NRM_START, None),
    (gettext_noop("Modern Slavery and Exploitation Helpline"), "helpline", None, None),
    (gettext_noop("NHS (health services)"), "health", None, None),
    (gettext_noop("Self-referral"), "other", None, None),
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
