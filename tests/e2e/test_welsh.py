"""Carepath in Welsh: each role switches to Cymraeg with the control at the top of the page and
finds no English on the pages their journeys use.

A page is in English where a piece of its text (or a label, a placeholder or the title) is an
English message of the catalogue whose Welsh differs, or where the interface itself (headings,
labels, buttons, column heads) reads as English. The pages are those of the Welsh demo
organisation's staff, and every page the journeys in this session reached (this file runs after
them), shown again in Welsh to the person who reached it.
"""

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import VISITED, Journey
from tests.i18n.catalogue import WELSH_PO, read

# Pages of the Welsh demo organisation, per role, reached by following the app's own links.
PAGES = {
    "caseworker.taff": ["/cases/caseload/", "first-case", "/calendar/week/", "/people/me/"],
    "service.manager.taff": ["/cases/dashboard/", "/reports/", "nrm-report", "/cases/new/"],
    "accommodation.manager.taff": ["/accommodation/", "/accommodation/vacancies/"],
    "marac.chair.taff": ["/marac/", "first-meeting", "/marac/actions/"],
    "administrator.taff": ["/people/users/new/", "/sms/templates/", "/sms/templates/new/"],
    "data.protection.taff": ["/data-protection/", "/audit/access-log/"],
}

# Where a journey of this session went, signed-in pages only.
NOT_AGAIN = re.compile(r"/accounts/|/sign-in/|/language/")

TEXTS = """() => {
  const CHROME = 'h1, h2, h3, label, legend, button, th[scope=col], caption, summary, dt, '
    + '.button, .tag';
  const out = [];
  const inWelsh = (el) => { const l = el.closest('[lang]'); return !l || l.lang === 'cy'; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest('script, style, template') || !inWelsh(el)) continue;
    const text = walker.currentNode.textContent.replace(/\\s+/g, ' ').trim();
    if (!text) continue;
    const chrome = !!el.closest(CHROME);
    out.push([text, chrome]);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (!inWelsh(el)) continue;
    for (const name of ['placeholder', 'aria-label', 'title']) {
      const value = el.getAttribute(name);
      if (value) out.push([value.trim(), true]);
    }
  }
  out.push([document.title.split(' · ')[0], true]);
  return out;
}"""

# Words that, two or more together in a heading, label or button, mean English interface text.
ENGLISH_WORDS = frozenset(
    {"the", "and", "your", "of", "to", "with", "for", "from", "this", "that", "is", "are"}
    | {"has", "have", "not", "on", "by", "add", "record", "save", "new", "back", "edit", "view"}
    | {"open", "close", "show", "find", "choose", "enter"}
)


@pytest.fixture(scope="module")
def english_messages() -> frozenset[str]:
    """The English of every message whose Welsh is different, as a page would show it."""
    found = set()
    for entry in read(WELSH_PO):
        english = " ".join(entry.msgid.split())
        if "%" in english or "{" in english or "<" in english or not re.search("[A-Za-z]", english):
            continue
        if all(" ".join(text.split()) != english for text in entry.msgstr.values()):
            found.add(english)
    return frozenset(found)


def _english_on(page, english_messages) -> list[str]:
    problems = []
    for text, chrome in page.evaluate(TEXTS):
        words = re.findall(r"[a-z]+", text.lower())
        # A single word in the body of a page may be what someone typed ("Caseworker" as who
        # owns a goal); in a heading, label, button or tag it is the interface's own.
        if text in english_messages and (chrome or len(words) > 1):
            problems.append(f"{page.url}: {text!r}")
        elif chrome and len([w for w in words if w in ENGLISH_WORDS]) >= 2:
            problems.append(f"{page.url}: {text!r} (reads as English)")
    return problems


def _switch_to_welsh(journey: Journey):
    page = journey.page
    page.locator("header").get_by_role("button", name="Cymraeg").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "cy"


def _back_to_english(journey: Journey):
    """The choice is saved for the person: leave the demo as the other journeys expect it."""
    switch = journey.page.locator("header").get_by_role("button", name="English")
    if switch.count():
        switch.click()
        journey.page.wait_for_load_state()


def _follow(journey: Journey, step: str):
    """A page reached by a link rather than by a known address."""
    page = journey.page
    if step == "first-case":
        journey.go("/cases/caseload/")
        page.locator("main a[href^='/cases/'][href$='/']").filter(
            has_text=re.compile(r"\w+-\d")
        ).first.click()
    elif step == "nrm-report":
        journey.go("/reports/")
        page.locator("main a[href*='nrm']").first.click()
    elif step == "first-meeting":
        journey.go("/marac/")
        page.locator("main a[href^='/marac/meetings/']").first.click()
    return journey.check(step)


@pytest.mark.parametrize("username", list(PAGES))
def test_the_welsh_organisations_pages_have_no_english(
    browser, demo_server, username, english_messages
):
    journey = Journey(browser, demo_server, f"welsh-{username}")
    try:
        journey.sign_in(username)
        _switch_to_welsh(journey)
        journey.check("cymraeg")
        problems = _english_on(journey.page, english_messages)
        for step in PAGES[username]:
            page = _follow(journey, step) if not step.startswith("/") else journey.go(step)
            problems += _english_on(page, english_messages)
        assert problems == [], "\n".join(problems)
        journey.assert_clean()
    finally:
        _back_to_english(journey)
        journey.close()


def test_every_page_the_journeys_reached_has_no_english(browser, demo_server, english_messages):
    if not VISITED:
        pytest.skip("no journey ran in this session: run tests/e2e as a whole")
    problems = []
    for username, urls in sorted(VISITED.items()):
        if username.endswith(".taff"):
            continue  # checked above
        journey = Journey(browser, demo_server, f"welsh-again-{username}")
        try:
            journey.sign_in(username)
            _switch_to_welsh(journey)
            for url in dict.fromkeys(urls):
                path = urlsplit(url)
                if NOT_AGAIN.search(path.path):
                    continue
                response = journey.page.goto(url)
                if response is None or response.status != 200 or journey.page.url != url:
                    continue  # the record has moved on since (an offer accepted, say)
                problems += _english_on(journey.page, english_messages)
        finally:
            _back_to_english(journey)
            journey.close()
    assert problems == [], "\n".join(problems)
