import logging.config
import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carepath.settings")

app = Celery("carepath")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def logging_from_settings(**kwargs) -> None:
    """A worker logs through the project's LOGGING, whose handlers remove personal data,
    rather than the handlers Celery would install in their place."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
