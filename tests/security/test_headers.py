"""Headers and cookies every page sends, templates with no inline code for the
Content-Security-Policy to block, and key pages in a real browser with no CSP violation.

The browser test needs the ``playwright`` package and Chromium at /usr/bin/chromium (Debian:
``apt-get install chromium``); without either it is skipped.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from carepath import settings as production
from carepath.people.models import Role
from carepath.reporting.registry import REPORTS
from tests.factories import CaseFactory

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"

# What carepath/settings.py sets outside DEBUG; tests/settings.py relaxes these for plain http.
PRODUCTION_SECURITY = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


@pytest.fixture
def production_security(settings):
    for name in PRODUCTION_SECURITY:
        setattr(settings, name, getattr(production, name))
    assert settings.SECURE_SSL_REDIRECT and settings.SESSION_COOKIE_SECURE


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _assert_security_headers(response):
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = _directives(policy)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def _assert_secure_cookie(response, name, *, http_only: bool):
    cookie = response.cookies[name]
    assert cookie["secure"] is True, name
    assert cookie["samesite"] == "Lax", name
    assert bool(cookie["httponly"]) is http_only, name


def test_the_login_page_sends_every_header_and_a_secure_csrf_cookie(
    client, production_security, db
):
    response = client.get(reverse("login"), secure=True)

    assert response.status_code == 200
    _assert_security_headers(response)
    _assert_secure_cookie(response, django_settings.CSRF_COOKIE_NAME, http_only=False)


def test_a_signed_in_page_sends_every_header_and_a_secure_session_cookie(
    client, production_security, manager_a
):
    client.force_login(manager_a)

    response = client.get(reverse("casework:dashboard"), secure=True)

    assert response.status_code == 200
    _assert_security_headers(response)
    _assert_secure_cookie(response, django_settings.SESSION_COOKIE_NAME, http_only=True)


def test_plain_http_is_sent_to_https(client, production_security, db):
    response = client.get(reverse("login"))

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


# --- Templates ---------------------------------------------------------------------------------

COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
# Each is something the Content-Security-Policy blocks in a browser.
INLINE_CODE = {
    "inline <script> (no src)": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I),
    "style= attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "on...= event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "hx-on attribute (evaluated code)": re.compile(r"<[a-z][^>]*\s(?:data-)?hx-on[:-]", re.I),
    "javascript: URL": re.compile(r"""=\s*["']?\s*javascript:""", re.I),
}


def inline_code_in(source: str) -> list[str]:
    source = COMMENT.sub("", source)
    return [name for name, pattern in INLINE_CODE.items() if pattern.search(source)]


def _template_files() -> list[Path]:
    folders = [BASE_DIR / "templates"]
    for app in ("carepath", "casework", "accommodation", "marac", "returns"):
        folders.extend(path for path in (BASE_DIR / app).rglob("templates") if path.is_dir())
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def test_no_template_holds_inline_script_style_or_handlers():
    files = _template_files()
    assert len(files) > 50
    found = {
        str(path.relative_to(BASE_DIR)): problems
        for path in files
        if (problems := inline_code_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<script type="module">import x from "/x.js"</script>',
        '<div style="color: red">',
        "<p class='x' STYLE='margin:0'>",
        "<style>.x { color: red }</style>",
        '<button onclick="go()">',
        '<body onload="start()">',
        '<a href="#" hx-on:click="go()">',
        '<a href="javascript:void(0)">',
    ],
)
def test_the_template_scan_finds_inline_code(snippet):
    assert inline_code_in(f"<div>{snippet}</div>")


@pytest.mark.parametrize(
    "snippet",
    [
        "<script src=\"{% static 'js/carepath.js' %}\" defer></script>",
        "{{ data|json_script:'chart-data' }}",
        '<p class="hint">Choose one option</p>',
        '<input name="online" data-only="x">',
        "{# an inline <style> would be blocked #}",
        "{% comment %}<script>old()</script>{% endcomment %}",
    ],
)
def test_the_template_scan_allows_what_the_policy_allows(snippet):
    assert inline_code_in(snippet) == []


# --- In a browser ------------------------------------------------------------------------------

# Every CSP violation the page meets, recorded before any of its own code runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


@pytest.fixture
def browser_session():
    """A function that opens Chromium with a user's session cookie (or none)."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed"
    )
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")

    @contextmanager
    def open_page(live_server, user=None):
        cookies = []
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
            name = django_settings.SESSION_COOKIE_NAME
            cookies.append({"name": name, "value": session, "url": live_server.url})
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            try:
                context = browser.new_context()
                context.add_cookies(cookies)
                context.add_init_script(RECORD_VIOLATIONS)
                page = context.new_page()
                page.console_messages = []
                page.on(
                    "console",
                    lambda message: page.console_messages.append(f"{message.type}: {message.text}"),
                )
                yield page
            finally:
                browser.close()

    return open_page


def _visit(page, url: str) -> list[str]:
    """Opens ``url``; the CSP violations and console complaints about the policy it caused."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("load")
    violations = page.evaluate("() => window.__cspViolations")
    complaints = [
        message
        for message in page.console_messages
        if "Content Security Policy" in message or "Refused to" in message
    ]
    page.console_messages.clear()
    return violations + complaints


def test_key_pages_meet_no_csp_violation_in_a_browser(
    live_server, browser_session, make_user, org_a, team_a, manager_a
):
    case = CaseFactory(team=team_a, by=manager_a, given_name="Browser", family_name="Check")
    admin = make_user(org_a, Role.ADMINISTRATOR, username="admin.browser")
    found = {}
    with browser_session(live_server) as page:
        found["login"] = _visit(page, live_server.url + reverse("login"))
        assert page.locator("form input[name=password]").count() == 1
    with browser_session(live_server, manager_a) as page:
        for name, path in (
            ("dashboard", reverse("casework:dashboard")),
            ("case detail", reverse("casework:case", args=[case.pk])),
            ("new case form", reverse("casework:case_new")),
            ("service report", reverse("reports:detail", args=["service"])),
        ):
            found[name] = _visit(page, live_server.url + path)
        assert page.evaluate("() => typeof window.Chart") == "function"
        assert "service" in REPORTS
    with browser_session(live_server, admin) as page:
        found["text form"] = _visit(page, live_server.url + reverse("sms:template_new"))
        # htmx fetches the preview fragment into the page: it works under the policy.
        page.fill("textarea[name=body]", "See you {date} at {time}. {sender}")
        page.fill("input[name=language]", "en")
        page.click("button[name=preview]")
        page.locator("#template-preview #preview-title").wait_for(timeout=10_000)
        assert page.url.endswith(reverse("sms:template_new"))
        found["text form preview"] = page.evaluate("() => window.__cspViolations")
    assert found == {name: [] for name in found}
