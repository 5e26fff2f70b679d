"""Scheduled and background work on one job queue (huey).

The queue keeps its tasks in `instance/jobs.db` (SQLite) by default and in Redis when
`REDIS_URL` is set, so several servers share one queue. The worker is `portal.worker`
(`huey_consumer portal.worker.queue`); `make run` starts it beside gunicorn.

Features declare jobs in their `tasks.py` with `@job` (run once, in the background) or
`@periodic(crontab(...))` (run on a schedule). A job runs inside the app, with its own
database transaction, committed when it returns; the portal's clock (`core.clock.now`) is
its time. Tests run jobs synchronously (`JOBS_IMMEDIATE`).

The queue library is loaded when the queue is first needed (by the worker at start, by a web
worker when it first enqueues): a web worker that only serves pages never loads it (huey brings
its Redis and PostgreSQL clients, some 25 MB).
"""
import logging
import os
from functools import wraps
from pathlib import Path

from flask import current_app, has_app_context

from portal.config import INSTANCE
from portal.extensions import db

log = logging.getLogger(__name__)
_queue = None
_jobs: list["Job"] = []
_app = None
_immediate = False


def crontab(**schedule):
    """A schedule for @periodic, in UTC (huey's crontab, made when the queue is)."""
    return schedule


def make_queue():
    """The queue named by the environment: Redis when REDIS_URL is set, else SQLite in instance/."""
    from huey import RedisHuey, SqliteHuey
    url = os.environ.get("REDIS_URL")
    if url:
        return RedisHuey("portal", url=url)
    instance = Path(os.environ.get("PORTAL_INSTANCE_PATH", INSTANCE))
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("portal", filename=str(instance / "jobs.db"))


def get_queue():
    """The queue, with every job registered on it (made on first use)."""
    global _queue
    if _queue is None:
        queue = make_queue()
        queue.immediate = _immediate
        for registered in _jobs:
            registered.bind(queue)
        _queue = queue
    return _queue


def init_app(app) -> None:
    """Bind the queue to the app whose context jobs run in; tests run them synchronously."""
    global _app, _immediate
    _app = app
    _immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    if _queue is not None:
        _queue.immediate = _immediate


class Job:
    """A job function: calling it enqueues it (or, in immediate mode, runs it now)."""

    def __init__(self, fn, schedule=None, options=None):
        self.fn, self.schedule, self.options = fn, schedule, options or {}
        self.task = None
        wraps(fn)(self)
        _jobs.append(self)
        if _queue is not None:
            self.bind(_queue)

    def bind(self, queue) -> None:
        run = _in_app(self.fn)
        if self.schedule is not None:
            from huey import crontab as huey_crontab
            self.task = queue.periodic_task(huey_crontab(**self.schedule), **self.options)(run)
        else:
            self.task = queue.task(**self.options)(run)

    def _task(self):
        if self.task is None:
            get_queue()
        return self.task

    def __call__(self, *args, **kwargs):
        return self._task()(*args, **kwargs)

    def call_local(self, *args, **kwargs):
        """Run it here and now, in this process (tests, the command line)."""
        return self._task().call_local(*args, **kwargs)


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
    return Job(fn, None, options)


def periodic(schedule, **options):
    """A job run on a schedule (crontab(...), in UTC) by the worker's scheduler."""
    return lambda fn: Job(fn, schedule, options)
