"""`flask feedback ...`: feedback tools for the command line."""

from __future__ import annotations

import dataclasses
import json
import sys

import click
from flask.cli import AppGroup

from portal.feedback.screening import screen_text

feedback_cli = AppGroup("feedback", help="Work with interview feedback from the command line.")


@feedback_cli.command("screen")
def screen_command() -> None:
    """Run the release check on text read from standard input.

    Prints one JSON object per finding, one per line, with the finding's category, the matched
    words, their offsets in the input, why it matters and how to rephrase. Exits with status 1
    when anything is flagged and 0 when the text is clean, so scripts can gate on it.
    """
    text = sys.stdin.read()
    findings = screen_text(text)
    for finding in findings:
        click.echo(json.dumps(dataclasses.asdict(finding)))
    if findings:
        click.echo(f"{len(findings)} finding(s).", err=True)
        raise click.exceptions.Exit(1)
    click.echo("No findings.", err=True)
