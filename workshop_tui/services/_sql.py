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
import zlib
from collections.abc import Sequence
from contextlib import suppress
from typing import Any, Protocol

import psycopg2.errors
from psycopg2.extensions import TRANSACTION_STATUS_IDLE
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor

from workshop_tui.db.engine import RowCursor

Params = dict[str, Any] | None


class Tx(Protocol):
    """A transaction that runs plain SQL: a bare `PlainTx` or a `TxSession` (ORM and SQL).

    The helpers that only run SQL take a Tx, so the hot path and the ORM paths share them.
    """

    @property
    def cursor(self) -> Cursor: ...


class BeginningCursor(RowCursor):
    """A cursor on a connection in autocommit whose first statement opens the transaction.

    psycopg2 opens a transaction with a BEGIN of its own, one more round trip to the
    server before the first statement; a sale has four transactions, and each round trip
    costs the terminal and the server CPU. Here BEGIN travels with the first statement, in
    one message; COMMIT and ROLLBACK are sent as statements (`PlainTx`).
    """

    begun = True  # False until the first statement of a transaction has been sent
    opening = "BEGIN; "  # with a retry's shorter lock wait, when it has one

    def execute(self, query: Any, vars: Any = None) -> None:  # noqa: A002 - psycopg2's name
        if not self.begun:
            self.begun = True  # an error in this message leaves the transaction to roll back
            query = self.opening + query
        super().execute(query, vars)


class PlainTx:
    """A transaction straight on a pooled DBAPI connection: the hot path's, with no Session.

    The connection is in autocommit: in a transaction (`services._tx.in_plain_transaction`)
    the first statement also sends BEGIN, and `commit` and `rollback` end it; for a single
    read (`read_plain`) there is no transaction. `prepared` names the statements this
    connection has PREPAREd.
    """

    __slots__ = ("committing", "cursor", "ended", "prepared")

    def __init__(
        self,
        dbapi_connection: Connection,
        prepared: set[str] | None = None,
        *,
        transaction: bool = False,
        lock_wait_ms: int | None = None,
    ) -> None:
        self.cursor: BeginningCursor = dbapi_connection.cursor(cursor_factory=BeginningCursor)
        self.cursor.begun = not transaction
        if lock_wait_ms is not None:  # an integer of ours, never input
            self.cursor.opening = f"BEGIN; SET LOCAL lock_timeout = {int(lock_wait_ms)}; "
        self.prepared = prepared
        self.committing = False  # COMMIT has been sent: a lost answer leaves the outcome unknown
        self.ended = False

    def outside(self) -> PlainTx:
        """Statements before this transaction begins, each its own (autocommit), on the
        same connection: a sale's look-ups that must not join its transaction (on a
        database sharded by seller they are on other shards), without a second checkout."""
        if self.cursor.begun:
            raise RuntimeError("the transaction has begun: outside() comes before its statements")
        return PlainTx(self.cursor.connection, self.prepared)

    def commit(self) -> None:
        if self.cursor.begun and not self.ended:
            self.committing = True
            self.cursor.execute("COMMIT")
        self.ended = True

    def rollback(self) -> None:
        if self.cursor.begun and not self.ended:
            self.cursor.execute("ROLLBACK")
        self.ended = True

    def run_and_commit(
        self,
        statement: Planned,
        params: dict[str, Any],
        *,
        before: Sequence[tuple[Planned, dict[str, Any]]] = (),
        after: Sequence[tuple[str, tuple[Any, ...]]] = (),
    ) -> bool:
        """Run the transaction's last statement with COMMIT in the same message.

        For a statement whose result is not needed: the transaction's locks are released
        one round trip sooner, and the terminal waits one round trip less. `before`: checks
        that run first in that message; one that raises stops it (nothing is committed).

        `after`: statements (with their values) that follow the COMMIT in that message,
        together a transaction of their own that does not wait for the disk (a NOTIFY of
        what the sale changed). They cannot undo the sale: False when one of them failed
        (`AFTER_COMMIT_ERRORS`) once it committed.
        """
        tail = "".join(
            # Bound by the driver as execute binds; a % left in would be read as a placeholder.
            "; " + self.cursor.mogrify(text, values).decode().replace("%", "%%")
            for text, values in after
        )
        if tail:
            tail = "; " + NO_DISK_WAIT + tail
        self.committing = True
        try:
            run_planned_together(self, *before, (statement, params), then=COMMIT + tail)
        except psycopg2.Error as exc:
            connection = self.cursor.connection
            # The sale's own failure leaves its transaction open (failed), or the connection
            # gone; a failure after its COMMIT leaves none open.
            if not (
                after
                and not connection.closed
                and connection.info.transaction_status == TRANSACTION_STATUS_IDLE
                and exc.pgcode in AFTER_COMMIT_ERRORS
            ):
                raise
            self.ended = True
            return False
        self.ended = True
        return True


