"""Who may do what: pure predicates over (user, object), plus one require() that aborts 403.

Views load the object, check it here, then act. Role gates for whole blueprints live in
`role_gate`; routes that need no sign-in are marked with `public`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from portal.models import Candidate, Feedback, FeedbackState, Role, User

F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """Mark a view as reachable without signing in (everything else requires it)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def allow(*roles: Role) -> Callable[[F], F]:
    """A view only these roles reach (everyone else gets 403); sign-in is already required."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require(current_user.is_authenticated and current_user.role in roles)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def role_gate(*roles: Role) -> Callable[[], None]:
    """A before_request hook for a blueprint that only the given roles may enter."""

    def gate() -> None:
        if not current_user.is_authenticated:
            abort(401)
        require(current_user.role in roles)

    return gate


def is_staff(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.ADMIN, Role.RECRUITER)


ERASED_MESSAGE = (
    "This candidate's personal data was erased. The record stays, without it, only so that "
    "statistics add up; it can no longer be changed, invited or interviewed."
)


def is_erased(candidate: Candidate) -> bool:
    return candidate.erased_at is not None


def can_change_candidate(user: User, candidate: Candidate) -> bool:
    """Staff change a candidate's record (profile, invitation, interviews, scorecards,
    referrals) unless the candidate was erased: an erased record is frozen."""
    return is_staff(user) and not is_erased(candidate)


def can(action: str, obj: Any) -> bool:
    """For templates: `can('change_candidate', candidate)` asks can_change_candidate for the
    signed-in person, so a page shows only the buttons that would work."""
    predicate = globals().get(f"can_{action}")
    if predicate is None:
        raise LookupError(f"no permission predicate can_{action}")
    return bool(predicate(current_user, obj))


def can_view_candidate(user: User, candidate: Candidate) -> bool:
    if is_staff(user):
        return True
    return user.is_authenticated and candidate.user_id == user.id


def can_edit_feedback(user: User, feedback: Feedback) -> bool:
    """Only the author or an admin edits a scorecard, and only while the candidate's record
    is not frozen by erasure."""
    return (
        user.is_authenticated
        and (user.role is Role.ADMIN or feedback.author_id == user.id)
        and not is_erased(feedback.interview.candidate)
    )


def can_view_feedback(user: User, feedback: Feedback) -> bool:
    if is_staff(user):
        return True
    return (
        user.is_authenticated
        and feedback.state is FeedbackState.RELEASED
        and feedback.interview.candidate.user_id == user.id
    )
