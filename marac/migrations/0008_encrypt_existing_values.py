"""Encrypt the safe-contact instructions already stored in MARAC referrals and their history
rows. Reversing decrypts them."""

from django.db import migrations

from carepath import crypto

FIELDS = {"MaracReferral": ["safe_contact"], "HistoricalMaracReferral": ["safe_contact"]}


class Migration(migrations.Migration):
    dependencies = [("marac", "0007_encrypted_fields")]

    operations = [
        migrations.RunPython(
            crypto.migrate_fields("marac", FIELDS, crypto.encrypt_plaintext),
            crypto.migrate_fields("marac", FIELDS, crypto.decrypt_to_plaintext),
        )
    ]
