"""Quotes and quote history, with supervisor approval (R-Q1 to R-Q10)."""
from portal.quotes.views import bp

__all__ = ["bp"]
