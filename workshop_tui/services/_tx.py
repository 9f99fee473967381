"""Short transactions with a lock timeout and bounded retries (services._retry decides).

Three runners: `in_transaction` (a TxSession: ORM and plain SQL), `in_plain_transaction`
(the hot path's bare PlainTx on a pooled connection) and `read_plain` (one statement in
autocommit); `read_only` is in_transaction for reads. Both transaction kinds satisfy
`services._sql.Tx`, so the SQL helpers take either.

What runs again is always the whole transaction, so a retry never sees half of an
earlier attempt: after a lock failure (40P01, 55P03, 40001), within about one lock
timeout in all; after a connection lost before COMMIT (a restart, a terminated
backend), on a fresh connection until the server answers or `reconnect_wait_ms`
passes (then `unavailable`); after a COMMIT whose answer was lost, only for a call
marked idempotent. Getting the connection is part of each attempt, and the first
dead connection found retires every connection the pool opened before it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import psycopg2
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from workshop_tui.db.connectivity import connection_lost, forget_pool
from workshop_tui.db.engine import Database, TxSession
from workshop_tui.services._retry import Attempts, retries, sqlstate
from workshop_tui.services._sql import NOT_KEPT, PREPARED_LOST, PlainTx

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = [
    "in_plain_transaction",
    "in_transaction",
    "read_only",
    "read_plain",
    "retries",
    "sqlstate",
]

DRIVER_ERRORS = (DBAPIError, psycopg2.Error)
SET_LOCK_WAIT = "SELECT set_config('lock_timeout', %s, true)"  # this transaction only


def in_transaction(db: Database, work: Callable[[TxSession], T], *, idempotent: bool = False) -> T:
    """Run work(session) in one transaction, retrying as services._retry allows.

    The session is a `TxSession`: the ORM and, through `services._sql`, plain SQL on
    its connection, in the same transaction. `idempotent`: running work twice has
    the effect of running it once, so a COMMIT whose answer was lost may be retried.
    """
    attempts = Attempts(db.settings, idempotent=idempotent)
    while True:
        attempts.next()
        committing = False
        pooled: PoolProxiedConnection | None = None
        try:
            with db.sessions() as session, session.begin():
                pooled = session.connection().connection  # connects: a failure is retried
                wait = attempts.lock_wait_ms()
                if wait is not None:
                    session.cursor.execute(SET_LOCK_WAIT, (str(wait),))
                result = work(session)  # lock_timeout is set on every connection (db.engine)
                committing = True
            return result
        except DRIVER_ERRORS as exc:
            if pooled is not None and connection_lost(exc):
                forget_pool(db.engine, pooled)
            attempts.after_failure(exc, committing=committing)


def read_only(db: Database, work: Callable[[TxSession], T]) -> T:
    """One consistent read in a transaction (several statements, one snapshot).

    The same runner as `in_transaction`: a read takes no locks and writes nothing,
    so only a lost connection makes it run again.
    """
    return in_transaction(db, work, idempotent=True)


def in_plain_transaction(
    db: Database, work: Callable[[PlainTx], T], *, idempotent: bool = False
) -> T:
    """in_transaction for the hot path: the same retries, on a pooled DBAPI connection."""
    attempts = Attempts(db.settings, idempotent=idempotent)
    while True:
        attempts.next()
        try:
            connection = db.engine.raw_connection()
        except DRIVER_ERRORS as exc:
            attempts.after_failure(exc, committing=False)
            continue
        dbapi = dbapi_of(connection)
        prepared: set[str] = connection.info.setdefault(PREPARED, set())
        tx: PlainTx | None = None
        try:
            dbapi.autocommit = True  # BEGIN goes with the first statement (services._sql.PlainTx)
            # A retry's shorter lock wait travels with BEGIN (one message).
            tx = PlainTx(dbapi, prepared, transaction=True, lock_wait_ms=attempts.lock_wait_ms())
            result = work(tx)
            tx.commit()  # unless work's last statement took COMMIT with it (run_and_commit)
            return result
        except DRIVER_ERRORS as exc:
            failure: BaseException = exc
            committing = tx is not None and tx.committing
            _end_failed(db, connection, tx, exc)
            if sqlstate(exc) in PREPARED_LOST and NOT_KEPT not in prepared:
                # This connection's server cannot keep prepared statements (a pooler in
                # transaction mode): nothing was written; again, in plain SQL from now on.
                prepared.add(NOT_KEPT)
                continue
        except BaseException:
            try:
                if tx is not None:
                    tx.rollback()  # a refusal (ServiceError) or a bug: nothing of it stays
            except psycopg2.Error as exc:
                _discard(db, connection, exc)
            raise
        finally:
            if not dbapi.closed:
                dbapi.autocommit = False  # the pool's other users expect transactions
            connection.close()  # back to the pool (a discarded one is replaced)
        attempts.after_failure(failure, committing=committing)


PREPARED = "workshop.prepared"  # per pooled connection: the statements it has PREPAREd


def read_plain(db: Database, work: Callable[[PlainTx], T]) -> T:
    """Statements in autocommit on a pooled connection: each its own transaction.

    A single statement sees one snapshot, so it needs no BEGIN and COMMIT (two round
    trips). Runs again on a fresh connection if the pooled one had gone stale, so
    `work` must be safe to repeat (reads, and writes such as a key's claim that a
    second run leaves as the first did).
    """
    attempts = Attempts(db.settings, idempotent=True)
    while True:
        attempts.next()
        try:
            connection = db.engine.raw_connection()
        except DRIVER_ERRORS as exc:
            attempts.after_failure(exc, committing=False)
            continue
        dbapi = dbapi_of(connection)
        prepared: set[str] = connection.info.setdefault(PREPARED, set())
        try:
            dbapi.autocommit = True
            try:
                return work(PlainTx(dbapi, prepared))
            finally:
                if not dbapi.closed:
                    dbapi.autocommit = False  # the pool's other users expect transactions
        except psycopg2.Error as exc:
            failure: BaseException = exc
            if connection_lost(exc, dbapi):
                _discard(db, connection, exc)
            elif sqlstate(exc) in PREPARED_LOST and NOT_KEPT not in prepared:
                # A pooler in transaction mode: the statement that failed did nothing, and
                # the ones before it are safe to repeat. Again, in plain SQL from now on.
                prepared.add(NOT_KEPT)
                continue
        finally:
            connection.close()
        attempts.after_failure(failure, committing=False)


def _end_failed(
    db: Database, connection: PoolProxiedConnection, tx: PlainTx | None, exc: BaseException
) -> None:
    """Roll back a failed attempt; a connection that cannot even do that is discarded."""
    if tx is not None and not connection_lost(exc, connection.dbapi_connection):
        try:
            tx.rollback()
            return
        except psycopg2.Error:
            pass
    _discard(db, connection, exc)


def _discard(db: Database, connection: PoolProxiedConnection, exc: BaseException) -> None:
    log.info("a pooled connection died (%s); retiring the pool's older ones", exc)
    forget_pool(db.engine, connection)  # never hand a dead connection back to the pool


def dbapi_of(connection: PoolProxiedConnection) -> psycopg2.extensions.connection:
    """The psycopg2 connection under a pooled one (the engine is built on psycopg2)."""
    dbapi = connection.dbapi_connection
    if not isinstance(dbapi, psycopg2.extensions.connection):
        raise TypeError("the engine's driver is psycopg2")
    return dbapi
