"""`flask privacy purge`, and `flask backup` / `flask restore` for the embedded SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.privacy.services import PrivacyError, erase_candidate, inactive_candidates, parse_age
from portal.unit_of_work import commit

privacy_cli = AppGroup("privacy", help="Data retention.")


@privacy_cli.command("purge")
@click.option(
    "--older-than", "older_than", required=True, help="Inactivity period: 730d, 104w, 24m or 2y."
)
@click.option("--dry-run", is_flag=True, help="List who would be erased; change nothing.")
def purge_command(older_than: str, dry_run: bool) -> None:
    """Erase candidates with no activity in the given period (safe to run from cron)."""
    try:
        age = parse_age(older_than)
    except PrivacyError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from exc
    candidates = inactive_candidates(age)
    if not candidates:
        click.echo(f"No candidate has been inactive for {older_than}.")
        return
    for candidate in candidates:
        verb = "would erase" if dry_run else "erased"
        if not dry_run:
            erase_candidate(candidate, actor=None)
            commit()
        click.echo(
            f"{verb}: candidate #{candidate.id} "
            f"(last activity {candidate.last_activity_at:%Y-%m-%d})"
        )
    click.echo(
        f"{len(candidates)} candidate(s) {'would be erased (dry run)' if dry_run else 'erased'}."
    )


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException(
            "flask backup/restore handle the embedded SQLite database. For PostgreSQL use "
            "pg_dump/pg_restore (see README, Backups)."
        )
    return Path(url.database)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path) -> None:
    """Copy the live SQLite database to TARGET with SQLite's online backup API."""
    source = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    click.echo(f"Backed up {source} to {target}.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup in SOURCE."""
    target = _sqlite_path()
    with sqlite3.connect(source) as check:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{source} is not a healthy SQLite database.")
    if not yes:
        click.confirm(
            f"Replace {target} with {source}? Everything since the backup is lost", abort=True
        )
    db.session.remove()
    db.engine.dispose()
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    click.echo(f"Restored {target} from {source}.")
    current_app.logger.info("database restored from %s", source)
