"""Who may reach every URL of the project: the expectation table of the authorisation test
(``tests/security/test_url_access.py``), the world of records it is run against, and the checker.

Every named URL pattern of the project (Django's admin aside) must have an entry in ``URLS``; the
test fails for a URL without one, and for an entry whose URL no longer exists. An entry says how
to fill in the URL's arguments from the world, and who gets what::

    "casework:case": E(kw(pk="case"), CASE_STAFF),

- ``kw(pk="case", appointment_pk="appointment", name=lit("reschedule"))``: a keyword given a
  string takes the primary key of that object of the world (``build_world``; a URL on a new kind
  of record adds it there), or the value itself when it is not a record (a feed token);
  ``lit(...)`` is a literal value.
- the second argument is the set of viewers allowed in (a group below, or ``{"caseworker"}``);
  they get ``ok`` (200 unless said otherwise: 302 for a POST-only page that redirects a GET, 405
  for a GET of a POST-only view). Every other signed-in viewer gets ``denied`` (404: a person who
  may not use a page or see a record is told it does not exist), an anonymous visitor is sent to
  the login page (``LOGIN``).
- ``POST_ONLY(kw(...), who)`` for a view that only takes a POST: it is also posted to, with
  no data; ``post=Access(...)`` says what a POST answers on any other entry.
- several expectations in a tuple for one URL opened on different records (``label="sealed"``).
- ``overrides={"viewer": status}`` for a viewer that gets something else.
- ``record=False`` for a URL with arguments that are not a record of an organisation (a report's
  key, a reset token, a template shared by every organisation).

Two viewers are *strangers* to the home organisation's records: a caseworker of another team of
the same organisation, and the outsider, a member of another organisation who holds every role
there. On a record URL both get a 404 whatever the table says; on any other URL they get what
their own roles would. The outsider also opens the same URL on its own organisation's copy of the
records, as a control that the URL works for someone there.

The statuses are the access design (who sees what, DESIGN.md section 1), not whatever the code
answers today: a URL where the code lets the wrong person in, keeps the right one out, or fails,
carries ``xfail="why"`` (a strict xfail) until it is fixed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from carepath.people.models import Role

# --- Viewers ---------------------------------------------------------------------------------

CASEWORKER = "caseworker"  # in the case's team and its allocated caseworker
CASEWORKER_OTHER_TEAM = "caseworker_other_team"
SERVICE_MANAGER = "service_manager"
ACCOMMODATION_MANAGER = "accommodation_manager"
MARAC_CHAIR = "marac_chair"
MARAC_PARTNER = "marac_partner"  # a member of an agency invited to the home MARAC meeting
ADMINISTRATOR = "administrator"
DATA_PROTECTION = "data_protection"
ANONYMOUS = "anonymous"
OUTSIDER = "outsider"  # every role, in another organisation

ROLE_VIEWERS = {
    CASEWORKER: Role.CASEWORKER,
    SERVICE_MANAGER: Role.SERVICE_MANAGER,
    ACCOMMODATION_MANAGER: Role.ACCOMMODATION_MANAGER,
    MARAC_CHAIR: Role.MARAC_CHAIR,
    MARAC_PARTNER: Role.MARAC_PARTNER,
    ADMINISTRATOR: Role.ADMINISTRATOR,
    DATA_PROTECTION: Role.DATA_PROTECTION,
}
# Strangers to the home organisation's records, and the viewers whose rights they otherwise have.
STRANGERS = {
    CASEWORKER_OTHER_TEAM: (CASEWORKER,),
    OUTSIDER: tuple(ROLE_VIEWERS),
}
VIEWERS = (*ROLE_VIEWERS, CASEWORKER_OTHER_TEAM, ANONYMOUS, OUTSIDER)

# Groups for the table.
CASE_STAFF = frozenset({CASEWORKER, SERVICE_MANAGER})
SIGNED_IN = frozenset(ROLE_VIEWERS)
EVERYONE = frozenset(ROLE_VIEWERS) | {ANONYMOUS}
NOBODY = frozenset()
AM = frozenset({ACCOMMODATION_MANAGER})
SM = frozenset({SERVICE_MANAGER})
CW = frozenset({CASEWORKER})
ADMIN = frozenset({ADMINISTRATOR})
CHAIR = frozenset({MARAC_CHAIR})
PARTNER = frozenset({MARAC_PARTNER})
MARAC_PEOPLE = CHAIR | PARTNER
# The access log, emergency access reviews, subject access, retention and legal holds.
DP = frozenset({DATA_PROTECTION})


class _Login:
    """A redirect to the login page."""

    def __repr__(self) -> str:
        return "302 to login"


LOGIN = _Login()
Status = int | frozenset | _Login
OK_OR_REDIRECT = frozenset({200, 302})


# --- The table's language ----------------------------------------------------------------------


@dataclass(frozen=True)
class Lit:
    value: Any


def lit(value: Any) -> Lit:
    return Lit(value)


def kw(**spec: str | Lit) -> Callable[[SimpleNamespace], dict]:
    def build(world: SimpleNamespace) -> dict:
        return {
            key: value.value if isinstance(value, Lit) else _pk(getattr(world, value))
            for key, value in spec.items()
        }

    build.spec = spec
    return build


def _pk(found: Any) -> Any:
    return getattr(found, "pk", found)


NO_ARGS = kw()


@dataclass(frozen=True)
class Access:
    """What one request answers, by viewer."""

    allowed: frozenset
    ok: Status = 200
    denied: Status = 404
    anonymous: Status = LOGIN
    overrides: Mapping[str, Status] = field(default_factory=dict)
    # The answer comes before any record is looked up (a 405 for the wrong method): a stranger
    # gets what their own roles give, not a 404.
    before_lookup: bool = False

    def _own(self, viewer: str) -> Status:
        """What a viewer gets by their own roles, as if the records were of their organisation."""
        if viewer in self.overrides:
            return self.overrides[viewer]
        if viewer == ANONYMOUS:
            return self.anonymous
        if viewer in STRANGERS:
            like = STRANGERS[viewer]
            found = [self.overrides[other] for other in like if other in self.overrides]
            if found:
                return found[0]
            return self.ok if any(other in self.allowed for other in like) else self.denied
        return self.ok if viewer in self.allowed else self.denied

    def expected(self, viewer: str, *, record: bool) -> Status:
        if record and not self.before_lookup and viewer in STRANGERS:
            return self.overrides.get(viewer, 404)
        return self._own(viewer)

    def expected_at_home(self, viewer: str) -> Status:
        """A stranger on its own organisation's copy of a record."""
        return self._own(viewer)


