"""What happens to an order after checkout: cancellation, fulfilment, expiry, and refunds.

Each change locks in the global order (services.locks), asks the transition table
(services.states) and moves the state with a conditional update (`WHERE status IN`
the action's sources), so when two terminals cancel the same order only one
restores the stock and refunds. Cancelling and expiring share one body.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database, TxSession
from workshop_tui.services import ledger, locks, routing
from workshop_tui.services._tx import in_transaction, read_only
from workshop_tui.services.access import missing, visible_to
from workshop_tui.services.cash import till_session
from workshop_tui.services.errors import InvalidState
from workshop_tui.services.states import OrderAction, sources_of
from workshop_tui.services.states import OrderStatus as S
from workshop_tui.services.stock import adjust_stock
from workshop_tui.services.types import Account, StockChange
from workshop_tui.services.validate import check_id, check_reason

log = logging.getLogger(__name__)


def lock_order(s: TxSession, actor: Account, order_id: int) -> m.Order:
    """The order row, locked; someone else's order is missing (never forbidden: no leak)."""
    check_id(order_id, "order id")
    # The seller first (a read by id): the lock and every write after it name the seller.
    route = routing.order_route(s, order_id)
    order = None if route is None else locks.order(s, route.seller_id, order_id)
    if order is None or not visible_to(actor, order.customer_id):
        raise missing(order_id)
    return order


def transition(s: TxSession, order: m.Order, action: OrderAction, **values: Any) -> bool:
    """Conditional state change: False when someone else already moved the order."""
    moved = s.scalar(
        update(m.Order)
        .where(
            m.Order.seller_id == order.seller_id,
            m.Order.id == order.id,
            m.Order.status.in_(sources_of(action)),
        )
        .values(**values)
        .returning(m.Order.id)
    )
    return moved is not None


def refund(
    s: TxSession,
    order: m.Order,
    amount: Decimal,
    reason: str,
    *,
    kind_detail: str,
    till: int | None = None,
) -> None:
    """A refund payment row and its ledger entry, on the method of the successful charge."""
    method = s.scalar(
        select(m.Payment.method).where(
            m.Payment.order_id == order.id,
            m.Payment.kind == "charge",
            m.Payment.status == "succeeded",
        )
    )
    if method is None or amount <= 0:
        return
    count = s.scalar(
        select(func.count()).select_from(m.Payment).where(m.Payment.order_id == order.id)
    )
    payment = m.Payment(
        order_id=order.id,
        customer_id=order.customer_id,
        seller_id=order.seller_id,
        kind="refund",
        method=method,
        status="succeeded",
        amount=amount,
        reference=f"RF-{order.id}-{(count or 0) + 1}",
    )
    s.add(payment)
    s.flush()
    if till is not None:
        s.add(m.SessionPayment(payment_id=payment.id, seller_id=order.seller_id, session_id=till))
    ledger.append(
        s,
        seller_id=order.seller_id,
        kind="refund",
        amount=amount,
        order_id=order.id,
        payment_id=payment.id,
        method=method,
        payload={"for": kind_detail, "reason": reason[:200]},
    )


def cancel_locked(
    s: TxSession,
    order: m.Order,
    action: OrderAction,
    *,
    reason: str,
    movement: str,
    actor_id: int | None,
    till: int | None,
) -> list[StockChange] | None:
    """Cancel a locked order: its stock back, a Cancellation row, a refund when it was paid.

    The one body of a person's cancel and the expiry sweep. None when the order had
    already left the action's states (another terminal got there first).
    """
    was = order.status
    if not transition(s, order, action, status=S.CANCELLED.value, closed_at=func.now()):
        return None
    items = s.execute(
        select(m.OrderItem.product_id, m.OrderItem.quantity).where(m.OrderItem.order_id == order.id)
    ).all()
    changes = adjust_stock(
        s,
        {i.product_id: i.quantity for i in items},
        movement,
        order_id=order.id,
        actor_id=actor_id,
        seller_id=order.seller_id,
    )
    refunded = order.total if was == S.PAID else Decimal("0.00")
    s.add(
        m.Cancellation(
            order_id=order.id,
            seller_id=order.seller_id,
            reason=reason,
            cancelled_by=actor_id,
            refund_amount=refunded,
        )
    )
    if refunded:
        refund(s, order, refunded, reason, kind_detail="cancellation", till=till)
    return changes


def cancel(db: Database, actor: Account, order_id: int, reason: object) -> list[StockChange]:
    """Unpaid or paid -> cancelled by a person; returns the stock levels it restored."""
    why = check_reason(reason) or "cancelled by " + ("staff" if actor.is_staff else "customer")

    def work(s: TxSession) -> list[StockChange]:
        till = till_session(s, db, actor, selling=False)
        order = lock_order(s, actor, order_id)
        was = order.status
        changes = cancel_locked(
            s,
            order,
            OrderAction.CANCEL,
            reason=why,
            movement="cancel",
            actor_id=actor.id,
            till=till,
        )
        if changes is None:
            raise InvalidState(
                f"order #{order.id} is {was}; only unpaid or paid orders can be cancelled"
            )
        return changes

    return in_transaction(db, work)


def fulfil(db: Database, actor: Account, order_id: int) -> None:
    """Paid -> fulfilled (staff hand the goods over); the return window starts now."""

    def work(s: TxSession) -> None:
        order = lock_order(s, actor, order_id)
        if not transition(
            s, order, OrderAction.FULFIL, status=S.FULFILLED.value, fulfilled_at=func.now()
        ):
            raise InvalidState(
                f"order #{order.id} is {order.status}; only paid orders can be fulfilled"
            )

    in_transaction(db, work)


def due_for_expiry(db: Database, limit: int) -> list[int]:
    """Orders still unpaid after their payment window, oldest first."""
    return read_only(
        db,
        lambda s: list(
            s.scalars(
                select(m.Order.id)
                .where(
                    m.Order.status.in_(sources_of(OrderAction.EXPIRE)),
                    m.Order.expires_at < func.now(),
                )
                .order_by(m.Order.id)
                .limit(limit)
            )
        ),
    )


def expire(db: Database, order_id: int) -> list[StockChange] | None:
    """Cancel one overdue unpaid order in its own short transaction; None: nothing to do."""

    def work(s: TxSession) -> list[StockChange] | None:
        route = routing.order_route(s, order_id)
        order = None if route is None else locks.order_unless_taken(s, route.seller_id, order_id)
        if order is None:
            return None  # being handled by another terminal just now
        return cancel_locked(
            s,
            order,
            OrderAction.EXPIRE,
            reason="payment window expired",
            movement="expiry",
            actor_id=None,
            till=None,
        )

    return in_transaction(db, work)
