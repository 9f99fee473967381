"""Live stock for every terminal: PostgreSQL LISTEN/NOTIFY.

Services publish after their transaction commits (never inside the locked
section); a terminal's listener thread hands each batch to a callback.
"""

from __future__ import annotations

import json
import logging
import select as io_select
import threading
from collections.abc import Callable, Iterable

import psycopg2
import psycopg2.extensions
from sqlalchemy.engine import make_url

from workshop_tui.db.engine import Database
from workshop_tui.services.types import StockChange

log = logging.getLogger(__name__)

CHANNEL = "workshop_stock"
MAX_PAYLOAD_CHANGES = 400  # NOTIFY payloads stop at 8000 bytes


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

    def stock_changed(self, changes: Iterable[StockChange]) -> None:
        batch = list(changes)
        if not batch:
            return
        try:
            # After the sale's commit, on an autocommit connection: straight to the driver.
            connection = self.db.autocommit_engine.raw_connection()
            try:
                with connection.cursor() as cursor:
                    for start in range(0, len(batch), MAX_PAYLOAD_CHANGES):
                        payload = encode(batch[start : start + MAX_PAYLOAD_CHANGES])
                        cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
            finally:
                connection.close()
        except Exception:  # a lost notification must never undo a committed sale
            log.exception("could not publish stock changes")

    def listen(
        self,
        on_changes: Callable[[list[StockChange]], None],
        stop: threading.Event,
        ready: threading.Event | None = None,
    ) -> None:
        """Block, calling on_changes for each batch, until `stop` is set. Run it in a thread."""
        # Straight to PostgreSQL when a pooler sits in front (Settings.listen_url).
        args, kwargs = self.db.engine.dialect.create_connect_args(make_url(self.db.listen_url))
        conn = psycopg2.connect(*args, **kwargs)
        try:
            conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
            with conn.cursor() as cur:
                cur.execute(f"LISTEN {CHANNEL}")
            if ready is not None:
                ready.set()
            while not stop.is_set():
                if io_select.select([conn], [], [], 0.25) == ([], [], []):
                    continue
                conn.poll()
                batch: list[StockChange] = []
                while conn.notifies:
                    batch.extend(decode(conn.notifies.pop(0).payload))
                if batch:
                    on_changes(batch)
        finally:
            conn.close()
