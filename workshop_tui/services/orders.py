"""Orders: the locked checkout, cancellations, fulfilment, returns and expiry.

Every write path takes its locks in one global order: cart row, then order row,
then inventory rows (one statement, ORDER BY product_id), then the ledger head.
State changes are conditional (`WHERE status IN (...)`), so when two terminals
cancel the same order only one restores the stock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg2
import psycopg2.errors
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workshop_tui.db import models as m
from workshop_tui.db.engine import Database
from workshop_tui.services import _sql as sql
from workshop_tui.services import convert, ledger
from workshop_tui.services._tx import in_plain_transaction, in_transaction, read_only
from workshop_tui.services.access import customer_scope, missing, visible_to
from workshop_tui.services.auth import require_staff
from workshop_tui.services.cart import lock_cart
from workshop_tui.services.cash import till_session
from workshop_tui.services.errors import InvalidInput, InvalidState, NotFound, OutOfStock
from workshop_tui.services.events import EventService
from workshop_tui.services.pricing import refund_for
from workshop_tui.services.states import OrderAction, can, returned_status, sources_of
from workshop_tui.services.states import OrderStatus as S
from workshop_tui.services.types import (
    Account,
    Order,
    OrderLine,
    OrderPage,
    ReturnRequest,
    StockChange,
)
from workshop_tui.services.validate import check_id, check_key, check_limit, check_reason

log = logging.getLogger(__name__)

CANCELLABLE = sources_of(OrderAction.CANCEL)
RETURNABLE = sources_of(OrderAction.RETURN)
CHANNELS = ("tui", "kiosk", "counter", "web", "stress")

# The cart locked (first in the lock order), and the order this key made if any. The order is
# read from the statement's snapshot: checkout looks again where a wait could have hidden it.
LOCK_CART_FOR_CHECKOUT = """
    SELECT c.id, c.seller_id,
           (SELECT o.id FROM orders o
             WHERE o.customer_id = %(customer)s AND o.idempotency_key = %(key)s) AS existing
      FROM carts c WHERE c.customer_id = %(owner)s FOR UPDATE OF c
"""
CUSTOMER = "SELECT id, name, username, phone FROM customers WHERE id = %(id)s"
EXISTING_ORDER = (
    "SELECT id FROM orders WHERE customer_id = %(customer)s AND idempotency_key = %(key)s"
)
# The cart's lines with their inventory rows locked, in product-id order, in one statement.
# (The cart rows need no lock of their own: only the cart's holder, who has its lock, writes them.)
CHECKOUT_LINES = """
    SELECT i.product_id, i.quantity, p.price, p.name, p.seller_id, p.sku, s.name AS seller_name,
           inv.stock_remaining
      FROM cart_items i
      JOIN products p ON p.id = i.product_id
      JOIN sellers s ON s.id = p.seller_id
      JOIN inventory inv ON inv.product_id = i.product_id
     WHERE i.cart_id = %(cart)s
     ORDER BY i.product_id
       FOR UPDATE OF inv
