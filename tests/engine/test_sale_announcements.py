"""A sale tells every terminal the stock it left: NOTIFY after its COMMIT, in its message."""

from sqlalchemy import event

from tests.engine.conftest import stock_of
from workshop_tui.services.checkout import place_order
from workshop_tui.services.types import StockChange


def listening(services):
    """A terminal's listener, started; its `seen` list and a stop function."""
    import threading

    seen, stop, ready = [], threading.Event(), threading.Event()
    listener = threading.Thread(
        target=services.events.listen, args=(seen.extend, stop, ready), daemon=True
    )
    listener.start()
    assert ready.wait(5)

    def finish(expected: int):
        for _ in range(60):
            if len(seen) >= expected:
                break
            threading.Event().wait(0.05)
        stop.set()
        listener.join(2)
        return [(c.product_id, c.stock) for c in seen]

    return finish


def test_a_sale_announces_its_stock_in_its_own_commit_message(services, shop):
    finish = listening(services)
    services.cart.set_quantity(shop.customer, shop.hammer, 2)
    services.cart.set_quantity(shop.customer, shop.saw, 1)
    separately = []

    def counted(*_args):
        separately.append(1)

    pool = services.db.autocommit_engine.pool
    event.listen(pool, "checkout", counted)
    try:
        services.orders.checkout(shop.customer, "k1")
    finally:
        event.remove(pool, "checkout", counted)
    assert finish(2) == [(shop.hammer, 3), (shop.saw, 1)]
    assert separately == []  # the separate NOTIFY path was not needed


def test_an_announcement_that_fails_after_the_commit_never_undoes_the_sale(services, shop):
    services.cart.set_quantity(shop.customer, shop.hammer, 2)
    too_long = [("SELECT pg_notify(%s, %s)", ("workshop_stock", "x" * 9000))]
    changes = []
    order = place_order(
        services.db,
        shop.customer,
        "k1",
        customer_id=shop.customer.id,
        channel="tui",
        changes=changes,
        announce=lambda _changes: too_long,
    )
    assert services.orders.get(shop.customer, order.id).status == "pending_payment"
    assert stock_of(services, shop.hammer) == 3
    assert [(c.product_id, c.stock) for c in changes] == [
        (shop.hammer, 3)
    ]  # left for the caller to announce the usual way


def synchronous_commit_of(engine) -> str:
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SHOW synchronous_commit")
        (setting,) = cursor.fetchone()
        connection.rollback()
        return setting
    finally:
        connection.close()


def test_an_announcement_leaves_the_connections_next_sales_waiting_for_the_disk(
    make_services, shop
):
    # Only the announcement's own commit skips the wait for the disk: the sale's commit,
    # and every later transaction on those connections, still wait for it.
    terminal = make_services(pool_size=1)  # one connection: the one the sale announced on
    terminal.cart.set_quantity(shop.customer, shop.hammer, 2)
    terminal.orders.checkout(shop.customer, "k1")
    terminal.events.stock_changed([StockChange(shop.saw, 2)])  # the separate NOTIFY path
    assert synchronous_commit_of(terminal.db.engine) == "on"
    assert synchronous_commit_of(terminal.db.autocommit_engine) == "on"
