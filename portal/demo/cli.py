"""`flask --app wsgi demo load [--if-empty]` and `flask --app wsgi demo logins`."""
import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from portal.auth.models import User
from portal.core.rules import RuleViolation
from portal.extensions import db

LOGINS_FILE = "demo-logins.txt"
HEADER = "Demo logins (from instance/demo-logins.txt):"

# AppGroup commands run inside the app context.
demo = AppGroup("demo", help="Demo data: bilingual staff, customers and shift handovers for trying the portal.")


def logins_path() -> Path:
    return Path(current_app.instance_path) / LOGINS_FILE


def _write_logins(lines: list[str]) -> Path:
    """The logins, readable by the owner only (the file holds passwords)."""
    path = logins_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file keeps its mode otherwise
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


@demo.command("load", help="Create demo staff (one per role plus a new hire), customers and a week of "
                            "shift handovers.")
@click.option("--if-empty", is_flag=True, help="Do nothing, successfully, when any user exists.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed for the demo data.")
@click.option("--customers", type=click.IntRange(1, 1000), default=200, show_default=True)
def load(if_empty, seed, customers):
    from portal.demo.data import load_demo, role_label

    if db.session.scalar(sa.select(User.id).limit(1)) is not None:
        if if_empty:
            click.echo("Demo data already present; keeping it.")
            return
        raise click.ClickException("The database already has users; demo data goes into an empty database only. "
                                   "Use --if-empty to skip loading quietly.")
    try:
        passwords = load_demo(seed=seed, customers=customers)
    except RuleViolation as violation:
        db.session.rollback()
        raise click.ClickException(f"Demo data refused: {violation.message}") from None
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    width = max(len(role_label(u)) for u in passwords) + 2
    lines = [f"{role_label(u):<{width}}{u:<10}{p}" for u, p in passwords.items()]
    path = _write_logins(lines)
    from portal.handover.models import HandoverNote
    from portal.quotes.models import Quote
    notes = db.session.scalar(sa.select(sa.func.count()).select_from(HandoverNote))
    quotes = db.session.scalar(sa.select(sa.func.count()).select_from(Quote).where(Quote.is_current == sa.true()))
    from portal.shipments.models import Shipment, VesselCall
    shipments = db.session.scalar(sa.select(sa.func.count()).select_from(Shipment))
    calls = db.session.scalar(sa.select(sa.func.count()).select_from(VesselCall))
    click.echo(f"Loaded demo data: {len(passwords)} users, {customers} customers, "
               f"{notes} shift handover notes over the last week, {quotes} quotes over 90 days, "
               f"{calls} vessel calls and {shipments} shipments.")
    click.echo(f"Demo logins (kept in {path}):")
    for line in lines:
        click.echo(f"  {line}")


@demo.command("logins", help="Show the demo logins recorded when the demo data was loaded.")
def logins():
    path = logins_path()
    if not path.exists():
        click.echo("No demo logins were recorded (instance/demo-logins.txt does not exist): "
                   "the users were created another way.")
        return
    click.echo(HEADER)
    for line in path.read_text(encoding="utf-8").splitlines():
        click.echo(f"  {line}")
