"""What the browser tests share: the web server as production runs it (tests/webserver.py), and
Debian's Chromium driven by Playwright, whose pages collect their console errors."""

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.webserver import REPO, running_web_server

# Where screenshots go: the docs when PROCUR_UPDATE_SCREENSHOTS=1, otherwise a temporary folder
# (a test run leaves git clean).
SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("PROCUR_UPDATE_SCREENSHOTS")
    else Path(tempfile.mkdtemp(prefix="procur-screenshots-"))
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WAIT_MS = 90_000


@pytest.fixture
def server_env() -> dict[str, str]:
    """Extra environment for the web server (a test overrides it, e.g. with ``EMAIL_URL``)."""
    return {}


@pytest.fixture
def server(transactional_db, settings, server_env) -> Iterator[str]:
    """The web server (tests/webserver.py) on the test database and this run's Redis; the
    suite's worker plays the turns at the pace of ``make run`` on embedded defaults."""
    settings.PROCUR_SIMULATED_LLM_LATENCY = settings.EMBEDDED_SCRIPTED_PACE
    # Two daphne processes, as production runs them: the page's requests and its socket may
    # reach different ones.
    with running_web_server(processes=2, env=server_env) as url:
        yield url


@pytest.fixture
def browser(monkeypatch):
    """Chromium, headless."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser) -> Callable:
    """Opens a page in a browser context of its own (its own cookies: one person each);
    ``page.console_errors`` collects what its console reports as errors (a failed load, a script
    error), which a test expects to stay empty."""

    def open_page(**context_options):
        page = browser.new_context(**context_options).new_page()
        page.set_default_timeout(WAIT_MS)
        page.console_errors = []
        page.on(
            "console",
            lambda m: m.type == "error" and page.console_errors.append(f"{m.text} ({m.location})"),
        )
        page.on("pageerror", lambda error: page.console_errors.append(f"uncaught: {error}"))
        return page

    return open_page


@pytest.fixture
def browser_page(new_page):
    """A desktop-sized Chromium page."""
    return new_page(viewport={"width": 1500, "height": 1100})
