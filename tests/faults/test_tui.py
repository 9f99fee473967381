"""The terminal through a blip: live stock comes back, a retried Pay charges once."""

from __future__ import annotations

import asyncio
import time

from bench._controlled_pg import ControlledServer
from tests.faults.conftest import FAULTS, Shop, admin
from tests.faults.test_live_stock import terminate
from tests.tui.conftest import open_shop, settle, shown
from tests.tui.test_live_stock import stock_of
from workshop_tui.app import make_app
from workshop_tui.db import Database
from workshop_tui.screens.payment import PaymentScreen
from workshop_tui.services import Services
from workshop_tui.services.events import LISTENER_NAME

pytestmark = FAULTS


async def wait_until(pilot, condition, timeout: float) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "not in time"
        await pilot.pause(0.02)
    return time.monotonic() - start


async def test_a_stock_change_reaches_the_shop_screen_after_the_listener_was_cut_off(
    server: ControlledServer, database: Database, services: Services, shop: Shop
):
    app = make_app(database.settings, services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, shop.customer)
        assert await asyncio.to_thread(app.listener_ready.wait, 5)
        assert stock_of(app, "Claw Hammer") == "100"
        assert terminate(server, LISTENER_NAME) == 1

        await asyncio.to_thread(services.stock.restock, shop.staff, shop.hammer, 5)

        await wait_until(pilot, lambda: stock_of(app, "Claw Hammer") == "105", timeout=2.0)


async def test_pay_pressed_again_after_unavailable_uses_the_first_press_key(
    server: ControlledServer, database: Database, services: Services, shop: Shop
):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.checkout(shop.customer, "to-pay")
    app = make_app(database.settings, services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, shop.customer)
        screen = PaymentScreen(order)
        app.push_screen(screen)
        await settle(pilot)
        server.stop("immediate")

        await pilot.press("p")
        await settle(pilot)
        assert "the shop's database is not reachable; nothing was changed" in shown(app)
        first_key = screen._pay_key

        server.start()
        await pilot.press("p")
        await settle(pilot)

    conn = admin(server)
    with conn.cursor() as cur:
        cur.execute("SELECT idempotency_key, status FROM payments")
        assert cur.fetchall() == [(first_key, "succeeded")]
    conn.close()
