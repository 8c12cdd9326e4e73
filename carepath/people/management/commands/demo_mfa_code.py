import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from carepath import demo


class Command(BaseCommand):
    help = "Print the current sign-in code of the demo accounts' authenticator (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_mfa_code only runs with DEBUG on: it is for the demo data.")
        totp = TOTP(demo.demo_totp_key())
        totp.time = now = time.time()
        step = 30
        self.stdout.write(f"{totp.token():06d}")
        self.stderr.write(
            f"Valid for {step - int(now) % step} more seconds; each code signs in once."
        )
