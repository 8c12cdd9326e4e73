"""What a subject access export holds: one entry per record type, with the rows that belong to
the person's episodes and how each value is written out.

Every model that leads to a case (directly, through another record, or through a generic
subject) is listed here or deliberately left out: tests/security/test_subject_access.py walks
the models and fails on one that is neither, so a new record type cannot be forgotten.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from accommodation.models import Placement
from carepath.audit.models import AccessLogEntry, TimelineEvent
from carepath.audit.timeline import label_for as event_label
from carepath.sms.models import Reminder, SafeContact
from casework.models import (
    Appointment,
    Case,
    CaseNote,
    Charge,
    CicaClaim,
    CivilMatter,
    ConsentRecord,
    CriminalJusticeMatter,
    Dependant,
    Disclosure,
    EmergencyAccess,
    ImmediateNeed,
    ImmigrationMatter,
    InterpreterBooking,
    LegalMatter,
    LegalStep,
    NrmRecord,
    SupportGoal,
)
from casework.models import choices as c
from marac.models import (
    AgencyResearch,
    Incident,
    MaracAction,
    MaracReferral,
    MeetingCase,
    MeetingState,
    RiskAssessment,
    RiskQuestion,
)
from marac.models.meetings import CRITERIA_LABELS
from returns.models import FollowUp, ResettlementPlan, ReturnPlan

# The optimistic-locking counter and the dispatcher's claim stamps say nothing about the person.
TECHNICAL_FIELDS = frozenset({"version", "claimed_at", "attempt_started_at"})


@dataclass
class Context:
    """The episodes being exported, and the records exported so far (by model), so that records
    that point at any of them (timeline, access log, reminders) can be found."""

    cases: list[Case]
    exported: dict[type[Model], list[int]] = field(default_factory=dict)

    @property
    def case_ids(self) -> list[int]:
        return [case.pk for case in self.cases]


@dataclass(frozen=True)
class Value:
    """A value written in place of a field, or beside the fields: key, label and how to get it."""

    key: str
    label: Promise | str
    get: Callable[[Model], object]


@dataclass(frozen=True)
class RecordType:
    slug: str
    title: Promise
    model: type[Model]
    # The rows of the person's episodes. Field names only, so the same filter finds the rows of
    # the model's history table (which has the same fields, and "id" for the record's key).
    scope: Callable[[Context], Q]
    description: Promise | str = ""
    replace: dict[str, Value] = field(default_factory=dict)
    extras: tuple[Value, ...] = ()
    hidden: frozenset[str] = TECHNICAL_FIELDS
    heading: Callable[[Model], str] | None = None
    # Models this type also covers (for example a table linking two records).
    also_covers: tuple[type[Model], ...] = ()


# --- Values ---------------------------------------------------------------------------------


def label_of(obj: Model) -> str:
    """How a related record is named in the export: kinds of record by their name, anything else
    as the product names it (a reference, never an address), and staff by name. Staff are not
    redacted: they acted for the organisation, and who handled the case and who read it is part
    of what the person may see; the data protection lead redacts before release where naming
    someone would put them at risk (README.txt says so)."""
    if isinstance(obj, get_user_model()):
        return obj.get_full_name() or obj.username
    if isinstance(obj, ContentType):
        model = obj.model_class()
        return str(model._meta.verbose_name) if model else obj.model
    return str(obj)


def choice(value, labels: dict) -> dict:
    return {"value": value, "label": str(labels.get(value, value))}


def labelled_list(values, choices) -> list[dict]:
    labels = dict(choices.choices) if hasattr(choices, "choices") else dict(choices)
    return [choice(value, labels) for value in values or []]


def field_value(obj: Model, model_field) -> object:
    """One field's value: choices with their label, related records by name, dates as they are
    (written out in ISO 8601), times in UK local time."""
    if model_field.is_relation:
        try:
            related = getattr(obj, model_field.name)
        except ObjectDoesNotExist:  # a history row pointing at a record since removed
            return getattr(obj, model_field.attname)
        return None if related is None else label_of(related)
    value = getattr(obj, model_field.attname)
    if isinstance(value, Country):
        return {"value": value.code, "label": str(value.name)} if value.code else None
    if model_field.choices and value not in (None, ""):
        return choice(value, dict(model_field.flatchoices))
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def concrete_fields(record_type: RecordType) -> list:
    return [
        f
        for f in record_type.model._meta.concrete_fields
        if f.name not in record_type.hidden and f.name not in ("id",)
    ]


def field_labels(record_type: RecordType) -> dict[str, str]:
    labels = {"id": str(_("Record number"))}
    for model_field in concrete_fields(record_type):
        replaced = record_type.replace.get(model_field.name)
        if replaced:
            labels[replaced.key] = str(capfirst(replaced.label))
        else:
            labels[model_field.name] = str(capfirst(model_field.verbose_name))
    for model_field in record_type.model._meta.many_to_many:
        labels[model_field.name] = str(capfirst(model_field.verbose_name))
    for extra in record_type.extras:
        labels[extra.key] = str(capfirst(extra.label))
    return labels


def values_of(record_type: RecordType, obj: Model, *, current: bool = True) -> dict:
    """Every field of ``obj`` (a record, or a history row of one). Links to other records and
    computed values are added for a current record only."""
    values: dict[str, object] = {"id": obj.id}
    kept = {f.name for f in obj._meta.concrete_fields}
    for model_field in concrete_fields(record_type):
        if model_field.name not in kept:  # left out of the history table
            continue
        replaced = record_type.replace.get(model_field.name)
        if replaced:
            values[replaced.key] = replaced.get(obj)
        else:
            values[model_field.name] = field_value(obj, model_field)
    if current:
        for model_field in record_type.model._meta.many_to_many:
            values[model_field.name] = [
                label_of(related) for related in getattr(obj, model_field.name).all()
            ]
        for extra in record_type.extras:
            values[extra.key] = extra.get(obj)
    return values


def heading_of(record_type: RecordType, obj: Model) -> str:
    if record_type.heading:
        return record_type.heading(obj)
    return f"{capfirst(record_type.model._meta.verbose_name)} #{obj.pk}"


# --- Scopes ---------------------------------------------------------------------------------


def _of_cases(path: str = "case_id") -> Callable[[Context], Q]:
    return lambda ctx: Q(**{f"{path}__in": ctx.case_ids})


def _about_case(ctx: Context) -> Q:
    return Q(subject_type=ContentType.objects.get_for_model(Case), subject_id__in=ctx.case_ids)


def _pointing_at_exported(type_field: str, id_field: str, *, as_text: bool = False):
    """Rows whose generic link (``type_field``, ``id_field``) names any record exported so far."""

    def scope(ctx: Context) -> Q:
        condition = Q(pk__in=[])
        for model, ids in ctx.exported.items():
            if ids:
                condition |= Q(
                    **{
                        type_field: ContentType.objects.get_for_model(model),
                        f"{id_field}__in": [str(pk) for pk in ids] if as_text else ids,
                    }
                )
        return condition

    return scope


def _reminder_scope(ctx: Context) -> Q:
    return _pointing_at_exported("subject_type", "subject_id")(ctx) | _pointing_at_exported(
        "source_type", "source_id"
    )(ctx)


# Who is named on a sealed case is an access list of staff, not the person's information, and
# naming them could undo the seal's purpose: those events stay out (the sealing itself is in).
SEAL_MEMBER_EVENTS = ("case.seal_member_added", "case.seal_member_removed")


def _timeline_scope(ctx: Context) -> Q:
    return _pointing_at_exported("subject_type", "subject_id")(ctx) & ~Q(
        kind__in=SEAL_MEMBER_EVENTS
    )


def _access_log_scope(ctx: Context) -> Q:
    grants = ctx.exported.get(EmergencyAccess, [])
    return _pointing_at_exported("object_type", "object_id")(ctx) | Q(
        emergency_access_id__in=grants
    )


# --- Values worked out for the export --------------------------------------------------------


def _property_name(placement) -> str | None:
    # A refuge's address is not the person's data and its disclosure could cost a life: the
    # place is named, never located.
    if not placement.bed_space_id:
        return None
    try:
        return placement.bed_space.unit.property.name
    except ObjectDoesNotExist:
        return None


def _risk_answers(assessment) -> list[dict]:
    from marac.models import Answer

    questions = {
        str(q.number): q.text
        for q in RiskQuestion.objects.filter(checklist=assessment.checklist_id)
    }
    labels = dict(Answer.choices)

    def in_order(item):
        number = str(item[0])
        return (0, int(number), "") if number.isdigit() else (1, 0, number)

    return [
        {"question": f"{number}. {questions.get(str(number), '')}", "answer": choice(a, labels)}
        for number, a in sorted((assessment.answers or {}).items(), key=in_order)
    ]


def _reminder_text(reminder) -> str:
    from carepath.sms.services import render_text

    try:
        return render_text(reminder)
    except (KeyError, ValueError, IndexError):  # a template with a placeholder it cannot fill
        return ""


def _reminder_to(reminder) -> str:
    if reminder.safe_contact_id:
        return reminder.safe_contact.number
    return label_of(reminder.staff) if reminder.staff_id else ""


def _admin_change(entry) -> str:
    return str(entry.get_change_message())


# --- The record types, in the order the export shows them ----------------------------------

RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType(
        "case",
        _("Case: every episode"),
        Case,
        lambda ctx: Q(id__in=ctx.case_ids),
        description=_(
            "The case record of each episode of support; a re-opened case is a new episode that "
            "points back to the one before."
        ),
        replace={
            "exploitation_types": Value(
                "exploitation_types",
                _("exploitation types"),
                lambda o: labelled_list(o.exploitation_types, c.ExploitationType),
            ),
            "exploitation_sectors": Value(
                "exploitation_sectors",
                _("sectors"),
                lambda o: labelled_list(o.exploitation_sectors, c.Sector),
            ),
            "outcomes": Value(
                "outcomes", _("outcomes achieved"), lambda o: labelled_list(o.outcomes, c.Outcome)
            ),
        },
        heading=lambda case: str(_("Case %(reference)s")) % {"reference": case.reference},
    ),
    RecordType("nrm", _("National Referral Mechanism"), NrmRecord, _of_cases()),
    RecordType("consents", _("Consent"), ConsentRecord, _of_cases()),
    RecordType("disclosures", _("Information shared with other agencies"), Disclosure, _of_cases()),
    RecordType("dependants", _("Dependants"), Dependant, _of_cases()),
    RecordType("immediate_needs", _("Immediate needs"), ImmediateNeed, _of_cases()),
    RecordType("support_goals", _("Support plan goals"), SupportGoal, _of_cases()),
    RecordType("case_notes", _("Case notes"), CaseNote, _of_cases()),
    RecordType("charges", _("Charges faced"), Charge, _of_cases()),
    RecordType(
        "safe_contacts",
        _("Phone numbers and safe contact"),
        SafeContact,
        _about_case,
        description=_("The numbers held, and the rules for contacting each safely."),
    ),
    RecordType("appointments", _("Appointments"), Appointment, _of_cases()),
    RecordType(
        "interpreter_bookings",
        _("Interpreter bookings"),
        InterpreterBooking,
        _of_cases("appointment__case_id"),
    ),
    RecordType(
        "placements",
        _("Accommodation requests and placements"),
        Placement,
        _of_cases(),
        description=_("Where a place was found, the accommodation is named; its address is not."),
        replace={"bed_space": Value("property", _("accommodation"), _property_name)},
    ),
    RecordType(
        "risk_assessments",
        _("Risk assessments"),
        RiskAssessment,
        _of_cases(),
        replace={"answers": Value("answers", _("answers"), _risk_answers)},
    ),
    RecordType("incidents", _("Incidents"), Incident, _of_cases()),
    RecordType(
        "marac_referrals",
        _("MARAC referrals"),
        MaracReferral,
        _of_cases(),
        replace={
            "criteria": Value(
                "criteria",
                _("criteria met"),
                lambda o: labelled_list(o.criteria, CRITERIA_LABELS),
            )
        },
        also_covers=(MaracReferral.withheld_from.through,),
    ),
    RecordType(
        "marac_agenda_items",
        _("MARAC meetings: this case's agenda items"),
        MeetingCase,
        _of_cases("referral__case_id"),
        description=_(
            "What each meeting recorded about this case only. The meetings' general minutes, "
            "attendance and other cases are other people's information and are not included."
        ),
        extras=(
            Value("meeting_starts_at", _("meeting date and time"), lambda o: o.meeting.starts_at),
            Value(
                "meeting_state",
                _("meeting status"),
                lambda o: choice(o.meeting.state, dict(MeetingState.choices)),
            ),
        ),
    ),
    RecordType(
        "marac_research",
        _("MARAC: information shared by agencies"),
        AgencyResearch,
        _of_cases("meeting_case__referral__case_id"),
    ),
    RecordType(
        "marac_actions",
        _("MARAC actions"),
        MaracAction,
        _of_cases("meeting_case__referral__case_id"),
        extras=(
            Value(
                "reviewed_at",
                _("reviewed at the meetings"),
                lambda o: [str(meeting) for meeting in o.reviewed_at.all()],
            ),
        ),
        # The meetings that reviewed an action: only the meeting's name is written.
        also_covers=(MaracAction.reviewed_at.through,),
    ),
    RecordType("legal_matters", _("Legal matters"), LegalMatter, _of_cases()),
    RecordType(
        "cica_claims",
        _("Criminal Injuries Compensation claims"),
        CicaClaim,
        _of_cases("matter__case_id"),
    ),
    RecordType(
        "immigration_matters",
        _("Immigration matters"),
        ImmigrationMatter,
        _of_cases("matter__case_id"),
    ),
    RecordType(
        "criminal_justice_matters",
        _("Criminal justice matters"),
        CriminalJusticeMatter,
        _of_cases("matter__case_id"),
    ),
    RecordType("civil_matters", _("Civil matters"), CivilMatter, _of_cases("matter__case_id")),
    RecordType("legal_steps", _("Legal steps"), LegalStep, _of_cases("matter__case_id")),
    RecordType("return_plans", _("Voluntary return"), ReturnPlan, _of_cases()),
    RecordType(
        "return_follow_ups",
        _("Follow-up contacts after return"),
        FollowUp,
        _of_cases("plan__case_id"),
    ),
    RecordType("resettlement_plans", _("Resettlement in the UK"), ResettlementPlan, _of_cases()),
    RecordType(
        "emergency_access",
        _("Emergency access to the case"),
        EmergencyAccess,
        _of_cases(),
        description=_("Staff who asked for time-limited access to the case, and why."),
    ),
    RecordType(
        "sms_reminders",
        _("Text message and other reminders"),
        Reminder,
        _reminder_scope,
        description=_(
            "Each reminder with the number it went to as held, and its text as it reads with the "
            "message template in use when this export was made."
        ),
        extras=(
            Value("to", _("sent to"), _reminder_to),
            Value("text", _("text"), _reminder_text),
        ),
    ),
    RecordType(
        "timeline",
        _("Timeline"),
        TimelineEvent,
        _timeline_scope,
        description=_("What was done on the case, by whom and why."),
        extras=(Value("event", _("what happened"), lambda o: event_label(o.kind)),),
        heading=lambda o: str(event_label(o.kind)),
    ),
    RecordType(
        "access_log",
        _("Access log"),
        AccessLogEntry,
        _access_log_scope,
        description=_("Who read or exported the records, when, and on what basis."),
        heading=lambda o: f"{o.get_action_display()}: {o.object_label}",
    ),
    RecordType(
        "admin_log",
        _("Changes made through the system administration"),
        LogEntry,
        _pointing_at_exported("content_type", "object_id", as_text=True),
        extras=(Value("change", _("change"), _admin_change),),
    ),
)

HISTORY_SLUG = "history"


def by_slug() -> dict[str, RecordType]:
    return {record_type.slug: record_type for record_type in RECORD_TYPES}


def history_model(model: type[Model]) -> type[Model] | None:
    manager = getattr(model, "history", None)
    return getattr(manager, "model", None)


def covered_models() -> set[type[Model]]:
    """Every model whose rows about the person the export writes: the record types, the tables
    they cover, and the history tables of each (the "history" record type)."""
    covered: set[type[Model]] = set()
    for record_type in RECORD_TYPES:
        for model in (record_type.model, *record_type.also_covers):
            covered.add(model)
            if history_model(model) is not None:
                covered.add(history_model(model))
    return covered
