"""Login: existing accounts, registration with the PIN twice, wrong PINs, throttling."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.conftest import PIN, log_in, settle, shown
from workshop_tui.app import make_app


async def test_an_existing_customer_lands_on_the_shop(app_factory, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        assert app.current_mode == "shop"
        assert app.session.account is not None and app.session.account.id == customer.id


async def test_a_new_phone_registers_by_typing_the_pin_twice(app_factory, services):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"9123456789", "enter")
        await settle(pilot)
        assert app.screen.query_one("#pin2", Input).display
        await pilot.press(*"274913", "enter", *"274913", "enter", *"Ravi", "enter")
        await settle(pilot)
        assert app.current_mode == "shop"
        assert app.session.account.name == "Ravi"
    assert services.auth.login("9123456789", "274913").id == app.session.account.id


async def test_two_different_pins_do_not_register(app_factory, services):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"9123456789", "enter")
        await settle(pilot)
        await pilot.press(*"274913", "enter", *"274914", "enter", "enter")
        await settle(pilot)
        assert app.current_mode == "login"
        assert "The two PINs differ" in shown(app)
    assert not services.auth.exists("9123456789")


async def test_a_wrong_pin_says_so_and_stays_on_login(app_factory, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, secret="999999")
        assert app.current_mode == "login"
        assert app.session.account is None
        assert "Wrong login or PIN/password" in shown(app)


async def test_too_many_wrong_pins_are_throttled(make_services, database, customer):
    services = make_services(login_max_failures=2, login_lockout_seconds=60)
    app = make_app(database.settings.model_copy(update={"login_max_failures": 2}), services)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, secret="999999")
        await pilot.press(*"999999", "enter")
        await settle(pilot)
        await pilot.press(*PIN, "enter")  # the right PIN, but too late
        await settle(pilot)
        assert app.session.account is None
        assert "too many failed attempts" in shown(app).lower()


async def test_staff_land_on_the_counter(app_factory, staff):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "sam", "staffpass1")
        assert app.current_mode == "counter"


async def test_logging_out_returns_to_an_empty_login(app_factory, customer):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert app.current_mode == "login"
        assert app.session.account is None and app.session.counter_customer is None
        assert app.screen.query_one("#login", Input).value == ""
