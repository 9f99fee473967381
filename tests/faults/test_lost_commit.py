"""A COMMIT whose answer was lost: checkout and payment, idempotent by key, answer anyway.

The proxy forwards the COMMIT, lets the server commit it, and cuts the connection
before the answer reaches the client.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench._controlled_pg import ControlledServer
from tests.faults.conftest import DATABASE, FAULTS, Shop, admin
from tests.faults.proxy import FaultProxy
from workshop_tui.services import Services

pytestmark = FAULTS


@pytest.fixture
def proxy(server: ControlledServer) -> Iterator[FaultProxy]:
    p = FaultProxy(server.socket)
    yield p
    p.close()


@pytest.fixture
def proxied(proxy: FaultProxy, make_database) -> Services:
    return Services(make_database(proxy.url(DATABASE)))


def count(server: ControlledServer, sql: str, *params: object) -> int:
    conn = admin(server)
    with conn.cursor() as cur:
        cur.execute(sql, params)
        (n,) = cur.fetchone()
    conn.close()
    return n


def test_a_checkout_whose_commit_answer_was_lost_returns_its_order_once(
    server, proxy: FaultProxy, proxied: Services, shop: Shop
):
    proxied.cart.set_quantity(shop.customer, shop.hammer, 3)
    proxy.lose_commit_answer(b"INSERT INTO orders")

    order = proxied.orders.checkout(shop.customer, "once")

    assert proxy.cuts == 1
    assert proxied.orders.checkout(shop.customer, "once").id == order.id
    assert count(server, "SELECT count(*) FROM orders") == 1
    assert (
        count(server, "SELECT stock_remaining FROM inventory WHERE product_id = %s", shop.hammer)
        == 97
    )


def test_a_payment_whose_commit_answer_was_lost_returns_its_charge_once(
    server, proxy: FaultProxy, proxied: Services, shop: Shop
):
    proxied.cart.set_quantity(shop.customer, shop.hammer, 1)
    order = proxied.orders.checkout(shop.customer, "to-pay")
    proxy.lose_commit_answer(b"INSERT INTO payments")

    paid = proxied.payments.pay(shop.customer, order.id, method="upi", idempotency_key="pay-once")

    assert proxy.cuts == 1
    assert paid.order.status == "paid"
    again = proxied.payments.pay(shop.customer, order.id, method="upi", idempotency_key="pay-once")
    assert again.payment.id == paid.payment.id
    assert count(server, "SELECT count(*) FROM payments") == 1
    assert count(server, "SELECT count(*) FROM transactions WHERE kind = 'charge'") == 1
