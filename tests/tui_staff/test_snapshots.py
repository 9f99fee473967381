"""Snapshots of the orders, counter, stock and sales screens at 80x24 and 120x40.

Seeded data with fixed times (conftest `shop`), local time pinned to UTC, the
ledger and sales clocks frozen, and no blinking cursors.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui_staff.conftest import open_mode, press, settle
from tests.tui_staff.test_profile import select_order

SIZES = [(80, 24), (120, 40)]


async def still(pilot) -> None:
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_customer_orders_screen(snap_compare, app, shop, size):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.fulfilled)
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_staff_orders_screen(snap_compare, app, shop, size):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.ravi_paid)
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


def test_return_dialog(snap_compare, app, shop):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.fulfilled)
        await press(pilot, "r")
        await pilot.press("down", "plus")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_counter_screen_serving_a_customer(snap_compare, app, shop, size):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "counter")
        await press(pilot, "p")
        await pilot.press(*"9876543210")
        await press(pilot, "enter")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_stock_screen(snap_compare, app, shop, size):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "stock")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_sales_screen(snap_compare, app, shop, size):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "sales")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


def test_counter_after_a_scan(snap_compare, app, shop):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "counter")
        await press(pilot, "b")
        await pilot.press(*"ACM-HAM")
        await press(pilot, "enter")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_discount_dialog(snap_compare, app, shop):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.pending)
        await press(pilot, "d")
        await pilot.press(*"10%")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_reprinted_receipt(snap_compare, app, shop):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.paid)
        await press(pilot, "t")
        await press(pilot, "enter")
        await press(pilot, "t")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_sales_last_7_days_by_category(snap_compare, app, shop):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "sales")
        await press(pilot, "7", "b")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_till_screen(snap_compare, app, shop, size):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "till")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40"])
def test_help_on_the_counter(snap_compare, app, shop, size):
    async def run_before(pilot) -> None:
        await open_mode(pilot, shop.staff, "counter")
        await press(pilot, "f1")
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("mode", ["counter", "orders", "stock"])
def test_light_theme(snap_compare, app, shop, mode):
    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-light"
        await open_mode(pilot, shop.staff, mode)
        await still(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
