"""Encrypt the appointment locations already stored, in the appointments and their history
rows. Reversing decrypts them."""

from django.db import migrations

from carepath import crypto

FIELDS = {"Appointment": ["location"], "HistoricalAppointment": ["location"]}


class Migration(migrations.Migration):
    dependencies = [("casework", "0009_appointment_location_encrypted")]

    operations = [
        migrations.RunPython(
            crypto.migrate_fields("casework", FIELDS, crypto.encrypt_plaintext),
            crypto.migrate_fields("casework", FIELDS, crypto.decrypt_to_plaintext),
        )
    ]
