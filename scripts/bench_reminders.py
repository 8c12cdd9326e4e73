#!/usr/bin/env python
"""Benchmark the reminder outbox with real Celery workers (not a test).

Plans N due reminders, each to its own safe-contact number, starts K `celery worker` processes
sending through the real Twilio SDK over the fake HTTP client (which records every message in a
Redis list), dispatches until nothing is due, waits until no reminder is left `sending`, and
reports the time taken, the throughput, and every reminder sent twice (duplicates) or never
(lost). Exits 1 if any reminder was duplicated, lost or recorded wrongly.

    .venv/bin/python scripts/bench_reminders.py --reminders 10000 --workers 2

It uses a PostgreSQL database of its own (created if missing), and empties its reminder and
safe-contact tables at the start: never point it at a database that matters.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/carepath_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
FAKE_TWILIO = {
    "SMS_BACKEND": "twilio",
    "TWILIO_HTTP_CLIENT": "tests.fakes.twilio.FakeTwilioHttpClient",
    "TWILIO_ACCOUNT_SID": "AC" + "2" * 32,
    "TWILIO_AUTH_TOKEN": "benchmark-twilio-auth-token-0123456789",
    "TWILIO_FROM_NUMBER": "+447700900000",
    "TWILIO_MESSAGING_SERVICE_SID": "",
    "TWILIO_WEBHOOK_BASE_URL": "https://carepath.example",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=10_000, help="how many to send (N)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (K)")
    parser.add_argument(
        "--concurrency", type=int, default=2, help="pool processes per worker (default 2)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL of its own (default $DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("CELERY_BROKER_URL", DEFAULT_REDIS_URL),
        help=f"broker and fake Twilio's record (default $CELERY_BROKER_URL or {DEFAULT_REDIS_URL})",
    )
    parser.add_argument(
        "--batch", type=int, default=0, help="REMINDER_DISPATCH_BATCH (default: all N at once)"
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="DATABASE_CONN_MAX_AGE for the workers (default 0, the production default)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for sending")
    return parser.parse_args()


def ensure_database(url: str) -> str:
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("The benchmark needs PostgreSQL (row locks with SKIP LOCKED, several workers).")
    name = config["NAME"]
    if name == "test" or name.startswith("test_"):
        sys.exit(f"Refusing to use {name!r}: it belongs to the test runs. Use carepath_bench.")
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}")
    return name


def configure_environment(args, *, queue: str, redis_key: str) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "carepath.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "benchmark-only-secret-key-0123456789abcdef",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "REMINDER_DISPATCH_BATCH": str(args.batch or args.reminders),
        "FAKE_TWILIO_REDIS_URL": args.redis_url,
        "FAKE_TWILIO_REDIS_KEY": redis_key,
        "LOG_LEVEL": "WARNING",
        **FAKE_TWILIO,
    }
    os.environ.update(env)
    return env


def plan(n: int):
    """One case, N safe-contact numbers, one due reminder to each."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from carepath.people.models import Role
    from carepath.sms.models import Reminder, SafeContact
    from casework.models import Case
    from tests.factories import CaseFactory, OrganisationFactory, TeamFactory, UserFactory

    tables = [
        m._meta.db_table
        for m in (Reminder, Reminder.history.model, SafeContact, SafeContact.history.model)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")

    run = uuid.uuid4().hex[:8]
    organisation = OrganisationFactory(name=f"Bench {run}", slug=f"bench-{run}")
    team = TeamFactory(organisation=organisation, name="Bench team")
    manager = UserFactory(
        organisation=organisation, username=f"bench.{run}", roles=[Role.SERVICE_MANAGER]
    )
    case = CaseFactory(team=team, by=manager)
    case_type = ContentType.objects.get_for_model(Case)
    today = timezone.localdate()
    contacts = SafeContact.objects.bulk_create(
        [
            SafeContact(
                organisation=organisation,
                subject_type=case_type,
                subject_id=case.pk,
                number=f"+447{700000000 + i}",
                safe_to_text=True,
                sender_name="Clinic",
                language="en",
                verified_on=today - timedelta(days=1),
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    Reminder.objects.bulk_create(
        [
            Reminder(
                organisation=organisation,
                subject_type=case_type,
                subject_id=case.pk,
                purpose="appointment",
                safe_contact=contact,
                context={"at": (now + timedelta(hours=2)).isoformat()},
                due_at=now - timedelta(minutes=1),
            )
            for contact in contacts
        ],
        batch_size=2000,
    )
    return {c.number for c in contacts}


def start_workers(args, env: dict, *, queue: str, log_dir: Path, workers: list) -> None:
    """Start K workers into ``workers`` (so those already started are stopped on a failure)."""
    worker_env = {**os.environ, **env, "DATABASE_CONN_MAX_AGE": str(args.conn_max_age)}
    for i in range(args.workers):
        log = (log_dir / f"worker-{i}.log").open("w")
        workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "carepath",
                    "worker",
                    f"--concurrency={args.concurrency}",
                    "-Q",
                    queue,
                    "-n",
                    f"{queue}-{i}@%h",
                    "--loglevel=WARNING",
                    "--without-mingle",
                    "--without-gossip",
                ],
                cwd=BASE_DIR,
                env=worker_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # A group of its own, so the pool processes are stopped with the worker.
                start_new_session=True,
            )
        )
        log.close()


def wait_until_ready(workers, *, queue: str, timeout: float = 60) -> None:
    from carepath.celery import app

    names = {f"{queue}-{i}@" for i in range(len(workers))}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(w.poll() is not None for w in workers):
            raise RuntimeError("a worker exited while starting")
        replies = app.control.ping(timeout=1.0) or []
        ready = {name.split("@")[0] + "@" for reply in replies for name in reply}
        if names <= ready:
            return
    raise RuntimeError("the workers did not start in time")


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()  # a warm shutdown: the worker stops its own pool
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)  # any pool process left behind


