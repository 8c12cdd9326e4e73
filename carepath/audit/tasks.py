from celery import shared_task


@shared_task
def emergency_access_notify(grant_id: int) -> int:
    from casework.services.access import emergency_access_notify_send

    return emergency_access_notify_send(grant_id=grant_id)
