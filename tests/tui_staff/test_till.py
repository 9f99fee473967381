"""The till screen: open a cash session, move cash, close it with a count (issue 7)."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import Label, Static

from tests.tui_staff.conftest import open_mode, press


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def test_staff_open_the_till_move_cash_and_close_it_with_a_z_report(
    app, shop, services, isolated_data_dir
):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "till")
        screen = pilot.app.screen
        assert "No cash session open" in str(screen.query_one("#till-status", Label).render())
        await press(pilot, "o")
        await type_text(pilot, "1000")
        await press(pilot, "enter")
        assert services.cash.current().opening_float == Decimal("1000.00")
        await press(pilot, "u")
        await type_text(pilot, "200")
        await press(pilot, "enter")
        await type_text(pilot, "courier")
        await press(pilot, "enter")
        await press(pilot, "z")
        await type_text(pilot, "790")
        await press(pilot, "enter")
        assert services.cash.current() is None
        text = str(screen.query_one("#till-text", Static).render())
        assert "Z-REPORT" in text and "Expected cash" in text and "800.00" in text
        assert "Difference" in str(screen.query_one("#till-message", Label).render())
    saved = sorted(p.name for p in (isolated_data_dir / "zreports").iterdir())
    assert saved == ["z-terminal-1-1.csv", "z-terminal-1-1.txt"]


async def test_a_bad_float_is_shown_and_no_session_opens(app, shop, services):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.staff, "till")
        await press(pilot, "o")
        await type_text(pilot, "-5")
        await press(pilot, "enter")
        message = pilot.app.screen.query_one("#till-message", Label)
        assert "opening float" in str(message.render()) and message.has_class("error")
    assert services.cash.current() is None


async def test_customers_cannot_reach_the_till(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_mode(pilot, shop.customer, "shop")
        await press(pilot, "f7")
        assert pilot.app.current_mode == "shop"
        assert not pilot.app.mode_allowed("till")
