"""A Pay press keeps its idempotency key until it is answered (issue 12, item 4).

The lost answer is real: the wrapped service pays against the test database, commits,
and only then raises, as a connection that died after COMMIT would. The retry must
send the same key and get that payment back, never "order is paid".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.tui.conftest import settle, shown
from tests.tui.test_busy_states import open_payment
from workshop_tui.screens.payment import PaymentScreen
from workshop_tui.screens.receipt import ReceiptScreen
from workshop_tui.widgets.error_modal import ErrorModal


def answer_lost_once(real: Callable[..., Any], keys: list[str]) -> Callable[..., Any]:
    """`real`, except that the first call's answer is lost after it committed."""

    def call(*args: Any, **kwargs: Any) -> Any:
        keys.append(kwargs["idempotency_key"])
        result = real(*args, **kwargs)
        if len(keys) == 1:
            raise RuntimeError("server closed the connection after COMMIT")
        return result

    return call


async def dismiss_error(pilot) -> None:
    if isinstance(pilot.app.screen, ErrorModal):
        await pilot.press("escape")
        await settle(pilot)


async def test_a_payment_whose_answer_was_lost_is_retried_with_its_key_and_pays_once(
    app_factory, shop_data, customer, services, monkeypatch
):
    keys: list[str] = []
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        payment = await open_payment(pilot, services, customer, shop_data)
        monkeypatch.setattr(services.payments, "pay", answer_lost_once(services.payments.pay, keys))
        await pilot.press("p")
        await settle(pilot)
        await dismiss_error(pilot)
        assert app.screen is payment
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen), shown(app)
        assert "only unpaid orders can be paid" not in shown(app)
    assert keys[0] == keys[1]
    order = services.orders.history(customer).items[0]
    assert order.status == "paid"
    assert len(services.orders.get(customer, order.id).payments) == 1


async def test_after_a_decline_the_next_press_is_a_new_attempt(
    app_factory, shop_data, customer, services, monkeypatch
):
    keys: list[str] = []
    real = services.payments.pay

    def recording(*args: Any, **kwargs: Any) -> Any:
        keys.append(kwargs["idempotency_key"])
        return real(*args, **kwargs)

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        payment = await open_payment(pilot, services, customer, shop_data)
        monkeypatch.setattr(services.payments, "pay", recording)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen) and app.screen is payment
        assert "declined" in shown(app)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptScreen)
    assert len(keys) == 2 and keys[0] != keys[1]