@dataclass(frozen=True)
class Expectation:
    kwargs: Callable[[SimpleNamespace], dict]
    get: Access
    post: Access | None = None
    record: bool = True
    xfail: str | None = None
    # Which of several expectations of one URL this is (its records differ), for the test's id.
    label: str = ""

    def requests(self) -> list[tuple[str, Access]]:
        return [("GET", self.get)] + ([("POST", self.post)] if self.post else [])


def _is_record(kwargs, record: bool | None) -> bool:
    return bool(kwargs.spec) if record is None else record


def E(  # noqa: N802 - reads as a table
    kwargs: Callable[[SimpleNamespace], dict],
    allowed: Iterable[str],
    *,
    ok: Status = 200,
    denied: Status = 404,
    anonymous: Status = LOGIN,
    overrides: Mapping[str, Status] | None = None,
    post: Access | None = None,
    record: bool | None = None,
    xfail: str | None = None,
    label: str = "",
) -> Expectation:
    return Expectation(
        kwargs=kwargs,
        get=Access(frozenset(allowed), ok, denied, anonymous, dict(overrides or {})),
        post=post,
        record=_is_record(kwargs, record),
        xfail=xfail,
        label=label,
    )


def POST_ONLY(  # noqa: N802
    kwargs: Callable[[SimpleNamespace], dict],
    allowed: Iterable[str],
    *,
    ok: Status = 302,
    get_refused: str = "by role",
    record: bool | None = None,
    xfail: str | None = None,
    label: str = "",
) -> Expectation:
    """A view that only takes a POST, posted to with no data: those allowed get ``ok``. A GET
    is a 405 for those allowed (``get_refused="by role"``), for everyone (``"first"``: the method
    is checked before anything else), or for anyone signed in (``"after sign-in"``)."""
    allowed = frozenset(allowed)
    get = {
        "by role": Access(allowed, ok=405, before_lookup=True),
        "first": Access(EVERYONE, ok=405, anonymous=405, before_lookup=True),
        "after sign-in": Access(SIGNED_IN, ok=405, before_lookup=True),
    }[get_refused]
    return Expectation(
        kwargs=kwargs,
        get=get,
        post=Access(allowed, ok=ok),
        record=_is_record(kwargs, record),
        xfail=xfail,
        label=label,
    )


# --- The table ---------------------------------------------------------------------------------

CASE = kw(pk="case")
ENDED_CASE = kw(pk="ended_case")
APPOINTMENT = kw(pk="case", appointment_pk="appointment")
MATTER = kw(pk="case", matter_pk="matter")
RETURN = kw(pk="case", plan_pk="return_plan")
RESETTLEMENT = kw(pk="case", plan_pk="resettlement")
PROPERTY = kw(pk="property")
MEETING = kw(pk="meeting")
ITEM = kw(pk="item")
AREA = kw(pk="area")
ACTION = kw(pk="action")

# A provider callback posted without Twilio's signature: refused, whoever sends it.
UNSIGNED = Access(NOBODY, denied=403, anonymous=403)

