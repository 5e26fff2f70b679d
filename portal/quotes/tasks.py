"""Scheduled work for quotes: validity and follow-ups move with time, not with page views."""
from portal.core.jobs import crontab, periodic
from portal.quotes import rules


@periodic(crontab(minute="*/10"))
def expire_quotes() -> int:
    """R-Q8: sent quotes past their validity become expired, whether or not anyone looks."""
    expired = total = rules.expire_overdue()
    while expired == 500:  # a backlog (the worker was down): work through it in batches
        expired = rules.expire_overdue()
        total += expired
    return total


@periodic(crontab(minute="*"))
def remind_follow_ups() -> int:
    """R-Q8: follow-ups whose time has come are raised for their agent."""
    return rules.raise_follow_up_reminders()
