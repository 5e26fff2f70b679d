"""The job worker: `huey_consumer portal.worker.queue` runs the scheduled and background jobs
(quote expiry, follow-up reminders, ...) inside the portal app, on the queue the environment
names (SQLite in instance/ by default, Redis when REDIS_URL is set)."""
from portal import create_app
from portal.core.jobs import get_queue

app = create_app()
queue = get_queue()

__all__ = ["app", "queue"]
