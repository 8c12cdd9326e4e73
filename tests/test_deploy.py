import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from carepath import deploy_checks

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


def test_production_without_mfa_is_a_deploy_warning():
    result = _check({**PRODUCTION_ENV, "MFA_REQUIRED": "false"})
    assert result.returncode != 0
    assert "carepath.W010" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "keys",
    [
        "short-key",
        # A strong new key first, a weak old one still kept for decrypting.
        "b7Yx2Qe9LmZp4Rt8Vw1Nc6Hd3Kf0Sg5J,development-only-field-encryption-key",
        "b7Yx2Qe9LmZp4Rt8Vw1Nc6Hd3Kf0Sg5J,0123456789abcdef0123456789abcde",
    ],
    ids=["short", "development-key", "an-old-key-one-short"],
)
def test_weak_field_encryption_keys_are_a_deploy_warning(keys):
    result = _check({**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": keys})
    assert result.returncode != 0
    assert "carepath.W011" in result.stdout + result.stderr
    assert keys.split(",")[-1] not in result.stdout + result.stderr


def test_the_security_checks_pass_with_strong_settings(settings):
    settings.MFA_REQUIRED = True
    settings.SALT_KEY = ["b7Yx2Qe9LmZp4Rt8Vw1Nc6Hd3Kf0Sg5J", "Zq3" * 11]
    assert deploy_checks.mfa_required(None) == []
    assert deploy_checks.field_encryption_keys_strong(None) == []
    assert deploy_checks.content_security_policy_strict(None) == []


def test_a_loose_content_security_policy_is_a_deploy_warning(settings):
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["style-src"] = ["'self'", "'unsafe-inline'"]
    settings.CONTENT_SECURITY_POLICY = policy
    [warning] = deploy_checks.content_security_policy_strict(None)
    assert warning.id == "carepath.W012" and "style-src" in warning.msg


def test_the_security_checks_run_only_with_deploy():
    from django.core.checks import registry

    deploy_only = {check.__name__ for check in registry.registry.deployment_checks}
    everyday = {check.__name__ for check in registry.registry.registered_checks}
    names = {"mfa_required", "field_encryption_keys_strong", "content_security_policy_strict"}
    assert names <= deploy_only and not names & everyday
