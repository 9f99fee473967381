"""Rows to frozen dataclasses, at the session boundary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
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


def load_orders(session: Session, order_ids: Sequence[int]) -> list[t.Order]:
    """Orders with their lines, payments (and ledger positions), in the order asked."""
    if not order_ids:
        return []
    ids = list(order_ids)
    heads = session.execute(
        select(m.Order, m.Customer.name, m.Customer.username, m.Customer.phone, m.Seller.name)
        .join(m.Customer, m.Customer.id == m.Order.customer_id)
        .join(m.Seller, m.Seller.id == m.Order.seller_id)
        .where(m.Order.id.in_(ids))
        # the session may hold these orders from before an UPDATE: read them as they are now
        .execution_options(populate_existing=True)
    ).all()
    lines: dict[int, list[t.OrderLine]] = defaultdict(list)
    for item, sku, name in session.execute(
        select(m.OrderItem, m.Product.sku, m.Product.name)
        .join(m.Product, m.Product.id == m.OrderItem.product_id)
        .where(m.OrderItem.order_id.in_(ids))
        .order_by(m.OrderItem.order_id, m.OrderItem.product_id)
    ):
        lines[item.order_id].append(
            t.OrderLine(
                product_id=item.product_id,
                sku=sku,
                name=name,
                quantity=item.quantity,
                unit_price=item.unit_price,
                returned_qty=item.returned_qty,
            )
        )
    payments: dict[int, list[t.Payment]] = defaultdict(list)
    for pay, chain, seq, full_hash in session.execute(
        select(m.Payment, m.Transaction.chain, m.Transaction.seq, m.Transaction.hash)
        .outerjoin(
            m.Transaction,
            (m.Transaction.payment_id == m.Payment.id)
            # transactions.payment_id has no index: matching the (indexed) order_id too
            # keeps this an index lookup instead of a scan of the whole ledger per load.
            & (m.Transaction.order_id == m.Payment.order_id)
            & m.Transaction.kind.in_(("charge", "refund", "decline")),
        )
        .where(m.Payment.order_id.in_(ids))
        .order_by(m.Payment.id)
    ):
        ref = t.LedgerRef(chain, seq, short_hash(full_hash)) if chain else None
        payments[pay.order_id].append(
            t.Payment(
                id=pay.id,
                kind=pay.kind,
                method=pay.method,
                status=pay.status,
                amount=pay.amount,
                reference=pay.reference,
                created_at=pay.created_at,
                ledger=ref,
            )
        )
    cancelled = [order.id for order, *_ in heads if order.status == "cancelled"]
    reasons = (
        dict(
            session.execute(
                select(m.Cancellation.order_id, m.Cancellation.reason).where(
                    m.Cancellation.order_id.in_(cancelled)
                )
            ).all()
        )
        if cancelled
        else {}
    )
    by_id: dict[int, t.Order] = {}
    for order, c_name, c_user, c_phone, s_name in heads:
        by_id[order.id] = t.Order(
            id=order.id,
            customer_id=order.customer_id,
            customer_name=c_name or c_user or c_phone or f"#{order.customer_id}",
            seller_id=order.seller_id,
            seller_name=s_name,
            status=order.status,
            subtotal=order.subtotal,
            discount_total=order.discount_total,
            total=order.total,
            created_at=order.created_at,
            expires_at=order.expires_at,
            paid_at=order.paid_at,
            fulfilled_at=order.fulfilled_at,
            closed_at=order.closed_at,
            lines=tuple(lines[order.id]),
            payments=tuple(payments[order.id]),
            cancel_reason=reasons.get(order.id),
        )
    return [by_id[i] for i in ids if i in by_id]


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
