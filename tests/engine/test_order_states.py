"""The order states live in one enum and one transition table; the engine and the schema obey it."""

from __future__ import annotations

import re

import pytest

from tests.engine.conftest import paid_order
from workshop_tui.services.errors import InvalidState
from workshop_tui.services.states import OrderAction, OrderStatus
from workshop_tui.services.types import ReturnRequest


def test_the_database_accepts_exactly_the_enum_states(database):
    with database.engine.connect() as conn:
        check = conn.exec_driver_sql(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'ck_orders_status_known'"
        ).scalar_one()
    assert set(re.findall(r"'([a-z_]+)'", check)) == {s.value for s in OrderStatus}


def test_fulfilling_an_unpaid_order_is_refused_by_the_table(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    unpaid = services.orders.checkout(shop.customer, "k")
    assert not unpaid.can(OrderAction.FULFIL, staff=True)
    with pytest.raises(InvalidState):
        services.orders.fulfil(shop.staff, unpaid.id)


def test_a_cancelled_order_cannot_be_paid(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.cancel(shop.customer, services.orders.checkout(shop.customer, "k").id)
    assert order.allowed_actions(staff=True) == ()
    with pytest.raises(InvalidState):
        services.payments.pay(shop.customer, order.id, method="cash", idempotency_key="p")


def test_return_is_offered_while_the_return_window_is_open(services, shop):
    order = services.orders.fulfil(shop.staff, paid_order(services, shop).id)
    assert order.return_until is not None
    assert order.can(OrderAction.RETURN, staff=False)


def test_return_is_no_longer_offered_once_the_window_closes(make_services, shop):
    services = make_services(return_window_days=0)
    order = services.orders.fulfil(shop.staff, paid_order(services, shop).id)
    assert order.return_until == order.fulfilled_at
    assert not order.can(OrderAction.RETURN, staff=False)
    with pytest.raises(InvalidState, match="return window"):
        services.orders.return_items(shop.customer, order.id, [ReturnRequest(shop.hammer, 1)])
