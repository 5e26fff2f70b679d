"""Scheduled work on the job queue: quotes expire and follow-ups are raised with no page opened,
run synchronously in tests and, once, by a real worker process on the configured back-end
(SQLite in instance/ by default; Redis when REDIS_URL is set, as .ci/run does)."""
import os
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core import jobs
from portal.core.clock import now
from portal.extensions import db
from portal.quotes import rules, tasks
from portal.quotes.models import FollowUp, Quote, Status

from tests.rate_cards import ensure_card

ROOT = Path(__file__).resolve().parents[2]


def _sent_quote(agent, customer_id, inquiry_at, valid_until):
    values = {"customer_id": customer_id, "contact_id": None, "inquiry_at": inquiry_at, "mode": "fcl",
              "pol": "TWKHH", "pod": "USLAX", "carrier": "EGLV", "container_type": "40HQ", "container_qty": 1,
              "gross_weight_kg": Decimal("9000"), "commodity": "Machine parts", "valid_until": valid_until,
              "currency": "USD", "dg_fees_confirmed": False, "notes": "", "remarks": ""}
    line = {"charge_code": "OFR", "basis": "container", "quantity": Decimal("1"), "sell_rate": Decimal("1850"),
            "buy_rate": Decimal("1500"), "min_sell_rate": Decimal("1700"), "currency": "USD",
            "direction": "receivable", "includes": ""}
    ensure_card()   # the ocean freight comes from a rate card (tests/rate_cards.py)
    quote = rules.create_quote(agent, values, [line])
    rules.send(agent, quote, quote.version)
    return quote


@pytest.fixture
def agent_and_customer(make_user, make_customer):
    agent = make_user("agent", display_name="Jason Lin")
    return agent, make_customer(agent)


def test_expiry_job_expires_quotes_past_their_validity_with_no_page_opened(app, agent_and_customer, clock, ctx):
    agent, customer_id = agent_and_customer
    agent = db.session.get(User, agent.id)
    valid_until = clock.start.date() + timedelta(days=2)
    quote_id = _sent_quote(agent, customer_id, clock.start - timedelta(hours=1), valid_until).id
    db.session.commit()

    assert tasks.expire_quotes.call_local() == 0            # still valid: nothing to do
    clock.move_to(clock.start + timedelta(days=3))  # the validity has passed; nobody opens a page
    assert tasks.expire_quotes.call_local() == 1
    db.session.expire_all()
    quote = db.session.get(Quote, quote_id)
    assert quote.status == Status.EXPIRED
    assert tasks.expire_quotes.call_local() == 0            # run again: nothing more to expire


def test_reminder_job_raises_due_follow_ups_in_the_agents_navigation(app, agent_and_customer, clock):
    agent, customer_id = agent_and_customer
    c = app.test_client()
    c.login_as(agent)
    with app.test_request_context():
        quote = _sent_quote(db.session.get(User, agent.id), customer_id, clock.start - timedelta(minutes=10),
                            clock.start.date() + timedelta(days=14))
        db.session.commit()
        first_due = min(db.session.scalars(sa.select(FollowUp.due_at).where(FollowUp.quote_id == quote.id)))
        assert tasks.remind_follow_ups.call_local() == 0
    # (Other features count in the navigation too: only the follow-ups' count matters here.)
    assert "Follow-ups due" not in c.hx("GET", "/nav/counts").get_data(as_text=True)

    clock.move_to(first_due + timedelta(minutes=1))
    with app.test_request_context():
        assert tasks.remind_follow_ups.call_local() == 1
    later = app.test_client()   # hours later: the agent logs in again
    later.login_as(agent)
    counts = later.hx("GET", "/nav/counts?fresh=1").get_data(as_text=True)
    assert 'id="nav-count-quotes"' in counts and "Follow-ups due" in counts and ">1</span>" in counts


def test_the_queue_is_redis_when_redis_url_is_set(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    assert type(jobs.make_queue()).__name__ == "RedisHuey"
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    queue = jobs.make_queue()
    assert type(queue).__name__ == "SqliteHuey" and Path(queue.storage.filename).parent == tmp_path


@pytest.fixture
def real_queue(app):
    """The queue as production uses it (not immediate), emptied before and after."""
    queue = jobs.get_queue()
    queue.immediate = False
    queue.flush()
    yield queue
    queue.flush()
    queue.immediate = True


def test_a_real_worker_process_runs_the_expiry_job(app, real_queue, agent_and_customer):
    """`huey_consumer portal.worker.queue`, as `make run` starts it: it takes the job from the
    queue the environment names and expires the quote in the database the portal uses."""
    agent, customer_id = agent_and_customer
    with app.test_request_context():
        moment = now()
        quote_id = _sent_quote(db.session.get(User, agent.id), customer_id, moment - timedelta(days=10),
                               moment.date() - timedelta(days=2)).id
        db.session.commit()
    # The worker runs this checkout's code (the shared virtualenv may point at another one).
    env = os.environ | {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    consumer = Path(sys.executable).with_name("huey_consumer")
    worker = subprocess.Popen([str(consumer), "portal.worker.queue", "--workers", "1", "--delay", "0.1",
                               "--no-periodic"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        tasks.expire_quotes()   # enqueued: the test process does not run it
        status = None
        for _attempt in range(600):
            with app.app_context():
                status = db.session.scalar(sa.select(Quote.status).where(Quote.id == quote_id))
            if status == Status.EXPIRED or worker.poll() is not None:
                break
            time.sleep(0.1)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert status == Status.EXPIRED, output[-3000:]
    assert "expire_quotes" in output


def test_jobs_run_in_the_app_and_roll_back_on_failure(app, agent_and_customer, ctx, monkeypatch):
    """A job that fails leaves nothing half-done behind it."""
    agent, customer_id = agent_and_customer

    def half_then_fail(on=None, batch=500):
        db.session.execute(sa.update(Quote).values(commodity="half-done"))
        raise RuntimeError("the carrier's system is down")

    quote_id = _sent_quote(db.session.get(User, agent.id), customer_id, now() - timedelta(days=3),
                           now().date() - timedelta(days=1)).id
    db.session.commit()
    monkeypatch.setattr(rules, "expire_overdue", half_then_fail)
    with pytest.raises(RuntimeError):
        tasks.expire_quotes.call_local()
    db.session.expire_all()
    assert db.session.get(Quote, quote_id).commodity == "Machine parts"


def test_the_database_upkeep_job_keeps_sqlite_statistics(app, ctx):
    from portal.core import tasks as core_tasks
    expected = "optimized" if db.engine.dialect.name == "sqlite" else "left to autovacuum"
    assert core_tasks.optimize_database.call_local() == expected
