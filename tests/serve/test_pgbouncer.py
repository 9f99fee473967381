"""Many terminals through pgbouncer in transaction mode (Debian's package), the README's config.

Its two traps: a server connection serves another client at the next transaction, so
prepared statements and session settings do not follow a client; and LISTEN needs a
session of its own, so it goes straight to PostgreSQL (WORKSHOP_LISTEN_URL).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench._pgbouncer import MISSING, available, pgbouncer
from tests import factories as f
from workshop_tui.db import Database
from workshop_tui.services import Services
from workshop_tui.services.types import StockChange

pytestmark = pytest.mark.skipif(not available(), reason=MISSING)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bounced(database: Database) -> Iterator[Services]:
    """The services through a pgbouncer with 3 server connections, LISTEN direct."""
    with pgbouncer(database.url, pool_size=3) as url:
        settings = database.settings.model_copy(
            update={"database_url": url, "listen_url": database.url}
        )
        services = Services(Database(settings, pool_size=8))
        yield services
        services.close()


def test_terminals_browse_check_out_and_pay_through_pgbouncer(database, bounced: Services):
    acme = f.seller(database, "Acme Tools")
    products = [f.product(database, acme, name=f"Tool {n}", stock=100) for n in range(6)]
    buyers = [f.account(database, phone=f"+9190000000{n:02d}", secret="123456") for n in range(8)]

    def terminal(n: int) -> str:
        buyer = buyers[n]
        for round_ in range(3):
            # Browsing runs prepared statements; the pooler hands them to other backends.
            page = bounced.catalog.search("", limit=4)
            assert [p.name for p in page.items] == [f"Tool {i}" for i in range(4)]
            bounced.catalog.search("", limit=4, after=page.next_after)
            bounced.cart.set_quantity(buyer, products[(n + round_) % 6], 1 + round_)
            order = bounced.orders.checkout(buyer, f"t{n}-{round_}")
            paid = bounced.payments.pay(
                buyer, order.id, method="card", idempotency_key=f"p{n}-{round_}"
            )
            assert paid.order.status == "paid"
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(terminal, range(8))) == ["ok"] * 8
    sold = sum(1 + r for r in range(3)) * 8
    with database.begin() as s:
        from workshop_tui.services._sql import value

        assert value(s, "SELECT sum(100 - stock_remaining) FROM inventory") == sold
    assert bounced.ledger.verify().ok


def test_every_server_connection_gets_the_lock_timeout(database, bounced: Services):
    # A terminal's own SET stays on whichever server connection ran it; the pooler's
    # connect_query gives each of them the setting. Plain connections (no Workshop SET),
    # each inside a transaction at once, so each holds a server connection of its own.
    from bench._pg import connect

    connections = [connect(bounced.db.url) for _ in range(3)]
    seen = []
    try:
        for conn in connections:
            with conn.cursor() as cur:
                cur.execute("SHOW lock_timeout")
                seen.append(cur.fetchone()[0])
    finally:
        for conn in connections:
            conn.close()
    assert seen == [f"{database.settings.lock_timeout_ms // 1000}s"] * 3


@contextmanager
def listening(services: Services) -> Iterator[list[list[StockChange]]]:
    """A terminal's listener (on the direct URL), ready; the batches it got once the
    block's NOTIFY arrived."""
    got: list[list[StockChange]] = []
    arrived, ready, stop = threading.Event(), threading.Event(), threading.Event()

    def on_changes(batch: list[StockChange]) -> None:
        got.append(batch)
        arrived.set()

    listener = threading.Thread(target=services.events.listen, args=(on_changes, stop, ready))
    listener.start()
    try:
        assert ready.wait(5)
        yield got
        assert arrived.wait(5)
    finally:
        stop.set()
        listener.join(5)


def test_stock_changes_reach_a_listener_on_the_direct_url(bounced: Services):
    with listening(bounced) as got:
        bounced.events.stock_changed([StockChange(7, 3)])  # NOTIFY through the pooler
    assert got == [[StockChange(7, 3)]]


@pytest.mark.slow
def test_the_engine_suites_checkout_and_payment_tests_pass_through_pgbouncer(test_database_url):
    with pgbouncer(test_database_url, pool_size=5) as url:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
             "tests/engine/test_checkout.py", "tests/engine/test_payments.py"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
            env={**os.environ, "WORKSHOP_TEST_DATABASE_URL": url},
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
    assert " passed" in run.stdout and "failed" not in run.stdout


def test_a_sales_own_notify_through_the_pooler_reaches_a_listener(database, bounced: Services):
    acme = f.seller(database, "Acme Tools")
    hammer = f.product(database, acme, name="Hammer", stock=10)
    buyer = f.account(database, phone="+919000000001", secret="123456")
    with listening(bounced) as got:
        bounced.cart.set_quantity(buyer, hammer, 3)
        bounced.orders.checkout(buyer, "announced")  # NOTIFY after the COMMIT, in its message
    assert got == [[StockChange(hammer, 7)]]
