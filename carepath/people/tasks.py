from celery import shared_task

from carepath.people import services, user_sessions
from carepath.people.models import User


@shared_task
def password_reset_email_send(user_id: int, domain: str, use_https: bool) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    services.password_reset_email_send(user=user, domain=domain, use_https=use_https)
    return True


@shared_task
def user_sessions_prune() -> int:
    """Expired sessions out of the session store, and their "Where you're signed in" rows."""
    return user_sessions.user_sessions_prune()
