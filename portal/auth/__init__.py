"""Login, logout, accounts and the admin screens for users."""
from portal.auth.views import bp

__all__ = ["bp"]
