from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from carepath.people import mfa, user_sessions

# Pages a person who has given their password but not yet a code may still reach.
MFA_EXEMPT_VIEWS = frozenset(
    {
        "login",
        "logout",
        "language",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "people:mfa_verify",
        "people:mfa_enrol",
        # The private calendar feed is reached by its own secret token, not a session.
        "calendar:feed",
    }
)
# Twilio's callbacks carry a signature, not a session; static files are public.
MFA_EXEMPT_PREFIXES = ("/webhooks/", "/" + settings.STATIC_URL.lstrip("/"))


class MfaRequiredMiddleware:
    """Until a signed-in person has entered a code (or set up an authenticator, if they have
    none), every page but the exempt ones sends them to that step. Place after django-otp's
    OTPMiddleware, which says whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MFA_REQUIRED:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        match = request.resolver_match
        if (match and match.view_name in MFA_EXEMPT_VIEWS) or request.path_info.startswith(
            MFA_EXEMPT_PREFIXES
        ):
            return None
        step = "people:mfa_verify" if mfa.is_enrolled(user) else "people:mfa_enrol"
        url = reverse(step)
        if request.method in ("GET", "HEAD"):
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            # htmx would swap the step into part of a page; ask it to load the whole page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


class UserSessionMiddleware:
    """Keeps the row of each signed-in session current ("Where you're signed in")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            user_sessions.user_session_touch(request)
        return response
