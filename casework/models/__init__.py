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
