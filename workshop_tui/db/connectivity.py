"""Telling a lost connection from a refusal, and what to do once one is found.

After a restart, a crash or `pg_terminate_backend`, psycopg2 reports a dead socket
in several ways: a bare `DatabaseError('server closed the connection unexpectedly')`
with no SQLSTATE, an `OperationalError` while connecting ("No such file or
directory", "the database system is starting up": 57P03), an `InterfaceError`
("connection already closed"), or the server's own goodbye (57P01 terminated by an
administrator, 57P02 crash). All of them mean "nothing of an unfinished transaction
was written; the server may be back in a moment", unlike a refusal such as a
unique violation or a lock timeout, which the server answered with a SQLSTATE.
"""

from __future__ import annotations

from typing import Any

import psycopg2
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

# The server ended the session, rolling back whatever was open: admin shutdown, crash
# shutdown, cannot connect now, idle-session timeout, idle-in-transaction timeout.
LOST_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "57P05", "25P03"})
# psycopg2 raises these exact classes, without a SQLSTATE, for a socket that died.
LOST_WITHOUT_SQLSTATE = (psycopg2.DatabaseError, psycopg2.OperationalError, psycopg2.InterfaceError)

# A dead peer (a switched-off terminal, a cut cable) is found in about
# idle + interval * count seconds instead of the kernel's two hours.
KEEPALIVES: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}


def driver_error(exc: BaseException) -> BaseException:
    """The psycopg2 error inside a SQLAlchemy wrapper, or exc itself."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return exc.orig
    return exc


def connection_lost(exc: BaseException, dbapi_connection: Any = None) -> bool:
    """True when exc says the connection (or the server) went away, not that it refused."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if dbapi_connection is not None and bool(getattr(dbapi_connection, "closed", False)):
        return True
    error = driver_error(exc)
    if not isinstance(error, psycopg2.Error):
        return False
    code = error.pgcode
    if code is None:
        return type(error) in LOST_WITHOUT_SQLSTATE or isinstance(error, psycopg2.OperationalError)
    return code.startswith("08") or code in LOST_SQLSTATES


def forget_pool(engine: Engine, connection: PoolProxiedConnection | None = None) -> None:
    """One connection was found dead: so are its idle siblings, opened before the outage.

    Marks every connection the pool made up to now as stale, so each is replaced when
    next checked out, instead of each failing once and costing the caller an attempt.
    Connections opened after the outage (by another thread that already noticed)
    are kept: the pool compares ages, so many threads noticing at once is harmless.
    """
    # Pool._invalidate is what SQLAlchemy's own Connection calls on a disconnect; the
    # plain path (services._tx) talks to the driver directly, so it calls it itself.
    # tests/faults/test_restart.py fails if a SQLAlchemy upgrade changes it.
    if connection is not None:
        engine.pool._invalidate(connection)  # noqa: SLF001
    else:
        engine.dispose(close=False)