URLS: dict[str, Expectation | tuple[Expectation, ...]] = {
    # Signing in and out, and passwords: open to everyone, or to anyone signed in.
    "home": E(NO_ARGS, SIGNED_IN, ok=OK_OR_REDIRECT),
    "login": E(NO_ARGS, EVERYONE, anonymous=200),
    "logout": E(
        NO_ARGS, EVERYONE, ok=405, anonymous=405, post=Access(EVERYONE, ok=302, anonymous=302)
    ),
    # The language switch on every page, signed in or not; bad input changes nothing.
    "language": E(
        NO_ARGS, EVERYONE, ok=405, anonymous=405, post=Access(EVERYONE, ok=302, anonymous=302)
    ),
    "password_reset": E(NO_ARGS, EVERYONE, anonymous=200),
    "password_reset_done": E(NO_ARGS, EVERYONE, anonymous=200),
    "password_reset_confirm": E(
        kw(uidb64="staff_uid", token=lit("not-a-valid-token")),
        EVERYONE,
        anonymous=200,
        record=False,
    ),
    "password_reset_complete": E(NO_ARGS, EVERYONE, anonymous=200),
    "password_change": E(NO_ARGS, SIGNED_IN),
    "password_change_done": E(NO_ARGS, SIGNED_IN),
    # People and teams: the organisation's administrator.
    "people:users": E(NO_ARGS, ADMIN),
    "people:user_new": E(NO_ARGS, ADMIN),
    "people:user": E(kw(pk="staff"), ADMIN),
    "people:teams": E(NO_ARGS, ADMIN),
    "people:team": E(kw(pk="team"), ADMIN),
    "people:user_mfa_reset": POST_ONLY(kw(pk="staff"), ADMIN),
    "people:user_unlock": POST_ONLY(kw(pk="staff"), ADMIN),
    "people:profile": E(NO_ARGS, SIGNED_IN),
    # One's own sign-in: the code step, the authenticator, recovery codes and sessions. Nobody
    # here has an authenticator yet (MFA_REQUIRED is off in tests), so most pages send the
    # person on to setting one up or to the Security page.
    "people:mfa_verify": E(NO_ARGS, SIGNED_IN, ok=302),
    "people:mfa_enrol": E(NO_ARGS, SIGNED_IN),
    "people:security": E(NO_ARGS, SIGNED_IN),
    "people:mfa_recovery_codes": E(NO_ARGS, SIGNED_IN, ok=302),
    "people:mfa_recovery_codes_renew": E(NO_ARGS, SIGNED_IN, ok=302),
    "people:mfa_reset": E(NO_ARGS, SIGNED_IN, ok=302),
    "people:sessions": E(NO_ARGS, SIGNED_IN),
    # The caseworker's other session: only they may end it.
    "people:session_end": POST_ONLY(kw(pk="session"), CW, get_refused="after sign-in"),
    "people:sessions_end_others": POST_ONLY(NO_ARGS, SIGNED_IN, get_refused="after sign-in"),
    # The access log: service managers and the data protection lead.
    "audit:access_log": E(NO_ARGS, SM | DP),
    # Text messages: templates and rules are shared by every organisation (administrators); the
    # delivery report is the service manager's. Provider callbacks need Twilio's signature.
    "sms:templates": E(NO_ARGS, ADMIN),
    "sms:template_new": E(NO_ARGS, ADMIN),
    "sms:template": E(kw(pk="template"), ADMIN, record=False),
    "sms:rules": E(NO_ARGS, ADMIN),
    "sms:rule_delete": POST_ONLY(kw(pk="rule"), ADMIN, record=False),
    "sms:report": E(NO_ARGS, SM),
    "sms_webhooks:twilio_status": E(NO_ARGS, NOBODY, denied=405, anonymous=405, post=UNSIGNED),
    "sms_webhooks:twilio_inbound": E(NO_ARGS, NOBODY, denied=405, anonymous=405, post=UNSIGNED),
    # Casework: lists and intake.
    "casework:caseload": E(NO_ARGS, CW),
    "casework:dashboard": E(NO_ARGS, SM),
    "casework:case_new": E(NO_ARGS, CASE_STAFF),
    "casework:batch_new": E(NO_ARGS, CASE_STAFF),
    "casework:search": E(NO_ARGS, CASE_STAFF),
    "casework:import_cases": E(NO_ARGS, SM),
    # Emergency ("break-glass") access: asked for by staff who work on cases (not a MARAC
    # partner, not the data protection lead), ended by its holder (the administrator here),
    # reviewed by the service manager and the data protection lead.
    "casework:emergency_access": E(NO_ARGS, CASE_STAFF | ADMIN),
    "casework:emergency_end": POST_ONLY(kw(grant_pk="grant"), ADMIN, get_refused="first"),
    "casework:emergency_reviews": E(NO_ARGS, SM | DP),
    "casework:emergency_review": E(kw(grant_pk="grant"), SM | DP),
    # A case and everything in it: its caseworkers and the service manager, nobody else.
    "casework:case": (
        E(CASE, CASE_STAFF),
        # Sealed: only the people named (its service manager), not its own caseworker.
        E(kw(pk="sealed_case"), SM, label="sealed"),
        # Under emergency access the administrator and a caseworker of another team read the
        # case, and change nothing.
        E(
            kw(pk="granted_case"),
            CASE_STAFF | ADMIN,
            overrides={CASEWORKER_OTHER_TEAM: 200},
            label="emergency",
        ),
    ),
    "casework:case_edit": (
        E(CASE, CASE_STAFF),
        E(kw(pk="granted_case"), CASE_STAFF, label="emergency"),
    ),
    "casework:case_history": E(CASE, CASE_STAFF),
    "casework:case_allocate": E(CASE, SM),
    "casework:case_reopen": E(ENDED_CASE, CASE_STAFF),
    "casework:missing_notified": E(CASE, CASE_STAFF),
    "casework:case_transition": E(kw(pk="case", name=lit("start_support")), CASE_STAFF),
    "casework:duty_to_notify": E(ENDED_CASE, CASE_STAFF),
    # Sealing and unsealing a case, and naming who may open it: a service manager who may.
    "casework:case_seal": (E(CASE, SM), E(kw(pk="sealed_case"), SM, label="sealed")),
    "casework:nrm_action": E(kw(pk="case", name=lit("submit")), CASE_STAFF),
    "casework:immediate_needs": E(CASE, CASE_STAFF),
    "casework:consent_withdraw": E(kw(pk="case", consent_pk="consent"), CASE_STAFF),
    "casework:goal_update": E(kw(pk="case", goal_pk="goal"), CASE_STAFF),
    "casework:record_add": E(kw(pk="case", kind=lit("note")), CASE_STAFF),
    "casework:appointment_new": E(CASE, CASE_STAFF),
    "casework:appointment": E(APPOINTMENT, CASE_STAFF),
    "casework:interpreter_new": E(APPOINTMENT, CASE_STAFF),
    "casework:interpreter_action": E(
        kw(
            pk="case",
            appointment_pk="appointment",
            booking_pk="interpreter",
            name=lit("independence"),
        ),
        CASE_STAFF,
    ),
    "casework:appointment_action": E(
        kw(pk="case", appointment_pk="appointment", name=lit("reschedule")), CASE_STAFF
    ),
    "casework:contact_new": E(CASE, CASE_STAFF),
    "casework:contact_suspend": E(CASE, CASE_STAFF),
    "casework:contact_edit": E(kw(pk="case", contact_pk="contact"), CASE_STAFF),
    "casework:contact_resume": E(kw(pk="case", contact_pk="contact"), CASE_STAFF),
    "casework:reminder_resolve": E(kw(pk="case", reminder_pk="reminder"), CASE_STAFF),
    "casework:legal_new": E(kw(pk="case", kind=lit("cica")), CASE_STAFF),
    "casework:legal_matter": E(MATTER, CASE_STAFF),
    "casework:legal_edit": E(MATTER, CASE_STAFF),
    "casework:legal_step_new": E(MATTER, CASE_STAFF),
    "casework:legal_step": E(kw(pk="case", matter_pk="matter", step_pk="step"), CASE_STAFF),
    "casework:legal_action": E(kw(pk="case", matter_pk="matter", name=lit("withdraw")), CASE_STAFF),
    # Calendars of appointments; a feed is reached by its secret address alone.
    "calendar:week": E(NO_ARGS, CASE_STAFF),
    "calendar:team": E(NO_ARGS, CASE_STAFF),
    "calendar:feed_settings": E(NO_ARGS, CASE_STAFF),
    "calendar:feed_revoke": POST_ONLY(NO_ARGS, CASE_STAFF),
    "calendar:feed": E(kw(token="feed_token"), EVERYONE, anonymous=200, record=False),
    # Accommodation: the provider's accommodation managers; caseworkers ask for a place.
    "accommodation:board": E(NO_ARGS, AM),
    "accommodation:vacancies": E(NO_ARGS, CASE_STAFF),
    "accommodation:properties": E(NO_ARGS, AM),
    "accommodation:property_new": E(NO_ARGS, AM),
    "accommodation:property": E(PROPERTY, AM),
    "accommodation:property_edit": E(PROPERTY, AM),
    "accommodation:unit_new": E(PROPERTY, AM),
    "accommodation:unit_edit": E(kw(pk="property", unit_pk="unit"), AM),
    "accommodation:bed_space": E(kw(pk="bed"), AM),
    "accommodation:placement_request": E(kw(case_pk="case"), CASE_STAFF),
    "accommodation:placement": E(kw(pk="placement"), CASE_STAFF | AM),
    "accommodation:placement_action": (
        # The provider offers; the person's side accepts and withdraws; either declines.
        E(kw(pk="placement", name=lit("decline")), CASE_STAFF | AM),
        E(kw(pk="placement", name=lit("offer")), AM, label="offer"),
        E(kw(pk="placement", name=lit("withdraw")), CASE_STAFF, label="withdraw"),
    ),
    # Risk work on a case: its caseworkers.
    "marac:assessment_new": E(CASE, CASE_STAFF),
    "marac:incident_new": E(CASE, CASE_STAFF),
    "marac:referral_new": E(kw(pk="case", area_pk="area"), CASE_STAFF),
    # MARAC meetings: the chair runs them; an invited partner reads agendas and minutes.
    "marac:meetings": E(NO_ARGS, MARAC_PEOPLE),
    "marac:meeting": E(MEETING, MARAC_PEOPLE),
    "marac:meeting_print": E(MEETING, MARAC_PEOPLE),
    "marac:meeting_edit": E(MEETING, CHAIR),
    # Forms posted from the meeting page: a GET is sent back to it, an empty form is refused.
    "marac:meeting_list_case": E(MEETING, CHAIR, ok=302, post=Access(CHAIR)),
    "marac:meeting_transition": E(kw(pk="meeting", name=lit("publish_agenda")), CHAIR),
    "marac:attendance": E(MEETING, CHAIR, ok=302, post=Access(CHAIR)),
    "marac:meeting_notes": E(MEETING, CHAIR, ok=302, post=Access(CHAIR)),
    "marac:item": E(ITEM, MARAC_PEOPLE),
    "marac:item_discussion": E(ITEM, CHAIR, ok=302, post=Access(CHAIR)),
    "marac:item_unlist": E(ITEM, CHAIR),
    "marac:action_new": E(ITEM, CHAIR),
    "marac:research": E(ITEM, PARTNER),
    # A referral: the chair, and the case's own caseworkers (read only).
    "marac:referral": E(kw(pk="referral"), CHAIR | CASE_STAFF),
    "marac:referral_transition": E(kw(pk="referral", name=lit("close")), CHAIR),
    # Areas and their agencies: the chair.
    "marac:areas": E(NO_ARGS, CHAIR),
    "marac:area_new": E(NO_ARGS, CHAIR),
    "marac:area": E(AREA, CHAIR),
    "marac:area_edit": E(AREA, CHAIR),
    "marac:agency_new": E(AREA, CHAIR),
    "marac:agency_edit": E(kw(pk="agency"), CHAIR),
    "marac:meeting_new": E(AREA, CHAIR),
    # Actions: the chair, the owning agency, and (read only) the case's caseworkers.
    "marac:actions": E(NO_ARGS, MARAC_PEOPLE),
    "marac:action": E(ACTION, MARAC_PEOPLE | CASE_STAFF),
    "marac:action_resolve": E(ACTION, MARAC_PEOPLE, ok=302, post=Access(MARAC_PEOPLE)),
    "marac:data_return": E(AREA, CHAIR | SM),
    # Voluntary return and resettlement on a case: its caseworkers.
    "returns:return_new": E(CASE, CASE_STAFF),
    "returns:return": E(RETURN, CASE_STAFF),
    "returns:return_edit": E(RETURN, CASE_STAFF),
    "returns:return_action": E(kw(pk="case", plan_pk="return_plan", name=lit("apply")), CASE_STAFF),
    "returns:follow_up": E(
        kw(pk="case", plan_pk="return_plan", follow_up_pk="follow_up"), CASE_STAFF
    ),
    "returns:resettlement_new": E(CASE, CASE_STAFF),
    "returns:resettlement": E(RESETTLEMENT, CASE_STAFF),
    "returns:resettlement_action": E(
        kw(pk="case", plan_pk="resettlement", name=lit("grant_leave")), CASE_STAFF
    ),
    "returns:report": E(NO_ARGS, SM),
    # Data protection: the data protection lead, and the service manager for the cases they may
    # open; only the lead previews a retention run.
    "data_protection": E(NO_ARGS, DP | SM),
    "subject_access:request": E(NO_ARGS, DP | SM),
    "retention:runs": E(NO_ARGS, DP | SM),
    "retention:preview": POST_ONLY(NO_ARGS, DP),
    "retention:run": E(kw(pk="retention_run"), DP | SM),
    "retention:holds": E(NO_ARGS, DP | SM),
    "retention:hold": (
        E(CASE, DP | SM),
        # Any case of the organisation for the lead; for a manager, one they may open.
        E(kw(pk="sealed_case"), DP | SM, label="sealed"),
    ),
    # Reports: the service manager, on their own organisation.
    "reports:list": E(NO_ARGS, SM),
    "reports:detail": E(kw(key=lit("service")), SM, record=False),
}


