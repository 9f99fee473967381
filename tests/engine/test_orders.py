from decimal import Decimal

import pytest

from tests.engine.conftest import paid_order, stock_of
from workshop_tui.services.errors import Forbidden, InvalidInput, InvalidState, NotFound
from workshop_tui.services.types import ReturnRequest


def test_cancelling_an_unpaid_order_restores_stock_without_a_refund(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 2)
    order = services.orders.checkout(shop.customer, "k1")
    cancelled = services.orders.cancel(shop.customer, order.id, "changed my mind")
    assert cancelled.status == "cancelled" and cancelled.cancel_reason == "changed my mind"
    assert cancelled.refunded_total == 0
    assert stock_of(services, shop.hammer) == 5


def test_cancelling_a_paid_order_refunds_it_in_the_ledger(services, shop):
    order = paid_order(services, shop)
    cancelled = services.orders.cancel(shop.customer, order.id, "wrong size")
    assert cancelled.refunded_total == Decimal("500.00")
    refund = [p for p in cancelled.payments if p.kind == "refund"][0]
    assert refund.ledger is not None and refund.method == "card"
    assert services.ledger.verify().ok


def test_a_second_cancel_is_invalid_state_and_stock_is_restored_once(services, shop):
    order = paid_order(services, shop)
    services.orders.cancel(shop.customer, order.id)
    with pytest.raises(InvalidState):
        services.orders.cancel(shop.staff, order.id)
    assert stock_of(services, shop.hammer) == 5
    assert services.stock.reconcile().drifts == ()


def test_only_staff_fulfil_and_only_paid_orders(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    unpaid = services.orders.checkout(shop.customer, "k0")
    with pytest.raises(InvalidState):
        services.orders.fulfil(shop.staff, unpaid.id)
    order = paid_order(services, shop)
    with pytest.raises(Forbidden):
        services.orders.fulfil(shop.customer, order.id)
    assert services.orders.fulfil(shop.staff, order.id).status == "fulfilled"
    with pytest.raises(InvalidState):
        services.orders.cancel(shop.staff, order.id)


def test_a_partial_then_a_full_return_refunds_and_restocks(services, shop):
    order = paid_order(services, shop, qty=3)
    services.orders.fulfil(shop.staff, order.id)
    partial = services.orders.return_items(
        shop.customer, order.id, [ReturnRequest(shop.hammer, 1)], "dented"
    )
    assert partial.status == "partially_returned"
    assert partial.lines[0].returned_qty == 1 and partial.refunded_total == Decimal("250.00")
    assert stock_of(services, shop.hammer) == 3
    full = services.orders.return_items(
        shop.customer, order.id, [{"product_id": shop.hammer, "quantity": 2}]
    )
    assert full.status == "returned" and full.refunded_total == Decimal("750.00")
    assert stock_of(services, shop.hammer) == 5
    assert services.ledger.verify().ok


def test_returning_more_than_bought_minus_returned_is_refused(services, shop):
    order = paid_order(services, shop, qty=2)
    services.orders.fulfil(shop.staff, order.id)
    services.orders.return_items(shop.customer, order.id, [ReturnRequest(shop.hammer, 1)])
    with pytest.raises(InvalidInput):
        services.orders.return_items(shop.customer, order.id, [ReturnRequest(shop.hammer, 2)])
    assert services.orders.get(shop.customer, order.id).lines[0].returned_qty == 1


@pytest.mark.parametrize(
    "items",
    [[], [{"product_id": 1}], [{"product_id": 1, "quantity": 0}], "all", [ReturnRequest(1, -1)]],
)
def test_malformed_return_requests_are_invalid_input(services, shop, items):
    order = paid_order(services, shop)
    services.orders.fulfil(shop.staff, order.id)
    with pytest.raises(InvalidInput):
        services.orders.return_items(shop.customer, order.id, items)


def test_a_product_not_in_the_order_cannot_be_returned(services, shop):
    order = paid_order(services, shop)
    services.orders.fulfil(shop.staff, order.id)
    with pytest.raises(InvalidInput):
        services.orders.return_items(shop.customer, order.id, [ReturnRequest(shop.saw, 1)])


def test_an_order_not_yet_fulfilled_cannot_be_returned(services, shop):
    order = paid_order(services, shop)
    with pytest.raises(InvalidState):
        services.orders.return_items(shop.customer, order.id, [ReturnRequest(shop.hammer, 1)])


def test_returns_close_with_the_return_window(make_services, shop):
    services = make_services(return_window_days=0)
    order = paid_order(services, shop)
    services.orders.fulfil(shop.staff, order.id)
    with pytest.raises(InvalidState, match="return window"):
        services.orders.return_items(shop.customer, order.id, [ReturnRequest(shop.hammer, 1)])


def test_a_customer_sees_only_their_own_orders_newest_first(services, shop):
    mine = []
    for key in ("a", "b", "c"):
        services.cart.set_quantity(shop.customer, shop.hammer, 1)
        mine.append(services.orders.checkout(shop.customer, key).id)
    services.cart.set_quantity(shop.other, shop.saw, 1)
    theirs = services.orders.checkout(shop.other, "x").id
    first = services.orders.history(shop.customer, limit=2)
    assert [o.id for o in first.items] == mine[::-1][:2]
    rest = services.orders.history(shop.customer, limit=2, before=first.next_before)
    assert [o.id for o in rest.items] == [mine[0]] and rest.next_before is None
    # asking for someone else's history still returns only one's own
    assert theirs not in [
        o.id for o in services.orders.history(shop.customer, customer_id=shop.other.id).items
    ]


def test_staff_see_every_order_and_can_filter_by_status(services, shop):
    paid_order(services, shop, key="a")
    services.cart.set_quantity(shop.other, shop.saw, 1)
    services.orders.checkout(shop.other, "x")
    assert len(services.orders.history(shop.staff).items) == 2
    assert [o.status for o in services.orders.history(shop.staff, status="paid").items] == ["paid"]
    with pytest.raises(InvalidInput):
        services.orders.history(shop.staff, status="lost")


def test_an_unknown_order_is_not_found(services, shop):
    with pytest.raises(NotFound):
        services.orders.cancel(shop.customer, 424242)
