"""Plain SQL on the session's own connection, for the statements every sale runs.

Cart, checkout and payment run on every sale from every terminal. Through a
SQLAlchemy Session each of their statements cost 89 us (prebuilt) to 208 us (ORM)
of client CPU, against 21 us on the driver's cursor (measured on one machine),
and a terminal's CPU is what limits a shop's throughput. So these statements are
fixed, parameterised SQL strings run on the DBAPI cursor of the Session's
connection: the same transaction, the same retry wrapper (`_tx`), the same
pool. Everything else in the engine uses SQLAlchemy as usual.

Both kinds of transaction satisfy `Tx` (a cursor): `PlainTx` on the hot path, and
`db.engine.TxSession` (a Session with its connection's cursor) everywhere else.

Parameters are always passed separately (`%(name)s`), never formatted in.
"""

from __future__ import annotations

import re
from contextlib import suppress
from typing import Any, Protocol

import psycopg2.errors
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor
from psycopg2.extras import NamedTupleCursor

Params = dict[str, Any] | None


class Tx(Protocol):
    """A transaction that runs plain SQL: a bare `PlainTx` or a `TxSession` (ORM and SQL).

    The helpers that only run SQL take a Tx, so the hot path and the ORM paths share them.
    """

    @property
    def cursor(self) -> Cursor: ...


class PlainTx:
    """A transaction straight on a pooled DBAPI connection: the hot path's, with no Session.

    `prepared` names the statements this connection has PREPAREd (services._tx.read_plain).
    """

    __slots__ = ("cursor", "prepared")

    def __init__(self, dbapi_connection: Connection, prepared: set[str] | None = None) -> None:
        self.cursor: Cursor = dbapi_connection.cursor(cursor_factory=NamedTupleCursor)
        self.prepared = prepared


class Prepared:
    """A read planned once per connection, then EXECUTEd by name.

    For a join, planning costs PostgreSQL more than running it: a page of the catalog
    took 0.77 ms unprepared against 0.41 ms prepared (measured on one machine). Only
    for statements whose best plan does not depend on the values (so not a text
    search, whose selectivity does). `sql` numbers its parameters $1, $2, ...; the name
    is a fixed identifier, never built from input.
    """

    __slots__ = ("name", "prepare", "execute", "plain")

    def __init__(self, name: str, sql: str, types: tuple[str, ...]) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a statement name: {name!r}")
        self.name = name
        self.prepare = f"PREPARE {name} ({', '.join(types)}) AS {sql}"
        self.execute = f"EXECUTE {name} ({', '.join(['%s'] * len(types))})"
        # The same statement with driver parameters, for a server that lost the prepared one.
        self.plain = re.sub(r"\$(\d+)", r"%(p\1)s", sql)


# In a connection's set of prepared names: its server forgot one, so it prepares no more.
NOT_KEPT = "-"


def prepared_rows(tx: PlainTx, statement: Prepared, values: tuple[Any, ...]) -> list[Any]:
    """Rows of a prepared statement; only in autocommit (read_plain), where an error is harmless."""
    if tx.prepared is None:
        raise TypeError("prepared statements run in services._tx.read_plain")
    on = tx.cursor
    if NOT_KEPT in tx.prepared:
        return _plain_rows(on, statement, values)
    if statement.name not in tx.prepared:
        # Already there if an earlier use's bookkeeping was lost.
        with suppress(psycopg2.errors.DuplicatePreparedStatement):
            on.execute(statement.prepare)
        tx.prepared.add(statement.name)
    try:
        on.execute(statement.execute, values)
    except psycopg2.errors.InvalidSqlStatementName:
        # Gone from the server: DISCARD ALL, or a pooler in transaction mode between us
        # and PostgreSQL that hands each statement to another backend. Either way this
        # connection's prepared statements cannot be relied on: plain SQL from now on.
        tx.prepared.add(NOT_KEPT)
        return _plain_rows(on, statement, values)
    return on.fetchall()


def _plain_rows(on: Cursor, statement: Prepared, values: tuple[Any, ...]) -> list[Any]:
    on.execute(statement.plain, {f"p{n}": v for n, v in enumerate(values, 1)})
    return on.fetchall()


def rows(tx: Tx, sql: str, params: Params = None) -> list[Any]:
    cursor = tx.cursor
    cursor.execute(sql, params)
    return cursor.fetchall()


def row(tx: Tx, sql: str, params: Params = None) -> Any | None:
    cursor = tx.cursor
    cursor.execute(sql, params)
    return cursor.fetchone()


def one(tx: Tx, sql: str, params: Params = None) -> Any:
    """The row of a statement that always returns one (an INSERT ... RETURNING, an aggregate)."""
    found = row(tx, sql, params)
    if found is None:
        raise LookupError("the statement returned no row")
    return found


def value(tx: Tx, sql: str, params: Params = None) -> Any | None:
    found = row(tx, sql, params)
    return None if found is None else found[0]


def run(tx: Tx, sql: str, params: Params = None) -> None:
    tx.cursor.execute(sql, params)
