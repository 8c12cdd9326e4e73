from celery import shared_task


@shared_task
def marac_action_reminders_plan() -> int:
    from marac.services.actions import marac_action_reminders_plan as plan

    return plan()
