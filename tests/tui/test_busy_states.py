"""Screens never stick (issue 12): every end of a service call ends its busy state.

The unexpected error is a real exception from a service call: the real services,
wrapped so that one call raises (or hangs until the test cancels it) before it
reaches the database. Every other call goes to the test database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from textual.widgets import Button

from tests.tui.conftest import open_shop, settle, shown
from workshop_tui.screens.cart import CartScreen
from workshop_tui.screens.payment import PaymentScreen
from workshop_tui.screens.receipt import ReceiptScreen
from workshop_tui.widgets.error_modal import ErrorModal


def fails_once(real: Callable[..., Any]) -> Callable[..., Any]:
    """`real`, except that its first call raises as an unexpected failure would."""
    calls = []

    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("the connection broke in an unexpected way")
        return real(*args, **kwargs)

    return call


async def open_payment(pilot, services, customer, shop_data) -> PaymentScreen:
    services.cart.set_quantity(customer, shop_data["hammer"], 1)
    await open_shop(pilot, customer)
    await pilot.press("c")
    await settle(pilot)
    await pilot.press("o")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PaymentScreen)
    return screen


def buttons_enabled(screen) -> bool:
    return all(not button.disabled for button in screen.query(Button))


async def test_after_an_unexpected_error_while_paying_the_buttons_work_and_a_retry_pays(
    app_factory, shop_data, customer, services, monkeypatch
):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        payment = await open_payment(pilot, services, customer, shop_data)
        monkeypatch.setattr(services.payments, "pay", fails_once(services.payments.pay))
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ErrorModal)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is payment
        assert buttons_enabled(payment)
        assert "Paying" not in shown(app) and "Try again" in shown(app)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
    assert services.orders.history(customer).items[0].status == "paid"


async def test_after_an_unexpected_error_at_checkout_the_checkout_works(
    app_factory, shop_data, customer, services, monkeypatch
):
    services.cart.set_quantity(customer, shop_data["hammer"], 1)
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_shop(pilot, customer)
        await pilot.press("c")
        await settle(pilot)
        cart = app.screen
        assert isinstance(cart, CartScreen)
        monkeypatch.setattr(services.orders, "checkout", fails_once(services.orders.checkout))
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ErrorModal)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is cart
        assert not cart.query_one("#checkout", Button).disabled
        await pilot.click("#checkout")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
    assert len(services.orders.history(customer).items) == 1


async def test_a_cancelled_payment_call_ends_the_busy_state(
    app_factory, shop_data, customer, services, monkeypatch
):
    started, release = threading.Event(), threading.Event()
    real_pay = services.payments.pay
    hung = []

    def hangs_once(*args: Any, **kwargs: Any) -> Any:
        if not hung:
            hung.append(args)
            started.set()
            release.wait(10)
            raise RuntimeError("abandoned")  # the worker was cancelled: nobody hears this
        return real_pay(*args, **kwargs)

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        payment = await open_payment(pilot, services, customer, shop_data)
        monkeypatch.setattr(services.payments, "pay", hangs_once)
        await pilot.press("p")
        assert started.wait(5)
        await pilot.pause()
        assert not buttons_enabled(payment)
        app.workers.cancel_group(payment, "payment")
        await pilot.pause(0.1)
        release.set()
        assert buttons_enabled(payment)
        assert not isinstance(app.screen, ErrorModal)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
