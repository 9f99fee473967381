"""Snapshots of each customer screen at 80x24 and 120x40 (seeded data, fixed clock, no blink).

Update deliberately: `pytest tests/tui/test_snapshots.py --snapshot-update`, then look at
the SVGs in tests/tui/__snapshots__/ before committing them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from textual.widgets import Input

from seed.demo import write_demo_logins
from tests.tui.conftest import open_shop, settle
from workshop_tui.screens.receipt import ReceiptScreen
from workshop_tui.services.types import LedgerRef
from workshop_tui.widgets import receipt as receipt_widget

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
FIXED = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(receipt_widget, "format_time", lambda moment: "2026-01-15 16:00")


async def still(pilot) -> None:
    """Settle, then stop every blinking cursor."""
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_login_screen(snap_compare, app_factory, size):
    async def run_before(pilot):
        await pilot.pause()
        await still(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_login_register_step(snap_compare, app_factory, size):
    async def run_before(pilot):
        await pilot.pause()
        pilot.app.screen.query_one("#login", Input).value = "9123456789"
        await pilot.press("enter")
        await still(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_shop_screen(snap_compare, app_factory, shop_data, customer, services, size):
    services.cart.set_quantity(customer, shop_data["hammer"], 2)

    async def run_before(pilot):
        await open_shop(pilot, customer)
        await still(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_cart_screen(snap_compare, app_factory, shop_data, customer, services, size):
    services.cart.set_quantity(customer, shop_data["sale"], 1)
    services.cart.set_quantity(customer, shop_data["saw"], 2)
    other = services.auth.login_or_register("9000000001", "274913").account
    services.cart.set_quantity(other, shop_data["saw"], 1)
    services.orders.checkout(other, "other-1")  # one saw left: the line is marked

    async def run_before(pilot):
        await open_shop(pilot, customer)
        await pilot.press("c")
        await still(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_payment_screen_after_a_decline(
    snap_compare, app_factory, shop_data, customer, services, size
):
    services.cart.set_quantity(customer, shop_data["hammer"], 1)

    async def run_before(pilot):
        await open_shop(pilot, customer)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("2", "d")
        await still(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_receipt_screen(snap_compare, app_factory, shop_data, customer, services, size):
    services.cart.set_quantity(customer, shop_data["sale"], 2)
    services.cart.set_quantity(customer, shop_data["hammer"], 1)
    order = services.orders.checkout(customer, "snap-1")
    paid = services.payments.pay(
        customer, order.id, method="upi", outcome="success", idempotency_key="snap-pay-1"
    )
    # The ledger hash covers timestamps: pin it, as the clock is pinned.
    result = replace(
        paid,
        payment=replace(
            paid.payment,
            created_at=FIXED,
            reference="UPI-1-3FA9C2",
            ledger=LedgerRef("seller-1", 4, "9f3c2a71b0de"),
        ),
    )

    async def run_before(pilot):
        await open_shop(pilot, customer)
        pilot.app.push_screen(ReceiptScreen(result))
        await still(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_help_on_the_shop(snap_compare, app_factory, shop_data, customer, size):
    async def run_before(pilot):
        await open_shop(pilot, customer)
        await pilot.press("f1")
        await still(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_login_screen_of_the_demo_data(snap_compare, app_factory, database, size):
    write_demo_logins(database, "9512430227")

    async def run_before(pilot):
        for _ in range(100):  # the line is read in a worker once the screen is mounted
            await pilot.pause(0.02)
            if pilot.app.screen.query("#demo-logins") and str(
                pilot.app.screen.query_one("#demo-logins").render()
            ):
                break
        await still(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("screen", ["login", "shop", "cart"])
def test_light_theme(snap_compare, app_factory, shop_data, customer, services, screen):
    services.cart.set_quantity(customer, shop_data["hammer"], 2)

    async def run_before(pilot):
        pilot.app.theme = "textual-light"
        await pilot.pause()
        if screen != "login":
            await open_shop(pilot, customer)
        if screen == "cart":
            await pilot.press("c")
        await still(pilot)

    assert snap_compare(app_factory(), run_before=run_before, terminal_size=(80, 24))
