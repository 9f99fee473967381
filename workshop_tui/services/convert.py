"""Rows to frozen dataclasses, at the session boundary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from workshop_tui.db import models as m
from workshop_tui.services import _sql as sql
from workshop_tui.services import types as t
from workshop_tui.services._sql import Tx
from workshop_tui.services.ledger_codec import short_hash


def account(row: m.Customer) -> t.Account:
    return t.Account(
        id=row.id,
        username=row.username,
        phone=row.phone,
        name=row.name,
        role=row.role,
        created_at=row.created_at,
    )


def product(row: Sequence[Any]) -> t.Product:
    return t.Product(
        id=row[0],
        sku=row[1],
        name=row[2],
        price=row[3],
        stock=row[4],
        seller_id=row[5],
        seller_name=row[6],
        seller_rating=row[7],
        category_id=row[8],
        category_name=row[9],
    )


# An order with its lines, payments (with their ledger positions) and cancel reason, in one
# round trip; money travels as text so it stays an exact Decimal.
ORDERS = """
    SELECT o.id, o.customer_id, o.seller_id, o.status, o.subtotal, o.discount_total, o.total,
           o.created_at, o.expires_at, o.paid_at, o.fulfilled_at, o.closed_at,
           COALESCE(NULLIF(c.name, ''), c.username, c.phone) AS customer_name, s.name AS seller_name,
           (SELECT json_agg(json_build_array(i.product_id, p.sku, p.name, i.quantity,
                                             CAST(i.unit_price AS text), i.returned_qty) ORDER BY i.product_id)
              FROM order_items i JOIN products p ON p.seller_id = i.seller_id AND p.id = i.product_id
             WHERE i.seller_id = {owner} AND i.order_id = o.id) AS lines,
           (SELECT json_agg(json_build_array(pm.id, pm.kind, pm.method, pm.status, CAST(pm.amount AS text),
                                             pm.reference, pm.created_at, t.chain, t.seq, t.hash,
                                             CAST(pm.tendered AS text)) ORDER BY pm.id)
              FROM payments pm
              LEFT JOIN transactions t
                ON t.seller_id = pm.seller_id AND t.payment_id = pm.id AND t.order_id = pm.order_id
               AND t.kind IN ('charge', 'refund', 'decline')
             WHERE pm.seller_id = {owner} AND pm.order_id = o.id) AS payments,
           (SELECT reason FROM cancellations x
             WHERE x.seller_id = {owner} AND x.order_id = o.id) AS cancel_reason
      FROM orders o
      JOIN customers c ON c.id = o.customer_id
      JOIN sellers s ON s.id = o.seller_id
     WHERE o.id = ANY(CAST(%(ids)s AS integer[])) {seller}
    """
# Every join names the seller too: on a database sharded by seller that keeps each order's
# rows together, and with the seller given the read stays on its shard.
_ORDERS = sql.Planned(
    "load_orders", ORDERS.format(seller="", owner="o.seller_id"), {"ids": "integer[]"}
)
SELLERS_ORDERS = sql.Planned(
    "load_sellers_orders",
    # The seller named in each subquery too: Citus routes only what names it everywhere.
    ORDERS.format(seller="AND o.seller_id = %(seller)s", owner="%(seller)s"),
    {"ids": "integer[]", "seller": "integer"},
)


def load_orders(
    session: Tx,
    order_ids: Sequence[int],
    *,
    return_window_days: int,
    seller_id: int | None = None,
) -> list[t.Order]:
    """Orders with their lines, payments (and ledger positions), in the order asked.

    `return_window_days` (the shop's setting) dates each fulfilled order's `return_until`.
    """
    if not order_ids:
        return []
    ids = list(order_ids)
    window = timedelta(days=return_window_days)
    if seller_id is None:
        rows = sql.planned_rows(session, _ORDERS, {"ids": ids})
    else:
        rows = sql.planned_rows(session, SELLERS_ORDERS, {"ids": ids, "seller": seller_id})
    by_id = {row.id: order_from_row(row, window) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def order_from_row(r: Any, window: timedelta) -> t.Order:
    lines = tuple(
        t.OrderLine(
            product_id=pid,
            sku=sku,
            name=name,
            quantity=qty,
            unit_price=Decimal(price),
            returned_qty=back,
        )
        for pid, sku, name, qty, price, back in r.lines or ()
    )
    payments = tuple(
        t.Payment(
            id=pid,
            kind=kind,
            method=method,
            status=status,
            amount=Decimal(amount),
            reference=reference,
            created_at=datetime.fromisoformat(created),
            ledger=t.LedgerRef(chain, seq, short_hash(full)) if chain else None,
            tendered=Decimal(tendered) if tendered is not None else None,
        )
        for pid, kind, method, status, amount, reference, created, chain, seq, full, tendered in (
            r.payments or ()
        )
    )
    return t.Order(
        id=r.id,
        customer_id=r.customer_id,
        customer_name=r.customer_name or f"#{r.customer_id}",
        seller_id=r.seller_id,
        seller_name=r.seller_name,
        status=r.status,
        subtotal=r.subtotal,
        discount_total=r.discount_total,
        total=r.total,
        created_at=r.created_at,
        expires_at=r.expires_at,
        paid_at=r.paid_at,
        fulfilled_at=r.fulfilled_at,
        closed_at=r.closed_at,
        lines=lines,
        payments=payments,
        cancel_reason=r.cancel_reason,
        return_until=None if r.fulfilled_at is None else r.fulfilled_at + window,
    )
