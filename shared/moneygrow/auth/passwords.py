"""Password hashing with Argon2id (argon2-cffi's tuned defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the account does not exist, so a login costs the same either way.
_DUMMY_HASH = _hasher.hash("moneygrow-timing-equaliser")

MIN_LENGTH = 10
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# The most common passwords of at least MIN_LENGTH characters (breach corpora); the length and variety
# rules catch the shorter ones.
_COMMON = frozenset(
    {
        "1234567890",
        "12345678910",
        "123456789a",
        "0123456789",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "qwerty1234",
        "qwerty12345",
        "asdfghjkl1",
        "zxcvbnm123",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "abcdefghij",
        "abcd123456",
        "letmein123",
        "welcome123",
        "football123",
        "baseball123",
        "sunshine123",
        "princess123",
        "trustno1234",
        "administrator",
        "changeme123",
        "moneygrow123",
        "correcthorsebatterystaple",
    }
)


def password_problems(password: str, email: str) -> list[str]:
    problems = []
    if password.lower().replace(" ", "") in _COMMON:
        problems.append("is a commonly used password")
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters")
    local = email.lower().split("@", 1)[0]
    # the whole email, or a password that is mostly the email's local part ("johnsmith99")
    if password.lower() in email.lower() or (
        len(local) >= 4 and local in password.lower() and 2 * len(local) >= len(password)
    ):
        problems.append("must not contain the email address")
    if len(set(password)) < 5:
        problems.append("must use at least 5 different characters")
    return problems
