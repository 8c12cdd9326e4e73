from celery import shared_task

from carepath.audit import services


@shared_task
def access_log_prune() -> int:
    return services.access_log_prune()
