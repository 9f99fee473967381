"""Tampering needs a superuser who switches the append-only triggers off; verify must still catch it."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.engine.conftest import paid_order


@pytest.fixture
def ledger_rows(services, shop):
    for key in ("a", "b", "c"):
        paid_order(services, shop, qty=1, key=key)
    assert services.ledger.verify().ok
    return services


def tamper(database, sql: str, **params) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql), params)


def test_an_intact_ledger_verifies(ledger_rows):
    report = ledger_rows.ledger.verify()
    assert report.ok and report.rows_checked == 6 and report.chains_checked == 1


def test_the_ledger_refuses_updates_and_deletes(ledger_rows, database):
    for statement in (
        "UPDATE transactions SET amount = 1",
        "DELETE FROM transactions",
        "TRUNCATE transactions",
    ):
        with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as conn:
            conn.execute(text(statement))


def test_an_edited_amount_is_found(ledger_rows, database):
    tamper(database, "UPDATE transactions SET amount = 1.00 WHERE seq = 4")
    report = ledger_rows.ledger.verify()
    assert not report.ok and "seq 4" in report.problems[0] and "edited" in report.problems[0]


def test_a_deleted_row_is_found(ledger_rows, database):
    tamper(database, "DELETE FROM transactions WHERE seq = 3")
    report = ledger_rows.ledger.verify()
    assert not report.ok and "seq 4" in report.problems[0]


def test_a_deleted_last_row_is_found_by_the_chain_head(ledger_rows, database):
    tamper(database, "DELETE FROM transactions WHERE seq = 6")
    assert not ledger_rows.ledger.verify().ok


def test_reordered_rows_are_found(ledger_rows, database):
    # through a parking range: (chain, seq) is unique after every statement
    tamper(database, "UPDATE transactions SET seq = seq + 1000 WHERE seq IN (2, 4)")
    tamper(
        database,
        "UPDATE transactions SET seq = CASE seq WHEN 1002 THEN 4 ELSE 2 END WHERE seq > 1000",
    )
    assert not ledger_rows.ledger.verify().ok


def test_an_inserted_row_is_found(ledger_rows, database):
    tamper(database, "UPDATE transactions SET seq = seq + 1001 WHERE seq >= 3")
    tamper(database, "UPDATE transactions SET seq = seq - 1000 WHERE seq > 1000")
    tamper(
        database,
        "INSERT INTO transactions"
        " (chain, seller_id, seq, kind, amount, created_at, prev_hash, hash, payload)"
        " SELECT chain, seller_id, 3, 'charge', 5, now(), hash, repeat('f', 64), '{}'"
        " FROM transactions WHERE seq = 2",
    )
    assert not ledger_rows.ledger.verify().ok


def test_a_witness_catches_a_chain_rewritten_whole(ledger_rows, database):
    witness = ledger_rows.ledger.read_witness(ledger_rows.ledger.export_witness())
    # a superuser rebuilds the chain consistently with a lower amount: verify alone is fooled
    from workshop_tui.db import models as m
    from workshop_tui.services.ledger import row_hash

    with database.sessions.begin() as s:
        s.execute(text("SET LOCAL session_replication_role = replica"))
        prev = "0" * 64
        for row in s.query(m.Transaction).order_by(m.Transaction.seq):
            row.amount = row.amount / 2
            row.prev_hash = prev
            row.hash = row_hash(row)
            prev = row.hash
        s.execute(text("UPDATE ledger_heads SET hash = :h"), {"h": prev})
    assert ledger_rows.ledger.verify().ok
    report = ledger_rows.ledger.verify(witness=witness)
    assert not report.ok and "rewritten" in report.problems[0]


def test_payments_to_different_sellers_go_to_different_chains(services, shop):
    paid_order(services, shop, key="a")
    services.cart.set_quantity(shop.customer, shop.drill, 1)
    order = services.orders.checkout(shop.customer, "b")
    result = services.payments.pay(shop.customer, order.id, method="upi", idempotency_key="pb")
    assert result.payment.ledger.chain == f"seller-{shop.bolt}" and result.payment.ledger.seq == 2
    assert {h.chain for h in services.ledger.heads()} == {
        f"seller-{shop.acme}",
        f"seller-{shop.bolt}",
    }
