"""`flask api-token create|list|revoke`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from portal.api import tokens
from portal.extensions import db
from portal.models import ApiScope, ApiToken, User
from portal.unit_of_work import commit

api_token_cli = AppGroup("api-token", help="API tokens for other systems (an ATS).")


@api_token_cli.command("create")
@click.option("--email", required=True, help="The recruiter or admin the token acts as.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([s.value for s in ApiScope]),
    help="read, write (write includes read); repeat for both.",
)
@click.option("--expires-in-days", type=click.IntRange(1, tokens.MAX_LIFETIME_DAYS), default=None)
@click.option("--name", default=None, help="What uses it (shown in lists).")
@click.option("--source", default="api", help="Whose ids external_id holds, e.g. greenhouse.")
def create_command(
    email: str, scopes: tuple[str, ...], expires_in_days: int | None, name: str | None, source: str
) -> None:
    """Make a token and print it, alone, on the last line (it is never shown again)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user has the email address {email}.")
    try:
        token, secret = tokens.create_token(
            user,
            name=name or f"Made on the command line for {user.email}",
            scopes={ApiScope(s) for s in scopes},
            expires_in_days=expires_in_days,
            source=source,
            actor=None,
        )
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from None
    commit()
    expiry = f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "no expiry"
    click.echo(
        f"Token {token.prefix} for {user.email}, scopes {token.scopes}, {expiry}. "
        "Store it now; it is not shown again:"
    )
    click.echo(secret)


@api_token_cli.command("list")
def list_command() -> None:
    """Every token: prefix, user, scopes, expiry, last use, revoked."""
    for token in tokens.all_tokens():
        state = "revoked" if token.revoked_at else ("usable" if token.usable() else "expired")
        click.echo(
            f"{token.prefix}  {token.user.email}  {token.scopes}  {state}  "
            f"last used {token.last_used_at or 'never'}"
        )


@api_token_cli.command("revoke")
@click.argument("prefix")
def revoke_command(prefix: str) -> None:
    """Revoke the token with this prefix (bo_ and its 8 characters, as `list` shows it)."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None:
        raise click.ClickException(f"No token has the prefix {prefix}.")
    try:
        tokens.revoke(token, actor=None)
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from None
    commit()
    click.echo(f"Revoked {prefix}.")
