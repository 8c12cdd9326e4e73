"""Enqueue Celery tasks after the surrounding transaction commits.

A change the user made is already committed when the task is published, so a broker that is
down must not turn it into an error page: the failure is logged (task name only, never its
arguments) and the periodic jobs that own each piece of work pick it up again later.
"""

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: publish(task, *args, **kwargs))


def publish(task: Task, *args, **kwargs) -> bool:
    try:
        task.delay(*args, **kwargs)
    except (OperationalError, ConnectionError, OSError):
        logger.warning("Could not publish task %s: broker unreachable", task.name)
        return False
    return True