def dispatch_until_nothing_due() -> tuple[int, int]:
    from django.utils import timezone

    from carepath.sms.models import Reminder, ReminderState
    from carepath.sms.services import reminders_dispatch

    rounds = claimed = 0
    while True:
        n = reminders_dispatch()
        rounds += 1
        claimed += n
        due = Reminder.objects.filter(
            state=ReminderState.SCHEDULED, due_at__lte=timezone.now()
        ).exists()
        if not n and not due:
            return rounds, claimed


def wait_until_sent(workers, *, timeout: float) -> bool:
    from carepath.sms.models import Reminder, ReminderState

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Reminder.objects.filter(state=ReminderState.SENDING, needs_review=False).exists():
            return True
        if all(w.poll() is not None for w in workers):
            return False
        time.sleep(0.25)
    return False


def account(numbers: set[str], messages: list[dict]) -> dict:
    from django.db.models import Count

    from carepath.sms.models import Reminder, ReminderState

    by_number = collections.defaultdict(list)
    for message in messages:
        by_number[message["to"]].append(message)
    rows = Reminder.objects.values_list("safe_contact__number", "state", "provider_id")
    explained = {ReminderState.SUPPRESSED, ReminderState.FAILED, ReminderState.CANCELLED}
    lost = unrecorded = 0
    for number, state, provider_id in rows:
        sent = by_number.get(number, [])
        if not sent:
            lost += state not in explained
        elif (
            state not in (ReminderState.SENT, ReminderState.DELIVERED)
            or provider_id != (sent[0]["sid"])
        ):
            unrecorded += 1
    states = dict(Reminder.objects.values_list("state").annotate(n=Count("pk")).order_by("state"))
    return {
        "planned": len(numbers),
        "messages": len(messages),
        "duplicates": sum(1 for sent in by_number.values() if len(sent) > 1),
        "lost": lost,
        "unrecorded": unrecorded,
        "strangers": sum(1 for number in by_number if number not in numbers),
        "needs_review": Reminder.objects.filter(needs_review=True).count(),
        "states": states,
    }


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(BASE_DIR))
    database = ensure_database(args.database_url)
    queue = f"carepath-bench-{uuid.uuid4().hex[:8]}"
    redis_key = f"carepath-bench-twilio-{uuid.uuid4().hex}"
    env = configure_environment(args, queue=queue, redis_key=redis_key)
    # A SIGTERM to the benchmark still stops its workers (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import django

    django.setup()
    import redis
    from django.core.management import call_command

    store = redis.Redis.from_url(args.redis_url)
    store.delete(redis_key)
    print(f"Database {database}: migrating")
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    numbers = plan(args.reminders)
    print(f"Planned {len(numbers)} due reminders in {time.perf_counter() - started:.1f} s")

    log_dir = Path(tempfile.mkdtemp(prefix="carepath-bench-"))
    workers: list[subprocess.Popen] = []
    try:
        start_workers(args, env, queue=queue, log_dir=log_dir, workers=workers)
        wait_until_ready(workers, queue=queue)
        print(f"{args.workers} workers x {args.concurrency} processes ready (logs in {log_dir})")
        t0 = time.perf_counter()
        rounds, claimed = dispatch_until_nothing_due()
        dispatched_in = time.perf_counter() - t0
        done = wait_until_sent(workers, timeout=args.timeout)
        total = time.perf_counter() - t0
    finally:
        stop_workers(workers)
        store.delete(queue)  # nothing should be left; never leave tasks for a later run

    messages = [json.loads(m) for m in store.lrange(redis_key, 0, -1)]
    store.delete(redis_key)
    result = account(numbers, messages)
    print(
        f"Dispatch: {claimed} claimed and published in {rounds} rounds, {dispatched_in:.1f} s\n"
        f"Total: {total:.1f} s for {args.reminders} reminders, "
        f"{args.reminders / total:.0f} reminders/second\n"
        f"Messages at the fake Twilio: {result['messages']}\n"
        f"Duplicates (numbers texted more than once): {result['duplicates']}\n"
        f"Lost (planned, never sent, no reason recorded): {result['lost']}\n"
        f"Recorded wrongly (state or provider id does not match): {result['unrecorded']}\n"
        f"Texts to numbers never planned: {result['strangers']}\n"
        f"Flagged for review: {result['needs_review']}\n"
        f"Final states: {json.dumps(result['states'])}"
    )
    if not done:
        print(
            f"NOT FINISHED: {result['states'].get('sending', 0)} reminders still sending after "
            f"{args.timeout:.0f} s (the figures above are not a throughput). See {log_dir}"
        )
    failed = not done or any(result[k] for k in ("duplicates", "lost", "unrecorded", "strangers"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
