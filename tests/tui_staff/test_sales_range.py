"""The sales screen's ranges, breakdowns and CSV export (issue 7)."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable, Input, Label

from tests.tui_staff.conftest import FIXED_NOW, buy, open_mode, press, set_times
from tests.tui_staff.test_profile import shown
from workshop_tui.screens.sales import BarChart, RangeDialog
from workshop_tui.services.reports import report_csv, start_of_day


def table_rows(app) -> dict[str, tuple[str, str, str]]:
    table = app.screen.query_one("#breakdown", DataTable)
    return {
        str(table.get_cell(key, "label")): tuple(
            str(table.get_cell(key, col)) for col in ("orders", "units", "revenue")
        )
        for key in table.rows
    }


def expected(rows) -> dict[str, tuple[str, str, str]]:
    return {r.label: (str(r.orders), str(r.units), f"₹{r.revenue:,.2f}") for r in rows}


async def test_the_last_7_days_by_category_match_the_report(app, shop, services, database):
    older = buy(services, shop.other, {shop.spanner: 1}, "old", pay=True)
    set_times(database, older, FIXED_NOW - timedelta(days=3))
    end = start_of_day(FIXED_NOW) + timedelta(days=1)
    report = services.reports.sales(shop.staff, end - timedelta(days=7), end)
    assert report.orders == 4  # today's three and the one three days ago
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "sales")
        await press(pilot, "7", "b")
        assert f"Orders {report.orders}" in shown(app, "#sales-totals")
        assert f"Revenue ₹{report.revenue:,.2f}" in shown(app, "#sales-totals")
        assert table_rows(app) == expected(report.by_category)
        assert app.screen.query_one(BarChart).rows == report.by_category
        assert "Last 7 days (2026-01-09 to 2026-01-15" in app.screen.sub_title


async def test_a_typed_range_by_method_and_its_csv_export(app, shop, services, isolated_data_dir):
    end = start_of_day(FIXED_NOW) + timedelta(days=1)
    report = services.reports.sales(shop.staff, end - timedelta(days=2), end)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "sales")
        await press(pilot, "r")
        assert isinstance(app.screen, RangeDialog)
        app.screen.query_one("#range-from", Input).value = "2026-01-14"
        await pilot.press("enter")  # on to the 'to' date, today by default
        await press(pilot, "enter")
        await press(pilot, "b", "b")
        assert table_rows(app) == expected(report.by_method)
        await press(pilot, "e")
        assert "Saved" in str(app.screen.query_one("#sales-status", Label).render())
    saved = isolated_data_dir / "reports" / "sales-2026-01-14-to-2026-01-15.csv"
    assert saved.read_text() == report_csv(report)


async def test_a_bad_date_is_explained_in_the_range_dialog(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "sales")
        await press(pilot, "r")
        await pilot.press("ctrl+a", "ctrl+k", *"15/01/2026", "enter")
        await press(pilot, "enter")
        error = str(app.screen.query_one("#range-error", Label).render())
        assert "YYYY-MM-DD" in error and isinstance(app.screen, RangeDialog)
