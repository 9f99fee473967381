"""Plain SQL on the session's own connection, for the statements every sale runs.

Cart, checkout and payment run on every sale from every terminal. Through a
SQLAlchemy Session each of their statements cost 89 us (prebuilt) to 208 us (ORM)
of client CPU, against 21 us on the driver's cursor (measured on one machine),
and a terminal's CPU is what limits a shop's throughput. So these statements are
fixed, parameterised SQL strings run on the DBAPI cursor of the Session's
connection: the same transaction, the same retry wrapper (`_tx`), the same
pool. Everything else in the engine uses SQLAlchemy as usual.

Parameters are always passed separately (`%(name)s`), never formatted in.
"""

from __future__ import annotations

from typing import Any

from psycopg2.extras import NamedTupleCursor
from sqlalchemy.orm import Session

_CURSOR = "workshop.cursor"


class PlainTx:
    """A transaction straight on a pooled DBAPI connection: the hot path's, with no Session.

    Passed where the hot path's helpers take a Session; they only run plain SQL on it.
    """

    __slots__ = ("cursor", "info")

    def __init__(self, dbapi_connection: Any) -> None:
        self.cursor = dbapi_connection.cursor(cursor_factory=NamedTupleCursor)
        self.info: dict[str, Any] = {}


def _cursor(s: Session | PlainTx) -> NamedTupleCursor:
    """One cursor per transaction, on the connection the Session already holds."""
    if isinstance(s, PlainTx):
        return s.cursor
    cursor = s.info.get(_CURSOR)  # a Session lives for one transaction (services._tx)
    if cursor is None:
        cursor = s.connection().connection.dbapi_connection.cursor(cursor_factory=NamedTupleCursor)
        s.info[_CURSOR] = cursor
    return cursor


def rows(s: Session | PlainTx, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    cursor = _cursor(s)
    cursor.execute(sql, params)
    return cursor.fetchall()


def row(s: Session | PlainTx, sql: str, params: dict[str, Any] | None = None) -> Any | None:
    cursor = _cursor(s)
    cursor.execute(sql, params)
    return cursor.fetchone()


def value(s: Session | PlainTx, sql: str, params: dict[str, Any] | None = None) -> Any | None:
    found = row(s, sql, params)
    return None if found is None else found[0]


def run(s: Session | PlainTx, sql: str, params: dict[str, Any] | None = None) -> None:
    _cursor(s).execute(sql, params)
