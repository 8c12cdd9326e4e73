from django.core.management.base import BaseCommand

from accommodation import demo as accommodation_demo
from carepath import demo
from casework import demo as casework_demo
from casework import demo_import, demo_legal
from marac import demo as marac_demo
from returns import demo as returns_demo


class Command(BaseCommand):
    help = "Load the demo organisations, staff and records. Safe to run again."

    def handle(self, *args, **options):
        logins = demo.seed_people()
        cases = casework_demo.seed_cases()
        self.stdout.write(f"Demo cases added: {cases}")
        # After seed_cases, which adds its cases only to an organisation that has none.
        historic = demo_import.seed_historic_cases()
        self.stdout.write(f"Demo historic cases imported: {historic}")
        matters = demo_legal.seed_legal_matters()
        self.stdout.write(f"Demo legal matters added: {matters}")
        plans = returns_demo.seed_returns()
        self.stdout.write(f"Demo returns and resettlements added: {plans}")
        properties = accommodation_demo.seed_accommodation()
        self.stdout.write(f"Demo properties added: {properties}")
        maracs = marac_demo.seed_marac()
        self.stdout.write(f"Demo MARACs added: {maracs}")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ as:"))
        width = max(len(username) for _, _, username in logins)
        for organisation, role, username in logins:
            self.stdout.write(f"  {username.ljust(width)}  {role:<22} {organisation}")
        self.stdout.write(f"Every demo password is: {demo.DEMO_PASSWORD}")
        self.stdout.write(
            "Then a sign-in code: `DEBUG=1 manage.py demo_mfa_code` prints the current one."
        )
