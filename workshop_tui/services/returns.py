"""Returns: some units of a fulfilled order, within the return window, refunded and restocked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database, TxSession
from workshop_tui.services._tx import in_transaction
from workshop_tui.services.cash import till_session
from workshop_tui.services.errors import InvalidInput, InvalidState
from workshop_tui.services.order_changes import locate, lock_order, refund, transition
from workshop_tui.services.pricing import refund_for
from workshop_tui.services.states import OrderAction, can, returned_status
from workshop_tui.services.stock import adjust_stock
from workshop_tui.services.types import Account, OrderRoute, ReturnRequest, StockChange
from workshop_tui.services.validate import check_id, check_reason


def return_items(
    db: Database,
    actor: Account,
    order_id: int,
    items: Sequence[ReturnRequest] | Sequence[Mapping[str, object]],
    reason: object,
    route: OrderRoute | None = None,
) -> list[StockChange]:
    """Take back units of a fulfilled order: refund and stock back; returns the new stock levels.

    Every statement names the order's seller (`route`, or found first): one shard when sharded."""
    wanted = merge_return_requests(items)
    why = check_reason(reason)
    window = timedelta(days=db.settings.return_window_days)
    at = locate(db, actor, order_id, route)

    def work(s: TxSession) -> list[StockChange]:
        till = till_session(s, db, actor, selling=False)
        order = lock_order(s, actor, order_id, at)
        if not can(OrderAction.RETURN, order.status):
            raise InvalidState(
                f"order #{order.id} is {order.status}; only fulfilled orders can be returned"
            )
        if order.fulfilled_at is None or datetime.now(UTC) > order.fulfilled_at + window:
            raise InvalidState(
                f"the {window.days}-day return window for order #{order.id} has closed"
            )
        lines = {
            item.product_id: item
            for item in s.scalars(
                select(m.OrderItem).where(
                    m.OrderItem.seller_id == order.seller_id, m.OrderItem.order_id == order.id
                )
            )
        }
        for product_id, qty in wanted.items():
            line = lines.get(product_id)
            if line is None:
                raise InvalidInput(f"product #{product_id} is not in order #{order.id}")
            if qty > line.quantity - line.returned_qty:
                raise InvalidInput(
                    f"product #{product_id}: {line.quantity - line.returned_qty} can still be returned, not {qty}"
                )
        # Counted before the updates: the session may or may not refresh these rows after them.
        left = sum(line.quantity - line.returned_qty for line in lines.values()) - sum(
            wanted.values()
        )
        changes = adjust_stock(
            s, wanted, "return", order_id=order.id, actor_id=actor.id, seller_id=order.seller_id
        )
        amount = Decimal("0.00")
        for product_id, qty in sorted(wanted.items()):
            line = lines[product_id]
            line_refund = refund_for(s, order, product_id, qty, line.quantity, line.unit_price)
            amount += line_refund
            s.execute(
                update(m.OrderItem)
                .where(m.OrderItem.seller_id == order.seller_id, m.OrderItem.id == line.id)
                .values(returned_qty=m.OrderItem.returned_qty + qty)
            )
            s.add(
                m.Return(
                    order_id=order.id,
                    product_id=product_id,
                    seller_id=order.seller_id,
                    quantity=qty,
                    refund_amount=line_refund,
                    reason=why,
                    processed_by=actor.id,
                )
            )
        transition(
            s,
            order,
            OrderAction.RETURN,
            status=returned_status(left).value,
            closed_at=func.now() if left == 0 else None,
        )
        if left == 0:  # the last units: give back exactly what is left of the payment
            amount = order.total - refunded_so_far(s, order.seller_id, order.id)
        refund(s, order, amount, why or "return", kind_detail="return", till=till)
        return changes

    return in_transaction(db, work)


def merge_return_requests(items: object) -> dict[int, int]:
    """Units wanted back per product, from ReturnRequests or {product_id, quantity} mappings."""
    if not isinstance(items, list | tuple) or not items:
        raise InvalidInput("choose at least one item to return")
    wanted: dict[int, int] = {}
    product_id: object
    qty: object
    for item in items:
        if isinstance(item, ReturnRequest):
            product_id, qty = item.product_id, item.quantity
        elif isinstance(item, Mapping):
            product_id, qty = item.get("product_id"), item.get("quantity")
        else:
            raise InvalidInput("each item is a product_id and a quantity")
        pid = check_id(product_id, "product_id")
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty <= 10_000:
            raise InvalidInput("a returned quantity is a positive whole number")
        wanted[pid] = wanted.get(pid, 0) + qty
    return wanted


def refunded_so_far(s: TxSession, seller_id: int, order_id: int) -> Decimal:
    total: object = s.scalar(
        select(func.coalesce(func.sum(m.Payment.amount), 0)).where(
            m.Payment.seller_id == seller_id,
            m.Payment.order_id == order_id,
            m.Payment.kind == "refund",
            m.Payment.status == "succeeded",
        )
    )
    return Decimal(str(total or 0))
