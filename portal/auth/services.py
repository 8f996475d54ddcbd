"""Accounts: sign-in, invitations, password resets, staff accounts."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from portal import audit, mail, tokens
from portal.auth import sessions
from portal.extensions import db
from portal.models import Candidate, Role, User, utcnow
from portal.passwords import hash_password, needs_rehash, password_problems, verify_password
from portal.permissions import ERASED_MESSAGE, is_erased
from portal.unit_of_work import DomainError


class AccountError(DomainError):
    """A rule about accounts was broken; the message is safe to show to the person."""


# A real hash to verify against when the email is unknown, so that an unknown address
# costs the same time as a wrong password and timing does not reveal who has an account.
_dummy_hash: str | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user these credentials belong to, or None. Records success and failure."""
    global _dummy_hash
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        if _dummy_hash is None:
            _dummy_hash = hash_password("not-a-real-password")
        verify_password(_dummy_hash, password)
        audit.record("sign_in_failed", email=normalise_email(email)[:254])
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        audit.record("sign_in_failed", user, actor=user, email=user.email)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("sign_in", user, actor=user)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """The signed-in person changes their password, knowing the current one; every other
    session of theirs ends (the view starts a fresh one for this browser)."""
    if not verify_password(user.password_hash, current):
        raise AccountError("Your current password is not correct.", field="current")
    set_password(user, new)


def set_password(user: User, password: str) -> None:
    """Change a password and end every other session of this user."""
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise AccountError(" ".join(problems), field="password")
    user.password_hash = hash_password(password)
    sessions.end_all(user)
    audit.record("password_changed", user, actor=user)


def create_staff_user(
    name: str,
    email: str,
    role: Role,
    password: str | None,
    actor: User | None,
    *,
    team: str | None = None,
) -> User:
    """Create an admin or recruiter account. Without a password, they get a reset link."""
    if role is Role.CANDIDATE:
        raise AccountError("Candidates get their account by accepting an invitation.")
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError("An account with this email address already exists.", field="email")
    user = User(name=name.strip(), email=email, role=role, active=True, team=_team(team))
    if password:
        problems = password_problems(password, email=email, name=name)
        if problems:
            raise AccountError(" ".join(problems), field="password")
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", user, actor=actor, role=role.value)
    if not password:
        send_password_reset(user, welcome=True)
    return user


def _team(label: str | None) -> str | None:
    """A team label as stored: trimmed, None when blank."""
    return (label or "").strip() or None


def update_user(
    user: User,
    *,
    name: str,
    role: Role,
    active: bool,
    actor: User,
    team: str | None,
) -> None:
    if user.id == actor.id and (role is not user.role or not active):
        raise AccountError("You cannot change your own role or deactivate yourself.")
    if user.role is Role.CANDIDATE and role is not Role.CANDIDATE:
        raise AccountError("A candidate account cannot become a staff account.")
    if role is Role.CANDIDATE and user.role is not Role.CANDIDATE:
        raise AccountError("A staff account cannot become a candidate account.")
    changes = {}
    if role is not user.role:
        changes["role"] = [user.role.value, role.value]
        user.role = role
    if active != user.active:
        changes["active"] = [user.active, active]
        user.active = active
        sessions.end_all(user)  # deactivation ends open sessions
    if name.strip() != user.name:
        changes["name"] = "changed"
        user.name = name.strip()
    if _team(team) != user.team:
        changes["team"] = [user.team, _team(team)]
        user.team = _team(team)
    if changes:
        audit.record("user_updated", user, actor=actor, changes=changes)


# --- invitations --------------------------------------------------------------------------


def invitation_link(candidate: Candidate) -> str:
    token = tokens.make_token(
        tokens.INVITATION, {"c": candidate.id, "e": tokens.fingerprint(candidate.email)}
    )
    return external_url("auth.accept_invitation", token=token)


def send_invitation(
    candidate: Candidate, actor: User | None, attachments: Sequence[mail.Attachment] = ()
) -> None:
    if is_erased(candidate):
        raise AccountError(ERASED_MESSAGE)
    if candidate.user_id is not None:
        raise AccountError("This candidate has already accepted their invitation.")
    candidate.invited_at = utcnow()
    mail.send_mail(
        candidate.email,
        "Your BetterOff feedback portal invitation",
        "invitation",
        attachments,
        candidate=candidate,
        link=invitation_link(candidate),
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    audit.record("candidate_invited", candidate, actor=actor)


def candidate_for_invitation(token: str) -> Candidate:
    data = tokens.read_token(tokens.INVITATION, token, current_app.config["INVITATION_MAX_AGE"])
    candidate = db.session.get(Candidate, data.get("c")) if isinstance(data.get("c"), int) else None
    if (
        candidate is None
        or candidate.erased_at
        or tokens.fingerprint(candidate.email) != data.get("e")
    ):
        raise tokens.TokenError(
            "This invitation is no longer valid. Ask your recruiter for a new one."
        )
    if candidate.user_id is not None:
        raise tokens.TokenError(
            "This invitation has already been used. Sign in, or reset your password."
        )
    return candidate


def accept_invitation(candidate: Candidate, password: str) -> User:
    problems = password_problems(password, email=candidate.email, name=candidate.name)
    if problems:
        raise AccountError(" ".join(problems), field="password")
    if find_user_by_email(candidate.email) is not None:
        raise AccountError("An account with this email address already exists. Sign in instead.")
    user = User(
        name=candidate.name,
        email=normalise_email(candidate.email),
        role=Role.CANDIDATE,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    candidate.user_id = user.id
    candidate.last_activity_at = utcnow()
    audit.record("invitation_accepted", candidate, actor=user)
    return user


# --- password reset -----------------------------------------------------------------------


def send_password_reset(user: User, *, welcome: bool = False) -> None:
    token = tokens.make_token(
        tokens.PASSWORD_RESET, {"u": user.id, "p": tokens.fingerprint(user.password_hash)}
    )
    mail.send_mail(
        user.email,
        "Set your BetterOff password" if welcome else "Reset your BetterOff password",
        "password_reset",
        user=user,
        welcome=welcome,
        link=external_url("auth.reset_password", token=token),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists; say nothing either way."""
    user = find_user_by_email(email)
    if user is not None and user.active:
        send_password_reset(user)
        audit.record("password_reset_requested", user, actor=user)


def user_for_reset(token: str) -> User:
    data = tokens.read_token(
        tokens.PASSWORD_RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"]
    )
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active or tokens.fingerprint(user.password_hash) != data.get("p"):
        raise tokens.TokenError("This link has already been used or is no longer valid.")
    return user


def external_url(endpoint: str, **values: object) -> str:
    """An absolute link for emails: BASE_URL when set, else the address of this request."""
    base = current_app.config.get("BASE_URL")
    if not has_request_context():
        with current_app.test_request_context("/", base_url=base or "http://127.0.0.1:5000"):
            return url_for(endpoint, _external=True, **values)
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
