from django.core.management.base import BaseCommand, CommandError

from carepath.bench import BenchExists, seed_bench


class Command(BaseCommand):
    help = (
        "Create a realistic synthetic data set for performance work: N cases across several "
        "bench organisations, in every state, with their timelines, appointments, reminders, "
        "risk assessments, accommodation, MARACs, legal matters and returns. Leaves existing "
        "data alone; refuses to run twice on one database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many cases (N).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same data.")

    def handle(self, *args, cases: int, seed: int, **options):
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        try:
            result = seed_bench(cases=cases, seed=seed, progress=self.stdout.write)
        except BenchExists as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Bench data for {result.cases} cases (seed {result.seed}, dated "
                f"{result.today:%Y-%m-%d}) made in {result.seconds:.1f}s:"
            )
        )
        width = max(len(label) for label in result.created)
        for label, count in result.created.items():
            self.stdout.write(f"  {label.ljust(width)}  {count:>9}")
        self.stdout.write("Sign in as (password and authenticator below):")
        for role, (first, count) in result.logins.items():
            self.stdout.write(f"  {role:<22} {first} … ({count})")
        self.stdout.write(
            f"Every bench password is: {result.password}; the authenticator uses the demo "
            "secret (DEBUG=1 manage.py demo_mfa_code)."
        )
