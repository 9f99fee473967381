"""Orders and payments under hostile use (issue 13, items 6-8).

A customer cannot hold stock in unpaid orders without limit, a payment key is the
customer's own, and an order takes a bounded number of payment attempts.
"""

from __future__ import annotations

import threading
import time

import pytest

from tests import factories as f
from workshop_tui.services.errors import InvalidState, ServiceError, TooManyAttempts, TooManyUnpaid

# --- at most WORKSHOP_MAX_UNPAID_ORDERS unpaid orders per customer -------------------


def order_one(services, account, product, key, **kwargs):
    services.cart.set_quantity(account, product, 1)
    return services.orders.checkout(account, key, **kwargs)


def unpaid_of(database, customer_id: int) -> int:
    with database.engine.connect() as conn:
        return conn.exec_driver_sql(
            "SELECT count(*) FROM orders WHERE customer_id = %s AND status = 'pending_payment'",
            (customer_id,),
        ).scalar_one()


def test_a_customer_holding_the_most_unpaid_orders_is_refused_the_next_checkout_by_name(
    services, shop
):
    for n in range(3):
        order_one(services, shop.customer, shop.hammer, f"k{n}")
    with pytest.raises(TooManyUnpaid) as refused:
        order_one(services, shop.customer, shop.hammer, "k3")
    assert refused.value.code == "too_many_unpaid"
    assert refused.value.details["limit"] == 3
    assert "3" in refused.value.message
    assert services.cart.get(shop.customer).lines  # nothing taken: the cart stays as it was


def test_the_limit_is_a_setting(make_services, shop):
    services = make_services(max_unpaid_orders=1)
    order_one(services, shop.customer, shop.hammer, "k0")
    with pytest.raises(TooManyUnpaid):
        order_one(services, shop.customer, shop.hammer, "k1")


def test_paying_or_cancelling_an_unpaid_order_frees_a_place(services, shop):
    orders = [order_one(services, shop.customer, shop.hammer, f"k{n}") for n in range(3)]
    services.payments.pay(shop.customer, orders[0].id, method="upi", idempotency_key="p0")
    services.orders.cancel(shop.customer, orders[1].id, "changed my mind")
    order_one(services, shop.customer, shop.hammer, "k3")
    order_one(services, shop.customer, shop.hammer, "k4")
    with pytest.raises(TooManyUnpaid):
        order_one(services, shop.customer, shop.hammer, "k5")


def test_an_unpaid_order_past_its_time_does_not_count(make_services, shop):
    lapsed = make_services(order_ttl_minutes=0, expiry_sweep_seconds=3600)
    for n in range(3):
        order_one(lapsed, shop.customer, shop.hammer, f"k{n}")
    order_one(lapsed, shop.customer, shop.hammer, "k3")  # the others can no longer be paid


def test_a_retried_checkout_of_the_last_allowed_order_returns_that_order(services, shop):
    orders = [order_one(services, shop.customer, shop.hammer, f"k{n}") for n in range(3)]
    assert services.orders.checkout(shop.customer, "k2").id == orders[2].id


def test_staff_at_the_counter_are_not_limited_and_their_orders_do_not_count(
    services, shop, database
):
    for n in range(4):
        order_one(services, shop.staff, shop.hammer, f"c{n}", for_customer_id=shop.customer.id)
    assert unpaid_of(database, shop.customer.id) == 4
    order_one(services, shop.customer, shop.saw, "own")  # the customer's own first order


