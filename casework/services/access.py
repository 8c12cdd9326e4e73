"""Access to a case beyond the usual rules: emergency ("break-glass") access, its review, and
sealing a case to the people named on it.

Reasons given for emergency access stay on the grant, for its reviewers; the timeline and the
application logs carry ids and case references only."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import links, policy
from carepath.audit import timeline
from carepath.pathway import PathwayError, lock
from carepath.people.models import Role, User
from carepath.tasking import enqueue_on_commit
from casework.models import Case, EmergencyAccess, SealedCaseMember

logger = logging.getLogger(__name__)

REASON_MIN_LENGTH = 20


class EmergencyAccessRefused(PathwayError):
    """The same answer for a case that does not exist, is sealed or belongs elsewhere, so the
    form never tells anyone which."""

    def __init__(self):
        super().__init__(_("No case with that reference can be opened with emergency access."))


class AlreadyOpen(Exception):  # noqa: N818 (not an error: the person may already open it)
    """The person may already open the case (their usual access, or a grant still running)."""

    def __init__(self, case: Case, grant: EmergencyAccess | None = None):
        super().__init__(case.pk)
        self.case = case
        self.grant = grant


# --- Emergency access -----------------------------------------------------------------------


def _active(grants):
    return grants.filter(ended_at__isnull=True, expires_at__gt=timezone.now())


def emergency_access_active(grant: EmergencyAccess) -> bool:
    return grant.ended_at is None and grant.expires_at > timezone.now()


@transaction.atomic
def emergency_access_start(*, user: User, reference: str, reason: str) -> EmergencyAccess:
    """Open one case of the person's organisation for a limited time, for a reason that a
    service manager reviews afterwards. The service managers are told at once."""
    policy.require(user, "emergency_access.request")
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise PathwayError(
            _("Give the reason in at least %(n)d characters.") % {"n": REASON_MIN_LENGTH}
        )
    case = (
        Case.objects.select_for_update()
        .filter(organisation_id=user.organisation_id, reference__iexact=reference.strip())
        .first()
    )
    if case is None or not policy.can(user, "emergency_access.request", case):
        raise EmergencyAccessRefused()
    if policy.basis(user, "case.view", case) is not None:
        existing = _active(EmergencyAccess.objects.filter(user=user, case=case)).first()
        raise AlreadyOpen(case, existing)
    now = timezone.now()
    grant = EmergencyAccess(
        organisation_id=case.organisation_id,
        case=case,
        user=user,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(minutes=settings.EMERGENCY_ACCESS_MINUTES),
    )
    grant._history_user = user
    grant.save()
    timeline.record(
        case,
        by=user,
        kind="emergency_access.started",
        detail={"emergency_access": grant.pk, "expires_at": grant.expires_at.isoformat()},
    )
    policy.forget_emergency_grants(user)
    from carepath.audit.tasks import emergency_access_notify

    enqueue_on_commit(emergency_access_notify, grant.pk)
    return grant


@transaction.atomic
def emergency_access_end(*, grant: EmergencyAccess, by: User) -> EmergencyAccess:
    """End one's own emergency access before it expires."""
    policy.require(by, "emergency_access.own", grant)
    grant = EmergencyAccess.objects.select_for_update().get(pk=grant.pk)
    if not emergency_access_active(grant):
        raise PathwayError(_("This emergency access has already ended."))
    grant.ended_at = timezone.now()
    grant._history_user = by
    grant.save(update_fields=["ended_at"])
    timeline.record(
        grant.case, by=by, kind="emergency_access.ended", detail={"emergency_access": grant.pk}
    )
    policy.forget_emergency_grants(by)
    return grant


@transaction.atomic
def emergency_access_review(
    *, grant: EmergencyAccess, by: User, outcome: str, note: str = ""
) -> EmergencyAccess:
    """A service manager or the data protection lead records whether the access was justified.
    Access found not justified that is still running ends now."""
    policy.require(by, "emergency_access.review", grant)
    grant = EmergencyAccess.objects.select_for_update().select_related("case").get(pk=grant.pk)
    if grant.user_id == by.pk:
        raise PathwayError(_("Someone else must review your own emergency access."))
    if grant.reviewed_at is not None:
        raise PathwayError(_("This emergency access has already been reviewed."))
    if outcome not in EmergencyAccess.Review.values:
        raise PathwayError(_("Choose whether the access was justified."))
    note = note.strip()
    if outcome == EmergencyAccess.Review.NOT_JUSTIFIED and not note:
        raise PathwayError(_("Say why the access was not justified."))
    now = timezone.now()
    grant.reviewed_by = by
    grant.reviewed_at = now
    grant.review_outcome = outcome
    grant.review_note = note
    fields = ["reviewed_by", "reviewed_at", "review_outcome", "review_note"]
    ended = outcome == EmergencyAccess.Review.NOT_JUSTIFIED and emergency_access_active(grant)
    if ended:
        grant.ended_at = now
        fields.append("ended_at")
    grant._history_user = by
    grant.save(update_fields=fields)
    timeline.record(
        grant.case,
        by=by,
        kind="emergency_access.reviewed",
        detail={"emergency_access": grant.pk, "outcome": outcome, "ended": ended},
    )
    return grant


