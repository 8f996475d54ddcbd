"""Flask commands: `flask create-admin`, `flask seed-demo`, ..."""

from __future__ import annotations

import click
from flask import Flask

from portal.auth.services import AccountError, create_staff_user
from portal.demo import seed_demo
from portal.extensions import db
from portal.feedback.cli import feedback_cli
from portal.models import Role


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an admin account."""
    try:
        user = create_staff_user(name, email, Role.ADMIN, password, actor=None)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Admin account created for {user.email}.")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Fill the database with demo data (safe to run more than once)."""
    created = seed_demo()
    db.session.commit()
    if created:
        click.echo("Demo data created. Sign in with any demo login and password 'betteroff-demo'.")
    else:
        click.echo("Demo data already present; nothing changed.")


def register(app: Flask) -> None:
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(feedback_cli)
