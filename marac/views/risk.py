from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from carepath.decorators import role_required
from casework.views.actions import action_page, editable_case
from casework.views.cases import CASE_ROLES
from marac import forms
from marac.models import MaracArea, RiskChecklist
from marac.selectors import risk as selectors
from marac.services import risk as services


def _checklist_for(request) -> tuple[RiskChecklist, list[RiskChecklist]]:
    """The checklist posted back (any version, so a form drawn before an import still saves
    with the wording it showed), or the one chosen, or the DASH-style set by default."""
    in_use = selectors.checklists_in_use()
    posted = request.POST.get("checklist") if request.method == "POST" else None
    if posted:
        if not posted.isdigit():
            raise RiskChecklist.DoesNotExist
        return get_object_or_404(RiskChecklist, pk=posted), in_use
    chosen = request.GET.get("checklist", "dash")
    for checklist in in_use:
        if checklist.slug == chosen:
            return checklist, in_use
    if not in_use:
        raise RiskChecklist.DoesNotExist
    return in_use[0], in_use


@role_required(*CASE_ROLES)
def assessment_new(request, pk: int):
    case = editable_case(request, pk)
    try:
        checklist, in_use = _checklist_for(request)
    except RiskChecklist.DoesNotExist:
        return render(
            request,
            "marac/no_checklist.html",
            {"case": case, "title": _("Record a risk assessment")},
            status=404,
        )
    form = forms.RiskAssessmentForm(request.POST or None, checklist=checklist)

    def save(data):
        return services.risk_assessment_record(
            by=request.user,
            case=case,
            checklist=checklist,
            assessed_on=data["assessed_on"],
            answers=form.answers(),
            judgement_level=data["judgement_level"],
            judgement_reasons=data["judgement_reasons"],
            police_incidents_12_months=data["police_incidents_12_months"],
            notes=data["notes"],
        )

    form.checklists_in_use = in_use
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Record a risk assessment"),
        save=save,
        done=lambda a: (
            _("Risk assessment recorded: score %(score)s, %(level)s risk.")
            % {"score": a.score, "level": a.get_score_level_display().lower()}
            if not a.judgement_level
            else _("Risk assessment recorded: %(level)s risk by professional judgement.")
            % {"level": a.get_judgement_level_display().lower()}
        ),
        template="marac/assessment_form.html",
    )


@role_required(*CASE_ROLES)
def incident_new(request, pk: int):
    case = editable_case(request, pk)
    form = forms.IncidentForm(request.POST or None)
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Record a new incident"),
        save=lambda data: services.incident_record(by=request.user, case=case, **data),
        done=_("Incident recorded. Re-assess the risk now that something has happened."),
    )


@role_required(*CASE_ROLES)
def referral_new(request, pk: int, area_pk: int):
    case = editable_case(request, pk)
    area = get_object_or_404(MaracArea, pk=area_pk, organisation_id=case.organisation_id)
    form = forms.MaracReferralForm(
        request.POST or None, initial={"referred_on": timezone.localdate()}, area=area
    )
    return action_page(
        request,
        case=case,
        form=form,
        title=_("Refer to %(area)s") % {"area": area.name},
        done=lambda referral: (
            _("Referred to %(area)s%(repeat)s.")
            % {"area": area.name, "repeat": _(" (a repeat referral)") if referral.is_repeat else ""}
        ),
        save=lambda data: services.marac_referral_create(
            by=request.user,
            case=case,
            area=area,
            referred_on=data["referred_on"],
            values=form.values(),
            withheld_from=data["withheld_from"],
        ),
    )
