"""Re-encrypt every encrypted value with the first key of FIELD_ENCRYPTION_KEYS (and the
current SECRET_KEY), history rows included, and re-hash the opted-out numbers: the step
between adding a new key and removing the old one (docs/SECURITY.md, "Field encryption and
key rotation"). Safe to run again, and while the site is up."""

from django.core.management.base import BaseCommand, CommandError

from carepath import crypto


def counted(counts) -> str:
    return ", ".join(f"{number} {outcome}" for outcome, number in sorted(counts.items())) or "empty"


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value (history rows too) with the first key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per UPDATE")

    def handle(self, *args, batch_size: int, **options):
        unreadable = 0
        for model, names in crypto.encrypted_fields():
            for name in names:
                counts = crypto.rewrite(model, name, crypto.rotate, batch_size=batch_size)
                unreadable += counts["unreadable"]
                self.stdout.write(f"{model._meta.label}.{name}: {counted(counts)}")
        for model, hash_field, source in crypto.hashed_fields():
            counts = crypto.rehash(model, hash_field, source, batch_size=batch_size)
            unreadable += counts["unreadable"]
            self.stdout.write(f"{model._meta.label}.{hash_field}: {counted(counts)}")
        if unreadable:
            raise CommandError(
                f"{unreadable} values do not decrypt with any configured key and were left as "
                "they were: put the key they were written with back in FIELD_ENCRYPTION_KEYS "
                "(or SECRET_KEY_FALLBACKS) and run this again."
            )
        self.stdout.write(self.style.SUCCESS("Every encrypted value uses the first key."))
