"""A person's own sign-in security: the code step after the password, setting up an
authenticator, recovery codes, and where they are signed in."""

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from carepath.people import lockout, mfa, user_sessions
from carepath.people.forms import CodeForm

# The secret of an authenticator being set up lives in the session until a code confirms it,
# so it is never stored against the account unconfirmed.
PENDING_SECRET_KEY = "_carepath_mfa_pending_secret"
# New recovery codes wait here for the one page that shows them.
NEW_CODES_KEY = "_carepath_mfa_new_codes"


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _is_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _pending_context(request) -> dict:
    # Until the code step is done, the navigation would only lead back to it.
    return {} if _is_verified(request.user) else {"nav_items": []}


# --- The code step after the password --------------------------------------------------------


@never_cache
@login_required
def mfa_verify(request):
    user = request.user
    next_url = _next_url(request)
    if _is_verified(user):
        return redirect(next_url)
    if not mfa.is_enrolled(user):
        return redirect(_with_next("people:mfa_enrol", next_url))
    if lockout.is_locked(request, user):
        logout(request)
        return lockout.lockout_response(request)
    form = CodeForm(
        request.POST or None,
        help_text=_(
            "The 6-digit code your authenticator app shows for Carepath, or one of your "
            "recovery codes."
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.mfa_check(user=user, code=form.cleaned_data["code"])
        except mfa.MfaThrottled as error:
            form.add_error("code", str(error))
        except mfa.MfaError as error:
            if lockout.code_failure_record(request, user):
                logout(request)
                return lockout.lockout_response(request)
            form.add_error("code", str(error))
        else:
            django_otp.login(request, device)
            lockout.failures_clear(user)
            if isinstance(device, StaticDevice):
                left = mfa.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code. You have %(count)d left: make new ones "
                        "from your Security page.",
                        "You used a recovery code. You have %(count)d left: make new ones "
                        "from your Security page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
    return render(
        request,
        "people/mfa_verify.html",
        {"form": form, "next": next_url, **_pending_context(request)},
    )


@never_cache
@login_required
def mfa_enrol(request):
    user = request.user
    next_url = _next_url(request)
    if mfa.is_enrolled(user):
        if _is_verified(user):
            return redirect("people:security")
        return redirect(_with_next("people:mfa_verify", next_url))
    secret = request.session.get(PENDING_SECRET_KEY)
    if not secret:
        secret = request.session[PENDING_SECRET_KEY] = mfa.secret_new()
    form = CodeForm(
        request.POST or None,
        numeric=True,
        help_text=_("The 6-digit code the app shows once you have added Carepath."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = mfa.mfa_enrol(
                user=user, secret_hex=secret, code=form.cleaned_data["code"]
            )
        except mfa.MfaError as error:
            form.add_error("code", str(error))
        else:
            del request.session[PENDING_SECRET_KEY]
            django_otp.login(request, device)
            lockout.failures_clear(user)
            request.session[NEW_CODES_KEY] = codes
            return redirect(_with_next("people:mfa_recovery_codes", next_url))
    uri = mfa.provisioning_uri(user=user, secret_hex=secret)
    return render(
        request,
        "people/mfa_enrol.html",
        {
            "form": form,
            "next": next_url,
            # segno's markup: an <svg> of paths, no script and nothing from the request.
            "qr_code": mark_safe(mfa.qr_code_svg(uri)),  # noqa: S308
            "secret": mfa.secret_for_display(secret),
            **_pending_context(request),
        },
    )


@never_cache
@login_required
def mfa_recovery_codes(request):
    """New recovery codes, shown once."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        messages.info(
            request,
            _("Recovery codes are shown only once. You can make a new set here."),
        )
        return redirect("people:security")
    return render(
        request,
        "people/mfa_recovery_codes.html",
        {
            "codes": [mfa.format_recovery_code(code) for code in codes],
            "next": _next_url(request),
        },
    )


# --- The Security page -----------------------------------------------------------------------


@login_required
def security(request):
    user = request.user
    return render(
        request,
        "people/security.html",
        {
            "authenticator": mfa.authenticator_of(user),
            "codes_left": mfa.recovery_codes_left(user),
            "mfa_required": settings.MFA_REQUIRED,
            "session_count": user_sessions.sessions_of(user).count(),
        },
    )


def _code_page(request, *, title: str, lead: str, submit: str, form) -> object:
    return render(
        request,
        "people/mfa_code_form.html",
        {"title": title, "lead": lead, "submit": submit, "form": form},
    )


@never_cache
@login_required
def mfa_recovery_codes_renew(request):
    if not mfa.is_enrolled(request.user):
        return redirect("people:security")
    form = CodeForm(
        request.POST or None,
        help_text=_("A code from your authenticator app, or one of your recovery codes."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.mfa_recovery_codes_renew(user=request.user, code=form.cleaned_data["code"])
        except mfa.MfaError as error:
            form.add_error("code", str(error))
        else:
            request.session[NEW_CODES_KEY] = codes
            return redirect(_with_next("people:mfa_recovery_codes", reverse("people:security")))
    return _code_page(
        request,
        title=_("Make new recovery codes"),
        lead=_(
            "You will get 10 new recovery codes. Your old recovery codes will stop working. "
            "Enter a current code to confirm it is you."
        ),
        submit=_("Make new recovery codes"),
        form=form,
    )


@never_cache
@login_required
def mfa_reset(request):
    if not mfa.is_enrolled(request.user):
        return redirect("people:mfa_enrol")
    form = CodeForm(
        request.POST or None,
        help_text=_("A code from your authenticator app, or one of your recovery codes."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            mfa.mfa_reset(
                user=request.user,
                code=form.cleaned_data["code"],
                current_row=user_sessions.current_row_id(request),
            )
        except mfa.MfaError as error:
            form.add_error("code", str(error))
        else:
            messages.success(
                request,
                _("Your authenticator app was removed. Set up the new one now."),
            )
            return redirect(_with_next("people:mfa_enrol", reverse("people:security")))
    return _code_page(
        request,
        title=_("Reset your authenticator app"),
        lead=_(
            "Use this when you change phone or authenticator app. Your current app and your "
            "recovery codes stop working, you are signed out everywhere else, and you set up "
            "the new app straight away. Enter a current code to confirm it is you."
        ),
        submit=_("Reset authenticator app"),
        form=form,
    )


# --- Where you're signed in ------------------------------------------------------------------


@login_required
def sessions(request):
    user_sessions.user_session_touch(request)
    return render(
        request,
        "people/sessions.html",
        {
            "rows": user_sessions.sessions_of(request.user),
            "current": user_sessions.current_row_id(request),
        },
    )


@login_required
@require_POST
def session_end(request, pk: int):
    user_sessions.user_session_end(
        user=request.user, pk=pk, current_row=user_sessions.current_row_id(request)
    )
    messages.success(request, _("That session has ended: it is signed out."))
    return redirect("people:sessions")


@login_required
@require_POST
def sessions_end_others(request):
    user_sessions.user_session_touch(request)
    ended = user_sessions.user_sessions_end_others(
        user=request.user, current_row=user_sessions.current_row_id(request)
    )
    messages.success(
        request,
        ngettext(
            "You were signed out of %(count)d other session.",
            "You were signed out of %(count)d other sessions.",
            ended,
        )
        % {"count": ended},
    )
    return redirect("people:sessions")


# --- Passwords -------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password keeps this session (Django rotates its key) and ends the others."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user_sessions.user_session_touch(self.request)
        user_sessions.user_sessions_end(
            user=form.user, keep_row=user_sessions.current_row_id(self.request)
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a password from an e-mailed link ends every session of the account."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user_sessions.user_sessions_end(user=form.user)
        return response
