"""Staff discounts and printed receipts on the orders screen (issue 7)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text
from textual.widgets import Label

from tests import factories as f
from tests.tui_staff.conftest import open_mode, press
from tests.tui_staff.test_profile import select_order, shown
from workshop_tui.screens.order_dialogs import DiscountDialog
from workshop_tui.screens.receipt_dialog import PrintedReceiptDialog
from workshop_tui.widgets.confirm import ConfirmModal


def status(app) -> Label:
    return app.screen.query_one("#orders-status", Label)


async def discount(pilot, shop, value: str, reason: str, *, who=None) -> None:
    await open_mode(pilot, who or shop.staff, "orders")
    await select_order(pilot, shop.pending)
    await press(pilot, "d")
    assert isinstance(pilot.app.screen, DiscountDialog)
    await pilot.press(*value, "enter", *reason)
    await press(pilot, "enter")


async def test_staff_discount_an_unpaid_order_within_the_limit(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await discount(pilot, shop, "10%", "loyal")
        assert "total now ₹225.00" in str(status(app).render())
        details = shown(app, "#order-detail-body")
        assert "Subtotal ₹250.00 · discount ₹25.00 · total ₹225.00" in details
    order = services.orders.get(shop.staff, shop.pending)
    assert (order.discount_total, order.total) == (Decimal("25.00"), Decimal("225.00"))


async def test_a_discount_over_the_staff_limit_is_refused_on_screen(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await discount(pilot, shop, "50", "friend")
        message = status(app)
        assert "forbidden" in str(message.render()) and message.has_class("error")
        assert "Total ₹250.00" in shown(app, "#order-detail-body")
    assert services.orders.get(shop.staff, shop.pending).total == Decimal("250.00")


async def test_an_admin_may_discount_beyond_the_staff_limit(app, shop, services, database):
    admin = f.account(database, role="admin", username="boss", name="Boss")
    async with app.run_test(size=(80, 24)) as pilot:
        await discount(pilot, shop, "50", "damaged box", who=admin)
        assert "total now ₹200.00" in str(status(app).render())
    assert services.orders.get(admin, shop.pending).total == Decimal("200.00")


async def test_staff_discount_one_line_of_an_order(app, shop, services, database):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.pending)
        await press(pilot, "d")
        await pilot.press("shift+tab", "down", "enter", "1", "0", "enter")
        await press(pilot, "enter")
        assert "total now ₹240.00" in str(status(app).render())
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT product_id, amount FROM order_discounts")).all()
    assert [(r.product_id, r.amount) for r in rows] == [(shop.hammer, Decimal("10.00"))]


async def test_a_receipt_printed_twice_is_marked_duplicate_the_second_time(
    app, shop, isolated_data_dir
):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.paid)
        await press(pilot, "t")
        first = app.screen
        assert isinstance(first, PrintedReceiptDialog)
        assert "DUPLICATE" not in shown(app, "#printed-text")
        await press(pilot, "enter")
        await press(pilot, "t")
        text = shown(app, "#printed-text")
        assert "*** DUPLICATE (copy 2) ***" in text and "TAX INVOICE" in text
        await press(pilot, "enter")
        assert "DUPLICATE" in str(status(app).render())
    saved = sorted(p.name for p in (isolated_data_dir / "receipts").iterdir())
    assert len(saved) == 2 and saved[1].endswith("copy-2.txt")


async def test_after_a_refund_the_refund_receipt_is_offered_and_printed(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.paid)
        await press(pilot, "c")
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        text = shown(app, "#printed-text")
        assert "REFUND" in text and "REFUNDED to UPI" in text and "DUPLICATE" not in text


async def test_a_declined_refund_receipt_can_be_printed_later(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.paid)
        await press(pilot, "c")
        await press(pilot, "enter")
        await press(pilot, "n")
        assert "t prints its receipt" in str(status(app).render())
        await press(pilot, "t")
        await press(pilot, "enter")  # of the charge and the refund, the refund is highlighted
        assert "REFUND" in shown(app, "#printed-text")
