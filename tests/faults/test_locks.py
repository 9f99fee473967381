"""A stuck or frozen terminal costs the others a bounded wait, never their shop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from bench._controlled_pg import ControlledServer
from tests.faults.conftest import DATABASE, FAULTS, Shop, admin
from workshop_tui.services import Services
from workshop_tui.services.errors import Busy

pytestmark = FAULTS

# A terminal that locks a product's inventory row in a transaction and then hangs there.
FROZEN_TERMINAL = """
import sys, time
from workshop_tui.config import Settings
from workshop_tui.db import Database
db = Database(Settings.from_env(database_url=sys.argv[1]), pool_size=1)
conn = db.engine.raw_connection()
with conn.cursor() as cur:
    cur.execute("SELECT stock_remaining FROM inventory WHERE product_id = %s FOR UPDATE",
                (int(sys.argv[2]),))
print("locked", flush=True)
time.sleep(600)
"""


def test_a_checkout_waiting_for_a_held_row_answers_busy_within_the_bound(
    server: ControlledServer, services: Services, shop: Shop
):
    holder = admin(server)
    holder.autocommit = False
    with holder.cursor() as cur:
        cur.execute("SELECT 1 FROM inventory WHERE product_id = %s FOR UPDATE", (shop.hammer,))
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    lock_timeout = services.settings.lock_timeout_ms / 1000
    try:
        started = time.monotonic()
        with pytest.raises(Busy):
            services.orders.checkout(shop.customer, "waits")
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert lock_timeout <= waited <= lock_timeout + 1.5


@pytest.fixture
def frozen_terminal(server: ControlledServer, shop: Shop) -> Iterator[subprocess.Popen]:
    env = {**os.environ, "WORKSHOP_IDLE_IN_TRANSACTION_SESSION_TIMEOUT_MS": "1000"}
    child = subprocess.Popen(
        [sys.executable, "-c", FROZEN_TERMINAL, server.url(DATABASE), str(shop.hammer)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout.readline().strip() == "locked"
        child.send_signal(signal.SIGSTOP)  # frozen with the row locked
        yield child
    finally:
        child.send_signal(signal.SIGKILL)
        child.send_signal(signal.SIGCONT)
        child.wait(10)


def test_a_frozen_terminals_locks_are_released_by_the_server(
    services: Services, shop: Shop, frozen_terminal: subprocess.Popen
):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)

    order = services.orders.checkout(shop.customer, "after-the-freeze")

    assert order.status == "pending_payment"
    assert frozen_terminal.poll() is None  # still frozen: the server, not the client, let go


def test_an_overdue_order_on_a_held_product_never_delays_a_checkout_of_another(
    server: ControlledServer, make_database, shop: Shop
):
    services = Services(make_database(order_ttl_minutes=0, expiry_sweep_seconds=0))
    services.cart.set_quantity(shop.staff, shop.hammer, 1)
    services.orders.checkout(shop.staff, "overdue")  # expires at once, holding a hammer
    holder = admin(server)
    holder.autocommit = False
    with holder.cursor() as cur:
        cur.execute("SELECT 1 FROM inventory WHERE product_id = %s FOR UPDATE", (shop.hammer,))
    services.cart.set_quantity(shop.customer, shop.saw, 1)
    try:
        started = time.monotonic()
        order = services.orders.checkout(shop.customer, "saw")
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
    assert order.status == "pending_payment"
    assert waited < 1.0
