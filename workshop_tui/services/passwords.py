"""argon2id hashing for staff passwords and customer PINs."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): 21 ms a login
# here, against 119 ms for the library default (64 MiB, 3 passes, 4 lanes), and a
# counter terminal logs someone in all day. A 6-8 digit PIN is protected above all by
# the login throttle. Hashes carry their parameters, so older ones still verify.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_hasher = HASHER

# A hash of nothing anyone can type, checked for unknown accounts so a miss takes
# as long as a wrong password (no timing oracle for which logins exist).
_DUMMY = _hasher.hash("\x00workshop-dummy\x00")


# Stored for accounts that must never log in (the walk-in customer): not an argon2 hash,
# so it verifies against nothing.
UNUSABLE_HASH = "!"


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(hashed: str | None, secret: str) -> bool:
    try:
        return _hasher.verify(hashed or _DUMMY, secret) and hashed is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
