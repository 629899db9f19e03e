"""Password hashing (Argon2id) and the rules a new password must keep.

Production hashes with RFC 9106's low-memory profile (Argon2id, t=3, m=64 MiB, p=4), which is
argon2-cffi's default; the profile is named here so that a library upgrade that changes its
default does not silently change ours. ``check_needs_rehash`` on each login moves stored hashes
to this profile. Only tests build a cheaper hasher (``cheap_hasher``).
"""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher, profiles
from shequ.errors import ValidationError

PROFILE = profiles.RFC_9106_LOW_MEMORY

MIN_LENGTH = 12
MAX_LENGTH = 128  # a hash is costly however long the input; bound what a caller can send
MIN_DISTINCT = 5

# Fragments that make up most guessed passwords; what is left without them must still be long.
COMMON = (
    "password",
    "passw0rd",
    "qwerty",
    "asdfgh",
    "zxcvbn",
    "1234567890",
    "0987654321",
    "abcdef",
    "admin",
    "woaini",
    "iloveyou",
    "shequ",
    "111111",
    "000000",
    "888888",
    "666666",
)
MIN_AFTER_COMMON = 8


def production_hasher() -> PasswordHasher:
    return PasswordHasher.from_parameters(PROFILE)


def cheap_hasher() -> PasswordHasher:
    """For tests only: well under a millisecond a hash instead of ~0.4 s."""
    return PasswordHasher.from_parameters(profiles.CHEAPEST)


def _refuse(code: str, zh: str, en: str) -> ValidationError:
    return ValidationError(zh, en, "password", code=f"password.{code}")


def check_password(password: object, username: str = "", person_id: str = "") -> str:
    """``password`` if it keeps the rules; else ValidationError naming the rule broken."""
    if not isinstance(password, str):
        raise _refuse("required", "须填写密码", "a password is required")
    if len(password) < MIN_LENGTH:
        raise _refuse(
            "too_short",
            f"密码至少 {MIN_LENGTH} 个字符（现为 {len(password)} 个）",
            f"a password needs at least {MIN_LENGTH} characters (this one has {len(password)})",
        )
    if len(password) > MAX_LENGTH:
        raise _refuse(
            "too_long",
            f"密码最多 {MAX_LENGTH} 个字符",
            f"a password may have at most {MAX_LENGTH} characters",
        )
    if any(unicodedata.category(c) in ("Cc", "Cs", "Cf") for c in password):
        raise _refuse(
            "bad_character",
            "密码不能含控制字符或不可见字符",
            "a password may not contain control or invisible characters",
        )
    lowered = password.casefold()
    for own in (username, person_id):
        if own and len(own) >= 3 and own.casefold() in lowered:
            raise _refuse(
                "contains_username",
                "密码不能包含用户名或人员编号",
                "a password may not contain the username or the person id",
            )
    rest = lowered
    for fragment in COMMON:
        rest = rest.replace(fragment, "")
    if len(set(password)) < MIN_DISTINCT or len(rest) < MIN_AFTER_COMMON:
        raise _refuse(
            "too_simple",
            f"密码过于简单：请至少用 {MIN_DISTINCT} 个不同字符，避免常见词和连续数字",
            f"the password is too easy to guess: use at least {MIN_DISTINCT} different "
            "characters and avoid common words and runs of digits",
        )
    return password
