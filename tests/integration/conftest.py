"""Real processes against real services: a Celery worker consuming from Redis.

These run when CELERY_BROKER_URL names a broker and the database is PostgreSQL (the worker is
a separate process and must see the test database). `.ci/run` sets
CAREPATH_REQUIRE_INTEGRATION=1 so that a missing service fails the run instead of skipping.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
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


@pytest.fixture
def celery_worker_process(transactional_db, celery_broker, tmp_path):
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

    queue = f"carepath-test-{uuid.uuid4().hex[:8]}"
    saved_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carepath.settings",
        "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnop",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "carepath",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker.mail_dir = mail_dir
    worker.log_path = tmp_path / "worker.log"
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
        app.conf.task_default_queue = saved_queue


def wait_for(predicate, *, timeout: float = 60, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if worker is not None and worker.poll() is not None:
            break
        time.sleep(0.2)
    if worker is not None:
        print(worker.log_path.read_text())
    return False
