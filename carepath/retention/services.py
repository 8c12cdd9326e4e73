"""The retention run, anonymisation and legal holds.

A run (``cases_anonymise_due``, nightly and by ``manage.py retention_run``) applies the schedule
(``carepath.retention.schedule``) to every record type: closed cases and declined referrals are
anonymised one case file at a time, each in its own transaction; MARAC referrals on their area's
schedule; reminders in the outbox; the access log is pruned. What anonymisation replaces is
declared in ``carepath.retention.classification``; it is written into the live rows and every
history row of the same records with bulk updates. Each run leaves one ``RetentionRun`` whose
detail lists, per organisation and record type, the references anonymised, held (legal hold)
and failed: references only, never a name.
"""

import logging
from collections import defaultdict
from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepath import policy
from carepath.audit import timeline
from carepath.audit.models import AccessLogEntry, RetentionRun, TimelineEvent
from carepath.pathway import PathwayError, VersionedModel, lock
from carepath.people.models import User
from carepath.retention import classification as c
from carepath.retention import schedule
from carepath.sms.models import Reminder, ReminderState
from carepath.sms.services import reminders_cancel
from casework.models import Case, CaseState, CicaClaim
from marac.models import ActionState, MaracReferral, MeetingState

logger = logging.getLogger(__name__)

timeline.register_labels(
    {
        "case.legal_hold_set": gettext_lazy("Legal hold placed"),
        "case.legal_hold_released": gettext_lazy("Legal hold released"),
        "case.anonymised": gettext_lazy("Anonymised under the retention schedule"),
        "marac.referral_anonymised": gettext_lazy(
            "MARAC referral anonymised under its area's retention period"
        ),
    }
)

ANONYMISED, HELD, FAILED = schedule.ANONYMISED, schedule.HELD, schedule.FAILED
FINISHED_REMINDER_STATES = (
    ReminderState.SENT,
    ReminderState.DELIVERED,
    ReminderState.FAILED,
    ReminderState.CANCELLED,
    ReminderState.SUPPRESSED,
)


class LegalHoldError(PathwayError):
    """The record is under a legal hold: retention leaves it alone."""


# --- Writing the replacements ---------------------------------------------------------------


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _history(model: type[models.Model]) -> type[models.Model]:
    return model.history.model


def _rewrite(queryset: models.QuerySet, **values) -> int:
    """An update that append-only querysets (timeline events) refuse: retention is the one
    change those rows ever take."""
    return models.QuerySet.update(queryset, **values)


def _parent_label(part: c.Part) -> str:
    if part.subject_of:
        return part.subject_of
    return _model(part.model)._meta.get_field(part.belongs_to).related_model._meta.label


def _link(part: c.Part, parent_ids: set[int]) -> Q:
    if part.subject_of:
        return Q(
            subject_type=ContentType.objects.get_for_model(_model(part.subject_of)),
            subject_id__in=parent_ids,
        )
    return Q(**{f"{part.belongs_to}_id__in": parent_ids})


def record_ids(parts: tuple[c.Part, ...], root_ids) -> dict[str, set[int]]:
    """The ids of every record of ``parts`` under the roots, found in the live rows and in the
    history rows (a record deleted since still has history to rewrite)."""
    root, *rest = parts
    ids = {root.model: set(root_ids)}
    for part in rest:
        parent_ids = ids.get(_parent_label(part), set())
        if not parent_ids:
            ids[part.model] = set()
            continue
        model = _model(part.model)
        wanted = _link(part, parent_ids)
        found = set(model._base_manager.filter(wanted).values_list("pk", flat=True))
        found |= set(_history(model).objects.filter(wanted).values_list("id", flat=True))
        ids[part.model] = found
    return ids


def _constant(value):
    return Value(value, output_field=models.JSONField()) if isinstance(value, dict) else value


