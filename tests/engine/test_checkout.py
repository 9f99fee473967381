from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.engine.conftest import stock_of
from workshop_tui.services.errors import Forbidden, InvalidInput, InvalidState, OutOfStock


def test_checkout_creates_a_pending_order_with_the_stock_taken_and_empties_the_cart(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 2)
    services.cart.set_quantity(shop.customer, shop.saw, 1)
    order = services.orders.checkout(shop.customer, "k1")
    assert order.status == "pending_payment"
    assert order.total == Decimal("620.50") == sum(line.line_total for line in order.lines)
    assert order.expires_at > order.created_at
    assert (stock_of(services, shop.hammer), stock_of(services, shop.saw)) == (3, 1)
    assert services.cart.get(shop.customer).is_empty


def test_unit_prices_are_snapshotted_onto_the_order(services, database, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.checkout(shop.customer, "k1")
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE products SET price = 999 WHERE id = :id"), {"id": shop.hammer})
    assert services.orders.get(shop.customer, order.id).lines[0].unit_price == Decimal("250.00")


def test_the_same_key_returns_the_same_order(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    first = services.orders.checkout(shop.customer, "same")
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    again = services.orders.checkout(shop.customer, "same")
    assert again.id == first.id
    assert stock_of(services, shop.hammer) == 4
    assert services.cart.get(shop.customer).quantity_of(shop.hammer) == 1


def test_every_short_line_is_named_and_nothing_changes(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 5)
    services.cart.set_quantity(shop.customer, shop.saw, 2)
    services.cart.set_quantity(shop.other, shop.hammer, 4)
    services.cart.set_quantity(shop.other, shop.saw, 1)
    services.orders.checkout(shop.other, "o1")
    with pytest.raises(OutOfStock) as refused:
        services.orders.checkout(shop.customer, "k1")
    short = {line["product_id"]: line["available"] for line in refused.value.details["lines"]}
    assert short == {shop.hammer: 1, shop.saw: 1}
    assert (stock_of(services, shop.hammer), stock_of(services, shop.saw)) == (1, 1)
    assert services.cart.get(shop.customer).item_count == 7
    assert services.orders.history(shop.customer).items == ()


def test_an_empty_cart_cannot_check_out(services, shop):
    with pytest.raises(InvalidInput):
        services.orders.checkout(shop.customer, "k1")


@pytest.mark.parametrize("key", ["", "   ", "x" * 101, None, 7])
def test_a_missing_or_bad_idempotency_key_is_invalid_input(services, shop, key):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    with pytest.raises(InvalidInput):
        services.orders.checkout(shop.customer, key)


def test_staff_book_a_counter_order_to_a_customer(services, shop):
    services.cart.set_quantity(shop.staff, shop.drill, 1)
    order = services.orders.checkout(
        shop.staff, "c1", for_customer_id=shop.customer.id, channel="counter"
    )
    assert order.customer_id == shop.customer.id
    assert services.orders.get(shop.customer, order.id).id == order.id


def test_a_customer_cannot_book_an_order_to_someone_else(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    with pytest.raises(Forbidden):
        services.orders.checkout(shop.customer, "k1", for_customer_id=shop.other.id)


def test_an_unpaid_order_past_its_window_expires_and_gives_its_stock_back(make_services, shop):
    services = make_services(order_ttl_minutes=0)
    services.cart.set_quantity(shop.customer, shop.saw, 2)
    order = services.orders.checkout(shop.customer, "k1")
    assert stock_of(services, shop.saw) == 0
    assert services.orders.expire_unpaid() == [order.id]
    expired = services.orders.get(shop.customer, order.id)
    assert expired.status == "cancelled" and expired.cancel_reason == "payment window expired"
    assert stock_of(services, shop.saw) == 2
    with pytest.raises(InvalidState):
        services.payments.pay(shop.customer, order.id, method="cash", idempotency_key="p1")


def test_the_database_refuses_negative_stock_and_a_zero_quantity(services, database, shop):
    from sqlalchemy.exc import IntegrityError

    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    with pytest.raises(IntegrityError, match="stock_nonnegative"), database.engine.begin() as conn:
        conn.execute(
            text("UPDATE inventory SET stock_remaining = -1 WHERE product_id = :p"), {"p": shop.saw}
        )
    with pytest.raises(IntegrityError, match="quantity_positive"), database.engine.begin() as conn:
        conn.execute(
            text("UPDATE cart_items SET quantity = 0 WHERE product_id = :p"), {"p": shop.hammer}
        )
