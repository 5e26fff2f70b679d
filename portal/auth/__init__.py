"""Login, logout, accounts and the admin screens for users."""
from portal.auth import cli
from portal.auth.views import bp, enforce_idle_timeout


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(cli.users)
    app.before_request(enforce_idle_timeout)
