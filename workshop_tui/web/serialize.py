"""The services' frozen dataclasses as JSON: money as "250.00" strings, times as ISO 8601 UTC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from workshop_tui.services.types import (
    Account,
    Cart,
    CartLine,
    Order,
    OrderLine,
    OrderPage,
    Payment,
    PaymentResult,
    Product,
    ProductPage,
)


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def account(a: Account) -> dict[str, Any]:
    return {
        "id": a.id,
        "username": a.username,
        "phone": a.phone,
        "name": a.name,
        "display_name": a.display_name,
        "role": a.role,
        "is_staff": a.is_staff,
    }


def product(p: Product) -> dict[str, Any]:
    return {
        "id": p.id,
        "sku": p.sku,
        "name": p.name,
        "price": money(p.price),
        "stock": p.stock,
        "seller_id": p.seller_id,
        "seller_name": p.seller_name,
        "seller_rating": f"{p.seller_rating:.1f}",
        "category_id": p.category_id,
        "category_name": p.category_name,
    }


def product_page(page: ProductPage) -> dict[str, Any]:
    return {"items": [product(p) for p in page.items], "next_after": page.next_after}


def cart_line(line: CartLine) -> dict[str, Any]:
    return {
        "product_id": line.product_id,
        "sku": line.sku,
        "name": line.name,
        "unit_price": money(line.unit_price),
        "quantity": line.quantity,
        "stock": line.stock,
        "short_by": line.short_by,
        "line_total": money(line.line_total),
    }


def cart(c: Cart) -> dict[str, Any]:
    return {
        "seller_id": c.seller_id,
        "seller_name": c.seller_name,
        "lines": [cart_line(line) for line in c.lines],
        "item_count": c.item_count,
        "total": money(c.total),
        "can_checkout": c.can_checkout,
    }


def order_line(line: OrderLine) -> dict[str, Any]:
    return {
        "product_id": line.product_id,
        "sku": line.sku,
        "name": line.name,
        "quantity": line.quantity,
        "unit_price": money(line.unit_price),
        "line_total": money(line.line_total),
        "returned_qty": line.returned_qty,
        "returnable_qty": line.returnable_qty,
    }


def payment(p: Payment) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": p.kind,
        "method": p.method,
        "status": p.status,
        "amount": money(p.amount),
        "reference": p.reference,
        "created_at": when(p.created_at),
        "ledger": (
            None
            if p.ledger is None
            else {"chain": p.ledger.chain, "seq": p.ledger.seq, "short_hash": p.ledger.short_hash}
        ),
    }


def order(o: Order) -> dict[str, Any]:
    return {
        "id": o.id,
        "customer_id": o.customer_id,
        "customer_name": o.customer_name,
        "seller_id": o.seller_id,
        "seller_name": o.seller_name,
        "status": o.status,
        "subtotal": money(o.subtotal),
        "discount_total": money(o.discount_total),
        "total": money(o.total),
        "refunded_total": money(o.refunded_total),
        "item_count": o.item_count,
        "created_at": when(o.created_at),
        "expires_at": when(o.expires_at),
        "paid_at": when(o.paid_at),
        "fulfilled_at": when(o.fulfilled_at),
        "closed_at": when(o.closed_at),
        "cancel_reason": o.cancel_reason,
        "lines": [order_line(line) for line in o.lines],
        "payments": [payment(p) for p in o.payments],
    }


def order_page(page: OrderPage) -> dict[str, Any]:
    return {"items": [order(o) for o in page.items], "next_before": page.next_before}


def payment_result(result: PaymentResult) -> dict[str, Any]:
    return {
        "succeeded": result.succeeded,
        "payment": payment(result.payment),
        "order": order(result.order),
    }
