"""Real processes against real services: Celery workers consuming from Redis.

These run when CELERY_BROKER_URL names a broker and the database is PostgreSQL (a worker is a
separate process and must see the test database). `.ci/run` sets
CAREPATH_REQUIRE_INTEGRATION=1 so that a missing service fails the run instead of skipping.

Each run gets a test database of its own (`test_<name>_it<pid>`, or with the suffix in
CAREPATH_TEST_DB_SUFFIX). The check for the services runs before any database is set up: a
skipped test must not flush the test database (a transactional test's teardown empties every
table, the data migrations' rows included).
"""

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


def _unavailable(reason: str):
    if os.environ.get("CAREPATH_REQUIRE_INTEGRATION") == "1":
        pytest.fail(f"Integration test required but {reason}")
    pytest.skip(reason)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of this run's own. Two runs on one PostgreSQL server would otherwise
    share `test_<name>`: the second fails to create it ("already exists", then "being accessed
    by other users") or, if the first holds no connection at that moment, drops it under it.
    Applies when only the integration tests run (`-m integration`), as `.ci/run` does."""
    suffix = os.environ.get("CAREPATH_TEST_DB_SUFFIX") or f"it{os.getpid()}"
    for db in settings.DATABASES.values():
        test = db.setdefault("TEST", {})
        if db["ENGINE"].endswith("sqlite3") or test.get("MIRROR"):
            continue
        test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{suffix}"


@dataclass(frozen=True)
class Broker:
    app: Celery
    url: str


@pytest.fixture(autouse=True)
def integration_broker(celery_broker) -> Broker:
    """The Celery app publishing to the real broker; skips (or fails) if there is none."""
    broker_url = os.environ.get("CELERY_BROKER_URL")
    if not broker_url:
        _unavailable("CELERY_BROKER_URL is not set")
    if connection.vendor != "postgresql":
        _unavailable("a worker process needs the PostgreSQL test database")
    app = celery_broker(broker_url)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as error:  # noqa: BLE001 - any failure means the broker is not there
        _unavailable(f"the broker at {broker_url} is unreachable ({type(error).__name__})")
    return Broker(app=app, url=broker_url)


@pytest.fixture
def start_celery_worker(integration_broker, transactional_db, tmp_path):
    """Start real `celery worker` processes on a queue of this test's own.

    ``start(env={...})`` adds to (or overrides) the worker's environment, e.g. SMS_BACKEND;
    ``concurrency`` above 1 uses the prefork pool. Every worker started is stopped at the end.
    """
    app = integration_broker.app
    queue = f"carepath-test-{uuid.uuid4().hex[:8]}"
    saved_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    started: list[tuple[subprocess.Popen, object]] = []

    def start(*, env: dict | None = None, concurrency: int = 1) -> subprocess.Popen:
        n = len(started)
        mail_dir = tmp_path / f"mail-{n}"
        mail_dir.mkdir()
        worker_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "carepath.settings",
            # The test run's keys: the worker must decrypt what the tests encrypted.
            "SECRET_KEY": settings.SECRET_KEY,
            "FIELD_ENCRYPTION_KEYS": ",".join(settings.SALT_KEY),
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": integration_broker.url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        pool = ["--pool=solo"] if concurrency == 1 else [f"--concurrency={concurrency}"]
        log_path = tmp_path / f"worker-{n}.log"
        log = log_path.open("w")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "carepath",
                "worker",
                *pool,
                "-Q",
                queue,
                "-n",
                f"{queue}-{n}@%h",
                "--loglevel=INFO",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=BASE_DIR,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        worker.mail_dir = mail_dir
        worker.log_path = log_path
        started.append((worker, log))
        return worker

    try:
        yield start
    finally:
        for worker, _log in started:
            worker.terminate()
        for worker, log in started:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            log.close()
        app.conf.task_default_queue = saved_queue


@pytest.fixture
def celery_worker_process(start_celery_worker):
    """One worker with the default settings (SMS to the console)."""
    return start_celery_worker()


@dataclass
class FakeTwilio:
    """What a worker needs to send through the Twilio SDK over the fake HTTP client, and the
    Redis list where that client records every message it accepted."""

    redis_url: str
    key: str
    account_sid: str = "AC" + "1" * 32
    auth_token: str = "integration-twilio-auth-token-0123456789"
    from_number: str = "+447700900000"
    webhook_base_url: str = "https://carepath.example"
    _client: object = field(default=None, repr=False)

    @property
    def env(self) -> dict:
        return {
            "SMS_BACKEND": "twilio",
            "TWILIO_HTTP_CLIENT": "tests.fakes.twilio.FakeTwilioHttpClient",
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_FROM_NUMBER": self.from_number,
            "TWILIO_MESSAGING_SERVICE_SID": "",
            "TWILIO_WEBHOOK_BASE_URL": self.webhook_base_url,
            "FAKE_TWILIO_REDIS_URL": self.redis_url,
            "FAKE_TWILIO_REDIS_KEY": self.key,
        }

    @property
    def redis(self):
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.redis_url)
        return self._client

    def messages(self) -> list[dict]:
        """Every message the workers sent, oldest first: sid, to, from, body, status_callback."""
        return [json.loads(item) for item in self.redis.lrange(self.key, 0, -1)]


@pytest.fixture
def fake_twilio(integration_broker):
    """Twilio settings for a worker (``start_celery_worker(env=fake_twilio.env)``) and the
    messages it sent. The list lives in the broker's Redis (or FAKE_TWILIO_REDIS_URL)."""
    redis_url = os.environ.get("FAKE_TWILIO_REDIS_URL") or integration_broker.url
    if not redis_url.startswith(("redis://", "rediss://")):
        _unavailable("the fake Twilio client records messages in Redis: set FAKE_TWILIO_REDIS_URL")
    fake = FakeTwilio(redis_url=redis_url, key=f"carepath-test-twilio-{uuid.uuid4().hex}")
    yield fake
    fake.redis.delete(fake.key)
    fake.redis.close()


def wait_for(predicate, *, timeout: float = 60, worker=None, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if worker is not None and worker.poll() is not None:
            break
        time.sleep(interval)
    if worker is not None:
        print(worker.log_path.read_text())
    return False
