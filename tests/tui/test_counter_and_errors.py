"""The contract with the staff screens (counter_customer) and the unexpected-error modal."""

from __future__ import annotations

from tests.tui.conftest import open_shop, select_product, settle, shown
from workshop_tui.screens.payment import PaymentScreen
from workshop_tui.widgets.error_modal import ErrorModal


async def test_staff_selling_to_a_customer_see_it_and_book_the_order_to_them(
    app_factory, shop_data, staff, customer, services
):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, staff)
        app.session.counter_customer = customer  # what the counter screen sets
        await pilot.press("f2")
        await settle(pilot)
        assert app.current_mode == "shop"
        assert "Selling to: Asha Rao" in shown(app)
        await select_product(pilot, "Hand Saw")
        await pilot.press("plus", "c")
        await settle(pilot)
        assert "Selling to: Asha Rao" in shown(app)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
    order = services.orders.history(customer).items[0]
    assert order.customer_id == customer.id and order.lines[0].name == "Hand Saw"


async def test_an_unexpected_failure_shows_a_modal_and_the_app_keeps_running(
    app_factory, shop_data, customer, services, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        monkeypatch.setattr(services.catalog, "search", broken)
        await pilot.press("slash", "x")
        await pilot.pause(0.2)
        await settle(pilot)
        assert isinstance(app.screen, ErrorModal)
        assert "the disk is on fire" in shown(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "shop" and app.return_code is None