COMMIT = "; COMMIT"
# What follows a COMMIT in its message runs as one implicit transaction of its own. A
# NOTIFY gives it a transaction id, so its commit would wait for the WAL to reach the
# disk (holding the server's one lock on the notification queue while it waits): for a
# message to the terminals that matters only while the server runs, that wait buys nothing.
NO_DISK_WAIT = "SET LOCAL synchronous_commit = off"
# What a NOTIFY after the COMMIT can fail with: a payload too long, a full queue.
AFTER_COMMIT_ERRORS = frozenset({"22023", "54000"})


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


class Planned:
    """A hot-path statement planned once per connection, then EXECUTEd by name in transactions.

    Planning the sale's joins and writes cost PostgreSQL more than running them (0.1 to
    0.3 ms each against 0.01 to 0.08, measured on one machine), for every sale, on
    the server every terminal shares. `sql` names its parameters `%(name)s`; `types`
    gives each one's SQL type. The statement's name carries a checksum of its text, so
    a server connection that another version prepared never runs the wrong statement.
    A connection whose server cannot keep it (a pooler in transaction mode) makes
    services._tx run the transaction again in plain SQL (`run_planned`).
    """

    __slots__ = ("sql", "name", "names", "prepare", "execute")

    def __init__(self, name: str, sql: str, types: dict[str, str]) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a statement name: {name!r}")
        names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", sql)))
        if set(names) != set(types) or "%%" in sql:
            raise ValueError(f"{name}: give each parameter a type, and no literal %")
        self.sql = sql
        self.name = f"{name}_{zlib.crc32(sql.encode()):08x}"
        self.names = tuple(names)
        numbered = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m[1]) + 1}", sql)
        # PostgreSQL's grammar has no empty list: a statement without parameters has none.
        listed = f" ({', '.join(types[n] for n in names)})" if names else ""
        self.prepare = f"PREPARE {self.name}{listed} AS {numbered}"
        # Each value cast to its type: a driver literal such as ARRAY[NULL] is text[] otherwise.
        casts = f" ({', '.join(f'CAST(%s AS {types[n]})' for n in names)})" if names else ""
        self.execute = f"EXECUTE {self.name}{casts}"


# SQLSTATEs of a prepared statement the server did not have (26000) or already had (42P05).
PREPARED_LOST = frozenset({"26000", "42P05"})


def run_planned(tx: Tx, statement: Planned, params: dict[str, Any], *, then: str = "") -> Cursor:
    """Run `statement` (prepared on a PlainTx's connection, plain SQL elsewhere); the cursor.

    When the server lost or already had the statement, the error aborts the transaction:
    services._tx marks the connection NOT_KEPT and runs the transaction again, in plain SQL.
    """
    cursor = tx.cursor
    kept = tx.prepared if isinstance(tx, PlainTx) else None
    if kept is None or NOT_KEPT in kept:
        cursor.execute(statement.sql + then, params)
        return cursor
    if statement.name not in kept:
        cursor.execute(statement.prepare)
        kept.add(statement.name)
    cursor.execute(statement.execute + then, [params[n] for n in statement.names])
    return cursor


def planned_rows(tx: Tx, statement: Planned, params: dict[str, Any]) -> list[Any]:
    return run_planned(tx, statement, params).fetchall()


def planned_row(tx: Tx, statement: Planned, params: dict[str, Any]) -> Any | None:
    return run_planned(tx, statement, params).fetchone()


def planned_value(tx: Tx, statement: Planned, params: dict[str, Any]) -> Any | None:
    found = planned_row(tx, statement, params)
    return None if found is None else found[0]


def run_planned_together(tx: Tx, *steps: tuple[Planned, dict[str, Any]], then: str = "") -> Cursor:
    """Run statements in one message (one round trip); the cursor holds the last one's rows.

    `then` follows them in the message (services._sql.COMMIT). An error stops the message
    where it happened, its transaction left failed."""
    kept = tx.prepared if isinstance(tx, PlainTx) else None
    if kept is None or NOT_KEPT in kept:
        merged: dict[str, Any] = {}
        for statement, params in steps:
            clash = [n for n in statement.names if n in merged and merged[n] != params[n]]
            if clash:
                raise ValueError(f"{statement.name}: parameters {clash} differ between steps")
            merged |= {n: params[n] for n in statement.names}
        tx.cursor.execute("; ".join(statement.sql for statement, _ in steps) + then, merged)
        return tx.cursor
    for statement, _ in steps:
        if statement.name not in kept:
            tx.cursor.execute(statement.prepare)
            kept.add(statement.name)
    values = [params[n] for statement, params in steps for n in statement.names]
    tx.cursor.execute("; ".join(statement.execute for statement, _ in steps) + then, values)
    return tx.cursor


def planned_one(tx: Tx, statement: Planned, params: dict[str, Any]) -> Any:
    """planned_row for a statement that always returns one row."""
    found = planned_row(tx, statement, params)
    if found is None:
        raise LookupError("the statement returned no row")
    return found


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
