"""Writes for risk work: checklists loaded as data, risk assessments and incidents on a case."""

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from carepath import policy
from carepath.audit import timeline
from carepath.pathway import PathwayError
from carepath.people.models import User
from casework.models import Case
from marac.models import (
    AWAITING_HEARING,
    LEVEL_ORDER,
    Answer,
    Incident,
    MaracArea,
    MaracReferral,
    RiskAssessment,
    RiskChecklist,
    RiskLevel,
    RiskQuestion,
)
from marac.selectors.risk import assessments_of, marac_eligibility


def _checklist_errors(data) -> list[str]:
    if not isinstance(data, dict):
        return [_("The file must hold one JSON object.")]
    errors = []
    slug = data.get("slug")
    if not isinstance(slug, str) or not slug or slugify(slug) != slug:
        errors.append(_("“slug” must be a short name of lower-case letters, digits and dashes."))
    for key in ("name", "source"):
        if not isinstance(data.get(key, ""), str) or (key == "name" and not data.get(key)):
            errors.append(_("“%(key)s” must be text.") % {"key": key})
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        errors.append(_("“questions” must be a list of at least one question."))
        questions = []
    numbers = []
    for position, question in enumerate(questions, start=1):
        if not isinstance(question, dict):
            errors.append(_("Question %(n)s must be an object.") % {"n": position})
            continue
        number = question.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            errors.append(
                _("Question %(n)s: “number” must be a whole number from 1.") % {"n": position}
            )
        else:
            numbers.append(number)
        for key in ("topic", "text"):
            value = question.get(key)
            if not isinstance(value, str) or not value.strip():
                errors.append(
                    _("Question %(n)s: “%(key)s” is missing.") % {"n": position, "key": key}
                )
    if numbers and sorted(numbers) != list(range(1, len(questions) + 1)):
        errors.append(_("Questions must be numbered 1, 2, 3… with no gaps or repeats."))
    bands = {}
    for key in ("high_from", "medium_from"):
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            errors.append(_("“%(key)s” must be a whole number from 1.") % {"key": key})
        else:
            bands[key] = value
    if len(bands) == 2:
        if bands["medium_from"] >= bands["high_from"]:
            errors.append(_("“medium_from” must be lower than “high_from”."))
        if questions and bands["high_from"] > len(questions):
            errors.append(_("“high_from” cannot be more than the number of questions."))
    return errors


@transaction.atomic
def checklist_import(*, data: dict) -> RiskChecklist:
    """Load a question set as the next version of its checklist. Existing versions are never
    changed: completed assessments keep the wording they were asked with."""
    errors = _checklist_errors(data)
    if errors:
        raise PathwayError(" ".join(errors))
    # Two imports racing for the same version: the unique (slug, version) constraint refuses one.
    latest = RiskChecklist.objects.filter(slug=data["slug"]).aggregate(latest=Max("version"))[
        "latest"
    ]
    checklist = RiskChecklist.objects.create(
        slug=data["slug"],
        version=(latest or 0) + 1,
        name=data["name"],
        source=data.get("source", ""),
        high_from=data["high_from"],
        medium_from=data["medium_from"],
    )
    RiskQuestion.objects.bulk_create(
        RiskQuestion(
            checklist=checklist,
            number=q["number"],
            topic=q["topic"].strip(),
            text=q["text"].strip(),
        )
        for q in sorted(data["questions"], key=lambda q: q["number"])
    )
    return checklist