def expectations_of(name: str) -> tuple[Expectation, ...]:
    found = URLS[name]
    return found if isinstance(found, tuple) else (found,)


# --- Enumerating the project's URLs --------------------------------------------------------------

SKIPPED_NAMESPACES = {"admin"}
# Files served in development (``static()``); in production the app serves them (WhiteNoise).
STATIC_VIEWS = {"django.views.static.serve", "django.contrib.staticfiles.views.serve"}


def url_patterns(urlconf=None) -> tuple[dict[str, str], list[str]]:
    """Every named pattern as {"namespace:name": route}, and the routes of nameless ones.
    Django's admin is left out (it is for platform operators and tested on its own), and so are
    static files."""
    named: dict[str, str] = {}
    nameless: list[str] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.namespace in SKIPPED_NAMESPACES:
                    continue
                inner = pattern.namespace
                joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                walk(pattern.url_patterns, route, joined)
            elif isinstance(pattern, URLPattern):
                if pattern.lookup_str in STATIC_VIEWS:
                    continue
                if not pattern.name:
                    nameless.append(route)
                    continue
                named[f"{namespace}:{pattern.name}" if namespace else pattern.name] = route

    walk(get_resolver(urlconf).url_patterns, "", None)
    return named, nameless


def coverage_problems(names: Iterable[str], table: Mapping[str, Any] = URLS) -> list[str]:
    names = set(names)
    problems = [
        f"{name}: no access expectation. Add a line for it to URLS in tests/security/"
        "url_access.py saying who may reach it."
        for name in sorted(names - set(table))
    ]
    problems += [
        f"{name}: in URLS but no such URL any more: remove its line."
        for name in sorted(set(table) - names)
    ]
    return problems


