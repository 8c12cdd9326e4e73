"""Writes to what a case records beside its state: consent, disclosures, charges, dependants,
immediate needs, the support plan and notes."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import timeline
from carepath.pathway import PathwayError
from carepath.people.models import User
from casework.models import (
    Case,
    CaseNote,
    Charge,
    ConsentRecord,
    Dependant,
    Disclosure,
    ImmediateNeed,
    SupportGoal,
)
from casework.models.records import GoalStatus, NeedStatus

RECORD_MODELS = {
    "consent": ConsentRecord,
    "disclosure": Disclosure,
    "charge": Charge,
    "dependant": Dependant,
    "goal": SupportGoal,
    "note": CaseNote,
}
_DATE_FIELDS = {
    "consent": ("given_on",),
    "disclosure": ("disclosed_on",),
    "charge": ("status_date",),
    "dependant": ("date_of_birth",),
}


@transaction.atomic
def case_record_add(*, by: User, case: Case, kind: str, values: dict):
    """Add one consent, disclosure, charge, dependant, support goal or note to a case."""
    policy.require(by, "case.edit", case)
    today = timezone.localdate()
    for name in _DATE_FIELDS.get(kind, ()):
        if values.get(name) and values[name] > today:
            raise PathwayError(_("A date on this record cannot be in the future."))
    if (
        kind == "disclosure"
        and not values.get("with_consent")
        and not values.get("basis_without_consent", "").strip()
    ):
        raise PathwayError(
            _("When information is shared without consent, record the lawful basis.")
        )
    record = RECORD_MODELS[kind](case=case, recorded_by=by, **values)
    record._history_user = by
    record.save()
    # The record's kind and id only: its content stays behind the access policy.
    timeline.record(case, by=by, kind=f"{kind}.recorded", detail={"id": record.pk})
    return record


@transaction.atomic
def consent_withdraw(
    *, by: User, consent: ConsentRecord, withdrawn_on: date, notes: str = ""
) -> ConsentRecord:
    policy.require(by, "case.edit", consent.case)
    if consent.withdrawn_on:
        raise PathwayError(_("This consent was already withdrawn."))
    if withdrawn_on > timezone.localdate() or withdrawn_on < consent.given_on:
        raise PathwayError(_("Withdrawal must be after consent was given and not in the future."))
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_notes = notes
    consent._history_user = by
    consent.save()
    timeline.record(
        consent.case,
        by=by,
        kind="consent.withdrawn",
        detail={"id": consent.pk, "scope": consent.scope},
    )
    return consent


@transaction.atomic
def goal_set_status(
    *, by: User, goal: SupportGoal, status: str, review_date: date | None = None
) -> SupportGoal:
    policy.require(by, "case.edit", goal.case)
    if status not in GoalStatus.values:
        raise PathwayError(_("Choose a status."))
    goal.status = status
    if review_date:
        goal.review_date = review_date
    goal._history_user = by
    goal.save()
    timeline.record(goal.case, by=by, kind="goal.updated", detail={"id": goal.pk, "status": status})
    return goal


@transaction.atomic
def immediate_needs_update(*, by: User, case: Case, statuses: dict[str, str]) -> None:
    """Set each immediate need (place of safety, emergency health care...) to needed, met or
    not needed; a need first marked met records today's date."""
    policy.require(by, "case.edit", case)
    today = timezone.localdate()
    existing = {n.need: n for n in case.immediate_needs.all()}
    changed = []
    for need, status in statuses.items():
        if status not in NeedStatus.values:
            raise PathwayError(_("Choose needed, met or not needed."))
        row = existing.get(need) or ImmediateNeed(case=case, need=need)
        if row.pk and row.status == status:
            continue
        row.status = status
        row.met_on = today if status == NeedStatus.MET else None
        row._history_user = by
        row.save()
        changed.append(need)
    if changed:
        timeline.record(case, by=by, kind="needs.updated", detail={"needs": changed})
