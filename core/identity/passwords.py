"""Passwords (口令): argon2id hashing and the password policy (等保 2.0 level 3 practice)."""

from __future__ import annotations

import secrets
import string

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import AppError, FieldError, Msg

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
PASSWORD_MIN_CLASSES = 3  # of: lower case, upper case, digits, other characters

_hasher = PasswordHasher()
# Verified when the account does not exist, so a wrong username costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def hash_password_async(password: str) -> str:
    """argon2 takes tens of milliseconds of CPU: keep it off the event loop."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    return await anyio.to_thread.run_sync(verify_password, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def _classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def password_problems(password: str, *, username: str = "") -> list[FieldError]:
    """Why ``password`` breaks the policy (empty list: it is acceptable)."""
    problems: list[FieldError] = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(
            FieldError(
                "password",
                "too_short",
                Msg(f"口令长度至少 {PASSWORD_MIN_LENGTH} 位", f"At least {PASSWORD_MIN_LENGTH} characters"),
            )
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        problems.append(
            FieldError(
                "password",
                "too_long",
                Msg(
                    f"口令长度不能超过 {PASSWORD_MAX_LENGTH} 位", f"At most {PASSWORD_MAX_LENGTH} characters"
                ),
            )
        )
    if _classes(password) < PASSWORD_MIN_CLASSES:
        problems.append(
            FieldError(
                "password",
                "too_simple",
                Msg(
                    "口令须包含大写字母、小写字母、数字、特殊字符中的至少三类",
                    "Use at least three of: upper case, lower case, digits, other characters",
                ),
            )
        )
    if username and password.strip().lower() == username.strip().lower():
        problems.append(
            FieldError(
                "password",
                "equals_username",
                Msg("口令不能与用户名相同", "The password must differ from the username"),
            )
        )
    return problems


def check_password_policy(password: str, *, username: str = "", field: str = "password") -> None:
    """Raise a 422 listing every broken rule."""
    problems = password_problems(password, username=username)
    if problems:
        raise AppError(
            "weak_password",
            Msg("口令不符合安全要求", "The password does not meet the password policy"),
            status=422,
            fields=[FieldError(field, p.code, p.message) for p in problems],
        )


def generate_password(length: int = 16) -> str:
    """A random password that always satisfies the policy (for admin resets)."""
    alphabet = string.ascii_letters + string.digits + "!@#%*-_+="
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if _classes(candidate) >= 4:
            return candidate
