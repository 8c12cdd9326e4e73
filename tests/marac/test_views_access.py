"""Who may reach MARAC records through the web pages. Everyone outside gets a 404 on every MARAC
URL and changes nothing; a partner gets a 404 on every case page. The URLs are read from
``marac.urls`` and ``casework.urls``, so a new page is covered as soon as it is added."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse

from casework import urls as casework_urls
from marac import urls as marac_urls
from marac.models import ActionState, PartnerAgency
from marac.services import meetings as svc
from tests.casework.test_views_access import KWARG_VALUES as CASE_KWARG_VALUES
from tests.marac.conftest import on_meeting_day

TRANSITION_NAMES = {"meeting_transition": "publish_agenda", "referral_transition": "close"}


@pytest.fixture
def scene(time_machine, chair_a, meeting, make_referral, police, health, police_officer):
    """An approved meeting with a heard case, research and an action for each agency, and a
    waiting referral."""
    referral = make_referral()
    item = svc.marac_meeting_list_case(by=chair_a, meeting=meeting, referral=referral)
    svc.marac_meeting_publish_agenda(by=chair_a, meeting=meeting)
    research = svc.research_record(
        by=police_officer, item=item, agency=police, nothing_held=False, findings="2 callouts"
    )
    on_meeting_day(time_machine)
    svc.marac_meeting_hold(by=chair_a, meeting=meeting)
    attendance = svc.attendance_record(
        by=chair_a, meeting=meeting, agency=police, person="DS Ray", status="present"
    )
    svc.meeting_case_hear(by=chair_a, item=item, summary="Discussed")
    actions = [
        svc.marac_action_create(
            by=chair_a,
            item=item,
            description=f"Action for {agency.name}",
            owner_agency=agency,
            owner_person="Someone",
            due_on=datetime.date(2026, 3, 20),
        )
        for agency in (police, health)
    ]
    svc.marac_meeting_approve_minutes(by=chair_a, meeting=meeting)
    return {
        "meeting": meeting,
        "item": item,
        "referral": referral,
        "research": research,
        "attendance": attendance,
        "actions": actions,
        "area": meeting.area,
        "agency": police,
        "case": referral.case,
    }


def _marac_urls(scene) -> list[str]:
    objects = {
        "meeting": scene["meeting"],
        "item": scene["item"],
        "referral": scene["referral"],
        "area": scene["area"],
        "agency": scene["agency"],
        "action": scene["actions"][0],
        "case": scene["case"],
    }
    prefixes = {
        "meetings/": "meeting",
        "agenda-items/": "item",
        "referrals/": "referral",
        "areas/": "area",
        "agencies/": "agency",
        "actions/": "action",
        "cases/": "case",
    }
    urls = []
    for pattern in marac_urls.urlpatterns:
        if "pk" not in pattern.pattern.converters:
            continue
        route = str(pattern.pattern)
        kind = next(kind for prefix, kind in prefixes.items() if route.startswith(prefix))
        kwargs = {"pk": objects[kind].pk}
        if "name" in pattern.pattern.converters:
            kwargs["name"] = TRANSITION_NAMES[pattern.name]
        if "area_pk" in pattern.pattern.converters:
            kwargs["area_pk"] = scene["area"].pk
        urls.append(reverse(f"marac:{pattern.name}", kwargs=kwargs))
    assert len(urls) >= 25, "the MARAC URLs were not found"
    return urls


def _snapshot() -> dict:
    return {
        model._meta.label: sorted(model.objects.values_list("pk", flat=True))
        for model in apps.get_app_config("marac").get_models()
    } | {
        f"{model._meta.label}.versions": sorted(
            model.objects.values_list("pk", "version")
            if hasattr(model, "version")
            else model.objects.values_list("pk")
        )
        for model in apps.get_app_config("marac").get_models()
    }


@pytest.fixture
def outsiders(make_user, org_a, org_b, team_b):
    other_area = svc.marac_area_create(
        by=make_user(org_a, "marac_chair", username="chair.other"), values={"name": "Elsewhere"}
    )
    uninvited = make_user(org_a, "marac_partner", username="partner.elsewhere")
    PartnerAgency.objects.create(
        area=other_area, name="Elsewhere Police", kind="police"
    ).members.add(uninvited)
    chair_b = make_user(org_b, "marac_chair", username="chair.b")
    partner_b = make_user(org_b, "marac_partner", username="partner.b")
    area_b = svc.marac_area_create(by=chair_b, values={"name": "Area B"})
    PartnerAgency.objects.create(area=area_b, name="B Police", kind="police").members.add(partner_b)
    return {
        "partner of an agency not invited": uninvited,
        "another organisation's chair": chair_b,
        "another organisation's partner": partner_b,
        "caseworker of another team": make_user(
            org_a, "caseworker", username="cw.b", teams=[team_b]
        ),
        "another organisation's manager": make_user(org_b, "service_manager", username="sm.b"),
        "administrator": make_user(org_a, "administrator", username="admin.x"),
    }


def test_outsiders_get_a_404_on_every_marac_url_and_change_nothing(client, scene, outsiders):
    urls = _marac_urls(scene)
    before = _snapshot()
    for who, user in outsiders.items():
        client.force_login(user)
        for url in urls:
            for method in (client.get, client.post):
                response = method(url, {"summary": "x", "reason": "x", "version": 99})
                assert response.status_code == 404, f"{who}: {method.__name__} {url}"
    assert _snapshot() == before


def test_a_partner_gets_a_404_on_every_case_page(client, scene, police_officer):
    client.force_login(police_officer)
    case = scene["case"]
    checked = 0
    for pattern in casework_urls.urlpatterns:
        converters = set(pattern.pattern.converters)
        if "pk" not in converters or converters - {"pk", "name", "kind"}:
            continue
        kwargs = {"pk": case.pk}
        for key in converters - {"pk"}:
            kwargs[key] = CASE_KWARG_VALUES[key][pattern.name]
        url = reverse(f"casework:{pattern.name}", kwargs=kwargs)
        assert client.get(url).status_code == 404, url
        checked += 1
    assert checked >= 10
    # And the MARAC referral, which carries the case's shared details.
    assert client.get(reverse("marac:referral", args=[scene["referral"].pk])).status_code == 404


def test_a_partner_of_another_agency_gets_a_404_on_its_action(client, scene, health_visitor):
    police_action, health_action = scene["actions"]
    client.force_login(health_visitor)
    assert client.get(reverse("marac:action", args=[police_action.pk])).status_code == 404
    response = client.post(
        reverse("marac:action_resolve", args=[police_action.pk]),
        {"state": ActionState.DONE, "outcome": "x", "version": police_action.version},
    )
    assert response.status_code == 404
    police_action.refresh_from_db()
    assert police_action.state == ActionState.OPEN
    assert client.get(reverse("marac:action", args=[health_action.pk])).status_code == 200
