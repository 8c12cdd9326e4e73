"""Legal deadlines, computed from a matter's dates and the dated period rules.

Every function takes the rules loaded once (``all_period_rules()``) so a caseload computes
them without a query per case. A rule missing for a jurisdiction and date gives no deadline
rather than a wrong one.
"""

from collections.abc import Sequence
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath.clocks.models import PeriodRule
from carepath.clocks.selectors import NoPeriodRule, before, deadline, period_rule_for
from casework.models import (
    Case,
    CicaClaim,
    CicaState,
    ImmigrationMatter,
    ImmigrationState,
    LegalMatter,
    LegalStep,
    StepKind,
)

ADULT_AGE = 18


def cica_application_deadline(
    claim: CicaClaim, case: Case, *, rules: Sequence[PeriodRule]
) -> date | None:
    """The last day to apply. CICS 2012 paras 87-88: two years after the incident; a child's
    incident reported to the police before 18: before the 20th birthday; reported at 18 or
    later: two years after the first report. An accepted extension replaces it."""
    if claim.extended_to:
        return claim.extended_to
    jurisdiction = case.jurisdiction
    born = case.verified_date_of_birth or case.date_of_birth
    age = case.age_on(claim.incident_on)
    if born is None or age is None or age >= ADULT_AGE:
        return deadline(
            kind="cica_application", jurisdiction=jurisdiction, start=claim.incident_on, rules=rules
        )
    eighteenth = born + relativedelta(years=ADULT_AGE)
    reported_as_child = claim.reported_on is not None and claim.reported_on < eighteenth
    if claim.reported_on is None and timezone.localdate() >= eighteenth:
        # Never reported, and now an adult: two years from a first report still to come.
        return None
    if reported_as_child or claim.reported_on is None:
        minor = period_rule_for(
            kind="cica_minor_age", jurisdiction=jurisdiction, on=claim.incident_on, rules=rules
        )
        # "The period ending on the 20th birthday": the birthday is the last day.
        return born + relativedelta(years=minor.length)
    return deadline(
        kind="cica_application", jurisdiction=jurisdiction, start=claim.reported_on, rules=rules
    )


def _cica(claim: CicaClaim, case: Case, rules) -> list[tuple[str, date]]:
    if claim.state == CicaState.CONSIDERING:
        return [(_("Apply for compensation"), cica_application_deadline(claim, case, rules=rules))]
    if claim.state == CicaState.DECIDED and claim.decided_on:
        due = deadline(
            kind="cica_review", jurisdiction=case.jurisdiction, start=claim.decided_on, rules=rules
        )
        return [(_("Ask CICA for a review"), due)]
    if claim.state == CicaState.REVIEWED and claim.review_decided_on:
        due = deadline(
            kind="cica_appeal",
            jurisdiction=case.jurisdiction,
            start=claim.review_decided_on,
            rules=rules,
        )
        return [(_("Appeal to the First-tier Tribunal"), due)]
    return []


def _immigration(matter: ImmigrationMatter, case: Case, rules) -> list[tuple[str, date]]:
    if matter.state == ImmigrationState.REFUSED and matter.decided_on:
        due = deadline(
            kind="immigration_appeal",
            jurisdiction=case.jurisdiction,
            start=matter.decided_on,
            rules=rules,
        )
        return [(_("Appeal the refusal"), due)]
    if matter.state == ImmigrationState.GRANTED and matter.leave_expires_on:
        expires = matter.leave_expires_on
        apply_by = before(
            kind="leave_extension_notice", jurisdiction=case.jurisdiction, end=expires, rules=rules
        )
        return [(_("Apply to extend leave"), apply_by), (_("Leave expires"), expires)]
    return []


def _justice(matter: LegalMatter, case: Case, rules) -> list[tuple[str, date]]:
    justice = matter.justice
    if justice.state in justice.FINAL_STATES:
        return []
    updates = [
        step.done_on
        for step in matter.steps.all()
        if step.kind == StepKind.POLICE_UPDATE and step.done_on
    ]
    since = max(updates, default=matter.opened_on)
    # The Victims' Code period in force now applies, however long ago the last update was.
    due = deadline(
        kind="police_update",
        jurisdiction=case.jurisdiction,
        start=since,
        rule_on=max(since, timezone.localdate()),
        rules=rules,
    )
    return [(_("Update from the police (Victims' Code: at least monthly)"), due)]


def matter_deadlines(
    matter: LegalMatter, case: Case, *, rules: Sequence[PeriodRule]
) -> list[tuple[str, date]]:
    """(label, due date) for each open deadline of one matter. Expects ``steps`` and the kind's
    record to be loaded (``with_legal_data``) when called for many matters."""
    found: list[tuple[str, date]] = []
    detail = matter.detail
    if detail is None:
        return found
    try:
        if matter.kind == "cica":
            found += _cica(detail, case, rules)
        elif matter.kind == "immigration":
            found += _immigration(detail, case, rules)
        elif matter.kind == "criminal_justice":
            found += _justice(matter, case, rules)
    except NoPeriodRule:
        pass
    if matter.is_open:
        found += [
            (step.description, step.due_on)
            for step in matter.steps.all()
            if step.due_on and not step.done_on
        ]
    return [(f"{matter.title}: {label}", due) for label, due in found if due is not None]


def legal_prefetch(prefix: str = "") -> list:
    """Prefetches that let ``matter_deadlines`` run without a query per matter."""
    matters = LegalMatter.objects.select_related("cica", "immigration", "justice", "civil")
    return [
        Prefetch(
            f"{prefix}legal_matters",
            queryset=matters.prefetch_related(
                Prefetch("steps", queryset=LegalStep.objects.order_by("-done_on", "due_on", "pk"))
            ),
        )
    ]


def matters_of(case: Case) -> QuerySet[LegalMatter]:
    return case.legal_matters.select_related(
        "cica", "immigration", "justice", "civil", "created_by"
    ).prefetch_related("steps", "appointments")
