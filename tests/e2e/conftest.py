"""The browser journeys: Carepath served with the demo data, as `make run` serves it, and
driven in Debian's Chromium by Playwright.

A session starts one server on a SQLite file seeded with `seed_demo`, and signs in through the
real pages: password, then a code from the demo accounts' public authenticator secret. Each
page a journey visits is checked with axe-core and saved as a screenshot under
artifacts/e2e-screenshots/ (CI keeps the folder). Without Chromium at /usr/bin/chromium (Debian:
`apt-get install chromium`) or the playwright package, the journeys are skipped, saying so.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from django_otp.oath import TOTP

from carepath import demo

CHROMIUM = "/usr/bin/chromium"
BASE_DIR = Path(__file__).resolve().parents[2]
SCREENSHOTS = BASE_DIR / "artifacts" / "e2e-screenshots"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed"
)
axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
)

# What axe-core may not find on any page a journey visits.
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not os.path.exists(CHROMIUM):
                item.add_marker(
                    pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")
                )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """The base URL of Carepath with the demo data, as `make run` serves it."""
    folder = tmp_path_factory.mktemp("demo")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="carepath.settings",
        DATABASE_URL=f"sqlite:///{folder / 'demo.sqlite3'}",
        CAREPATH_VAR_DIR=str(folder),
        SMS_BACKEND="console",
        PYTHONUNBUFFERED="1",
    )
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for command in (["migrate", "--no-input", "-v0"], ["seed_demo"]):
        subprocess.run(manage + command, env=env, check=True, capture_output=True, timeout=600)
    port = _free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        manage + ["runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urlopen(f"{base}/accounts/login/", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((folder / "server.log").read_text()) from None
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


# Every page each person's journey reached, for the Welsh check (tests/e2e/test_welsh.py).
VISITED: dict[str, list[str]] = {}


class Journey:
    """One person's visit: pages checked with axe-core, screenshots saved, console errors kept."""

    def __init__(self, browser, base: str, name: str):
        self.base = base
        self.name = name
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(m.text)
                if m.type == "error" and "favicon" not in m.text and "404" not in m.text
                else None
            ),
        )
        self.visited: list[str] = []
        self.username = ""
        self.violations: list[str] = []
        self._shots = 0
        self._axe = axe_playwright.Axe()

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.check(path)

    def check(self, label: str = ""):
        """Run axe-core on the page as it is now, and save a screenshot of it."""
        page = self.page
        page.wait_for_load_state()
        self.visited.append(page.url)
        if self.username:
            VISITED.setdefault(self.username, []).append(page.url)
        results = self._axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING_IMPACTS:
                targets = [n["target"] for n in violation["nodes"]][:3]
                self.violations.append(
                    f"{page.url}: {violation['id']} ({violation['impact']}) {targets}"
                )
        self._shots += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", (label or page.url.split("//", 1)[-1]).lower())
        page.screenshot(
            path=str(SCREENSHOTS / f"{self.name}-{self._shots:02d}-{slug.strip('-')}.png"),
            full_page=True,
        )
        return page

    def sign_in(self, username: str):
        self.username = username
        page = self.page
        page.goto(self.base + "/accounts/login/")
        self.check("sign-in")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
        page.locator("main").get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/people/sign-in/code/"))
        self.check("code")
        page.get_by_label("Code").fill(_code_for(username))
        page.locator("main").get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        assert "/sign-in/" not in page.url and "/login/" not in page.url, page.url
        return self.check("home")

    def close(self):
        self.context.close()

    def assert_clean(self):
        assert self.violations == [], "\n".join(self.violations)
        assert self.errors == [], self.errors


# The 30-second window whose code last signed each person in.
_WINDOWS_USED: dict[str, int] = {}


def _code_for(username: str) -> str:
    """The demo authenticator's code for a person. A code signs a person in once, and the
    sign-in accepts the code of the next window too (one step of clock drift), so a second
    sign-in of the same person within a window uses the next window's code; only a third
    waits."""
    while True:
        current = int(time.time() // 30)
        window = max(current, _WINDOWS_USED.get(username, current - 1) + 1)
        if window <= current + 1:
            break
        time.sleep(0.5)
    _WINDOWS_USED[username] = window
    totp = TOTP(demo.demo_totp_key())
    totp.time = window * 30 + 1
    return f"{totp.token():06d}"


@pytest.fixture
def journey(browser, demo_server, request):
    started = Journey(browser, demo_server, request.node.name.removeprefix("test_"))
    yield started
    started.close()
