from celery import shared_task

from carepath.sms import services


@shared_task
def reminders_dispatch() -> int:
    return services.reminders_dispatch()


@shared_task(acks_late=False)
def reminder_send(reminder_id: int) -> str:
    # acks_late is off: a task redelivered after a worker crash would only find the reminder
    # already attempted (and skip it), but there is no reason to invite the redelivery.
    return services.reminder_send(reminder_id=reminder_id)


@shared_task
def reminders_sweep_stuck() -> dict:
    return services.reminders_sweep_stuck()
