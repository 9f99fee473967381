"""Server-side sessions for the web companion.

The browser holds a random id; the `sessions` row holds only its SHA-256, so a
copy of the table cannot be replayed. A session ends at logout, when its idle
time runs out (sliding: each use moves it on), at its absolute end, when the
account is deactivated or its password changes (a trigger of migration 0004
revokes them), and a check also refuses any session of an inactive account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from workshop_tui.db.engine import Database
from workshop_tui.services._sql import Tx, row, run
from workshop_tui.services._tx import in_plain_transaction, read_plain
from workshop_tui.services.types import Account

IDLE = timedelta(hours=2)
ABSOLUTE = timedelta(hours=12)
# The sliding expiry is written at most this often, so most requests only read.
TOUCH_AFTER = timedelta(seconds=60)

_LOOKUP = """
    SELECT c.id, c.username, c.phone, c.name, c.role, c.created_at,
           s.last_seen_at < now() - %(touch)s AS stale
      FROM sessions s JOIN customers c ON c.id = s.customer_id
     WHERE s.token_hash = %(hash)s AND s.revoked_at IS NULL
       AND s.expires_at > now() AND s.absolute_expires_at > now() AND c.is_active
"""
_TOUCH = """
    UPDATE sessions SET last_seen_at = now(),
           expires_at = LEAST(now() + %(idle)s, absolute_expires_at)
     WHERE token_hash = %(hash)s AND revoked_at IS NULL
"""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def start(self, account: Account) -> str:
        """A new session for this account; the returned id goes to the browser, never to disk."""
        token = secrets.token_urlsafe(32)
        params = {
            "hash": token_hash(token),
            "id": account.id,
            "idle": IDLE,
            "absolute": ABSOLUTE,
        }

        def work(tx: Tx) -> None:
            # The account's ended sessions go now: the table holds live ones and little else.
            run(
                tx,
                "DELETE FROM sessions WHERE customer_id = %(id)s AND (revoked_at IS NOT NULL "
                "OR expires_at <= now() OR absolute_expires_at <= now())",
                params,
            )
            run(
                tx,
                "INSERT INTO sessions (token_hash, customer_id, expires_at, absolute_expires_at) "
                "VALUES (%(hash)s, %(id)s, now() + %(idle)s, now() + %(absolute)s)",
                params,
            )

        in_plain_transaction(self.db, work)
        return token

    def account(self, token: object) -> Account | None:
        """The active account of a live session, or None (unknown, expired, revoked, inactive)."""
        if not isinstance(token, str) or not token or len(token) > 200:
            return None
        params = {"hash": token_hash(token), "touch": TOUCH_AFTER, "idle": IDLE}
        found = read_plain(self.db, lambda tx: row(tx, _LOOKUP, params))
        if found is None:
            return None
        if found.stale:
            in_plain_transaction(self.db, lambda tx: run(tx, _TOUCH, params))
        return Account(
            id=found.id,
            username=found.username,
            phone=found.phone,
            name=found.name,
            role=found.role,
            created_at=found.created_at,
        )

    def end(self, token: object) -> None:
        """Logout: the session can never be used again, even by a saved copy of the cookie."""
        if not isinstance(token, str) or not token:
            return
        params = {"hash": token_hash(token)}
        in_plain_transaction(
            self.db,
            lambda tx: run(
                tx,
                "UPDATE sessions SET revoked_at = now() "
                "WHERE token_hash = %(hash)s AND revoked_at IS NULL",
                params,
            ),
        )

    def end_all(self, account_id: int) -> int:
        """Revoke every live session of an account; returns how many there were."""

        def work(tx: Tx) -> int:
            run(
                tx,
                "UPDATE sessions SET revoked_at = now() "
                "WHERE customer_id = %(id)s AND revoked_at IS NULL",
                {"id": account_id},
            )
            return int(tx.cursor.rowcount)

        return in_plain_transaction(self.db, work)
