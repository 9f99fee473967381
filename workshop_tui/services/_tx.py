"""Short transactions with a lock timeout and bounded, jittered retries.

Three runners: `in_transaction` (a TxSession: ORM and plain SQL), `in_plain_transaction`
(the hot path's bare PlainTx on a pooled connection) and `read_plain` (one statement in
autocommit); `read_only` is in_transaction for reads. Both transaction kinds satisfy
`services._sql.Tx`, so the SQL helpers take either.

Only deadlocks (40P01), lock timeouts (55P03) and serialization failures (40001)
are retried, and always the whole transaction, so a retry never sees half of an
earlier attempt.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg2
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from workshop_tui.db.engine import Database, TxSession
from workshop_tui.services._sql import PlainTx
from workshop_tui.services.errors import Busy

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE_SQLSTATES = frozenset({"40P01", "55P03", "40001"})
MAX_ATTEMPTS = 6


class RetryCounter:
    """How many retries this process made (the stress command and benchmarks print it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


retries = RetryCounter()


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a driver error, raw (services._sql) or wrapped by SQLAlchemy."""
    return getattr(exc, "pgcode", None) or getattr(getattr(exc, "orig", None), "pgcode", None)


def connection_lost(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated
    return (
        isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError)
        and sqlstate(exc) is None
    )


def retry_or_raise(
    exc: Exception, *, lost: bool, committing: bool, attempt: int, attempts: int
) -> None:
    """Return when the whole transaction should run again; raise when it should not."""
    if lost and not committing and attempt < attempts:
        # The server dropped the connection (restart, failover) before commit: nothing
        # was written, so the whole transaction runs again on a fresh connection.
        retries.add()
        return
    code = sqlstate(exc)
    if code not in RETRYABLE_SQLSTATES:
        raise exc
    if attempt == attempts:
        log.warning("giving up after %d attempts (%s)", attempts, code)
        raise Busy("the shop is busy right now; nothing was changed, please try again") from exc
    retries.add()
    time.sleep(random.uniform(0, 0.01 * 2**attempt))


def in_transaction(
    db: Database, work: Callable[[TxSession], T], *, attempts: int = MAX_ATTEMPTS
) -> T:
    """Run work(session) in one transaction, retrying lock failures; return its result.

    The session is a `TxSession`: the ORM and, through `services._sql`, plain SQL on
    its connection, in the same transaction.
    """
    for attempt in range(1, attempts + 1):
        committing = False
        try:
            with db.sessions() as session, session.begin():
                result = work(session)  # lock_timeout is set on every connection (db.engine)
                committing = True
            return result
        except (DBAPIError, psycopg2.Error) as exc:
            retry_or_raise(
                exc,
                lost=connection_lost(exc),
                committing=committing,
                attempt=attempt,
                attempts=attempts,
            )
    raise AssertionError("unreachable")


def read_only(db: Database, work: Callable[[TxSession], T]) -> T:
    """One consistent read in a transaction (several statements, one snapshot).

    The same runner as `in_transaction`: a read takes no locks, so only a connection
    lost before the end makes it run again.
    """
    return in_transaction(db, work, attempts=2)


def in_plain_transaction(
    db: Database, work: Callable[[PlainTx], T], *, attempts: int = MAX_ATTEMPTS
) -> T:
    """in_transaction for the hot path: the same retries, on a pooled DBAPI connection."""
    for attempt in range(1, attempts + 1):
        committing = False
        connection = db.engine.raw_connection()
        try:
            result = work(PlainTx(dbapi_of(connection)))
            committing = True
            connection.commit()
            return result
        except psycopg2.Error as exc:
            lost = connection_lost(exc)
            if not lost:
                try:
                    connection.rollback()
                except psycopg2.Error:
                    lost = True
            if lost:
                connection.invalidate()  # never hand a dead connection back to the pool
            retry_or_raise(
                exc, lost=lost, committing=committing, attempt=attempt, attempts=attempts
            )
        except BaseException:
            try:
                connection.rollback()  # a refusal (ServiceError) or a bug: nothing of it stays
            except psycopg2.Error:
                connection.invalidate()
            raise
        finally:
            connection.close()  # back to the pool
    raise AssertionError("unreachable")


PREPARED = "workshop.prepared"  # per pooled connection: the statements it has PREPAREd


def read_plain(db: Database, work: Callable[[PlainTx], T]) -> T:
    """One read statement in autocommit on a pooled connection.

    A single statement sees one snapshot, so it needs no BEGIN and COMMIT (two round
    trips). Runs again once on a fresh connection if the pooled one had gone stale.
    """
    for attempt in (1, 2):
        connection = db.engine.raw_connection()
        dbapi = dbapi_of(connection)
        try:
            dbapi.autocommit = True
            try:
                return work(PlainTx(dbapi, connection.info.setdefault(PREPARED, set())))
            finally:
                if not dbapi.closed:
                    dbapi.autocommit = False  # the pool's other users expect transactions
        except psycopg2.Error as exc:
            if not connection_lost(exc):
                raise
            connection.invalidate()  # never hand a dead connection back to the pool
            if attempt == 2:
                raise
        finally:
            connection.close()
    raise AssertionError("unreachable")


def dbapi_of(connection: PoolProxiedConnection) -> psycopg2.extensions.connection:
    """The psycopg2 connection under a pooled one (the engine is built on psycopg2)."""
    dbapi = connection.dbapi_connection
    if not isinstance(dbapi, psycopg2.extensions.connection):
        raise TypeError("the engine's driver is psycopg2")
    return dbapi
