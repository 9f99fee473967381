"""A dead connection is told from a refusal, whichever way psycopg2 reports it."""

from __future__ import annotations

import psycopg2
import psycopg2.errors
import pytest

from workshop_tui.db.connectivity import connection_lost


@pytest.mark.parametrize(
    "error",
    [
        psycopg2.DatabaseError("server closed the connection unexpectedly"),
        psycopg2.OperationalError('connection to server on socket "/x" failed: No such file'),
        psycopg2.InterfaceError("connection already closed"),
    ],
    ids=["bare DatabaseError", "OperationalError at connect", "InterfaceError"],
)
def test_a_driver_error_without_sqlstate_from_a_dead_socket_is_a_lost_connection(error):
    assert connection_lost(error)


def test_a_terminated_backend_is_a_lost_connection(database):
    victim = database.engine.raw_connection()
    killer = database.engine.raw_connection()
    try:
        with victim.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            (pid,) = cur.fetchone()
        victim.commit()
        with killer.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
        killer.commit()
        with pytest.raises(psycopg2.Error) as raised, victim.cursor() as cur:
            cur.execute("SELECT 1")
        assert connection_lost(raised.value, victim.dbapi_connection)
    finally:
        victim.invalidate()
        victim.close()
        killer.close()


@pytest.mark.parametrize(
    "error",
    [
        psycopg2.errors.UniqueViolation("duplicate key"),
        psycopg2.ProgrammingError("can't adapt type"),
    ],
    ids=["unique violation", "client-side ProgrammingError"],
)
def test_a_refusal_is_not_a_lost_connection(error):
    assert not connection_lost(error)


def test_a_lock_timeout_is_not_a_lost_connection(database):
    holder = database.engine.raw_connection()
    waiter = database.engine.raw_connection()
    try:
        with holder.cursor() as cur:
            cur.execute("LOCK TABLE sellers IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(psycopg2.errors.LockNotAvailable) as raised, waiter.cursor() as cur:
            cur.execute("SET LOCAL lock_timeout = 10")
            cur.execute("SELECT count(*) FROM sellers")
        assert not connection_lost(raised.value, waiter.dbapi_connection)
    finally:
        holder.rollback()
        waiter.rollback()
        holder.close()
        waiter.close()
