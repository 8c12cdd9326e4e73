#!/usr/bin/env python
"""Benchmark Carepath at scale on PostgreSQL (not a test) and write docs/PERFORMANCE.md.

On a database of its own (default ``carepath_bench``) it migrates, seeds ``--cases`` bench cases
(``carepath.bench.seed_bench``), runs VACUUM ANALYZE (what autovacuum would have done), then
measures, with DEBUG off and production settings:

- each main page (tests/performance/pages.py) as the person who uses it, signed in with a
  verified second factor, through Django's test client: warm-up requests, then ``--requests``
  timed requests, the pages taken in turn so that a change in the machine's load touches them
  alike; the median and 95th percentile of the server time, and the query count of one more
  request. The baseline is a plain Django admin change list of cases (registered here only:
  the shipped admin has no cases) on the same data, as a superuser; each page's median is
  reported as a ratio to it. With ``--small-cases`` the query counts are measured again on a
  small data set of its own (``<database>_small_<N>``), so that a count that grows with the data
  shows;
- the NRM report over every case (the ``report`` command, JSON, as recorded and
  disclosure-controlled);
- importing a generated valid ``--import-rows`` CSV into organisation bench-1 (checked only,
  then imported; the import is rolled back so that the data stays as seeded);
- the retention run as of today and as of seven years on (the whole closed backlog), dry and
  real (rolled back);
- planning reminders: staff deadline reminders, MARAC action reminders, appointments booked
  with their text reminders, and ``--reminders`` due texts through ``reminder_plan``;
- dispatching those due texts through real ``celery worker`` processes on Redis, sending with
  the real Twilio SDK over the fake HTTP client of tests/fakes/twilio.py (which records every
  message in Redis): duplicates (a number texted more than once) and lost (a reminder not
  sent) must be zero. Its rows are deleted afterwards.

The results go to a JSON file (default docs/performance.json) and the document is written from
it (``--doc-only`` rewrites the document from the JSON). Diagnostics (the slowest queries of
each page and their plans) go to artifacts/benchmark-queries.json.

    createdb -h 127.0.0.1 -U postgres carepath_bench   # or let --fresh make it
    .venv/bin/python scripts/benchmark.py --fresh --cases 50000
    .venv/bin/python scripts/benchmark.py --skip-seed   # again on the same data

Never point it at a database that matters: it refuses ``test`` and ``test_*``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import types
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "scripts"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/carepath_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
DEFAULT_JSON = BASE_DIR / "docs" / "performance.json"
DEFAULT_DOC = BASE_DIR / "docs" / "PERFORMANCE.md"
DIAGNOSTICS = BASE_DIR / "artifacts" / "benchmark-queries.json"
PARTS = ("pages", "small", "nrm", "import", "retention", "planning", "dispatch")

# The issue's targets (50,000 cases, PostgreSQL, a 2-core machine).
PAGE_MEDIAN_MS = 100
PAGE_P95_MS = 250
NRM_ALL_SECONDS = 1.0
IMPORT_SECONDS = 60.0

# Production settings with benchmark-only secrets: DEBUG off (Django records no queries), the
# manifest static files storage, HTTPS redirects (requests are made as HTTPS).
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "carepath.settings",
    "DEBUG": "",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef-not-for-production",
    "FIELD_ENCRYPTION_KEYS": "benchmark-only-field-encryption-key-0123456789",
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "STATIC_ROOT": str(BASE_DIR / "var" / "benchmark-static"),
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "LOG_LEVEL": "WARNING",
    "SMS_BACKEND": "twilio",
    "TWILIO_HTTP_CLIENT": "tests.fakes.twilio.FakeTwilioHttpClient",
    "TWILIO_ACCOUNT_SID": "AC" + "3" * 32,
    "TWILIO_AUTH_TOKEN": "benchmark-twilio-auth-token-0123456789",
    "TWILIO_FROM_NUMBER": "+447700900000",
    "TWILIO_MESSAGING_SERVICE_SID": "",
    "TWILIO_WEBHOOK_BASE_URL": "https://carepath.example",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50_000, help="bench cases to seed")
    parser.add_argument("--seed", type=int, default=1, help="seed_bench's random seed")
    parser.add_argument(
        "--skip-seed", action="store_true", help="measure the bench data already there"
    )
    parser.add_argument(
        "--seed-if-missing", action="store_true", help="seed only if there is no bench data"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and create the database first")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--reminders", type=int, default=10_000, help="texts to dispatch")
    parser.add_argument("--appointments", type=int, default=1_000, help="appointments to book")
    parser.add_argument("--workers", type=int, default=1, help="celery worker processes")
    parser.add_argument("--concurrency", type=int, default=2, help="pool processes per worker")
    parser.add_argument(
        "--small-cases",
        type=int,
        default=2000,
        help="also count each page's queries on this many cases (0: do not)",
    )
    parser.add_argument(
        "--retention-backlog",
        choices=("none", "bench-1", "all"),
        default="bench-1",
        help="the real run seven years on: for one organisation, every one, or none",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="measure only this part (may be repeated); the others are kept from the last run "
        "on the same data",
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="broker (a Redis db)")
    parser.add_argument("--output", type=Path, default=DEFAULT_JSON, help="the results (JSON)")
    parser.add_argument("--doc", type=Path, default=DEFAULT_DOC, help="the document to write")
    parser.add_argument("--no-doc", action="store_true", help="write the JSON only")
    parser.add_argument("--doc-only", action="store_true", help="rewrite the doc from the JSON")
    return parser.parse_args(argv)


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- The database ------------------------------------------------------------------------


def _connect_admin(url: str):
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("The benchmark measures PostgreSQL: give a postgres:// --database-url.")
    name = config["NAME"]
    if name == "test" or name.startswith("test_"):
        sys.exit(f"Refusing to use {name!r}: it belongs to the test runs. Use carepath_bench.")
    conn = psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    return conn, name


def prepare_database(url: str, *, fresh: bool) -> str:
    conn, name = _connect_admin(url)
    with conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            say(f"Created database {name}")
    return name


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


# --- Measuring ---------------------------------------------------------------------------


def summary(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 else 0
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95 or ordered[-1], 1),
        "min_ms": round(ordered[0], 1),
        "max_ms": round(ordered[-1], 1),
    }


class Timer:
    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    import celery
    import django
    from django.db import connection

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        ram_kb = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
    except OSError:
        ram_kb = 0
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(ram_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "postgresql": postgres,
        "postgresql_shared_buffers": shared_buffers,
        "python": platform.python_version(),
        "django": django.get_version(),
        "celery": celery.__version__,
        "load_average_at_start": load_average(),
    }


def row_counts() -> dict[str, int]:
    """Exact row counts of every table with rows, largest first."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            n = cursor.fetchone()[0]
            if n:
                counts[table] = n
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def vacuum_analyze() -> float:
    from django.db import connection

    with Timer() as t, connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return round(t.seconds, 1)


