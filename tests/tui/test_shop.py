"""Shop: search, filters, pages, +/- and the seller-conflict dialog."""

from __future__ import annotations

from textual.widgets import DataTable, Select

from tests import factories as f
from tests.tui.conftest import open_shop, rows, select_product, settle, shown, wait_for
from workshop_tui.widgets.confirm import ConfirmModal


async def test_the_shop_lists_in_stock_products_with_seller_price_and_stock(
    app_factory, shop_data, customer, database
):
    f.product(database, shop_data["acme"], name="Sold Out Level", stock=0)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        assert rows(app) == [
            "Claw Hammer",
            "[Sale] Hammer",
            "Hand Saw",
            "Paint Brush",
            "Cordless Drill",
        ]
        table = app.screen.query_one("#products", DataTable)
        # At 80 columns the name has the room; the seller is in the detail line.
        assert [str(c) for c in table.get_row_at(2)[:3]] == ["Hand Saw", "₹420.50", "2"]


async def test_a_product_named_like_markup_renders_literally(app_factory, shop_data, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        assert "[Sale] Hammer" in shown(app)


async def test_typing_a_search_narrows_the_table(app_factory, shop_data, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await pilot.press("slash", "h", "a", "m")
        await pilot.pause(0.3)  # the debounce
        await settle(pilot)
        assert rows(app) == ["Claw Hammer", "[Sale] Hammer"]


async def test_the_seller_and_category_filters_narrow_the_table(app_factory, shop_data, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await wait_for(pilot, lambda: app.screen.filters_ready)  # the lists follow the rows
        app.screen.query_one("#seller", Select).value = shop_data["acme"]
        await settle(pilot)
        assert "Cordless Drill" not in rows(app) and len(rows(app)) == 4
        app.screen.query_one("#category", Select).value = shop_data["paint"]
        await settle(pilot)
        assert rows(app) == ["Paint Brush"]


async def test_more_pages_load_as_the_cursor_nears_the_end(app_factory, database, customer):
    seller = f.seller(database)
    tools = f.category(database)
    for n in range(60):
        f.product(database, seller, name=f"Widget {n:03d}", category_id=tools)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        assert len(rows(app)) == 50
        await pilot.press("ctrl+end")
        await settle(pilot)
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert len(rows(app)) == 60


async def test_plus_adds_the_selected_product_and_the_bar_shows_count_and_total(
    app_factory, shop_data, customer, services
):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await select_product(pilot, "Hand Saw")
        await pilot.press("plus", "plus")
        await settle(pilot)
        await pilot.press("minus")
        await settle(pilot)
        assert "Cart: 1 item · ₹420.50" in shown(app)
    assert services.cart.get(customer).quantity_of(shop_data["saw"]) == 1


async def test_another_sellers_product_asks_to_replace_the_cart(
    app_factory, shop_data, customer, services
):
    services.cart.set_quantity(customer, shop_data["hammer"], 1)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await select_product(pilot, "Cordless Drill")
        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "Your cart has items from Acme Tools. Replace it?" in shown(app)
        await pilot.press("y")
        await settle(pilot)
    cart = services.cart.get(customer)
    assert [line.name for line in cart.lines] == ["Cordless Drill"]


async def test_keeping_the_cart_leaves_it_unchanged(app_factory, shop_data, customer, services):
    services.cart.set_quantity(customer, shop_data["hammer"], 1)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await select_product(pilot, "Cordless Drill")
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)
    assert [line.name for line in services.cart.get(customer).lines] == ["Claw Hammer"]


async def test_the_mouse_can_add_and_open_the_cart(app_factory, shop_data, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await pilot.click("#bar-add")
        await settle(pilot)
        await pilot.click("#cart-button")
        await settle(pilot)
        assert type(app.screen).__name__ == "CartScreen"
        assert app.session.cart is not None and app.session.cart.item_count == 1
