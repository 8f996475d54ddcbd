"""Flask commands: `flask create-admin`, `flask seed-demo`, ..."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal import jobs, reminders
from portal.api.cli import api_token_cli
from portal.auth.services import AccountError, create_staff_user
from portal.demo import seed_demo
from portal.extensions import db
from portal.feedback.cli import feedback_cli
from portal.imports.cli import imports_cli
from portal.models import Role
from portal.privacy.cli import backup_command, privacy_cli, restore_command
from portal.referrals.cli import referrals_cli
from portal.reports.cli import reports_cli
from portal.reports.store import remove_stale_temp_files
from portal.scorecards.cli import templates_cli
from portal.unit_of_work import commit


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
    commit()
    click.echo(f"Admin account created for {user.email}.")


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Fill the database with demo data (safe to run more than once)."""
    created = seed_demo()
    commit()
    if created:
        click.echo("Demo data created. Sign in with any demo login and password 'betteroff-demo'.")
    else:
        click.echo("Demo data already present; nothing changed.")


rq_cli = AppGroup("rq", help="Background workers (needs REDIS_URL).")


@rq_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def rq_worker_command(burst: bool) -> None:
    """Run a worker for report rendering and mail jobs."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("Set REDIS_URL to run workers; without it jobs run inline.")
    queue = jobs.redis_queue(url)
    if not burst:  # the daily digest, run by this worker's RQ scheduler
        when = reminders.schedule(queue)
        click.echo(f"Reminder digests scheduled for {when:%Y-%m-%d %H:%M} UTC.")
    worker = _recovering_worker(queue)
    worker.work(burst=burst, with_scheduler=True)


reminders_cli = AppGroup("reminders", help="The daily digest of overdue scorecards.")


@reminders_cli.command("send")
def reminders_send_command() -> None:
    """Send today's digests: overdue scorecards, panels ready to debrief. Once a day per
    person however often it runs (cron, the systemd timer in deploy/, or by hand)."""
    summary = reminders.send_digests()
    commit()
    click.echo(
        f"Sent {summary.sent} digest(s): {summary.overdue} overdue scorecard(s), "
        f"{summary.complete} complete panel(s); {summary.already_sent} already sent today."
    )


def _recovering_worker(queue):
    """An RQ worker that, when it starts and at each maintenance round, also queues again
    what a killed worker left behind and removes its half-written report files. A
    SimpleWorker: jobs run in this process, with one app and one font configuration."""
    from rq import SimpleWorker  # optional "redis" extra

    class Worker(SimpleWorker):
        def clean_registries(self) -> None:
            super().clean_registries()
            jobs.recover_abandoned()
            remove_stale_temp_files()
            db.session.remove()

    return Worker([queue], connection=queue.connection)


jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("run-due")
def jobs_run_due_command() -> None:
    """Run delayed jobs whose time has come (webhook retries) when there is no Redis queue."""
    ran = jobs.run_due()
    click.echo(f"Ran {ran} job(s).")


def register(app: Flask) -> None:
    app.cli.add_command(api_token_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(feedback_cli)
    app.cli.add_command(templates_cli)
    app.cli.add_command(referrals_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(rq_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(imports_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
