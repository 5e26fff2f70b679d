"""What every feature's rules share: refusals with a message for the user, and stale edits."""
from flask_babel import lazy_gettext as _l


class RuleViolation(Exception):
    """A domain rule refused the change; message is shown to the user, next to field if set."""

    status = 422

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class StaleRecord(RuleViolation):
    """Someone else saved the record after the form was loaded."""

    status = 409

    def __init__(self, record=None):
        super().__init__(_l("Someone else changed this record while you were editing it. "
                            "Your changes were not saved; reload to see theirs, then make yours again."))
        self.record = record


class SimultaneousSave(RuleViolation):
    """A unique value was taken by someone else's save at the same moment (a real race)."""

    status = 409

    def __init__(self):
        super().__init__(_l("Someone else saved the same record at the same moment, so yours was not saved. "
                            "Your input is kept: check it and save again."))


def check_version(record, expected) -> None:
    """Refuse an edit made from a form loaded before the record's last change."""
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        raise StaleRecord(record) from None
    if expected != record.version:
        raise StaleRecord(record)
