"""The orders screen as a customer sees it: history, details, cancel, partial return."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text
from textual.widgets import DataTable, Input, Static

from tests.tui_staff.conftest import open_mode, press, settle
from workshop_tui.screens import orders as orders_screen
from workshop_tui.screens.order_dialogs import CancelOrderDialog, ReturnItemsDialog


def order_ids(app) -> list[int]:
    table = app.screen.query_one("#orders", DataTable)
    return [int(row.value) for row in table.rows]


def shown(app, selector: str) -> str:
    """The plain text a Label or Static shows (Rich renderables rendered 78 wide)."""
    content = app.screen.query_one(selector, Static).content
    if isinstance(content, str | Text):
        return str(content)
    console = Console(width=78, file=io.StringIO(), color_system=None)
    console.print(content)
    return console.file.getvalue()


async def select_order(pilot, order_id: int) -> None:
    table = pilot.app.screen.query_one("#orders", DataTable)
    table.move_cursor(row=table.get_row_index(str(order_id)))
    await settle(pilot)


async def test_a_customer_sees_only_their_own_orders_newest_first(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        assert order_ids(app) == [shop.pending, shop.paid, shop.fulfilled]
        assert not app.screen.query_one("#order-filters").display


async def test_the_selected_orders_lines_and_ledger_entries_are_shown(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.fulfilled)
        rendered = shown(app, "#order-detail-body")
        charge = services.orders.get(shop.customer, shop.fulfilled).payments[0]
        assert "Claw hammer" in rendered and "Nails 1kg" in rendered
        assert f"{charge.ledger.chain} #{charge.ledger.seq} {charge.ledger.short_hash}" in rendered


async def test_older_orders_load_as_the_cursor_nears_the_end(app, shop, monkeypatch):
    monkeypatch.setattr(orders_screen, "PAGE_SIZE", 2)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        assert order_ids(app) == [shop.pending, shop.paid, shop.fulfilled]  # 2 + the next page


async def test_cancelling_a_paid_order_asks_for_a_reason_and_refunds(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.paid)
        await press(pilot, "c")
        assert isinstance(app.screen, CancelOrderDialog)
        await pilot.press(*"moved")
        await press(pilot, "enter")
        order = services.orders.get(shop.customer, shop.paid)
        assert order.status == "cancelled"
        assert order.cancel_reason == "moved"
        assert order.refunded_total == order.total
        await press(pilot, "n")  # no refund receipt now
        assert "cancelled" in shown(app, "#orders-status")


async def test_escape_keeps_the_order(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.pending)
        await press(pilot, "c")
        await press(pilot, "escape")
        assert services.orders.get(shop.customer, shop.pending).status == "pending_payment"


async def test_a_partial_return_gives_back_the_chosen_quantity(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.fulfilled)
        await press(pilot, "r")
        assert isinstance(app.screen, ReturnItemsDialog)
        await pilot.press("down", "plus", "plus")  # nails: 2 of 3
        await press(pilot, "enter")
        order = services.orders.get(shop.customer, shop.fulfilled)
        assert order.status == "partially_returned"
        assert {line.name: line.returned_qty for line in order.lines} == {
            "Claw hammer": 0,
            "Nails 1kg": 2,
        }
        assert services.catalog.get(shop.nails).stock == 9 - 3 + 2


async def test_a_return_with_nothing_chosen_stays_open_and_says_so(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.fulfilled)
        await press(pilot, "r")
        await press(pilot, "enter")
        assert isinstance(app.screen, ReturnItemsDialog)
        assert "at least one" in shown(app, "#return-error")


async def test_cancel_and_return_only_offered_where_they_apply(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.fulfilled)
        screen = app.screen
        assert screen.check_action("return_items", ()) and not screen.check_action(
            "cancel_order", ()
        )
        assert not screen.check_action("fulfil", ())  # staff only
        await select_order(pilot, shop.pending)
        assert screen.check_action("cancel_order", ()) and not screen.check_action(
            "return_items", ()
        )


async def test_a_refused_cancel_shows_the_error_code_and_message(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.pending)
        services.orders.cancel(shop.staff, shop.pending, "from another terminal")
        await press(pilot, "c")
        await press(pilot, "enter")
        assert "invalid_state" in shown(app, "#orders-status")
        assert "only unpaid or paid orders can be cancelled" in shown(app, "#orders-status")


async def test_the_customer_has_no_phone_filter(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        await press(pilot, "slash")
        assert not isinstance(app.focused, Input)


async def test_an_unpaid_order_can_be_paid_from_the_orders_screen(app, shop, services):
    from workshop_tui.screens.payment import PaymentScreen
    from workshop_tui.screens.receipt import ReceiptScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        await select_order(pilot, shop.pending)
        await press(pilot, "p")
        assert isinstance(app.screen, PaymentScreen)
        await press(pilot, "p")
        assert isinstance(app.screen, ReceiptScreen)
        assert services.orders.get(shop.customer, shop.pending).status == "paid"
        await press(pilot, "enter")
        assert order_ids(app) == [shop.pending, shop.paid, shop.fulfilled]
        assert not app.screen.check_action("pay", ())


async def test_scrolling_to_the_end_loads_older_orders(app, shop, services, monkeypatch):
    for n in range(12):
        services.cart.set_quantity(shop.customer, shop.hammer, 1)
        order = services.orders.checkout(shop.customer, f"more-{n}")
        # Paid, as a customer may hold only a few unpaid orders at a time.
        services.payments.pay(shop.customer, order.id, method="upi", idempotency_key=f"p-{n}")
    monkeypatch.setattr(orders_screen, "PAGE_SIZE", 10)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        assert len(order_ids(app)) == 10
        table = app.screen.query_one("#orders", DataTable)
        table.scroll_end(animate=False)
        await settle(pilot)
        assert len(order_ids(app)) == 15
