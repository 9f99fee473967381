"""Many terminals at once, against a real PostgreSQL: the engine's promises under contention."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests import factories as f
from tests.engine.conftest import paid_order, stock_of
from workshop_tui.services.errors import ServiceError


def race(n: int, work) -> list:
    """Run work(i) in n threads released at the same instant; return results or errors."""
    gate = threading.Barrier(n)

    def run(i: int):
        gate.wait()
        try:
            return work(i)
        except ServiceError as exc:
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def outcome(result) -> str:
    return result.code if isinstance(result, ServiceError) else "ok"


def test_twenty_terminals_buying_the_last_five_units_never_oversell(services, database, shop):
    buyers = [f.account(database, username=f"buyer{i}") for i in range(20)]
    for buyer in buyers:
        services.cart.set_quantity(buyer, shop.hammer, 1)
    results = race(20, lambda i: services.orders.checkout(buyers[i], f"k{i}"))
    assert Counter(map(outcome, results)) == {"ok": 5, "out_of_stock": 15}
    assert stock_of(services, shop.hammer) == 0
    assert services.stock.reconcile().drifts == ()


def test_opposite_product_orders_in_carts_do_not_deadlock(services, database, shop):
    services.stock.restock(shop.staff, shop.hammer, 100)
    services.stock.restock(shop.staff, shop.saw, 100)
    buyers = [f.account(database, username=f"buyer{i}") for i in range(12)]
    for i, buyer in enumerate(buyers):
        first, second = (shop.hammer, shop.saw) if i % 2 else (shop.saw, shop.hammer)
        services.cart.set_quantity(buyer, first, 1)
        services.cart.set_quantity(buyer, second, 1)
    results = race(12, lambda i: services.orders.checkout(buyers[i], f"k{i}"))
    assert Counter(map(outcome, results)) == {"ok": 12}
    assert (stock_of(services, shop.hammer), stock_of(services, shop.saw)) == (93, 90)


def test_one_checkout_key_sent_from_eight_terminals_makes_one_order(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 2)
    results = race(8, lambda i: services.orders.checkout(shop.customer, "double-click"))
    ids = {r.id for r in results if not isinstance(r, ServiceError)}
    assert len(ids) == 1 and stock_of(services, shop.hammer) == 3


def test_one_payment_key_from_eight_terminals_charges_once(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.checkout(shop.customer, "k")
    results = race(
        8,
        lambda i: services.payments.pay(
            shop.customer, order.id, method="card", idempotency_key="p"
        ),
    )
    assert {r.payment.id for r in results} == {results[0].payment.id}
    charges = [
        p for p in services.orders.get(shop.customer, order.id).payments if p.status == "succeeded"
    ]
    assert len(charges) == 1


def test_eight_different_payment_keys_for_one_order_still_charge_once(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.checkout(shop.customer, "k")
    results = race(
        8,
        lambda i: services.payments.pay(
            shop.customer, order.id, method="upi", idempotency_key=f"p{i}"
        ),
    )
    assert Counter(map(outcome, results)) == {"ok": 1, "invalid_state": 7}


def test_an_order_cancelled_from_eight_terminals_restores_its_stock_once(services, shop):
    order = paid_order(services, shop, qty=3)
    results = race(8, lambda i: services.orders.cancel(shop.staff, order.id, f"terminal {i}"))
    assert Counter(map(outcome, results)) == {"ok": 1, "invalid_state": 7}
    assert stock_of(services, shop.hammer) == 5
    refunds = [p for p in services.orders.get(shop.staff, order.id).payments if p.kind == "refund"]
    assert len(refunds) == 1 and services.ledger.verify().ok


def test_payments_and_cancellations_racing_on_one_order_leave_it_consistent(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 2)
    order = services.orders.checkout(shop.customer, "k")

    def act(i: int):
        if i % 2:
            return services.payments.pay(
                shop.customer, order.id, method="cash", idempotency_key=f"p{i}"
            )
        return services.orders.cancel(shop.customer, order.id)

    race(8, act)
    final = services.orders.get(shop.customer, order.id)
    charged = sum(
        p.amount for p in final.payments if p.kind == "charge" and p.status == "succeeded"
    )
    assert final.status == "cancelled"
    assert charged == final.refunded_total  # paid then refunded, or never paid
    assert stock_of(services, shop.hammer) == 5 and services.ledger.verify().ok


def test_a_checkout_that_waited_while_its_key_was_used_returns_that_order(services, database, shop):
    """The key's first order commits while this checkout waits for the cart (and the cart is
    refilled meanwhile): the waiting checkout must answer with that order, not a second one."""
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    holder = database.engine.raw_connection()
    cur = holder.cursor()
    cur.execute("SELECT id FROM carts WHERE customer_id = %s FOR UPDATE", (shop.customer.id,))
    cur.execute(
        "INSERT INTO orders (customer_id, seller_id, status, subtotal, discount_total, total,"
        " idempotency_key) VALUES (%s, %s, 'pending_payment', 0, 0, 0, 'same') RETURNING id",
        (shop.customer.id, shop.acme),
    )
    first_id = cur.fetchone()[0]
    results = []
    waiter = threading.Thread(
        target=lambda: results.append(services.orders.checkout(shop.customer, "same"))
    )
    waiter.start()
    time.sleep(0.5)  # the checkout is now waiting for the cart row
    holder.commit()
    holder.close()
    waiter.join(10)
    assert [r.id for r in results] == [first_id]
    assert stock_of(services, shop.hammer) == 5  # nothing of the second attempt was written
    assert services.cart.get(shop.customer).quantity_of(shop.hammer) == 1


def test_a_payment_that_waited_while_its_key_was_used_returns_that_attempt(
    services, database, shop
):
    """A declined attempt with the same key commits while this payment waits for the order row
    (the order stays payable): the waiting call must answer with that attempt, charging nothing."""
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.checkout(shop.customer, "k")
    holder = database.engine.raw_connection()
    cur = holder.cursor()
    cur.execute(
        "SELECT id FROM orders WHERE seller_id = %s AND id = %s FOR UPDATE", (shop.acme, order.id)
    )
    cur.execute(
        "INSERT INTO payments (order_id, customer_id, seller_id, kind, method, status, amount,"
        " reference, idempotency_key) VALUES (%s, %s, %s, 'charge', 'card', 'declined', 250,"
        " 'CARD-x-1', 'pay-once') RETURNING id",
        (order.id, shop.customer.id, shop.acme),
    )
    first_id = cur.fetchone()[0]
    results = []

    def pay():
        results.append(
            services.payments.pay(
                shop.customer, order.id, method="card", idempotency_key="pay-once"
            )
        )

    waiter = threading.Thread(target=pay)
    waiter.start()
    time.sleep(0.5)  # the payment is now waiting for the order row
    holder.commit()
    holder.close()
    waiter.join(10)
    assert [(r.payment.id, r.payment.status) for r in results] == [(first_id, "declined")]
    assert services.orders.get(shop.customer, order.id).status == "pending_payment"
