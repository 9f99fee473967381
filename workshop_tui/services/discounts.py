"""Discounts on an unpaid order, on one line or on the whole order, allowed by role.

Staff may bring an order's discounts up to `staff_discount_limit_percent` of its
subtotal; admins may give any discount. Each grant is a row in order_discounts
and the charge's ledger entry lists them, so a discount is as auditable as a refund.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, update

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database, TxSession
from workshop_tui.services import convert
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.auth import require_staff
from workshop_tui.services.errors import Forbidden, InvalidInput, InvalidState
from workshop_tui.services.order_changes import locate, lock_order
from workshop_tui.services.pricing import CENT, line_discounts
from workshop_tui.services.states import OrderAction, can
from workshop_tui.services.types import Account, Order
from workshop_tui.services.validate import check_amount, check_id, check_reason


class DiscountService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def apply(
        self,
        actor: Account,
        order_id: int,
        *,
        kind: str,
        value: object,
        product_id: int | None = None,
        reason: str = "",
    ) -> Order:
        require_staff(actor)
        if kind not in ("percent", "fixed"):
            raise InvalidInput("a discount is a percent or a fixed amount")
        amount_in = check_amount(value, "a discount")
        if kind == "percent" and amount_in > 100:
            raise InvalidInput("a percentage discount is at most 100")
        if product_id is not None:
            check_id(product_id, "product_id")
        why = check_reason(reason)
        limit = Decimal(self.db.settings.staff_discount_limit_percent)
        at = locate(self.db, actor, order_id)  # the seller first: one shard when sharded

        def work(s: TxSession) -> None:
            order = lock_order(s, actor, order_id, at)
            if not can(OrderAction.DISCOUNT, order.status):
                raise InvalidState(
                    f"order #{order.id} is {order.status}; discounts go on unpaid orders"
                )
            if product_id is None:
                base = order.subtotal - order.discount_total
            else:
                line = s.execute(
                    select(m.OrderItem.quantity, m.OrderItem.unit_price).where(
                        m.OrderItem.seller_id == order.seller_id,
                        m.OrderItem.order_id == order.id,
                        m.OrderItem.product_id == product_id,
                    )
                ).first()
                if line is None:
                    raise InvalidInput(f"product #{product_id} is not in order #{order.id}")
                base = min(
                    line.quantity * line.unit_price
                    - line_discounts(s, order.seller_id, order.id).get(product_id, 0),
                    order.subtotal - order.discount_total,
                )
            amount = (
                (base * amount_in / 100).quantize(CENT, rounding=ROUND_HALF_UP)
                if kind == "percent"
                else amount_in
            )
            if amount <= 0 or amount > base:
                raise InvalidInput(
                    f"that discount ({amount}) is more than what is left to discount ({base})"
                )
            new_discount = order.discount_total + amount
            if not actor.is_admin and new_discount * 100 > order.subtotal * limit:
                raise Forbidden(f"staff may discount up to {limit}% of an order; ask an admin")
            s.add(
                m.OrderDiscount(
                    order_id=order.id,
                    product_id=product_id,
                    seller_id=order.seller_id,
                    kind=kind,
                    value=amount_in,
                    amount=amount,
                    reason=why,
                    granted_by=actor.id,
                )
            )
            s.execute(
                update(m.Order)
                .where(m.Order.seller_id == order.seller_id, m.Order.id == order.id)
                .values(discount_total=new_discount, total=order.subtotal - new_discount)
            )

        in_transaction(self.db, work)
        return read_only(
            self.db,
            lambda s: convert.load_orders(
                s,
                [order_id],
                return_window_days=self.db.settings.return_window_days,
                seller_id=at.seller_id,
            )[0],
        )
