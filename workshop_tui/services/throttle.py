"""Login throttling in the database (shared by every web process and terminal).

Failures are counted in two scopes:
- 'address': one web client across every login and registration, so one client
  cannot guess a PIN against many phones (a terminal counts per login only);
- 'account': one login from one source, so failures from the web never slow the
  same staff login at the terminal, and an outsider cannot lock anyone out.
After the free failures each further one blocks the key for twice as long as the
last (starting at `login_lockout_seconds`, at most a day); a key quiet for an hour
past its block starts again from zero.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, delete, select, text, tuple_
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.errors import RateLimited

# One client address may fail (or register) this many times the per-account allowance.
ADDRESS_FACTOR = 4
MAX_DELAY_SECONDS = 24 * 3600
TERMINAL = "terminal:"

_RECORD = text(
    """
    INSERT INTO auth_throttle AS t (scope, key, failures, updated_at)
    VALUES (:scope, :key, 1, now())
    ON CONFLICT (scope, key) DO UPDATE SET
        failures = CASE
            WHEN GREATEST(t.updated_at, COALESCE(t.blocked_until, t.updated_at))
                 < now() - interval '1 hour' THEN 1
            ELSE t.failures + 1 END,
        blocked_until = CASE
            WHEN GREATEST(t.updated_at, COALESCE(t.blocked_until, t.updated_at))
                 < now() - interval '1 hour' THEN NULL
            ELSE t.blocked_until END,
        updated_at = now()
    RETURNING failures
    """
)
_BLOCK = text(
    "UPDATE auth_throttle SET blocked_until = now() + make_interval(secs => :seconds) "
    "WHERE scope = :scope AND key = :key"
)


def account_key(login: str, source: str) -> str:
    return f"{login}@{source}"[:200]


class Throttle:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _free(self, scope: str) -> int:
        base = max(1, self.db.settings.login_max_failures)
        return base * ADDRESS_FACTOR if scope == "address" else base

    def refuse_if_blocked(self, login: str | None, source: str) -> None:
        """rate_limited (with the wait in seconds) if this source or this login from it must wait."""
        keys = _keys(login, source)
        if not keys:
            return
        t = m.AuthThrottle

        def work(s: Session) -> datetime | None:
            return s.scalar(
                select(t.blocked_until)
                .where(tuple_(t.scope, t.key).in_(keys), t.blocked_until > text("now()"))
                .order_by(t.blocked_until.desc())
                .limit(1)
            )

        until = read_only(self.db, work)
        if until is not None:
            wait = max(1, int((until - datetime.now(UTC)).total_seconds() + 0.999))
            raise RateLimited(f"too many failed attempts: try again in {wait} s", retry_after=wait)

    def record(self, login: str | None, source: str) -> None:
        """Count one failure (or one registration when `login` is None) against the source."""
        keys = _keys(login, source)
        base = max(1, self.db.settings.login_lockout_seconds)

        def work(s: Session) -> None:
            for scope, key in keys:
                failures = s.scalar(_RECORD, {"scope": scope, "key": key})
                past = failures - self._free(scope)
                if past >= 0:
                    seconds = min(MAX_DELAY_SECONDS, base * 2 ** min(past, 20))
                    s.execute(_BLOCK, {"seconds": seconds, "scope": scope, "key": key})

        in_transaction(self.db, work)

    def clear(self, login: str, source: str) -> None:
        """A successful login forgives that login's failures from this source (not the address's)."""
        t = m.AuthThrottle
        key = account_key(login, source)
        in_transaction(
            self.db,
            lambda s: s.execute(delete(t).where(and_(t.scope == "account", t.key == key))),
        )


def _keys(login: str | None, source: str) -> list[tuple[str, str]]:
    # A terminal is one place people stand at, staff among them: throttling it as a whole
    # would let anyone at a kiosk slow the staff unlock there, so it counts per login only.
    keys = [] if source.startswith(TERMINAL) else [("address", source[:200])]
    if login is not None:
        keys.append(("account", account_key(login, source)))
    return keys


__all__ = ["TERMINAL", "Throttle", "account_key"]
