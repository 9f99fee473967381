"""Rows to frozen dataclasses, at the session boundary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.services import types as t
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


PRODUCT_COLUMNS = (
    m.Product.id,
    m.Product.sku,
    m.Product.name,
    m.Product.price,
    m.Inventory.stock_remaining,
    m.Seller.id,
    m.Seller.name,
    m.Seller.rating,
    m.Category.id,
    m.Category.name,
)


def product_query():
    return (
        select(*PRODUCT_COLUMNS)
        .join(m.Inventory, m.Inventory.product_id == m.Product.id)
        .join(m.Seller, m.Seller.id == m.Product.seller_id)
        .join(m.Category, m.Category.id == m.Product.category_id)
    )


def product(row: Sequence) -> t.Product:
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


orders_t, items_t, payments_t = m.Order.__table__, m.OrderItem.__table__, m.Payment.__table__
ledger_t, customers_t = m.Transaction.__table__, m.Customer.__table__
products_t, sellers_t = m.Product.__table__, m.Seller.__table__
_ids = bindparam("ids", expanding=True)
ORDER_HEADS = (
    select(
        orders_t,
        customers_t.c.name.label("c_name"),
        customers_t.c.username.label("c_user"),
        customers_t.c.phone.label("c_phone"),
        sellers_t.c.name.label("s_name"),
    )
    .join(customers_t, customers_t.c.id == orders_t.c.customer_id)
    .join(sellers_t, sellers_t.c.id == orders_t.c.seller_id)
    .where(orders_t.c.id.in_(_ids))
)
ORDER_LINES = (
    select(
        items_t.c.order_id,
        items_t.c.product_id,
        products_t.c.sku,
        products_t.c.name,
        items_t.c.quantity,
        items_t.c.unit_price,
        items_t.c.returned_qty,
    )
    .join(products_t, products_t.c.id == items_t.c.product_id)
    .where(items_t.c.order_id.in_(_ids))
    .order_by(items_t.c.order_id, items_t.c.product_id)
)
ORDER_PAYMENTS = (
    select(payments_t, ledger_t.c.chain, ledger_t.c.seq, ledger_t.c.hash.label("entry_hash"))
    .outerjoin(
        ledger_t,
        (ledger_t.c.payment_id == payments_t.c.id)
        # transactions.payment_id has no index: matching the (indexed) order_id too
        # keeps this an index lookup instead of a scan of the whole ledger per load.
        & (ledger_t.c.order_id == payments_t.c.order_id)
        & ledger_t.c.kind.in_(("charge", "refund", "decline")),
    )
    .where(payments_t.c.order_id.in_(_ids))
    .order_by(payments_t.c.id)
)
CANCEL_REASONS = select(
    m.Cancellation.__table__.c.order_id, m.Cancellation.__table__.c.reason
).where(m.Cancellation.__table__.c.order_id.in_(_ids))


def load_orders(session: Session, order_ids: Sequence[int]) -> list[t.Order]:
    """Orders with their lines, payments (and ledger positions), in the order asked."""
    if not order_ids:
        return []
    ids = list(order_ids)
    heads = session.execute(ORDER_HEADS, {"ids": ids}).all()
    lines: dict[int, list[t.OrderLine]] = defaultdict(list)
    for r in session.execute(ORDER_LINES, {"ids": ids}):
        lines[r.order_id].append(
            t.OrderLine(
                product_id=r.product_id,
                sku=r.sku,
                name=r.name,
                quantity=r.quantity,
                unit_price=r.unit_price,
                returned_qty=r.returned_qty,
            )
        )
    payments: dict[int, list[t.Payment]] = defaultdict(list)
    for r in session.execute(ORDER_PAYMENTS, {"ids": ids}):
        ref = t.LedgerRef(r.chain, r.seq, short_hash(r.entry_hash)) if r.chain else None
        payments[r.order_id].append(
            t.Payment(
                id=r.id,
                kind=r.kind,
                method=r.method,
                status=r.status,
                amount=r.amount,
                reference=r.reference,
                created_at=r.created_at,
                ledger=ref,
            )
        )
    cancelled = [h.id for h in heads if h.status == "cancelled"]
    reasons = dict(session.execute(CANCEL_REASONS, {"ids": cancelled}).all()) if cancelled else {}
    by_id: dict[int, t.Order] = {}
    for h in heads:
        by_id[h.id] = t.Order(
            id=h.id,
            customer_id=h.customer_id,
            customer_name=h.c_name or h.c_user or h.c_phone or f"#{h.customer_id}",
            seller_id=h.seller_id,
            seller_name=h.s_name,
            status=h.status,
            subtotal=h.subtotal,
            discount_total=h.discount_total,
            total=h.total,
            created_at=h.created_at,
            expires_at=h.expires_at,
            paid_at=h.paid_at,
            fulfilled_at=h.fulfilled_at,
            closed_at=h.closed_at,
            lines=tuple(lines[h.id]),
            payments=tuple(payments[h.id]),
            cancel_reason=reasons.get(h.id),
        )
    return [by_id[i] for i in ids if i in by_id]


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
