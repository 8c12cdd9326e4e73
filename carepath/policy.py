"""The access policy: the one place that says who may see and do what.

Deny by default. Each permission is a *rule* with two halves that must agree:

- ``check(user, obj)`` decides for one object and returns the basis of access (the "why" that
  the access log records) or ``None``;
- ``scope(user, queryset)`` narrows a queryset to the objects the check would allow, so lists,
  searches, exports and counts apply the same rule as a detail page.

A rule may also name a ``reach``: the records one person may open one at a time by their own
page (``get_or_404``) beyond what their lists show. Emergency access uses it: a grant opens
one case by its page, and never adds it to caseloads, searches or dashboards.

A permission with no rule allows nothing. Selectors call ``visible`` and ``get_or_404``; services
call ``require``. A record a person must not see is answered with a 404, never with a hint
that it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext, gettext_noop

from carepath.people.models import Role

Check = Callable[[Any, Any], "str | None"]
Scope = Callable[[Any, QuerySet], QuerySet]


class PolicyDenied(PermissionDenied):
    """The person may see the record but may not do this to it."""


class EmergencyBasis(str):
    """The basis of a read under an emergency ("break-glass") grant: it carries the grant, so
    the access log files the read under it."""

    emergency_access_id: int

    def __new__(cls, text: str, *, emergency_access_id: int) -> EmergencyBasis:
        basis = super().__new__(cls, text)
        basis.emergency_access_id = emergency_access_id
        return basis


_NAMED_ON_SEALED_CASE = gettext_noop("named on sealed case")


def basis_label(basis: str) -> str:
    """A recorded basis in the reader's language. Bases are recorded in English, each a phrase
    or phrases joined by ": " ("service manager: legal hold")."""
    whole = gettext(basis)
    if whole != basis:
        return whole
    return ": ".join(gettext(part) for part in basis.split(": "))


def for_purpose(why: str, purpose: str) -> str:
    """A basis with what the read was for ("allocated caseworker: duty to notify report"),
    still filed under its emergency grant if it had one."""
    text = f"{why}: {purpose}"
    grant = getattr(why, "emergency_access_id", None)
    return EmergencyBasis(text, emergency_access_id=grant) if grant else text


@dataclass(frozen=True)
class Rule:
    permission: str
    check: Check
    scope: Scope | None
    reach: Scope | None = None


_rules: dict[str, Rule] = {}


def rule(
    permission: str, *, scope: Scope | None = None, reach: Scope | None = None
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if permission in _rules:
            raise ValueError(f"A rule for {permission!r} is already registered.")
        _rules[permission] = Rule(permission, check, scope, reach)
        return check

    return register


def _is_staff_member(user) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.organisation_id
    )


def basis(user, permission: str, obj: Model | None = None) -> str | None:
    """Why ``user`` may do ``permission`` to ``obj``, or None if they may not."""
    found = _rules.get(permission)
    if found is None or not _is_staff_member(user):
        return None
    return found.check(user, obj)


def can(user, permission: str, obj: Model | None = None) -> bool:
    return basis(user, permission, obj) is not None


def require(user, permission: str, obj: Model | None = None) -> str:
    why = basis(user, permission, obj)
    if why is None:
        raise PolicyDenied(permission)
    return why


def visible(user, permission: str, queryset: QuerySet) -> QuerySet:
    found = _rules.get(permission)
    if found is None or found.scope is None or not _is_staff_member(user):
        return queryset.none()
    return found.scope(user, queryset)


def get_or_404(user, permission: str, queryset: QuerySet, **lookup) -> tuple[Model, str]:
    """The object and the basis of access; a 404 for anything the person must not see."""
    found = _rules.get(permission)
    if found is not None and found.reach is not None and _is_staff_member(user):
        candidates = found.reach(user, queryset)
    else:
        candidates = visible(user, permission, queryset)
    obj = candidates.filter(**lookup).first()
    why = basis(user, permission, obj) if obj is not None else None
    if why is None:
        raise Http404
    return obj, why


def roles_with(user, *roles: str) -> list[str]:
    return [role for role in roles if user.has_role(role)]


# --- People and configuration ------------------------------------------------------------


def _same_organisation_administrator(user, obj) -> str | None:
    if user.has_role(Role.ADMINISTRATOR) and (
        obj is None or obj.organisation_id == user.organisation_id
    ):
        return gettext_noop("organisation administrator")
    return None


def _administrator_scope(user, queryset: QuerySet) -> QuerySet:
    if not user.has_role(Role.ADMINISTRATOR):
        return queryset.none()
    return queryset.filter(organisation_id=user.organisation_id)


rule("people.user.manage", scope=_administrator_scope)(_same_organisation_administrator)
rule("people.team.manage", scope=_administrator_scope)(_same_organisation_administrator)


# --- Audit ----------------------------------------------------------------------------------
# The access log and the review of emergency access belong to the service managers and the data
# protection lead of the organisation.


def _service_manager_scope(user, queryset: QuerySet) -> QuerySet:
    if not user.has_role(Role.SERVICE_MANAGER):
        return queryset.none()
    return queryset.filter(organisation_id=user.organisation_id)


def _audit_role(user) -> str | None:
    if user.has_role(Role.SERVICE_MANAGER):
        return gettext_noop("service manager")
    if user.has_role(Role.DATA_PROTECTION):
        return gettext_noop("data protection lead")
    return None


def _audit_scope(user, queryset: QuerySet) -> QuerySet:
    if _audit_role(user) is None:
        return queryset.none()
    return queryset.filter(organisation_id=user.organisation_id)


def _audit_view(user, obj) -> str | None:
    if obj is not None and obj.organisation_id != user.organisation_id:
        return None
    return _audit_role(user)


rule("audit.access_log.view", scope=_audit_scope)(_audit_view)
# Seeing the emergency accesses of the organisation and recording their review (nobody reviews
# their own: the service refuses it).
rule("emergency_access.review", scope=_audit_scope)(_audit_view)

# Staff who may ask for emergency access to a case outside their usual access
# (settings.EMERGENCY_ACCESS_ROLES). A MARAC partner works for another agency and never opens
# the case file, and the data protection lead has no case work to do: never either of them.
EMERGENCY_ACCESS_ROLES = tuple(
    Role(role)
    for role in settings.EMERGENCY_ACCESS_ROLES
    if role not in (Role.MARAC_PARTNER, Role.DATA_PROTECTION)
)


@rule("emergency_access.request")
def _emergency_access_request(user, case) -> str | None:
    """``case`` is the case asked for, or None for the request page itself. A sealed case is
    never opened this way."""
    if not any(user.has_role(role) for role in EMERGENCY_ACCESS_ROLES):
        return None
    if case is not None and (case.organisation_id != user.organisation_id or case.sealed):
        return None
    return gettext_noop("member of staff")


def _own_grants_scope(user, queryset: QuerySet) -> QuerySet:
    return queryset.filter(user_id=user.pk, organisation_id=user.organisation_id)


@rule("emergency_access.own", scope=_own_grants_scope)
def _emergency_access_own(user, grant) -> str | None:
    """A person's own emergency accesses: to see them and end one early."""
    if grant is not None and grant.user_id == user.pk:
        return gettext_noop("own emergency access")
    return None


