"""Live stock outlives a dropped connection: the listener comes back, NOTIFY is not lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from bench._controlled_pg import ControlledServer
from tests.faults.conftest import FAULTS, Shop, admin
from workshop_tui.services import Services
from workshop_tui.services.events import LISTENER_NAME
from workshop_tui.services.types import StockChange

pytestmark = FAULTS


@dataclass
class Listener:
    changes: list[StockChange] = field(default_factory=list)
    reconnects: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)

    def on_changes(self, batch: list[StockChange]) -> None:
        self.changes.extend(batch)
        self.arrived.set()

    def on_reconnect(self) -> None:
        self.reconnects += 1

    def wait_for(self, product_id: int, stock: int, timeout: float) -> float:
        """Seconds until that stock level arrived; fails after timeout."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if StockChange(product_id, stock) in self.changes:
                return time.monotonic() - start
            self.arrived.wait(0.05)
            self.arrived.clear()
        raise AssertionError(f"{product_id} at {stock} never arrived: {self.changes}")


@pytest.fixture
def listener(services: Services) -> Iterator[Listener]:
    seen = Listener()
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=services.events.listen,
        args=(seen.on_changes, stop, ready),
        kwargs={"on_reconnect": seen.on_reconnect},
        daemon=True,
    )
    thread.start()
    assert ready.wait(5)
    yield seen
    stop.set()
    thread.join(5)
    assert not thread.is_alive()


def terminate(server: ControlledServer, application_name: str) -> int:
    conn = admin(server)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = %s",
            (application_name,),
        )
        (count,) = cur.fetchone()
    conn.close()
    return count


def wait_until(condition, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_a_stock_change_reaches_the_listener_after_its_backend_was_terminated(
    server, services, shop: Shop, listener: Listener
):
    assert terminate(server, LISTENER_NAME) == 1
    wait_until(lambda: listener.reconnects == 1)

    services.stock.restock(shop.staff, shop.hammer, 5)

    assert listener.wait_for(shop.hammer, 105, timeout=2.0) < 2.0


def test_a_stock_change_reaches_the_listener_after_a_server_restart(
    server, services, shop: Shop, listener: Listener
):
    server.stop("immediate")
    server.start()
    wait_until(lambda: listener.reconnects == 1, timeout=2.0)  # changes made before are lost

    services.stock.restock(shop.staff, shop.hammer, 5)

    assert listener.wait_for(shop.hammer, 105, timeout=2.0) < 2.0


def test_a_change_made_while_the_listener_was_away_reaches_it_when_it_is_back(
    server, services, shop: Shop, listener: Listener
):
    server.stop("fast")
    time.sleep(1.0)  # several failed reconnects: the next try is up to a second away
    server.start()

    services.stock.restock(shop.staff, shop.saw, 1)  # most likely before it is back

    listener.wait_for(shop.saw, 101, timeout=3.0)
    wait_until(lambda: listener.reconnects == 1)


def test_a_notify_whose_pooled_connection_was_terminated_is_sent_on_a_fresh_one(
    server, services, shop: Shop, listener: Listener
):
    services.stock.restock(shop.staff, shop.hammer, 1)  # the notify pool now holds a connection
    listener.wait_for(shop.hammer, 101, timeout=2.0)
    assert terminate(server, "workshop-notify") >= 1

    services.stock.restock(shop.staff, shop.hammer, 1)

    listener.wait_for(shop.hammer, 102, timeout=2.0)
    assert services.events.lost == 0


def test_a_callback_that_fails_does_not_end_live_stock(server, services, shop: Shop):
    seen: list[StockChange] = []

    def clumsy(batch: list[StockChange]) -> None:
        seen.extend(batch)
        raise RuntimeError("a screen's bug")

    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=services.events.listen, args=(clumsy, stop, ready), daemon=True
    )
    thread.start()
    assert ready.wait(5)
    try:
        services.stock.restock(shop.staff, shop.hammer, 1)
        wait_until(lambda: StockChange(shop.hammer, 101) in seen)
        services.stock.restock(shop.staff, shop.hammer, 1)
        wait_until(lambda: StockChange(shop.hammer, 102) in seen)
    finally:
        stop.set()
        thread.join(5)
