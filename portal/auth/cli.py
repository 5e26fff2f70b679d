"""`flask --app wsgi users create USERNAME --role ROLE [--new-hire] [--locale L]`."""
import sys
from datetime import date

import click

from portal.auth import rules
from portal.auth.models import Team
from portal.config import LANGUAGES
from portal.core.policy import Role
from portal.core.rules import RuleViolation
from portal.extensions import db


@click.group(help="Manage staff accounts.")
def users():
    pass


@users.command("create", help="Create a user; the password is read from standard input.")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--new-hire", is_flag=True, help="Agent in probation: quotes wait for a supervisor.")
@click.option("--probation-ends", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--locale", type=click.Choice(LANGUAGES))
@click.option("--name", "display_name", help="Name shown to colleagues (default: the username).")
@click.option("--team", type=click.Choice([t.value for t in Team]))
def create(username, role, new_hire, probation_ends, locale, display_name, team):
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    ends: date | None = probation_ends.date() if probation_ends else None
    try:
        user = rules.create_user(None, username, password, role=role, is_new_hire=new_hire,
                                 probation_ends_on=ends, locale=locale, team=team,
                                 display_name=display_name or username.strip().lower())
    except RuleViolation as violation:
        db.session.rollback()
        raise click.ClickException(str(violation.message)) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role}).")
