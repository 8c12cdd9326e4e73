"""The start page, the vacancy boards' filters and the navigation to them."""

from django.urls import reverse

from carepath.navigation import items_for, start_url_for


def _names(response):
    return [row["property"]["name"] for row in response.context["rows"]]


def test_the_board_filters_by_region_and_kind(client, am_b, make_property, caseworker_a):
    make_property(am_b, "Rowan House", region="West of Scotland")
    make_property(am_b, "Taff Place", region="South Wales", local_authority="Cardiff")
    for person, name in ((am_b, "board"), (caseworker_a, "vacancies")):
        client.force_login(person)
        url = reverse(f"accommodation:{name}")
        assert _names(client.get(url)) == ["Taff Place", "Rowan House"]
        assert _names(client.get(url, {"region": "south wales"})) == ["Taff Place"]
        assert _names(client.get(url, {"kind": "safe_house"})) == []
        # A kind that does not exist is ignored, never an error.
        assert client.get(url, {"kind": "castle"}).status_code == 200


def test_the_navigation(am_b, caseworker_a, manager_a):
    assert start_url_for(am_b) == reverse("accommodation:board")
    assert reverse("accommodation:properties") in [i["url"] for i in items_for(am_b)]
    for person in (caseworker_a, manager_a):
        urls = [i["url"] for i in items_for(person)]
        assert reverse("accommodation:vacancies") in urls
        assert reverse("accommodation:board") not in urls
    assert start_url_for(caseworker_a) == reverse("casework:caseload")
