"""Legal matters on a case: opening one, keeping its details and representative up to date,
and its dated steps. The kinds' state machines are moved by ``casework.services.legal_transitions``.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carepath import policy
from carepath.audit import timeline
from carepath.clocks.selectors import NoPeriodRule, all_period_rules
from carepath.pathway import PathwayError, lock
from carepath.people.models import User
from casework.models import (
    Case,
    CicaClaim,
    CivilMatter,
    CriminalJusticeMatter,
    ImmigrationMatter,
    LegalMatter,
    LegalStep,
    MatterKind,
    StepKind,
)
from casework.selectors.legal import cica_application_deadline

REPRESENTATIVE_FIELDS = ("solicitor", "firm", "legal_aid_reference", "notes")

DETAIL_MODELS: dict[str, type[models.Model]] = {
    MatterKind.CICA: CicaClaim,
    MatterKind.IMMIGRATION: ImmigrationMatter,
    MatterKind.CRIMINAL_JUSTICE: CriminalJusticeMatter,
    MatterKind.CIVIL: CivilMatter,
}

# What is asked when a matter is opened.
OPENING_FIELDS: dict[str, tuple[str, ...]] = {
    MatterKind.CICA: ("incident_on", "reported_on"),
    MatterKind.IMMIGRATION: ("route",),
    MatterKind.CRIMINAL_JUSTICE: (
        "police_force",
        "crime_reference",
        "officer_in_case",
        "witness_status",
    ),
    MatterKind.CIVIL: ("civil_kind", "other_party"),
}

# What may be changed later without a transition (the transitions record their own dates).
EDITABLE_FIELDS: dict[str, tuple[str, ...]] = {
    MatterKind.CICA: (
        "incident_on",
        "reported_on",
        "extended_to",
        "extension_reason",
        "reference",
        "amount_paid",
        "paid_on",
    ),
    MatterKind.IMMIGRATION: ("home_office_reference",),
    MatterKind.CRIMINAL_JUSTICE: (
        "police_force",
        "crime_reference",
        "officer_in_case",
        "witness_status",
        "special_measures",
        "victim_personal_statement_on",
    ),
    MatterKind.CIVIL: ("other_party",),
}

# Dates of things that have already happened.
PAST_DATES = {
    "opened_on": gettext_lazy("The date the matter was opened cannot be in the future."),
    "incident_on": gettext_lazy("The date of the incident cannot be in the future."),
    "reported_on": gettext_lazy("The date it was reported to the police cannot be in the future."),
    "paid_on": gettext_lazy("The date the compensation was paid cannot be in the future."),
    "victim_personal_statement_on": gettext_lazy(
        "The date of the victim personal statement cannot be in the future."
    ),
    "done_on": gettext_lazy("The date the step was done cannot be in the future."),
}


def _check_not_future(values: dict) -> None:
    today = timezone.localdate()
    for name, message in PAST_DATES.items():
        day = values.get(name)
        if isinstance(day, date) and day > today:
            raise PathwayError(str(message))


def _check_fields(obj: models.Model, names) -> None:
    """The model's own rules for these fields (required, choices, lengths), as a sentence."""
    exclude = [f.name for f in obj._meta.fields if f.name not in names]
    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as error:
        raise PathwayError(
            " ".join(
                f"{obj._meta.get_field(name).verbose_name.capitalize()}: {' '.join(messages)}"
                for name, messages in error.message_dict.items()
            )
        ) from None


def _check_unknown(values: dict, allowed, what: str) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown {what}: {', '.join(sorted(unknown))}")


def _check_cica(claim: CicaClaim, case: Case) -> None:
    if claim.reported_on and claim.incident_on and claim.reported_on < claim.incident_on:
        raise PathwayError(
            _("The date it was reported to the police cannot be before the incident.")
        )
    if claim.amount_paid is not None and claim.amount_paid < Decimal(0):
        raise PathwayError(_("The amount paid cannot be negative."))
    if claim.applied_on and claim.incident_on and claim.incident_on > claim.applied_on:
        raise PathwayError(_("The incident cannot be after the application."))
    decided = max(
        (
            day
            for day in (claim.decided_on, claim.review_decided_on, claim.tribunal_decided_on)
            if day
        ),
        default=None,
    )
    if (claim.amount_paid is not None or claim.paid_on) and decided is None:
        raise PathwayError(_("A payment can only be recorded once CICA has decided."))
    if claim.paid_on and decided and claim.paid_on < decided:
        raise PathwayError(_("The payment cannot be before the decision it follows."))
    if claim.extended_to:
        # CICS 2012 para 89: a late application only in exceptional circumstances.
        if not claim.extension_reason.strip():
            raise PathwayError(
                _("Give the exceptional circumstances for accepting the application late.")
            )
        extended_to, claim.extended_to = claim.extended_to, None
        try:
            usual = cica_application_deadline(claim, case, rules=all_period_rules())
        except NoPeriodRule:
            usual = None
        finally:
            claim.extended_to = extended_to
        if usual is not None and extended_to <= usual:
            raise PathwayError(
                _(
                    "An extension must end after the usual deadline to apply, %(usual)s; "
                    "until then no extension is needed."
                )
                % {"usual": date_format(usual, "j F Y")}
            )


