from decimal import Decimal

from tests import factories as f


def test_a_customer_buys_pays_and_the_ledger_verifies(services, database):
    seller = f.seller(database)
    hammer = f.product(database, seller, name="Hammer", price="250.00", stock=3)
    me = services.auth.login_or_register("9876543210", "274913").account
    cart = services.cart.set_quantity(me, hammer, 2)
    assert cart.total == Decimal("500.00")
    order = services.orders.checkout(me, "key-1")
    assert order.status == "pending_payment"
    result = services.payments.pay(
        me, order.id, method="upi", outcome="success", idempotency_key="pay-1"
    )
    assert result.order.status == "paid"
    assert services.ledger.verify().ok
    assert services.catalog.get(hammer).stock == 1
