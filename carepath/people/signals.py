from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from carepath.people import lockout, user_sessions


@receiver(user_logged_in, dispatch_uid="carepath.people.session_start")
def _session_start(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    user_sessions.user_session_start(request=request, user=user)
    if not settings.MFA_REQUIRED:
        # With multi-factor sign-in the count is cleared once the code is accepted instead.
        lockout.failures_clear(user)


@receiver(user_logged_out, dispatch_uid="carepath.people.session_forget")
def _session_forget(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        user_sessions.user_session_forget(request)
