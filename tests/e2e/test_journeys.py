"""One journey per role, in a real browser against the demo data (tests/e2e/conftest.py)."""

import re
import time
from pathlib import Path

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


def test_service_manager_allocates_a_referral_and_exports_the_nrm_report(journey: Journey):
    page = journey.sign_in("service.manager.clyde")
    assert page.url.endswith("/cases/dashboard/")

    # The first unallocated referral on the dashboard.
    allocate = page.locator("main a[href$='/do/accept/']").last
    case_path = allocate.get_attribute("href").removesuffix("do/accept/")
    allocate.click()
    journey.check("allocate")
    page.get_by_label("Caseworker").select_option(label="Morag Kerr")
    page.locator("main form").get_by_role("button", name="Confirm").click()
    journey.check("allocated")
    assert page.url.endswith(case_path)
    assert "Caseworker: Morag Kerr" in page.locator("main").inner_text()

    journey.go("/reports/")
    page.locator("main").get_by_role("link", name=re.compile("NRM")).first.click()
    journey.check("nrm-report")
    assert "All referrals" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.locator("main").get_by_role("link", name="CSV, as recorded").first.click()
    exported = download.value
    assert exported.suggested_filename.endswith(".csv")
    assert "All referrals" in Path(exported.path()).read_text(encoding="utf-8-sig")
    journey.assert_clean()


def _take(journey: Journey, action: str, label: str):
    """Open an action of the page by its link, and submit its form."""
    page = journey.page
    page.locator("main").get_by_role("link", name=action).first.click()
    journey.check(label)
    return page


def test_accommodation_manager_offers_a_match_moves_in_and_later_out(
    journey: Journey, browser, demo_server
):
    page = journey.sign_in("accommodation.manager.clyde")
    journey.go("/accommodation/placements/3/")
    assert "Matching bed spaces" in page.locator("main").inner_text()

    _take(journey, "Offer a bed space", "offer")
    page.get_by_label("Birch Court, Flat 2, Bed 1", exact=False).check()
    page.locator("main form").get_by_role("button", name="Confirm").click()
    journey.check("offered")
    assert "Offered" in page.locator("main").inner_text()

    # The caseworker who asked records that the person accepts the offer.
    caseworker = Journey(browser, demo_server, journey.name + "-caseworker")
    try:
        caseworker.sign_in("caseworker.clyde")
        caseworker.go("/accommodation/placements/3/")
        _take(caseworker, "Record that the offer is accepted", "accept")
        caseworker.page.locator("main form").get_by_role("button").first.click()
        caseworker.check("accepted")
        caseworker.assert_clean()
    finally:
        caseworker.close()

    journey.go("/accommodation/placements/3/")
    _take(journey, "Record the move-in", "move-in")
    page.get_by_label("Moved in on").fill("2026-11-24")
    page.get_by_label("Key worker").fill("Shona Reid")
    page.get_by_label("Licence agreement signed").check()
    page.locator("main form").get_by_role("button").first.click()
    journey.check("moved-in")
    assert "Moved in" in page.locator("main").inner_text()

    _take(journey, "Record the move-out", "move-out")
    page.get_by_label("Moved out on").fill("2026-11-24")
    page.get_by_label("Why they moved out").fill("Moved to a council tenancy")
    page.locator("main form").get_by_role("button").first.click()
    journey.check("moved-out")
    assert "Moved out" in page.locator("main").inner_text()
    journey.assert_clean()