# --- Cases ----------------------------------------------------------------------------------
# A caseworker sees the cases allocated to them and their teams' cases; a service manager sees
# every case of their organisation. Nobody else sees case content.
#
# A sealed case (a survivor known to staff, a high-profile case) is open only to the people
# named on it who hold a caseworker or service manager role: not to the rest of its team, not
# to an unnamed service manager, and never through emergency access. It leaves their lists,
# searches and dashboards too; reports still count it.
#
# Emergency ("break-glass") access: a member of staff with an active grant may *read* one case
# of their organisation, by its page, until the grant expires or they end it. Every read is
# logged against the grant (an EmergencyBasis). It never allows a change.


def _named_on_sealed_case(user, case) -> bool:
    from casework.models import SealedCaseMember

    return SealedCaseMember.objects.filter(case_id=case.pk, user_id=user.pk).exists()


def _case_role_basis(user, case) -> str | None:
    if user.has_role(Role.SERVICE_MANAGER):
        return gettext_noop("service manager")
    if user.has_role(Role.CASEWORKER):
        if case.caseworker_id == user.pk:
            return gettext_noop("allocated caseworker")
        if case.team_id in user.team_ids:
            return gettext_noop("team member")
    return None


def _case_basis(user, case) -> str | None:
    if case is None or case.organisation_id != user.organisation_id:
        return None
    if case.sealed:
        if not (user.has_role(Role.SERVICE_MANAGER) or user.has_role(Role.CASEWORKER)):
            return None
        if not _named_on_sealed_case(user, case):
            return None
        role = _case_role_basis(user, case) or gettext_noop("caseworker")
        return f"{role}: {_NAMED_ON_SEALED_CASE}"
    return _case_role_basis(user, case)


