"""argon2id hashing for staff passwords and customer PINs."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# RFC 9106's second recommended option: argon2id, 64 MiB, 3 passes.
_hasher = PasswordHasher()

# A hash of nothing anyone can type, checked for unknown accounts so a miss takes
# as long as a wrong password (no timing oracle for which logins exist).
_DUMMY = _hasher.hash("\x00workshop-dummy\x00")


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(hashed: str | None, secret: str) -> bool:
    try:
        return _hasher.verify(hashed or _DUMMY, secret) and hashed is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