def emergency_access_notify_send(*, grant_id: int) -> int:
    """Tell every service manager and data protection lead of the organisation, with the case
    reference and a link to the review: never the person's details, nor the reason (it may
    hold them)."""
    grant = EmergencyAccess.objects.select_related("case").filter(pk=grant_id).first()
    if grant is None:
        return 0
    reviewers = (
        User.objects.filter(
            organisation_id=grant.organisation_id,
            is_active=True,
            role_assignments__role__in=[Role.SERVICE_MANAGER, Role.DATA_PROTECTION],
        )
        .exclude(email="")
        .distinct()
    )
    expires = timezone.localtime(grant.expires_at)
    body = (
        f"Emergency access to case {grant.case.reference} was started and lasts until "
        f"{expires:%d %b %Y %H:%M}.\n"
        "Every read under it is logged. Review it in Carepath: "
        f"{links.absolute(reverse('casework:emergency_review', args=[grant.pk]))}\n"
    )
    recipients = [m.email for m in reviewers]
    if not recipients:
        logger.warning(
            "Emergency access %s: no service manager or data protection lead of organisation "
            "%s has an e-mail address to tell",
            grant.pk,
            grant.organisation_id,
        )
        return 0
    return send_mail(
        f"Emergency access to case {grant.case.reference}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )


# --- Sealed cases ---------------------------------------------------------------------------


def seal_candidates(organisation_id: int):
    """Who may be named on a sealed case: active staff of the organisation who open cases."""
    return (
        User.objects.filter(
            organisation_id=organisation_id,
            is_active=True,
            role_assignments__role__in=[Role.CASEWORKER, Role.SERVICE_MANAGER],
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
        .prefetch_related("role_assignments")
    )


def _check_candidate(case: Case, person: User) -> None:
    if not seal_candidates(case.organisation_id).filter(pk=person.pk).exists():
        raise PathwayError(
            _("Only active caseworkers and service managers of the organisation can be named.")
        )


def _add_member(case: Case, person: User, *, by: User) -> SealedCaseMember:
    member = SealedCaseMember(case=case, user=person, added_by=by)
    member._history_user = by
    member.save()
    return member


@transaction.atomic
def case_seal(*, case: Case, by: User, members: list[User], reason: str) -> Case:
    """Seal a case: from now on only the people named may open it. Whoever seals it is named."""
    policy.require(by, "case.seal", case)
    lock(case, expected_version=None, by=by)
    if case.sealed:
        raise PathwayError(_("This case is already sealed."))
    named = {by.pk: by}
    for person in members:
        _check_candidate(case, person)
        named.setdefault(person.pk, person)
    case.sealed = True
    case.save(update_fields=["sealed"])
    for person in named.values():
        _add_member(case, person, by=by)
    timeline.record(
        case,
        by=by,
        kind="case.sealed",
        reason=reason,
        detail={"named": sorted(named)},
    )
    return case


@transaction.atomic
def case_seal_member_add(*, case: Case, by: User, person: User) -> SealedCaseMember:
    policy.require(by, "case.seal", case)
    lock(case, expected_version=None, by=by)
    if not case.sealed:
        raise PathwayError(_("This case is not sealed."))
    _check_candidate(case, person)
    if SealedCaseMember.objects.filter(case=case, user=person).exists():
        raise PathwayError(_("%(person)s is already named.") % {"person": person})
    member = _add_member(case, person, by=by)
    timeline.record(
        case, by=by, kind="case.seal_member_added", reason=str(person), detail={"user": person.pk}
    )
    return member


@transaction.atomic
def case_seal_member_remove(*, case: Case, by: User, person: User) -> None:
    policy.require(by, "case.seal", case)
    lock(case, expected_version=None, by=by)
    if person.pk == by.pk:
        # Nobody seals themselves out: another named service manager can remove them.
        raise PathwayError(_("You cannot remove yourself from the people named."))
    member = SealedCaseMember.objects.filter(case=case, user=person).first()
    if member is None:
        raise PathwayError(_("%(person)s is not named on this case.") % {"person": person})
    member._history_user = by
    member.delete()
    timeline.record(
        case,
        by=by,
        kind="case.seal_member_removed",
        reason=str(person),
        detail={"user": person.pk},
    )


@transaction.atomic
def case_unseal(*, case: Case, by: User, reason: str) -> Case:
    """Open the case to its usual access again; the list of named people is cleared."""
    policy.require(by, "case.seal", case)
    lock(case, expected_version=None, by=by)
    if not case.sealed:
        raise PathwayError(_("This case is not sealed."))
    members = list(SealedCaseMember.objects.filter(case=case))
    for member in members:
        member._history_user = by
        member.delete()
    case.sealed = False
    case.save(update_fields=["sealed"])
    timeline.record(
        case,
        by=by,
        kind="case.unsealed",
        reason=reason,
        detail={"named": sorted(m.user_id for m in members)},
    )
    return case
