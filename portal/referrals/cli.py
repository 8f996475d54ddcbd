"""`flask referrals ...`: the scheduled side of the pipeline."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.models import Referral, ReferralStatus
from portal.referrals.pipeline import (
    ConflictError,
    ReferralError,
    expiry_note,
    stale_referrals,
    transition,
)
from portal.unit_of_work import commit

referrals_cli = AppGroup("referrals", help="Referral and lead pipeline commands.")


def describe(referral: Referral) -> str:
    target = referral.company.name if referral.company else (referral.market or "a market")
    return (
        f"#{referral.id} {referral.kind.value} for {referral.candidate.name} → {target}, "
        f"{referral.status.value} since {referral.status_changed_at:%Y-%m-%d}"
    )


@referrals_cli.command("expire")
@click.option("--dry-run", is_flag=True, help="List what would expire; change nothing.")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Days without a status change (default: REFERRAL_EXPIRY_DAYS).",
)
def expire_command(dry_run: bool, days: int | None) -> None:
    """Expire open referrals and leads whose status has not changed for too long.

    Safe to run from cron as often as you like: each item is committed on its own, an
    item someone else changed meanwhile is skipped, and a second run finds nothing new.
    """
    days = days or current_app.config["REFERRAL_EXPIRY_DAYS"]
    stale = stale_referrals(days)
    if not stale:
        click.echo(f"Nothing to expire: no open item is older than {days} days.")
        return
    expired = 0
    for referral in stale:
        line = describe(referral)
        if dry_run:
            click.echo(f"Would expire {line}")
            continue
        try:
            transition(referral, ReferralStatus.EXPIRED, None, note=expiry_note(days))
        except ConflictError:
            db.session.rollback()
            click.echo(f"Skipped {line}: someone changed it meanwhile.")
            continue
        except ReferralError as exc:
            db.session.rollback()
            click.echo(f"Skipped {line}: {exc}")
            continue
        commit()
        expired += 1
        click.echo(f"Expired {line}")
    if dry_run:
        click.echo(f"Dry run: {len(stale)} would expire; nothing was changed.")
    else:
        click.echo(f"Expired {expired} of {len(stale)}.")
