"""Reads for risk work: assessment history, the re-assessment prompt and MARAC eligibility."""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case
from marac.models import (
    Incident,
    MaracAction,
    MaracArea,
    MaracReferral,
    MeetingCase,
    MeetingState,
    RiskAssessment,
    RiskChecklist,
    RiskLevel,
)


def checklists_in_use() -> list[RiskChecklist]:
    """The newest version of each checklist in use: the one new assessments are made with."""
    newest = (
        RiskChecklist.objects.filter(active=True).values("slug").annotate(newest=Max("version"))
    )
    wanted = {(row["slug"], row["newest"]) for row in newest}
    return [
        c
        for c in RiskChecklist.objects.filter(active=True).order_by("slug", "-version")
        if (c.slug, c.version) in wanted
    ]


def assessments_of(case: Case) -> QuerySet[RiskAssessment]:
    """The case's assessments, newest first, so changes over time are visible."""
    return case.risk_assessments.select_related("checklist", "assessed_by").order_by(
        "-assessed_on", "-pk"
    )


def incidents_of(case: Case) -> QuerySet[Incident]:
    return case.incidents.order_by("-occurred_on", "-pk")


def reassessment_due(case: Case) -> bool:
    """No assessment yet, or an incident since the latest one."""
    latest = assessments_of(case).first()
    if latest is None:
        return True
    incidents = case.incidents.all()
    return (
        incidents.filter(occurred_on__gt=latest.assessed_on).exists()
        # An incident on the day of the assessment but recorded after it.
        or incidents.filter(
            occurred_on=latest.assessed_on, recorded_at__gt=latest.created_at
        ).exists()
    )


CRITERIA = ("visible_high_risk", "professional_judgement", "potential_escalation", "repeat")


@dataclass
class Eligibility:
    area: MaracArea
    criteria: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return bool(self.criteria)

    @property
    def repeat(self) -> bool:
        return "repeat" in self.criteria


def marac_eligibility(case: Case, area: MaracArea, *, today: date | None = None) -> Eligibility:
    """Which MARAC referral criteria the case meets for this area, and why."""
    today = today or timezone.localdate()
    result = Eligibility(area=area)
    latest = assessments_of(case).filter(assessed_on__lte=today).first()
    if latest is not None:
        if latest.score >= latest.checklist.high_from:
            result.criteria.append("visible_high_risk")
            result.reasons.append(
                _("Visible high risk: %(score)s “yes” answers (high from %(high)s).")
                % {"score": latest.score, "high": latest.checklist.high_from}
            )
        if latest.judgement_level == RiskLevel.HIGH:
            result.criteria.append("professional_judgement")
            result.reasons.append(
                _("Professional judgement: high risk (%(reasons)s).")
                % {"reasons": latest.judgement_reasons}
            )
        if latest.police_incidents_12_months >= area.escalation_incidents:
            result.criteria.append("potential_escalation")
            result.reasons.append(
                _(
                    "Potential escalation: %(count)s police-reported incidents in 12 months "
                    "(this MARAC refers from %(threshold)s)."
                )
                % {
                    "count": latest.police_incidents_12_months,
                    "threshold": area.escalation_incidents,
                }
            )
    last_referral = (
        MaracReferral.objects.filter(case=case, area=area, referred_on__lte=today)
        .order_by("-referred_on", "-pk")
        .first()
    )
    if last_referral is not None:
        # Any incident within 12 months of the last referral to this MARAC: always referred.
        window_end = min(last_referral.referred_on + relativedelta(months=12), today)
        incident = (
            case.incidents.filter(
                occurred_on__gt=last_referral.referred_on, occurred_on__lte=window_end
            )
            .order_by("occurred_on")
            .first()
        )
        if incident is not None:
            result.criteria.append("repeat")
            result.reasons.append(
                _(
                    "Repeat: an incident on %(incident)s, within 12 months of the referral "
                    "to this MARAC on %(referred)s."
                )
                % {
                    "incident": incident.occurred_on.strftime("%-d %b %Y"),
                    "referred": last_referral.referred_on.strftime("%-d %b %Y"),
                }
            )
    return result


def risk_summary(case: Case, *, today: date | None = None) -> dict:
    """What the case page shows about risk."""
    assessments = list(assessments_of(case)[:20])
    for assessment in assessments:
        assessment.level_label = RiskLevel(assessment.level).label
    areas = MaracArea.objects.filter(organisation_id=case.organisation_id)
    return {
        "latest": assessments[0] if assessments else None,
        "assessments": assessments,
        "incidents": list(incidents_of(case)[:20]),
        "reassessment_due": reassessment_due(case),
        "eligibility": [marac_eligibility(case, area, today=today) for area in areas],
        "referrals": marac_referrals_of(case, today=today),
    }


def marac_referrals_of(case: Case, *, today: date | None = None) -> list[MaracReferral]:
    """The case's MARAC referrals, newest first, each with the meetings it was listed for. The
    discussion summary and actions of a meeting are shown only once its minutes are approved:
    until then they are a draft the chair may still change. A fixed number of queries."""
    today = today or timezone.localdate()
    actions = MaracAction.objects.select_related("owner_agency").order_by("due_on", "pk")
    listings = (
        MeetingCase.objects.select_related("meeting")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("meeting__starts_at", "pk")
    )
    referrals = list(
        case.marac_referrals.select_related("area", "transferred_from__area")
        .prefetch_related(Prefetch("listings", queryset=listings))
        .order_by("-referred_on", "-pk")
    )
    for referral in referrals:
        for item in referral.listings.all():
            item.minutes_approved = item.meeting.state == MeetingState.MINUTES_APPROVED
            for action in item.actions.all():
                action.overdue = action.is_overdue(today)
    return referrals
