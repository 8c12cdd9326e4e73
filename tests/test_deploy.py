import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]

# The production environment documented in README.md.
PRODUCTION_ENV = {
    "SECRET_KEY": "k7#Qm2!vX9@pL4$wR8^tZ1&nB6*yH3(cF5)jD0-gS2+eA7=uK4~",
    "ALLOWED_HOSTS": "carepath.example.org",
    "DATABASE_URL": "postgres://carepath@127.0.0.1:5432/carepath",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "TWILIO_ACCOUNT_SID": "ACexample",
    "TWILIO_AUTH_TOKEN": "example-token",
    "TWILIO_FROM_NUMBER": "+447700900000",
    "TWILIO_WEBHOOK_BASE_URL": "https://carepath.example.org",
    "FIELD_ENCRYPTION_KEYS": "b7Yx2Qe9LmZp4Rt8Vw1Nc6Hd3Kf0Sg5J",
}


def _check(extra_env: dict) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "FIELD_ENCRYPTION_KEYS",
        }
        and not k.startswith(("TWILIO_", "SMS_"))
    }
    env.update(extra_env, DJANGO_SETTINGS_MODULE="carepath.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = _check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = _check(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked_for():
    from carepath import settings as production

    assert "DEBUG" not in os.environ or os.environ["DEBUG"] in {"", "0", "false"}
    assert production.DEBUG is False


def test_production_without_twilio_credentials_is_an_error():
    env = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("TWILIO_")}
    result = _check(env)
    assert result.returncode != 0
    assert "carepath.E001" in result.stdout + result.stderr


def test_a_development_sms_backend_in_production_is_a_deploy_warning():
    result = _check({**PRODUCTION_ENV, "SMS_BACKEND": "console"})
    assert result.returncode != 0
    assert "carepath.W001" in result.stdout + result.stderr
