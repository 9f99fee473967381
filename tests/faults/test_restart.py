"""A server restart costs a terminal nothing but the wait: never a raw driver error.

Each call is tried with a warm pool (several idle connections, all of which die with
the server): once right after the server is back, where it must succeed, and once
while the server is down, where it must fail with the typed `unavailable` error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from bench._controlled_pg import ControlledServer
from tests.faults.conftest import FAULTS, Shop, warm_pool
from workshop_tui.db import Database
from workshop_tui.services import Services, _tx
from workshop_tui.services.errors import Unavailable

pytestmark = FAULTS

CALLS = ("cart", "checkout", "pay", "search", "history")


def prepare(services: Services, shop: Shop, call: str) -> Callable[[], object]:
    """What the call needs, set up while the server is up; returns the call itself."""
    customer = shop.customer
    if call == "cart":
        return lambda: services.cart.set_quantity(customer, shop.hammer, 2)
    if call == "search":
        return lambda: services.catalog.search("Hammer")
    if call == "history":
        services.cart.set_quantity(customer, shop.hammer, 1)
        services.orders.checkout(customer, "earlier")
        return lambda: services.orders.history(customer)
    services.cart.set_quantity(customer, shop.hammer, 1)
    if call == "checkout":
        return lambda: services.orders.checkout(customer, "after-restart")
    order = services.orders.checkout(customer, "to-pay")
    return lambda: services.payments.pay(
        customer, order.id, method="card", idempotency_key="pay-after-restart"
    )


def check_result(call: str, result: object, shop: Shop) -> None:
    if call == "cart":
        assert [(line.product_id, line.quantity) for line in result.lines] == [(shop.hammer, 2)]
    elif call == "search":
        assert [p.id for p in result.items] == [shop.hammer]
    elif call == "history":
        assert len(result.items) == 1
    elif call == "checkout":
        assert result.status == "pending_payment"
    else:
        assert result.order.status == "paid"


@pytest.mark.parametrize("mode", ["immediate", "fast"])
@pytest.mark.parametrize("call", CALLS)
def test_the_first_call_after_a_restart_succeeds(
    server: ControlledServer, database: Database, services: Services, shop: Shop, mode, call
):
    run = prepare(services, shop, call)
    warm_pool(database)

    server.stop(mode)
    server.start()

    check_result(call, run(), shop)


@pytest.mark.parametrize("call", CALLS)
def test_a_call_while_the_server_is_down_is_unavailable_and_succeeds_once_it_is_back(
    server: ControlledServer, database: Database, services: Services, shop: Shop, call
):
    run = prepare(services, shop, call)
    warm_pool(database)
    server.stop("immediate")

    started = time.monotonic()
    with pytest.raises(Unavailable) as raised:
        run()
    assert time.monotonic() - started < 6.0
    assert raised.value.code == "unavailable"
    assert raised.value.message == "the shop's database is not reachable; nothing was changed"

    server.start()
    check_result(call, run(), shop)


def test_a_checkout_during_a_short_outage_waits_for_the_server_and_succeeds(
    server: ControlledServer, make_database, shop: Shop
):
    db = make_database(reconnect_wait_ms=10_000)  # the default is 3 s; a loaded CI is slow
    services = Services(db)
    run = prepare(services, shop, "checkout")
    warm_pool(db)
    server.stop("immediate")
    restart = threading.Timer(0.5, server.start)
    restart.start()
    try:
        order = run()
    finally:
        restart.join()
    assert order.status == "pending_payment"


def test_one_dead_connection_retires_the_whole_pool(
    server: ControlledServer, database: Database, services: Services, shop: Shop
):
    """Six dead idle connections cost one failed attempt, not one each."""
    warm_pool(database, connections=6)
    server.stop("immediate")
    server.start()
    before = _tx.retries.value

    for _ in range(6):
        services.catalog.search("Hammer")

    assert _tx.retries.value - before == 1
