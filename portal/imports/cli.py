"""`flask imports purge`: delete uploads that were never imported."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.imports.services import purge_stale_uploads
from portal.unit_of_work import commit

imports_cli = AppGroup("imports", help="CSV imports.")


@imports_cli.command("purge")
def purge_command() -> None:
    """Delete uploaded files that waited more than a day without being imported (the next
    upload does this too); run it daily from a timer where uploads are rare."""
    purged = purge_stale_uploads()
    commit()
    click.echo(f"{purged} upload(s) deleted." if purged else "No stale uploads.")
