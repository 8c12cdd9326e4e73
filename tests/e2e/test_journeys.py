"""One journey per role, in a real browser against the demo data (tests/e2e/conftest.py)."""

import re
import time
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.e2e.conftest import Journey

LONDON = ZoneInfo("Europe/London")


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


def _submit(journey: Journey, label: str):
    """Submit the page's form by its first button, and check the page it leads to."""
    journey.page.locator("main form").get_by_role("button").first.click()
    return journey.check(label)


def _main_text(journey: Journey) -> str:
    return journey.page.locator("main").inner_text()


def _case_texts(journey: Journey, case_path: str) -> str:
    journey.go(case_path)
    return journey.page.get_by_role("region", name="Text messages").inner_text()


def test_caseworker_takes_a_referral_to_support_and_through_its_first_steps(journey: Journey):
    page = journey.sign_in("caseworker.taff")
    assert page.url.endswith("/cases/caseload/")
    family_name = f"Journey{str(int(time.time()))[-6:]}"
    today = datetime.now(LONDON).date()
    # Two days ahead, so that both reminder rules (a day and two hours before) are in the future.
    on, eve = today + timedelta(days=2), today + timedelta(days=1)

    # Intake: the referral form.
    _take(journey, "Record a referral", "referral-form")
    page.get_by_label("Team").select_option(label="Cardiff casework")
    page.get_by_label("Referral source").select_option(label="First responder")
    page.get_by_label("Referring agency").select_option(label="South Wales Police")
    page.get_by_label("Given name", exact=True).fill("Oksana")
    page.get_by_label("Family name (optional)", exact=True).fill(family_name)
    page.get_by_label("Gender", exact=True).select_option(label="Female")
    page.get_by_label("UK, EEA or other").select_option(label="Other")
    page.get_by_label("Main language").fill("Ukrainian")
    page.get_by_label("Needs an interpreter").check()
    page.get_by_label("Interpreter language").fill("Ukrainian")
    page.get_by_label("Labour exploitation").check()
    page.get_by_label("Jurisdiction").select_option(label="England and Wales")
    page.get_by_label("Local authority").fill("Cardiff")
    _submit(journey, "referred")
    assert f"Oksana {family_name}" in _main_text(journey)
    assert "Referred · NRM: Not referred" in _main_text(journey)
    case_path = re.search(r"/cases/\d+/", page.url).group(0)

    # Taken on and allocated to herself, then consent to support and to the NRM referral.
    _take(journey, "Accept and allocate", "accept")
    page.get_by_label("Caseworker").select_option(label="Ffion Jones")
    _submit(journey, "assessing")
    assert "Caseworker: Ffion Jones" in _main_text(journey)
    for scope in ("Support from this service", "Referral into the NRM"):
        _take(journey, "Record consent", "consent")
        page.get_by_label("Consented to").select_option(label=scope)
        page.get_by_label("How").select_option(label="Spoken through an interpreter")
        _submit(journey, "consented")
    _take(journey, "Start support", "start-support")
    _submit(journey, "supported")
    assert "Supported · NRM: Not referred" in _main_text(journey)

    # A number safe to text, then a GP appointment with an interpreter.
    _take(journey, "Add a phone number", "phone")
    page.get_by_label("Phone number").fill("07700 900461")
    page.get_by_label("Safe to text").check()
    page.get_by_label("Neutral sender name").fill("Clinic")
    page.get_by_label("Safety last checked on").fill(f"{today:%Y-%m-%d}")
    _submit(journey, "phone-added")
    _take(journey, "Add an appointment", "appointment-form")
    page.get_by_label("Kind").select_option(label="GP")
    page.get_by_label("With (service or professional)").fill("Riverside health centre")
    page.get_by_label("Yes: booked").check()
    page.get_by_label("Starts at").fill(f"{on:%Y-%m-%d}T10:30")
    page.get_by_label("Where").fill("Riverside health centre, front desk")
    _submit(journey, "appointment")
    _take(journey, "Book an interpreter", "interpreter-form")
    assert page.get_by_label("Language").input_value() == "Ukrainian"
    page.get_by_label("Gender preference").select_option(label="Female")
    page.get_by_label("How").select_option(label="In person")
    _submit(journey, "interpreter-requested")
    _take(journey, "Record the independence check", "independence")
    page.get_by_label("The interpreter is not a relative").check()
    page.get_by_label("How this was checked").fill("Agency interpreter; she does not know them.")
    _submit(journey, "independence-checked")
    _take(journey, "Confirm the interpreter", "interpreter-confirm")
    page.get_by_label("Interpreter", exact=True).fill("Agency interpreter")
    page.get_by_label("Agency").fill("Language line (demo)")
    _submit(journey, "interpreter-confirmed")
    main = _main_text(journey)
    assert "Ukrainian · In person · Female · Confirmed" in main
    # The planned text reminders, a day and two hours before, on the appointment and the case.
    for planned in (
        page.get_by_role("region", name="Reminders").inner_text(),
        _case_texts(journey, case_path),
    ):
        for due in (rf"{eve.day} {eve:%b %Y} \d\d:30", rf"{on.day} {on:%b %Y} 08:30"):
            assert re.search(rf"\b{due}\s+phone ••• 0461\s+Scheduled", planned), planned

    # The NRM referral, with her consent, and the reasonable grounds decision.
    _take(journey, "Record the NRM submission", "nrm-submit")
    page.get_by_label("First responder organisation").select_option(label="South Wales Police")
    _submit(journey, "nrm-submitted")
    assert "Submitted, awaiting reasonable grounds decision" in _main_text(journey)
    _take(journey, "Record a reasonable grounds decision", "rg-decision")
    page.get_by_label("Positive").check()
    page.get_by_label("Who decided").select_option(label="Single Competent Authority")
    _submit(journey, "rg-recorded")
    nrm = page.get_by_role("region", name="National Referral Mechanism").inner_text()
    assert "Positive reasonable grounds decision" in nrm
    assert "Recovery period ends" in nrm

    # A criminal injuries compensation claim for an assault some 200 days ago.
    incident = (today - timedelta(days=200)).replace(day=10)
    _take(journey, "Criminal injuries compensation", "cica-form")
    page.get_by_label("Title").fill("CICA claim: assault at the car wash")
    page.get_by_label("Date of the incident").fill(f"{incident:%Y-%m-%d}")
    page.get_by_label("First reported to the police on").fill(f"{incident:%Y-%m-%d}")
    page.get_by_label("Solicitor").fill("A. Example")
    _submit(journey, "cica-opened")
    main = _main_text(journey)
    assert "Considering a claim" in main
    apply_by = incident.replace(year=incident.year + 2)  # within two years of the incident
    assert f"Apply for compensation: {apply_by.day} {apply_by:%b %Y}" in main, main

    # A place in a refuge, away from where the exploiter is.
    journey.go(case_path)
    _take(journey, "Request accommodation", "accommodation-form")
    assert page.get_by_label("First name or alias").input_value() == "Oksana"
    page.get_by_label("Accommodation provider").select_option(
        label="Taff Valley Refuge Network (demo)"
    )
    page.get_by_label("Risk level").select_option(label="Medium")
    page.get_by_label("Exclusion areas").fill("Newport")
    _submit(journey, "accommodation-requested")
    assert "Request sent to the provider." in _main_text(journey)
    assert "Exclusion areas\nNewport" in _main_text(journey)
    journey.go(case_path)
    placements = page.get_by_role("region", name="Accommodation").inner_text()
    assert "Taff Valley Refuge Network (demo)" in placements and "Requested" in placements
    journey.assert_clean()


