"""Money arithmetic shared by checkout, discounts, payments and returns."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.services import _sql as sql
from workshop_tui.services._sql import Tx
from workshop_tui.services.ledger_codec import to_paise

CENT = Decimal("0.01")


def line_discounts(s: Session, seller_id: int, order_id: int) -> dict[int, Decimal]:
    """Per product, the discounts granted on that line alone (read on the order's seller's rows)."""
    found: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for product_id, amount in s.execute(
        select(m.OrderDiscount.product_id, func.sum(m.OrderDiscount.amount))
        .where(
            m.OrderDiscount.seller_id == seller_id,
            m.OrderDiscount.order_id == order_id,
            m.OrderDiscount.product_id.is_not(None),
        )
        .group_by(m.OrderDiscount.product_id)
    ):
        if product_id is not None:  # the filter above: only line discounts
            found[product_id] = Decimal(amount)
    return found


ORDER_DISCOUNTS = """
    SELECT kind, value, product_id, amount, granted_by FROM order_discounts
     WHERE seller_id = %(seller)s AND order_id = %(order_id)s ORDER BY id
"""


def ledger_payload(s: Tx, order: Any) -> dict[str, Any]:
    """What the charge's ledger entry records about discounts (nothing when there are none)."""
    rows = sql.rows(s, ORDER_DISCOUNTS, {"order_id": order.id, "seller": order.seller_id})
    if not rows:
        return {}
    return {
        "subtotal_paise": to_paise(order.subtotal),
        "discount_paise": to_paise(order.discount_total),
        "discounts": [
            {
                "kind": d.kind,
                "value": str(d.value),
                "product_id": d.product_id,
                "amount_paise": to_paise(d.amount),
                "granted_by": d.granted_by,
            }
            for d in rows
        ],
    }


def refund_for(
    s: Session, order: m.Order, product_id: int, quantity: int, bought: int, unit_price: Decimal
) -> Decimal:
    """What returning `quantity` units of a line gives back: its price less its own discounts,
    then its share of the order-wide discount."""
    per_line = line_discounts(s, order.seller_id, order.id)
    all_line = sum(per_line.values(), Decimal("0"))
    line_net = unit_price * quantity - per_line.get(product_id, Decimal("0")) * quantity / bought
    base = order.subtotal - all_line
    if base <= 0:
        return Decimal("0.00")
    return (line_net * order.total / base).quantize(CENT, rounding=ROUND_HALF_UP)
