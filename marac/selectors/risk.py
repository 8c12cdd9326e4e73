"""Reads for risk work: assessment history, the re-assessment prompt and MARAC eligibility."""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Max, Prefetch, Q, QuerySet
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

# The assessments and incidents the case page lists, newest first.
SHOWN = 20


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
    return _reassessment_due(case, latest=assessments_of(case).first())


def _reassessment_due(case: Case, *, latest: RiskAssessment | None) -> bool:
    if latest is None:
        return True
    return case.incidents.filter(
        Q(occurred_on__gt=latest.assessed_on)
        # An incident on the day of the assessment but recorded after it.
        | Q(occurred_on=latest.assessed_on, recorded_at__gt=latest.created_at)
    ).exists()


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
    last_referral = (
        MaracReferral.objects.filter(case=case, area=area, referred_on__lte=today)
        .order_by("-referred_on", "-pk")
        .first()
    )
    return _eligibility(
        case,
        area,
        today=today,
        latest=assessments_of(case).filter(assessed_on__lte=today).first(),
        last_referral=last_referral,
    )


def _eligibility(
    case: Case,
    area: MaracArea,
    *,
    today: date,
    latest: RiskAssessment | None,
    last_referral: MaracReferral | None,
) -> Eligibility:
    """``marac_eligibility`` from the case's latest assessment and its last referral to the
    area, both as of ``today``."""
    result = Eligibility(area=area)
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
    """What the case page shows about risk. The latest assessment and the last referral to
    each area come from the lists it shows, not from queries of their own."""
    today = today or timezone.localdate()
    assessments = list(assessments_of(case)[:SHOWN])
    for assessment in assessments:
        assessment.level_label = RiskLevel(assessment.level).label
    latest = assessments[0] if assessments else None
    # The newest assessment made by today (one dated later is not yet in force).
    in_force = next((a for a in assessments if a.assessed_on <= today), None)
    if in_force is None and len(assessments) == SHOWN:
        in_force = assessments_of(case).filter(assessed_on__lte=today).first()
    referrals = marac_referrals_of(case, today=today)  # newest first
    last_referrals = {}
    for referral in referrals:
        if referral.referred_on <= today:
            last_referrals.setdefault(referral.area_id, referral)
    areas = MaracArea.objects.filter(organisation_id=case.organisation_id)
    return {
        "latest": latest,
        "assessments": assessments,
        "incidents": list(incidents_of(case)[:SHOWN]),
        "reassessment_due": _reassessment_due(case, latest=latest),
        "eligibility": [
            _eligibility(
                case,
                area,
                today=today,
                latest=in_force,
                last_referral=last_referrals.get(area.pk),
            )
            for area in areas
        ],
        "referrals": referrals,
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
