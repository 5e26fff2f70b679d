"""Customers and contacts."""
from portal.customers.views import bp

__all__ = ["bp"]
