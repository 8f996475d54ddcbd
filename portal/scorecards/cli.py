"""`flask templates ...`: the scorecard template library from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.scorecards.definition import DefinitionError
from portal.scorecards.services import library, seed_library
from portal.unit_of_work import commit

templates_cli = AppGroup("templates", help="Scorecard templates: the shipped library.")


@templates_cli.command("seed")
def seed_command() -> None:
    """Add the shipped templates that are missing (safe to run again; a template already
    here, edited or not, is left as it is)."""
    try:
        done = seed_library()
    except DefinitionError as exc:
        raise click.ClickException(f"The shipped library has a problem: {exc}") from None
    commit()
    for line in done:
        click.echo(line)
    click.echo(f"{len(done)} template(s) added." if done else "The library is up to date.")


@templates_cli.command("check")
def check_command() -> None:
    """Validate the shipped library files without touching the database."""
    try:
        entries = library()
    except DefinitionError as exc:
        raise click.ClickException(str(exc)) from None
    for entry in entries:
        click.echo(
            f"{entry.family}: {len(entry.definition.skills)} skills, "
            f"{len(entry.definition.questions)} questions"
        )
