"""What happens to an order after checkout: cancellation, fulfilment, expiry, and refunds.

Each change locks in the global order (services.locks), asks the transition table
(services.states) and moves the state with a conditional update (`WHERE status IN`
the action's sources), so when two terminals cancel the same order only one
restores the stock and refunds. Cancelling and expiring share one body.

The order's seller is known before each transaction (`locate`: from the caller's
`OrderRoute`, or one read by id), and every statement in it names that seller, so on a
database sharded by seller the change runs on the seller's shard alone (services.routing).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database, TxSession
from workshop_tui.services import ledger, locks, routing
from workshop_tui.services._tx import in_transaction, read_only, read_plain
from workshop_tui.services.access import missing, visible_to
from workshop_tui.services.cash import till_session
from workshop_tui.services.errors import InvalidState
from workshop_tui.services.states import OrderAction, sources_of
from workshop_tui.services.states import OrderStatus as S
from workshop_tui.services.stock import adjust_stock
from workshop_tui.services.types import Account, OrderRoute, StockChange
from workshop_tui.services.validate import check_id, check_reason

log = logging.getLogger(__name__)


def locate(
    db: Database, actor: Account, order_id: int, route: OrderRoute | None = None
) -> OrderRoute:
    """The order's seller and customer, before its transaction: the caller's `route` when
    it holds the order, else one read by id (autocommit, outside any transaction).
    Someone else's order is missing (never forbidden: no leak)."""
    check_id(order_id, "order id")
    found = (
        route if route is not None else read_plain(db, lambda s: routing.order_route(s, order_id))
    )
    if found is None or not visible_to(actor, found.customer_id):
        raise missing(order_id)
    return found


def lock_order(s: TxSession, actor: Account, order_id: int, route: OrderRoute) -> m.Order:
    """The order row, locked on its seller's rows (`route`, from `locate`); an order that
    is not where the route says, or is someone else's, is missing."""
    order = locks.order(s, route.seller_id, order_id)
    if (
        order is None
        or order.customer_id != route.customer_id
        or not visible_to(actor, order.customer_id)
    ):
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
            m.Payment.seller_id == order.seller_id,
            m.Payment.order_id == order.id,
            m.Payment.kind == "charge",
            m.Payment.status == "succeeded",
        )
    )
    if method is None or amount <= 0:
        return
    count = s.scalar(
        select(func.count())
        .select_from(m.Payment)
        .where(m.Payment.seller_id == order.seller_id, m.Payment.order_id == order.id)
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
        select(m.OrderItem.product_id, m.OrderItem.quantity).where(
            m.OrderItem.seller_id == order.seller_id, m.OrderItem.order_id == order.id
        )
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


def cancel(
    db: Database,
    actor: Account,
    order_id: int,
    reason: object,
    route: OrderRoute | None = None,
) -> list[StockChange]:
    """Unpaid or paid -> cancelled by a person; returns the stock levels it restored."""
    why = check_reason(reason) or "cancelled by " + ("staff" if actor.is_staff else "customer")
    at = locate(db, actor, order_id, route)

    def work(s: TxSession) -> list[StockChange]:
        till = till_session(s, db, actor, selling=False)
        order = lock_order(s, actor, order_id, at)
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


def fulfil(db: Database, actor: Account, order_id: int, route: OrderRoute | None = None) -> None:
    """Paid -> fulfilled (staff hand the goods over); the return window starts now."""
    at = locate(db, actor, order_id, route)

    def work(s: TxSession) -> None:
        order = lock_order(s, actor, order_id, at)
        if not transition(
            s, order, OrderAction.FULFIL, status=S.FULFILLED.value, fulfilled_at=func.now()
        ):
            raise InvalidState(
                f"order #{order.id} is {order.status}; only paid orders can be fulfilled"
            )

    in_transaction(db, work)


def due_for_expiry(db: Database, limit: int) -> list[tuple[int, int]]:
    """Orders still unpaid after their payment window, oldest first: (order id, seller id)."""
    stmt = (
        select(m.Order.id, m.Order.seller_id)
        .where(
            m.Order.status.in_(sources_of(OrderAction.EXPIRE)),
            m.Order.expires_at < func.now(),
        )
        .order_by(m.Order.id)
        .limit(limit)
    )
    return read_only(db, lambda s: [(int(oid), int(sid)) for oid, sid in s.execute(stmt)])


def expire(db: Database, order_id: int, seller_id: int) -> list[StockChange] | None:
    """Cancel one overdue unpaid order (of `seller_id`, as due_for_expiry found it) in its
    own short transaction; None: nothing to do."""

    def work(s: TxSession) -> list[StockChange] | None:
        order = locks.order_unless_taken(s, seller_id, order_id)
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