def _scrub_rows(part: c.Part, pks: set[int], *, birth_dates: dict[str, date | None]) -> None:
    model = _model(part.model)
    live = model._base_manager.filter(pk__in=pks)
    history = _history(model).objects.filter(id__in=pks)
    plain = {}
    for name, value in part.scrub.items():
        if value is c.SUPPRESSION_REASON_ONLY:
            plain[name] = models.Case(
                models.When(state=ReminderState.SUPPRESSED, then=F(name)), default=Value("")
            )
        elif not isinstance(value, c.Derived):
            plain[name] = _constant(value)
    history_fields = {f.name for f in _history(model)._meta.concrete_fields}
    if plain:
        # A form still open on one of these records must not save over the replacements.
        bump = {"version": F("version") + 1} if issubclass(model, VersionedModel) else {}
        live.update(**plain, **bump)
    history.update(
        **{name: value for name, value in plain.items() if name in history_fields},
        history_change_reason=None,
    )
    for name, value in part.scrub.items():
        if value is c.BIRTH_DATE:
            generalised = birth_dates[name]
            live.update(**{name: generalised})
            if generalised is None:
                history.update(**{name: None})
            else:
                history.filter(**{f"{name}__isnull": False}).update(**{name: generalised})
        elif value is c.BIRTH_YEAR:
            for rows in (live, history):
                by_year = defaultdict(list)
                key = "pk" if rows.model is model else "history_id"
                for pk, born in rows.exclude(**{name: None}).values_list(key, name):
                    by_year[born.year].append(pk)
                for year, row_pks in by_year.items():
                    rows.model.objects.filter(**{f"{key}__in": row_pks}).update(
                        **{name: date(year, 7, 1)}
                    )


def _scrub(parts: tuple[c.Part, ...], ids: dict[str, set[int]], *, birth_dates=None) -> None:
    for part in parts:
        if part.scrub and ids.get(part.model):
            _scrub_rows(part, ids[part.model], birth_dates=birth_dates or {})


def _timeline_q(ids: dict[str, set[int]]) -> Q:
    wanted = Q(pk__in=[])
    for label, pks in ids.items():
        if pks:
            content_type = ContentType.objects.get_for_model(_model(label))
            wanted |= Q(subject_type=content_type, subject_id__in=pks)
    return wanted


def _content_q(part: c.Part) -> Q:
    """Rows that still hold something the part replaces (used where a record has no
    "anonymised" mark of its own)."""
    found = Q(pk__in=[])
    for name, value in part.scrub.items():
        if value is c.SUPPRESSION_REASON_ONLY:
            found |= ~Q(**{name: ""}) & ~Q(state=ReminderState.SUPPRESSED)
        elif isinstance(value, c.Derived):
            continue
        elif value is None:
            found |= Q(**{f"{name}__isnull": False})
        else:
            found |= ~Q(**{name: _constant(value)})
    return found


# --- One case file --------------------------------------------------------------------------


def _measured_on(case: Case) -> list[date]:
    """Every day an age of the person is worked out on: the reports' and the rules'."""
    return [
        case.referral_date,
        case.first_exploitation_date,
        *MaracReferral.objects.filter(case=case).values_list("referred_on", flat=True),
        *CicaClaim.objects.filter(matter__case=case).values_list("incident_on", flat=True),
    ]