POLICE = "South Wales Police, Cardiff (demo)"
HOUSING = "Cardiff housing options (demo)"


def _later_today(*, minutes: int) -> datetime:
    """A time a few minutes from now, on today's date in London. Close to midnight, wait for
    the new day: a meeting is scheduled in the future and held on its day."""
    now = datetime.now(LONDON)
    if (now + timedelta(minutes=minutes + 1)).date() != now.date():
        midnight = datetime.combine(now.date() + timedelta(days=1), dt_time(), LONDON)
        time.sleep((midnight - now).total_seconds() + 5)
        now = datetime.now(LONDON)
    return (now + timedelta(minutes=minutes)).replace(second=0, microsecond=0)


def test_marac_chair_runs_a_meeting_from_referral_to_approved_minutes(
    journey: Journey, browser, demo_server
):
    # The service manager assesses the risk to Wei Zhang and refers him to the MARAC (the
    # chair cannot open a case; the taff caseworker is the caseworker journey's).
    referrer = Journey(browser, demo_server, journey.name + "-referrer")
    try:
        page = referrer.sign_in("service.manager.taff")
        referrer.go("/cases/search/")
        page.get_by_label("Reference, name or alias").fill("Zhang")
        _submit(referrer, "search")
        page.locator("main tr", has_text="Wei Zhang").get_by_role("link").first.click()
        referrer.check("case")
        _take(referrer, "Record a risk assessment", "risk-assessment")
        questions = page.locator("main fieldset")
        for number in range(questions.count()):
            answer = "Yes" if number < 15 else "No"
            questions.nth(number).get_by_label(answer, exact=True).check()
        page.get_by_label("Police-reported incidents in the last 12 months").fill("1")
        _submit(referrer, "risk-assessed")
        risk = page.get_by_role("region", name="Risk", exact=True).inner_text()
        assert "Current level: High" in risk and "Cardiff MARAC (demo): eligible" in risk, risk
        _take(referrer, "Refer to Cardiff MARAC (demo)", "marac-referral")
        page.get_by_label("Referring agency").select_option(label="Police")
        page.get_by_label("The person knows of the referral").check()
        page.get_by_label("The person consents to the referral").check()
        page.get_by_label("How to contact the person safely").fill("Only through the caseworker.")
        page.get_by_label("Who the person fears").fill("The man who ran the takeaway.")
        _submit(referrer, "referred")
        assert "Referred to Cardiff MARAC (demo)." in _main_text(referrer)
        referrer.assert_clean()
    finally:
        referrer.close()

    page = journey.sign_in("marac.chair.taff")
    journey.go("/marac/areas/")
    page.locator("main").get_by_role("link", name="Cardiff MARAC (demo)").click()
    journey.check("area")
    # A meeting later today, so that it can be held now: the demo's next one is days away.
    starts = _later_today(minutes=3)
    _take(journey, "Schedule meetings", "schedule")
    page.get_by_label("Date of the first meeting").fill(f"{starts:%Y-%m-%d}")
    page.get_by_label("Start time").fill(f"{starts:%H:%M}")
    _submit(journey, "scheduled")
    assert "1 meeting scheduled." in _main_text(journey)

    # The agenda: Wei Zhang's referral, listed and published to the partner agencies.
    day = f"{starts.day} {starts:%b}"
    page.locator("main").get_by_role("button", name=f"List on {day} for Wei Zhang").click()
    journey.check("listed")
    assert "Wei Zhang is listed on the agenda." in _main_text(journey)
    page.locator("main").get_by_role("button", name="Publish the agenda").click()
    journey.check("published")
    assert "Cardiff health board (demo): not yet" in _main_text(journey)

    # The meeting: started, who came, then Wei Zhang's case.
    page.locator("main").get_by_role("button", name="Start the meeting").click()
    journey.check("held")
    assert "The meeting has started." in _main_text(journey)
    for agency, person, status in (
        (POLICE, "Seren Hughes", "Present"),
        ("Taff IDVA service (demo)", "Sam Example", "Present"),
        ("Cardiff health board (demo)", "Jo Sample", "Apologies"),
    ):
        attendance = page.locator("main form", has=page.get_by_label("Deputising for"))
        attendance.get_by_label("Agency").select_option(label=agency)
        attendance.get_by_label("Name").fill(person)
        attendance.get_by_label(status, exact=True).check()
        attendance.get_by_role("button", name="Record attendance").click()
        journey.check("attendance")
    attended = page.get_by_role("region", name="Attendance").inner_text()
    assert "Seren Hughes" in attended and "Apologies" in attended, attended
    page.get_by_label("General minutes (optional)", exact=True).fill(
        "Introductions; the information-sharing agreement."
    )
    page.locator("main").get_by_role("button", name="Save the general minutes").click()
    journey.check("general-minutes")
    page.locator("main").get_by_role("link", name="To discuss").click()
    journey.check("agenda-item")
    assert "Visible high risk" in _main_text(journey)
    page.get_by_label("Discussion summary").fill(
        "The caseworker spoke for Wei. The police to flag the takeaway; housing to find a safe "
        "address away from the area."
    )
    page.locator("main").get_by_role("button", name="Save the summary: the case is heard").click()
    journey.check("heard")

    # The action plan: one action for the police, one for housing.
    for description, agency, person, days in (
        ("Flag the takeaway's address for an urgent response.", POLICE, "PPU", 7),
        ("Find a safe address away from the area.", HOUSING, "Housing officer", 14),
    ):
        action = page.locator("main form", has=page.get_by_label("Person responsible"))
        action.get_by_label("Action").fill(description)
        action.get_by_label("Agency").select_option(label=agency)
        action.get_by_label("Person responsible").fill(person)
        action.get_by_label("Due by").fill(f"{starts.date() + timedelta(days=days):%Y-%m-%d}")
        action.get_by_role("button", name="Set the action").click()
        journey.check("action-set")
    plan = page.get_by_role("region", name="Action plan").inner_text()
    assert "Flag the takeaway's address" in plan and "Find a safe address" in plan, plan

    # The minutes, approved and locked.
    page.locator("main").get_by_role("link", name="Back to the agenda").click()
    journey.check("meeting-held")
    page.locator("main").get_by_role("button", name="Approve the minutes").click()
    journey.check("minutes-approved")
    minutes = _main_text(journey)
    assert "The minutes are approved and locked." in minutes
    assert "Minutes approved by Gareth Price" in minutes
    assert re.search(r"Wei Zhang\s+Outcome\s+Heard", minutes), minutes
    assert page.locator("main").get_by_role("button", name="Approve the minutes").count() == 0

    journey.go("/marac/actions/")
    assert "Find a safe address away from the area." in _main_text(journey)
    journey.assert_clean()
