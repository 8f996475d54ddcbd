"""Who may enter which referral page: one role check per view; objects are checked inside."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask_login import current_user

from portal.models import Role, User
from portal.permissions import require

F = TypeVar("F", bound=Callable[..., Any])
STAFF = (Role.ADMIN, Role.RECRUITER)


def allow(*roles: Role) -> Callable[[F], F]:
    """Only these roles reach the view (everyone else gets 403); sign-in is already required."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require(current_user.is_authenticated and current_user.role in roles)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def me() -> User:
    return current_user._get_current_object()
