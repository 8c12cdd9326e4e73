"""One journey per role, in a real browser against the demo data (tests/e2e/conftest.py)."""

import time

from tests.e2e.conftest import Journey


def test_administrator_adds_a_user_and_a_text_message_template(journey: Journey):
    page = journey.sign_in("administrator.clyde")
    stamp = str(int(time.time()))[-6:]

    journey.go("/people/users/new/")
    page.get_by_label("Username").fill(f"new.caseworker.{stamp}")
    page.get_by_label("First name").fill("Isla")
    page.get_by_label("Last name").fill("Morrison")
    page.get_by_label("Email").fill(f"isla.{stamp}@example.org")
    page.get_by_label("Caseworker").check()
    page.locator("main form").get_by_role("button").last.click()
    journey.check("user-added")
    assert "/people/users/new/" not in page.url
    assert "Isla Morrison" in page.content()

    journey.go("/sms/templates/new/")
    page.get_by_label("Purpose").fill("appointment")
    page.get_by_label("Language code").fill("pl")
    page.get_by_label("Text").fill("Przypomnienie: {date} o {time}. {sender}")
    page.locator("main form").get_by_role("button", name="Preview").click()
    journey.check("template-preview")
    assert "Przypomnienie:" in page.locator("main").inner_text()
    page.locator("main form").get_by_role("button", name="Save").click()
    journey.check("template-added")
    assert "/sms/templates/new/" not in page.url
    assert "Przypomnienie" in page.content() or "(pl)" in page.content()
    journey.assert_clean()


def test_marac_partner_sees_their_meeting_and_action_and_not_the_case(journey: Journey):
    page = journey.sign_in("marac.partner.clyde")
    assert page.url.endswith("/marac/")

    page.locator("main").get_by_role("link", name="2026").first.click()
    journey.check("meeting")
    main = page.locator("main").inner_text()
    assert "Cases discussed" in main and "Minutes approved" in main

    journey.go("/marac/actions/")
    assert "Police Scotland, Greater Glasgow (demo)" in page.locator("main").inner_text()
    assert page.locator("main a[href^='/cases/']").count() == 0

    response = page.goto(journey.base + "/cases/1/")
    assert response.status == 404
    journey.check("case-not-found")
    journey.assert_clean()
