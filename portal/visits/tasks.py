"""Scheduled work for visits: what moves with time, not with page views."""
from portal.core.jobs import crontab, job, periodic
from portal.visits import rules


@periodic(crontab(minute="*"))
def escalate_late_responses() -> int:
    """R-V6: urgent complaints still without a first response an hour after receipt are flagged to
    the supervisors."""
    return rules.escalate_overdue_responses()


@periodic(crontab(minute="20", hour="21"))   # 05:20 in Taipei, before the day's first shift
def find_dormant_customers() -> int:
    """R-V3: customers silent for the configured number of days join their owner's reactivation queue."""
    return rules.list_dormant()


@periodic(crontab(minute="40", hour="20"))   # 04:40 in Taipei: holidays and new customers from bulk loads
def refresh_cadence_nightly() -> int:
    return rules.refresh_all_cadence()


@job
def refresh_cadence() -> int:
    """R-V2: after the cadence settings change, every customer's due dates follow them."""
    return rules.refresh_all_cadence()
