"""Every write to a case: intake, edits, allocation and the pathway transitions."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from carepath import policy
from carepath.audit import timeline
from carepath.pathway import PathwayError, lock, run_transition
from carepath.people.models import Role, Team, User
from carepath.tasking import enqueue_on_commit
from casework.models import (
    Case,
    CaseSequence,
    CaseState,
    ImmediateNeed,
    NrmRecord,
    ReferralBatch,
    SealedCaseMember,
)
from casework.models.records import Need

# Fields a caseworker edits on the case's details form (intake fields included).
EDITABLE_FIELDS = (
    "referral_date", "referral_source", "referring_agency", "referrer_contact",
    "knows_of_referral", "consents_to_referral", "risk_at_intake", "referral_notes",
    "given_name", "family_name", "aliases", "verified_given_name", "verified_family_name",
    "gender", "date_of_birth", "date_of_birth_estimated", "verified_date_of_birth",
    "claimed_nationality", "verified_nationality", "nationality_group", "immigration_status",
    "identity_documents", "main_language", "other_languages", "interpreter_needed",
    "interpreter_language", "interpreter_dialect", "interpreter_gender",
    "exploitation_types", "exploitation_sectors", "first_exploitation_date",
    "first_exploitation_date_estimated", "exploitation_country", "jurisdiction",
    "local_authority", "police_force_area", "region", "ethnicity", "disability",
    "sexual_orientation", "transgender", "religion", "needs_summary",
)  # fmt: skip


def reference_prefix(organisation) -> str:
    """What every generated reference of the organisation starts with (the case import moves the
    sequence past imported references of the same shape)."""
    return "".join(ch for ch in organisation.slug.upper() if ch.isalnum())[:4]


def _next_reference(team: Team, year: int) -> str:
    sequence, _created = CaseSequence.objects.select_for_update().get_or_create(
        organisation_id=team.organisation_id, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{reference_prefix(team.organisation)}-{year}-{sequence.last:04d}"


def _validate_dates(values: dict, *, today: date) -> None:
    for name, label in (
        ("date_of_birth", _("The date of birth")),
        ("verified_date_of_birth", _("The verified date of birth")),
        ("referral_date", _("The referral date")),
        ("first_exploitation_date", _("The date of first exploitation")),
    ):
        if values.get(name) and values[name] > today:
            raise PathwayError(_("%(field)s cannot be in the future.") % {"field": label})
    born = values.get("date_of_birth")
    first = values.get("first_exploitation_date")
    if born and first and first < born:
        raise PathwayError(_("Exploitation cannot have started before the date of birth."))


@transaction.atomic
def case_create(
    *,
    by: User,
    team: Team,
    values: dict,
    immediate_needs: list[str] = (),
    batch: ReferralBatch | None = None,
) -> Case:
    """Record a referral. The case starts in ``referred`` with its NRM record beside it."""
    policy.require(by, "case.create", team)
    _validate_dates(values, today=timezone.localdate())
    values = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
    values.setdefault("jurisdiction", team.organisation.jurisdiction)
    case = Case(
        organisation_id=team.organisation_id,
        team=team,
        batch=batch,
        reference=_next_reference(team, values["referral_date"].year),
        **values,
    )
    case._history_user = by
    case.save()
    nrm = NrmRecord(case=case)
    nrm._history_user = by
    nrm.save()
    bulk_create_with_history(
        [ImmediateNeed(case=case, need=need) for need in Need.values if need in immediate_needs],
        ImmediateNeed,
        default_user=by,
    )
    timeline.record(
        case,
        by=by,
        kind="case.referred",
        detail={"batch": batch.pk if batch else None, "source": case.referral_source},
    )
    return case


@transaction.atomic
def batch_create(*, by: User, team: Team, shared: dict, people: list[dict]) -> ReferralBatch:
    """A police operation brings many people at once: shared details, then one case each."""
    policy.require(by, "case.create", team)
    if not people:
        raise PathwayError(_("Add at least one person to the batch."))
    batch = ReferralBatch.objects.create(
        organisation_id=team.organisation_id, team=team, created_by=by, **shared
    )
    common = {
        "referral_date": batch.referral_date,
        "referral_source": "police_operation",
        "referring_agency": batch.referring_agency,
        "local_authority": batch.local_authority,
        "police_force_area": batch.police_force_area,
    }
    for person in people:
        case_create(
            by=by,
            team=team,
            values={**common, **person},
            immediate_needs=Need.values,
            batch=batch,
        )
    timeline.record(batch, by=by, kind="batch.created", detail={"people": len(people)})
    return batch


@transaction.atomic
def case_update(*, by: User, case: Case, expected_version: int, values: dict) -> Case:
    policy.require(by, "case.edit", case)
    lock(case, expected_version=expected_version, by=by)
    _validate_dates(
        {**{f: getattr(case, f) for f in EDITABLE_FIELDS}, **values}, today=timezone.localdate()
    )
    changed = []
    for name, value in values.items():
        if name in EDITABLE_FIELDS and getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    if not changed:
        return case
    case.save()
    # Field names only: the values themselves are in the case's history, behind the policy.
    timeline.record(case, by=by, kind="case.updated", detail={"fields": changed})
    return case


def _check_caseworker(case: Case, caseworker: User) -> None:
    if caseworker.organisation_id != case.organisation_id or not caseworker.has_role(
        Role.CASEWORKER
    ):
        raise PathwayError(_("Choose an active caseworker of this organisation."))


@transaction.atomic
def case_accept(
    *, by: User, case: Case, caseworker: User, expected_version: int, reason: str = ""
) -> Case:
    """Take the referral on and allocate it. A caseworker may take it on themselves; a service
    manager allocates to anyone."""
    _check_caseworker(case, caseworker)
    if caseworker.pk != by.pk:
        policy.require(by, "case.allocate", case)
    run_transition(
        case,
        "accept",
        by=by,
        permission="case.transition",
        expected_version=expected_version,
        caseworker=caseworker,
    )
    timeline.record(
        case, by=by, kind="case.accepted", reason=reason, detail={"caseworker": caseworker.pk}
    )
    return case


@transaction.atomic
def case_allocate(
    *, by: User, case: Case, caseworker: User, expected_version: int, reason: str = ""
) -> Case:
    """Reallocate an open case to another caseworker."""
    policy.require(by, "case.allocate", case)
    lock(case, expected_version=expected_version, by=by)
    _check_caseworker(case, caseworker)
    if not case.is_open:
        raise PathwayError(_("Only an open case can be reallocated."))
    if case.state == CaseState.REFERRED:
        raise PathwayError(_("Accept the referral to allocate it."))
    before = case.caseworker_id
    case.caseworker = caseworker
    case.save()
    timeline.record(
        case,
        by=by,
        kind="case.allocated",
        reason=reason,
        detail={"from": before, "to": caseworker.pk},
    )
    return case


def _simple(name: str, kind: str):
    @transaction.atomic
    def service(*, by: User, case: Case, expected_version: int, reason: str = "") -> Case:
        run_transition(
            case, name, by=by, permission="case.transition", expected_version=expected_version
        )
        timeline.record(case, by=by, kind=kind, reason=reason)
        return case

    service.__name__ = f"case_{name}"
    return service


case_start_support = _simple("start_support", "case.support_started")
case_plan_move_on = _simple("plan_move_on", "case.moving_on")
case_resume_support = _simple("resume_support", "case.support_resumed")
case_found = _simple("found", "case.found")


@transaction.atomic
def case_decline(
    *, by: User, case: Case, expected_version: int, decline_reason: str, reason: str
) -> Case:
    if not reason.strip():
        raise PathwayError(_("Explain why the referral is not taken on."))
    _end_placements(by, case)
    run_transition(
        case,
        "decline",
        by=by,
        permission="case.transition",
        expected_version=expected_version,
        reason=decline_reason,
    )
    timeline.record(
        case, by=by, kind="case.declined", reason=reason, detail={"decline_reason": decline_reason}
    )
    return case


@transaction.atomic
def case_report_missing(*, by: User, case: Case, expected_version: int, since, reason: str) -> Case:
    if since > timezone.now():
        raise PathwayError(_("The time they went missing cannot be in the future."))
    if timezone.localdate(since) < case.referral_date:
        raise PathwayError(_("They cannot have gone missing before they were referred."))
    run_transition(
        case,
        "report_missing",
        by=by,
        permission="case.transition",
        expected_version=expected_version,
        since=since,
    )
    timeline.record(
        case, by=by, kind="case.missing", reason=reason, detail={"child": case.is_child}
    )
    from casework.tasks import missing_alert_send

    enqueue_on_commit(missing_alert_send, case.pk)
    return case


@transaction.atomic
def case_record_missing_notification(
    *, by: User, case: Case, expected_version: int, police_at=None, local_authority_at=None
) -> Case:
    policy.require(by, "case.edit", case)
    lock(case, expected_version=expected_version, by=by)
    if case.state != CaseState.MISSING:
        raise PathwayError(_("The person is not recorded as missing."))
    for value in (police_at, local_authority_at):
        if value and (value > timezone.now() or value < case.missing_since):
            raise PathwayError(
                _("A notification time must be after they went missing and not in the future.")
            )
    if police_at:
        case.missing_police_notified_at = police_at
    if local_authority_at:
        case.missing_local_authority_notified_at = local_authority_at
    case.save()
    timeline.record(
        case,
        by=by,
        kind="case.missing_notified",
        detail={"police": bool(police_at), "local_authority": bool(local_authority_at)},
    )
    return case


@transaction.atomic
def case_close(
    *,
    by: User,
    case: Case,
    expected_version: int,
    closure_reason: str,
    outcomes: list[str],
    closed_on: date,
    reason: str = "",
    none_achieved: bool = False,
) -> Case:
    """Close with the reason and the outcomes achieved; "none achieved" must be said, not
    assumed from an empty list."""
    if closed_on > timezone.localdate():
        raise PathwayError(_("The closing date cannot be in the future."))
    _end_placements(by, case)
    run_transition(
        case,
        "close",
        by=by,
        permission="case.transition",
        expected_version=expected_version,
        reason=closure_reason,
        outcomes=outcomes,
        closed_on=closed_on,
        none_achieved=none_achieved,
    )
    timeline.record(
        case,
        by=by,
        kind="case.closed",
        reason=reason,
        detail={"closure_reason": closure_reason, "outcomes": case.outcomes},
    )
    return case


def _end_placements(by: User, case: Case) -> None:
    # Accommodation depends on casework, so it is reached at call time.
    from accommodation.services import placements_end_with_case

    policy.require(by, "case.transition", case)
    placements_end_with_case(by=by, case=case)


@transaction.atomic
def case_reopen(*, by: User, case: Case, reason: str) -> Case:
    """A new episode for someone whose case ended; the old episode and its history stay."""
    policy.require(by, "case.transition", case)
    lock(case, expected_version=None, by=by)  # two people re-opening at once: one episode
    if case.state not in (CaseState.CLOSED, CaseState.DECLINED):
        raise PathwayError(_("Only a closed or declined case can be re-opened."))
    if hasattr(case, "next_episode"):
        raise PathwayError(
            _("This case has already been re-opened as %(ref)s.")
            % {"ref": case.next_episode.reference}
        )
    if not reason.strip():
        raise PathwayError(_("Explain why the case is re-opened."))
    carried = {
        name: getattr(case, name)
        for name in EDITABLE_FIELDS
        if not name.startswith("referral") and name != "needs_summary"
    }
    episode = case_create(
        by=by,
        team=case.team,
        values={
            **carried,
            "referral_date": timezone.localdate(),
            "referral_source": case.referral_source,
            "referring_agency": case.referring_agency,
        },
    )
    episode.previous_episode = case
    # A sealed case stays sealed to the same people in its new episode.
    episode.sealed = case.sealed
    episode._history_user = by
    episode.save()
    for member in case.seal_members.all() if case.sealed else ():
        SealedCaseMember.objects.create(case=episode, user_id=member.user_id, added_by=by)
    timeline.record(
        case, by=by, kind="case.reopened", reason=reason, detail={"episode": episode.pk}
    )
    timeline.record(
        episode, by=by, kind="case.reopened_from", reason=reason, detail={"previous": case.pk}
    )
    return episode
