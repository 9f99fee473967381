"""The connection indicator and waiting progress (issue 12, items 2 and 6).

The real services on the test database, wrapped so that one call raises `Unavailable`
(as the engine does once its reconnect wait is spent) or blocks until the test lets
it go (as a checkout waiting for rows another terminal holds).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from textual.widgets import Label

from tests.tui.conftest import open_shop, settle, shown
from workshop_tui.app import UNREACHABLE, DatabaseReachable
from workshop_tui.screens.cart import CartScreen
from workshop_tui.screens.payment import PaymentScreen
from workshop_tui.screens.receipt import ReceiptScreen
from workshop_tui.services.errors import Busy, Unavailable
from workshop_tui.widgets.error_modal import ErrorModal

WAITING = re.compile(r"Waiting for another terminal… \((\d+) s\)")


def unavailable_once(real: Callable[..., Any]) -> Callable[..., Any]:
    calls: list[object] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            raise Unavailable()
        return real(*args, **kwargs)

    return call


def held_until(release: threading.Event, then: Callable[..., Any]) -> Callable[..., Any]:
    """`then`, after the test sets `release` (another terminal lets the rows go)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return then(*args, **kwargs)

    return call


async def open_cart(pilot, services, customer, shop_data) -> CartScreen:
    services.cart.set_quantity(customer, shop_data["hammer"], 1)
    await open_shop(pilot, customer)
    await pilot.press("c")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CartScreen)
    return screen


async def open_payment(pilot, services, customer, shop_data) -> PaymentScreen:
    await open_cart(pilot, services, customer, shop_data)
    await pilot.press("o")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PaymentScreen)
    return screen


def waited_seconds(app) -> int | None:
    found = WAITING.search(shown(app))
    return int(found.group(1)) if found else None


async def test_an_unavailable_answer_shows_the_indicator_calmly_until_the_next_success(
    app_factory, shop_data, customer, services, monkeypatch
):
    app = app_factory()
    app.probe_seconds = 60  # only the next call may clear it here
    async with app.run_test(size=(80, 24)) as pilot:
        payment = await open_payment(pilot, services, customer, shop_data)
        assert UNREACHABLE not in shown(app)
        monkeypatch.setattr(services.payments, "pay", unavailable_once(services.payments.pay))
        await pilot.press("p")
        await settle(pilot)
        assert app.screen is payment and not isinstance(app.screen, ErrorModal)
        assert UNREACHABLE in shown(app)
        assert "not reachable; nothing was changed" in str(
            payment.query_one("#payment-status", Label).content
        )
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
        assert UNREACHABLE not in shown(app)


async def test_the_background_check_clears_the_indicator_once_the_database_answers(
    app_factory, shop_data, customer, services, monkeypatch
):
    down = threading.Event()
    real_categories = services.catalog.categories

    def categories() -> Any:
        if down.is_set():
            raise Unavailable()
        return real_categories()

    app = app_factory()
    app.probe_seconds = 0.05
    async with app.run_test(size=(80, 24)) as pilot:
        payment = await open_payment(pilot, services, customer, shop_data)
        down.set()
        monkeypatch.setattr(services.catalog, "categories", categories)
        monkeypatch.setattr(services.payments, "pay", unavailable_once(services.payments.pay))
        await pilot.press("p")
        await settle(pilot)
        await pilot.pause(0.3)
        assert app.screen is payment and app.database_down
        assert UNREACHABLE in shown(app)
        down.clear()
        for _ in range(40):
            await pilot.pause(0.05)
            if not app.database_down:
                break
        assert UNREACHABLE not in shown(app)


async def test_the_stock_listener_reconnecting_clears_the_indicator(app_factory):
    app = app_factory()
    app.probe_seconds = 60
    async with app.run_test(size=(80, 24)) as pilot:
        app.database_unreachable()
        await pilot.pause()
        assert UNREACHABLE in shown(app)
        app.post_message(DatabaseReachable())  # what the listener's on_reconnect posts
        await pilot.pause()
        assert UNREACHABLE not in shown(app)


async def test_a_waiting_checkout_shows_seconds_ticking_until_it_answers(
    app_factory, shop_data, customer, services, monkeypatch
):
    release = threading.Event()
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart(pilot, services, customer, shop_data)
        monkeypatch.setattr(
            services.orders, "checkout", held_until(release, services.orders.checkout)
        )
        await pilot.press("o")
        await pilot.pause(0.7)
        first = waited_seconds(app)
        assert first is not None
        await pilot.pause(1.1)
        later = waited_seconds(app)
        assert later is not None and later > first
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        assert not cart.query_one("#cart-status", Label).display
        assert "Waiting" not in str(cart.query_one("#cart-status", Label).content)


async def test_a_payment_that_waits_then_fails_busy_shows_the_error_not_the_wait(
    app_factory, shop_data, customer, services, monkeypatch
):
    release = threading.Event()

    def busy(*args: Any, **kwargs: Any) -> Any:
        raise Busy("another terminal is using these items; try again")

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        payment = await open_payment(pilot, services, customer, shop_data)
        monkeypatch.setattr(services.payments, "pay", held_until(release, busy))
        await pilot.press("p")
        await pilot.pause(0.7)
        assert waited_seconds(app) is not None
        release.set()
        await settle(pilot)
        await pilot.pause(1.2)  # no tick after the end
        status = str(payment.query_one("#payment-status", Label).content)
        assert status == "another terminal is using these items; try again"
        assert waited_seconds(app) is None


async def test_a_quick_checkout_shows_no_waiting_text(app_factory, shop_data, customer, services):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        cart = await open_cart(pilot, services, customer, shop_data)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        assert not cart.query_one("#cart-status", Label).display


async def test_a_payment_that_waits_then_breaks_unexpectedly_stops_the_waiting_text(
    app_factory, shop_data, customer, services, monkeypatch
):
    release = threading.Event()

    def breaks(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the connection broke in an unexpected way")

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        payment = await open_payment(pilot, services, customer, shop_data)
        monkeypatch.setattr(services.payments, "pay", held_until(release, breaks))
        await pilot.press("p")
        await pilot.pause(0.7)
        assert waited_seconds(app) is not None
        release.set()
        for _ in range(40):  # not settle: waiting on a failed worker raises its error
            await pilot.pause(0.05)
            if isinstance(app.screen, ErrorModal):
                break
        assert isinstance(app.screen, ErrorModal)
        await pilot.press("escape")
        await pilot.pause(1.2)  # no tick after the end
        assert app.screen is payment
        assert waited_seconds(app) is None
        assert "Try again" in str(payment.query_one("#payment-status", Label).content)
