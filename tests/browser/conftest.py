"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live portal."""
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, request):
    """open_page(name, width=1366, locale="en-US") -> a page in a browser context of its own (a
    person at their own computer: cookies and all). When the test fails, every page it opened
    is kept as a screenshot in test-artifacts/<test>-<name>.png; the contexts close afterwards."""
    opened = []

    def open_(name="main", width=1366, height=900, locale="en-US"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        page = context.new_page()
        page.set_default_timeout(10_000)
        opened.append((name, context, page))
        return page

    yield open_
    report = getattr(request.node, "rep_call", None)
    for _name, _context, page in opened:
        # Requests a page still has on their way (a panel refreshing after the last click) end before
        # the test's data is emptied: on PostgreSQL a read still running deadlocks with TRUNCATE.
        if not page.is_closed():
            try:
                page.wait_for_load_state("networkidle", timeout=5_000)
            except Exception:  # a page that never settles is closed all the same
                pass
    for name, context, page in opened:
        if report is not None and report.failed and not page.is_closed():
            ARTIFACTS.mkdir(exist_ok=True)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)
            except Exception:  # a page the test closed on purpose has nothing to show
                pass
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def log_in(page, base_url, username, password):
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#main button[type=submit]")
