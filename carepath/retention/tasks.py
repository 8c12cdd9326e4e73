from celery import shared_task
from django.utils import timezone

from carepath.retention import services


@shared_task
def retention_run() -> int:
    """The nightly run of the retention schedule; returns the id of its record."""
    return services.cases_anonymise_due(today=timezone.localdate()).pk
