from marac.forms.risk import IncidentForm, MaracReferralForm, RiskAssessmentForm

__all__ = ["IncidentForm", "MaracReferralForm", "RiskAssessmentForm"]