def collect_static() -> None:
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        say(f"collectstatic into {settings.STATIC_ROOT}")
        call_command("collectstatic", interactive=False, verbosity=0)


# --- The pages ---------------------------------------------------------------------------

BASELINE = "admin change list (baseline)"


def install_baseline_admin():
    """A plain ModelAdmin change list of cases on an admin site of the benchmark's own: the
    shipped admin holds no case content. Returns its URL."""
    from django.conf import settings
    from django.contrib.admin import AdminSite, ModelAdmin
    from django.urls import clear_url_caches, path, set_urlconf

    import carepath.urls
    from casework.models import Case

    site = AdminSite(name="benchadmin")
    site.register(Case, ModelAdmin)
    module = types.ModuleType("carepath_benchmark_urls")
    module.urlpatterns = [path("bench-admin/", site.urls), *carepath.urls.urlpatterns]
    for handler in ("handler400", "handler403", "handler404", "handler500"):
        if hasattr(carepath.urls, handler):
            setattr(module, handler, getattr(carepath.urls, handler))
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
    set_urlconf(None)
    return "/bench-admin/casework/case/"


def signed_in_client(username: str):
    """A client signed in as ``username`` with a verified second factor, as after the code."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from carepath.people.models import User

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Benchmark", confirmed=True)
    client = Client(raise_request_exception=False)  # a page that fails shows as a 500
    client.force_login(user)
    session = client.session  # verified, as django_otp.login leaves it after the code
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def superuser_name() -> str:
    from carepath.people.models import User

    name = "bench.superuser"
    if not User.objects.filter(username=name).exists():
        User.objects.create_superuser(name, f"{name}@bench.invalid", uuid.uuid4().hex)
    return name


def explain(sql: str) -> str:
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return ""
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
    except Exception as error:  # noqa: BLE001 - a diagnostic only
        return f"(no plan: {type(error).__name__})"


def measure_pages(args) -> tuple[dict, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.performance.pages import Page, main_pages

    baseline_url = install_baseline_admin()
    pages = [Page(BASELINE, superuser_name(), baseline_url), *main_pages()]
    clients = {page.name: signed_in_client(page.username) for page in pages}

    def get(page):
        return clients[page.name].get(page.url, secure=True, **page.headers)

    say(f"Pages: {len(pages)} pages, {args.warmup} warm-up and {args.requests} timed requests each")
    statuses: dict[str, set] = {page.name: set() for page in pages}
    samples: dict[str, list[float]] = {page.name: [] for page in pages}
    for round_number in range(args.warmup + args.requests):
        if round_number == args.warmup:
            # As carepath/wsgi.py does once the app is loaded: what is loaded by now stays.
            gc.collect()
            gc.freeze()
        for page in pages:
            started = time.perf_counter()
            response = get(page)
            elapsed = (time.perf_counter() - started) * 1000
            statuses[page.name].add(response.status_code)
            if round_number >= args.warmup:
                samples[page.name].append(elapsed)

    results, diagnostics = {}, {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            response = get(page)
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
        figures = summary(samples[page.name])
        results[page.name] = {
            "user": page.username,
            "url": page.url,
            "htmx": bool(page.headers),
            "status": sorted(statuses[page.name] | {response.status_code}),
            "queries": len(queries),
            "query_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
            "slowest_query_ms": round(float(slowest[0]["time"]) * 1000, 1) if slowest else 0,
            **figures,
        }
        diagnostics[page.name] = [
            {
                "ms": round(float(q["time"]) * 1000, 1),
                "sql": q["sql"][:2000],
                "plan": explain(q["sql"]) if figures["median_ms"] > PAGE_MEDIAN_MS / 2 else "",
            }
            for q in slowest
        ]
        say(
            f"  {page.name}: median {figures['median_ms']} ms, p95 {figures['p95_ms']} ms, "
            f"{len(queries)} queries"
        )
    base = results[BASELINE]["median_ms"]
    for figures in results.values():
        figures["ratio"] = round(figures["median_ms"] / base, 2) if base else None
    return results, diagnostics


def small_query_counts(args) -> dict:
    """The query count of each page on a small data set of its own (another process)."""
    name = prepare_database(args.database_url, fresh=False)
    small = with_database(args.database_url, f"{name}_small_{args.small_cases}")
    prepare_database(small, fresh=False)
    out = Path(tempfile.mkdtemp(prefix="carepath-bench-")) / "small.json"
    say(f"Query counts on {args.small_cases} cases ({small.rsplit('/', 1)[1]})")
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--database-url",
            small,
            "--cases",
            str(args.small_cases),
            "--seed",
            str(args.seed),
            "--seed-if-missing",
            "--only",
            "pages",
            "--requests",
            "2",
            "--warmup",
            "1",
            "--small-cases",
            "0",
            "--output",
            str(out),
            "--no-doc",
        ],
        check=True,
        cwd=BASE_DIR,
    )
    pages = json.loads(out.read_text())["pages"]
    return {name: figures["queries"] for name, figures in pages.items()}


# --- The NRM report over every case ------------------------------------------------------


def measure_nrm(repeats: int = 5) -> dict:
    from django.core.management import call_command
    from django.db.models import Min
    from django.utils import timezone

    from casework.models import Case

    today = timezone.localdate()
    since = Case.objects.aggregate(first=Min("referral_date"))["first"] or today
    result = {"from": since.isoformat(), "to": today.isoformat(), "cases": Case.objects.count()}
    with tempfile.TemporaryDirectory() as folder:
        for key, extra in (
            ("as_recorded", []),
            ("disclosure_controlled", ["--disclosure-control"]),
        ):
            seconds: list[float] = []
            # A run of many seconds is not repeated: its median would add nothing.
            while len(seconds) < repeats and sum(seconds) < 30:
                with Timer() as t:
                    call_command(
                        "report",
                        "nrm",
                        "--from",
                        since.isoformat(),
                        "--to",
                        today.isoformat(),
                        "--format",
                        "json",
                        "--output",
                        str(Path(folder) / "nrm.json"),
                        *extra,
                    )
                seconds.append(t.seconds)
            result[key] = {
                "median_s": round(statistics.median(seconds), 3),
                "max_s": round(max(seconds), 3),
                "runs": len(seconds),
            }
            say(f"NRM report over every case ({key}): median {result[key]['median_s']} s")
    return result


# --- Import ------------------------------------------------------------------------------

AGENCIES = (
    "Police Scotland",
    "Metropolitan Police",
    "The Salvation Army",
    "Local authority children's services",
    "Home Office Immigration Enforcement",
    "NHS",
    "Barnardo's",
    "Migrant Help",
)
NATIONALITY_CODES = ("AL", "VN", "GB", "RO", "NG", "ER", "SD", "CN", "PL", "IN", "EG", "UA")


def import_csv(rows: int, *, run: str, today: date) -> str:
    from casework.models.choices import ClosureReason, ExploitationType, Gender
    from casework.models.nrm import CompetentAuthority
    from casework.services.imports import COLUMNS

    rng = random.Random(rows)
    types = [t for t in ExploitationType.values if t != ExploitationType.UNKNOWN]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()

    def day(start: date, end: date) -> date:
        return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))

    for n in range(1, rows + 1):
        referred = day(today - timedelta(days=3000), today - timedelta(days=1))
        born = day(referred - timedelta(days=365 * 60), referred - timedelta(days=365 * 16))
        first = day(max(born + timedelta(days=365 * 14), referred - timedelta(days=1500)), referred)
        row = {
            "reference": f"LEGACY/{run}/{n:05d}",
            "referral_date": referred.isoformat(),
            "gender": rng.choice(Gender.values),
            "nationality": rng.choice(NATIONALITY_CODES),
            "date_of_birth": born.isoformat(),
            "date_of_birth_estimated": rng.choice(("yes", "no", "")),
            "first_exploitation_date": first.isoformat(),
            "exploitation_types": ";".join(rng.sample(types, rng.choice((1, 1, 1, 2)))),
            "referring_agency": rng.choice(AGENCIES),
            "given_name": rng.choice(("Anna", "Binh", "Chidi", "")),
            "family_name": rng.choice(("Legacy", "Imported", "")),
            "local_authority": rng.choice(("Glasgow City", "Cardiff", "")),
        }
        latest = referred
        if rng.random() < 0.6:
            submitted = day(referred, min(today, referred + timedelta(days=30)))
            row["competent_authority"] = rng.choice(CompetentAuthority.values)
            row["nrm_submitted_date"] = submitted.isoformat()
            latest = submitted
            if rng.random() < 0.7:
                rg_day = day(submitted, min(today, submitted + timedelta(days=20)))
                positive = rng.random() < 0.85
                row["rg_decision"] = "positive" if positive else "negative"
                row["rg_decision_date"] = rg_day.isoformat()
                latest = rg_day
                if positive and rng.random() < 0.5:
                    cg_day = day(rg_day, min(today, rg_day + timedelta(days=400)))
                    row["cg_decision"] = rng.choice(("positive", "positive", "negative"))
                    row["cg_decision_date"] = cg_day.isoformat()
                    latest = cg_day
        if rng.random() < 0.35:
            row["closure_reason"] = rng.choice(ClosureReason.values)
            row["closed_date"] = day(latest, today).isoformat()
        writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return out.getvalue()


def measure_import(args) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from carepath.people.models import Organisation, Team
    from casework.models import Case
    from casework.services.imports import import_cases

    organisation = Organisation.objects.get(slug="bench-1")
    team = Team.objects.filter(organisation=organisation).order_by("name").first()
    text = import_csv(args.import_rows, run=uuid.uuid4().hex[:8], today=timezone.localdate())
    before = Case.objects.filter(organisation=organisation).count()
    result = {
        "rows": args.import_rows,
        "bytes": len(text.encode()),
        "organisation": organisation.slug,
        "cases_already_in_organisation": before,
    }
    for key, dry_run in (("check_only", True), ("import", False)):
        with transaction.atomic():
            with Timer() as t:
                outcome = import_cases(
                    organisation=organisation,
                    team=team,
                    rows_source=text,
                    source_name="benchmark.csv",
                    by=None,
                    dry_run=dry_run,
                )
            created = Case.objects.filter(organisation=organisation).count() - before
            transaction.set_rollback(True)  # the bench data stays as seeded
        result[key] = {
            "seconds": round(t.seconds, 1),
            "errors": [f"line {e.line} {e.column}: {e.message}" for e in outcome.errors[:5]],
            "created": outcome.created,
            "cases_written": created,
        }
        say(f"Import {args.import_rows} rows ({key}): {t.seconds:.1f} s, {outcome.created} new")
    return result


# --- Retention ---------------------------------------------------------------------------


def measure_retention(args) -> dict:
    from dateutil.relativedelta import relativedelta
    from django.db import transaction
    from django.utils import timezone

    from carepath.people.models import Organisation
    from carepath.retention.services import cases_anonymise_due

    today = timezone.localdate()
    later = today + relativedelta(years=7)
    bench_1 = Organisation.objects.get(slug="bench-1").pk
    runs = [
        ("today, dry run", today, True, None),
        ("today", today, False, None),
        ("in seven years, dry run", later, True, None),
    ]
    if args.retention_backlog == "bench-1":
        runs.append(("in seven years, bench-1 only", later, False, bench_1))
    elif args.retention_backlog == "all":
        runs.append(("in seven years", later, False, None))
    result = {}
    for name, day, dry_run, organisation_id in runs:
        with transaction.atomic():
            with Timer() as t:
                run = cases_anonymise_due(
                    today=day, dry_run=dry_run, organisation_id=organisation_id, trigger="command"
                )
            transaction.set_rollback(True)  # the bench data stays as seeded
        totals = run.detail["totals"]
        result[name] = {
            "as_of": day.isoformat(),
            "dry_run": dry_run,
            "organisation": "bench-1" if organisation_id else "every",
            "seconds": round(t.seconds, 1),
            "totals": totals,
        }
        say(f"Retention ({name}): {t.seconds:.1f} s, {json.dumps(totals)}")
    return result


# --- Planning reminders ------------------------------------------------------------------


def measure_planning(args) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from carepath.sms.models import Reminder, SafeContact
    from casework.models import Case, CaseState
    from casework.services.appointments import appointment_create
    from casework.services.staff_reminders import staff_reminders_plan
    from marac.services.actions import marac_action_reminders_plan

    result = {}
    for name, plan in (
        ("staff deadline reminders", staff_reminders_plan),
        ("MARAC action reminders", marac_action_reminders_plan),
    ):
        with transaction.atomic():
            with Timer() as t:
                planned = plan()
            transaction.set_rollback(True)
        result[name] = {"seconds": round(t.seconds, 1), "planned": planned}
        say(f"Planning {name}: {t.seconds:.1f} s, {planned} planned")

    case_type = ContentType.objects.get_for_model(Case)
    textable = SafeContact.objects.filter(
        subject_type=case_type, safe_to_text=True, suspended=False
    ).values("subject_id")
    cases = list(
        Case.objects.filter(
            state=CaseState.SUPPORTED, caseworker__isnull=False, pk__in=textable
        ).select_related("caseworker")[: args.appointments]
    )
    starts = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        before = Reminder.objects.count()
        with Timer() as t:
            for n, case in enumerate(cases):
                appointment_create(
                    by=case.caseworker,
                    case=case,
                    values={
                        "kind": "gp",
                        "with_whom": "Benchmark surgery",
                        "starts_at": starts + timedelta(days=3 + n % 20),
                    },
                    book=True,
                )
        planned = Reminder.objects.count() - before
        transaction.set_rollback(True)
    result["appointments booked with their text reminders"] = {
        "seconds": round(t.seconds, 1),
        "appointments": len(cases),
        "planned": planned,
        "ms_per_appointment": round(t.seconds * 1000 / max(1, len(cases)), 1),
    }
    say(f"Booking {len(cases)} appointments: {t.seconds:.1f} s, {planned} reminders planned")
    return result


# --- Dispatch through a real worker ------------------------------------------------------


def plan_due_texts(n: int, *, run: str):
    """``n`` safe-contact numbers on one bench case, one text due on each through
    ``reminder_plan``, due before every other scheduled reminder so that the dispatcher
    (given that moment as "now") claims only these."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Min
    from django.utils import timezone

    from carepath.sms.models import Reminder, ReminderState, SafeContact
    from carepath.sms.services import reminder_plan
    from casework.models import Case, CaseState

    case = Case.objects.filter(organisation__slug="bench-1", state=CaseState.SUPPORTED).first()
    now = timezone.now()
    earliest = Reminder.objects.filter(state=ReminderState.SCHEDULED).aggregate(
        first=Min("due_at")
    )["first"]
    cutoff = min(now, earliest or now) - timedelta(minutes=1)
    base = 790_000_000 + random.Random(run).randrange(0, 9_000_000)
    contacts = SafeContact.objects.bulk_create(
        [
            SafeContact(
                organisation_id=case.organisation_id,
                subject_type=ContentType.objects.get_for_model(Case),
                subject_id=case.pk,
                number=f"+447{base + i}",
                safe_to_text=True,
                sender_name="Clinic",
                language="en",
                verified_on=timezone.localdate() - timedelta(days=1),
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    with Timer() as t:
        reminders = [
            reminder_plan(
                organisation_id=case.organisation_id,
                subject=case,
                purpose="appointment",
                due_at=cutoff - timedelta(seconds=1),
                safe_contact=contact,
                context={"at": (now + timedelta(hours=2)).isoformat()},
            )
            for contact in contacts
        ]
    return contacts, [r.pk for r in reminders], cutoff, t.seconds


def remove_texts(contact_ids: list[int], reminder_ids: list[int]) -> None:
    from carepath.sms.models import Reminder, SafeContact

    Reminder.history.model.objects.filter(id__in=reminder_ids).delete()
    Reminder.objects.filter(pk__in=reminder_ids).delete()
    SafeContact.history.model.objects.filter(id__in=contact_ids).delete()
    SafeContact.objects.filter(pk__in=contact_ids).delete()


def measure_dispatch(args, *, queue: str) -> dict:
    import redis
    from bench_reminders import start_workers, stop_workers, wait_until_ready
    from django.conf import settings
    from django.db.models import Count
    from django.utils import timezone

    from carepath.sms.models import Reminder, ReminderState
    from carepath.sms.services import reminders_dispatch

    run = uuid.uuid4().hex[:8]
    redis_key = f"carepath-benchmark-twilio-{run}"
    store = redis.Redis.from_url(args.redis_url)
    store.delete(redis_key)
    say(f"Dispatch: planning {args.reminders} due texts")
    contacts, reminder_ids, cutoff, plan_seconds = plan_due_texts(args.reminders, run=run)
    numbers = {c.number: c.pk for c in contacts}
    others_due = (
        Reminder.objects.filter(state=ReminderState.SCHEDULED, due_at__lte=cutoff)
        .exclude(pk__in=reminder_ids)
        .count()
    )
    env = {
        **BENCH_ENV,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "CELERY_BROKER_URL": args.redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "FAKE_TWILIO_REDIS_URL": args.redis_url,
        "FAKE_TWILIO_REDIS_KEY": redis_key,
    }
    worker_args = argparse.Namespace(
        workers=args.workers, concurrency=args.concurrency, conn_max_age=0
    )
    log_dir = Path(tempfile.mkdtemp(prefix="carepath-benchmark-"))
    workers: list = []
    result = {
        "reminders": args.reminders,
        "planning_seconds": round(plan_seconds, 1),
        "workers": args.workers,
        "concurrency": args.concurrency,
        "batch": settings.REMINDER_DISPATCH_BATCH,
        "other_reminders_due": others_due,
    }
    try:
        start_workers(worker_args, env, queue=queue, log_dir=log_dir, workers=workers)
        wait_until_ready(workers, queue=queue)
        say(f"{args.workers} worker(s) x {args.concurrency} ready (logs in {log_dir})")
        t0 = time.perf_counter()
        rounds = claimed = 0
        while True:
            n = reminders_dispatch(now=cutoff)
            rounds += 1
            claimed += n
            if not n:
                break
        dispatched = time.perf_counter() - t0
        deadline = time.monotonic() + 1800
        mine = Reminder.objects.filter(pk__in=reminder_ids)
        while time.monotonic() < deadline:
            if not mine.filter(state=ReminderState.SENDING, needs_review=False).exists():
                break
            if all(w.poll() is not None for w in workers):
                break
            time.sleep(0.5)
        total = time.perf_counter() - t0
    finally:
        stop_workers(workers)
        # Nothing should be left; never leave tasks or bindings for a later run.
        store.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    messages = [json.loads(m) for m in store.lrange(redis_key, 0, -1)]
    store.delete(redis_key)
    by_number: dict[str, int] = {}
    for message in messages:
        by_number[message["to"]] = by_number.get(message["to"], 0) + 1
    rows = list(mine.values_list("safe_contact__number", "state", "provider_id"))
    done = {ReminderState.SENT, ReminderState.DELIVERED}
    states = dict(mine.values_list("state").annotate(n=Count("pk")).order_by("state"))
    result.update(
        {
            "claimed": claimed,
            "rounds": rounds,
            "dispatch_seconds": round(dispatched, 1),
            "total_seconds": round(total, 1),
            "per_second": round(args.reminders / total, 1) if total else None,
            "messages": len(messages),
            "duplicates": sum(1 for count in by_number.values() if count > 1),
            "lost": sum(
                1 for number, state, _p in rows if state not in done or number not in by_number
            ),
            "strangers": sum(1 for number in by_number if number not in numbers),
            "needs_review": mine.filter(needs_review=True).count(),
            "states": states,
            "finished_at": timezone.now().isoformat(),
        }
    )
    remove_texts(list(numbers.values()), reminder_ids)
    say(
        f"Dispatch: {result['messages']} messages in {result['total_seconds']} s, "
        f"{result['duplicates']} duplicates, {result['lost']} lost"
    )
    return result


# --- Running it --------------------------------------------------------------------------


def seed(args, previous: dict) -> dict:
    from carepath.bench import seed_bench
    from carepath.bench.people import existing_bench

    if args.skip_seed or (args.seed_if_missing and existing_bench()):
        if not existing_bench():
            sys.exit("--skip-seed: this database has no bench data. Run without it first.")
        kept = previous.get("seed") or {}
        if kept.get("cases") == args.cases:
            return {**kept, "reused": True}
        return {"cases": args.cases, "seed": args.seed, "seconds": None, "reused": True}
    if existing_bench():
        sys.exit("This database already holds bench data: add --skip-seed, or --fresh.")
    say(f"Seeding {args.cases} cases")
    result = seed_bench(cases=args.cases, seed=args.seed, progress=say)
    return {
        "cases": result.cases,
        "seed": result.seed,
        "dated": result.today.isoformat(),
        "seconds": round(result.seconds, 1),
        "reused": False,
    }


def configure(args, *, queue: str) -> None:
    os.environ.update(BENCH_ENV)
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "CELERY_BROKER_URL": args.redis_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
        }
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.doc_only:
        write_doc(json.loads(args.output.read_text()), args.doc)
        return 0
    parts = [part for part in PARTS if part in (args.only or PARTS)]
    previous = json.loads(args.output.read_text()) if args.output.exists() else {}
    queue = f"carepath-benchmark-{uuid.uuid4().hex[:8]}"
    database = prepare_database(args.database_url, fresh=args.fresh)
    configure(args, queue=queue)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import django

    django.setup()
    from django.core.management import call_command

    results = {
        "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": database,
        "settings": {
            "requests": args.requests,
            "warmup": args.warmup,
            "import_rows": args.import_rows,
            "reminders": args.reminders,
            "appointments": args.appointments,
            "workers": args.workers,
            "concurrency": args.concurrency,
        },
        "command": "scripts/benchmark.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "machine": machine(),
    }
    with Timer() as t:
        call_command("migrate", verbosity=0, interactive=False)
    say(f"Database {database} migrated ({t.seconds:.0f} s)")
    results["seed"] = seed(args, previous)
    say("VACUUM ANALYZE")
    results["vacuum_analyze_seconds"] = vacuum_analyze()
    results["rows"] = row_counts()
    collect_static()

    # With --only, the other parts are kept from the last run on the same data.
    same_data = (
        not args.fresh
        and previous.get("database") == database
        and (previous.get("seed") or {}).get("cases") == results["seed"]["cases"]
    )
    results["load_average"] = {}
    for part in PARTS:
        if same_data and part in previous and part not in parts:
            results[part] = previous[part]
            carried = previous.get("carried_over", {}).get(part, previous.get("started_at"))
            results.setdefault("carried_over", {})[part] = carried
            if part in previous.get("load_average", {}):
                results["load_average"][part] = previous["load_average"][part]
    if "pages" in results.get("carried_over", {}):
        for key in ("requests", "warmup"):
            results["settings"][key] = previous["settings"][key]
    for part in parts:
        if part == "small" and not args.small_cases:
            continue
        before = load_average()[0]
        if part == "pages":
            results["pages"], diagnostics = measure_pages(args)
            DIAGNOSTICS.parent.mkdir(parents=True, exist_ok=True)
            if not args.no_doc:
                DIAGNOSTICS.write_text(json.dumps(diagnostics, indent=1))
        elif part == "small":
            results["small"] = {"cases": args.small_cases, "queries": small_query_counts(args)}
        elif part == "nrm":
            results["nrm"] = measure_nrm()
        elif part == "import":
            results["import"] = measure_import(args)
        elif part == "retention":
            results["retention"] = measure_retention(args)
        elif part == "planning":
            results["planning"] = measure_planning(args)
        elif part == "dispatch":
            results["dispatch"] = measure_dispatch(args, queue=queue)
        results["load_average"][part] = [before, load_average()[0]]
    results["machine"]["load_average_at_end"] = load_average()
    results["finished_at"] = datetime.now().astimezone().isoformat(timespec="seconds")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1, default=str) + "\n")
    say(f"Results in {args.output}")
    if not args.no_doc:
        write_doc(results, args.doc)
        say(f"Document in {args.doc}")
    return 0