"""
# Everything a checkout writes, under the locks already held: the order, its lines, the
# stock taken and its movements, the session link, and the emptied cart.
PLACE_ORDER = """
    WITH new_order AS (
        INSERT INTO orders (customer_id, seller_id, status, subtotal, discount_total, total,
                            idempotency_key, placed_by, channel, expires_at)
        VALUES (%(customer_id)s, %(seller_id)s, %(status)s, %(subtotal)s, 0, %(subtotal)s,
                %(idempotency_key)s, %(placed_by)s, %(channel)s, %(expires_at)s)
        RETURNING id, created_at
    ),
    lines AS (
        SELECT * FROM unnest(CAST(%(pids)s AS integer[]), CAST(%(qtys)s AS integer[]),
                             CAST(%(prices)s AS numeric[])) AS l(pid, qty, price)
    ),
    items AS (
        INSERT INTO order_items (order_id, product_id, quantity, unit_price)
        SELECT new_order.id, pid, qty, price FROM new_order, lines
    ),
    taken AS (
        UPDATE inventory SET stock_remaining = inventory.stock_remaining - lines.qty, updated_at = now()
        FROM lines WHERE inventory.product_id = lines.pid
        RETURNING inventory.product_id, inventory.stock_remaining
    ),
    moved AS (
        INSERT INTO stock_movements (product_id, delta, reason, order_id, actor_id)
        SELECT pid, -qty, 'sale', new_order.id, %(actor_id)s FROM new_order, lines
    ),
    till AS (
        INSERT INTO session_orders (order_id, session_id)
        SELECT new_order.id, CAST(%(session_id)s AS integer) FROM new_order WHERE %(session_id)s IS NOT NULL
    ),
    emptied AS (DELETE FROM cart_items WHERE cart_id = %(cart)s),
    cart AS (UPDATE carts SET seller_id = NULL WHERE id = %(cart)s)
    SELECT new_order.id, new_order.created_at,
           (SELECT json_agg(json_build_array(product_id, stock_remaining)) FROM taken) AS stock
    FROM new_order
    """


LOCK_INVENTORY = (
    "SELECT product_id, stock_remaining FROM inventory"
    " WHERE product_id = ANY(CAST(%(ids)s AS integer[])) ORDER BY product_id FOR UPDATE"
)
# Stock and its movement in one round trip: the rows are already locked (lock_inventory).
MOVE_STOCK = """
    WITH d AS (SELECT * FROM unnest(CAST(%(pids)s AS integer[]), CAST(%(deltas)s AS integer[])) AS d(pid, delta)),
    moved AS (
        UPDATE inventory SET stock_remaining = inventory.stock_remaining + d.delta, updated_at = now()
        FROM d WHERE inventory.product_id = d.pid
        RETURNING inventory.product_id, inventory.stock_remaining
    ),
    logged AS (
        INSERT INTO stock_movements (product_id, delta, reason, order_id, actor_id)
        SELECT pid, delta, %(reason)s, %(order_id)s, %(actor_id)s FROM d
    )
    SELECT product_id, stock_remaining FROM moved ORDER BY product_id
    """


def lock_inventory(s: Session, product_ids: Iterable[int]) -> dict[int, int]:
    """Lock the inventory rows in product-id order (one statement); return their stock."""
    ids = sorted(set(product_ids))
    return dict(sql.rows(s, LOCK_INVENTORY, {"ids": ids}))


def move_stock(
    s: Session, deltas: Mapping[int, int], reason: str, order_id: int | None, actor_id: int | None
) -> list[StockChange]:
    """Apply stock deltas to locked rows and append their movements; return the new levels."""
    moves = sorted((pid, delta) for pid, delta in deltas.items() if delta)
    if not moves:
        return []
    rows = sql.rows(
        s,
        MOVE_STOCK,
        {
            "pids": [pid for pid, _ in moves],
            "deltas": [delta for _, delta in moves],
            "reason": reason,
            "order_id": order_id,
            "actor_id": actor_id,
        },
    )
    return [StockChange(pid, stock) for pid, stock in rows]


def lock_order(s: Session, actor: Account, order_id: int) -> m.Order:
    """The order row, locked; another customer's order is not_found (never forbidden: no leak)."""
    check_id(order_id, "order id")
    order = s.scalars(select(m.Order).where(m.Order.id == order_id).with_for_update()).one_or_none()
    if order is None or not visible_to(actor, order.customer_id):
        raise missing(order_id)
    return order


def transition(s: Session, order_id: int, action: OrderAction, **values) -> bool:
    """Conditional state change: False when someone else already moved the order."""
    moved = s.scalar(
        update(m.Order)
        .where(m.Order.id == order_id, m.Order.status.in_(sources_of(action)))
        .values(**values)
        .returning(m.Order.id)
    )
    return moved is not None


def refund(
    s: Session,
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
        kind="refund",
        method=method,
        status="succeeded",
        amount=amount,
        reference=f"RF-{order.id}-{count + 1}",
    )
    s.add(payment)
    s.flush()
    if till is not None:
        s.add(m.SessionPayment(payment_id=payment.id, session_id=till))
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


