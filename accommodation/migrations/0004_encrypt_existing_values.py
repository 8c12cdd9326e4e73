"""Encrypt the addresses, postcodes and move-on destinations already stored, in the properties
and placements and in their history rows. Reversing decrypts them."""

from django.db import migrations

from carepath import crypto

FIELDS = {
    "Property": ["address", "postcode"],
    "HistoricalProperty": ["address", "postcode"],
    "Placement": ["move_on_destination"],
    "HistoricalPlacement": ["move_on_destination"],
}


class Migration(migrations.Migration):
    dependencies = [("accommodation", "0003_encrypted_fields")]

    operations = [
        migrations.RunPython(
            crypto.migrate_fields("accommodation", FIELDS, crypto.encrypt_plaintext),
            crypto.migrate_fields("accommodation", FIELDS, crypto.decrypt_to_plaintext),
        )
    ]
