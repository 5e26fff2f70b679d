"""Scheduled and background work on one job queue (huey).

The queue keeps its tasks in `instance/jobs.db` (SQLite) by default and in Redis when
`REDIS_URL` is set, so several servers share one queue. The worker is `portal.worker`
(`huey_consumer portal.worker.queue`); `make run` starts it beside gunicorn.

Features declare jobs in their `tasks.py` with `@job` (run once, in the background) or
`@periodic(crontab(...))` (run on a schedule). A job runs inside the app, with its own
database transaction, committed when it returns; the portal's clock (`core.clock.now`) is
its time. Tests run jobs synchronously (`JOBS_IMMEDIATE`).
"""
import logging
import os
from functools import wraps
from pathlib import Path

from flask import current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab  # noqa: F401  (crontab for the features' schedules)

from portal.config import INSTANCE
from portal.extensions import db

log = logging.getLogger(__name__)


def make_queue():
    """The queue named by the environment: Redis when REDIS_URL is set, else SQLite in instance/."""
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisHuey("portal", url=url)
    instance = Path(os.environ.get("PORTAL_INSTANCE_PATH", INSTANCE))
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("portal", filename=str(instance / "jobs.db"))


queue = make_queue()
_app = None


def init_app(app) -> None:
    """Bind the queue to the app whose context jobs run in; tests run them synchronously."""
    global _app
    _app = app
    queue.immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    app.extensions["jobs"] = queue


def _in_app(fn):
    """Run fn in an app context and commit what it did; roll back and re-raise on failure."""
    @wraps(fn)
    def run(*args, **kwargs):
        if has_app_context() and current_app._get_current_object() is _app:
            return _run(fn, args, kwargs)
        if _app is None:
            raise RuntimeError("the job queue is not bound to an app (portal.worker does that)")
        with _app.app_context():
            return _run(fn, args, kwargs)
    return run


def _run(fn, args, kwargs):
    try:
        result = fn(*args, **kwargs)
        db.session.commit()
        return result
    except Exception:
        db.session.rollback()
        log.exception("job %s failed", fn.__name__)
        raise


def job(fn=None, **options):
    """A background job: call it to enqueue (or, in immediate mode, to run it now)."""
    if fn is None:
        return lambda f: job(f, **options)
    return queue.task(**options)(_in_app(fn))


def periodic(schedule, **options):
    """A job run on a schedule (a huey crontab, in UTC) by the worker's scheduler."""
    def decorate(fn):
        return queue.periodic_task(schedule, **options)(_in_app(fn))
    return decorate
