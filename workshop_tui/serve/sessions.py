"""What every served session shares: the server it reaches, the app it runs, the cap on their number."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import psycopg2
from sqlalchemy.engine import make_url

from workshop_tui.config import Settings
from workshop_tui.db.engine import normalise_url

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import ConnectArgsType

log = logging.getLogger("workshop_tui.serve")

SESSION_POOL_SIZE = 2  # connections each session's app pools (as many again in a burst)
# A session's app at most: its pool twice over, the NOTIFY pool (2) and its LISTEN connection.
CONNECTIONS_PER_SESSION = 2 * SESSION_POOL_SIZE + 3
HEADROOM = 10  # left for `workshop web`, the command line and an administrator's psql


def database_url(settings: Settings) -> str:
    """The server the sessions share: the one named, or the data dir's embedded one.

    The embedded server stops when the last process using it exits; this process
    joins it first, so it stays up for as long as `workshop serve` runs, whatever
    the sessions do.
    """
    if settings.database_url is not None:
        return normalise_url(settings.database_url)
    from workshop_tui.db.embedded import start_embedded

    return normalise_url(start_embedded(settings.data_dir))


def default_max_sessions(url: str) -> int:
    """As many sessions as fit in the server's max_connections, less a reserve."""
    args, kwargs = _connect_args(url)
    conn = psycopg2.connect(*args, **kwargs)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW max_connections")
            (limit,) = cur.fetchone()
            cur.execute("SHOW superuser_reserved_connections")
            (reserved,) = cur.fetchone()
    finally:
        conn.close()
    return max(1, (int(limit) - int(reserved) - HEADROOM) // CONNECTIONS_PER_SESSION)


def _connect_args(url: str) -> ConnectArgsType:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        return engine.dialect.create_connect_args(make_url(url))
    finally:
        engine.dispose()


@dataclass
class SessionCap:
    """At most `limit` sessions at once; a refused one is told so instead of starving the server."""

    limit: int
    active: set[object] = field(default_factory=set)

    def acquire(self, session: object) -> bool:
        if len(self.active) >= self.limit:
            return False
        self.active.add(session)
        return True

    def release(self, session: object) -> None:
        self.active.discard(session)

    @property
    def refusal(self) -> str:
        return (
            f"workshop: all {self.limit} sessions of this server are in use; "
            "please try again in a moment\r\n"
        )


@dataclass(frozen=True)
class AppCommand:
    """How to start one session's app: argv and environment."""

    url: str
    kiosk: bool = False
    pool_size: int = SESSION_POOL_SIZE

    def argv(self) -> list[str]:
        return [sys.executable, "-m", "workshop_tui.cli", *(["--kiosk"] if self.kiosk else [])]

    def env(self, term: str | None = None, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(extra or {})
        # The URL travels in the environment, not in argv where `ps` would show a password.
        env["WORKSHOP_DATABASE_URL"] = self.url
        env["WORKSHOP_POOL_SIZE"] = str(self.pool_size)
        env["PYTHONIOENCODING"] = "utf-8"
        if term:
            env["TERM"] = term
        # From the serving shell, these would pin every session to that shell's size
        # (COLUMNS, LINES beat the pty's own) or make them log to one console (TEXTUAL).
        for name in ("COLUMNS", "LINES", "TEXTUAL", "TEXTUAL_DRIVER"):
            env.pop(name, None)
        return env
