"""Times are stored in UTC (naive UTC datetimes in the database) and shown in the viewer's zone."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now as a naive UTC datetime, the form every timestamp column stores."""
    return datetime.now(UTC).replace(tzinfo=None)
