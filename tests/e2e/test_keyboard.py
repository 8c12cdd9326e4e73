"""The main forms by keyboard alone, and the main pages on a small screen and at 200% zoom, in a
real browser against the demo data (tests/e2e/conftest.py).

Keyboard tests never click or fill: focus moves with Tab (and Shift+Tab), text is typed, boxes
and buttons are worked with Space and Enter. Every element focused on the way must show a focus
indicator: an outline, or a box-shadow ring with a spread (a button's plain drop shadow is no
indicator).
"""

import re
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from carepath import demo
from tests.e2e.conftest import SCREENSHOTS, Journey, _code_for

LONDON = ZoneInfo("Europe/London")

# What the keyboard has focused, and how it shows it.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {
    tag: el.tagName.toLowerCase(),
    type: el.type || "",
    id: el.id,
    name: el.name || "",
    text: (el.innerText || "").trim().replace(/\\s+/g, " ").slice(0, 80),
    label: label.trim().replace(/\\s+/g, " "),
    href: el.getAttribute("href") || "",
    row: el.closest("tr") ? el.closest("tr").innerText.replace(/\\s+/g, " ") : "",
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    outlineColor: style.outlineColor,
    boxShadow: style.boxShadow,
  };
}"""


def _focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def _describe(element: dict | None) -> str:
    if element is None:
        return "nothing"
    name = element["label"] or element["text"] or element["name"] or element["id"]
    return f"<{element['tag']}> {name!r}"


def _shows_focus(element: dict) -> bool:
    outline = (
        element["outlineStyle"] != "none"
        and element["outlineWidth"] >= 1
        and element["outlineColor"] not in ("transparent", "rgba(0, 0, 0, 0)")
    )
    # A ring is a shadow with a spread: the fourth length in "rgb(...) 0px 0px 0px 6px".
    ring = any(
        len(lengths) >= 4 and float(lengths[3]) > 0
        for lengths in (
            re.findall(r"(-?[\d.]+)px", shadow)
            for shadow in re.split(r",(?![^(]*\))", element["boxShadow"])
            if element["boxShadow"] != "none"
        )
    )
    return outline or ring


class Keyboard:
    """Moves through a page with the keyboard, checking each focused element's indicator."""

    def __init__(self, page):
        self.page = page
        self.visited: list[str] = []

    def tab_to(self, wanted, *, limit: int = 250, backwards: bool = False) -> dict:
        """Press Tab until ``wanted(element)`` holds for the focused element."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            element = _focused(self.page)
            self.visited.append(_describe(element))
            if element is None:  # past the last element: the browser's own controls
                continue
            assert _shows_focus(element), f"No visible focus on {_describe(element)}: {element}"
            if wanted(element):
                return element
        raise AssertionError(f"Never reached by Tab; focus went through {self.visited[-40:]}")

    def to_field(self, label: str) -> dict:
        return self.tab_to(lambda e: e["label"].startswith(label))

    def to_control(self, text: str) -> dict:
        """A link or button by its text."""
        return self.tab_to(lambda e: e["tag"] in ("a", "button") and e["text"] == text)

    def type_into(self, label: str, text: str) -> None:
        self.to_field(label)
        self.page.keyboard.type(text)

    def choose(self, option: str) -> None:
        """In the focused select, move the selection with the arrow keys."""
        assert _focused(self.page)["tag"] == "select", _focused(self.page)
        for _ in range(300):
            chosen = self.page.evaluate("() => document.activeElement.selectedOptions[0].text")
            if chosen.strip() == option:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"No option {option!r}")

    def press(self, text: str) -> None:
        """Activate a link or button reached by Tab."""
        self.to_control(text)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.page.wait_for_load_state()


def _follow_error_link(keys: Keyboard, field_id: str) -> None:
    """After a refused form: the error summary has focus, and its link to the field moves the
    focus to the field (or the first box of a group)."""
    page = keys.page
    assert page.locator(".error-summary").count() == 1, "no error summary"
    summary = _focused(page)
    assert page.evaluate("() => document.activeElement.matches('.error-summary')"), (
        f"The error summary does not have focus: {_describe(summary)}"
    )
    assert _shows_focus(summary), f"The error summary shows no focus: {summary}"
    keys.tab_to(lambda e: e["href"] == f"#{field_id}", limit=20)
    page.keyboard.press("Enter")
    landed = _focused(page)
    assert landed is not None and re.fullmatch(rf"{field_id}(_\d+)?", landed["id"]), (
        f"The link to {field_id} moved the focus to {_describe(landed)}"
    )
    assert _shows_focus(landed), f"No visible focus on {_describe(landed)}: {landed}"


def test_signing_in_by_keyboard_alone(browser, demo_server):
    journey = Journey(browser, demo_server, "keyboard-sign-in")
    try:
        page = journey.page
        keys = Keyboard(page)
        page.goto(demo_server + "/accounts/login/")

        # Sent empty: the summary takes the focus and its link leads to the username.
        keys.press("Sign in")
        journey.check("sign-in-refused")
        _follow_error_link(keys, "id_username")
        page.keyboard.type("administrator.taff")
        keys.type_into("Password", demo.DEMO_PASSWORD)
        keys.press("Sign in")
        assert "/people/sign-in/code/" in page.url, page.url
        journey.check("code")

        keys.press("Continue")
        journey.check("code-refused")
        _follow_error_link(keys, "id_code")
        page.keyboard.type(_code_for("administrator.taff"))
        keys.press("Continue")
        assert "/sign-in/" not in page.url and "/login/" not in page.url, page.url
        journey.check("signed-in")
        assert page.get_by_role("button", name="Sign out").count() == 1
        journey.assert_clean()
    finally:
        journey.close()


@pytest.fixture(scope="module")
def caseworker_cookies(browser, demo_server):
    """caseworker.clyde's signed-in session, for the tests that start on a case."""
    journey = Journey(browser, demo_server, "keyboard-caseworker")
    try:
        journey.sign_in("caseworker.clyde")
        yield journey.context.cookies()
    finally:
        journey.close()


