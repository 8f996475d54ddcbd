"""Who may enter which referral page: one role check per view; objects are checked inside."""

from __future__ import annotations

from flask_login import current_user

from portal.models import Role, User
from portal.permissions import allow

__all__ = ["STAFF", "allow", "me"]

STAFF = (Role.ADMIN, Role.RECRUITER)


def me() -> User:
    return current_user._get_current_object()
