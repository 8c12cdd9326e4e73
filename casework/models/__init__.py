from casework.models.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    InterpreterBooking,
    InterpreterState,
)
from casework.models.case import Case, CaseSequence, CaseState
from casework.models.nrm import CompetentAuthority, NrmRecord, NrmState
from casework.models.records import (
    CaseNote,
    Charge,
    ConsentRecord,
    Dependant,
    Disclosure,
    ImmediateNeed,
    SupportGoal,
)
from casework.models.reference import ReferralBatch, ReferringAgency

__all__ = [
    "Appointment",
    "AppointmentKind",
    "AppointmentState",
    "InterpreterBooking",
    "InterpreterState",
    "Case",
    "CaseNote",
    "CaseSequence",
    "CaseState",
    "Charge",
    "CompetentAuthority",
    "ConsentRecord",
    "Dependant",
    "Disclosure",
    "ImmediateNeed",
    "NrmRecord",
    "NrmState",
    "ReferralBatch",
    "ReferringAgency",
    "SupportGoal",
]
