"""Where a person is signed in: a UserSession row beside each session of the session store,
so they can see their sessions and end one they do not recognise."""

import ipaddress
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from carepath.audit import timeline
from carepath.people.models import User, UserSession

# The session remembers which row is its own, the key the row was written with and when.
STATE_KEY = "_carepath_user_session"
# last_seen_at is written at most this often, not on every request.
TOUCH_SECONDS = 60
_DATABASE_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)
_USER_AGENT_LENGTH = UserSession._meta.get_field("user_agent").max_length
_NETWORK_LENGTH = UserSession._meta.get_field("network").max_length


def network_of(address: str | None) -> str:
    """The network an address belongs to, never the address itself: an IPv4 address without its
    last part (a /24), an IPv6 address to its /48."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))[:_NETWORK_LENGTH]


def _client_address(request: HttpRequest) -> str | None:
    # The address django-axes sees, so lockout and this page agree behind a proxy.
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def _describe(request: HttpRequest) -> dict:
    return {
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:_USER_AGENT_LENGTH],
        "network": network_of(_client_address(request)),
    }


def _store_delete(keys) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for key in keys:
        store.delete(key)


def _remember(request: HttpRequest, row_id: int, key: str, when) -> None:
    request.session[STATE_KEY] = {"id": row_id, "key": key, "seen": when.timestamp()}


def current_row_id(request: HttpRequest) -> int | None:
    state = request.session.get(STATE_KEY) or {}
    return state.get("id")


# --- Recording -------------------------------------------------------------------------------


def user_session_start(*, request: HttpRequest, user: User) -> UserSession:
    """At sign-in, after the session key has been rotated."""
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key
    previous = current_row_id(request)
    if previous:
        UserSession.objects.filter(pk=previous).delete()
    now = timezone.now()
    user_sessions_prune(user=user)
    row, _created = UserSession.objects.update_or_create(
        session_key=key, defaults={"user": user, "last_seen_at": now, **_describe(request)}
    )
    _remember(request, row.pk, key, now)
    return row


def user_session_touch(request: HttpRequest) -> None:
    """Keep the row of a signed-in request's session current: its key (a password change
    rotates it) and, at most once a minute, when it was last used and from where."""
    key = request.session.session_key
    if not key:
        return
    state = request.session.get(STATE_KEY) or {}
    now = timezone.now()
    if state.get("key") == key and 0 <= now.timestamp() - state.get("seen", 0) < TOUCH_SECONDS:
        return
    fields = {"session_key": key, "last_seen_at": now, **_describe(request)}
    row_id = state.get("id")
    if not (row_id and UserSession.objects.filter(pk=row_id, user=request.user).update(**fields)):
        fields.pop("session_key")
        row, _created = UserSession.objects.update_or_create(
            session_key=key, defaults={"user": request.user, **fields}
        )
        row_id = row.pk
    _remember(request, row_id, key, now)


def user_session_forget(request: HttpRequest) -> None:
    """At sign-out, before the session is flushed."""
    row_id = current_row_id(request)
    rows = UserSession.objects.filter(session_key=request.session.session_key or "")
    if row_id:
        rows = rows | UserSession.objects.filter(pk=row_id)
    rows.delete()


# --- Reading ---------------------------------------------------------------------------------


def _live(rows: QuerySet[UserSession]) -> QuerySet[UserSession]:
    now = timezone.now()
    # A session expires SESSION_COOKIE_AGE after its last request, and its row is at most a
    # minute behind that request.
    oldest = now - timedelta(seconds=settings.SESSION_COOKIE_AGE + TOUCH_SECONDS)
    rows = rows.filter(last_seen_at__gte=oldest)
    if settings.SESSION_ENGINE in _DATABASE_ENGINES:
        stored = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=now)
        rows = rows.filter(Exists(stored))
    return rows


def sessions_of(user: User) -> QuerySet[UserSession]:
    """A person's own sessions that have not expired, the most recently used first."""
    return _live(UserSession.objects.filter(user=user))


# --- Ending ----------------------------------------------------------------------------------


def _end(rows: QuerySet[UserSession]) -> int:
    rows = list(rows)
    _store_delete(row.session_key for row in rows)
    UserSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def user_sessions_end(*, user: User, keep_row: int | None = None) -> int:
    """End every session of the person but the one of row keep_row. Returns how many ended."""
    return _end(UserSession.objects.filter(user=user).exclude(pk=keep_row or 0))


@transaction.atomic
def user_session_end(*, user: User, pk: int, current_row: int | None) -> None:
    """A person ends one of their other sessions; anyone else's session is a 404."""
    row = sessions_of(user).exclude(pk=current_row or 0).filter(pk=pk).first()
    if row is None:
        raise Http404
    _end(UserSession.objects.filter(pk=row.pk))
    timeline.record(user, by=user, kind="session.ended", detail={"sessions_ended": 1})


@transaction.atomic
def user_sessions_end_others(*, user: User, current_row: int | None) -> int:
    """Sign out everywhere else."""
    ended = user_sessions_end(user=user, keep_row=current_row)
    if ended:
        timeline.record(user, by=user, kind="session.ended", detail={"sessions_ended": ended})
    return ended


def user_sessions_prune(*, user: User | None = None) -> int:
    """Remove rows whose session has expired or is gone (and, run for everyone, expired
    sessions from the store)."""
    rows = UserSession.objects.all() if user is None else UserSession.objects.filter(user=user)
    stale = rows.exclude(pk__in=_live(rows).values("pk"))
    count, _ = stale.delete()
    if user is None:
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return count