# --- The checker -----------------------------------------------------------------------------


def _matches(expected: Status, response) -> bool:
    if isinstance(expected, _Login):
        login = resolve_url(settings.LOGIN_URL)
        return response.status_code == 302 and response["Location"].startswith(login)
    if isinstance(expected, frozenset):
        return response.status_code in expected
    return response.status_code == expected


def _describe(response) -> str:
    if response is None:
        return "nothing"
    if response.status_code in (301, 302, 303, 307, 308):
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


def request_as(client, session_key: str | None, method: str, url: str):
    """One request in the session of a viewer (None: signed out), whose changes are rolled
    back: every viewer meets the same world. An exception in the view is reported, not raised."""
    client.cookies = SimpleCookie()
    if session_key is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    with transaction.atomic():
        try:
            send = client.get if method == "GET" else client.post
            return send(url), None
        except Exception as error:  # noqa: BLE001 - a failing view is a finding of the test
            return None, f"500 ({type(error).__name__}: {error})"
        finally:
            transaction.set_rollback(True)


def mismatches(
    client,
    name: str,
    expectation: Expectation,
    worlds: Mapping[str, SimpleNamespace],
    sessions: Mapping[str, str | None],
) -> list[str]:
    """Every viewer's request to the URL whose answer is not the expected one, described.
    ``sessions``: each viewer's session key (``sign_in``)."""
    found = []
    runs = [(viewer, "home", False) for viewer in VIEWERS]
    if expectation.record:
        runs.append((OUTSIDER, "other", True))
    for viewer, world_name, at_home in runs:
        url = reverse(name, kwargs=expectation.kwargs(worlds[world_name]))
        for method, access in expectation.requests():
            if at_home:
                expected = access.expected_at_home(viewer)
            else:
                expected = access.expected(viewer, record=expectation.record)
            response, failure = request_as(client, sessions[viewer], method, url)
            who = f"{viewer} (on its own organisation's record)" if at_home else viewer
            if failure is not None or not _matches(expected, response):
                found.append(
                    f"{method} {url} as {who}: expected {expected!r}, got "
                    f"{failure or _describe(response)}"
                )
            elif viewer in STRANGERS:
                found += [
                    f"{method} {url} as {who}: shows {secret!r} of the home organisation"
                    for secret in _secrets_shown(response, worlds["home"], viewer)
                ]
    return found


