"""Kiosk: no way out without a staff login, no staff screens, idle logout."""

from __future__ import annotations

from textual.command import CommandPalette

from tests.tui.conftest import log_in, open_shop, settle, type_into
from workshop_tui.screens.shop import ShopScreen
from workshop_tui.widgets.staff_unlock import StaffUnlockModal


async def test_ctrl_q_asks_for_staff_and_a_customer_cannot_leave(app_factory, customer):
    app = app_factory(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, StaffUnlockModal)
        await type_into(pilot, "#unlock-login", "9876543210")
        await type_into(pilot, "#unlock-secret", "123456")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StaffUnlockModal)  # a customer is not staff
        assert app.return_code is None
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "shop" and app.return_code is None


async def test_a_staff_login_unlocks_the_kiosk(app_factory, staff):
    app = app_factory(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot)
        await type_into(pilot, "#unlock-login", "sam")
        await type_into(pilot, "#unlock-secret", "staffpass1")
        await pilot.press("enter")
        await settle(pilot)
        assert app.return_code == 0


async def test_ctrl_c_does_not_leave_the_kiosk(app_factory, customer):
    app = app_factory(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.return_code is None and app.current_mode == "shop"


async def test_the_kiosk_has_no_command_palette(app_factory, staff):
    app = app_factory(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, staff)  # even staff get no palette at a kiosk
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.click("HeaderIcon")  # the header's icon opens the palette elsewhere
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        assert app.current_mode == "shop" and isinstance(app.screen, ShopScreen)
        assert app.return_code is None


async def test_ctrl_p_ctrl_q_and_ctrl_c_cannot_leave_the_kiosk(app_factory, customer):
    app = app_factory(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        for key in ("ctrl+p", "ctrl+c"):
            await pilot.press(key)
            await settle(pilot)
            assert not CommandPalette.is_open(app) and app.return_code is None
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, StaffUnlockModal)  # asks for staff, does not quit
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "shop" and app.return_code is None


async def test_outside_a_kiosk_ctrl_p_opens_the_command_palette(app_factory, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert CommandPalette.is_open(app)


async def test_staff_mode_keys_do_nothing_at_a_kiosk(app_factory, staff):
    app = app_factory(kiosk=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "sam", "staffpass1")
        assert app.current_mode == "shop"
        for key in ("f4", "f5", "f6"):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == "shop"
        assert "counter" not in app.mode_specs


async def test_customers_outside_a_kiosk_cannot_reach_staff_modes(app_factory, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await pilot.press("f4")
        await settle(pilot)
        assert app.current_mode == "shop"


async def test_an_idle_kiosk_logs_out_to_the_login_screen(app_factory, customer):
    app = app_factory(kiosk=True, kiosk_idle_seconds=0.4)
    modes: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.mode_change_signal.subscribe(app, modes.append)
        await open_shop(pilot, customer)
        await pilot.pause(1.0)
        await settle(pilot)
        assert modes[-2:] == ["shop", "login"]
        assert app.current_mode == "login" and app.session.account is None


async def test_an_idle_kiosk_forgets_a_half_typed_login(app_factory, customer):
    # Long enough to look at the PIN step first on a busy machine (0.3 s was not, in CI).
    app = app_factory(kiosk=True, kiosk_idle_seconds=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_into(pilot, "#login", "9876543210")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.step == "secret"
        await pilot.pause(1.8)
        assert app.screen.step == "login"
        assert app.screen.query_one("#login").value == ""
