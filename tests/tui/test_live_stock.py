"""Live stock: a sale in one terminal shows in another's open shop within a second."""

from __future__ import annotations

import asyncio
import time

from textual.widgets import DataTable

from tests import factories as f
from tests.tui.conftest import PIN, open_shop, rows, select_product, settle
from workshop_tui.app import make_app
from workshop_tui.messages import StockChanged


async def wait_until(pilot, condition, timeout: float = 1.0) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "not updated in time"
        await pilot.pause(0.02)
    return time.monotonic() - start


def stock_of(app, name: str) -> str:
    table = app.screen.query_one("#products", DataTable)
    row = table.coordinate_to_cell_key((rows(app).index(name), 0)).row_key
    return str(table.get_cell(row, "stock"))


async def test_a_sale_in_another_app_updates_stock_and_drops_sold_out_products(
    app_factory, make_services, database, shop_data, customer
):
    other = f.account(database, phone="+919000000002", secret=PIN, name="Other")
    watcher = app_factory()
    till = make_app(database.settings, make_services())  # a second terminal: its own pool
    seen: list[object] = []
    async with (
        watcher.run_test(size=(80, 24), message_hook=seen.append) as eyes,
        till.run_test(size=(80, 24)) as hands,
    ):
        await open_shop(eyes, customer)
        assert "Hand Saw" in rows(watcher) and stock_of(watcher, "Claw Hammer") == "5"
        assert await asyncio.to_thread(watcher.listener_ready.wait, 5)
        await open_shop(hands, other)
        await select_product(hands, "Hand Saw")
        await hands.press("plus", "plus")
        await settle(hands)
        await select_product(hands, "Claw Hammer")
        await hands.press("plus")
        await settle(hands)
        await hands.press("c")
        await settle(hands)
        await hands.press("o")  # checkout takes the stock
        await settle(hands)
        await wait_until(eyes, lambda: "Hand Saw" not in rows(watcher))
        await wait_until(eyes, lambda: stock_of(watcher, "Claw Hammer") == "4")
        await eyes.pause(0.3)
        # One batch reached the app and its shop screen, and then all went quiet.
        assert 1 < sum(isinstance(m, StockChanged) for m in seen) <= 4
