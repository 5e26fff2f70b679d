"""Every screen in Chromium, in the three languages: axe-core (from the npm registry) finds no
critical or serious accessibility violation, and at 390 px (a phone) neither the page nor a
table in it scrolls sideways. One page of each URL shape is opened, as the user who reaches it (a supervisor, an
agent, an admin), and the customer's status page as a customer sees it.
"""
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import current_app

from portal.demo.data import load_demo
from portal.extensions import db
from tests.browser.conftest import log_in
from tests.site_map import pages

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("en", "zh_Hant", "zh_Hans")
USERS = ("lead", "agent", "admin")
PHONE = 390
BLOCKING = ("critical", "serious")


def screens(app, passwords) -> dict[str, list[str]]:
    """{username: [one path of each URL shape that user reaches first]}"""
    found, taken = {}, set()
    for username in USERS:
        client = app.test_client()
        client.login_as(SimpleNamespace(username=username), passwords[username])
        found[username] = []
        for path, response, _found_on in pages(client, max_pages=400, per_shape=1):
            if response.status_code == 200 and "text/html" in response.content_type and path not in taken:
                taken.add(path)
                found[username].append(path)
    return found


def status_page(app) -> str:
    """A live status link, as a customer opens it."""
    from portal.shipments.models import StatusLink
    from portal.shipments.views import documents_url
    from portal.core.clock import now
    with app.test_request_context():
        for link in db.session.query(StatusLink).order_by(StatusLink.id):
            if link.is_live(now()):
                return documents_url(link, current_app.config["SECRET_KEY"]).split("://", 1)[-1].split("/", 1)[1]
    raise AssertionError("the demo has no live status link")


def axe_problems(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())      # evaluated, not a <script>: the portal's CSP allows no inline script
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['impact']} {v['id']}: {v['nodes']}" for v in result if v["impact"] in BLOCKING]


def overflow(page) -> int:
    """How far the page, or a table inside its scrolling frame, runs past the screen (0 when
    everything fits: a phone shows a list's key columns, not a strip of a wide table)."""
    return page.evaluate("""() => Math.max(document.documentElement.scrollWidth - window.innerWidth,
        ...[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth))""")


def test_every_screen_is_accessible_and_fits_a_phone_in_three_languages(app, live_server, open_page):
    with app.app_context():
        passwords = load_demo(customers=40)
        db.session.commit()
    by_user = screens(app, passwords)
    customer_page = status_page(app)
    problems = []
    for lang in LANGUAGES:
        for username, paths in by_user.items():
            page = open_page(f"{username}-{lang}", width=1280)
            log_in(page, live_server, username, passwords[username])
            page.locator(f".langswitch button[value='{lang}']").click()
            page.wait_for_load_state()
            for path in paths:
                page.set_viewport_size({"width": 1280, "height": 900})
                page.goto(live_server + path)
                problems += [f"{lang} {path}: {p}" for p in axe_problems(page)]
                page.set_viewport_size({"width": PHONE, "height": 800})
                if (extra := overflow(page)) > 0:
                    problems.append(f"{lang} {path}: {extra} px wider than a {PHONE} px phone")
            page.context.close()
        visitor = open_page(f"customer-{lang}", width=PHONE)
        visitor.goto(f"{live_server}/{customer_page}?lang={lang}")
        problems += [f"{lang} status page: {p}" for p in axe_problems(visitor)]
        if (extra := overflow(visitor)) > 0:
            problems.append(f"{lang} status page: {extra} px wider than a {PHONE} px phone")
    screens_seen = sum(len(p) for p in by_user.values())
    assert screens_seen >= 40, by_user
    assert not problems, f"{len(problems)} problems on {screens_seen} screens:\n" + "\n".join(problems[:120])
