"""Reads for the retention pages: runs (each organisation sees its own part of a run), held
cases, and a case for the legal hold page (reference, state and dates only; the read is
logged)."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carepath import policy
from carepath.audit import access_log
from carepath.audit.models import RetentionRun, TimelineEvent
from carepath.people.models import User
from carepath.retention import schedule
from carepath.retention.schedule import ANONYMISED, FAILED, HELD
from casework.models import Case, CaseState

RECORD_TYPE_LABELS = {
    schedule.CLOSED_CASE: _("Closed cases"),
    schedule.DECLINED_REFERRAL: _("Declined referrals"),
    schedule.MARAC_REFERRAL: _("MARAC referrals"),
    schedule.SMS_REMINDER: _("Text message reminders"),
    schedule.ACCESS_LOG: _("Access log entries"),
}


def runs_for(user: User) -> QuerySet[RetentionRun]:
    return policy.visible(user, "retention.view", RetentionRun.objects.all()).select_related(
        "started_by"
    )


def run_for(user: User, *, pk: int) -> RetentionRun:
    run, _why = policy.get_or_404(user, "retention.view", RetentionRun.objects.all(), pk=pk)
    return run


@dataclass
class RecordTypeOutcome:
    record_type: str
    label: str
    anonymised: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    removed: int | None = None  # the access log is counted, not listed

    @property
    def is_empty(self) -> bool:
        return not (self.anonymised or self.held or self.failed or self.removed)


def run_outcomes(run: RetentionRun, organisation_id: int) -> list[RecordTypeOutcome]:
    """What the run did to one organisation's records: its part of the detail, never another
    organisation's references."""
    own = run.detail.get("organisations", {}).get(str(organisation_id), {})
    outcomes = []
    for record_type in schedule.RECORD_TYPES:
        found = own.get(record_type, {})
        outcomes.append(
            RecordTypeOutcome(
                record_type=record_type,
                label=str(RECORD_TYPE_LABELS[record_type]),
                anonymised=list(found.get(ANONYMISED, [])),
                held=list(found.get(HELD, [])),
                failed=list(found.get(FAILED, [])),
                removed=found.get("removed"),
            )
        )
    return outcomes


def run_started_by(run: RetentionRun) -> str:
    if run.started_by is not None:
        return str(run.started_by)
    if run.detail.get("trigger") == "command":
        return str(_("Started from the command line"))
    return str(_("Nightly schedule"))


def legal_holds_for(user: User) -> QuerySet[Case]:
    """The held cases of the person's organisation, with the moment each hold was placed."""
    held_since = Subquery(
        TimelineEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case),
            subject_id=OuterRef("pk"),
            kind="case.legal_hold_set",
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        policy.visible(user, "case.legal_hold", Case.objects.filter(legal_hold=True))
        .annotate(held_since=held_since)
        .order_by("reference")
    )


def case_by_reference(user: User, reference: str) -> Case | None:
    reference = reference.strip()
    if not reference:
        return None
    return (
        policy.visible(user, "case.legal_hold", Case.objects.all())
        .filter(reference__iexact=reference)
        .first()
    )


def case_for_hold(user: User, *, pk: int, path: str = "") -> Case:
    """A case for its legal hold page; the read is logged. Anyone else: 404."""
    case, why = policy.get_or_404(
        user, "case.legal_hold", Case.objects.select_related("team"), pk=pk
    )
    access_log.record(case, by=user, basis=why, path=path)
    return case


def declined_on(case: Case) -> date | None:
    if case.state != CaseState.DECLINED:
        return None
    event = (
        TimelineEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case),
            subject_id=case.pk,
            kind="case.declined",
        )
        .order_by("-created_at")
        .first()
    )
    moment = event.created_at if event else case.updated_at
    return timezone.localdate(moment)


def case_kept_until(case: Case) -> date | None:
    """The last day the case keeps its personal data under the schedule (None while open)."""
    return schedule.case_kept_until(case, declined_on=declined_on(case))
