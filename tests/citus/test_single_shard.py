"""A sale stays on its seller's shard: every statement of the transactions of checkout,
payment, cancel, fulfilment, returns and expiry names the seller, so Citus routes each to
one task on one shard group."""

import pytest
from sqlalchemy import text

from tests.engine.conftest import run_cli
from workshop_tui.db import Database
from workshop_tui.db.shard_trace import (
    groups_touched,
    one_shard,
    shard_groups,
    trace,
    transactions,
)
from workshop_tui.services import Services
from workshop_tui.services.checkout import place_order_statement
from workshop_tui.services.convert import SELLERS_ORDERS
from workshop_tui.services.locks import (
    CHECKOUT_LINES,
    LOCK_HEAD,
    LOCK_INVENTORY,
    ORDER_FOR_PAYMENT,
)
from workshop_tui.services.payments import RECORD_STATEMENTS
from workshop_tui.services.routing import OrderRoute
from workshop_tui.services.stock import MOVE_STOCK

pytestmark = pytest.mark.citus


def taken(logs) -> list[str]:
    return [n for log in logs for n in log.take()]


def test_checkout_and_payment_each_run_on_one_shard_group(database, shop):
    traced = Database(database.settings, pool_size=2)
    logs = trace(traced)
    services = Services(traced)
    groups = shard_groups(traced)
    try:
        services.cart.set_quantity(shop.customer, shop.hammer, 2)
        taken(logs)  # the cart's own transaction is not the sale
        order = services.orders.checkout(shop.customer, "one-shard")
        checkout_notices = taken(logs)
        route = OrderRoute(order.seller_id, order.customer_id)
        services.payments.pay(
            shop.customer, order.id, method="card", idempotency_key="pay-1", route=route
        )
        pay_notices = taken(logs)
    finally:
        traced.dispose()
    assert one_shard(checkout_notices, groups), checkout_notices
    assert one_shard(pay_notices, groups), pay_notices
    # the same seller's shard group
    [checkout_tx], [pay_tx] = transactions(checkout_notices), transactions(pay_notices)
    assert groups_touched(pay_tx, groups) == groups_touched(checkout_tx, groups)


def test_cancel_fulfilment_and_a_return_each_run_on_their_orders_shard_group(database, shop):
    traced = Database(database.settings, pool_size=2)
    logs = trace(traced)
    services = Services(traced)
    groups = shard_groups(traced)

    def paid(key: str):
        services.cart.set_quantity(shop.customer, shop.hammer, 2)
        order = services.orders.checkout(shop.customer, key)
        services.payments.pay(
            shop.customer, order.id, method="card", idempotency_key=f"pay-{key}", route=order.route
        )
        taken(logs)  # the sale's own transactions
        return order

    try:
        cancelled = paid("to-cancel")
        services.orders.cancel(
            shop.customer, cancelled.id, "changed my mind", route=cancelled.route
        )
        cancel_notices = taken(logs)
        kept = paid("to-return")
        services.orders.fulfil(shop.staff, kept.id, route=kept.route)
        fulfil_notices = taken(logs)
        services.orders.return_items(
            shop.customer, kept.id, [{"product_id": shop.hammer, "quantity": 1}], route=kept.route
        )
        return_notices = taken(logs)
        returned = services.orders.get(shop.customer, kept.id)
    finally:
        traced.dispose()
    assert services.orders.get(shop.customer, cancelled.id).status == "cancelled"
    assert returned.status == "partially_returned"
    for notices in (cancel_notices, fulfil_notices, return_notices):
        assert one_shard(notices, groups), notices
    # each on its order's seller's group (the refunds' ledger rows with them)
    [cancel_tx], [return_tx] = transactions(cancel_notices), transactions(return_notices)
    assert groups_touched(cancel_tx, groups) == groups_touched(return_tx, groups)
    assert any("transactions_" in n and "INSERT" in n for n in cancel_tx)


def test_the_expiry_of_an_unpaid_order_runs_on_its_shard_group(database, shop):
    traced = Database(database.settings.model_copy(update={"order_ttl_minutes": 0}), pool_size=2)
    logs = trace(traced)
    services = Services(traced)
    groups = shard_groups(traced)
    try:
        services.cart.set_quantity(shop.customer, shop.hammer, 2)
        order = services.orders.checkout(shop.customer, "to-expire")
        taken(logs)
        assert services.orders.expire_unpaid() == [order.id]
        expiry_notices = taken(logs)
    finally:
        traced.dispose()
    assert one_shard(expiry_notices, groups), expiry_notices


@pytest.mark.parametrize(
    "statement",
    [
        CHECKOUT_LINES,
        place_order_statement(2, False).sql,
        place_order_statement(1, True).sql,
        ORDER_FOR_PAYMENT[True].sql,  # as sharded: the payment's id is taken apart
        SELLERS_ORDERS.sql,
        *(planned.sql for planned in RECORD_STATEMENTS),
        LOCK_HEAD,
        LOCK_INVENTORY.format(seller="AND seller_id = %(seller)s"),
        MOVE_STOCK,
    ],
    ids=[
        "checkout_lines",
        "place_order",
        "place_order_at_till",
        "lock_order",
        "order_under_its_lock",
        "record_payment",
        "record_payment_at_till",
        "ledger_head",
        "lock_inventory_of_an_order",
        "move_stock_of_an_order",
    ],
)
def test_the_sales_statements_route_to_one_task(database, shop, statement):
    params = {
        "seller": shop.acme,
        "seller_id": shop.acme,
        "cart": 1,
        "customer": 1,
        "customer_id": 1,
        "key": "k",
        "id": 1,
        "order_id": 1,
        "status": "succeeded",
        "subtotal": 1,
        "idempotency_key": "k",
        "placed_by": None,
        "channel": "tui",
        "expires_at": None,
        "created_at": None,
        "at": None,
        "pids": [1, 2],
        "qtys": [1, 1],
        "ids": [1, 2],
        "deltas": [1, 1],
        "delta_0": 1,
        "reason": "cancel",
        "pid_0": 1,
        "pid_1": 2,
        "qty_0": 1,
        "qty_1": 1,
        "price_0": 1,
        "price_1": 1,
        "actor_id": 1,
        "session_id": 1,
        "method": "card",
        "amount": 1,
        "reference": "CARD-1-1",
        "payment_id": 1,
        "tendered": None,
        "max_attempts": 5,
        "chain": f"seller-{shop.acme}",
    }
    raw = database.engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("EXPLAIN " + statement, params)
            plan = "\n".join(r[0] for r in cur.fetchall())
    finally:
        raw.close()
    assert "Task Count: 1" in plan, plan


def test_db_status_shows_each_tables_distribution(database):
    shown = run_cli(database.url, "db", "status").output
    assert "orders: distributed by seller_id" in shown
    assert "idempotency_claims: distributed by customer_id" in shown
    assert "sellers: reference table" in shown


def test_db_distribute_again_changes_nothing(database):
    again = run_cli(database.url, "db", "distribute")
    assert again.exit_code == 0
    assert "distributed (already)" in again.output


def test_the_ledger_stays_append_only_on_every_shard(database, services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = services.orders.checkout(shop.customer, "k")
    services.payments.pay(shop.customer, order.id, method="card", idempotency_key="p")
    with pytest.raises(Exception, match="append-only"), database.engine.begin() as conn:
        conn.execute(
            text("UPDATE transactions SET amount = 1 WHERE seller_id = :s"), {"s": shop.acme}
        )
