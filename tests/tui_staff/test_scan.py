"""Barcode / SKU entry on the counter screen, and the till state it shows (issue 7)."""

from __future__ import annotations

from textual.widgets import Input, Label

from tests.tui_staff.conftest import open_mode, press


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).render())


async def scan(pilot, code: str) -> None:
    await pilot.press(*code)
    await press(pilot, "enter")


async def test_two_scans_of_one_sku_put_two_in_the_cart(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await press(pilot, "b")
        await scan(pilot, "ACM-HAM")
        await scan(pilot, "acm-ham")
        assert "Claw hammer" in shown(app, "#scan-result")
        assert "2 items" in shown(app, "#scan-cart")
        assert isinstance(app.focused, Input) and app.focused.id == "scan"
    cart = services.cart.get(shop.staff)
    assert [(line.product_id, line.quantity) for line in cart.lines] == [(shop.hammer, 2)]


async def test_an_unknown_code_says_so_and_leaves_the_cart_alone(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await press(pilot, "b")
        await scan(pilot, "NO-SUCH")
        message = app.screen.query_one("#scan-result", Label)
        assert "no product with SKU NO-SUCH" in str(message.render())
        assert message.has_class("error")
        assert app.focused.id == "scan"
    assert services.cart.get(shop.staff).is_empty


async def test_a_scan_from_another_seller_asks_to_replace_the_cart(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await press(pilot, "b")
        await scan(pilot, "ACM-HAM")
        await scan(pilot, "BLT-SPN")
        await press(pilot, "y")
        assert "Spanner" in shown(app, "#scan-result")
    cart = services.cart.get(shop.staff)
    assert [(line.product_id, line.quantity) for line in cart.lines] == [(shop.spanner, 1)]


async def test_the_counter_says_when_the_till_is_closed(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        assert shown(app, "#till-state") == "Till closed: F7 to open"


async def test_the_counter_shows_the_open_till(app, shop, services):
    services.cash.open(shop.staff, "500")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        assert shown(app, "#till-state").startswith("Till open")
