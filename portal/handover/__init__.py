"""Shift handover notes (R-H1 to R-H4)."""
from portal.handover.views import bp

__all__ = ["bp"]
