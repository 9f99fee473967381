"""Staff screens: the help lists each screen's keys, the mode bar names every staff area
in 80 columns with the current one marked, and the filters hand focus back to the list."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from tests.tui.test_help_and_focus import assert_lists_every_binding, help_text, open_help
from tests.tui_staff.conftest import open_mode, press
from workshop_tui.widgets.mode_bar import ModeBar

STAFF_MODES = ["counter", "orders", "stock", "sales", "till"]


@pytest.mark.parametrize("mode", STAFF_MODES)
async def test_the_help_lists_every_binding_of_the_staff_screen(app, shop, mode):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, mode)
        screen = app.screen
        help_screen = await open_help(pilot)
        assert_lists_every_binding(help_screen, screen)
        text = help_text(help_screen)
        for area in ("F4", "Counter", "F5", "Stock", "F6", "Sales", "F7", "Till"):
            assert area in text


@pytest.mark.parametrize("mode", STAFF_MODES)
async def test_the_mode_bar_shows_every_staff_area_in_80_columns_with_the_current_marked(
    app, shop, mode
):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, mode)
        bar = app.screen.query_one(ModeBar)
        content = bar.render()
        text = str(content)
        for area in ("F2 Shop", "F3 Orders", "F4 Counter", "F5 Stock", "F6 Sales", "F7 Till"):
            assert area in text
        assert len(text) <= 80
        label = app.mode_specs[mode].label
        marked = [
            text[span.start : span.end] for span in content.spans if " on " in str(span.style)
        ]
        assert marked == [f" {app.mode_specs[mode].key.upper()} {label} "]


async def test_a_function_key_in_the_mode_bar_opens_that_area(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "counter")
        await press(pilot, "f7")
        assert app.current_mode == "till"


async def test_down_from_the_order_filters_returns_to_the_list(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "orders")
        table = app.screen.query_one("#orders", DataTable)
        for selector in ("#status-filter", "#phone-filter"):
            app.screen.query_one(selector).focus()
            await pilot.pause()
            await pilot.press("down")
            await pilot.pause()
            assert app.screen.focused is table, selector


async def test_the_stock_detail_line_names_the_highlighted_product(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "stock")
        table = app.screen.query_one("#low-stock", DataTable)
        table.move_cursor(row=table.get_row_index(str(shop.drill)))
        await pilot.pause()
        detail = str(app.screen.query_one("#stock-detail").render())
        assert "[Sale] Drill" in detail and "SKU BLT-DRL" in detail and "Bolt & Co" in detail
        assert "0 in stock" in detail


async def test_the_till_shows_the_printed_z_report_in_rupees(app, shop, services):
    services.cash.open(shop.staff, "500.00")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "till")
        report = str(app.screen.query_one("#till-text").render())
        assert "₹500.00" in report and "Rs" not in report
