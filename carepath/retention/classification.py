"""What anonymisation does to every field of every record that belongs to a case file or a MARAC
referral: the one place a reviewer checks (docs/RETENTION.md explains the choices).

Each ``Part`` names a model, how its rows are found from the record they belong to, the fields
that are replaced (``scrub``: field -> what it becomes) and the fields that are kept (``keep``).
Every concrete field of every model is in one of the two (the primary key and the optimistic
locking ``version``, bumped by the run, aside): a test fails when a field is added without being
classified here, and when a model that belongs to a case is missing.

What is kept is what the reports count and what links records together: states, dates,
reasons and outcomes chosen from lists, gender, nationality, equality monitoring, exploitation
types, places (local authority, region, police force area), referring agencies, teams and staff.
What goes is everything that names, describes or locates a person: names, free text, phone
numbers, references other bodies hold about them. The same replacements are written into every
history row (django-simple-history) of the same records, and the ``history_change_reason`` of
those rows is cleared.
"""

from dataclasses import dataclass
from types import MappingProxyType

BLANK = ""
# Required text fields read as this once anonymised (a form would refuse an empty value).
REDACTED = "[anonymised]"


@dataclass(frozen=True)
class Derived:
    """A replacement worked out from the value itself."""

    description: str


# The date of birth moves within its year to the day nearest 1 July that gives the same age in
# whole years on every date the reports and rules measure age on (referral, first exploitation,
# each MARAC referral, each criminal injuries incident): every age-based figure stays the same,
# and the date says nothing more than the year and those ages.
BIRTH_DATE = Derived("moved within its year to the day nearest 1 July with the same ages")
# 1 July of the year of birth (a dependant's age is not reported on).
BIRTH_YEAR = Derived("1 July of the year of birth")
# A reminder's outcome is kept only when it says why a text was suppressed: those are the
# product's own sentences, counted by the delivery report; a provider's error may quote a number.
SUPPRESSION_REASON_ONLY = Derived("kept when it is the reason a text was suppressed, else blank")


@dataclass(frozen=True)
class Part:
    model: str  # "app_label.ModelName"
    # The foreign key to the record this one belongs to (None for the first part)...
    belongs_to: str | None
    scrub: dict
    keep: tuple[str, ...]
    # ...or, for a generic relation, the model its subject_type / subject_id point at.
    subject_of: str | None = None


# Dates, states and links kept on nearly every record.
_RECORDED = ("recorded_by", "recorded_at")
_CREATED = ("created_by", "created_at")

# fmt: off
# A reminder in the outbox: with a case file, and on its own two years after it was sent. The
# text itself is never stored (it is rendered when sent); the delivery report's counts stay.
REMINDER = Part(
    "sms.Reminder",
    None,
    {
        "context": {},
        "provider_id": BLANK,
        "safe_contact": None,
        "outcome": SUPPRESSION_REASON_ONLY,
    },
    keep=(
        "organisation", "subject_type", "subject_id", "source_type", "source_id", "purpose",
        "channel", "staff", "due_at", "state", "attempts", "claimed_at", "attempt_started_at",
        "sent_at", "finished_at", "needs_review", "created_at",
    ),
    subject_of="casework.Case",
)

