"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_PASSWORD_LENGTH = 10

# A short list of passwords that a length rule alone would let through.
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd1",
        "1234567890",
        "12345678910",
        "0123456789",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "1q2w3e4r5t",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "welcome1234",
        "administrator",
        "changeme123",
        "trustno1234",
        "football12",
        "baseball12",
        "monkey1234",
        "dragon1234",
        "abcdefghij",
        "abc1234567",
        "aaaaaaaaaa",
        "1111111111",
        "0000000000",
        "superman12",
        "starwars12",
        "sunshine12",
        "princess12",
        "whatever12",
        "betteroff1",
        "betteroff123",
        "recruiter1",
        "candidate1",
        "interview1",
    ]
)


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash was made with other parameters than the configured ones."""
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Reasons a new password is refused; empty when it is acceptable."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        problems.append("This password is too common; choose one that is hard to guess.")
    local_part = email.split("@")[0].lower()
    if local_part and len(local_part) >= 4 and local_part in lowered:
        problems.append("Do not include your email address in your password.")
    return problems
