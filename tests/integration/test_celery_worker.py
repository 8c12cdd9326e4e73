import pytest

from carepath.people.models import Role
from carepath.people.tasks import password_reset_email_send
from carepath.tasking import publish
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_a_real_worker_runs_a_published_task_to_completion(celery_worker_process, make_user, org_a):
    user = make_user(org_a, Role.CASEWORKER, username="worker.check")
    assert publish(password_reset_email_send, user.pk, "carepath.example", True)

    def mail_sent():
        return any(
            "worker.check" in path.read_text() for path in celery_worker_process.mail_dir.iterdir()
        )

    assert wait_for(mail_sent, worker=celery_worker_process), "the worker never sent the email"
    text = next(celery_worker_process.mail_dir.iterdir()).read_text()
    assert "https://carepath.example/accounts/reset/" in text
