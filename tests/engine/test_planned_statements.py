"""The sale's statements are prepared once per connection; a server that lost them costs a retry, never a sale."""

from tests.engine.conftest import stock_of
from workshop_tui.services._sql import NOT_KEPT
from workshop_tui.services._tx import PREPARED


def one_connection_terminal(make_services):
    """Services whose pool hands out one connection, so a test can reach its server session."""
    return make_services(pool_size=1)


def test_the_sales_statements_are_prepared_on_the_connection(make_services, shop):
    terminal = one_connection_terminal(make_services)
    terminal.cart.set_quantity(shop.customer, shop.hammer, 1)
    connection = terminal.db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT name FROM pg_prepared_statements")
        names = {name for (name,) in cursor.fetchall()}
        connection.rollback()
        assert names and names <= connection.info[PREPARED]
    finally:
        connection.close()


def test_a_server_that_lost_the_prepared_statements_still_sells_once_in_plain_sql(
    make_services, shop
):
    terminal = one_connection_terminal(make_services)
    terminal.cart.set_quantity(shop.customer, shop.hammer, 1)
    connection = terminal.db.engine.raw_connection()
    try:
        connection.cursor().execute("DEALLOCATE ALL")  # as a pooler's other backend would be
        connection.commit()
    finally:
        connection.close()
    terminal.cart.set_quantity(shop.customer, shop.saw, 1)
    order = terminal.orders.checkout(shop.customer, "k-lost")
    paid = terminal.payments.pay(shop.customer, order.id, method="card", idempotency_key="p-lost")
    assert paid.order.status == "paid" and len(paid.order.payments) == 1
    assert stock_of(terminal, shop.hammer) == 4 and stock_of(terminal, shop.saw) == 1
    connection = terminal.db.engine.raw_connection()
    try:
        assert NOT_KEPT in connection.info[PREPARED]
    finally:
        connection.close()


def test_a_statement_the_server_already_has_is_not_prepared_twice(make_services, shop):
    terminal = one_connection_terminal(make_services)
    terminal.cart.set_quantity(shop.customer, shop.hammer, 1)
    connection = terminal.db.engine.raw_connection()
    try:
        connection.info[PREPARED].clear()  # the bookkeeping lost, the server's copies kept
    finally:
        connection.close()
    cart = terminal.cart.set_quantity(shop.customer, shop.saw, 2)
    assert cart.quantity_of(shop.hammer) == 1 and cart.quantity_of(shop.saw) == 2
