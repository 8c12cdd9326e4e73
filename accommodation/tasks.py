from celery import shared_task

from accommodation import services


@shared_task
def placements_expire_offers() -> int:
    return services.placements_expire_offers()