def _check_detail(detail: models.Model, case: Case) -> None:
    if isinstance(detail, CicaClaim):
        _check_cica(detail, case)


@transaction.atomic
def legal_matter_open(
    *,
    by: User,
    case: Case,
    kind: str,
    title: str,
    opened_on: date,
    representative: dict,
    details: dict,
) -> LegalMatter:
    """Open a matter with its kind's record, in its first state."""
    if kind not in DETAIL_MODELS:
        raise PathwayError(_("There is no such kind of legal matter."))
    matter = LegalMatter(
        case=case, kind=kind, title=(title or "").strip(), opened_on=opened_on, created_by=by
    )
    policy.require(by, "legal.edit", matter)
    if not case.is_open:
        raise PathwayError(_("A legal matter can only be opened on an open case."))
    _check_unknown(representative, REPRESENTATIVE_FIELDS, "representative fields")
    _check_unknown(details, OPENING_FIELDS[kind], f"opening fields for {kind}")
    _check_not_future({"opened_on": opened_on, **details})
    for name, value in representative.items():
        setattr(matter, name, value or "")
    _check_fields(matter, ("title", "opened_on", *REPRESENTATIVE_FIELDS))
    detail = DETAIL_MODELS[kind](matter=matter, **details)
    _check_fields(detail, OPENING_FIELDS[kind])
    _check_detail(detail, case)

    matter._history_user = by
    matter.save()
    detail.matter = matter
    detail._history_user = by
    detail.save()
    timeline.record(
        case, by=by, kind="legal.opened", detail={"matter": matter.pk, "kind": matter.kind}
    )
    return matter


@transaction.atomic
def legal_matter_update(
    *,
    by: User,
    matter: LegalMatter,
    expected_version: int,
    representative: dict,
    details: dict,
) -> LegalMatter:
    """Change who represents the person and the kind's details. The kind's record carries the
    version: a form drawn before someone else's change (or a transition) is refused."""
    policy.require(by, "legal.edit", matter)
    detail = matter.detail
    _check_unknown(representative, REPRESENTATIVE_FIELDS, "representative fields")
    _check_unknown(details, EDITABLE_FIELDS[matter.kind], f"editable fields for {matter.kind}")
    lock(detail, expected_version=expected_version, by=by)
    _check_not_future(details)

    changed: dict[models.Model, list[str]] = {matter: [], detail: []}
    for obj, values in ((matter, representative), (detail, details)):
        for name, value in values.items():
            if value is None and not obj._meta.get_field(name).null:
                value = ""
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed[obj].append(name)
    if not any(changed.values()):
        return matter
    _check_fields(matter, REPRESENTATIVE_FIELDS)
    _check_fields(detail, EDITABLE_FIELDS[matter.kind])
    _check_detail(detail, matter.case)

    if changed[matter]:
        matter._history_user = by
        matter.save()
    # Saved even when only the representative changed: the version moves on, so a form drawn
    # before this change is refused.
    detail.save()
    timeline.record(
        matter.case,
        by=by,
        kind="legal.updated",
        detail={"matter": matter.pk, "fields": [*changed[matter], *changed[detail]]},
    )
    return matter


@transaction.atomic
def legal_step_add(
    *,
    by: User,
    matter: LegalMatter,
    kind: str,
    description: str,
    due_on: date | None = None,
    done_on: date | None = None,
    joint: bool = False,
    notes: str = "",
) -> LegalStep:
    """Record a step done on a date, or one due by a date (or both)."""
    policy.require(by, "legal.edit", matter)
    if due_on is None and done_on is None:
        raise PathwayError(_("Give the date the step was done, or the date it is due by."))
    if joint and kind != StepKind.STATEMENT:
        raise PathwayError(_("Only a police statement can be a joint statement."))
    if due_on is not None and done_on is None and not matter.is_open:
        raise PathwayError(
            _("This matter has ended: record what was done, not something still due.")
        )
    _check_not_future({"done_on": done_on})
    step = LegalStep(
        matter=matter,
        kind=kind,
        description=(description or "").strip(),
        due_on=due_on,
        done_on=done_on,
        joint=joint,
        notes=notes or "",
        created_by=by,
    )
    _check_fields(step, ("kind", "description", "notes"))
    step._history_user = by
    step.save()
    timeline.record(
        matter.case,
        by=by,
        kind="legal.step_added",
        detail={"matter": matter.pk, "step": step.pk, "kind": step.kind},
    )
    return step


@transaction.atomic
def legal_step_done(*, by: User, step: LegalStep, done_on: date) -> LegalStep:
    policy.require(by, "legal.edit", step)
    # Two people marking the same step done at once: the second is told it already is.
    current = LegalStep.objects.select_for_update().filter(pk=step.pk).values("done_on").first()
    if current is None:
        raise PathwayError(_("This step no longer exists."))
    if current["done_on"] is not None:
        raise PathwayError(_("This step is already marked done."))
    if done_on is None:
        raise PathwayError(_("Give the date the step was done."))
    _check_not_future({"done_on": done_on})
    step.done_on = done_on
    step._history_user = by
    step.save(update_fields=["done_on"])
    timeline.record(
        step.matter.case,
        by=by,
        kind="legal.step_done",
        detail={"matter": step.matter_id, "step": step.pk},
    )
    return step
