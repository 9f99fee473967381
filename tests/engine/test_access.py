"""One rule decides who sees an order: its customer and staff; to anyone else it does not exist."""

from __future__ import annotations

import pytest

from tests.engine.conftest import paid_order
from workshop_tui.services.errors import NotFound
from workshop_tui.services.types import OrderRoute


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
        # A route (the order's seller and customer) passed by a caller does not open it either.
        lambda s, who, o, p: s.orders.cancel(who, o, route=route_of(s, o)),
        lambda s, who, o, p: s.orders.return_items(
            who, o, [{"product_id": 1, "quantity": 1}], route=route_of(s, o)
        ),
        lambda s, who, o, p: s.payments.pay(
            who, o, method="cash", idempotency_key="x", route=route_of(s, o)
        ),
    ],
    ids=[
        "get",
        "cancel",
        "pay",
        "receipts",
        "print",
        "cancel-routed",
        "return-routed",
        "pay-routed",
    ],
)
def test_another_customers_order_is_missing_never_forbidden(services, shop, call):
    order = paid_order(services, shop)
    payment = services.orders.get(shop.customer, order.id).payments[0]
    with pytest.raises(NotFound, match=r"^no (order|payment) #\d+$"):
        call(services, shop.other, order.id, payment.id)


def route_of(services, order_id: int) -> OrderRoute:
    with services.db.engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT seller_id, customer_id FROM orders WHERE id = %(id)s", {"id": order_id}
        ).one()
    return OrderRoute(*found)


@pytest.mark.parametrize("wrong", ["seller", "customer"])
def test_a_route_that_does_not_lead_to_the_order_finds_it_missing(services, shop, wrong):
    order = paid_order(services, shop)
    right = order.route
    route = (
        OrderRoute(right.seller_id + 1000, right.customer_id)
        if wrong == "seller"
        else OrderRoute(right.seller_id, shop.customer.id + 1000)
    )
    with pytest.raises(NotFound, match=rf"^no order #{order.id}$"):
        services.orders.cancel(shop.staff, order.id, route=route)
    assert services.orders.get(shop.customer, order.id).status == "paid"


def test_a_customers_history_is_their_own_whoever_they_ask_for(services, shop):
    paid_order(services, shop)
    assert services.orders.history(shop.other, customer_id=shop.customer.id).items == ()
