"""Discoverable and predictable at 80x24: the help lists the screen's keys (from its
bindings), filters hand the focus back to the table, +/- act on the highlighted row
that the detail line names, the demo logins show on a demo database."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import DataTable, Select

from seed.demo import write_demo_logins
from tests.tui.conftest import log_in, open_shop, rows, select_product, settle
from workshop_tui.db import Database
from workshop_tui.screens.cart import CartScreen
from workshop_tui.screens.login import LoginScreen
from workshop_tui.screens.payment import PaymentScreen
from workshop_tui.screens.receipt import ReceiptScreen
from workshop_tui.screens.shop import ShopScreen
from workshop_tui.widgets.detail_line import DetailLine
from workshop_tui.widgets.format import on_screen
from workshop_tui.widgets.help import HelpScreen, declared_bindings, render_help
from workshop_tui.widgets.mode_bar import ModeBar


def help_text(help_screen: HelpScreen) -> str:
    console = Console(file=StringIO(), width=100, color_system=None, record=True)
    console.print(render_help(help_screen.groups))
    return console.export_text()


async def open_help(pilot, key: str = "f1") -> HelpScreen:
    await pilot.press(key)
    await settle(pilot)
    help_screen = pilot.app.screen
    assert isinstance(help_screen, HelpScreen)
    return help_screen


def assert_lists_every_binding(help_screen: HelpScreen, screen: Any) -> None:
    text = help_text(help_screen)
    listed = {key.binding_id for group in help_screen.groups for key in group.keys}
    for binding in declared_bindings(type(screen)):
        assert binding.description, f"{binding.id or binding.action} has no description"
        assert (binding.id or binding.action) in listed
        assert binding.description in text


async def walk_to(pilot, services, customer, shop_data, screen_type: type) -> Any:
    """Log in and go through shop → cart → payment → receipt up to `screen_type`."""
    app = pilot.app
    if screen_type is LoginScreen:
        await pilot.pause()
        return app.screen
    services.cart.set_quantity(customer, shop_data["hammer"], 1)
    await open_shop(pilot, customer)
    for key, reached in (("c", CartScreen), ("o", PaymentScreen), ("p", ReceiptScreen)):
        if isinstance(app.screen, screen_type):
            break
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, reached)
    return app.screen


@pytest.mark.parametrize(
    "screen_type", [LoginScreen, ShopScreen, CartScreen, PaymentScreen, ReceiptScreen]
)
async def test_the_help_lists_every_binding_of_the_screen(
    app_factory, services, shop_data, customer, screen_type
):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await walk_to(pilot, services, customer, shop_data, screen_type)
        assert isinstance(screen, screen_type)
        help_screen = await open_help(pilot)
        assert_lists_every_binding(help_screen, screen)
        assert "Help" in help_text(help_screen)  # and the app-wide keys
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_question_mark_opens_the_help_and_a_customer_sees_no_staff_keys(
    app_factory, shop_data, customer
):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        text = help_text(await open_help(pilot, "question_mark"))
        assert "Orders" in text and "Log out" in text
        assert "Counter" not in text and "Till" not in text


async def test_a_customer_sees_their_two_areas_in_the_mode_bar(app_factory, shop_data, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        bar = str(app.screen.query_one(ModeBar).render())
        assert "F2 Shop" in bar and "F3 Orders" in bar and "Counter" not in bar


async def test_down_from_a_filter_returns_to_the_table(app_factory, shop_data, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        table = app.screen.query_one("#products", DataTable)
        for selector in ("#search", "#seller", "#category"):
            app.screen.query_one(selector).focus()
            await pilot.pause()
            await pilot.press("down")
            await pilot.pause()
            assert app.screen.focused is table, selector
        assert not app.screen.query_one("#seller", Select).expanded


async def test_escape_from_a_filter_returns_to_the_table(app_factory, shop_data, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one("#products", DataTable)


@pytest.mark.parametrize("away", ["tab", "shift+tab"])
async def test_plus_after_tab_adds_the_highlighted_row_and_the_detail_line_names_it(
    app_factory, services, shop_data, customer, away
):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await select_product(pilot, "Hand Saw")
        await pilot.press(away)
        await pilot.pause()
        table = app.screen.query_one("#products", DataTable)
        assert app.screen.focused is not table
        await pilot.press("plus")
        await settle(pilot)
        assert services.cart.get(customer).quantity_of(shop_data["saw"]) == 1
        assert app.screen.focused is table  # the row that changed is the one highlighted
        assert rows(app)[table.cursor_row] == "Hand Saw"
        detail = app.screen.query_one("#product-detail", DetailLine)
        assert detail.named == "Hand Saw"


async def test_the_detail_line_shows_the_highlighted_product_in_full(
    app_factory, services, shop_data, customer
):
    services.cart.set_quantity(customer, shop_data["drill"], 2)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await select_product(pilot, "Cordless Drill")
        detail = str(app.screen.query_one("#product-detail", DetailLine).render())
        for fact in ("Cordless Drill", "BOLT-001", "Bolt Hardware", "Tools", "₹3,499.00"):
            assert fact in detail
        assert "4 in stock" in detail and "2 in cart" in detail


async def test_a_demo_database_shows_its_logins_on_the_login_screen(
    app_factory, database: Database
):
    write_demo_logins(database, "9512430227")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        line = ""
        for _ in range(100):  # read in a worker once the login screen is mounted
            await settle(pilot)
            if app.screen.query("#demo-logins"):
                line = str(app.screen.query_one("#demo-logins").render())
                if line:
                    break
        assert "staff, admin / workshop123" in line and "9512430227 / PIN 123456" in line
        assert len(line) <= 78  # one line at 80 columns


async def test_without_the_demo_set_the_login_screen_shows_no_logins(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one("#demo-logins").render()).strip() == ""


async def test_a_staff_login_after_the_help_still_works(app_factory, staff):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_help(pilot)
        await pilot.press("escape")
        await log_in(pilot, "sam", "staffpass1")
        assert app.current_mode == "counter"


def test_printed_amounts_show_as_rupees_on_screen_and_keep_their_column():
    printed = "Hammer          Rs 1,250.00\n  2 x Rs 625.00\nRefund            -Rs 5.00"
    assert on_screen(printed).splitlines() == [
        "Hammer            ₹1,250.00",
        "  2 x ₹625.00",
        "Refund              -₹5.00",
    ]
