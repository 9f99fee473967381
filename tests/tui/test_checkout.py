"""Cart, checkout, payment (decline, retry, cancel) and the saved receipt."""

from __future__ import annotations

from textual.widgets import DataTable

from tests.tui.conftest import open_shop, select_product, settle, shown
from workshop_tui.screens.cart import CartScreen
from workshop_tui.screens.payment import PaymentScreen
from workshop_tui.screens.receipt import ReceiptScreen
from workshop_tui.widgets.confirm import ConfirmModal


async def open_cart(pilot, services, customer) -> None:
    await open_shop(pilot, customer)
    await pilot.press("c")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CartScreen)


async def test_the_cart_shows_lines_totals_and_marks_short_lines(
    app_factory, shop_data, customer, services
):
    services.cart.set_quantity(customer, shop_data["hammer"], 2)
    services.cart.set_quantity(customer, shop_data["saw"], 2)
    other = services.auth.login_or_register("9000000001", "274913").account
    services.cart.set_quantity(other, shop_data["saw"], 1)
    services.orders.checkout(other, "other-1")  # leaves one saw
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, services, customer)
        table = app.screen.query_one("#cart-lines", DataTable)
        assert [str(c) for c in table.get_row_at(1)] == [
            "only 1 left Hand Saw",  # the mark first: a long name cannot push it out
            "₹420.50",
            "2",
            "₹841.00",
        ]
        assert "4 items · Total ₹1,341.00" in shown(app)
        await pilot.press("o")  # checkout refused while a line is short
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)


async def test_plus_minus_and_remove_change_the_cart_lines(
    app_factory, shop_data, customer, services
):
    services.cart.set_quantity(customer, shop_data["hammer"], 1)
    services.cart.set_quantity(customer, shop_data["brush"], 1)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, services, customer)
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press("down", "delete")
        await settle(pilot)
    cart = services.cart.get(customer)
    assert [(line.name, line.quantity) for line in cart.lines] == [("Claw Hammer", 2)]


async def test_checkout_opens_payment_and_a_double_press_makes_one_order(
    app_factory, shop_data, customer, services
):
    services.cart.set_quantity(customer, shop_data["hammer"], 2)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, services, customer)
        await pilot.press("o", "o")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        assert "To pay: ₹500.00" in shown(app)
    orders = services.orders.history(customer).items
    assert len(orders) == 1 and orders[0].status == "pending_payment"


async def test_a_declined_payment_can_be_retried_and_then_shows_the_receipt(
    app_factory, shop_data, customer, services, isolated_data_dir
):
    services.cart.set_quantity(customer, shop_data["sale"], 1)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, services, customer)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("2", "d")  # card, declined
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        assert "CARD payment declined (attempt 1)" in shown(app)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        screen = app.screen
        text = shown(app)
        assert "[Sale] Hammer" in text and "Paid by CARD" in text
        ledger = screen.result.payment.ledger
        assert f"Ledger {ledger.chain} #{ledger.seq} · {ledger.short_hash}" in text
        saved = screen.saved_to
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ShopScreen"
        assert "Cart: empty" in shown(app)
    order = services.orders.history(customer).items[0]
    assert order.status == "paid"
    assert [p.status for p in order.payments] == ["declined", "succeeded"]
    assert saved is not None and saved.parent == isolated_data_dir / "receipts"
    receipt = saved.read_text()
    assert "[Sale] Hammer" in receipt and ledger.short_hash in receipt and "₹199.00" in receipt
    printer = saved.with_name(saved.stem + "-42col.txt").read_text()
    assert max(len(line) for line in printer.splitlines()) <= 42 and "DUPLICATE" not in printer
    reprint = services.receipts.print(customer, order.payments[-1].id)
    assert reprint.is_duplicate  # the receipt shown after paying was the first copy


async def test_cancelling_at_payment_cancels_the_order_and_returns_the_stock(
    app_factory, shop_data, customer, services
):
    services.cart.set_quantity(customer, shop_data["saw"], 2)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_cart(pilot, services, customer)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ShopScreen"
    assert services.orders.history(customer).items[0].status == "cancelled"
    assert services.catalog.get(shop_data["saw"]).stock == 2


async def test_a_shop_to_receipt_flow_by_keyboard_only(app_factory, shop_data, customer, services):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await select_product(pilot, "Paint Brush")
        await pilot.press("enter", "plus")  # enter adds one too
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("1", "p")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert "Paid by CASH" in shown(app)
    assert services.catalog.get(shop_data["brush"]).stock == 7
