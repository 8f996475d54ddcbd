"""`flask feedback ...`: feedback tools for the command line."""

from __future__ import annotations

import dataclasses
import json
import sys

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from portal import release_check
from portal.extensions import db
from portal.release_check.screening import screen_text

feedback_cli = AppGroup("feedback", help="Work with interview feedback from the command line.")


@feedback_cli.command("screen")
@click.option(
    "--pack",
    "packs",
    multiple=True,
    metavar="ID",
    help="A jurisdiction pack to apply (repeat for several): uk, us-federal, us-states, eu. "
    "Default: the packs chosen under Admin > Release check (all until someone chooses).",
)
def screen_command(packs: tuple[str, ...]) -> None:
    """Run the release check on text read from standard input.

    Prints one JSON object per finding, one per line, with the finding's category, its ground
    and the law each applied pack cites for it, the matched words, their offsets in the input,
    why it matters and how to rephrase. Exits with status 1 when anything is flagged and 0
    when the text is clean, so scripts can gate on it.
    """
    unknown = release_check.unknown_packs(packs)
    if unknown:
        known = sorted(p.id for p in release_check.choosable_packs())
        raise click.BadParameter(
            f"unknown pack {', '.join(unknown)}; choose from {', '.join(known)}.",
            param_hint="--pack",
        )
    try:
        text = sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"standard input is not UTF-8 text ({exc.reason}).") from None
    findings = screen_text(text, packs=packs or _chosen_packs())
    for finding in findings:
        click.echo(json.dumps(dataclasses.asdict(finding)))
    if findings:
        click.echo(f"{len(findings)} finding(s).", err=True)
        raise click.exceptions.Exit(1)
    click.echo("No findings.", err=True)


def _chosen_packs() -> tuple[str, ...] | None:
    """The admins' choice; all packs where there is no database to ask (yet)."""
    try:
        return release_check.chosen_packs()
    except SQLAlchemyError:
        db.session.rollback()
        return None
