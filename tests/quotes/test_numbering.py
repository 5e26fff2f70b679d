"""Quote numbers come from a counter row advanced in the saving transaction: twenty agents
saving at the same moment against the running server get twenty different, gapless numbers."""
import re
import threading
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import sqlalchemy as sa

from portal.extensions import db
from portal.quotes.models import Quote
from tests.conftest import PASSWORD
from tests.quotes.test_views import FORM

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
WRITERS = 20


class Browser:
    """A person with their own cookies, talking HTTP to the live server."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()),
                                                  _NoRedirect())

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as answer:
            return answer.code

    def token(self, path: str) -> str:
        match = TOKEN.search(self.get(path))
        return match.group(1) or match.group(2)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_twenty_quotes_saved_at_once_get_twenty_numbers(app, live_server, make_user, make_customer):
    agents = [make_user("agent", f"writer{n}") for n in range(WRITERS)]
    make_customer(agents[0], code="TW-0001", contacts=[{"name": "王小明"}])
    people = []
    for agent in agents:
        person = Browser(live_server)
        assert person.post("/login", {"username": agent.username, "password": PASSWORD,
                                      "csrf_token": person.token("/login")}) == 303
        people.append((person, person.token("/quotes/new")))

    start = threading.Barrier(WRITERS)
    statuses = [None] * WRITERS

    def save(n):
        person, token = people[n]
        start.wait(timeout=30)
        statuses[n] = person.post("/quotes/new", FORM | {"commodity": f"Lot {n}", "csrf_token": token})

    threads = [threading.Thread(target=save, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [303] * WRITERS
    with app.app_context():
        numbers = db.session.scalars(sa.select(Quote.number)).all()
    sequence = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert len(set(numbers)) == WRITERS and sequence == list(range(sequence[0], sequence[0] + WRITERS))
