"""The charts of the report pages, drawn in a real browser: each chart's canvas gets a Chart.js
chart, and the page logs no error.

Needs the ``playwright`` package and Chromium at /usr/bin/chromium (Debian: ``apt-get install
chromium``); without either the test is skipped. Playwright's own browsers are not used.
"""

import datetime
import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from carepath.reporting.registry import REPORTS
from carepath.sms.models import Reminder
from tests.factories import CaseFactory

CHROMIUM = "/usr/bin/chromium"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
)

# Every canvas with a chart, by the id of the figures it draws; null where none was drawn.
DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => [
    canvas.getAttribute("data-chart"),
    window.Chart !== undefined && window.Chart.getChart(canvas) !== undefined,
])"""


@pytest.fixture
def signed_in(client, manager_a, team_a, org_a):
    """The session cookie of a service manager of organisation A, with some records to draw."""
    today = timezone.localdate()
    for days_ago, gender in ((3, "female"), (40, "male"), (70, "female"), (100, "other")):
        CaseFactory(
            team=team_a,
            by=manager_a,
            gender=gender,
            referral_date=today - datetime.timedelta(days=days_ago),
        )
    for state in ("sent", "delivered", "suppressed"):
        Reminder.objects.create(
            organisation=org_a,
            subject_type=ContentType.objects.get_for_model(org_a),
            subject_id=org_a.pk,
            purpose="appointment",
            due_at=timezone.now() - datetime.timedelta(days=1),
            state=state,
            outcome="Outside the safe hours" if state == "suppressed" else "",
        )
    client.force_login(manager_a)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@contextmanager
def _browser_page(live_server, session: str):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            context = browser.new_context()
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": session,
                        "url": live_server.url,
                    }
                ]
            )
            yield context.new_page()
        finally:
            browser.close()


def _error(message) -> list[str]:
    """A console message that is an error; the browser asking for a favicon is none."""
    if message.type != "error" or message.location.get("url", "").endswith("/favicon.ico"):
        return []
    return [f"{message.text} ({message.location.get('url', '')})"]


PAGES = [
    *(reverse("reports:detail", args=[key]) for key in sorted(REPORTS)),
    reverse("returns:report"),
    reverse("sms:report"),
]


def test_every_chart_is_drawn_without_errors(live_server, signed_in):
    drawn = {}
    errors = []
    with _browser_page(live_server, signed_in) as page:
        page.on("console", lambda message: errors.extend(_error(message)))
        page.on("pageerror", lambda error: errors.append(str(error)))
        for path in PAGES:
            response = page.goto(live_server.url + path)
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("load")
            assert page.evaluate("() => typeof window.Chart") == "function", path
            charts = page.evaluate(DRAWN)
            drawn[path] = charts
            assert charts, f"no chart on {path}"
            assert all(done for _id, done in charts), (path, charts)
    assert errors == []
    # The service report draws one chart per table that has one.
    service = dict(drawn[reverse("reports:detail", args=["service"])])
    assert service["chart-data-new_referrals"]
