"""How catalog pages reach PostgreSQL: prepared once per connection, in autocommit."""

from collections.abc import Iterator

import pytest

from workshop_tui.db.engine import Database
from workshop_tui.services import Services


@pytest.fixture
def one_connection(database: Database) -> Iterator[Services]:
    """Services on a pool of one idle connection: calls one after another all get it."""
    db = Database(database.settings.model_copy(), pool_size=1)
    yield Services(db)
    db.dispose()


def server_statements(services: Services) -> set[str]:
    connection = services.db.engine.raw_connection()
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT name FROM pg_prepared_statements")
            names = {r[0] for r in cur.fetchall()}
        connection.rollback()
        return names
    finally:
        connection.close()


def test_browsing_pages_prepares_each_filter_combination_once(one_connection, shop):
    one_connection.catalog.search()
    one_connection.catalog.search(after=shop.hammer)
    one_connection.catalog.search(seller_id=shop.acme, after=shop.hammer)
    assert server_statements(one_connection) == {
        "workshop_products_limit",
        "workshop_products_after_limit",
        "workshop_products_seller_after_limit",
    }


def test_a_text_search_is_planned_for_its_own_text_not_prepared(one_connection, shop):
    one_connection.catalog.search("hammer")
    assert server_statements(one_connection) == set()


def test_a_page_is_still_served_when_the_server_forgot_its_prepared_statement(one_connection, shop):
    first = one_connection.catalog.search(after=shop.hammer)
    connection = one_connection.db.engine.raw_connection()
    try:
        with connection.cursor() as cur:
            cur.execute("DEALLOCATE ALL")  # as DISCARD ALL or a transaction pooler would
        connection.commit()
    finally:
        connection.close()
    assert one_connection.catalog.search(after=shop.hammer) == first
    # A server that forgets (or a pooler that hides) prepared statements: plain SQL after.
    by_acme = one_connection.catalog.search(seller_id=shop.acme)
    assert [p.id for p in by_acme.items] == [shop.hammer, shop.saw]
    assert server_statements(one_connection) == set()


def test_reads_hand_their_connection_back_in_transaction_mode(one_connection, shop):
    one_connection.catalog.search()
    one_connection.catalog.get(shop.drill)
    connection = one_connection.db.engine.raw_connection()
    try:
        assert connection.dbapi_connection.autocommit is False
    finally:
        connection.close()
    # ...so a sale on the same connection is still one transaction.
    one_connection.cart.set_quantity(shop.customer, shop.hammer, 2)
    order = one_connection.orders.checkout(shop.customer, idempotency_key="k-1")
    assert order.total == 500
