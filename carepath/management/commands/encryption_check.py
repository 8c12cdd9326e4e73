"""Prove that every encrypted value (history rows too) decrypts with the configured keys and
that every keyed hash matches its value. Fails (exit status 1) on a value no key opens, on a
value stored unencrypted, or on a wrong hash; run it after each deployment and before
removing an old key (docs/SECURITY.md, "Field encryption and key rotation")."""

from django.core.management.base import BaseCommand, CommandError

from carepath import crypto
from carepath.management.commands.encryption_rotate import counted


class Command(BaseCommand):
    help = "Check that every encrypted value decrypts with the configured keys."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows read at a time")

    def handle(self, *args, batch_size: int, **options):
        totals = {"unreadable": 0, "plaintext": 0, "mismatched": 0, "older key": 0}
        for model, names in crypto.encrypted_fields():
            for name in names:
                counts = crypto.rewrite(model, name, crypto.inspect, batch_size=batch_size)
                self._add(totals, counts)
                self.stdout.write(f"{model._meta.label}.{name}: {counted(counts)}")
        for model, hash_field, source in crypto.hashed_fields():
            counts = crypto.inspect_hashes(model, hash_field, source, batch_size=batch_size)
            self._add(totals, counts)
            self.stdout.write(f"{model._meta.label}.{hash_field}: {counted(counts)}")
        problems = {k: v for k, v in totals.items() if v and k != "older key"}
        if problems:
            raise CommandError(
                "Field encryption check failed: "
                + counted(problems)
                + ". Unreadable values need the key they were written with back in "
                "FIELD_ENCRYPTION_KEYS (or SECRET_KEY_FALLBACKS); plaintext values and "
                "mismatched hashes are fixed by manage.py encryption_rotate."
            )
        if totals["older key"]:
            self.stdout.write(
                self.style.WARNING(
                    f"{totals['older key']} values use an older key: run manage.py "
                    "encryption_rotate before removing it."
                )
            )
        self.stdout.write(self.style.SUCCESS("Every encrypted value decrypts."))

    @staticmethod
    def _add(totals, counts):
        for outcome in totals:
            totals[outcome] += counts[outcome]
