from celery import shared_task

from casework import notifications


@shared_task
def missing_alert_send(case_id: int) -> int:
    return notifications.missing_alert_send(case_id=case_id)


@shared_task
def staff_reminders_plan() -> int:
    from casework.services.staff_reminders import staff_reminders_plan as plan

    return plan()
