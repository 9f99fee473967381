"""Live stock for every terminal: PostgreSQL LISTEN/NOTIFY.

Services publish after their transaction commits (never inside the locked
section); a terminal's listener thread hands each batch to a callback. Both ends
outlive a server restart: the listener reconnects, a NOTIFY whose pooled
connection died is sent again on a fresh one.
"""

from __future__ import annotations

import json
import logging
import select as io_select
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg2
import psycopg2.extensions
from sqlalchemy.engine import make_url

from workshop_tui.db.connectivity import KEEPALIVES, connection_lost, forget_pool
from workshop_tui.db.engine import Database
from workshop_tui.services._sql import NO_DISK_WAIT
from workshop_tui.services.types import StockChange

log = logging.getLogger(__name__)

CHANNEL = "workshop_stock"
NOTIFY = "SELECT pg_notify(%s, %s)"
# A NOTIFY of its own: its transaction does not wait for the disk (services._sql.NO_DISK_WAIT).
NOTIFY_ALONE = f"{NO_DISK_WAIT}; {NOTIFY}"
MAX_PAYLOAD_CHANGES = 400  # NOTIFY payloads stop at 8000 bytes
LISTENER_NAME = "workshop-listen"  # application_name of every terminal's LISTEN connection
RECONNECT_FIRST_DELAY = 0.05
RECONNECT_MAX_DELAY = 2.0
# A change is stamped with its transaction's start (inventory.updated_at = now()): one
# that began before the previous LISTEN may have been notified only while away.
RESYNC_MARGIN = timedelta(seconds=60)
CHANGED_SINCE = (
    "SELECT product_id, stock_remaining FROM inventory WHERE updated_at >= %s ORDER BY product_id"
)


def encode(changes: list[StockChange]) -> str:
    return json.dumps([[c.product_id, c.stock] for c in changes], separators=(",", ":"))


def decode(payload: str) -> list[StockChange]:
    try:
        return [StockChange(int(p), int(s)) for p, s in json.loads(payload)]
    except (ValueError, TypeError):
        log.warning("ignored a malformed stock notification")
        return []


class EventService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.lost = 0  # batches that could not be published (the stress bench prints it)

    def statements(self, changes: Sequence[StockChange]) -> list[tuple[str, tuple[Any, ...]]]:
        """The NOTIFY statements of `changes`, for a sale to send after its COMMIT in the
        same message (services._sql.PlainTx.run_and_commit): no round trip of their own."""
        return [(NOTIFY, (CHANNEL, payload)) for payload in self._payloads(changes)]

    def _payloads(self, changes: Sequence[StockChange]) -> list[str]:
        return [
            encode(list(changes[start : start + MAX_PAYLOAD_CHANGES]))
            for start in range(0, len(changes), MAX_PAYLOAD_CHANGES)
        ]

    def stock_changed(self, changes: Iterable[StockChange]) -> None:
        """Publish after the sale's commit; a lost notification never undoes the sale."""
        batch = list(changes)
        if not batch:
            return
        payloads = self._payloads(batch)
        for attempt in (1, 2):
            try:
                self._notify(payloads)
                return
            except Exception as exc:  # noqa: BLE001 - logged; the sale stands
                if attempt == 1 and connection_lost(exc):
                    # A pooled connection that died in a restart: its idle siblings did too.
                    continue
                self.lost += 1
                log.warning("could not publish stock changes: %s", exc)
                return

    def _notify(self, payloads: list[str]) -> None:
        engine = self.db.autocommit_engine
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                for payload in payloads:
                    cursor.execute(NOTIFY_ALONE, (CHANNEL, payload))
            finally:
                cursor.close()
        except psycopg2.Error as exc:
            if connection_lost(exc, connection.dbapi_connection):
                forget_pool(engine, connection)
            raise
        finally:
            connection.close()

    def listen(
        self,
        on_changes: Callable[[list[StockChange]], None],
        stop: threading.Event,
        ready: threading.Event | None = None,
        on_reconnect: Callable[[], None] | None = None,
    ) -> None:
        """Block, calling on_changes for each batch, until `stop` is set. Run it in a thread.

        When the connection drops (a restart, a terminated backend, a network cut) it
        reconnects with a growing pause (at most RECONNECT_MAX_DELAY) and LISTENs again.
        Notifications sent while it was away are gone, so it then reads the levels of
        every product changed since its previous LISTEN (less RESYNC_MARGIN) and hands
        them to on_changes as one batch, before any newer notification; then it calls
        on_reconnect(). `ready` is set once the first LISTEN is in place.
        """
        delay = 0.0
        since: datetime | None = None  # server time of the previous LISTEN
        while not stop.is_set():
            try:
                conn, listening_from = self._listen_connection()
            except psycopg2.Error as exc:
                delay = min(RECONNECT_MAX_DELAY, max(RECONNECT_FIRST_DELAY, delay * 2))
                log.info("stock listener cannot connect (%s); again in %.2f s", exc, delay)
                stop.wait(delay)
                continue
            try:
                delay = 0.0
                if since is not None:
                    log.info("stock listener reconnected")
                    missed = _levels_since(conn, since - RESYNC_MARGIN)
                    if missed:
                        _call_safely(on_changes, missed)
                    _call_safely(on_reconnect)
                since = listening_from
                if ready is not None:
                    ready.set()
                _pump(conn, on_changes, stop)
            except (psycopg2.Error, OSError) as exc:
                log.warning("stock listener lost its connection (%s); reconnecting", exc)
                stop.wait(RECONNECT_FIRST_DELAY)
            finally:
                conn.close()

    def _listen_connection(self) -> tuple[psycopg2.extensions.connection, datetime]:
        """A connection LISTENing, and the server's time when it began to."""
        # Straight to PostgreSQL when a pooler sits in front (Settings.listen_url).
        engine = self.db.engine
        args, kwargs = engine.dialect.create_connect_args(make_url(self.db.listen_url))
        conn: psycopg2.extensions.connection = psycopg2.connect(
            *args,
            **{"connect_timeout": 5, **kwargs, **KEEPALIVES, "application_name": LISTENER_NAME},
        )
        try:
            conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
            with conn.cursor() as cur:
                cur.execute(f"LISTEN {CHANNEL}")
                cur.execute("SELECT now()")
                row = cur.fetchone()
        except BaseException:
            conn.close()
            raise
        assert row is not None
        return conn, row[0]


def _levels_since(conn: psycopg2.extensions.connection, since: datetime) -> list[StockChange]:
    """Current stock of the products changed since then (read after LISTEN: nothing falls
    between this snapshot and the notifications that follow it)."""
    with conn.cursor() as cur:
        cur.execute(CHANGED_SINCE, (since,))
        return [StockChange(int(p), int(s)) for p, s in cur.fetchall()]


def _pump(
    conn: psycopg2.extensions.connection,
    on_changes: Callable[[list[StockChange]], None],
    stop: threading.Event,
) -> None:
    """Hand each batch of notifications to on_changes until stop; raise when the link dies."""
    while not stop.is_set():
        if io_select.select([conn], [], [], 0.25) == ([], [], []):
            continue
        conn.poll()  # a closed socket is readable: poll raises OperationalError
        batch: list[StockChange] = []
        while conn.notifies:
            batch.extend(decode(conn.notifies.pop(0).payload))
        if batch:
            _call_safely(on_changes, batch)


def _call_safely(callback: Callable[..., None] | None, *args: object) -> None:
    """A screen's callback that fails must not end live stock for the whole terminal."""
    if callback is None:
        return
    try:
        callback(*args)
    except Exception:
        log.exception("a stock listener callback failed")
