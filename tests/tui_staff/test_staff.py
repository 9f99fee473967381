"""Staff screens: every order with filters and fulfil; counter; stock; today's sales."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from textual.widgets import DataTable, Input, OptionList, Select

from tests.tui_staff.conftest import FIXED_NOW, open_mode, press, settle
from tests.tui_staff.test_profile import order_ids, select_order, shown
from workshop_tui.screens.counter_dialogs import RegisterCustomerDialog, RestockDialog
from workshop_tui.screens.sales import BarChart


async def type_into(pilot, selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector, Input).focus()
    await pilot.pause()
    await pilot.press(*text)
    await press(pilot, "enter")


# --- orders, as staff -------------------------------------------------------------


async def test_staff_see_every_customers_orders(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        assert order_ids(app) == [shop.pending, shop.ravi_paid, shop.paid, shop.fulfilled]


async def test_staff_filter_orders_by_status(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        app.screen.query_one("#status-filter", Select).value = "paid"
        await settle(pilot)
        assert order_ids(app) == [shop.ravi_paid, shop.paid]


async def test_staff_filter_orders_by_customer_phone(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        await press(pilot, "slash")
        await type_into(pilot, "#phone-filter", "98111 22233")
        assert order_ids(app) == [shop.ravi_paid]
        assert "Ravi" in shown(app, "#filter-note")


async def test_an_unknown_phone_filter_says_not_found(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        await type_into(pilot, "#phone-filter", "9000000000")
        assert "not_found" in shown(app, "#orders-status")
        assert len(order_ids(app)) == 4


async def test_staff_fulfil_a_paid_order(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.ravi_paid)
        await press(pilot, "f")
        assert services.orders.get(shop.staff, shop.ravi_paid).status == "fulfilled"
        assert "fulfilled" in shown(app, "#orders-status")
        assert not app.screen.check_action("fulfil", ())


async def test_staff_cancel_a_customers_order(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.ravi_paid)
        await press(pilot, "c")
        await press(pilot, "enter")
        order = services.orders.get(shop.staff, shop.ravi_paid)
        assert order.status == "cancelled" and order.cancel_reason == "cancelled by staff"


async def test_staff_take_back_a_whole_order_on_the_customers_behalf(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        await select_order(pilot, shop.fulfilled)
        await press(pilot, "r")
        await pilot.press("a")
        await press(pilot, "enter")
        order = services.orders.get(shop.staff, shop.fulfilled)
        assert order.status == "returned"
        assert order.refunded_total == order.total


# --- counter ------------------------------------------------------------------------


async def test_looking_a_customer_up_by_phone_serves_them(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        assert "nobody" in shown(app, "#serving")
        await press(pilot, "p")
        await type_into(pilot, "#lookup-phone", "9876543210")
        assert app.session.counter_customer == shop.customer
        assert "Serving: Asha Rao" in shown(app, "#serving")
        table = app.screen.query_one("#counter-orders", DataTable)
        assert [int(row.value) for row in table.rows] == [shop.pending, shop.paid, shop.fulfilled]


async def test_an_unknown_phone_offers_to_register_the_customer(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await type_into(pilot, "#lookup-phone", "9000000001")
        assert app.session.counter_customer is None
        assert "Press n to register" in shown(app, "#lookup-result")
        app.screen.query_one("#counter-actions").focus()
        await press(pilot, "n")
        assert isinstance(app.screen, RegisterCustomerDialog)
        assert app.screen.query_one("#new-phone", Input).value == "9000000001"
        await pilot.press(*"Meena", "enter", *"274913", "enter", *"274913")
        await press(pilot, "enter")
        assert app.session.counter_customer is not None
        assert app.session.counter_customer.phone == "+919000000001"
        assert services.auth.login("9000000001", "274913").name == "Meena"


async def test_a_walk_in_is_served_and_can_be_cleared(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        assert not app.screen.check_action("sell", ())
        await press(pilot, "w")
        assert app.session.counter_customer.name == "Walk-in customer"
        assert app.screen.check_action("sell", ())
        await press(pilot, "x")
        assert app.session.counter_customer is None
        assert "nobody" in shown(app, "#serving")


async def test_sell_opens_the_shop_for_the_served_customer(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await press(pilot, "w")
        await press(pilot, "s")
        assert app.current_mode == "shop"


# --- stock ----------------------------------------------------------------------------


def low_stock_skus(app) -> list[str]:
    table = app.screen.query_one("#low-stock", DataTable)
    return [str(table.get_cell(row, "sku")) for row in table.rows]


async def test_the_low_stock_list_is_emptiest_first(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "stock")
        # drill 0, screwdrivers 4 - 1 = 3, spanner 7 - 2 = 5, nails 9 - 3 = 6 (> 5: not low)
        assert low_stock_skus(app) == ["BLT-DRL", "ACM-SCR", "BLT-SPN"]


async def test_restocking_the_selected_product(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "stock")
        await press(pilot, "r")
        assert isinstance(app.screen, RestockDialog)
        await pilot.press(*"12")
        await press(pilot, "enter")
        assert services.catalog.get(shop.drill).stock == 12
        assert low_stock_skus(app) == ["ACM-SCR", "BLT-SPN"]
        assert "Restocked [Sale] Drill: 12 in stock" in shown(app, "#stock-status")


async def test_the_list_follows_a_restock_at_another_terminal(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "stock")
        assert await asyncio.to_thread(app.listener_ready.wait, 5)
        await asyncio.to_thread(services.stock.restock, shop.staff, shop.drill, 10)
        for _ in range(20):
            await pilot.pause(0.1)
            await settle(pilot)
            if "BLT-DRL" not in low_stock_skus(app):
                break
        assert low_stock_skus(app) == ["ACM-SCR", "BLT-SPN"]


async def test_restocking_a_product_found_by_sku(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "stock")
        await press(pilot, "slash")
        await pilot.press(*"ACM-NAI", "enter")
        await settle(pilot)
        assert isinstance(app.screen, RestockDialog)
        await pilot.press(*"5", "enter")
        await settle(pilot)
        assert services.catalog.get(shop.nails).stock == 11


async def test_an_unknown_sku_shows_not_found(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "stock")
        await type_into(pilot, "#sku", "NOPE-1")
        assert shown(app, "#stock-status").startswith("not_found:")


# --- sales ------------------------------------------------------------------------------


async def test_todays_sales_match_the_report(app, shop, services):
    report = services.reports.sales_today(shop.staff, now=FIXED_NOW)
    assert report.orders == 3  # the data really has sales on the frozen day
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "sales")
        totals = shown(app, "#sales-totals")
        assert f"Orders {report.orders}" in totals
        assert f"Revenue ₹{report.revenue:,.2f}" in totals
        table = app.screen.query_one("#breakdown", DataTable)
        rows = {
            str(table.get_cell(key, "label")): str(table.get_cell(key, "revenue"))
            for key in table.rows
        }
        assert rows == {r.label: f"₹{r.revenue:,.2f}" for r in report.by_seller}
        assert rows == {"Acme Tools": "₹740.00", "Bolt & Co": "₹600.00"}
        assert app.screen.query_one(BarChart).rows == report.by_seller
        assert report.revenue == Decimal("1340.00")


async def test_staff_log_in_at_the_counter_and_reach_every_staff_screen(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_into(pilot, "#login", "counter1")
        await type_into(pilot, "#secret", "123456")
        assert app.current_mode == "counter"
        assert "nobody" in shown(app, "#serving")
        for key, mode in (("f3", "orders"), ("f5", "stock"), ("f6", "sales"), ("f4", "counter")):
            await press(pilot, key)
            assert app.current_mode == mode
        await press(pilot, "f3")
        assert order_ids(app) == [shop.pending, shop.ravi_paid, shop.paid, shop.fulfilled]


async def test_customers_cannot_reach_the_staff_screens(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "orders")
        for key in ("f4", "f5", "f6"):
            await press(pilot, key)
            assert app.current_mode == "orders"


async def test_choosing_an_action_from_the_counter_list_runs_it(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        actions = app.screen.query_one("#counter-actions", OptionList)
        actions.focus()
        actions.highlighted = actions.get_option_index("walk_in")
        await press(pilot, "enter")
        assert app.session.counter_customer is not None
        assert app.session.counter_customer.name == "Walk-in customer"
