"""One engine per process, built by a factory (never at import time)."""

from __future__ import annotations

import logging
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from workshop_tui.config import Settings
from workshop_tui.db.connectivity import KEEPALIVES

log = logging.getLogger(__name__)


class DatabaseUnavailable(Exception):
    """The server named by the URL cannot be reached (message is safe to print)."""


# libpq takes a password from the query string too (?password=, ?sslpassword=).
SECRET_QUERY_KEYS = ("password", "sslpassword", "passfile")


def mask_url(url: str) -> str:
    """The URL with every password hidden: user:pw@ and ?password= alike."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "<unparseable database URL>"
    hidden = {k: "***" for k in parsed.query if k.lower() in SECRET_QUERY_KEYS}
    if hidden:
        parsed = parsed.update_query_dict(hidden)
    return parsed.render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


def normalise_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs; always drive them with psycopg2."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise DatabaseUnavailable(f"not a database URL: {mask_url(url)}") from exc
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    if not parsed.drivername.startswith("postgresql"):
        raise DatabaseUnavailable(f"Workshop needs PostgreSQL, not {parsed.drivername}")
    return parsed.render_as_string(hide_password=False)


# Row types by statement text (the texts are fixed strings in the code, values travel apart).
_ROW_MAKERS: dict[Any, Callable[[Iterable[Any]], tuple[Any, ...]]] = {}
_MOST_ROW_MAKERS = 2048  # a bound, should texts ever be built from values


# The row type's fields are the statement's column names, known only when it has run.
_row_type: Callable[[list[str]], Any] = partial(namedtuple, "Row", rename=True)


class RowCursor(Cursor):
    """Rows as named tuples, like psycopg2's NamedTupleCursor, for a fraction of its cost.

    NamedTupleCursor works out each result's row type from its description: 20 us of
    client CPU per statement (measured on one machine), a third of a short statement's
    own cost, on every statement of every sale. Here the type is made once per statement
    text and looked up by that text.
    """

    __slots__ = ("_text",)

    def execute(self, query: Any, vars: Any = None) -> None:  # noqa: A002 - psycopg2's name
        self._text = query
        super().execute(query, vars)

    def _make_row(self) -> Callable[[Iterable[Any]], tuple[Any, ...]]:
        found = _ROW_MAKERS.get(self._text)
        if found is None:
            if len(_ROW_MAKERS) >= _MOST_ROW_MAKERS:
                _ROW_MAKERS.clear()
            names = [column[0] for column in self.description or ()]
            found = _ROW_MAKERS[self._text] = _row_type(names)._make
        return found

    def fetchone(self) -> Any:
        row = super().fetchone()
        return None if row is None else self._make_row()(row)

    def fetchall(self) -> list[Any]:
        rows = super().fetchall()
        if not rows:
            return rows
        make = self._make_row()
        return [make(row) for row in rows]


class TxSession(Session):
    """A Session that also lends its connection's DBAPI cursor, for plain SQL in its transaction.

    It satisfies `services._sql.Tx`, like the hot path's bare `PlainTx`, so one set of
    helpers runs on either. A Session lives for one transaction (services._tx).
    """

    _cursor: Cursor | None = None

    @property
    def cursor(self) -> Cursor:
        if self._cursor is None:
            dbapi = self.connection().connection.dbapi_connection
            if not isinstance(dbapi, Connection):
                raise TypeError("the engine's driver is psycopg2")
            self._cursor = dbapi.cursor(cursor_factory=RowCursor)
        return self._cursor


class Database:
    """The engine, its sessions, and the settings every service needs."""

    def __init__(self, settings: Settings, *, pool_size: int = 10) -> None:
        self.settings = settings
        url = settings.database_url
        if url is None:
            from workshop_tui.db.embedded import start_embedded

            url = start_embedded(settings.data_dir)
        self.url = normalise_url(url)
        self.listen_url = normalise_url(settings.listen_url) if settings.listen_url else self.url
        if settings.pool_size > 0:
            pool_size = settings.pool_size
        # No pre-ping (a round trip per checkout): services retry a transaction whose
        # connection dropped before it reached commit (services._tx). The pool's reset on
        # return stays (2.5% of a sale's client CPU): a raw connection handed back inside
        # a transaction would otherwise keep its locks.
        self.engine: Engine = create_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_recycle=1800,
            connect_args={"connect_timeout": 5, "application_name": "workshop", **KEEPALIVES},
        )
        event.listen(self.engine, "connect", self._on_connect)
        self.sessions = sessionmaker(self.engine, class_=TxSession, expire_on_commit=False)
        # Whether the sales are sharded by seller (Citus): learnt on the first sale
        # (services.routing.sharded); `workshop db distribute` on a running app needs a restart.
        self.sharded: bool | None = None
        # NOTIFY after commit, on connections that stay in autocommit (no BEGIN/COMMIT, no toggling).
        self.autocommit_engine: Engine = create_engine(
            self.url,
            pool_size=2,
            max_overflow=pool_size,
            pool_recycle=1800,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "connect_timeout": 5,
                "application_name": "workshop-notify",
                **KEEPALIVES,
            },
        )

    def _on_connect(self, dbapi_conn: Connection, _record: object) -> None:
        # Every connection works in UTC, so timestamps render the same on every terminal.
        with dbapi_conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
            cur.execute(f"SET statement_timeout = {int(self.settings.statement_timeout_ms)}")
            # A terminal waits this long for a row another holds, then the transaction is retried.
            cur.execute(f"SET lock_timeout = {int(self.settings.lock_timeout_ms)}")
            # A frozen or vanished terminal's open transaction, and its row locks, end here.
            cur.execute(
                "SET idle_in_transaction_session_timeout = "
                f"{int(self.settings.idle_in_transaction_session_timeout_ms)}"
            )
        dbapi_conn.commit()

    def check(self) -> None:
        """Connect once; turn any failure into one clear line."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnavailable(f"cannot connect to {mask_url(self.url)}: {reason}") from exc

    @contextmanager
    def begin(self) -> Iterator[TxSession]:
        """A session in one transaction: commit on success, roll back on error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        self.autocommit_engine.dispose()
