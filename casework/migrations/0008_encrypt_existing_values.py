"""Encrypt the referrers' contact details already stored, in the cases and their history rows.
Reversing decrypts them."""

from django.db import migrations

from carepath import crypto

FIELDS = {"Case": ["referrer_contact"], "HistoricalCase": ["referrer_contact"]}


class Migration(migrations.Migration):
    dependencies = [("casework", "0007_encrypted_fields")]

    operations = [
        migrations.RunPython(
            crypto.migrate_fields("casework", FIELDS, crypto.encrypt_plaintext),
            crypto.migrate_fields("casework", FIELDS, crypto.decrypt_to_plaintext),
        )
    ]
