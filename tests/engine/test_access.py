"""One rule decides who sees an order: its customer and staff; to anyone else it does not exist."""

from __future__ import annotations

import pytest

from tests.engine.conftest import paid_order
from workshop_tui.services.errors import NotFound


def test_staff_see_any_customers_order(services, shop):
    order = paid_order(services, shop)
    assert services.orders.get(shop.staff, order.id).id == order.id


@pytest.mark.parametrize(
    "call",
    [
        lambda s, who, o, p: s.orders.get(who, o),
        lambda s, who, o, p: s.orders.cancel(who, o),
        lambda s, who, o, p: s.payments.pay(who, o, method="cash", idempotency_key="x"),
        lambda s, who, o, p: s.receipts.for_order(who, o),
        lambda s, who, o, p: s.receipts.print(who, p),
    ],
    ids=["get", "cancel", "pay", "receipts", "print"],
)
def test_another_customers_order_is_missing_never_forbidden(services, shop, call):
    order = paid_order(services, shop)
    payment = services.orders.get(shop.customer, order.id).payments[0]
    with pytest.raises(NotFound, match=r"^no (order|payment) #\d+$"):
        call(services, shop.other, order.id, payment.id)


def test_a_customers_history_is_their_own_whoever_they_ask_for(services, shop):
    paid_order(services, shop)
    assert services.orders.history(shop.other, customer_id=shop.customer.id).items == ()