def _case_q(user):
    """Which cases of the person's organisation they may open, or None for none."""
    from django.db.models import Exists, OuterRef, Q

    from casework.models import SealedCaseMember

    if user.has_role(Role.SERVICE_MANAGER):
        usual = Q()
    elif user.has_role(Role.CASEWORKER):
        usual = Q(caseworker_id=user.pk) | Q(team_id__in=user.team_ids)
    else:
        return None
    named = SealedCaseMember.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    return (Q(sealed=False) & usual) | (Q(sealed=True) & Q(Exists(named)))


def _case_scope(user, queryset: QuerySet) -> QuerySet:
    condition = _case_q(user)
    if condition is None:
        return queryset.none()
    return queryset.filter(organisation_id=user.organisation_id).filter(condition)


def _active_grants(user) -> dict[int, tuple[int, Any]]:
    """The person's unexpired, unended emergency accesses: case id -> (grant id, expiry).
    Loaded once per person object (one request); expiry is checked at each use."""
    grants = getattr(user, "_emergency_grants", None)
    if grants is None:
        from django.utils import timezone

        from casework.models import EmergencyAccess

        grants = {
            case_id: (pk, expires_at)
            for case_id, pk, expires_at in EmergencyAccess.objects.filter(
                user_id=user.pk,
                organisation_id=user.organisation_id,
                ended_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by("expires_at", "pk")
            .values_list("case_id", "pk", "expires_at")
        }
        user._emergency_grants = grants
    return grants


def forget_emergency_grants(user) -> None:
    """After a grant of this person starts or ends."""
    if getattr(user, "_emergency_grants", None) is not None:
        del user._emergency_grants


def _granted_case_ids(user) -> list[int]:
    from django.utils import timezone

    now = timezone.now()
    return [case_id for case_id, (_pk, expires) in _active_grants(user).items() if expires > now]


def _emergency_basis(user, case) -> EmergencyBasis | None:
    if case is None or case.sealed or case.organisation_id != user.organisation_id:
        return None
    from django.utils import timezone

    grant = _active_grants(user).get(case.pk)
    if grant is None or grant[1] <= timezone.now():
        return None
    return EmergencyBasis(gettext_noop("emergency access"), emergency_access_id=grant[0])


def _case_read_basis(user, case) -> str | None:
    return _case_basis(user, case) or _emergency_basis(user, case)


def _case_reach(user, queryset: QuerySet) -> QuerySet:
    from django.db.models import Q

    granted = Q(pk__in=_granted_case_ids(user), sealed=False)
    usual = _case_q(user)
    condition = granted if usual is None else usual | granted
    return queryset.filter(organisation_id=user.organisation_id).filter(condition)


rule("case.view", scope=_case_scope, reach=_case_reach)(_case_read_basis)
rule("case.edit")(_case_basis)
rule("case.transition")(_case_basis)


@rule("case.allocate")
def _case_allocate(user, case) -> str | None:
    if user.has_role(Role.SERVICE_MANAGER) and (
        case is None or _case_basis(user, case) is not None
    ):
        return gettext_noop("service manager")
    return None


@rule("case.seal")
def _case_seal(user, case) -> str | None:
    """Sealing a case, naming who may open it, unsealing: a service manager who may open it."""
    if case is None or not user.has_role(Role.SERVICE_MANAGER):
        return None
    return gettext_noop("service manager") if _case_basis(user, case) is not None else None


@rule("case.create")
def _case_create(user, team) -> str | None:
    """``team`` is the team that will hold the new case."""
    if team is None or team.organisation_id != user.organisation_id:
        return None
    if user.has_role(Role.SERVICE_MANAGER):
        return gettext_noop("service manager")
    if user.has_role(Role.CASEWORKER) and team.pk in user.team_ids:
        return gettext_noop("team member")
    return None


@rule("nrm.edit")
def _nrm_edit(user, nrm) -> str | None:
    return _case_basis(user, nrm.case) if nrm is not None else None


@rule("appointment.edit")
def _appointment_edit(user, obj) -> str | None:
    """An appointment, or an interpreter booking of one: whoever may edit its case."""
    if obj is None:
        return None
    appointment = getattr(obj, "appointment", obj)
    return _case_basis(user, appointment.case)


@rule("legal.edit")
def _legal_edit(user, obj) -> str | None:
    """A legal matter, its kind's record or one of its steps: whoever may edit its case."""
    if obj is None:
        return None
    matter = getattr(obj, "matter", obj)
    return _case_basis(user, matter.case)


@rule("returns.edit")
def _returns_edit(user, obj) -> str | None:
    """A return or resettlement plan, or a follow-up of a return: whoever may edit its case."""
    if obj is None:
        return None
    plan = getattr(obj, "plan", obj)
    return _case_basis(user, plan.case)


@rule("contact.edit")
def _contact_edit(user, contact) -> str | None:
    """A survivor's safe-contact numbers: whoever may edit the case they belong to."""
    return _case_basis(user, contact.subject) if contact is not None else None


# --- SMS configuration and reporting ---------------------------------------------------------
# Message templates and reminder rules are shared by every organisation for now: only
# administrators change them, and they hold no case content.


def _sms_administrator(user, obj) -> str | None:
    return gettext_noop("administrator") if user.has_role(Role.ADMINISTRATOR) else None


def _sms_administrator_scope(user, queryset: QuerySet) -> QuerySet:
    return queryset if user.has_role(Role.ADMINISTRATOR) else queryset.none()


rule("sms.template.manage", scope=_sms_administrator_scope)(_sms_administrator)
rule("sms.rule.manage", scope=_sms_administrator_scope)(_sms_administrator)


@rule("sms.report.view", scope=_service_manager_scope)
def _sms_report_view(user, reminder) -> str | None:
    if user.has_role(Role.SERVICE_MANAGER) and (
        reminder is None or reminder.organisation_id == user.organisation_id
    ):
        return gettext_noop("service manager")
    return None


# --- Reports ---------------------------------------------------------------------------------
# A service manager reports on their own organisation: counts only, never a person.


def _report_organisation_scope(user, queryset: QuerySet) -> QuerySet:
    if not user.has_role(Role.SERVICE_MANAGER):
        return queryset.none()
    return queryset.filter(pk=user.organisation_id)


@rule("report.view", scope=_report_organisation_scope)
def _report_view(user, organisation) -> str | None:
    if user.has_role(Role.SERVICE_MANAGER) and organisation.pk == user.organisation_id:
        return gettext_noop("service manager")
    return None


# --- Accommodation ----------------------------------------------------------------------------
# Accommodation staff run their organisation's properties and see the placement requests sent
# to it, with only the facts a placement needs. A property's address is for them and for the
# caseworker of someone placed there.


def _accommodation_staff(user, organisation_id) -> str | None:
    if user.has_role(Role.ACCOMMODATION_MANAGER) and organisation_id == user.organisation_id:
        return gettext_noop("accommodation staff")
    return None


def _organisation_scope_for(role: str, field: str = "organisation_id"):
    def scope(user, queryset: QuerySet) -> QuerySet:
        if not user.has_role(role):
            return queryset.none()
        return queryset.filter(**{field: user.organisation_id})

    return scope


@rule("property.manage", scope=_organisation_scope_for(Role.ACCOMMODATION_MANAGER))
def _property_manage(user, obj) -> str | None:
    """A property, unit or bed space of the accommodation manager's own organisation."""
    if obj is None:
        return _accommodation_staff(user, user.organisation_id)
    return _accommodation_staff(user, obj.organisation_id)


@rule("property.address")
def _property_address(user, prop) -> str | None:
    if prop is None:
        return None
    staff = _accommodation_staff(user, prop.organisation_id)
    if staff:
        return staff
    from django.db.models import Q

    from accommodation.models import Placement

    resident_caseworker = (
        Placement.objects.filter(
            bed_space__unit__property=prop,
            state__in=["accepted", "moved_in"],
            case__caseworker=user,
            case__organisation_id=user.organisation_id,
        )
        .filter(Q(case__sealed=False) | Q(case__seal_members__user=user))
        .exists()
    )
    if user.has_role(Role.CASEWORKER) and resident_caseworker:
        return gettext_noop("caseworker of a resident")
    return None


def _placement_scope(user, queryset: QuerySet) -> QuerySet:
    from django.db.models import Q

    condition = Q(pk__in=[])
    if user.has_role(Role.ACCOMMODATION_MANAGER):
        condition |= Q(provider_id=user.organisation_id)
    visible_cases = _case_scope(user, _case_model().objects.all())
    condition |= Q(case__in=visible_cases)
    return queryset.filter(condition)


def _case_model():
    from casework.models import Case

    return Case


@rule("placement.view", scope=_placement_scope)
def _placement_view(user, placement) -> str | None:
    if placement is None:
        return None
    return _accommodation_staff(user, placement.provider_id) or _case_basis(user, placement.case)


@rule("placement.manage")
def _placement_manage(user, placement) -> str | None:
    """Offers, move-ins and move-outs: the provider's accommodation staff."""
    return _accommodation_staff(user, placement.provider_id) if placement is not None else None


@rule("placement.transition")
def _placement_transition(user, placement) -> str | None:
    """Accepting, declining and withdrawing: the case's caseworkers, or the provider's staff."""
    if placement is None:
        return None
    return _case_basis(user, placement.case) or _accommodation_staff(user, placement.provider_id)


@rule("vacancies.view")
def _vacancies_view(user, obj) -> str | None:
    """The vacancy board: counts and kinds of free places, never addresses."""
    if any(
        user.has_role(role)
        for role in (Role.ACCOMMODATION_MANAGER, Role.CASEWORKER, Role.SERVICE_MANAGER)
    ):
        return gettext_noop("vacancy board")
    return None


@rule("placement.requester")
def _placement_requester(user, placement) -> str | None:
    """Accepting an offer and withdrawing are the person's side, through their caseworkers; the
    provider offers and declines."""
    return _case_basis(user, placement.case) if placement is not None else None


# --- MARAC ------------------------------------------------------------------------------------
# The chair runs the MARACs of their organisation and sees what is shared into them, never the
# rest of the case file. A partner sees the meetings their agency is invited to once the agenda
# is out, the cases on them not withheld from their agency, their agency's own research and
# actions, and nothing else. Caseworkers and service managers see the MARAC work of the cases
# they may see.


def _marac_chair(user, obj) -> str | None:
    if user.has_role(Role.MARAC_CHAIR) and (
        obj is None or obj.organisation_id == user.organisation_id
    ):
        return gettext_noop("MARAC chair")
    return None


def _marac_chair_scope(field: str):
    def scope(user, queryset: QuerySet) -> QuerySet:
        if not user.has_role(Role.MARAC_CHAIR):
            return queryset.none()
        return queryset.filter(**{field: user.organisation_id})

    return scope


def _partner_agency_ids(user) -> list[int]:
    if not user.has_role(Role.MARAC_PARTNER):
        return []
    return list(
        user.marac_agencies.filter(
            active=True, area__organisation_id=user.organisation_id
        ).values_list("pk", flat=True)
    )


def _case_visible(user, case) -> str | None:
    basis = _case_basis(user, case)
    return f"{basis}: MARAC" if basis else None


rule("marac.area.manage", scope=_marac_chair_scope("organisation_id"))(_marac_chair)
rule("marac.meeting.manage")(_marac_chair)
rule("marac.referral.manage")(_marac_chair)


def _marac_referral_view(user, referral) -> str | None:
    if referral is None:
        return None
    return _marac_chair(user, referral) or _case_visible(user, referral.case)


def _marac_referral_scope(user, queryset: QuerySet) -> QuerySet:
    from django.db.models import Q

    condition = Q(pk__in=[])
    if user.has_role(Role.MARAC_CHAIR):
        condition |= Q(area__organisation_id=user.organisation_id)
    condition |= Q(case__in=_case_scope(user, _case_model().objects.all()))
    return queryset.filter(condition)


rule("marac.referral.view", scope=_marac_referral_scope)(_marac_referral_view)


def _partner_meeting_basis(user, meeting) -> str | None:
    from marac.models import PUBLISHED_STATES

    if meeting.state not in PUBLISHED_STATES:
        return None
    agencies = set(_partner_agency_ids(user))
    if agencies and meeting.invited.filter(pk__in=agencies).exists():
        return gettext_noop("MARAC partner: invited agency")
    return None


def _marac_meeting_scope(user, queryset: QuerySet) -> QuerySet:
    from marac.models import PUBLISHED_STATES

    if user.has_role(Role.MARAC_CHAIR):
        return queryset.filter(area__organisation_id=user.organisation_id)
    agencies = _partner_agency_ids(user)
    if not agencies:
        return queryset.none()
    return queryset.filter(
        pk__in=queryset.model.objects.filter(
            state__in=PUBLISHED_STATES, invited__in=agencies
        ).values("pk")
    )


@rule("marac.meeting.view", scope=_marac_meeting_scope)
def _marac_meeting_view(user, meeting) -> str | None:
    if meeting is None:
        return None
    return _marac_chair(user, meeting) or _partner_meeting_basis(user, meeting)


def _partner_case_q(agencies):
    """Cases on a published meeting an agency of the partner's is invited to, and not withheld
    from that agency."""
    from django.db.models import Exists, OuterRef, Q

    from marac.models import PUBLISHED_STATES, MaracMeeting, MaracReferral

    condition = Q(pk__in=[])
    for agency in agencies:
        invited = MaracMeeting.invited.through.objects.filter(
            maracmeeting_id=OuterRef("meeting_id"), partneragency_id=agency
        )
        withheld = MaracReferral.withheld_from.through.objects.filter(
            maracreferral_id=OuterRef("referral_id"), partneragency_id=agency
        )
        condition |= Q(Exists(invited)) & ~Q(Exists(withheld))
    return Q(meeting__state__in=PUBLISHED_STATES) & condition


def _marac_meeting_case_scope(user, queryset: QuerySet) -> QuerySet:
    from django.db.models import Q

    condition = Q(pk__in=[])
    if user.has_role(Role.MARAC_CHAIR):
        condition |= Q(meeting__area__organisation_id=user.organisation_id)
    agencies = _partner_agency_ids(user)
    if agencies:
        condition |= _partner_case_q(agencies)
    return queryset.filter(condition)


@rule("marac.meeting_case.view", scope=_marac_meeting_case_scope)
def _marac_meeting_case_view(user, meeting_case) -> str | None:
    """An agenda item: the chair, or a partner whose agency is invited and not withheld from."""
    if meeting_case is None:
        return None
    chair = _marac_chair(user, meeting_case)
    if chair:
        return chair
    agencies = _partner_agency_ids(user)
    if agencies and (
        type(meeting_case)
        .objects.filter(pk=meeting_case.pk)
        .filter(_partner_case_q(agencies))
        .exists()
    ):
        return gettext_noop("MARAC partner: invited agency")
    return None


@rule("marac.research.edit")
def _marac_research_edit(user, research) -> str | None:
    """An agency's research on an agenda item: a member of that agency, while it may see it."""
    if research is None or research.agency_id not in _partner_agency_ids(user):
        return None
    # This agency itself must be invited and the case not withheld from it, whatever the
    # person's other agencies may see.
    item = research.meeting_case
    if type(item).objects.filter(pk=item.pk).filter(_partner_case_q([research.agency_id])).exists():
        return gettext_noop("MARAC partner: own agency")
    return None


# An action is a draft the chair may still take back until the minutes that set it are
# approved: until then only the chair sees it.


def _marac_action_scope(user, queryset: QuerySet) -> QuerySet:
    from django.db.models import Q

    condition = Q(pk__in=[])
    if user.has_role(Role.MARAC_CHAIR):
        condition |= Q(meeting_case__meeting__area__organisation_id=user.organisation_id)
    agreed = Q(meeting_case__meeting__state="minutes_approved")
    agencies = _partner_agency_ids(user)
    if agencies:
        condition |= agreed & Q(owner_agency_id__in=agencies)
    visible_cases = _case_scope(user, _case_model().objects.all())
    condition |= agreed & Q(meeting_case__referral__case__in=visible_cases)
    return queryset.filter(condition)


def _marac_action_owner(user, action) -> str | None:
    if action.agreed and action.owner_agency_id in _partner_agency_ids(user):
        return gettext_noop("MARAC partner: own agency's action")
    return None


@rule("marac.action.view", scope=_marac_action_scope)
def _marac_action_view(user, action) -> str | None:
    if action is None:
        return None
    if _marac_chair(user, action):
        return gettext_noop("MARAC chair")
    if not action.agreed:
        return None
    return _marac_action_owner(user, action) or _case_visible(
        user, action.meeting_case.referral.case
    )


@rule("marac.action.update")
def _marac_action_update(user, action) -> str | None:
    """Resolving an action: the chair, or a member of the agency that owns it."""
    if action is None:
        return None
    return _marac_chair(user, action) or _marac_action_owner(user, action)


def _marac_data_return_scope(user, queryset: QuerySet) -> QuerySet:
    if not (user.has_role(Role.MARAC_CHAIR) or user.has_role(Role.SERVICE_MANAGER)):
        return queryset.none()
    return queryset.filter(organisation_id=user.organisation_id)


@rule("marac.data_return.view", scope=_marac_data_return_scope)
def _marac_data_return_view(user, area) -> str | None:
    if area is None or area.organisation_id != user.organisation_id:
        return None
    if user.has_role(Role.MARAC_CHAIR):
        return gettext_noop("MARAC chair")
    if user.has_role(Role.SERVICE_MANAGER):
        return gettext_noop("service manager")
    return None


# --- Subject access ---------------------------------------------------------------------------
# A person's request for everything held about them (UK GDPR Article 15) is exported by the data
# protection lead of the case's organisation, any case of it, sealed ones included; or by a
# service manager, for a case they may open. This rule opens no case page: the data protection
# lead still has no "case.view".


def _subject_access_scope(user, queryset: QuerySet) -> QuerySet:
    if user.has_role(Role.DATA_PROTECTION):
        return queryset.filter(organisation_id=user.organisation_id)
    if user.has_role(Role.SERVICE_MANAGER):
        return visible(user, "case.view", queryset)
    return queryset.none()


@rule("case.subject_access", scope=_subject_access_scope)
def _case_subject_access(user, case) -> str | None:
    if case is None or case.organisation_id != user.organisation_id:
        return None
    if user.has_role(Role.DATA_PROTECTION):
        return gettext_noop("data protection lead: subject access request")
    if user.has_role(Role.SERVICE_MANAGER) and _case_basis(user, case):
        return gettext_noop("service manager: subject access request")
    return None


# --- Retention and legal hold -----------------------------------------------------------------
# A legal hold keeps a case in full past its retention period. The data protection lead places
# and releases it on any case of their organisation, found by its reference on the legal holds
# page, which shows the reference, state and dates only: this opens no case page. A service
# manager does so for a case they may open. Both see the retention runs, limited to their own
# organisation's references; only the data protection lead previews a run.


def _legal_hold_scope(user, queryset: QuerySet) -> QuerySet:
    if user.has_role(Role.DATA_PROTECTION):
        return queryset.filter(organisation_id=user.organisation_id)
    if user.has_role(Role.SERVICE_MANAGER):
        return visible(user, "case.view", queryset)
    return queryset.none()


@rule("case.legal_hold", scope=_legal_hold_scope)
def _case_legal_hold(user, case) -> str | None:
    """``case`` is the case, or None for the legal holds page itself."""
    if case is not None and case.organisation_id != user.organisation_id:
        return None
    if user.has_role(Role.DATA_PROTECTION):
        return gettext_noop("data protection lead: legal hold")
    if user.has_role(Role.SERVICE_MANAGER) and (case is None or _case_basis(user, case)):
        return gettext_noop("service manager: legal hold")
    return None


def _retention_run_scope(user, queryset: QuerySet) -> QuerySet:
    from django.db.models import Q

    if not (user.has_role(Role.DATA_PROTECTION) or user.has_role(Role.SERVICE_MANAGER)):
        return queryset.none()
    # A run covers every organisation, or the one a data protection lead previewed it for;
    # what each organisation sees of a run's detail is its own part (carepath.retention).
    return queryset.filter(Q(detail__scope=None) | Q(detail__scope=user.organisation_id))


@rule("retention.view", scope=_retention_run_scope)
def _retention_view(user, run) -> str | None:
    """``run`` is a retention run, or None for the list of runs."""
    if run is not None and run.detail.get("scope") not in (None, user.organisation_id):
        return None
    if user.has_role(Role.DATA_PROTECTION):
        return gettext_noop("data protection lead")
    if user.has_role(Role.SERVICE_MANAGER):
        return gettext_noop("service manager")
    return None


@rule("retention.preview")
def _retention_preview(user, obj) -> str | None:
    return gettext_noop("data protection lead") if user.has_role(Role.DATA_PROTECTION) else None
