"""Shared fixtures: the app on a migrated database (SQLite, or TEST_DATABASE_URL), clean tables
per test, users made through the app's own rules, and a client that logs in and speaks htmx."""
import atexit
import os
import re
import shutil
import tempfile
import threading
from time import sleep
from datetime import UTC, datetime, time, timedelta

import pytest

# Keep the tests' secret key and files out of the real instance/ folder (and remove them after).
if "PORTAL_INSTANCE_PATH" not in os.environ:
    os.environ["PORTAL_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="portal-test-instance-")
    atexit.register(shutil.rmtree, os.environ["PORTAL_INSTANCE_PATH"], ignore_errors=True)

import sqlalchemy as sa  # noqa: E402
import time_machine  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402

PASSWORD = "correct-horse-battery"
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


class PortalClient(FlaskClient):
    """A test client with the CSRF token at hand, for plain forms and htmx requests alike."""

    _token = None

    def token(self) -> str:
        if self._token is None:
            page = self.get("/login?lang=en").get_data(as_text=True)
            match = TOKEN.search(page)
            if match is None:  # logged in: /login redirects, so read it from a staff page
                page = self.get("/customers").get_data(as_text=True)
                match = TOKEN.search(page)
            self._token = match.group(1)
        return self._token

    def form(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        return self.post(url, data=data, **kwargs)

    def hx(self, method, url, data=None, headers=None, **kwargs):
        headers = {"HX-Request": "true", "X-CSRFToken": self.token(), **(headers or {})}
        return self.open(url, method=method, data=data, headers=headers, **kwargs)

    def login_as(self, user, password=PASSWORD):
        self._token = None
        response = self.form("/login", {"username": user.username, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        self._token = None
        return response


def _database_url(tmp_dir) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir}/portal-test.db"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory.mktemp("db"))
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SESSION_COOKIE_SECURE": False,
        "ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
        "PAGE_SIZE": 20,
        "JOBS_IMMEDIATE": True,
    })
    app.test_client_class = PortalClient
    from tests import pending_catalog
    pending_catalog.install(app)   # strings not yet merged into the catalogs (translations/pending)
    with app.app_context():
        _reset_schema()
        upgrade()  # the real migrations build the schema, on SQLite and PostgreSQL alike
        _remember_seeded_rows()
    yield app
    with app.app_context():
        db.engine.dispose()


def _reset_schema():
    """Start from an empty database (PostgreSQL's test database outlives the run)."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


SEEDED: dict = {}


def _remember_seeded_rows():
    """Rows the migrations themselves insert (the default shifts): every test starts with them."""
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in conn.execute(table.select())]
            if rows:
                SEEDED[table] = [{k: v for k, v in row.items() if k != "id"} for row in rows]


def _empty_tables():
    """Empty every table. On PostgreSQL a live server's request still finishing when a browser
    test ends can deadlock with the TRUNCATE; it is simply tried again."""
    for attempt in range(5):
        try:
            return _truncate()
        except sa.exc.OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != "40P01" or attempt == 4:   # deadlock_detected
                raise
            sleep(0.2)


def _truncate():
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
        for table, rows in SEEDED.items():
            conn.execute(table.insert(), rows)


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        with app.app_context():
            db.session.remove()
            _empty_tables()


def reference_moment() -> datetime:
    """A fixed point near today: Wednesday of this week, 01:30 UTC (09:30 in Taipei, a working
    morning). Tests freeze the clock here and write every date relative to it, so none of them
    depends on the calendar and none starts failing as the real date moves on."""
    today = datetime.now(UTC).date()
    wednesday = today - timedelta(days=today.weekday()) + timedelta(days=2)
    return datetime.combine(wednesday, time(1, 30))


class FrozenClock:
    """The portal's clock, frozen; move_to() and advance() move it (tests are single-threaded)."""

    def __init__(self, traveller, start: datetime):
        self._traveller, self.start = traveller, start

    def now(self) -> datetime:
        from portal.core.clock import now
        return now()

    def move_to(self, moment: datetime) -> None:
        self._traveller.move_to(moment.replace(tzinfo=UTC))

    def advance(self, **delta) -> None:
        self.move_to(self.now() + timedelta(**delta))


@pytest.fixture
def clock():
    """Freeze time at reference_moment() (naive UTC, like every stored timestamp)."""
    start = reference_moment()
    with time_machine.travel(start.replace(tzinfo=UTC), tick=False) as traveller:
        yield FrozenClock(traveller, start)


@pytest.fixture
def ctx(app):
    """An app context with a test request, for calling rules directly."""
    with app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def make_user(app):
    """make_user(role, username=None, **fields): a user made through the app's own rule."""
    from portal.auth import rules
    counter = iter(range(1, 10_000))

    def make(role="agent", username=None, **fields):
        with app.test_request_context():
            user = rules.create_user(None, username or f"{role}{next(counter)}", PASSWORD, role=role, **fields)
            db.session.commit()
            user_id = user.id
        with app.app_context():
            from portal.auth.models import User
            user = db.session.get(User, user_id)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture(scope="session")
def live_server(app):
    """The portal served on a free local port by a threaded server, for browsers and load."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def client(app) -> PortalClient:
    return app.test_client()


@pytest.fixture
def as_role(app, make_user):
    """as_role(role, **fields) -> (client logged in as a new user of that role, the user)."""

    def login(role="agent", **fields):
        user = make_user(role, **fields)
        c = app.test_client()
        c.login_as(user)
        return c, user

    return login


@pytest.fixture
def make_customer(app):
    """make_customer(owner, **fields): a customer made through the app's own rule."""
    from portal.auth.models import User
    from portal.customers import rules
    counter = iter(range(1, 100_000))

    def make(owner, contacts=(), grade="B", **fields):
        n = next(counter)
        values = {"code": f"T-{n:04d}", "name_zh": f"測試客戶{n}", "name_en": f"Test Customer {n}",
                  "kind": "direct", "source": "self_sourced", "preferred_locale": "zh_Hant", **fields}
        with app.test_request_context():
            actor = db.session.get(User, owner.id)
            customer = rules.create_customer(actor, values, grade)
            for contact in contacts:
                rules.add_contact(actor, customer, contact)
            db.session.commit()
            return customer.id

    return make