def _secrets_shown(response, home: SimpleNamespace, viewer: str) -> list[str]:
    """What a stranger must never read in any page: the home organisation's survivors' names
    and its refuge's address (a list or a count page can leak as well as a record's page)."""
    if getattr(response, "streaming", False):
        return []
    body = response.content.decode(errors="replace")
    secrets = dict(home.secrets)
    if viewer == CASEWORKER_OTHER_TEAM:
        # Their emergency access opens the granted case to them.
        secrets.pop("granted_case", None)
    return [text for text in secrets.values() if text in body]


# --- The world -------------------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")
BUILT_AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
MEETING_AT = datetime.datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)
# When the requests are made: the meeting of the world has been held and its minutes approved.
CHECKED_AT = datetime.datetime(2026, 3, 9, 15, 0, tzinfo=LONDON)


def make_viewers(home: SimpleNamespace, other: SimpleNamespace) -> dict[str, Any]:
    return {
        **{viewer: home.people[viewer] for viewer in ROLE_VIEWERS},
        CASEWORKER_OTHER_TEAM: home.people[CASEWORKER_OTHER_TEAM],
        ANONYMOUS: None,
        OUTSIDER: other.people[CASEWORKER],
    }


def sign_in(viewers: Mapping[str, Any]) -> dict[str, str | None]:
    """A session for each viewer, made once: each request then only sends its cookie."""
    from django.test import Client

    sessions: dict[str, str | None] = {}
    for viewer, user in viewers.items():
        if user is None:
            sessions[viewer] = None
            continue
        client = Client()
        client.force_login(user)
        sessions[viewer] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def build_world(slug: str, *, traveller, one_person: bool = False) -> SimpleNamespace:
    """An organisation with one of every record a URL opens. ``one_person``: a single member of
    staff holds every role and does everything (the outsider's organisation)."""
    from accommodation import services as accommodation_services
    from accommodation.models import Property, Unit
    from carepath.people import services as people_services
    from carepath.people.models import UserSession
    from carepath.retention import services as retention_services
    from carepath.sms.models import MessageTemplate, Reminder, ReminderRule
    from casework.models import (
        Appointment,
        Case,
        ConsentRecord,
        EmergencyAccess,
        InterpreterBooking,
        SupportGoal,
    )
    from casework.selectors.contact import contacts_of
    from casework.services import access as access_services
    from casework.services import cases as case_services
    from casework.services import contact as contact_services
    from casework.services import legal as legal_services
    from casework.services import nrm as nrm_services
    from marac.models import Answer, MaracArea, PartnerAgency, RiskChecklist
    from marac.services import meetings as marac
    from marac.services.risk import marac_referral_create, risk_assessment_record
    from returns.models import FollowUp
    from returns.services.resettlement import resettlement_start
    from returns.services.returns import return_plan_start
    from tests.factories import CaseFactory, OrganisationFactory, TeamFactory, UserFactory

    traveller.move_to(BUILT_AT)
    org = OrganisationFactory(name=f"Organisation {slug}", slug=slug)
    team = TeamFactory(organisation=org, name=f"{slug} team")
    other_team = TeamFactory(organisation=org, name=f"{slug} other team")
    people: dict[str, Any] = {}
    if one_person:
        everyone = UserFactory(
            organisation=org, username=f"{slug}.all", roles=list(Role.values), teams=[team]
        )
        people = dict.fromkeys([*ROLE_VIEWERS, CASEWORKER_OTHER_TEAM], everyone)
    else:
        for viewer, role in ROLE_VIEWERS.items():
            teams = [team] if role == Role.CASEWORKER else []
            people[viewer] = UserFactory(
                organisation=org, username=f"{slug}.{viewer}", roles=[role], teams=teams
            )
        people[CASEWORKER_OTHER_TEAM] = UserFactory(
            organisation=org,
            username=f"{slug}.{CASEWORKER_OTHER_TEAM}",
            roles=[Role.CASEWORKER],
            teams=[other_team],
        )
    manager, worker = people[SERVICE_MANAGER], people[CASEWORKER]
    chair, partner, am = people[MARAC_CHAIR], people[MARAC_PARTNER], people[ACCOMMODATION_MANAGER]

    # A case taken on by its caseworker, with a record of every kind.
    family = f"{slug.capitalize()}family"
    case = CaseFactory(team=team, by=manager, given_name=f"Survivor of {slug}", family_name=family)
    case = case_services.case_accept(
        by=manager, case=case, caseworker=worker, expected_version=case.version
    )
    given_on = datetime.date(2026, 1, 6)
    consent = ConsentRecord.objects.create(
        case=case, scope="support", given_on=given_on, method="verbal", recorded_by=manager
    )
    goal = SupportGoal.objects.create(
        case=case,
        recorded_by=manager,
        area="safety",
        description="Safe place to stay",
        owner="Caseworker",
        review_date=datetime.date(2026, 4, 1),
    )
    appointment = Appointment.objects.create(
        case=case,
        kind="gp",
        state="booked",
        starts_at=datetime.datetime(2026, 3, 16, 10, tzinfo=LONDON),
        with_whom="Dr Example",
        created_by=manager,
    )
    interpreter = InterpreterBooking.objects.create(
        appointment=appointment, language="Tigrinya", mode="phone"
    )
    contact_services.safe_contact_add(
        by=manager,
        case=case,
        values={"number": "+447700900123", "safe_to_text": True, "language": "en"},
    )
    contact_services.contact_suspend_all(by=manager, case=case, reason="Phone taken")
    contact = contacts_of(case).get()
    reminder = Reminder.objects.create(
        organisation=org,
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        source_type=ContentType.objects.get_for_model(Appointment),
        source_id=appointment.pk,
        purpose="appointment",
        safe_contact=contact,
        due_at=datetime.datetime(2026, 3, 1, 10, tzinfo=LONDON),
        state="sending",
        needs_review=True,
        outcome="Outcome unknown: check before sending again",
    )
    matter = legal_services.legal_matter_open(
        by=manager,
        case=case,
        kind="cica",
        title="CICA claim",
        opened_on=datetime.date(2026, 2, 1),
        representative={},
        details={"incident_on": datetime.date(2025, 6, 1)},
    )
    step = legal_services.legal_step_add(
        by=manager,
        matter=matter,
        kind="deadline",
        description="Send the police report to the solicitor",
        due_on=datetime.date(2026, 3, 20),
    )
    return_plan = return_plan_start(by=worker, case=case, country="VN")
    follow_up = FollowUp.objects.create(
        plan=return_plan, months_after=3, due_on=datetime.date(2026, 6, 1)
    )
    resettlement = resettlement_start(
        by=worker, case=case, leave_applied_on=datetime.date(2026, 2, 1)
    )

    # A referral the person did not consent to, declined: re-open and Duty to Notify pages.
    ended = CaseFactory(team=team, by=manager, given_name=f"Declined of {slug}", family_name=family)
    nrm_services.nrm_decline_consent(
        by=manager,
        nrm=ended.nrm,
        expected_version=ended.nrm.version,
        notified_on=datetime.date(2026, 1, 10),
    )
    ended = Case.objects.get(pk=ended.pk)
    case_services.case_decline(
        by=manager,
        case=ended,
        expected_version=ended.version,
        decline_reason="signposted",
        reason="Signposted to a local service",
    )

    # The organisation's refuge, and a place asked for there for the case.
    prop = accommodation_services.property_save(
        by=am,
        prop=Property(
            name=f"{slug} House",
            kind="refuge",
            address=f"1 Hidden Lane, {slug}",
            postcode="G40 1AA",
            local_authority="Glasgow City",
            region="West of Scotland",
        ),
    )
    unit = accommodation_services.unit_save(
        by=am, unit=Unit(property=prop, name="Main", women_only=True), bed_spaces=2
    )
    bed = unit.bed_spaces.order_by("pk").first()
    placement = accommodation_services.placement_request(
        by=worker, case=case, provider=org, values={"known_as": "A", "gender": "female"}
    )

    # A MARAC: the case referred, heard at a meeting with an action for the partner's agency.
    area = MaracArea.objects.create(organisation=org, name=f"{slug} MARAC")
    agency = PartnerAgency.objects.create(area=area, name=f"{slug} Police", kind="police")
    agency.members.add(partner)
    dash = RiskChecklist.objects.get(slug="dash", version=1)
    risk_assessment_record(
        by=manager,
        case=case,
        checklist=dash,
        assessed_on=BUILT_AT.date(),
        answers={str(n): Answer.YES if n <= 15 else Answer.NO for n in range(1, 25)},
    )
    referral = marac_referral_create(
        by=manager,
        case=case,
        area=area,
        referred_on=BUILT_AT.date(),
        values={
            "referring_agency": "idva",
            "survivor_knows": True,
            "survivor_consents": True,
            "safe_contact": "Through her caseworker only",
            "fears": "Ex-partner",
            "perpetrators": "Ex-partner",
            "children_in_household": 1,
        },
    )
    meeting = marac.marac_meetings_schedule(by=chair, area=area, first_starts_at=MEETING_AT)[0]
    item = marac.marac_meeting_list_case(by=chair, meeting=meeting, referral=referral)
    marac.marac_meeting_publish_agenda(by=chair, meeting=meeting)
    marac.research_record(
        by=partner, item=item, agency=agency, nothing_held=False, findings="2 callouts"
    )
    traveller.move_to(MEETING_AT + datetime.timedelta(minutes=30))
    marac.marac_meeting_hold(by=chair, meeting=meeting)
    marac.attendance_record(
        by=chair, meeting=meeting, agency=agency, person="DS Ray", status="present"
    )
    marac.meeting_case_hear(by=chair, item=item, summary="Discussed")
    action = marac.marac_action_create(
        by=chair,
        item=item,
        description="Visit the address",
        owner_agency=agency,
        owner_person="DS Ray",
        due_on=datetime.date(2026, 3, 20),
    )
    marac.marac_meeting_approve_minutes(by=chair, meeting=meeting)

    # A sealed case, named to its service manager only (not to its allocated caseworker).
    sealed = CaseFactory(team=team, by=manager, given_name=f"Sealed of {slug}", family_name=family)
    sealed = case_services.case_accept(
        by=manager, case=sealed, caseworker=worker, expected_version=sealed.version
    )
    access_services.case_seal(case=sealed, by=manager, members=[], reason="Known to staff")

    # At the time of the checks: the administrator's emergency access to a case of the team
    # (the outsider's organisation: its one person's), and a session of the caseworker.
    traveller.move_to(CHECKED_AT)
    granted = CaseFactory(
        # Its own family name: a grant holder reads this case and must read no other.
        team=team,
        by=manager,
        given_name=f"Granted of {slug}",
        family_name=f"{slug}-granted",
    )
    grant = EmergencyAccess.objects.create(
        organisation=org,
        case=granted,
        user=people[ADMINISTRATOR],
        reason="Police at the door asking for the safety plan",
        started_at=CHECKED_AT,
        expires_at=CHECKED_AT + datetime.timedelta(minutes=settings.EMERGENCY_ACCESS_MINUTES),
    )
    # The data protection lead's preview of a retention run of the organisation.
    retention_run = retention_services.cases_anonymise_due(
        today=CHECKED_AT.date(),
        by=people[DATA_PROTECTION],
        dry_run=True,
        organisation_id=org.pk,
        trigger="preview",
    )
    if not one_person:
        # And a caseworker of another team, the usual holder of a grant.
        EmergencyAccess.objects.create(
            organisation=org,
            case=granted,
            user=people[CASEWORKER_OTHER_TEAM],
            reason="The survivor phoned in crisis and their caseworker is away",
            started_at=CHECKED_AT,
            expires_at=grant.expires_at,
        )
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.create()
    session = UserSession.objects.create(
        user=worker, session_key=store.session_key, last_seen_at=CHECKED_AT
    )

    return SimpleNamespace(
        secrets={
            "case": case.given_name,
            "ended_case": ended.given_name,
            "sealed_case": sealed.given_name,
            "granted_case": granted.given_name,
            "family_name": family,
            "address": prop.address,
        },
        organisation=org,
        team=team,
        people=people,
        staff=worker,
        staff_uid=urlsafe_base64_encode(force_bytes(worker.pk)),
        case=Case.objects.get(pk=case.pk),
        ended_case=Case.objects.get(pk=ended.pk),
        sealed_case=sealed,
        granted_case=granted,
        grant=grant,
        session=session,
        retention_run=retention_run,
        consent=consent,
        goal=goal,
        appointment=appointment,
        interpreter=interpreter,
        contact=contact,
        reminder=reminder,
        matter=matter,
        step=step,
        return_plan=return_plan,
        follow_up=follow_up,
        resettlement=resettlement,
        property=prop,
        unit=unit,
        bed=bed,
        placement=placement,
        area=area,
        agency=agency,
        meeting=meeting,
        item=item,
        referral=referral,
        action=action,
        template=MessageTemplate.objects.order_by("pk").first(),
        rule=ReminderRule.objects.order_by("pk").first(),
        feed_token=people_services.calendar_feed_create(user=worker),
    )