def _caseworker_journey(browser, demo_server, cookies, name: str) -> Journey:
    journey = Journey(browser, demo_server, name)
    journey.context.add_cookies(cookies)
    return journey


def _open_case_by_keyboard(journey: Journey, keys: Keyboard, person: str) -> None:
    """From the caseload, Tab to the person's case and open it."""
    journey.go("/cases/caseload/")
    keys.tab_to(lambda e: e["tag"] == "a" and person in e["row"])
    with journey.page.expect_navigation():
        journey.page.keyboard.press("Enter")
    journey.check("case")
    assert person in journey.page.locator("main h1").inner_text()


def test_adding_a_case_note_by_keyboard_alone(browser, demo_server, caseworker_cookies):
    journey = _caseworker_journey(browser, demo_server, caseworker_cookies, "keyboard-note")
    try:
        page = journey.page
        keys = Keyboard(page)
        _open_case_by_keyboard(journey, keys, "Selam Tesfaye")
        keys.press("Add a note")
        journey.check("note-form")

        keys.press("Confirm")
        journey.check("note-refused")
        _follow_error_link(keys, "id_body")
        note = f"Called by keyboard alone at {time.strftime('%H:%M:%S')}."
        page.keyboard.type(note)
        keys.press("Confirm")
        journey.check("note-added")
        assert note in page.locator("main").inner_text()
        journey.assert_clean()
    finally:
        journey.close()


def _a_day_read_alike(after: date) -> date:
    """The next day whose day and month are the same number (12/12), so that typing it into a
    date field is right whether the browser orders it day-month or month-day."""
    day = after + timedelta(days=1)
    while day.day != day.month:
        day += timedelta(days=1)
    return day


def test_booking_an_appointment_by_keyboard_alone(browser, demo_server, caseworker_cookies):
    journey = _caseworker_journey(browser, demo_server, caseworker_cookies, "keyboard-appointment")
    try:
        page = journey.page
        keys = Keyboard(page)
        _open_case_by_keyboard(journey, keys, "Amina Yusuf")
        keys.press("Add an appointment")
        journey.check("appointment-form")

        # Sent empty: the summary takes the focus and leads to the first question.
        keys.press("Confirm")
        journey.check("appointment-refused")
        _follow_error_link(keys, "id_kind")
        keys.choose("GP")
        keys.type_into("With", "Keyboard health centre")
        keys.tab_to(lambda e: e["label"] == "Yes: booked")
        page.keyboard.press("Space")
        assert page.evaluate("() => document.activeElement.checked")
        on = _a_day_read_alike(datetime.now(LONDON).date())
        keys.to_field("Starts at")
        page.keyboard.type(f"{on:%m%d%Y}")
        page.keyboard.press("ArrowRight")  # from the year (up to six digits) to the hour
        page.keyboard.type("1030A")  # "A" is AM where the clock has twelve hours
        assert page.evaluate("() => document.activeElement.value") == f"{on:%Y-%m-%d}T10:30"
        keys.type_into("Where", "Health centre, side door")
        keys.press("Confirm")
        journey.check("appointment-booked")
        main = page.locator("main").inner_text()
        assert "Appointment recorded." in main
        assert "GP: Keyboard health centre" in main and "Health centre, side door" in main
        assert f"Booked · {on:%A} {on.day} {on:%b %Y}, 10:30" in main, main
        journey.assert_clean()
    finally:
        journey.close()


def test_an_error_link_to_a_group_of_radio_buttons_focuses_the_first(
    browser, demo_server, caseworker_cookies
):
    journey = _caseworker_journey(browser, demo_server, caseworker_cookies, "keyboard-radios")
    try:
        keys = Keyboard(journey.page)
        _open_case_by_keyboard(journey, keys, "Grace Okafor")
        keys.press("Record a reasonable grounds decision")
        journey.check("decision-form")
        keys.press("Confirm")
        journey.check("decision-refused")
        _follow_error_link(keys, "id_positive")
        journey.assert_clean()
    finally:
        journey.close()


# A phone held upright, and a 1280 px wide window zoomed to 200% (WCAG 1.4.10 reflow).
SIZES = {
    "phone": {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2},
    "zoom-200": {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2},
}


@pytest.mark.parametrize("size", SIZES)
def test_small_screens_and_zoom_need_no_sideways_scrolling(
    browser, demo_server, caseworker_cookies, size
):
    context = browser.new_context(**SIZES[size])
    try:
        context.add_cookies(caseworker_cookies)
        page = context.new_page()
        page.goto(demo_server + "/cases/caseload/")
        case_path = (
            page.locator("main tr", has_text="Selam Tesfaye").get_by_role("link").first
        ).get_attribute("href")
        too_wide = []
        for name, path in (
            ("caseload", "/cases/caseload/"),
            ("case", case_path),
            ("appointment-form", f"{case_path}appointments/new/"),
            ("referral-form", "/cases/new/"),
        ):
            page.goto(demo_server + path)
            page.wait_for_load_state()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{size}-{name}.png"), full_page=True)
            scroll, client = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client + 1:
                too_wide.append(f"{name}: {scroll} px wide in a {client} px window")
        assert too_wide == [], too_wide
    finally:
        context.close()