# A case file: the case and everything recorded on it, parents before the records under them.
CASE_FILE: tuple[Part, ...] = (
    Part(
        "casework.Case",
        None,
        {
            # Who referred them and what was said
            "referrer_contact": BLANK,
            "referral_notes": BLANK,
            # Identity
            "given_name": REDACTED,
            "family_name": BLANK,
            "aliases": BLANK,
            "verified_given_name": BLANK,
            "verified_family_name": BLANK,
            "date_of_birth": BIRTH_DATE,
            "verified_date_of_birth": BIRTH_DATE,
            # Rare languages and dialects narrow a person down; the main language and the
            # interpreter language stay for interpreter planning.
            "other_languages": BLANK,
            "interpreter_dialect": BLANK,
            "needs_summary": BLANK,
            "legal_hold_reason": BLANK,
        },
        keep=(
            "organisation", "team", "caseworker", "reference", "previous_episode", "state",
            "jurisdiction", "batch", "referral_date", "referral_source", "referring_agency",
            "knows_of_referral", "consents_to_referral", "risk_at_intake", "gender",
            "date_of_birth_estimated", "claimed_nationality", "verified_nationality",
            "nationality_group", "immigration_status", "identity_documents", "main_language",
            "interpreter_needed", "interpreter_language", "interpreter_gender",
            "exploitation_types", "exploitation_sectors", "first_exploitation_date",
            "first_exploitation_date_estimated", "exploitation_country", "local_authority",
            "police_force_area", "region", "ethnicity", "disability", "sexual_orientation",
            "transgender", "religion", "decline_reason", "missing_since",
            "missing_police_notified_at", "missing_local_authority_notified_at",
            "closure_reason", "closed_on", "outcomes", "sealed", "legal_hold", "anonymised_at",
            "created_at", "updated_at",
        ),
    ),
    Part(
        "casework.NrmRecord",
        "case",
        {},
        keep=(
            "case", "state", "first_responder", "submitted_on", "local_authority_notified_on",
            "competent_authority", "rg_decision_on", "rg_positive", "cg_decision_on",
            "cg_positive", "reconsideration_stage", "reconsideration_requested_on",
            "recovery_extension_days", "recovery_curtailed_to", "duty_to_notify_sent_on",
            "withdrawn_on",
        ),
    ),
    Part(
        "casework.ConsentRecord",
        "case",
        {"notes": BLANK, "withdrawal_notes": BLANK},
        keep=("case", "scope", "given_on", "method", "withdrawn_on", *_RECORDED),
    ),
    Part(
        "casework.Disclosure",
        "case",
        {
            "recipient": REDACTED,
            "information": REDACTED,
            "purpose": REDACTED,
            "basis_without_consent": BLANK,
        },
        keep=("case", "disclosed_on", "with_consent", *_RECORDED),
    ),
    Part(
        "casework.Charge",
        "case",
        {"offence": REDACTED, "notes": BLANK},
        keep=("case", "status", "status_date", "statutory_defence_raised", *_RECORDED),
    ),
    Part(
        "casework.Dependant",
        "case",
        {
            "relationship": REDACTED,
            "first_name": BLANK,
            "date_of_birth": BIRTH_YEAR,
            "notes": BLANK,
        },
        keep=("case", "lives_with_person", "in_uk", *_RECORDED),
    ),
    Part(
        "casework.ImmediateNeed",
        "case",
        {},
        keep=("case", "need", "status", "met_on"),
    ),
    Part(
        "casework.SupportGoal",
        "case",
        {"description": REDACTED, "owner": REDACTED},
        keep=("case", "area", "review_date", "status", *_RECORDED),
    ),
    Part(
        "casework.CaseNote",
        "case",
        {"body": REDACTED},
        keep=("case", *_RECORDED),
    ),
    Part(
        "casework.Appointment",
        "case",
        {
            "with_whom": REDACTED,
            "location": BLANK,
            "accompanied_by": BLANK,
            "transport_notes": BLANK,
            "notes": BLANK,
            "outcome_notes": BLANK,
        },
        keep=(
            "case", "kind", "state", "starts_at", "duration_minutes", "transport_needed",
            "escort_needed", "legal_matter", *_CREATED,
        ),
    ),
    Part(
        "casework.InterpreterBooking",
        "appointment",
        {"dialect": BLANK, "interpreter_name": BLANK, "independence_notes": BLANK},
        keep=(
            "appointment", "state", "language", "gender_preference", "mode", "agency",
            "independence_confirmed", "independence_checked_by", "independence_checked_at",
        ),
    ),
    Part(
        "casework.LegalMatter",
        "case",
        {
            "title": REDACTED,
            "solicitor": BLANK,
            "firm": BLANK,
            "legal_aid_reference": BLANK,
            "notes": BLANK,
        },
        keep=("case", "kind", "opened_on", *_CREATED),
    ),
    Part(
        "casework.CicaClaim",
        "matter",
        {"extension_reason": BLANK, "reference": BLANK, "state_reason": BLANK},
        keep=(
            "matter", "state", "incident_on", "reported_on", "extended_to", "applied_on",
            "decided_on", "amount_awarded", "review_requested_on", "review_decided_on",
            "amount_on_review", "appealed_on", "tribunal_decided_on", "amount_on_appeal",
            "amount_paid", "paid_on",
        ),
    ),
    Part(
        "casework.ImmigrationMatter",
        "matter",
        {"home_office_reference": BLANK, "leave_granted": BLANK, "state_reason": BLANK},
        keep=(
            "matter", "route", "state", "applied_on", "decided_on", "leave_expires_on",
            "appealed_on", "appeal_decided_on",
        ),
    ),
    Part(
        "casework.CriminalJusticeMatter",
        "matter",
        {
            "crime_reference": BLANK,
            "officer_in_case": BLANK,
            "special_measures": BLANK,
            "outcome": BLANK,
        },
        keep=(
            "matter", "state", "police_force", "witness_status", "victim_personal_statement_on",
            "charged_on", "concluded_on",
        ),
    ),
    Part(
        "casework.CivilMatter",
        "matter",
        {"other_party": BLANK, "outcome": BLANK},
        keep=("matter", "civil_kind", "state", "closed_on"),
    ),
    Part(
        "casework.LegalStep",
        "matter",
        {"description": REDACTED, "notes": BLANK},
        keep=("matter", "kind", "due_on", "done_on", "joint", *_CREATED),
    ),
    Part(
        "casework.EmergencyAccess",
        "case",
        # The grant, its dates and its review stay for the audit trail; the reasons may
        # describe the person.
        {"reason": REDACTED, "review_note": BLANK},
        keep=(
            "organisation", "case", "user", "started_at", "expires_at", "ended_at",
            "reviewed_by", "reviewed_at", "review_outcome",
        ),
    ),
    Part(
        "casework.SealedCaseMember",
        "case",
        {},
        keep=("case", "user", "added_by", "added_at"),
    ),
    Part(
        "accommodation.Placement",
        "case",
        # The survivor facts a provider was given; what the accommodation report counts stays
        # (states, decline reasons, bed space, move-in and move-out dates).
        {
            "known_as": REDACTED,
            "children_ages": BLANK,
            "boys_ages": BLANK,
            "access_needs": BLANK,
            "languages": BLANK,
            "exclusion_areas": BLANK,
            "outcome_notes": BLANK,
            "key_worker": BLANK,
            "move_out_reason": BLANK,
            "move_on_destination": BLANK,
        },
        keep=(
            "case", "provider", "state", "gender", "needs_accessible", "risk_level", "has_pets",
            "nrpf", "specialism", "requested_by", "requested_at", "bed_space", "offered_at",
            "offer_expires_at", "decline_reason", "moved_in_on", "licence_signed",
            "planned_move_out_on", "moved_out_on",
        ),
    ),
    Part(
        "returns.ReturnPlan",
        "case",
        {
            "state_reason": BLANK,
            "wishes": BLANK,
            "safety_on_arrival": BLANK,
            "best_interests_by": BLANK,
            "eligibility_reasons": BLANK,
            "passport_held_by": BLANK,
            "flight": BLANK,
            "departure_point": BLANK,
            "escort": BLANK,
            "arrival_reception": BLANK,
            "partner_organisation": BLANK,
            "reintegration_notes": BLANK,
        },
        keep=(
            "case", "state", "country", "risk_assessed_on", "retrafficking_risk",
            "exploiters_can_reach", "best_interests_decided_on", "programme", "applied_on",
            "eligibility_decided_on", "travel_document", "booked_on", "departs_on",
            "departed_on", "arrived_on", "grant_amount", "business_start_up",
            "vocational_training", "education", "follow_up_consent", *_CREATED,
        ),
    ),
    Part(
        "returns.FollowUp",
        "plan",
        {"outcome": BLANK},
        keep=("plan", "months_after", "due_on", "done_on", "contact_made", "recorded_by"),
    ),
    Part(
        "returns.ResettlementPlan",
        "case",
        {"state_reason": BLANK, "housing": BLANK, "income": BLANK},
        keep=(
            "case", "state", "leave_applied_on", "leave_granted_on", "housing_secured_on",
            "income_in_place_on", "settled_on", *_CREATED,
        ),
    ),
    Part(
        "marac.RiskAssessment",
        "case",
        # The answers are yes / no / not known per question: the score and levels stay.
        {"judgement_reasons": BLANK, "notes": BLANK},
        keep=(
            "case", "checklist", "assessed_on", "assessed_by", "answers", "score", "score_level",
            "judgement_level", "police_incidents_12_months", "created_at",
        ),
    ),
    Part(
        "marac.Incident",
        "case",
        {"summary": BLANK},
        keep=("case", "occurred_on", "police_reported", *_RECORDED),
    ),
    Part(
        "sms.SafeContact",
        None,
        {"number": BLANK, "label": BLANK, "sender_name": BLANK, "suspended_reason": BLANK},
        keep=(
            "organisation", "subject_type", "subject_id", "safe_to_text", "safe_from",
            "safe_until", "voicemail_allowed", "language", "verified_on", "suspended",
        ),
        subject_of="casework.Case",
    ),
    REMINDER,
)


