"""Unpaid orders expire in the background: no checkout has to do it."""

from __future__ import annotations

import time

from tests.engine.conftest import stock_of
from workshop_tui.config import Settings
from workshop_tui.db import Database
from workshop_tui.services import Services
from workshop_tui.services.sweeper import ExpirySweeper


def wait_until(condition, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_the_sweeper_expires_an_overdue_order_with_no_checkout_at_all(make_services, shop):
    services = make_services(order_ttl_minutes=0)
    services.cart.set_quantity(shop.customer, shop.saw, 2)
    order = services.orders.checkout(shop.customer, "k1")
    sweeper = ExpirySweeper(lambda: services, interval=0.05).start()
    try:
        wait_until(lambda: services.orders.get(shop.customer, order.id).status == "cancelled")
    finally:
        sweeper.stop()
    assert stock_of(services, shop.saw) == 2
    assert sweeper.expired == 1


def test_a_sweeper_outlives_an_unreachable_database(make_services, shop):
    services = make_services(order_ttl_minutes=0)
    services.cart.set_quantity(shop.customer, shop.saw, 1)
    order = services.orders.checkout(shop.customer, "k1")
    nowhere = Services(
        Database(
            Settings(database_url="postgresql://postgres@127.0.0.1:9/none", reconnect_wait_ms=100),
            pool_size=1,
        )
    )
    reachable = []  # empty while the database is "away"
    sweeper = ExpirySweeper(lambda: services if reachable else nowhere, interval=0.05).start()
    try:
        time.sleep(0.3)  # several passes fail
        reachable.append(True)
        wait_until(lambda: services.orders.get(shop.customer, order.id).status == "cancelled")
    finally:
        sweeper.stop()
        nowhere.close()


def test_stopping_the_sweeper_ends_its_thread(services):
    sweeper = ExpirySweeper(lambda: services, interval=0.05).start()
    sweeper.stop()
    assert not sweeper._thread.is_alive()


def test_each_web_worker_expires_overdue_orders_in_the_background(make_services, shop):
    from workshop_tui.web.serve import worker_app

    services = make_services(order_ttl_minutes=0)
    services.cart.set_quantity(shop.customer, shop.saw, 1)
    order = services.orders.checkout(shop.customer, "k1")

    app = worker_app(services.settings.model_copy(update={"expiry_sweep_seconds": 0.05}))
    try:
        wait_until(lambda: services.orders.get(shop.customer, order.id).status == "cancelled")
    finally:
        app.extensions["workshop_sweeper"].stop()
        app.extensions["workshop"].get().close()


async def test_the_terminal_app_expires_overdue_orders_in_the_background(make_services, shop):
    from workshop_tui.app import make_app

    services = make_services(order_ttl_minutes=0, expiry_sweep_seconds=0.05)
    services.cart.set_quantity(shop.customer, shop.saw, 1)
    order = services.orders.checkout(shop.customer, "k1")

    app = make_app(services.settings, services)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            end = time.monotonic() + 5
            while services.orders.get(shop.customer, order.id).status != "cancelled":
                assert time.monotonic() < end, "not expired"
                await pilot.pause(0.05)
    finally:
        app.sweeper.stop()  # the app only signals it: wait, so no pass outlives the test
