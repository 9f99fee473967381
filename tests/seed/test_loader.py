"""Loading the generated files: the engine then verifies, reconciles and works at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from seed.loader import LoadError, load
from workshop_tui.db import Database
from workshop_tui.services import Services


def scalar(db: Database, sql: str):
    with db.engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


@pytest.fixture
def loaded(database: Database, small_set: Path) -> Services:
    load(database, small_set)
    return Services(database)


def test_load_reports_the_rows_of_every_table(database: Database, small_set: Path) -> None:
    counts = load(database, small_set)
    for table in ("sellers", "products", "orders", "transactions", "returns"):
        lines = (small_set / f"{table}.csv").read_text().count("\n") - 1
        assert counts[table] == lines == scalar(database, f"SELECT count(*) FROM {table}")
    assert counts["stock_movements"] > counts["order_items"]


def test_files_without_seller_ids_load_with_each_row_under_its_orders_seller(
    database: Database, small_copy: Path
) -> None:
    from tests.seed.test_bad_input import drop_column

    for table in ("inventory", "order_items", "payments", "transactions", "returns"):
        drop_column(small_copy, table, "seller_id")
    load(database, small_copy)
    assert scalar(
        database,
        "SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id"
        " WHERE i.seller_id = o.seller_id",
    ) == scalar(database, "SELECT count(*) FROM order_items")
    assert Services(database).ledger.verify().ok


def test_the_loaded_ledger_verifies(loaded: Services) -> None:
    report = loaded.ledger.verify()
    assert report.ok, report.problems
    assert report.rows_checked > 0
    assert {h.chain for h in loaded.ledger.heads()} == {
        f"seller-{i}"
        for i in range(1, 5)
        if scalar(loaded.db, f"SELECT count(*) FROM transactions WHERE chain = 'seller-{i}'")
    }


def test_the_loaded_stock_reconciles_with_its_movements(loaded: Services) -> None:
    report = loaded.stock.reconcile()
    assert report.products_checked == 60
    assert report.drifts == ()


def test_initial_stock_equals_stock_plus_what_live_orders_hold(loaded: Services) -> None:
    drift = scalar(
        loaded.db,
        """SELECT count(*) FROM inventory i LEFT JOIN (
               SELECT oi.product_id, SUM(oi.quantity - oi.returned_qty) held
                 FROM order_items oi JOIN orders o ON o.id = oi.order_id
                WHERE o.status <> 'cancelled' GROUP BY 1) h ON h.product_id = i.product_id
            WHERE i.initial_stock <> i.stock_remaining + COALESCE(h.held, 0)""",
    )
    assert drift == 0


def test_a_seeded_customer_logs_in_with_the_demo_pin_and_can_buy(loaded: Services) -> None:
    phone = scalar(
        loaded.db, "SELECT phone FROM customers WHERE role = 'customer' ORDER BY id LIMIT 1"
    )
    result = loaded.auth.login_or_register(phone.removeprefix("+91"), "123456")
    assert not result.created and result.account.phone == phone
    product = scalar(
        loaded.db,
        "SELECT product_id FROM inventory JOIN products p ON p.id = product_id "
        "WHERE stock_remaining > 0 AND p.is_active ORDER BY product_id LIMIT 1",
    )
    me = result.account
    loaded.cart.set_quantity(me, product_id=product, quantity=1)
    order = loaded.orders.checkout(me, idempotency_key="after-seed")
    paid = loaded.payments.pay(
        me, order.id, method="upi", outcome="success", idempotency_key="pay-after-seed"
    )
    assert order.id == scalar(loaded.db, "SELECT max(id) FROM orders")
    assert paid.order.status == "paid"
    assert loaded.ledger.verify().ok
    assert loaded.stock.reconcile().drifts == ()


def test_staff_and_admin_log_in_with_the_demo_password(loaded: Services) -> None:
    assert loaded.auth.login("staff", "workshop123").role == "staff"
    assert loaded.auth.login("admin", "workshop123").role == "admin"


def test_a_non_empty_database_is_refused(loaded: Services, small_set: Path) -> None:
    before = scalar(loaded.db, "SELECT count(*) FROM orders")
    with pytest.raises(LoadError, match="not empty.*--replace"):
        load(loaded.db, small_set)
    assert scalar(loaded.db, "SELECT count(*) FROM orders") == before


def test_replace_empties_the_database_first_append_only_tables_included(
    loaded: Services, small_set: Path
) -> None:
    loaded.auth.create_user(username="extra", password="password1", role="staff")
    counts = load(loaded.db, small_set, replace=True)
    assert scalar(loaded.db, "SELECT count(*) FROM customers WHERE username = 'extra'") == 0
    assert scalar(loaded.db, "SELECT count(*) FROM transactions") == counts["transactions"]
    assert loaded.ledger.verify().ok
    with pytest.raises(Exception, match="append-only"), loaded.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM transactions WHERE id = 1"))


def test_a_database_without_the_schema_is_refused_with_a_hint(
    database: Database, small_set: Path
) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("ALTER TABLE returns RENAME TO returns_elsewhere"))
    try:
        with pytest.raises(LoadError, match=r"lacks the tables returns: run `workshop db upgrade`"):
            load(database, small_set)
    finally:
        with database.engine.begin() as conn:
            conn.execute(text("ALTER TABLE returns_elsewhere RENAME TO returns"))


def test_discounted_charges_record_what_the_engine_would(loaded: Services) -> None:
    from workshop_tui.db import models as m
    from workshop_tui.services.pricing import ledger_payload

    with loaded.db.begin() as s:
        rows = s.execute(
            select(m.Order, m.Transaction.payload)
            .join(m.Transaction, m.Transaction.order_id == m.Order.id)
            .where(m.Order.discount_total > 0, m.Transaction.kind.in_(("charge", "decline")))
        ).all()
        assert rows
        for order, payload in rows:
            assert payload == ledger_payload(s, order)
