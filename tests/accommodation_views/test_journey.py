"""The accommodation manager's whole journey through the pages, with a caseworker asking for a
place from a case: property, unit, board, request with an exclusion area, matching, offer,
acceptance, move-in, move-out, and the bed space free again."""

import datetime

from django.urls import reverse

from accommodation.models import Placement, PlacementState, Property
from tests.accommodation_views.conftest import NOTE_TEXT


def _board_row(response, prop):
    return next(r for r in response.context["rows"] if r["property"]["pk"] == prop.pk)


def _follow_ok(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def test_from_a_new_property_to_a_move_out(client, am_b, org_b, caseworker_a, case_a, frozen_clock):
    # The accommodation manager adds two properties, one in Cardiff.
    client.force_login(am_b)
    assert client.get(reverse("accommodation:board")).status_code == 200
    property_values = {
        "name": "Rowan House",
        "kind": "refuge",
        "address": "12 Confidential Street",
        "postcode": "G40 1AA",
        "local_authority": "Glasgow City",
        "region": "West of Scotland",
        "languages": "English, Arabic",
        "funding_source": "Scottish Government",
        "weekly_charge": "180.50",
        "active": "on",
    }
    _follow_ok(client.post(reverse("accommodation:property_new"), property_values))
    rowan = Property.objects.get(name="Rowan House")
    assert rowan.organisation == org_b and str(rowan.weekly_charge) == "180.50"
    _follow_ok(
        client.post(
            reverse("accommodation:property_new"),
            {
                **property_values,
                "name": "Taff Place",
                "postcode": "CF10 1AA",
                "local_authority": "Cardiff",
                "region": "South Wales",
                "address": "3 Quiet Road",
            },
        )
    )
    taff = Property.objects.get(name="Taff Place")
    for prop in (rowan, taff):
        _follow_ok(
            client.post(
                reverse("accommodation:unit_new", args=[prop.pk]),
                {"name": "Ground floor", "women_only": "on", "bed_spaces": "2"},
            )
        )
    page = client.get(reverse("accommodation:property", args=[rowan.pk]))
    assert "12 Confidential Street" in page.content.decode()
    assert page.content.decode().count("Take out of use") == 2

    board = client.get(reverse("accommodation:board"))
    assert _board_row(board, rowan)["free"] == 2
    assert _board_row(board, taff)["free"] == 2

    # The caseworker asks for a place from the case, away from Cardiff.
    client.force_login(caseworker_a)
    url = reverse("accommodation:placement_request", args=[case_a.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["known_as"].value() == "Amina"
    assert form.context["form"]["languages"].value() == "Arabic, French"
    location = _follow_ok(
        client.post(
            url,
            {
                "provider": org_b.pk,
                "known_as": "Amina",
                "gender": "female",
                "languages": "Arabic",
                "risk_level": "high",
                "exclusion_areas": "Cardiff",
            },
        )
    )
    placement = Placement.objects.get(case=case_a)
    assert location == reverse("accommodation:placement", args=[placement.pk])

    # The provider's manager sees the request, the excluded property and why, the match.
    client.force_login(am_b)
    board = client.get(reverse("accommodation:board"))
    assert placement in board.context["awaiting"]
    page = client.get(location)
    content = page.content.decode()
    assert page.status_code == 200
    assert "Excluded properties" in content
    excluded = page.context["excluded"]
    assert [e.property for e in excluded] == [taff]
    assert "Cardiff" in excluded[0].reason and excluded[0].reason in content
    matches = page.context["matches"]
    assert {m.property for m in matches} == {rowan}
    assert "Staff speak Arabic." in content
    assert NOTE_TEXT not in content and "Secretname" not in content
    assert case_a.reference not in content

    # The manager offers the best match with the button on the page.
    best = matches[0]
    offer_url = reverse("accommodation:placement_action", args=[placement.pk, "offer"])
    _follow_ok(
        client.post(offer_url, {"bed_space": best.bed_space.pk, "version": placement.version})
    )
    placement.refresh_from_db()
    assert placement.state == PlacementState.OFFERED
    assert placement.bed_space == best.bed_space
    board = client.get(reverse("accommodation:board"))
    assert _board_row(board, rowan)["free"] == 1
    assert placement not in board.context["expiring"]
    frozen_clock.move_to(datetime.datetime(2026, 3, 3, 18, tzinfo=datetime.UTC))
    client.force_login(am_b)  # the idle session ended overnight
    board = client.get(reverse("accommodation:board"))
    assert placement in board.context["expiring"]

    # The caseworker records the acceptance; the address now shows on their placement page.
    client.force_login(caseworker_a)
    page = client.get(location)
    assert "Record that the offer is accepted" in page.content.decode()
    assert "12 Confidential Street" not in page.content.decode()
    accept_url = reverse("accommodation:placement_action", args=[placement.pk, "accept"])
    _follow_ok(client.post(accept_url, {"version": placement.version}))
    placement.refresh_from_db()
    assert placement.state == PlacementState.ACCEPTED
    assert "12 Confidential Street" in client.get(location).content.decode()

    # The manager records the move-in, with a planned move-out.
    client.force_login(am_b)
    move_in_url = reverse("accommodation:placement_action", args=[placement.pk, "move_in"])
    _follow_ok(
        client.post(
            move_in_url,
            {
                "version": placement.version,
                "on": "2026-03-03",
                "licence_signed": "on",
                "key_worker": "Kim",
                "planned_move_out_on": "2026-03-10",
            },
        )
    )
    placement.refresh_from_db()
    assert placement.state == PlacementState.MOVED_IN and placement.licence_signed
    board = client.get(reverse("accommodation:board"))
    assert placement in board.context["move_outs"]
    assert _board_row(board, rowan)["expected"] == 1
    occupancy = next(r for r in board.context["occupancy"] if r["property"] == rowan)
    assert occupancy["occupied"] == 1

    # Ten days later she moves on.
    frozen_clock.move_to(datetime.datetime(2026, 3, 12, 10, tzinfo=datetime.UTC))
    client.force_login(am_b)
    move_out_url = reverse("accommodation:placement_action", args=[placement.pk, "move_out"])
    _follow_ok(
        client.post(
            move_out_url,
            {
                "version": placement.version,
                "on": "2026-03-11",
                "reason": "Move-on tenancy",
                "destination": "Council tenancy",
            },
        )
    )
    placement.refresh_from_db()
    assert placement.state == PlacementState.MOVED_OUT
    assert placement.moved_out_on == datetime.date(2026, 3, 11)
    board = client.get(reverse("accommodation:board"))
    assert _board_row(board, rowan)["free"] == 2
    assert _board_row(board, rowan)["expected"] == 0
    assert "Council tenancy" in client.get(location).content.decode()