def test_concurrent_checkouts_of_one_customer_never_pass_the_limit(services, shop, database):
    big = f.product(database, shop.acme, name="Nails", sku="NAI-009", price="5.00", stock=100)
    refused = []

    def shopper(worker: int) -> None:
        for n in range(4):
            try:
                order_one(services, shop.customer, big, f"w{worker}-{n}")
            except ServiceError as exc:  # an empty cart another thread checked out, or the limit
                refused.append(exc.code)

    threads = [threading.Thread(target=shopper, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unpaid_of(database, shop.customer.id) == 3
    assert "too_many_unpaid" in refused


def test_a_checkout_that_waited_for_its_lines_counts_the_order_made_meanwhile(
    services, shop, database
):
    for n in range(2):
        order_one(services, shop.customer, shop.hammer, f"k{n}")
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    refused: list[BaseException] = []
    holder = database.engine.raw_connection()
    try:
        with holder.cursor() as cur:  # another terminal's sale, holding the cart's lines
            cur.execute(
                "SELECT 1 FROM cart_items i JOIN carts c ON c.id = i.cart_id"
                " WHERE c.customer_id = %s FOR UPDATE OF i",
                (shop.customer.id,),
            )
            waiting = threading.Thread(
                target=lambda: refused.extend(
                    _raised(lambda: services.orders.checkout(shop.customer, "k2"))
                )
            )
            waiting.start()
            _until_a_sale_waits_for_a_lock(database)
            cur.execute(  # that sale's order: the customer's third unpaid one
                "INSERT INTO orders (customer_id, seller_id, status, subtotal, discount_total,"
                " total, channel, expires_at)"
                " VALUES (%s, %s, 'pending_payment', 1, 0, 1, 'tui', now() + interval '1 hour')",
                (shop.customer.id, shop.acme),
            )
        holder.commit()
        waiting.join(timeout=30)
    finally:
        holder.close()
    assert [type(exc) for exc in refused] == [TooManyUnpaid]
    assert unpaid_of(database, shop.customer.id) == 3


def _raised(call) -> list[BaseException]:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - handed to the test's thread to assert on
        return [exc]
    return []


def _until_a_sale_waits_for_a_lock(database, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    with database.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = 'workshop' AND wait_event_type = 'Lock'"
            ).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.01)
    raise AssertionError("no sale waited for the held lines")


# --- payment keys are the customer's own ---------------------------------------------


def test_another_customers_payment_key_pays_this_customers_own_order(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    mine = services.orders.checkout(shop.customer, "k1")
    services.payments.pay(shop.customer, mine.id, method="upi", idempotency_key="shared-key")
    services.cart.set_quantity(shop.other, shop.saw, 1)
    theirs = services.orders.checkout(shop.other, "k1")
    paid = services.payments.pay(shop.other, theirs.id, method="card", idempotency_key="shared-key")
    assert paid.succeeded and paid.order.id == theirs.id
    assert paid.payment.method == "card"


def test_a_key_another_customer_used_first_does_not_block_the_owners_retry(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    mine = services.orders.checkout(shop.customer, "k1")
    first = services.payments.pay(
        shop.customer, mine.id, method="upi", outcome="decline", idempotency_key="shared-key"
    )
    services.cart.set_quantity(shop.other, shop.saw, 1)
    theirs = services.orders.checkout(shop.other, "k1")
    services.payments.pay(shop.other, theirs.id, method="card", idempotency_key="shared-key")
    again = services.payments.pay(
        shop.customer, mine.id, method="upi", outcome="decline", idempotency_key="shared-key"
    )
    assert again.payment.id == first.payment.id


# --- at most WORKSHOP_MAX_PAYMENT_ATTEMPTS attempts per order --------------------------


def ledger_rows(database) -> int:
    with database.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM transactions").scalar_one()


def test_an_order_past_its_payment_attempts_is_refused_and_writes_nothing(
    make_services, shop, database
):
    services = make_services(max_payment_attempts=3)
    order = order_one(services, shop.customer, shop.hammer, "k1")
    for n in range(3):
        services.payments.pay(
            shop.customer, order.id, method="card", outcome="decline", idempotency_key=f"p{n}"
        )
    written = ledger_rows(database)
    with pytest.raises(TooManyAttempts) as refused:
        services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p3")
    assert refused.value.code == "too_many_attempts" and refused.value.details["limit"] == 3
    assert ledger_rows(database) == written
    assert len(services.orders.get(shop.customer, order.id).payments) == 3


def test_the_default_cap_is_ten_attempts(services, shop):
    order = order_one(services, shop.customer, shop.hammer, "k1")
    for n in range(10):
        services.payments.pay(
            shop.customer, order.id, method="card", outcome="decline", idempotency_key=f"p{n}"
        )
    with pytest.raises(TooManyAttempts):
        services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p10")


def test_a_retry_of_the_last_allowed_attempt_returns_its_result(make_services, shop):
    services = make_services(max_payment_attempts=2)
    order = order_one(services, shop.customer, shop.hammer, "k1")
    services.payments.pay(
        shop.customer, order.id, method="card", outcome="decline", idempotency_key="p0"
    )
    last = services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p1")
    again = services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p1")
    assert again.payment.id == last.payment.id and again.succeeded


def test_a_paid_order_is_still_refused_as_paid_not_as_over_its_attempts(make_services, shop):
    services = make_services(max_payment_attempts=1)
    order = order_one(services, shop.customer, shop.hammer, "k1")
    services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p0")
    with pytest.raises(InvalidState):
        services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p1")


def test_concurrent_declines_never_pass_the_cap(make_services, shop):
    services = make_services(max_payment_attempts=4)
    order = order_one(services, shop.customer, shop.hammer, "k1")
    refused = []

    def decline(n: int) -> None:
        try:
            services.payments.pay(
                shop.customer, order.id, method="card", outcome="decline", idempotency_key=f"p{n}"
            )
        except TooManyAttempts:
            refused.append(n)

    threads = [threading.Thread(target=decline, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(services.orders.get(shop.customer, order.id).payments) == 4
    assert len(refused) == 6
