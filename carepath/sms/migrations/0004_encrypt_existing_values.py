"""Encrypt the safe-contact numbers and labels already stored (history rows too), and the
opted-out numbers, which get their keyed hash first (one row per number once normalised).
Reversing decrypts them."""

from django.db import migrations

from carepath import crypto

FIELDS = {
    "SafeContact": ["number", "label"],
    "HistoricalSafeContact": ["number", "label"],
    "OptOut": ["number"],
}


def hash_opt_outs(apps, schema_editor):
    opt_out = apps.get_model("sms", "OptOut")
    seen = set()
    for row in opt_out.objects.order_by("created_at", "pk"):
        # Read through the encrypted field: plaintext as it is, ciphertext decrypted.
        digest = crypto.number_hash(row.number)
        if digest in seen:
            row.delete()
            continue
        seen.add(digest)
        opt_out.objects.filter(pk=row.pk).update(number_hash=digest)


def clear_hashes(apps, schema_editor):
    apps.get_model("sms", "OptOut").objects.update(number_hash=None)


class Migration(migrations.Migration):
    dependencies = [("sms", "0003_encrypted_fields")]

    operations = [
        migrations.RunPython(hash_opt_outs, clear_hashes),
        migrations.RunPython(
            crypto.migrate_fields("sms", FIELDS, crypto.encrypt_plaintext),
            crypto.migrate_fields("sms", FIELDS, crypto.decrypt_to_plaintext),
        ),
    ]