class OrderService:
    def __init__(self, db: Database, events: EventService) -> None:
        self.db = db
        self.events = events
        self._next_sweep = 0.0

    def _sweep_expired(self) -> None:
        """Expire overdue orders before a checkout, at most once per `expiry_sweep_seconds`."""
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.db.settings.expiry_sweep_seconds
            self.expire_unpaid(limit=20)

    # --- checkout -------------------------------------------------------------

    def checkout(
        self,
        actor: Account,
        idempotency_key: str,
        *,
        for_customer_id: int | None = None,
        channel: str = "tui",
    ) -> Order:
        """Turn the actor's cart into an unpaid order, its stock taken.

        Staff at the counter may book the order to another customer. The same key
        returns the same order, however often it is retried.
        """
        key = check_key(idempotency_key)
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
        customer_id = actor.id
        if for_customer_id is not None and for_customer_id != actor.id:
            require_staff(actor)
            customer_id = check_id(for_customer_id, "customer id")
        self._sweep_expired()
        ttl = timedelta(minutes=self.db.settings.order_ttl_minutes)
        changes: list[StockChange] = []

        def work(s: Session) -> Order | int:
            changes.clear()
            till = till_session(s, self.db, actor, selling=True)
            found = sql.row(
                s, LOCK_CART_FOR_CHECKOUT, {"owner": actor.id, "customer": customer_id, "key": key}
            )
            cart = found if found is not None else lock_cart(s, actor.id)
            if found is not None and found.existing is not None:
                return found.existing  # the key was used: the same order again
            customer = (
                actor if customer_id == actor.id else sql.row(s, CUSTOMER, {"id": customer_id})
            )
            if customer is None:
                raise NotFound(f"no customer #{customer_id}")
            lines = sql.rows(s, CHECKOUT_LINES, {"cart": cart.id})
            if not lines:
                # A retry of a checkout that committed while this one waited for the cart
                # finds it empty: only a fresh look (a new statement) sees that order.
                existing = sql.value(s, EXISTING_ORDER, {"customer": customer_id, "key": key})
                if existing is not None:
                    return existing
                raise InvalidInput("the cart is empty")
            short = [
                {
                    "product_id": line.product_id,
                    "name": line.name,
                    "requested": line.quantity,
                    "available": line.stock_remaining,
                }
                for line in lines
                if line.stock_remaining < line.quantity
            ]
            if short:
                raise OutOfStock(
                    "not enough stock: "
                    + "; ".join(
                        f"{x['name']} ({x['available']} left, {x['requested']} wanted)"
                        for x in short
                    ),
                    lines=short,
                )
            subtotal = sum((line.price * line.quantity for line in lines), Decimal("0.00"))
            values = {
                "customer_id": customer_id,
                "seller_id": lines[0].seller_id,
                "status": S.PENDING_PAYMENT.value,
                "subtotal": subtotal,
                "discount_total": Decimal("0.00"),
                "total": subtotal,
                "idempotency_key": key,
                "placed_by": actor.id if customer_id != actor.id else None,
                "channel": channel,
                "expires_at": datetime.now(UTC) + ttl,
            }
            order_id, created_at, stock = sql.row(
                s,
                PLACE_ORDER,
                {
                    **values,
                    "pids": [line.product_id for line in lines],
                    "qtys": [line.quantity for line in lines],
                    "prices": [line.price for line in lines],
                    "actor_id": actor.id,
                    "session_id": till,
                    "cart": cart.id,
                },
            )
            changes.extend(StockChange(pid, left) for pid, left in sorted(stock))
            return new_order_view(order_id, created_at, values, lines, customer)

        try:
            result = in_plain_transaction(self.db, work)
        except psycopg2.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != "uq_orders_customer_key":
                raise
            # The same key committed while this one waited (and the cart was refilled since):
            # nothing of this attempt was written; answer with the first order.
            result = read_only(
                self.db,
                lambda s: sql.value(s, EXISTING_ORDER, {"customer": customer_id, "key": key}),
            )
            changes.clear()
        self.events.stock_changed(changes)
        return result if isinstance(result, Order) else self.get(actor, result)

    # --- reading --------------------------------------------------------------

    def get(self, actor: Account, order_id: int) -> Order:
        check_id(order_id, "order id")
        order = self._load(order_id)
        if order is None or not visible_to(actor, order.customer_id):
            raise missing(order_id)
        return order

    def _load(self, order_id: int) -> Order | None:
        found = read_only(
            self.db,
            lambda s: convert.load_orders(
                s, [order_id], return_window_days=self.db.settings.return_window_days
            ),
        )
        return found[0] if found else None

    def history(
        self,
        actor: Account,
        *,
        customer_id: int | None = None,
        status: str | None = None,
        limit: int = 20,
        before: int | None = None,
    ) -> OrderPage:
        """Newest first. A customer sees only their own orders; staff see all, filterable."""
        check_limit(limit, 100)
        if status is not None and status not in m.ORDER_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(m.ORDER_STATUSES)}")
        stmt = select(m.Order.id)
        customer_id = customer_scope(actor, customer_id)
        if customer_id is not None:
            stmt = stmt.where(m.Order.customer_id == check_id(customer_id, "customer id"))
        if status is not None:
            stmt = stmt.where(m.Order.status == status)
        if before is not None:
            stmt = stmt.where(m.Order.id < check_id(before, "before"))
        stmt = stmt.order_by(m.Order.id.desc()).limit(limit + 1)

        def work(s: Session) -> OrderPage:
            ids = list(s.scalars(stmt))
            orders = convert.load_orders(
                s, ids[:limit], return_window_days=self.db.settings.return_window_days
            )
            return OrderPage(
                items=tuple(orders), next_before=ids[limit - 1] if len(ids) > limit else None
            )

        return read_only(self.db, work)

    # --- state changes --------------------------------------------------------

    def cancel(self, actor: Account, order_id: int, reason: str = "") -> Order:
        """Unpaid or paid -> cancelled: stock back, a refund when it was paid."""
        why = check_reason(reason) or "cancelled by " + ("staff" if actor.is_staff else "customer")
        changes: list[StockChange] = []

        def work(s: Session) -> None:
            changes.clear()
            till = till_session(s, self.db, actor, selling=False)
            order = lock_order(s, actor, order_id)
            was = order.status
            if not transition(
                s, order.id, OrderAction.CANCEL, status=S.CANCELLED, closed_at=func.now()
            ):
                raise InvalidState(
                    f"order #{order.id} is {was}; only unpaid or paid orders can be cancelled"
                )
            items = s.execute(
                select(m.OrderItem.product_id, m.OrderItem.quantity).where(
                    m.OrderItem.order_id == order.id
                )
            ).all()
            lock_inventory(s, (i.product_id for i in items))
            changes.extend(
                move_stock(
                    s, {i.product_id: i.quantity for i in items}, "cancel", order.id, actor.id
                )
            )
            refunded = order.total if was == S.PAID else Decimal("0.00")
            s.add(
                m.Cancellation(
                    order_id=order.id, reason=why, cancelled_by=actor.id, refund_amount=refunded
                )
            )
            if refunded:
                refund(s, order, refunded, why, kind_detail="cancellation", till=till)

        in_transaction(self.db, work)
        self.events.stock_changed(changes)
        return self.get(actor, order_id)

    def fulfil(self, actor: Account, order_id: int) -> Order:
        """paid -> fulfilled (staff hand the goods over); the return window starts now."""
        require_staff(actor)

        def work(s: Session) -> None:
            order = lock_order(s, actor, order_id)
            if not transition(
                s, order.id, OrderAction.FULFIL, status=S.FULFILLED, fulfilled_at=func.now()
            ):
                raise InvalidState(
                    f"order #{order.id} is {order.status}; only paid orders can be fulfilled"
                )

        in_transaction(self.db, work)
        return self.get(actor, order_id)

    def return_items(
        self,
        actor: Account,
        order_id: int,
        items: Sequence[ReturnRequest] | Sequence[Mapping],
        reason: str = "",
    ) -> Order:
        """Return some units of a fulfilled order within the return window: refund and stock back."""
        wanted = merge_return_requests(items)
        why = check_reason(reason)
        window = timedelta(days=self.db.settings.return_window_days)
        changes: list[StockChange] = []

        def work(s: Session) -> None:
            changes.clear()
            till = till_session(s, self.db, actor, selling=False)
            order = lock_order(s, actor, order_id)
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
                for item in s.scalars(select(m.OrderItem).where(m.OrderItem.order_id == order.id))
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
            lock_inventory(s, wanted)
            amount = Decimal("0.00")
            for product_id, qty in sorted(wanted.items()):
                line = lines[product_id]
                line_refund = refund_for(s, order, product_id, qty, line.quantity, line.unit_price)
                amount += line_refund
                s.execute(
                    update(m.OrderItem)
                    .where(m.OrderItem.id == line.id)
                    .values(returned_qty=m.OrderItem.returned_qty + qty)
                )
                s.add(
                    m.Return(
                        order_id=order.id,
                        product_id=product_id,
                        quantity=qty,
                        refund_amount=line_refund,
                        reason=why,
                        processed_by=actor.id,
                    )
                )
            changes.extend(move_stock(s, wanted, "return", order.id, actor.id))
            transition(
                s,
                order.id,
                OrderAction.RETURN,
                status=returned_status(left),
                closed_at=func.now() if left == 0 else None,
            )
            if left == 0:  # the last units: give back exactly what is left of the payment
                amount = order.total - refunded_so_far(s, order.id)
            refund(s, order, amount, why or "return", kind_detail="return", till=till)

        in_transaction(self.db, work)
        self.events.stock_changed(changes)
        return self.get(actor, order_id)

    def expire_unpaid(self, *, limit: int = 500) -> list[int]:
        """Cancel orders still unpaid after their payment window, each in its own short transaction."""
        due = read_only(
            self.db,
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
        expired: list[int] = []
        for order_id in due:
            changes: list[StockChange] = []

            def work(
                s: Session, order_id: int = order_id, changes: list[StockChange] = changes
            ) -> bool:
                changes.clear()
                order = s.scalars(
                    select(m.Order).where(m.Order.id == order_id).with_for_update(skip_locked=True)
                ).one_or_none()
                if order is None or not transition(
                    s, order_id, OrderAction.EXPIRE, status=S.CANCELLED, closed_at=func.now()
                ):
                    return False  # paid, cancelled or being handled by another terminal just now
                items = s.execute(
                    select(m.OrderItem.product_id, m.OrderItem.quantity).where(
                        m.OrderItem.order_id == order_id
                    )
                ).all()
                lock_inventory(s, (i.product_id for i in items))
                changes.extend(
                    move_stock(
                        s, {i.product_id: i.quantity for i in items}, "expiry", order_id, None
                    )
                )
                s.add(
                    m.Cancellation(
                        order_id=order_id, reason="payment window expired", refund_amount=0
                    )
                )
                return True

            if in_transaction(self.db, work):
                expired.append(order_id)
                self.events.stock_changed(changes)
        if expired:
            log.info("expired %d unpaid orders", len(expired))
        return expired


def merge_return_requests(items: object) -> dict[int, int]:
    if not isinstance(items, list | tuple) or not items:
        raise InvalidInput("choose at least one item to return")
    wanted: dict[int, int] = {}
    for item in items:
        if isinstance(item, ReturnRequest):
            product_id, qty = item.product_id, item.quantity
        elif isinstance(item, Mapping):
            product_id, qty = item.get("product_id"), item.get("quantity")
        else:
            raise InvalidInput("each item is a product_id and a quantity")
        check_id(product_id, "product_id")
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty <= 10_000:
            raise InvalidInput("a returned quantity is a positive whole number")
        wanted[product_id] = wanted.get(product_id, 0) + qty
    return wanted


def refunded_so_far(s: Session, order_id: int) -> Decimal:
    return s.scalar(
        select(func.coalesce(func.sum(m.Payment.amount), 0)).where(
            m.Payment.order_id == order_id,
            m.Payment.kind == "refund",
            m.Payment.status == "succeeded",
        )
    )


def new_order_view(
    order_id: int,
    created_at: datetime,
    values: dict,
    lines: Sequence,
    customer: Account | m.Customer,
) -> Order:
    """The order just created, from what checkout already holds (no reading back)."""
    return Order(
        id=order_id,
        customer_id=values["customer_id"],
        customer_name=customer.name or customer.username or customer.phone or f"#{customer.id}",
        seller_id=values["seller_id"],
        seller_name=lines[0].seller_name,
        status=values["status"],
        subtotal=values["subtotal"],
        discount_total=values["discount_total"],
        total=values["total"],
        created_at=created_at,
        expires_at=values["expires_at"],
        paid_at=None,
        fulfilled_at=None,
        closed_at=None,
        lines=tuple(
            OrderLine(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.price,
                returned_qty=0,
            )
            for line in lines
        ),
    )
