"""Pages for accommodation managers (properties, the vacancy board, placements sent to them) and
for caseworkers (asking for a place, following a request, a read-only vacancy board)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accommodation import forms, selectors, services
from accommodation.models import Placement, PlacementState, Property, Unit
from carepath import policy
from carepath.decorators import role_required
from carepath.pathway import available_transitions
from carepath.people.models import Organisation, Role
from casework.models.choices import Gender, RiskLevel
from casework.views.actions import editable_case, form_page

AM = Role.ACCOMMODATION_MANAGER
CASE_ROLES = (Role.CASEWORKER, Role.SERVICE_MANAGER)
PLACEMENT_ROLES = (AM, *CASE_ROLES)


def _filters(request) -> dict:
    form = forms.BoardFilterForm(request.GET or None)
    values = form.cleaned_data if form.is_valid() else {}
    return {
        "filter_form": form,
        "region": values.get("region", "").strip(),
        "kind": values.get("kind", ""),
    }


# --- Start page and vacancy boards ------------------------------------------------------


# Rows on a page of the vacancy board and of the manager's lists, however large they grow.
VACANCIES_PER_PAGE = 50
BOARD_PER_PAGE = 25


def _vacancy_page(request, filters: dict) -> dict:
    properties = selectors.vacancy_properties(
        request.user, region=filters["region"], kind=filters["kind"]
    )
    page = Paginator(properties, VACANCIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "rows": selectors.vacancy_rows(page.object_list),
        "page": page,
        "query": query.urlencode(),
    }


@role_required(AM)
def board(request):
    filters = _filters(request)
    lists = selectors.accommodation_lists(request.user)
    # Offers about to expire and move-outs soon are few by their dates; these two can be long.
    pages = {
        name: Paginator(lists[name], BOARD_PER_PAGE).get_page(request.GET.get(f"{name}_page"))
        for name in ("awaiting", "occupancy")
    }
    context = {
        "awaiting": pages["awaiting"].object_list,
        "expiring": list(lists["expiring"]),
        "move_outs": list(lists["move_outs"]),
        "occupancy": selectors.occupancy_rows(pages["occupancy"].object_list),
        "pages": pages,
        **filters,
        **_vacancy_page(request, filters),
    }
    return render(request, "accommodation/board.html", context)


@role_required(*CASE_ROLES)
def vacancies(request):
    filters = _filters(request)
    context = {**filters, **_vacancy_page(request, filters)}
    return render(request, "accommodation/vacancies.html", context)


# --- Properties, units and bed spaces ---------------------------------------------------


def _property_url(prop: Property) -> str:
    return reverse("accommodation:property", kwargs={"pk": prop.pk})


@role_required(AM)
def property_list(request):
    properties = selectors.properties_managed_by(request.user)
    return render(request, "accommodation/property_list.html", {"properties": properties})


@role_required(AM)
def property_new(request):
    form = forms.PropertyForm(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("Add a property"),
        save=lambda data: services.property_save(by=request.user, prop=form.save(commit=False)),
        done=_("Property added. Now add its units and bed spaces."),
        to=_property_url,
        back=reverse("accommodation:properties"),
    )


@role_required(AM)
def property_detail(request, pk: int):
    prop = selectors.property_for(request.user, pk=pk, path=request.path)
    holders = {
        placement.bed_space_id: placement
        for placement in selectors.placements_visible_to(request.user).filter(
            bed_space__unit__property=prop, state__in=services.HOLDING_STATES
        )
    }
    units = [
        {
            "unit": unit,
            "beds": [(bed, holders.get(bed.pk)) for bed in unit.bed_spaces.all()],
        }
        for unit in prop.units.all()
    ]
    context = {
        "property": prop,
        "units": units,
        "show_address": selectors.address_visible(request.user, prop),
    }
    return render(request, "accommodation/property_detail.html", context)


@role_required(AM)
def property_edit(request, pk: int):
    prop = selectors.property_for(request.user, pk=pk, path=request.path)
    form = forms.PropertyForm(request.POST or None, instance=prop)
    return form_page(
        request,
        form=form,
        title=_("Change %(name)s") % {"name": prop.name},
        save=lambda data: services.property_save(by=request.user, prop=form.save(commit=False)),
        done=_("Property saved."),
        to=_property_url,
        back=_property_url(prop),
    )


def _unit_page(request, prop: Property, unit: Unit, title: str):
    initial = {"bed_spaces": unit.bed_spaces.count() if unit.pk else 1}
    form = forms.UnitForm(request.POST or None, instance=unit, initial=initial)
    return form_page(
        request,
        form=form,
        title=title,
        save=lambda data: services.unit_save(
            by=request.user, unit=form.save(commit=False), bed_spaces=data["bed_spaces"]
        ),
        done=_("Unit saved."),
        to=lambda _unit: _property_url(prop),
        back=_property_url(prop),
    )


@role_required(AM)
def unit_new(request, pk: int):
    prop = selectors.property_for(request.user, pk=pk, path=request.path)
    title = _("Add a unit to %(name)s") % {"name": prop.name}
    return _unit_page(request, prop, Unit(property=prop), title)


@role_required(AM)
def unit_edit(request, pk: int, unit_pk: int):
    prop = selectors.property_for(request.user, pk=pk, path=request.path)
    unit = get_object_or_404(prop.units.all(), pk=unit_pk)
    return _unit_page(request, prop, unit, _("Change %(unit)s") % {"unit": unit})


@role_required(AM)
def bed_space_use(request, pk: int):
    bed = selectors.bed_space_for(request.user, pk=pk)
    prop = bed.unit.property
    form = forms.BedSpaceUseForm(
        request.POST or None,
        initial={
            "version": bed.version,
            "out_of_use": "yes" if bed.out_of_use else "no",
            "reason": bed.out_of_use_reason,
            "until": bed.out_of_use_until,
        },
    )
    return form_page(
        request,
        form=form,
        title=_("Use of %(bed)s") % {"bed": bed},
        save=lambda data: services.bed_space_set_out_of_use(
            by=request.user,
            bed=bed,
            expected_version=data["version"],
            out_of_use=data["out_of_use"],
            reason=data["reason"] if data["out_of_use"] else "",
            until=data["until"] if data["out_of_use"] else None,
        ),
        done=_("Bed space saved."),
        to=lambda _bed: _property_url(prop),
        back=_property_url(prop),
    )


# --- Placements -------------------------------------------------------------------------


def _placement_url(placement: Placement) -> str:
    return reverse("accommodation:placement", kwargs={"pk": placement.pk})


@role_required(*CASE_ROLES)
def placement_request(request, case_pk: int):
    case = editable_case(request, case_pk)
    providers = Organisation.objects.filter(properties__active=True).distinct().order_by("name")
    languages = ", ".join(part for part in (case.main_language, case.other_languages) if part)
    form = forms.PlacementRequestForm(
        request.POST or None,
        providers=providers,
        initial={
            "provider": providers.filter(pk=request.user.organisation_id).first(),
            "known_as": case.given_name,
            "gender": case.gender,
            "languages": languages,
            "risk_level": case.risk_at_intake,
        },
    )
    return form_page(
        request,
        form=form,
        title=_("Ask for accommodation"),
        save=lambda data: services.placement_request(
            by=request.user, case=case, provider=data["provider"], values=form.values()
        ),
        done=_("Request sent to the provider."),
        to=_placement_url,
        back=reverse("casework:case", kwargs={"pk": case.pk}),
        context={"case": case},
        template="accommodation/request_form.html",
    )


@role_required(*PLACEMENT_ROLES)
def placement_detail(request, pk: int):
    placement = selectors.placement_for(request.user, pk=pk, path=request.path)
    user = request.user
    can_manage = policy.can(user, "placement.manage", placement)
    matches, excluded = [], []
    if can_manage and placement.state == PlacementState.REQUESTED:
        matches, excluded = selectors.matches_for(placement)
    prop = placement.bed_space.unit.property if placement.bed_space_id else None
    context = {
        "placement": placement,
        "transitions": available_transitions(placement, user, permission="placement.transition"),
        "can_manage": can_manage,
        "matches": matches,
        "excluded": excluded,
        "property": prop,
        "show_address": prop is not None and selectors.address_visible(user, prop),
        "can_view_case": policy.can(user, "case.view", placement.case),
        "gender_label": dict(Gender.choices).get(placement.gender, placement.gender),
        "risk_label": dict(RiskLevel.choices).get(placement.risk_level, placement.risk_level),
    }
    return render(request, "accommodation/placement_detail.html", context)


def _offer(by, placement, data):
    return services.placement_offer(
        by=by, placement=placement, bed_space=data["bed_space"], expected_version=data["version"]
    )


def _accept(by, placement, data):
    return services.placement_accept(by=by, placement=placement, expected_version=data["version"])


def _decline(by, placement, data):
    return services.placement_decline(
        by=by,
        placement=placement,
        expected_version=data["version"],
        reason=data["reason"],
        notes=data["notes"],
    )


def _withdraw(by, placement, data):
    return services.placement_withdraw(
        by=by, placement=placement, expected_version=data["version"], notes=data["notes"]
    )


def _move_in(by, placement, data):
    return services.placement_move_in(
        by=by,
        placement=placement,
        expected_version=data["version"],
        on=data["on"],
        licence_signed=data["licence_signed"],
        key_worker=data["key_worker"],
        planned_move_out_on=data["planned_move_out_on"],
    )


def _move_out(by, placement, data):
    return services.placement_move_out(
        by=by,
        placement=placement,
        expected_version=data["version"],
        on=data["on"],
        reason=data["reason"],
        destination=data["destination"],
    )


# The ``form`` name a transition declares -> its form and the service that takes it.
ACTIONS = {
    "offer": (forms.OfferForm, _offer),
    "accept": (forms.AcceptForm, _accept),
    "decline": (forms.DeclineForm, _decline),
    "withdraw": (forms.WithdrawForm, _withdraw),
    "move_in": (forms.MoveInForm, _move_in),
    "move_out": (forms.MoveOutForm, _move_out),
}


def _declared(name: str) -> dict:
    """What the transition ``name`` declares about itself (its label, form and permission)."""
    meta = getattr(Placement, name)._django_fsm
    return next(iter(meta.transitions.values())).custom or {}


def _permission_for(name: str) -> str:
    return _declared(name).get("permission", "placement.transition")


@role_required(*PLACEMENT_ROLES)
def placement_action(request, pk: int, name: str):
    placement = selectors.placement_for(request.user, pk=pk, path=request.path)
    if name not in ACTIONS or not policy.can(request.user, _permission_for(name), placement):
        raise Http404
    make_form, run = ACTIONS[name]
    kwargs = {"initial": {"version": placement.version, "on": timezone.localdate()}}
    if name == "offer":
        kwargs["matches"] = selectors.matches_for(placement)[0]
    form = make_form(request.POST if request.method == "POST" else None, **kwargs)
    return form_page(
        request,
        form=form,
        title=str(_declared(name)["label"]),
        save=lambda data: run(request.user, placement, data),
        done=lambda result: (
            _("Done: the placement is now “%(state)s”.") % {"state": result.get_state_display()}
        ),
        to=_placement_url,
        back=_placement_url(placement),
        context={"placement": placement},
        template="accommodation/placement_action.html",
    )