# --- The document ------------------------------------------------------------------------


def write_doc(results: dict, path: Path) -> None:
    path.write_text(render_doc(results))


CASE_PAGES = ("case", "timeline")
MAIN_PAGES = {
    "caseload": "the caseworker's caseload",
    "case": "the case page",
    "timeline": "the case's timeline (its second page, as htmx asks for it)",
    "dashboard": "the service manager's dashboard",
    "vacancy board": "the vacancy board",
    "vacancies": "the vacancies a caseworker sees",
    "matching": "matching bed spaces to a placement request",
    "marac agenda": "a published MARAC agenda, as the chair",
    "marac agenda (partner)": "the same agenda, as a police partner",
    "marac minutes": "approved MARAC minutes",
    "nrm report": "the NRM report page (the organisation, last twelve months)",
}


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**NOT MET**")


def _ms(value) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def _s(value) -> str:
    return "–" if value is None else f"{value:,.1f} s" if value >= 10 else f"{value:,.2f} s"


def verdicts(results: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, where, met) for every target of the issue."""
    rows = []
    pages = results.get("pages") or {}
    small = (results.get("small") or {}).get("queries") or {}
    for name, p in pages.items():
        if name == BASELINE:
            continue
        rows.append(
            (
                f"{name}: median < {PAGE_MEDIAN_MS} ms",
                f"{_ms(p['median_ms'])} ms",
                "pages",
                p["median_ms"] < PAGE_MEDIAN_MS,
            )
        )
        rows.append(
            (
                f"{name}: p95 < {PAGE_P95_MS} ms",
                f"{_ms(p['p95_ms'])} ms",
                "pages",
                p["p95_ms"] < PAGE_P95_MS,
            )
        )
        rows.append(
            (f"{name}: no slower than the baseline", f"{p['ratio']}×", "pages", p["ratio"] <= 1)
        )
        if name in small:
            same = small[name] == p["queries"]
            rows.append(
                (
                    f"{name}: queries independent of data size",
                    f"{small[name]} → {p['queries']}"
                    + ("" if same or name not in CASE_PAGES else " (another case)"),
                    "pages",
                    # The richest case of each data set is another case, with other sections.
                    None if name in CASE_PAGES and not same else same,
                )
            )
    nrm = results.get("nrm")
    if nrm:
        seconds = nrm["as_recorded"]["median_s"]
        rows.append(
            (
                f"NRM report over all cases < {NRM_ALL_SECONDS:.0f} s",
                _s(seconds),
                "nrm",
                seconds < NRM_ALL_SECONDS,
            )
        )
    imported = results.get("import")
    if imported:
        done = imported["import"]
        ok = not done["errors"] and done["created"] == imported["rows"]
        rows.append(
            (
                f"{imported['rows']:,}-row import < {IMPORT_SECONDS:.0f} s",
                _s(done["seconds"]),
                "import",
                ok and done["seconds"] < IMPORT_SECONDS,
            )
        )
    d = results.get("dispatch")
    if d:
        rows.append(
            ("dispatch: zero duplicates", str(d["duplicates"]), "dispatch", d["duplicates"] == 0)
        )
        rows.append(("dispatch: zero lost", str(d["lost"]), "dispatch", d["lost"] == 0))
        rows.append(
            (
                f"dispatch: {d['reminders']:,} messages sent",
                f"{d['messages']:,}",
                "dispatch",
                d["messages"] == d["reminders"] and not d["strangers"],
            )
        )
    return rows


def render_doc(results: dict) -> str:
    m = results["machine"]
    seed_info = results.get("seed") or {}
    cases = (results.get("rows") or {}).get("casework_case", seed_info.get("cases"))
    rows = verdicts(results)
    failed = [r for r in rows if r[3] is False]
    loads = results.get("load_average") or {}
    out = [
        "# Performance at scale",
        "",
        "<!-- Written by scripts/benchmark.py from docs/performance.json: edit the script, "
        "not this file. -->",
        "",
        f"Measured {results['started_at'][:16].replace('T', ' ')} on "
        f"{cases:,} cases (bench data, `seed_bench --cases {seed_info.get('cases')}` seed "
        f"{seed_info.get('seed')}) in PostgreSQL {m['postgresql'].split()[0]}, on "
        f"{m['cores']} cores ({m['cpu']}) with {m['ram_gb']:g} GB of memory. "
        f"{len(rows) - len(failed)} of {len(rows)} targets met"
        + (f"; **{len(failed)} not met** (below)." if failed else "."),
        "",
        "How busy the machine was: its one-minute load average (the benchmark keeps about one "
        "core busy itself, and 2 keeps both busy) was, at the start and the end of "
        + (
            "each part, "
            + "; ".join(
                f"{part} {loads[part][0]:g} → {loads[part][1]:g}" for part in PARTS if part in loads
            )
            if loads
            else f"the run, {m['load_average_at_start'][0]:g} → "
            f"{m.get('load_average_at_end', ['?'])[0]:g}"
        )
        + ". Other work running at the same time makes every figure slower than on a quiet "
        "machine; the ratios to the baseline, measured in the same rounds, are the steadier "
        "figures.",
        "",
        "## Targets",
        "",
        "| Target | Measured | Result |",
        "|---|---|---|",
    ]
    out += [f"| {target} | {measured} | {_mark(ok)} |" for target, measured, _where, ok in rows]
    carried = results.get("carried_over") or {}
    if carried:
        out += [
            "",
            "Kept from an earlier run on the same data (this run measured only the rest): "
            + ", ".join(f"{part} ({when})" for part, when in carried.items())
            + ".",
        ]
    pages = results.get("pages")
    if pages:
        s = results["settings"]
        small = results.get("small") or {}
        small_queries = small.get("queries") or {}
        out += [
            "",
            "## Pages",
            "",
            f"Each page was asked for {s['warmup']} untimed then {s['requests']} timed "
            "times, the pages in turn (one request of each per round), through Django's test "
            "client in the benchmark's process, with `DEBUG` off and the production settings "
            "(HTTPS, sessions saved on every request, the access log written on every read of "
            "a case, a verified second factor). After the untimed requests, what the process "
            "holds is frozen out of the garbage collector's full collections, as "
            "`carepath/wsgi.py` does in a server once the app is loaded. The server time is "
            "the time around "
            "`client.get`: middleware, views, queries and templates, not the network. Queries "
            "are those of one more request"
            + (
                f'; "small" is the same page on a data set of {small.get("cases", 0):,} cases '
                "(its own database, the same seed). The case page and its timeline are those of "
                "the case with the most in it, another case in each data set: a different count "
                "there comes from the case's sections (tests/performance/test_query_budgets.py "
                "checks one case as its rows grow)."
                if small_queries
                else "."
            ),
            "",
            "| Page | Signed in as | Median ms | p95 ms | Max ms | × baseline | Queries | "
            "Queries (small) | Query time ms |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, p in pages.items():
            label = f"**{name}**" if name == BASELINE else name
            out.append(
                f"| {label} | {p['user']} | {_ms(p['median_ms'])} | {_ms(p['p95_ms'])} | "
                f"{_ms(p['max_ms'])} | {p['ratio']} | {p['queries']} | "
                f"{small_queries.get(name, '–')} | {_ms(p['query_ms'])} |"
            )
        out += [
            "",
            "What each page is: "
            + "; ".join(f"*{name}*: {text}" for name, text in MAIN_PAGES.items() if name in pages)
            + ". The **baseline** is Django's admin change list of cases (`ModelAdmin` with "
            "no options: 100 cases a page with the full count) on an admin site the benchmark "
            "registers for itself, as a superuser: the shipped admin deliberately holds no "
            "case content.",
            "",
            "Every status was 200"
            if all(p["status"] == [200] for p in pages.values())
            else "Statuses other than 200: "
            + ", ".join(f"{n}: {p['status']}" for n, p in pages.items() if p["status"] != [200]),
        ]
        out[-1] += (
            ". The slowest queries of each page, with their plans for the slower pages, are in "
            "`artifacts/benchmark-queries.json` after a run (not kept in the repository)."
        )
        slow = [
            (name, p)
            for name, p in pages.items()
            if name != BASELINE
            and (p["median_ms"] >= PAGE_MEDIAN_MS or p["p95_ms"] >= PAGE_P95_MS or p["ratio"] > 1)
        ]
        if slow:
            out += [
                "",
                "Where the time of the pages that miss a target goes (the query time is that of "
                "the one request whose queries were counted; the rest is Python: middleware, "
                "the view, the templates, the access log, decrypting fields):",
                "",
            ]
            out += [
                f"- *{name}*: {_ms(p['query_ms'])} ms in its {p['queries']} queries (the slowest "
                f"{_ms(p.get('slowest_query_ms'))} ms), about "
                f"{_ms(max(0, p['median_ms'] - p['query_ms']))} ms of the median outside them."
                for name, p in slow
            ]
    nrm = results.get("nrm")
    if nrm:
        out += [
            "",
            "## NRM report over every case",
            "",
            f"`manage.py report nrm --from {nrm['from']} --to {nrm['to']} --format json "
            f"--output FILE` over every organisation ({nrm['cases']:,} cases, every referral "
            "date), each run up to five times (a slow one fewer):",
            "",
            "| Report | Median | Slowest | Runs |",
            "|---|---:|---:|---:|",
            *(
                f"| {label} | {_s(nrm[key]['median_s'])} | {_s(nrm[key]['max_s'])} | "
                f"{nrm[key]['runs']} |"
                for key, label in (
                    ("as_recorded", "as recorded"),
                    ("disclosure_controlled", "disclosure-controlled (`--disclosure-control`)"),
                )
            ),
        ]
    imported = results.get("import")
    if imported:
        out += [
            "",
            "## Importing cases",
            "",
            f"A generated valid CSV of {imported['rows']:,} rows "
            f"({imported['bytes'] / 1e6:.1f} MB: "
            "every column, 60% with an NRM submission and decisions, 35% closed) imported with "
            f"`casework.services.imports.import_cases` (what `manage.py import_cases` runs) into "
            f"{imported['organisation']}, which already held "
            f"{imported['cases_already_in_organisation']:,} cases. Each run is rolled back "
            "afterwards, so the bench data stays as seeded (the final commit is not in the time).",
            "",
            "| Run | Time | Cases created | Problems |",
            "|---|---:|---:|---|",
        ]
        for key, label in (("check_only", "checked only (`--dry-run`)"), ("import", "imported")):
            r = imported[key]
            out.append(
                f"| {label} | {_s(r['seconds'])} | {r['cases_written']:,} | "
                f"{'; '.join(r['errors']) or 'none'} |"
            )
    retention = results.get("retention")
    if retention:
        out += [
            "",
            "## Retention run",
            "",
            "`carepath.retention.services.cases_anonymise_due` (what `manage.py retention_run` "
            "and the nightly task run). As of today little is due (the bench's oldest closed "
            "case closed under three years ago); as of seven years on, every closed case and "
            "declined referral is past its period: the backlog a first run after an upgrade "
            "would meet. Real runs are rolled back afterwards.",
            "",
            "| Run | Organisations | Time | What it did |",
            "|---|---|---:|---|",
        ]
        for name, r in retention.items():
            did = "; ".join(
                f"{kind}: " + ", ".join(f"{outcome} {n:,}" for outcome, n in counted.items())
                for kind, counted in r["totals"].items()
            )
            out.append(
                f"| {name} (as of {r['as_of']}) | {r['organisation']} | {_s(r['seconds'])} | "
                f"{did or 'nothing due'} |"
            )
    planning = results.get("planning")
    dispatch = results.get("dispatch")
    if planning or dispatch:
        out += ["", "## Reminders", "", "| Planning | Time | Planned |", "|---|---:|---:|"]
        for name, r in (planning or {}).items():
            extra = (
                f" ({r['appointments']:,} appointments, {r['ms_per_appointment']} ms each)"
                if "appointments" in r
                else ""
            )
            out.append(f"| {name}{extra} | {_s(r['seconds'])} | {r['planned']:,} |")
        if dispatch:
            out.append(
                f"| due texts through `reminder_plan` (for the dispatch below) | "
                f"{_s(dispatch['planning_seconds'])} | {dispatch['reminders']:,} |"
            )
        out += [
            "",
            "Staff and MARAC reminders are planned over all the bench data as of today, and the "
            "appointments are booked through `appointment_create` by each case's caseworker on "
            "supported cases with a number safe to text; each is rolled back afterwards.",
        ]
    if dispatch:
        d = dispatch
        out += [
            "",
            f"**Dispatching {d['reminders']:,} due texts through a real worker.** "
            f"{d['workers']} `celery worker` {'processes' if d['workers'] > 1 else 'process'} "
            f"with {d['concurrency']} pool processes{' each' if d['workers'] > 1 else ''}, "
            "on Redis, sending with the real Twilio SDK over the fake HTTP client of "
            "`tests/fakes/twilio.py`, which records every message it accepts in Redis. The "
            f"dispatcher (`reminders_dispatch`, {d['batch']} a round, the production batch) ran "
            "round after round until nothing was due, instead of once a minute as beat runs it. "
            f"The texts were due before any other reminder in the data ({d['other_reminders_due']} "
            "others were due by then), and were deleted afterwards.",
            "",
            "| Figure | Value |",
            "|---|---:|",
            f"| claimed and published | {d['claimed']:,} in {d['rounds']} rounds, "
            f"{_s(d['dispatch_seconds'])} |",
            f"| all sent (from the first claim) | {_s(d['total_seconds'])} "
            f"({d['per_second']} a second) |",
            f"| messages at the fake Twilio | {d['messages']:,} |",
            f"| duplicates (a number texted more than once) | {d['duplicates']} |",
            f"| lost (not ending sent, or no message) | {d['lost']} |",
            f"| texts to numbers never planned | {d['strangers']} |",
            f"| flagged for review | {d['needs_review']} |",
            f"| final states | {', '.join(f'{k} {v:,}' for k, v in d['states'].items())} |",
        ]
    out += ["", "## The data", ""]
    if seed_info.get("seconds") is not None:
        out.append(
            f"`seed_bench` made it in {_s(seed_info['seconds'])}"
            + (" (in an earlier run on this database)" if seed_info.get("reused") else "")
            + f"; `VACUUM ANALYZE` afterwards took {_s(results['vacuum_analyze_seconds'])}."
        )
    else:
        out.append(
            "Seeded before this run; `VACUUM ANALYZE` took "
            f"{_s(results['vacuum_analyze_seconds'])}."
        )
    counts = results.get("rows") or {}
    out += [
        "",
        f"Rows per table ({len(counts)} tables with rows; exact counts at the start of the run):",
        "",
        "<details><summary>Every table</summary>",
        "",
        "| Table | Rows |",
        "|---|---:|",
        *(f"| {table} | {n:,} |" for table, n in counts.items()),
        "",
        "</details>",
        "",
        "## The machine",
        "",
        "| | |",
        "|---|---|",
        f"| CPU | {m['cpu']}, {m['cores']} cores |",
        f"| Memory | {m['ram_gb']:g} GB |",
        f"| System | {m['os']} |",
        f"| PostgreSQL | {m['postgresql']} (shared_buffers "
        f"{m['postgresql_shared_buffers']}), same machine |",
        f"| Python, Django, Celery | {m['python']}, {m['django']}, {m['celery']} |",
        "",
        "## How to reproduce",
        "",
        "PostgreSQL on 127.0.0.1:5432 (user `postgres`, trust) and Redis on 127.0.0.1:6379 "
        "must be running. The benchmark uses a database of its own and Redis database 5; "
        "it refuses a database named `test` or `test_*`.",
        "",
        "```sh",
        "make install   # .venv with the pinned dependencies (the fake Twilio client is in tests/)",
        f".venv/bin/python scripts/benchmark.py --fresh --cases {seed_info.get('cases')}",
        "# again on the same data, without seeding:",
        ".venv/bin/python scripts/benchmark.py --skip-seed",
        "# one part only, fewer requests, another database:",
        ".venv/bin/python scripts/benchmark.py --skip-seed --only pages --requests 20 \\",
        "    --database-url postgres://postgres@127.0.0.1:5432/carepath_bench",
        "# rewrite this file from docs/performance.json:",
        ".venv/bin/python scripts/benchmark.py --doc-only",
        "```",
        "",
        f"This run: `{results['command']}`, started {results['started_at']}, finished "
        f"{results.get('finished_at', '')}. `--help` lists every option. The settings are "
        "production's with benchmark-only keys (`DEBUG` off, HTTPS, the manifest static "
        "files collected into `var/benchmark-static/`); the bench logins and their verified "
        "second factor come from `seed_bench`.",
        "",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
