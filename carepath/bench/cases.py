"""Bench cases in every state, with what a case gathers on the way: the NRM record, consents,
support goals, notes, immediate needs, a safe-contact number, appointments with interpreters
and reminders, risk assessments and incidents, and the timeline of it all.

Each case's dates follow its state: a referral waits a few days, support starts after the case
is accepted and consent is recorded, a closed case has its closing date and outcomes, every
NRM decision follows its submission, a booked appointment in the future has its reminders
scheduled, one in the past has them sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from carepath.audit.models import TimelineEvent
from carepath.bench.base import Bench
from carepath.bench.people import BenchOrganisation
from carepath.people.models import Team, User
from carepath.sms.models import Reminder, ReminderState, SafeContact
from casework.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    Case,
    CaseNote,
    CaseSequence,
    CaseState,
    ConsentRecord,
    ImmediateNeed,
    InterpreterBooking,
    InterpreterState,
    NrmRecord,
    NrmState,
    ReferringAgency,
    SupportGoal,
)
from casework.models import choices as c
from casework.models.records import ConsentScope, GoalArea, GoalStatus, Need, NeedStatus
from casework.services.cases import reference_prefix
from marac.models import Answer, Incident, RiskAssessment, RiskChecklist, RiskLevel

# Shares in line with a steady intake over about three years: few referrals wait, a third of
# the cases are supported and most of the rest have closed.
CASE_STATES = (
    (CaseState.REFERRED, 3),
    (CaseState.DECLINED, 5),
    (CaseState.ASSESSING, 7),
    (CaseState.SUPPORTED, 35),
    (CaseState.MOVING_ON, 8),
    (CaseState.MISSING, 2),
    (CaseState.CLOSED, 40),
)
# How long ago each state's cases were referred (days): (least, most).
REFERRED_DAYS_AGO = {
    CaseState.REFERRED: (0, 13),
    CaseState.DECLINED: (3, 700),
    CaseState.ASSESSING: (3, 90),
    CaseState.SUPPORTED: (30, 600),
    CaseState.MOVING_ON: (120, 800),
    CaseState.MISSING: (20, 500),
    CaseState.CLOSED: (60, 1000),
}
ACCEPTED_STATES = (
    CaseState.ASSESSING,
    CaseState.SUPPORTED,
    CaseState.MOVING_ON,
    CaseState.MISSING,
    CaseState.CLOSED,
)
SUPPORT_STATES = (CaseState.SUPPORTED, CaseState.MOVING_ON, CaseState.MISSING, CaseState.CLOSED)

GIVEN_NAMES = {
    "female": ("Thi", "Grace", "Selam", "Lan", "Amina", "Elena", "Joy", "Mariam", "Ioana", "Hoa"),
    "male": ("Arben", "Mihai", "Tomasz", "Kwame", "Dawit", "Minh", "Ahmed", "Luca", "Emil", "Sami"),
}
FAMILY_NAMES = (
    "Nguyen", "Hoxha", "Popescu", "Okafor", "Tesfaye", "Chen", "Kowalski", "Mensah", "Haile",
    "Tran", "Ionescu", "Bello", "Shehu", "Novak", "Osei", "Ali", "Smith", "Jones",
)  # fmt: skip
# (claimed nationality, UK / EEA / other, main language, needs an interpreter)
NATIONALITIES = (
    ("AL", c.NationalityGroup.OTHER, "Albanian", True),
    ("VN", c.NationalityGroup.OTHER, "Vietnamese", True),
    ("GB", c.NationalityGroup.UK, "English", False),
    ("RO", c.NationalityGroup.EEA, "Romanian", True),
    ("NG", c.NationalityGroup.OTHER, "English", False),
    ("ER", c.NationalityGroup.OTHER, "Tigrinya", True),
    ("SD", c.NationalityGroup.OTHER, "Arabic", True),
    ("CN", c.NationalityGroup.OTHER, "Mandarin", True),
    ("PL", c.NationalityGroup.EEA, "Polish", True),
    ("IN", c.NationalityGroup.OTHER, "Hindi", True),
    ("", c.NationalityGroup.UNKNOWN, "", False),
)
NATIONALITY_WEIGHTS = (20, 14, 18, 8, 7, 6, 5, 5, 5, 4, 3)
SECTORS = {
    c.ExploitationType.SEXUAL: (c.Sector.SEX_INDUSTRY, c.Sector.NAIL_BAR),
    c.ExploitationType.LABOUR: (
        c.Sector.AGRICULTURE,
        c.Sector.CAR_WASH,
        c.Sector.CONSTRUCTION,
        c.Sector.HOSPITALITY,
        c.Sector.FOOD_PROCESSING,
        c.Sector.FISHING,
    ),
    c.ExploitationType.DOMESTIC_SERVITUDE: (c.Sector.DOMESTIC, c.Sector.CARE),
    c.ExploitationType.CRIMINAL: (c.Sector.CANNABIS, c.Sector.COUNTY_LINES, c.Sector.BEGGING),
}
APPOINTMENT_KINDS = (
    (AppointmentKind.GP, 20),
    (AppointmentKind.MENTAL_HEALTH, 10),
    (AppointmentKind.SEXUAL_HEALTH, 6),
    (AppointmentKind.PSYCHOLOGY, 6),
    (AppointmentKind.DENTAL, 5),
    (AppointmentKind.LEGAL, 14),
    (AppointmentKind.POLICE_INTERVIEW, 6),
    (AppointmentKind.COURT, 3),
    (AppointmentKind.HOME_OFFICE, 6),
    (AppointmentKind.ACCOMMODATION_VIEWING, 5),
    (AppointmentKind.EDUCATION, 6),
    (AppointmentKind.RETURN_SERVICE, 2),
    (AppointmentKind.OTHER, 5),
)
# Timeline events a case keeps from its casework (more come with accommodation and MARAC).
EVENT_BUDGET = (5, 11)
# The shipped default reminder rules: a day and two hours before.
REMINDER_MINUTES = (1440, 120)


@dataclass
class CaseFacts:
    """What the later parts of the generator (accommodation, MARAC, legal, returns) need to know
    of a case, without loading it again."""

    pk: int
    org: BenchOrganisation
    team: Team
    caseworker: User | None
    state: str
    referral_date: date
    accepted_on: date | None
    closed_on: date | None
    closure_reason: str
    gender: str
    given_name: str
    child: bool
    languages: str
    missing_since: datetime | None = None
    nrm_state: str = NrmState.NOT_REFERRED
    # (assessment pk, assessed on, level, police-reported incidents in 12 months)
    assessments: list[tuple[int, date, str, int]] = field(default_factory=list)

    @property
    def actor(self) -> User:
        return self.caseworker or self.org.manager


class Events:
    """Timeline events, gathered and written together.

    With a ``budget``, each case keeps its pathway events (the case's and the NRM's, which the
    reports read) and a sample of the rest up to a number drawn from the budget: a case's every
    appointment, consent and note would give several times the timeline of a real one.
    """

    ESSENTIAL = ("case.", "nrm.")

    def __init__(self, bench: Bench, *, budget: tuple[int, int] | None = None):
        self.bench = bench
        self.budget = budget
        self.pending: list[dict] = []
        self.case_type_id = bench.content_type(Case).pk

    def add(self, facts: CaseFacts, kind: str, when: datetime, /, *, by=None, **detail) -> None:
        self.pending.append(
            {
                "organisation_id": facts.org.organisation.pk,
                "subject_type_id": self.case_type_id,
                "subject_id": facts.pk,
                "kind": kind,
                "actor_id": (by or facts.actor).pk,
                "reason": "",
                "detail": detail,
                "created_at": when,
            }
        )

    def flush(self) -> None:
        rows = self.bench.rows(TimelineEvent)
        for event in self.pending if self.budget is None else self._trimmed():
            rows.add(**event)
        rows.flush()
        self.pending = []

    def _trimmed(self) -> list[dict]:
        by_case: dict[int, list[dict]] = {}
        for event in self.pending:
            by_case.setdefault(event["subject_id"], []).append(event)
        kept = []
        for events in by_case.values():
            essential = [e for e in events if e["kind"].startswith(self.ESSENTIAL)]
            others = [e for e in events if not e["kind"].startswith(self.ESSENTIAL)]
            room = max(0, self.bench.rng.randint(*self.budget) - len(essential))
            kept += essential
            kept += self.bench.rng.sample(others, min(room, len(others)))
        return kept


def dash_checklist() -> tuple[RiskChecklist, list[int]]:
    checklist = (
        RiskChecklist.objects.filter(slug="dash", active=True).order_by("-version").first()
        or RiskChecklist.objects.filter(active=True).order_by("slug", "-version").first()
    )
    if checklist is None:
        raise RuntimeError("No risk checklist is loaded: run the migrations first.")
    return checklist, list(checklist.questions.order_by("number").values_list("number", flat=True))


def first_responders() -> list[ReferringAgency]:
    agencies = list(ReferringAgency.objects.order_by("name"))
    if not agencies:
        raise RuntimeError("No referring agencies are loaded: run the migrations first.")
    return agencies


class CaseMaker:
    """Makes the cases of one run, a batch at a time."""

    def __init__(self, bench: Bench, organisations: list[BenchOrganisation]):
        self.bench = bench
        self.organisations = organisations
        self.agencies = first_responders()
        self.checklist, self.questions = dash_checklist()
        # (organisation pk, year) -> last number given
        self.sequences: dict[tuple[int, int], int] = {}
        self.case_type = bench.content_type(Case)
        self.appointment_type = bench.content_type(Appointment)

    # --- The case itself ----------------------------------------------------------------

    def _case(self, index: int) -> tuple[dict, CaseFacts]:
        bench, rng, today = self.bench, self.bench.rng, self.bench.today
        org = self.organisations[index % len(self.organisations)]
        state = bench.covering(index, CASE_STATES)
        least, most = REFERRED_DAYS_AGO[state]
        referral_date = today - timedelta(days=rng.randint(least, most))
        team_index = rng.randrange(len(org.casework_teams))
        team = org.casework_teams[team_index]
        caseworker = None
        accepted_on = closed_on = None
        if state in ACCEPTED_STATES:
            caseworker = rng.choice(org.caseworkers[team_index])
            accepted_on = min(today, referral_date + timedelta(days=rng.randint(0, 7)))
        if state == CaseState.CLOSED:
            earliest = accepted_on + timedelta(days=14)
            closed_on = bench.day_between(min(earliest, today), today - timedelta(days=1))
            closed_on = max(closed_on, accepted_on)
        gender = bench.weighted(
            (("female", 60), ("male", 35), (c.Gender.OTHER, 3), (c.Gender.UNKNOWN, 2))
        )
        names = GIVEN_NAMES["male" if gender == "male" else "female"]
        child = bench.chance(0.15)
        age = rng.randint(14, 17) if child else rng.randint(18, 60)
        born = referral_date - timedelta(days=age * 365 + rng.randint(0, 364))
        code, group, language, interpreter = rng.choices(
            NATIONALITIES, weights=NATIONALITY_WEIGHTS
        )[0]
        types = self._exploitation_types()
        first_exploited = None
        if bench.chance(0.8):
            earliest = born + timedelta(days=365 * (8 if child else 14))
            first_exploited = bench.day_between(earliest, referral_date)
        place = rng.choice(org.places)
        year = referral_date.year
        number = self.sequences.get((org.organisation.pk, year), 0) + 1
        self.sequences[org.organisation.pk, year] = number
        source = bench.weighted(
            (
                (c.ReferralSource.FIRST_RESPONDER, 55),
                (c.ReferralSource.OTHER_AGENCY, 20),
                (c.ReferralSource.HELPLINE, 10),
                (c.ReferralSource.SELF, 10),
                (c.ReferralSource.POLICE_OPERATION, 5),
            )
        )
        case = self.bench.rows(Case).add(
            organisation_id=org.organisation.pk,
            team_id=team.pk,
            caseworker_id=caseworker.pk if caseworker else None,
            reference=f"{reference_prefix(org.organisation)}-{year}-{number:04d}",
            state=state,
            jurisdiction=org.organisation.jurisdiction,
            referral_date=referral_date,
            referral_source=source,
            referring_agency_id=rng.choice(self.agencies).pk if bench.chance(0.85) else None,
            referrer_contact=f"Referrer {index + 1}, 01632 960{rng.randint(0, 999):03d}",
            knows_of_referral=c.Knowledge.YES,
            consents_to_referral=bench.weighted(
                ((c.Knowledge.YES, 80), (c.Knowledge.NO, 5), (c.Knowledge.UNKNOWN, 15))
            ),
            risk_at_intake=bench.weighted(
                ((c.RiskLevel.STANDARD, 50), (c.RiskLevel.MEDIUM, 30), (c.RiskLevel.HIGH, 20))
            ),
            given_name=rng.choice(names),
            family_name=rng.choice(FAMILY_NAMES),
            aliases=rng.choice(names) if bench.chance(0.1) else "",
            gender=gender,
            date_of_birth=born,
            date_of_birth_estimated=bench.chance(0.3),
            claimed_nationality=code,
            verified_nationality=code if code and bench.chance(0.4) else "",
            nationality_group=group,
            immigration_status=self._immigration_status(group),
            identity_documents=rng.choice(c.DocumentsLocation.values),
            main_language=language,
            interpreter_needed=interpreter,
            interpreter_language=language if interpreter else "",
            interpreter_gender=rng.choice(c.InterpreterGender.values),
            exploitation_types=types,
            exploitation_sectors=[rng.choice(SECTORS[kind]) for kind in types if kind in SECTORS],
            first_exploitation_date=first_exploited,
            first_exploitation_date_estimated=first_exploited is not None and bench.chance(0.5),
            exploitation_country=code if code and bench.chance(0.5) else "GB",
            local_authority=place[0],
            police_force_area=place[1],
            region=place[2],
            ethnicity=rng.choice(c.Ethnicity.values) if bench.chance(0.7) else "",
            disability=rng.choice(c.YesNoPrefer.values) if bench.chance(0.6) else "",
            sexual_orientation=(
                rng.choice(c.SexualOrientation.values) if bench.chance(0.5) else ""
            ),
            religion=rng.choice(c.Religion.values) if bench.chance(0.5) else "",
            needs_summary="Needs assessed with the person." if accepted_on else "",
            decline_reason=(
                rng.choice(c.DeclineReason.values) if state == CaseState.DECLINED else ""
            ),
            created_at=bench.at(referral_date),
            updated_at=bench.at(closed_on or today, None),
        )
        if state == CaseState.MISSING:
            since = bench.day_between(accepted_on + timedelta(days=1), today)
            case["missing_since"] = bench.at(min(since, today))
            if child:
                case["missing_police_notified_at"] = case["missing_since"] + timedelta(hours=1)
                case["missing_local_authority_notified_at"] = case["missing_since"] + timedelta(
                    hours=2
                )
        closure_reason = ""
        if state == CaseState.CLOSED:
            closure_reason = bench.weighted(
                (
                    (c.ClosureReason.MOVED_ON, 40),
                    (c.ClosureReason.RETURNED, 8),
                    (c.ClosureReason.TRANSFERRED, 12),
                    (c.ClosureReason.DISENGAGED, 15),
                    (c.ClosureReason.SUPPORT_ENDED, 20),
                    (c.ClosureReason.OTHER, 5),
                )
            )
            case["closure_reason"] = closure_reason
            case["closed_on"] = closed_on
            outcomes = rng.sample(c.Outcome.values, rng.randint(1, 3))
            if closure_reason == c.ClosureReason.RETURNED:
                outcomes.append(c.Outcome.SAFE_RETURN)
            case["outcomes"] = sorted(set(outcomes))
        facts = CaseFacts(
            pk=0,
            org=org,
            team=team,
            caseworker=caseworker,
            state=state,
            referral_date=referral_date,
            accepted_on=accepted_on,
            closed_on=closed_on,
            closure_reason=closure_reason,
            gender=gender,
            given_name=case["given_name"],
            child=child,
            languages=language,
            missing_since=case["missing_since"],
        )
        return case, facts

    def _exploitation_types(self) -> list[str]:
        rng = self.bench.rng
        kinds = list(SECTORS) + [c.ExploitationType.ORGAN_REMOVAL, c.ExploitationType.OTHER]
        roll = rng.random()
        if roll < 0.05:
            return [c.ExploitationType.UNKNOWN]
        if roll < 0.15:
            return sorted(rng.sample(list(SECTORS), 2))
        return [rng.choices(kinds, weights=(30, 30, 12, 25, 1, 2))[0]]

    def _immigration_status(self, group: str) -> str:
        if group == c.NationalityGroup.UK:
            return c.ImmigrationStatus.BRITISH
        if group == c.NationalityGroup.EEA:
            return self.bench.rng.choice(
                (c.ImmigrationStatus.SETTLED, c.ImmigrationStatus.PRE_SETTLED)
            )
        return self.bench.rng.choice(
            (
                c.ImmigrationStatus.ASYLUM_SEEKER,
                c.ImmigrationStatus.NO_STATUS,
                c.ImmigrationStatus.TPS,
                c.ImmigrationStatus.LEAVE,
                c.ImmigrationStatus.UNKNOWN,
            )
        )

    # --- A batch of cases and what they gather -------------------------------------------

    def make(self, indices) -> list[CaseFacts]:
        facts = []
        for index in indices:
            case, fact = self._case(index)
            fact.pk = case["id"]
            facts.append(fact)
        events = Events(self.bench, budget=EVENT_BUDGET)
        for fact in facts:
            self._path_events(events, fact)
        self._nrm(facts, events)
        self._records(facts, events)
        contacts = self._contacts(facts, events)
        self._appointments(facts, contacts, events)
        self._risk(facts, events)
        events.flush()
        for model in (
            Case,
            NrmRecord,
            ConsentRecord,
            SupportGoal,
            CaseNote,
            ImmediateNeed,
            SafeContact,
            Appointment,
            InterpreterBooking,
            Reminder,
            RiskAssessment,
            Incident,
        ):
            self.bench.rows(model).flush()
        return facts

    def _path_events(self, events: Events, facts: CaseFacts) -> None:
        bench = self.bench
        manager = facts.org.manager
        events.add(facts, "case.referred", bench.at(facts.referral_date), by=manager)
        if facts.state == CaseState.DECLINED:
            declined = min(bench.today, facts.referral_date + timedelta(days=2))
            events.add(facts, "case.declined", bench.at(declined), by=manager)
        if facts.accepted_on is None:
            return
        events.add(
            facts,
            "case.accepted",
            bench.at(facts.accepted_on),
            by=manager,
            caseworker=facts.caseworker.pk,
        )
        if facts.state in SUPPORT_STATES:
            started = self._support_started(facts)
            events.add(facts, "case.support_started", bench.at(started))
        if facts.state == CaseState.MOVING_ON:
            events.add(facts, "case.moving_on", bench.at(bench.today - timedelta(days=10)))
        if facts.state == CaseState.MISSING:
            events.add(facts, "case.missing", facts.missing_since)
        if facts.state == CaseState.CLOSED:
            events.add(facts, "case.closed", bench.at(facts.closed_on))

    def _support_started(self, facts: CaseFacts) -> date:
        end = min(facts.closed_on or self.bench.today, self.bench.today)
        return min(end, facts.accepted_on + timedelta(days=7))

    def _active_days(self, facts: CaseFacts) -> tuple[date, date]:
        """From acceptance to the close (or today)."""
        return facts.accepted_on, min(facts.closed_on or self.bench.today, self.bench.today)

    # --- NRM ------------------------------------------------------------------------------

    def _nrm_state(self, facts: CaseFacts, index: int) -> str:
        bench = self.bench
        if facts.accepted_on is None:
            return NrmState.NOT_REFERRED
        if facts.state == CaseState.ASSESSING:
            options = ((NrmState.NOT_REFERRED, 50), (NrmState.SUBMITTED, 40))
            if not facts.child:
                options += ((NrmState.DECLINED_CONSENT, 10),)
            return bench.weighted(options)
        options = (
            (NrmState.SUBMITTED, 15),
            (NrmState.RG_POSITIVE, 30),
            (NrmState.CG_POSITIVE, 20),
            (NrmState.RG_NEGATIVE, 6),
            (NrmState.CG_NEGATIVE, 5),
            (NrmState.RECONSIDERATION, 4),
            (NrmState.WITHDRAWN, 3),
            (NrmState.NOT_REFERRED, 10),
        )
        if not facts.child:
            options += ((NrmState.DECLINED_CONSENT, 7),)
        return bench.covering(index, options)

    def _nrm(self, facts_list: list[CaseFacts], events: Events) -> None:
        bench, today = self.bench, self.bench.today
        records = bench.rows(NrmRecord)
        for index, facts in enumerate(facts_list):
            nrm = {"case_id": facts.pk}
            state = self._nrm_state(facts, index)
            start, end = (facts.accepted_on, today) if facts.accepted_on else (None, None)
            if state == NrmState.DECLINED_CONSENT:
                nrm["duty_to_notify_sent_on"] = bench.day_between(start, end)
                events.add(facts, "nrm.duty_to_notify", bench.at(nrm["duty_to_notify_sent_on"]))
            elif state != NrmState.NOT_REFERRED:
                state = self._nrm_decisions(facts, state, nrm, events)
            records.add(state=state, **nrm)
            facts.nrm_state = state

    def _nrm_decisions(self, facts: CaseFacts, state: str, nrm: dict, events: Events) -> str:
        """Dates from the submission on, each decision after the one before; a state whose
        decisions could not have come yet becomes the one before it."""
        bench, rng, today = self.bench, self.bench.rng, self.bench.today
        start = facts.accepted_on
        submitted = bench.day_between(start, min(today, start + timedelta(days=30)))
        steps = {
            NrmState.SUBMITTED: 0,
            NrmState.RG_POSITIVE: 1,
            NrmState.RG_NEGATIVE: 1,
            NrmState.WITHDRAWN: 1,
            NrmState.RECONSIDERATION: 1,
            NrmState.CG_POSITIVE: 2,
            NrmState.CG_NEGATIVE: 2,
        }[state]
        rg_on = submitted + timedelta(days=rng.randint(3, 40))
        cg_on = rg_on + timedelta(days=rng.randint(60, 400))
        if steps >= 2 and cg_on >= today:
            state, steps = NrmState.RG_POSITIVE, 1
        if steps >= 1 and rg_on >= today:
            state, steps = NrmState.SUBMITTED, 0
        nrm["submitted_on"] = submitted
        nrm["first_responder_id"] = rng.choice(self.agencies).pk
        if facts.child:
            nrm["local_authority_notified_on"] = submitted
        else:
            self._consent(facts, ConsentScope.NRM, submitted, events=events)
        events.add(facts, "nrm.submitted", bench.at(submitted))
        if steps >= 1 and state != NrmState.WITHDRAWN:
            negative = state == NrmState.RG_NEGATIVE or (
                state == NrmState.RECONSIDERATION and bench.chance(0.5)
            )
            nrm["rg_decision_on"], nrm["rg_positive"] = rg_on, not negative
            nrm["competent_authority"] = bench.weighted((("sca", 85), ("ieca", 15)))
            events.add(facts, "nrm.rg_negative" if negative else "nrm.rg_positive", bench.at(rg_on))
            if state == NrmState.RECONSIDERATION:
                if negative:
                    nrm["reconsideration_stage"] = "rg"
                else:
                    nrm["cg_decision_on"], nrm["cg_positive"] = min(cg_on, today), False
                    nrm["reconsideration_stage"] = "cg"
                asked = min(today, (nrm.get("cg_decision_on") or rg_on) + timedelta(days=10))
                nrm["reconsideration_requested_on"] = asked
                events.add(facts, "nrm.reconsideration_requested", bench.at(asked))
        if state == NrmState.WITHDRAWN:
            nrm["withdrawn_on"] = min(today, submitted + timedelta(days=rng.randint(1, 30)))
            events.add(facts, "nrm.withdrawn", bench.at(nrm["withdrawn_on"]))
        if steps >= 2:
            nrm["cg_decision_on"] = cg_on
            nrm["cg_positive"] = state == NrmState.CG_POSITIVE
            kind = "nrm.cg_positive" if nrm["cg_positive"] else "nrm.cg_negative"
            events.add(facts, kind, bench.at(cg_on))
        return state

    # --- Consent, goals, notes, immediate needs -------------------------------------------

    def _consent(self, facts: CaseFacts, scope: str, on: date, *, events: Events) -> None:
        events.add(facts, "consent.recorded", self.bench.at(on), scope=scope)
        self.bench.rows(ConsentRecord).add(
            case_id=facts.pk,
            recorded_by_id=facts.actor.pk,
            recorded_at=self.bench.at(on),
            scope=scope,
            given_on=on,
            method=self.bench.rng.choice(("written", "verbal", "interpreter")),
            notes="",
            withdrawal_notes="",
        )

    def _records(self, facts_list: list[CaseFacts], events: Events) -> None:
        bench, rng, today = self.bench, self.bench.rng, self.bench.today
        goals, notes, needs = (
            bench.rows(SupportGoal),
            bench.rows(CaseNote),
            bench.rows(ImmediateNeed),
        )
        for facts in facts_list:
            if facts.accepted_on is None:
                continue
            start, end = self._active_days(facts)
            if facts.state in SUPPORT_STATES or bench.chance(0.5):
                self._consent(facts, ConsentScope.SUPPORT, facts.accepted_on, events=events)
            if bench.chance(0.6):
                self._consent(facts, ConsentScope.DATA, facts.accepted_on, events=events)
            if facts.state in SUPPORT_STATES:
                for _goal in range(rng.randint(0, 3)):
                    added = bench.day_between(start, end)
                    status = GoalStatus.OPEN
                    if facts.state == CaseState.CLOSED or bench.chance(0.3):
                        status = bench.weighted(((GoalStatus.ACHIEVED, 3), (GoalStatus.DROPPED, 1)))
                    goals.add(
                        case_id=facts.pk,
                        recorded_by_id=facts.actor.pk,
                        recorded_at=bench.at(added),
                        area=rng.choice(GoalArea.values),
                        description="A goal agreed with the person.",
                        owner="Caseworker",
                        # An open goal's review is mostly ahead; about one in five is overdue
                        # (the dashboards show them).
                        review_date=(
                            max(added, today + timedelta(days=rng.randint(-20, 90)))
                            if status == GoalStatus.OPEN
                            else added + timedelta(days=rng.randint(14, 120))
                        ),
                        status=status,
                    )
                    events.add(facts, "goal.recorded", bench.at(added))
            for _note in range(rng.choice((0, 0, 1, 1, 2))):
                written = bench.day_between(start, end)
                notes.add(
                    case_id=facts.pk,
                    recorded_by_id=facts.actor.pk,
                    recorded_at=bench.at(written),
                    body="Contact with the person; next steps agreed.",
                )
                events.add(facts, "note.recorded", bench.at(written))
            if bench.chance(0.3):
                for need in rng.sample(Need.values, rng.randint(1, 3)):
                    met = facts.state != CaseState.ASSESSING or bench.chance(0.5)
                    needs.add(
                        case_id=facts.pk,
                        need=need,
                        status=NeedStatus.MET if met else NeedStatus.NEEDED,
                        met_on=min(today, start + timedelta(days=2)) if met else None,
                    )

    # --- Safe contact, appointments, interpreters, reminders ------------------------------

    def _contacts(self, facts_list: list[CaseFacts], events: Events) -> dict[int, dict]:
        bench, rng = self.bench, self.bench.rng
        contacts: dict[int, dict] = {}
        for facts in facts_list:
            if facts.accepted_on is None or not bench.chance(0.75):
                continue
            welsh = facts.org.organisation.jurisdiction == "england_wales" and bench.chance(0.2)
            contacts[facts.pk] = bench.rows(SafeContact).add(
                organisation_id=facts.org.organisation.pk,
                subject_type_id=self.case_type.pk,
                subject_id=facts.pk,
                # Ofcom's numbers for drama: never a real phone.
                number=f"+447700900{rng.randint(0, 999):03d}",
                label="Own mobile",
                safe_to_text=bench.chance(0.85),
                sender_name="Clinic",
                language="cy" if welsh else "en",
                verified_on=bench.day_between(facts.accepted_on, bench.today),
                suspended=bench.chance(0.03),
                suspended_reason="",
            )
            events.add(facts, "contact.added", bench.at(facts.accepted_on))
        return contacts

    def _appointments(
        self, facts_list: list[CaseFacts], contacts: dict[int, dict], events: Events
    ) -> None:
        bench, rng = self.bench, self.bench.rng
        for facts in facts_list:
            if facts.accepted_on is None:
                continue
            start, end = self._active_days(facts)
            contact = contacts.get(facts.pk)
            for _n in range(rng.choice((3, 4, 4, 5, 5, 6, 7))):
                appointment = self._appointment(facts, start, end)
                created, state = appointment["created_at"], appointment["state"]
                events.add(facts, "appointment.requested", created, kind=appointment["kind"])
                if state != AppointmentState.REQUESTED:
                    events.add(facts, "appointment.booked", created)
                if state in (
                    AppointmentState.ATTENDED,
                    AppointmentState.DID_NOT_ATTEND,
                    AppointmentState.CANCELLED,
                ):
                    when = min(appointment["starts_at"] + timedelta(hours=2), bench.now)
                    events.add(facts, f"appointment.{state}", when)
                self._interpreter(facts, appointment)
                if contact is None or appointment["starts_at"] is None:
                    continue
                for minutes in REMINDER_MINUTES:
                    due = appointment["starts_at"] - timedelta(minutes=minutes)
                    if due > created:
                        self._reminder(facts, appointment, contact, due)

    def _appointment(self, facts: CaseFacts, start: date, end: date) -> dict:
        bench, rng, today = self.bench, self.bench.rng, self.bench.today
        future = facts.state != CaseState.CLOSED and bench.chance(0.3)
        created_on = bench.day_between(start, end)
        if future:
            day = today + timedelta(days=rng.randint(1, 60))
            state = bench.weighted(
                ((AppointmentState.BOOKED, 75), (AppointmentState.REQUESTED, 25))
            )
        else:
            day = bench.day_between(created_on, end)
            state = bench.weighted(
                (
                    (AppointmentState.ATTENDED, 70),
                    (AppointmentState.DID_NOT_ATTEND, 12),
                    (AppointmentState.CANCELLED, 13),
                    (AppointmentState.BOOKED, 5),
                )
            )
            if day >= today:
                state = AppointmentState.BOOKED
        starts_at = None if state == AppointmentState.REQUESTED else bench.at(day)
        created_at = bench.at(created_on)
        if starts_at is not None and created_at > starts_at:
            created_at = starts_at - timedelta(days=rng.randint(1, 14))
        done = state in (AppointmentState.ATTENDED, AppointmentState.DID_NOT_ATTEND)
        return bench.rows(Appointment).add(
            case_id=facts.pk,
            kind=bench.weighted(APPOINTMENT_KINDS),
            state=state,
            starts_at=starts_at,
            duration_minutes=rng.choice((30, 45, 60, 90)),
            with_whom="Practice or service",
            location="Clinic room 2" if bench.chance(0.7) else "",
            accompanied_by="",
            transport_needed=bench.chance(0.2),
            escort_needed=bench.chance(0.1),
            transport_notes="",
            notes="",
            outcome_notes="Recorded after the appointment." if done else "",
            created_by_id=facts.actor.pk,
            created_at=created_at,
        )

    def _interpreter(self, facts: CaseFacts, appointment: dict) -> None:
        if not facts.languages or facts.languages == "English" or not self.bench.chance(0.6):
            return
        state = {
            AppointmentState.REQUESTED: InterpreterState.REQUESTED,
            AppointmentState.BOOKED: InterpreterState.CONFIRMED,
            AppointmentState.ATTENDED: InterpreterState.COMPLETED,
            AppointmentState.DID_NOT_ATTEND: InterpreterState.CANCELLED,
            AppointmentState.CANCELLED: InterpreterState.CANCELLED,
        }[appointment["state"]]
        checked = state != InterpreterState.REQUESTED
        self.bench.rows(InterpreterBooking).add(
            appointment_id=appointment["id"],
            state=state,
            language=facts.languages,
            dialect="",
            gender_preference="any",
            mode=self.bench.rng.choice(("in_person", "phone", "video")),
            agency="Interpreting agency" if checked else "",
            interpreter_name="Interpreter" if checked else "",
            independence_confirmed=checked,
            independence_checked_by_id=facts.actor.pk if checked else None,
            independence_checked_at=appointment["created_at"] if checked else None,
            independence_notes="Asked the agency and the person." if checked else "",
        )

    def _reminder(self, facts: CaseFacts, appointment: dict, contact: dict, due: datetime) -> None:
        bench = self.bench
        reminder = {
            "organisation_id": facts.org.organisation.pk,
            "subject_type_id": self.case_type.pk,
            "subject_id": facts.pk,
            "source_type_id": self.appointment_type.pk,
            "source_id": appointment["id"],
            "purpose": "appointment",
            "channel": "sms",
            "safe_contact_id": contact["id"],
            "context": {"at": appointment["starts_at"].isoformat()},
            "due_at": due,
            "created_at": appointment["created_at"],
            "provider_id": "",
            "outcome": "",
        }
        # Drawn whatever the branch, so that the data depends on the day, not the hour, it is made.
        outcome = bench.weighted(
            ((ReminderState.DELIVERED, 88), (ReminderState.SENT, 5), (ReminderState.FAILED, 7))
        )
        provider_id = f"SMbench{bench.rng.getrandbits(64):016x}"
        if appointment["state"] == AppointmentState.CANCELLED:
            reminder["state"] = ReminderState.CANCELLED
            reminder["outcome"] = "Appointment cancelled"
            reminder["finished_at"] = min(due, bench.now)
        elif due > bench.now:
            reminder["state"] = ReminderState.SCHEDULED
        elif not contact["safe_to_text"] or contact["suspended"]:
            reminder["state"] = ReminderState.SUPPRESSED
            reminder["outcome"] = "Not safe to text"
            reminder["finished_at"] = due
        else:
            reminder["state"] = outcome
            reminder["attempts"] = 1
            reminder["sent_at"] = due + timedelta(seconds=30)
            reminder["provider_id"] = provider_id
            if outcome != ReminderState.SENT:
                reminder["finished_at"] = due + timedelta(minutes=1)
            if outcome == ReminderState.FAILED:
                reminder["outcome"] = "Undelivered (30003)"
        bench.rows(Reminder).add(**reminder)

    # --- Risk -----------------------------------------------------------------------------

    def _risk(self, facts_list: list[CaseFacts], events: Events) -> None:
        bench, rng = self.bench, self.bench.rng
        for facts in facts_list:
            if facts.accepted_on is None:
                continue
            start, end = self._active_days(facts)
            first = min(end, start + timedelta(days=rng.randint(0, 14)))
            days = [first]
            if bench.chance(0.15) and (end - first).days > 30:
                later = bench.day_between(first + timedelta(days=30), end)
                days.append(later)
                incident_on = later - timedelta(days=rng.randint(1, 10))
                bench.rows(Incident).add(
                    case_id=facts.pk,
                    occurred_on=incident_on,
                    police_reported=bench.chance(0.6),
                    summary="A new incident reported by the person.",
                    recorded_by_id=facts.actor.pk,
                    recorded_at=bench.at(incident_on),
                )
                events.add(facts, "incident.recorded", bench.at(incident_on))
            for day in days:
                level = bench.weighted(
                    ((RiskLevel.STANDARD, 60), (RiskLevel.MEDIUM, 25), (RiskLevel.HIGH, 15))
                )
                assessment = self._assessment(facts, day, level)
                events.add(facts, "risk.assessed", bench.at(day), level=assessment["level"])
                facts.assessments.append(
                    (
                        assessment["id"],
                        day,
                        assessment["level"],
                        assessment["police_incidents_12_months"],
                    )
                )

    def _assessment(self, facts: CaseFacts, day: date, level: str) -> dict:
        bench, rng = self.bench, self.bench.rng
        checklist, questions = self.checklist, self.questions
        high, medium = checklist.high_from, checklist.medium_from
        wanted = {
            RiskLevel.HIGH: rng.randint(high, len(questions)),
            RiskLevel.MEDIUM: rng.randint(medium, high - 1),
            RiskLevel.STANDARD: rng.randint(0, medium - 1),
        }[level]
        yes = set(rng.sample(questions, min(wanted, len(questions))))
        answers = {
            str(n): Answer.YES
            if n in yes
            else (Answer.NOT_KNOWN if bench.chance(0.1) else Answer.NO)
            for n in questions
        }
        score_level = checklist.level_for(len(yes))
        judgement, reasons = "", ""
        if score_level == RiskLevel.MEDIUM and bench.chance(0.1):
            judgement, reasons = RiskLevel.HIGH, "Professional judgement: escalating control."
        row = bench.rows(RiskAssessment).add(
            case_id=facts.pk,
            checklist_id=checklist.pk,
            assessed_on=day,
            assessed_by_id=facts.actor.pk,
            answers=answers,
            score=len(yes),
            score_level=score_level,
            judgement_level=judgement,
            judgement_reasons=reasons,
            police_incidents_12_months=rng.choice((0, 0, 0, 1, 2, 3)),
            notes="",
            created_at=bench.at(day),
        )
        # The level that counts: the higher of the score's and the judgement's.
        return {**row, "level": judgement or score_level}

    # --- After every batch ----------------------------------------------------------------

    def sequences_rows(self) -> list[CaseSequence]:
        """The organisations' case numbers so far, so that the next referral follows on."""
        return [
            CaseSequence(organisation_id=org_pk, year=year, last=last)
            for (org_pk, year), last in sorted(self.sequences.items())
        ]
