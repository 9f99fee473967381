from decimal import Decimal

import pytest

from workshop_tui.services.errors import InvalidInput, InvalidState, NotFound


@pytest.fixture
def order(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 2)
    return services.orders.checkout(shop.customer, "k1")


def test_a_successful_payment_marks_the_order_paid_and_records_its_ledger_entry(
    services, shop, order
):
    result = services.payments.pay(
        shop.customer, order.id, method="upi", outcome="success", idempotency_key="p1"
    )
    assert result.succeeded and result.order.status == "paid"
    assert result.payment.amount == Decimal("500.00")
    assert result.payment.ledger.chain == f"seller-{shop.acme}"
    assert result.payment.ledger.seq == 2  # an attempt row, then the charge
    assert services.ledger.verify().ok


def test_a_decline_leaves_the_order_payable_and_a_retry_can_succeed(services, shop, order):
    declined = services.payments.pay(
        shop.customer, order.id, method="card", outcome="decline", idempotency_key="p1"
    )
    assert not declined.succeeded and declined.order.status == "pending_payment"
    paid = services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p2")
    assert paid.order.status == "paid"
    assert [p.status for p in paid.order.payments] == ["declined", "succeeded"]


def test_the_payments_answer_is_the_order_as_stored(services, shop, order):
    declined = services.payments.pay(
        shop.customer, order.id, method="card", outcome="decline", idempotency_key="p1"
    )
    assert declined.order == services.orders.get(shop.customer, order.id)
    paid = services.payments.pay(
        shop.customer, order.id, method="cash", idempotency_key="p2", tendered="600"
    )
    assert paid.order == services.orders.get(shop.customer, order.id)
    assert paid.payment == paid.order.payments[-1]


def test_the_checkouts_answer_is_the_order_as_stored(services, shop, order):
    assert order == services.orders.get(shop.customer, order.id)


def test_the_same_key_twice_charges_once(services, shop, order):
    first = services.payments.pay(shop.customer, order.id, method="cash", idempotency_key="p1")
    again = services.payments.pay(shop.customer, order.id, method="cash", idempotency_key="p1")
    assert again.payment.id == first.payment.id
    assert len(again.order.payments) == 1


def test_a_second_charge_with_a_new_key_is_refused(services, shop, order):
    services.payments.pay(shop.customer, order.id, method="cash", idempotency_key="p1")
    with pytest.raises(InvalidState):
        services.payments.pay(shop.customer, order.id, method="cash", idempotency_key="p2")


def test_a_key_used_for_another_order_is_refused(services, shop, order):
    services.payments.pay(shop.customer, order.id, method="cash", idempotency_key="p1")
    services.cart.set_quantity(shop.customer, shop.saw, 1)
    second = services.orders.checkout(shop.customer, "k2")
    with pytest.raises(InvalidInput):
        services.payments.pay(shop.customer, second.id, method="cash", idempotency_key="p1")


@pytest.mark.parametrize(
    "method, outcome", [("cheque", "success"), ("card", "maybe"), (None, "success")]
)
def test_an_unknown_method_or_outcome_is_invalid_input(services, shop, order, method, outcome):
    with pytest.raises(InvalidInput):
        services.payments.pay(
            shop.customer, order.id, method=method, outcome=outcome, idempotency_key="p1"
        )
    assert services.orders.get(shop.customer, order.id).payments == ()


def test_another_customers_order_cannot_be_seen_or_paid(services, shop, order):
    with pytest.raises(NotFound):
        services.orders.get(shop.other, order.id)
    with pytest.raises(NotFound):
        services.payments.pay(shop.other, order.id, method="cash", idempotency_key="p1")