@transaction.atomic
def case_anonymise(*, case: Case, by: User | None = None) -> Case:
    """Replace every identifying field of a closed or declined case and of everything recorded
    on it, in the live rows and in every history row, keeping what the reports count. Refused
    for a case under a legal hold, an open case, or one already anonymised. The run decides
    that a case is due (``by`` is None for the nightly run); no person calls this directly."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.legal_hold:
        raise LegalHoldError(_("This case is under a legal hold."))
    if case.anonymised_at is not None:
        raise PathwayError(_("This case is already anonymised."))
    if case.state not in (CaseState.CLOSED, CaseState.DECLINED):
        raise PathwayError(_("Only a closed or declined case is anonymised."))
    ids = record_ids(c.CASE_FILE, [case.pk])
    measured_on = _measured_on(case)
    birth_dates = {
        name: schedule.generalised_birth_date(getattr(case, name), measured_on)
        for name in ("date_of_birth", "verified_date_of_birth")
    }
    # Nothing may go to a number that is about to disappear.
    reminders_cancel(
        Reminder.objects.filter(pk__in=ids["sms.Reminder"]),
        why=_("The case was anonymised"),
    )
    _scrub(c.CASE_FILE, ids, birth_dates=birth_dates)
    _rewrite(TimelineEvent.objects.filter(_timeline_q(ids)), **c.TIMELINE_SCRUB)
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(anonymised_at=now, updated_at=now)
    timeline.record(case, by=by, kind="case.anonymised")
    case.refresh_from_db()
    return case


@transaction.atomic
def marac_referral_anonymise(*, referral: MaracReferral, by: User | None = None) -> MaracReferral:
    """Replace the free text of a MARAC referral and of what its meetings said and did about it
    (the case file itself follows its own schedule). Refused while the case is held."""
    referral = MaracReferral.objects.select_for_update().get(pk=referral.pk)
    case = Case.objects.select_for_update().get(pk=referral.case_id)
    if case.legal_hold:
        raise LegalHoldError(_("The case is under a legal hold."))
    ids = record_ids(c.MARAC_REFERRAL, [referral.pk])
    _scrub(c.MARAC_REFERRAL, ids)
    case_events = Q(
        subject_type=ContentType.objects.get_for_model(Case),
        subject_id=case.pk,
        kind__startswith="marac.",
        detail__referral=referral.pk,
    )
    _rewrite(TimelineEvent.objects.filter(_timeline_q(ids)), **c.TIMELINE_SCRUB)
    _rewrite(TimelineEvent.objects.filter(case_events), reason="")
    timeline.record(case, by=by, kind="marac.referral_anonymised", detail={"referral": referral.pk})
    referral.refresh_from_db()
    return referral


# --- Legal holds ----------------------------------------------------------------------------


@transaction.atomic
def case_legal_hold_set(*, case: Case, by: User, reason: str) -> Case:
    """Keep a case in full past its retention period (a claim, an inquiry, a request)."""
    policy.require(by, "case.legal_hold", case)
    reason = reason.strip()
    if not reason:
        raise PathwayError(_("Say why the case must be kept."))
    lock(case, expected_version=None, by=by)
    if case.anonymised_at is not None:
        raise PathwayError(_("This case is already anonymised: there is nothing left to hold."))
    if case.legal_hold:
        raise PathwayError(_("This case is already under a legal hold."))
    case.legal_hold, case.legal_hold_reason = True, reason[:200]
    case.save()
    timeline.record(case, by=by, kind="case.legal_hold_set", reason=reason)
    return case


@transaction.atomic
def case_legal_hold_release(*, case: Case, by: User, reason: str) -> Case:
    """End a legal hold: the case follows the retention schedule again (and is anonymised by
    the next run if it is past its period)."""
    policy.require(by, "case.legal_hold", case)
    reason = reason.strip()
    if not reason:
        raise PathwayError(_("Say why the hold is released."))
    lock(case, expected_version=None, by=by)
    if not case.legal_hold:
        raise PathwayError(_("This case is not under a legal hold."))
    case.legal_hold, case.legal_hold_reason = False, ""
    case.save()
    timeline.record(case, by=by, kind="case.legal_hold_released", reason=reason)
    return case


# --- The run --------------------------------------------------------------------------------


class _Outcomes:
    """What a run did, by organisation and record type: references only."""

    def __init__(self):
        self.organisations: dict[str, dict[str, dict]] = defaultdict(dict)

    def add(self, organisation_id, record_type: str, outcome: str, reference: str) -> None:
        found = self.organisations[str(organisation_id)].setdefault(
            record_type, {ANONYMISED: [], HELD: [], FAILED: []}
        )
        found[outcome].append(reference)

    def removed(self, organisation_id, record_type: str, count: int) -> None:
        self.organisations[str(organisation_id)][record_type] = {"removed": count}

    def totals(self) -> dict[str, dict[str, int]]:
        totals: dict[str, dict[str, int]] = {}
        for by_type in self.organisations.values():
            for record_type, found in by_type.items():
                counted = totals.setdefault(record_type, {})
                for outcome, value in found.items():
                    number = value if isinstance(value, int) else len(value)
                    counted[outcome] = counted.get(outcome, 0) + number
        return totals


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _due_cases(*, today: date, organisation_id: int | None) -> tuple[list, list]:
    """(cases to anonymise, cases held), each a list of (record type, case). A case waits
    while a later episode of the same person is kept: retention runs from the end of the
    support, not from the end of an earlier episode."""
    declined_at = Subquery(
        TimelineEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case),
            subject_id=OuterRef("pk"),
            kind="case.declined",
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    closed_cutoff = today - relativedelta(years=schedule.years("closed_case_years"))
    declined_cutoff = today - relativedelta(years=schedule.years("declined_referral_years"))
    cases = (
        Case.objects.filter(anonymised_at__isnull=True)
        .filter(
            Q(state=CaseState.CLOSED, closed_on__lte=closed_cutoff)
            | Q(state=CaseState.DECLINED, referral_date__lte=declined_cutoff)
        )
        .annotate(declined_at=declined_at)
        .order_by("-referral_date", "-pk")
    )
    if organisation_id is not None:
        cases = cases.filter(organisation_id=organisation_id)
    due = []
    for case in cases:
        declined_on = _local_day(case.declined_at or case.updated_at)
        until = schedule.case_kept_until(case, declined_on=declined_on)
        if until is not None and until < today:
            kind = schedule.CLOSED_CASE if case.state == CaseState.CLOSED else None
            due.append((kind or schedule.DECLINED_REFERRAL, case))
    due_ids = {case.pk for _kind, case in due if not case.legal_hold}
    later = {
        previous: (pk, anonymised)
        for previous, pk, anonymised in Case.objects.filter(
            previous_episode_id__in=[case.pk for _kind, case in due]
        ).values_list("previous_episode_id", "pk", "anonymised_at")
    }

    def ready(pk: int) -> bool:
        if pk not in later:
            return True
        next_pk, anonymised = later[pk]
        return anonymised is not None or (next_pk in due_ids and ready(next_pk))

    to_anonymise = [(kind, case) for kind, case in due if not case.legal_hold and ready(case.pk)]
    held = [(kind, case) for kind, case in due if case.legal_hold]
    return to_anonymise, held


def _run_cases(outcomes: _Outcomes, *, today, by, dry_run, organisation_id) -> None:
    to_anonymise, held = _due_cases(today=today, organisation_id=organisation_id)
    for kind, case in held:
        outcomes.add(case.organisation_id, kind, HELD, case.reference)
    not_done: set[int] = set()
    # Later episodes come first: an earlier one waits for a later one left as it was.
    for kind, case in to_anonymise:
        if dry_run:
            outcomes.add(case.organisation_id, kind, ANONYMISED, case.reference)
            continue
        if Case.objects.filter(previous_episode=case, pk__in=not_done).exists():
            not_done.add(case.pk)
            continue
        try:
            case_anonymise(case=case, by=by)
        except LegalHoldError:
            not_done.add(case.pk)
            outcomes.add(case.organisation_id, kind, HELD, case.reference)
        except Exception as error:  # one case's failure must not stop the others
            not_done.add(case.pk)
            logger.warning("Retention: case %s not anonymised (%s)", case.pk, type(error).__name__)
            outcomes.add(case.organisation_id, kind, FAILED, case.reference)
        else:
            outcomes.add(case.organisation_id, kind, ANONYMISED, case.reference)


def _with_content(parts: tuple[c.Part, ...], root_ids: set[int]) -> set[int]:
    """Those of ``root_ids`` with something left to replace in any part, live or history."""
    root, *rest = parts
    paths = {root.model: "pk"}
    found: set[int] = set()
    for part in parts:
        if part is not root:
            parent = paths[_parent_label(part)]
            paths[part.model] = (
                f"{part.belongs_to}_id" if parent == "pk" else f"{part.belongs_to}__{parent}"
            )
        path = paths[part.model]
        model = _model(part.model)
        history_path = "id" if path == "pk" else path
        wanted = _content_q(part)
        found |= set(
            model._base_manager.filter(**{f"{path}__in": root_ids})
            .filter(wanted)
            .values_list(path, flat=True)
        )
        found |= set(
            _history(model)
            .objects.filter(**{f"{history_path}__in": root_ids})
            .filter(wanted)
            .values_list(history_path, flat=True)
        )
    return found


def _due_marac_referrals(*, today: date, organisation_id: int | None) -> list[MaracReferral]:
    heard_at = (MeetingState.HELD, MeetingState.MINUTES_APPROVED)
    referrals = (
        MaracReferral.objects.select_related("area", "case")
        .annotate(
            last_meeting=Max(
                "listings__meeting__starts_at", filter=Q(listings__meeting__state__in=heard_at)
            ),
            # Still in the MARAC's hands: an action open, a meeting not finished.
            open_actions=Count(
                "listings__actions", filter=Q(listings__actions__state=ActionState.OPEN)
            ),
            unfinished=Count(
                "listings",
                filter=Q(
                    listings__meeting__state__in=(
                        MeetingState.SCHEDULED,
                        MeetingState.AGENDA_PUBLISHED,
                        MeetingState.HELD,
                    )
                ),
            ),
        )
        .filter(open_actions=0, unfinished=0)
        .order_by("pk")
    )
    if organisation_id is not None:
        referrals = referrals.filter(area__organisation_id=organisation_id)
    due = []
    for referral in referrals:
        last = max(
            day
            for day in (_local_day(referral.last_meeting), referral.closed_on, referral.referred_on)
            if day is not None
        )
        if schedule.marac_referral_kept_until(area=referral.area, last_activity=last) < today:
            due.append(referral)
    left = _with_content(c.MARAC_REFERRAL, {referral.pk for referral in due})
    return [referral for referral in due if referral.pk in left]


def _marac_reference(referral: MaracReferral) -> str:
    return f"{referral.case.reference}: {referral.audit_label}"


def _run_marac(outcomes: _Outcomes, *, today, by, dry_run, organisation_id) -> None:
    for referral in _due_marac_referrals(today=today, organisation_id=organisation_id):
        organisation = referral.area.organisation_id
        reference = _marac_reference(referral)
        if referral.case.legal_hold:
            outcomes.add(organisation, schedule.MARAC_REFERRAL, HELD, reference)
            continue
        if dry_run:
            outcomes.add(organisation, schedule.MARAC_REFERRAL, ANONYMISED, reference)
            continue
        try:
            marac_referral_anonymise(referral=referral, by=by)
        except LegalHoldError:
            outcomes.add(organisation, schedule.MARAC_REFERRAL, HELD, reference)
        except Exception as error:
            logger.warning(
                "Retention: MARAC referral %s not anonymised (%s)",
                referral.pk,
                type(error).__name__,
            )
            outcomes.add(organisation, schedule.MARAC_REFERRAL, FAILED, reference)
        else:
            outcomes.add(organisation, schedule.MARAC_REFERRAL, ANONYMISED, reference)


def _run_reminders(outcomes: _Outcomes, *, today, dry_run, organisation_id) -> None:
    cutoff = _start_of(today - relativedelta(years=schedule.years("sms_reminder_years")))
    reminders = Reminder.objects.filter(state__in=FINISHED_REMINDER_STATES).alias(
        sent=Coalesce("sent_at", "finished_at", "due_at")
    )
    reminders = reminders.filter(sent__lt=cutoff)
    if organisation_id is not None:
        reminders = reminders.filter(organisation_id=organisation_id)
    candidates = set(reminders.values_list("pk", flat=True))
    if not candidates:
        return
    due = _with_content((c.REMINDER,), candidates)
    case_type = ContentType.objects.get_for_model(Case)
    held_cases = Case.objects.filter(legal_hold=True).values("pk")
    rows = Reminder.objects.filter(pk__in=due)
    held = set(
        rows.filter(subject_type=case_type, subject_id__in=held_cases).values_list("pk", flat=True)
    )
    organisation_of = dict(rows.values_list("pk", "organisation_id"))
    to_scrub = sorted(due - held)
    for pk in sorted(held):
        outcomes.add(organisation_of[pk], schedule.SMS_REMINDER, HELD, f"reminder #{pk}")
    result = ANONYMISED
    if to_scrub and not dry_run:
        try:
            with transaction.atomic():
                _scrub((c.REMINDER,), {c.REMINDER.model: set(to_scrub)})
        except Exception as error:
            logger.warning("Retention: reminders not anonymised (%s)", type(error).__name__)
            result = FAILED
    for pk in to_scrub:
        outcomes.add(organisation_of[pk], schedule.SMS_REMINDER, result, f"reminder #{pk}")


def _run_access_log(outcomes: _Outcomes, *, today, dry_run, organisation_id) -> None:
    cutoff = _start_of(today) - settings.ACCESS_LOG_RETENTION
    entries = AccessLogEntry.objects.filter(created_at__lt=cutoff)
    if organisation_id is not None:
        entries = entries.filter(organisation_id=organisation_id)
    counts = dict(
        entries.order_by()
        .values_list("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )
    if not dry_run and counts:
        entries._prune()
    for organisation, count in counts.items():
        outcomes.removed(
            organisation if organisation is not None else "", schedule.ACCESS_LOG, count
        )


def cases_anonymise_due(
    *,
    today: date,
    by: User | None = None,
    dry_run: bool = False,
    organisation_id: int | None = None,
    trigger: str = "nightly",
) -> RetentionRun:
    """Apply the retention schedule as of ``today``: anonymise the closed cases and declined
    referrals past their period (not held, not already anonymised), the MARAC referrals past
    their area's period, the reminders past theirs, and prune the access log. A dry run lists
    what would be done and changes nothing. ``organisation_id`` limits the run to one
    organisation (a data protection lead's preview)."""
    outcomes = _Outcomes()
    options = {"today": today, "dry_run": dry_run, "organisation_id": organisation_id}
    _run_cases(outcomes, by=by, **options)
    _run_marac(outcomes, by=by, **options)
    _run_reminders(outcomes, **options)
    _run_access_log(outcomes, **options)
    run = RetentionRun.objects.create(
        started_by=by,
        dry_run=dry_run,
        detail={
            "today": today.isoformat(),
            "trigger": trigger,
            # None: every organisation; else the one organisation the run was limited to.
            "scope": organisation_id,
            "schedule": schedule.schedule(),
            "organisations": dict(outcomes.organisations),
            "totals": outcomes.totals(),
        },
    )
    logger.info(
        "Retention run %s (%s): %s",
        run.pk,
        "dry run" if dry_run else trigger,
        run.detail["totals"],
    )
    return run