@transaction.atomic
def risk_assessment_record(
    *,
    by: User,
    case: Case,
    checklist: RiskChecklist,
    assessed_on: date,
    answers: dict,
    judgement_level: str = "",
    judgement_reasons: str = "",
    police_incidents_12_months: int = 0,
    notes: str = "",
) -> RiskAssessment:
    """Score a completed checklist: one point per "yes"; professional judgement may raise the
    level, with reasons, but never lower it."""
    policy.require(by, "case.edit", case)
    if assessed_on > timezone.localdate():
        raise PathwayError(_("The date of the assessment cannot be in the future."))
    numbers = list(checklist.questions.values_list("number", flat=True))
    answers = {str(key): value for key, value in answers.items()}
    unknown = sorted(set(answers) - {str(n) for n in numbers})
    if unknown:
        raise PathwayError(
            _("This checklist has no question %(numbers)s.") % {"numbers": ", ".join(unknown)}
        )
    missing = [str(n) for n in numbers if answers.get(str(n)) not in Answer.values]
    if missing:
        raise PathwayError(
            _("Answer every question with yes, no or not known. Unanswered: %(numbers)s.")
            % {"numbers": ", ".join(missing)}
        )
    if police_incidents_12_months is None or police_incidents_12_months < 0:
        raise PathwayError(_("The number of police-reported incidents cannot be negative."))
    score = sum(1 for value in answers.values() if value == Answer.YES)
    score_level = checklist.level_for(score)
    judgement_reasons = judgement_reasons.strip()
    if judgement_level:
        if judgement_level not in RiskLevel.values:
            raise PathwayError(_("Choose a level for your professional judgement."))
        if not judgement_reasons:
            raise PathwayError(_("Give the reasons for your professional judgement."))
        if LEVEL_ORDER[judgement_level] < LEVEL_ORDER[score_level]:
            raise PathwayError(_("Professional judgement cannot lower the level from the score."))
    elif judgement_reasons:
        raise PathwayError(
            _("Choose the level your professional judgement gives, or leave the reasons empty.")
        )
    assessment = RiskAssessment(
        case=case,
        checklist=checklist,
        assessed_on=assessed_on,
        assessed_by=by,
        answers=answers,
        score=score,
        score_level=score_level,
        judgement_level=judgement_level,
        judgement_reasons=judgement_reasons,
        police_incidents_12_months=police_incidents_12_months,
        notes=notes,
    )
    assessment._history_user = by
    assessment.save()
    timeline.record(
        case,
        by=by,
        kind="risk.assessed",
        detail={"id": assessment.pk, "level": assessment.level},
    )
    return assessment


@transaction.atomic
def incident_record(
    *, by: User, case: Case, occurred_on: date, police_reported: bool, summary: str = ""
) -> Incident:
    """A new incident: the case's risk is to be re-assessed."""
    policy.require(by, "case.edit", case)
    if occurred_on > timezone.localdate():
        raise PathwayError(_("The date of the incident cannot be in the future."))
    incident = Incident(
        case=case,
        occurred_on=occurred_on,
        police_reported=police_reported,
        summary=summary.strip(),
        recorded_by=by,
    )
    incident._history_user = by
    incident.save()
    timeline.record(
        case,
        by=by,
        kind="incident.recorded",
        detail={"id": incident.pk, "police_reported": police_reported},
    )
    return incident


@transaction.atomic
def marac_referral_create(
    *,
    by: User,
    case: Case,
    area: MaracArea,
    referred_on: date,
    values: dict,
    withheld_from=(),
) -> MaracReferral:
    """Refer a case to a MARAC. It must meet a referral criterion now; the criteria met and
    whether it is a repeat are kept with the referral, as the data return counts them.
    ``withheld_from``: agencies of the MARAC that must not see the case (for example where the
    perpetrator works)."""
    policy.require(by, "case.edit", case)
    if area.organisation_id != case.organisation_id:
        raise PathwayError(_("Choose a MARAC area of the case's organisation."))
    if referred_on > timezone.localdate():
        raise PathwayError(_("The referral date cannot be in the future."))
    if not case.is_open:
        raise PathwayError(_("Only an open case can be referred."))
    if not values.get("survivor_consents") and not values.get("without_consent_reason", "").strip():
        raise PathwayError(
            _("The person has not consented: record why the risk justifies sharing anyway.")
        )
    waiting = MaracReferral.objects.filter(case=case, area=area, state__in=AWAITING_HEARING)
    if waiting.exists():
        raise PathwayError(_("The case is already referred to this MARAC and waiting to be heard."))
    eligibility = marac_eligibility(case, area, today=referred_on)
    if not eligibility.eligible:
        raise PathwayError(
            _(
                "The case does not meet a referral criterion for this MARAC. Record a risk "
                "assessment (with professional judgement, if that is the reason) first."
            )
        )
    referral = MaracReferral(
        case=case,
        area=area,
        referred_on=referred_on,
        assessment=assessments_of(case).first(),
        criteria=list(eligibility.criteria),
        is_repeat=eligibility.repeat,
        referred_by=by,
        **values,
    )
    referral._history_user = by
    referral.save()
    withheld_set(referral, withheld_from)
    timeline.record(
        case,
        by=by,
        kind="marac.referred",
        detail={"referral": referral.pk, "area": area.pk, "criteria": referral.criteria},
    )
    return referral


def withheld_set(referral: MaracReferral, agencies) -> None:
    agencies = list(agencies)
    if any(agency.area_id != referral.area_id for agency in agencies):
        raise PathwayError(_("Choose agencies of this MARAC."))
    referral.withheld_from.set(agencies)
