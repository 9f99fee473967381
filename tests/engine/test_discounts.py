from decimal import Decimal

import pytest

from tests import factories as f
from tests.engine.conftest import paid_order
from workshop_tui.services.errors import Forbidden, InvalidInput, InvalidState
from workshop_tui.services.types import ReturnRequest


@pytest.fixture
def order(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 4)  # 1000.00
    services.cart.set_quantity(shop.customer, shop.saw, 2)  # 241.00
    return services.orders.checkout(shop.customer, "k")


def test_staff_give_a_percentage_discount_on_the_order_within_their_limit(services, shop, order):
    discounted = services.discounts.apply(shop.staff, order.id, kind="percent", value="10")
    assert discounted.discount_total == Decimal("124.10")
    assert discounted.total == Decimal("1116.90") == discounted.subtotal - discounted.discount_total


def test_a_staff_discount_above_the_limit_is_forbidden_and_changes_nothing(services, shop, order):
    with pytest.raises(Forbidden, match="10%"):
        services.discounts.apply(shop.staff, order.id, kind="fixed", value="200.00")
    assert services.orders.get(shop.staff, order.id).total == Decimal("1241.00")


def test_an_admin_may_give_any_discount(services, database, shop, order):
    admin = f.account(database, role="admin", username="boss", secret="adminpass1")
    discounted = services.discounts.apply(
        admin, order.id, kind="percent", value="50", product_id=shop.hammer
    )
    assert discounted.discount_total == Decimal("500.00") and discounted.total == Decimal("741.00")


def test_customers_cannot_discount(services, shop, order):
    with pytest.raises(Forbidden):
        services.discounts.apply(shop.customer, order.id, kind="percent", value="5")


@pytest.mark.parametrize(
    "kind, value",
    [("percent", "101"), ("percent", "0"), ("fixed", "-5"), ("bogo", "5"), ("fixed", "99999")],
)
def test_bad_discounts_are_invalid_input(services, database, shop, order, kind, value):
    admin = f.account(database, role="admin", username="boss", secret="adminpass1")
    with pytest.raises(InvalidInput):
        services.discounts.apply(admin, order.id, kind=kind, value=value)


def test_a_paid_order_cannot_be_discounted(services, shop):
    paid = paid_order(services, shop)
    with pytest.raises(InvalidState):
        services.discounts.apply(shop.staff, paid.id, kind="percent", value="5")


def test_the_charge_is_for_the_discounted_total_and_its_ledger_entry_records_the_discount(
    services, database, shop, order
):
    services.discounts.apply(
        shop.staff, order.id, kind="fixed", value="41.00", reason="loyal customer"
    )
    result = services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p")
    assert result.payment.amount == Decimal("1200.00")
    with database.engine.connect() as conn:
        payload = conn.exec_driver_sql(
            "SELECT payload FROM transactions WHERE kind = 'charge'"
        ).scalar()
    assert payload["discount_paise"] == 4100 and payload["discounts"][0]["kind"] == "fixed"
    assert services.ledger.verify().ok


def test_returns_of_a_discounted_order_refund_exactly_what_was_paid(services, shop, order):
    services.discounts.apply(shop.staff, order.id, kind="percent", value="10")
    services.payments.pay(shop.customer, order.id, method="upi", idempotency_key="p")
    services.orders.fulfil(shop.staff, order.id)
    services.orders.return_items(shop.customer, order.id, [ReturnRequest(shop.hammer, 1)])
    part = services.orders.get(shop.customer, order.id).refunded_total
    assert part == Decimal("225.00")  # 250.00 less its 10%
    done = services.orders.return_items(
        shop.customer, order.id, [ReturnRequest(shop.hammer, 3), ReturnRequest(shop.saw, 2)]
    )
    assert done.status == "returned" and done.refunded_total == done.total == Decimal("1116.90")