# A MARAC referral and what the MARAC said and did about it: anonymised on its area's own
# schedule (MaracArea.retention_years), whatever the state of the case. The data return's
# figures stay (outcome heard or deferred, referring agency, repeat, children in the household).
MARAC_REFERRAL: tuple[Part, ...] = (
    Part(
        "marac.MaracReferral",
        None,
        {
            "without_consent_reason": BLANK,
            "safe_contact": BLANK,
            "fears": BLANK,
            "perpetrators": BLANK,
            "state_reason": BLANK,
        },
        keep=(
            "case", "area", "state", "referred_on", "assessment", "criteria", "is_repeat",
            "referred_by", "referring_agency", "survivor_knows", "survivor_consents",
            "children_in_household", "transferred_from", "closed_on",
        ),
    ),
    Part(
        "marac.MeetingCase",
        "referral",
        {"summary": BLANK, "deferred_reason": BLANK},
        keep=("meeting", "referral", "position", "outcome"),
    ),
    Part(
        "marac.AgencyResearch",
        "meeting_case",
        {"findings": BLANK},
        keep=("meeting_case", "agency", "nothing_held", *_RECORDED),
    ),
    Part(
        "marac.MaracAction",
        "meeting_case",
        # The owner is a member of a partner agency's staff, not the survivor.
        {"description": REDACTED, "outcome": BLANK},
        keep=(
            "meeting_case", "owner_agency", "owner_person", "due_on", "state", "resolved_on",
            "resolved_by", *_CREATED,
        ),
    ),
)

# fmt: on

# Timeline events of the records above (append-only otherwise): the kind, the moment, the actor
# and the record stay (the service report counts declines by their event); the free text and
# the detail go.
TIMELINE_SCRUB = MappingProxyType({"reason": BLANK, "detail": {}})

# Fields never classified because the run manages them itself.
MANAGED = ("id", "version")
